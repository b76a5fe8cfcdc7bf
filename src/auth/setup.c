/*
 * The first run: there is no default password. Until one is set, a
 * one-time token (printed by `difosctl setup-link`, never served over
 * HTTP) lets the first visitor choose it, so a stranger on the LAN cannot
 * race the owner to the setup page.
 */
#include <sodium.h>
#include <string.h>

#include "auth/auth.h"

static char setup_token[AUTH_TOKEN_HEX / 2 + 1];
static bool setup_finished;

const char *auth_setup_token(void)
{
	if (setup_finished || auth_has_password(AUTH_ADMIN))
		return NULL;
	if (!setup_token[0])
		auth_random_hex(setup_token, AUTH_TOKEN_HEX / 4);
	return setup_token;
}

bool auth_setup_check(const char *token)
{
	const char *want = auth_setup_token();

	return want && token && strlen(token) == strlen(want) &&
	       sodium_memcmp(token, want, strlen(want)) == 0;
}

void auth_setup_done(void)
{
	setup_finished = true;
	sodium_memzero(setup_token, sizeof(setup_token));
}
