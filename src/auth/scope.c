/*
 * What an API token may call. A token is given one scope when it is made;
 * each method declares its access in the method table, and this table says
 * which scope reaches which access. Scopes are ordered: each holds the one
 * before it. Nothing a token holds reaches the API tokens themselves, the
 * password or users: a leaked token cannot make itself a successor that
 * outlives its revocation.
 */
#include <string.h>

#include "auth/auth.h"

/* the names, in the order of enum auth_scope (the parameter's choices) */
const char *const auth_scope_choices[AUTH_SCOPE_COUNT + 1] = {
	[AUTH_SCOPE_READ] = "read-only", [AUTH_SCOPE_CONFIG] = "config",
	[AUTH_SCOPE_ADMIN] = "admin", [AUTH_SCOPE_COUNT] = NULL,
};

/* Per access: the least scope that reaches it, and the least that is
 * reached as itself (below it, a public method is called as nobody: a
 * read-only token confirms an apply only with the apply's confirm token,
 * as anybody would). NONE: no token. */
#define NONE AUTH_SCOPE_COUNT
static const struct {
	enum auth_scope reach, as_self;
} auth_access_scope[RPC_ACCESS_COUNT] = {
	[RPC_READ] = { AUTH_SCOPE_READ, AUTH_SCOPE_READ },
	[RPC_PUBLIC] = { AUTH_SCOPE_READ, AUTH_SCOPE_CONFIG },
	[RPC_CONFIG] = { AUTH_SCOPE_CONFIG, AUTH_SCOPE_CONFIG },
	[RPC_ADMIN] = { AUTH_SCOPE_ADMIN, AUTH_SCOPE_ADMIN },
	[RPC_SESSION] = { NONE, NONE },
	[RPC_ROOT] = { NONE, NONE },
	[RPC_HOOK] = { NONE, NONE },
	[RPC_WEB] = { NONE, NONE },
};

const char *auth_scope_name(enum auth_scope s)
{
	return (unsigned)s < AUTH_SCOPE_COUNT ? auth_scope_choices[s] : "?";
}

int auth_scope_from_name(const char *name)
{
	for (int s = 0; name && s < AUTH_SCOPE_COUNT; s++)
		if (!strcmp(auth_scope_choices[s], name))
			return s;
	return -1;
}

enum auth_reach auth_token_reach(enum auth_scope s, enum rpc_access a, bool mutating)
{
	if ((unsigned)a >= RPC_ACCESS_COUNT || (unsigned)s >= AUTH_SCOPE_COUNT ||
	    s < auth_access_scope[a].reach)
		return AUTH_REFUSED;
	return s >= auth_access_scope[a].as_self || !mutating ? AUTH_AS_CALLER : AUTH_AS_NOBODY;
}

const char *auth_access_needs(enum rpc_access a)
{
	if ((unsigned)a >= RPC_ACCESS_COUNT || auth_access_scope[a].reach == NONE)
		return NULL;
	return auth_scope_choices[auth_access_scope[a].reach];
}
