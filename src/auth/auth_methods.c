/* Methods of web access: the password and the first-run link (root on
 * the machine only), and the API tokens of scripts. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "core/print.h"
#include "core/util.h"
#include "rpc/rpc.h"

static json_t *auth_passwd(struct rpc_call *c)
{
	const char *pw = rpc_str(c, "password"), *err;

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
	size_t n = strlen(name);
	char *token;
	long long id;
	json_t *out;

	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)name[i]))
			n = 0;
	if (!n || n > 64)
		return rpc_fail(c, RPC_INVALID, "name", json_object_get(c->params, "name"),
				"name: 1 to 64 printable characters are required");
	if ((id = auth_token_create(name, &token)) < 0)
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "the token could not be stored");
	log_info("auth: API token %lld (%s) created by %s", id, name, c->author);
	out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "token", token);
	free(token);
	return out;
}

static json_t *auth_token_del(struct rpc_call *c)
{
	json_t *id = json_object_get(c->params, "id");

	if (auth_token_revoke(json_integer_value(id)) < 0)
		return rpc_fail(c, RPC_NOTFOUND, "id", id, "id: no API token %lld",
				(long long)json_integer_value(id));
	log_info("auth: API token %lld revoked by %s", (long long)json_integer_value(id), c->author);
	return json_pack("{s:O}", "revoked", id);
}

#define AUTH "Web access"

static const struct sc_field passwd_params[] = {
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the new admin password" },
	{ .name = NULL }
};

static const struct sc_field token_create_params[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED,
	  .help = "what the token is for: 1 to 64 printable characters" },
	{ .name = NULL }
};

static const struct sc_field token_revoke_params[] = {
	{ .name = "id", .kind = SC_INT, .flags = SC_F_REQUIRED, .help = "the token's id" },
	{ .name = NULL }
};

const struct rpc_method auth_methods[] = {
	{ "auth.passwd", auth_passwd, "set the admin password (and root's on a real system)", AUTH,
	  passwd_params, "{changed: true}", RPC_ROOT,
	  .cli = { "passwd", .help = "set the admin password (read from stdin)",
		   .run = auth_cli_passwd } },
	{ "auth.setup_link", auth_setup_link, "the one-time first-run token", AUTH, NULL,
	  "{token, fragment}", RPC_ROOT,
	  .cli = { "setup-link", .usage = "[HOST]",
		   .help = "the one-time link that sets the first password", .run = auth_cli_setup_link } },
	{ "auth.tokens", auth_tokens, "list API tokens", AUTH, NULL, "[{id, name, created}]",
	  .rest = { { "GET", "/tokens" } },
	  .cli = { "tokens", .help = "API tokens for scripts", .print = print_json } },
	{ "auth.token_create", auth_token_new, "create an API token (shown once)", AUTH,
	  token_create_params, "{id, name, token}",
	  .rest = { { "POST", "/tokens", .ok_status = 201 } },
	  .cli = { "token-create", "name", .print = print_json } },
	{ "auth.token_revoke", auth_token_del, "revoke an API token", AUTH, token_revoke_params,
	  "{revoked: id}",
	  .rest = { { "DELETE", "/tokens/{id}" } },
	  .cli = { "token-revoke", "id", .print = print_json } },
	{ NULL }
};
