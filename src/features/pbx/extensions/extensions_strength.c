/*
 * The extensions' passwords, checked by libpwquality (auth_password_strength_of,
 * with the extension's number as the user that must not be in it),
 * whose cracklib lookup costs a millisecond or more a password. Every change
 * validates the whole document, so with a thousand extensions adding one
 * took a second, spent checking the 999 passwords that were checked already.
 *
 * Passwords found strong are remembered as keyed BLAKE2b digests (the key
 * random, made at the first use, in memory only), so a password is checked
 * once while the process runs; refusals are not remembered (they are rare,
 * and their reason is worded by the check). A SIP password is kept in the
 * document in clear anyway: its digest tells nothing more. The set is
 * bounded: when it is three quarters full it starts again empty.
 */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "features/pbx/extensions/extensions_int.h"

#define EXT_SLOTS 4096     /* twice the schema's most extensions */
#define EXT_DIGEST 16

static struct {
	pthread_mutex_t lock;
	bool keyed;
	unsigned char key[crypto_generichash_KEYBYTES];
	unsigned char slot[EXT_SLOTS][EXT_DIGEST];   /* all zero: empty */
	size_t used;
	size_t checks;
} strong = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The slot holding d, or the empty one where it would go. */
static unsigned char *ext_slot(const unsigned char *d)
{
	static const unsigned char empty[EXT_DIGEST];
	size_t i;

	memcpy(&i, d, sizeof(i));
	for (i %= EXT_SLOTS;; i = (i + 1) % EXT_SLOTS)
		if (!memcmp(strong.slot[i], d, EXT_DIGEST) || !memcmp(strong.slot[i], empty, EXT_DIGEST))
			return strong.slot[i];
}

/* the verdict depends on the number too (it must not be in the password) */
static void ext_digest(const char *password, const char *number, unsigned char *d)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, strong.key, sizeof(strong.key), EXT_DIGEST);
	crypto_generichash_update(&st, (const unsigned char *)number, strlen(number) + 1);
	crypto_generichash_update(&st, (const unsigned char *)password, strlen(password));
	crypto_generichash_final(&st, d, EXT_DIGEST);
	d[0] |= 1;   /* never all zero (an empty slot) */
}

void ext_password_strength(const char *password, const char *number, struct auth_strength *out)
{
	unsigned char d[EXT_DIGEST];
	bool known;

	pthread_mutex_lock(&strong.lock);
	if (!strong.keyed) {
		if (sodium_init() < 0) {
			pthread_mutex_unlock(&strong.lock);
			auth_password_strength_of(password, NULL, number, out);
			return;
		}
		randombytes_buf(strong.key, sizeof(strong.key));
		strong.keyed = true;
	}
	if (!number)
		number = "";
	ext_digest(password, number, d);
	known = !memcmp(ext_slot(d), d, EXT_DIGEST);
	pthread_mutex_unlock(&strong.lock);
	if (known) {
		memset(out, 0, sizeof(*out));
		out->ok = true;
		out->score = -1;    /* not remembered: the extensions show no score */
		return;
	}
	/* the library's check, outside the lock (validations may run at once) */
	auth_password_strength_of(password, NULL, number, out);
	pthread_mutex_lock(&strong.lock);
	strong.checks++;
	if (out->ok) {
		unsigned char *s;
		if (strong.used >= EXT_SLOTS / 4 * 3) {
			sodium_memzero(strong.slot, sizeof(strong.slot));
			strong.used = 0;
		}
		s = ext_slot(d);
		if (memcmp(s, d, EXT_DIGEST)) {
			memcpy(s, d, EXT_DIGEST);
			strong.used++;
		}
	}
	pthread_mutex_unlock(&strong.lock);
	sodium_memzero(d, sizeof(d));
}

size_t ext_password_checks(void)
{
	size_t n;

	pthread_mutex_lock(&strong.lock);
	n = strong.checks;
	pthread_mutex_unlock(&strong.lock);
	return n;
}
