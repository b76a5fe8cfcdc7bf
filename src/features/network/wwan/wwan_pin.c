/*
 * A PIN the SIM refused is remembered across restarts of difosd: a SIM
 * blocks after three wrong PINs, and a router that reboots (a power cut,
 * a crash) must not spend one more on each boot. The file holds a random
 * salt and the BLAKE2b digest of salt and PIN, so a changed PIN is tried
 * again while the same one is not; it is root's alone, and says nothing
 * the configuration store (which holds the PIN) does not.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/feature.h"
#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wwan/wwan.h"

#define WWAN_SALT 16
#define WWAN_DIGEST 32

static char *wwan_pin_path(const struct feature_env *env)
{
	return xasprintf("%s/wwan/pin-refused", env->paths.state);
}

static void wwan_pin_digest(const unsigned char salt[WWAN_SALT], const char *pin,
			    unsigned char out[WWAN_DIGEST])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, WWAN_DIGEST);
	crypto_generichash_update(&st, salt, WWAN_SALT);
	crypto_generichash_update(&st, (const unsigned char *)pin, strlen(pin));
	crypto_generichash_final(&st, out, WWAN_DIGEST);
}

bool wwan_pin_refused(const struct feature_env *env, const char *pin)
{
	char *path = wwan_pin_path(env), *text = file_read(path, NULL);
	unsigned char salt[WWAN_SALT], want[WWAN_DIGEST], got[WWAN_DIGEST];
	char salt_hex[2 * WWAN_SALT + 1], digest_hex[2 * WWAN_DIGEST + 1];
	bool refused = false;

	if (text && pin && sscanf(text, "%32s %64s", salt_hex, digest_hex) == 2 &&
	    sodium_hex2bin(salt, sizeof(salt), salt_hex, strlen(salt_hex), NULL, NULL, NULL) == 0 &&
	    sodium_hex2bin(want, sizeof(want), digest_hex, strlen(digest_hex), NULL, NULL,
			   NULL) == 0) {
		wwan_pin_digest(salt, pin, got);
		refused = sodium_memcmp(want, got, WWAN_DIGEST) == 0;
	}
	free(text);
	free(path);
	return refused;
}

void wwan_pin_remember(const struct feature_env *env, const char *pin)
{
	char *path = wwan_pin_path(env), *dir = xasprintf("%s/wwan", env->paths.state), *text;
	unsigned char salt[WWAN_SALT], digest[WWAN_DIGEST];
	char salt_hex[2 * WWAN_SALT + 1], digest_hex[2 * WWAN_DIGEST + 1];

	if (pin) {
		randombytes_buf(salt, sizeof(salt));
		wwan_pin_digest(salt, pin, digest);
		sodium_bin2hex(salt_hex, sizeof(salt_hex), salt, sizeof(salt));
		sodium_bin2hex(digest_hex, sizeof(digest_hex), digest, sizeof(digest));
		text = xasprintf("%s %s\n", salt_hex, digest_hex);
		mkdir_p(dir, 0700);
		if (file_write_atomic(path, text, strlen(text), 0600) < 0)
			log_warn("wwan: cannot remember the refused PIN in %s", path);
		free(text);
	}
	free(dir);
	free(path);
}

void wwan_pin_forget(const struct feature_env *env)
{
	char *path = wwan_pin_path(env);

	unlink(path);
	free(path);
}
