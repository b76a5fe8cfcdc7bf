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

/*
 * The strength meter's verdict. Nobody logged in may ask only during the
 * first run and with the setup token (whoever holds it may set the
 * password anyway, so the answer tells them nothing new); a wrong token
 * counts as a failed login of its address, so guesses of the token are
 * throttled as password guesses are. API tokens never ask.
 */
static json_t *auth_password_check(struct rpc_call *c)
{
	const char *pw = rpc_str(c, "password"), *setup = rpc_str(c, "token");
	bool logged_in = c->author && *c->author && strncmp(c->author, "token:", 6);
	struct auth_strength st;
	long long wait;

	if (!logged_in) {
		if (c->author && *c->author)
			return rpc_fail(c, RPC_FORBIDDEN, NULL, NULL,
					"an API token does not check passwords");
		if ((wait = auth_throttle_wait(c->peer)) > 0)
			return rpc_fail(c, RPC_FORBIDDEN, "token", NULL,
					"too many failed attempts from this address; try again in "
					"%lld s", wait);
		if (!auth_setup_token())
			return rpc_fail(c, RPC_UNAUTHORIZED, NULL, NULL, "log in first");
		if (!auth_setup_check(setup)) {
			auth_throttle_failed(c->peer, "setup");
			return rpc_fail(c, RPC_FORBIDDEN, "token", NULL, "token: the setup link "
					"is not valid (difosctl setup-link prints it)");
		}
	}
	auth_password_strength(pw, NULL, &st);
	if (st.ok)
		return json_pack("{s:b, s:i, s:s}", "ok", 1, "score", st.score, "message", "");
	return json_pack("{s:b, s:i, s:s+}", "ok", 0, "score", 0, "message", "the password ",
			 st.why);
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
	const char *name = rpc_str(c, "name"), *scope = rpc_str(c, "scope");
	int sc = auth_scope_from_name(scope);
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
	if (sc < 0)   /* the parameter's kind has checked it already */
		return rpc_fail(c, RPC_INVALID, "scope", json_object_get(c->params, "scope"),
				"scope: %s is not read-only, config or admin", scope);
	if ((id = auth_token_create(name, (enum auth_scope)sc, c->author, &token)) < 0)
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "the token could not be stored");
	log_info("auth: API token %lld (%s, %s) created by %s", id, name, scope, c->author);
	out = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "name", name, "scope",
			scope, "creator", c->author, "token", token);
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

static const struct sc_field password_check_params[] = {
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the password to judge" },
	{ .name = "token", .kind = SC_STRING, .flags = SC_F_SECRET,
	  .help = "the first run's setup token, when nobody is logged in" },
	{ .name = NULL }
};

static const struct sc_field token_create_params[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED,
	  .help = "what the token is for: 1 to 64 printable characters" },
	{ .name = "scope", .kind = SC_ENUM, .flags = SC_F_REQUIRED, .choices = auth_scope_choices,
	  .help = "what it may call: read-only (every read), config (reads, and staging, "
		  "applying, confirming and rolling back the configuration) or admin (every "
		  "method a token may call; never tokens, the password or users)" },
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
	{ "auth.password_check", auth_password_check, "how strong a new password is: the rule "
	  "setup and the password change apply", AUTH, password_check_params,
	  "{ok, score: 0-100, message: why it is refused, or \"\"}", RPC_PUBLIC,
	  .rest = { { "POST", "/auth/password-check",
		      .summary = "judge a new password (a session, or the setup token at the "
				 "first run)" } } },
	{ "auth.setup_link", auth_setup_link, "the one-time first-run token", AUTH, NULL,
	  "{token, fragment}", RPC_ROOT,
	  .cli = { "setup-link", .usage = "[HOST]",
		   .help = "the one-time link that sets the first password", .run = auth_cli_setup_link } },
	{ "auth.tokens", auth_tokens, "list API tokens", AUTH, NULL,
	  "[{id, name, scope, creator, created, last_used}]: times in seconds since 1970; "
	  "creator null for a token made before it was recorded", RPC_SESSION,
	  .rest = { { "GET", "/tokens" } },
	  .cli = { "tokens", .help = "API tokens for scripts", .print = auth_print_tokens } },
	{ "auth.token_create", auth_token_new, "create an API token (shown once)", AUTH,
	  token_create_params, "{id, name, scope, creator, token}", RPC_SESSION,
	  .rest = { { "POST", "/tokens", .ok_status = 201 } },
	  .cli = { "token-create", "name scope", .print = print_json } },
	{ "auth.token_revoke", auth_token_del, "revoke an API token", AUTH, token_revoke_params,
	  "{revoked: id}", RPC_SESSION,
	  .rest = { { "DELETE", "/tokens/{id}" } },
	  .cli = { "token-revoke", "id", .print = print_json } },
	{ NULL }
};
