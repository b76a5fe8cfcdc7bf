/*
 * Browser sessions, in memory: a restart of the core logs everybody out,
 * which is what a reboot should do. The table is small and bounded; when
 * it is full the session idle the longest makes room.
 */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"

#define AUTH_MAX_SESSIONS 64

static struct auth_session sessions[AUTH_MAX_SESSIONS];
static long long idle_ms = 30 * 60 * 1000LL, max_ms = 12 * 3600 * 1000LL;

long long auth_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void auth_random_hex(char *out, size_t nbytes)
{
	unsigned char buf[64];

	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	randombytes_buf(buf, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, buf, nbytes);
	sodium_memzero(buf, sizeof(buf));
}

void auth_hash_token(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

void auth_set_timeouts(long long idle_s, long long max_s)
{
	if (idle_s > 0)
		idle_ms = idle_s * 1000;
	if (max_s > 0)
		max_ms = max_s * 1000;
}

void auth_get_timeouts(long long *idle_s, long long *max_s)
{
	*idle_s = idle_ms / 1000;
	*max_s = max_ms / 1000;
}

static bool session_expired(const struct auth_session *s, long long now)
{
	return now - s->seen > idle_ms || now - s->created > max_ms;
}

struct auth_session *auth_session_create(const char *user, char *token_out)
{
	long long now = auth_now_ms();
	struct auth_session *slot = NULL;

	for (int i = 0; i < AUTH_MAX_SESSIONS; i++) {
		struct auth_session *s = &sessions[i];
		if (s->used && session_expired(s, now))
			auth_session_end(s);
		if (!s->used && !slot)
			slot = s;
	}
	if (!slot) {
		slot = &sessions[0];
		for (int i = 1; i < AUTH_MAX_SESSIONS; i++)
			if (sessions[i].seen < slot->seen)
				slot = &sessions[i];
		auth_session_end(slot);
	}
	auth_random_hex(token_out, 32);
	auth_hash_token(token_out, slot->key);
	auth_random_hex(slot->csrf, 32);
	snprintf(slot->user, sizeof(slot->user), "%s", user);
	slot->created = slot->seen = now;
	slot->used = true;
	return slot;
}

struct auth_session *auth_session_find(const char *token)
{
	unsigned char key[32];
	long long now = auth_now_ms();

	if (!token || strlen(token) != AUTH_TOKEN_HEX)
		return NULL;
	auth_hash_token(token, key);
	for (int i = 0; i < AUTH_MAX_SESSIONS; i++) {
		struct auth_session *s = &sessions[i];
		if (!s->used || sodium_memcmp(s->key, key, sizeof(key)))
			continue;
		if (session_expired(s, now)) {
			auth_session_end(s);
			return NULL;
		}
		s->seen = now;
		return s;
	}
	return NULL;
}

void auth_session_end(struct auth_session *s)
{
	sodium_memzero(s, sizeof(*s));
}

void auth_sessions_end_user(const char *user, const struct auth_session *keep)
{
	for (int i = 0; i < AUTH_MAX_SESSIONS; i++)
		if (sessions[i].used && &sessions[i] != keep && !strcmp(sessions[i].user, user))
			auth_session_end(&sessions[i]);
}

bool auth_csrf_ok(const struct auth_session *s, const char *header)
{
	return header && strlen(header) == AUTH_TOKEN_HEX &&
	       sodium_memcmp(s->csrf, header, AUTH_TOKEN_HEX) == 0;
}
