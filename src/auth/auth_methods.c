/* Methods for difosctl (the root door): set the password, print the
 * setup link, manage API tokens. The web door cannot call these. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "core/rpc.h"
#include "core/util.h"

static json_t *auth_passwd(struct rpc_call *c)
{
	const char *pw = rpc_str(c, "password"), *err;

	if (!pw)
		return rpc_fail(c, RPC_BAD, "password", NULL, "password: a string is required");
	if (auth_set_password(AUTH_ADMIN, pw, &err) < 0)
		return rpc_fail(c, RPC_INVALID, "password", NULL, "password: the password %s", err);
	auth_setup_done();
	auth_sessions_end_user(AUTH_ADMIN, NULL);
	log_info("auth: admin password set by %s", c->author);
	return json_pack("{s:b}", "changed", 1);
}

static json_t *auth_setup_link(struct rpc_call *c)
{
	const char *t = auth_setup_token();

	if (!t)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL,
				"the admin password is already set (difosctl passwd changes it)");
	return json_pack("{s:s, s:s}", "token", t, "fragment", "#/setup?token=");
}

static json_t *auth_tokens(struct rpc_call *c)
{
	(void)c;
	return auth_tokens_list();
}

static json_t *auth_token_new(struct rpc_call *c)
{
	const char *name = rpc_str(c, "name");
	char *token;
	long long id;
	json_t *out;

	if (!name || !*name || strlen(name) > 64)
		return rpc_fail(c, RPC_INVALID, "name", json_object_get(c->params, "name"),
				"name: 1 to 64 characters are required");
	if ((id = auth_token_create(name, &token)) < 0)
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "the token could not be stored");
	out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "token", token);
	free(token);
	return out;
}

static json_t *auth_token_del(struct rpc_call *c)
{
	json_t *id = json_object_get(c->params, "id");

	if (!json_is_integer(id) || auth_token_revoke(json_integer_value(id)) < 0)
		return rpc_fail(c, RPC_NOTFOUND, "id", id, "no API token with this id");
	return json_pack("{s:O}", "revoked", id);
}

const struct rpc_method auth_methods[] = {
	{ "auth.passwd", auth_passwd, "set the admin password (and root's on a real system)" },
	{ "auth.setup_link", auth_setup_link, "the one-time first-run token" },
	{ "auth.tokens", auth_tokens, "list API tokens" },
	{ "auth.token_create", auth_token_new, "create an API token (name)" },
	{ "auth.token_revoke", auth_token_del, "revoke an API token (id)" },
	{ NULL, NULL, NULL },
};
