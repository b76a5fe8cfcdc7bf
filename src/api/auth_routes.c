/*
 * The endpoints of a browser's session: who is logged in, login, logout,
 * the first-run setup and the password change. They set and clear the
 * session cookie, so only the REST API answers them.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"

const char *api_param_str(struct api_req *r, const char *key)
{
	return json_string_value(json_object_get(r->body, key));
}

static void api_set_cookie(struct api_req *r, const char *token)
{
	long long idle, max;
	char *c;

	auth_get_timeouts(&idle, &max);
	c = token ? xasprintf("%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=%lld",
			      AUTH_COOKIE, token, max) :
		    xasprintf("%s=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
			      AUTH_COOKIE);
	api_header(r, "Set-Cookie", c);
	free(c);
}

static void api_new_session(struct api_req *r, const char *user)
{
	char token[AUTH_TOKEN_HEX + 1];
	struct auth_session *s = auth_session_create(user, token);

	api_set_cookie(r, token);
	sodium_memzero(token, sizeof(token));
	json_decref(r->out);
	r->out = json_pack("{s:s, s:s}", "user", s->user, "csrf", s->csrf);
}

static void api_session(struct api_req *r)
{
	long long idle, max;

	auth_get_timeouts(&idle, &max);
	json_decref(r->out);
	r->out = json_pack("{s:b, s:b, s:I}", "authenticated", r->author[0] != 0,
			   "setup_required", auth_setup_token() != NULL, "idle_timeout",
			   (json_int_t)idle);
	if (r->session) {
		json_object_set_new(r->out, "user", json_string(r->session->user));
		json_object_set_new(r->out, "csrf", json_string(r->session->csrf));
		json_object_set_new(r->out, "expires_in", json_integer(
			(r->session->created + max * 1000 - auth_now_ms()) / 1000));
	} else if (r->author[0]) {
		json_object_set_new(r->out, "user", json_string(r->author));
	}
}

/* old: the password in force, which a new one must differ from enough */
static bool api_password_param(struct api_req *r, const char *key, const char *old,
			       const char **out)
{
	const char *pw = api_param_str(r, key);
	struct auth_strength st;

	if (!pw) {
		api_error(r, 400, "bad_request", key, NULL, "%s: a string is required", key);
		return false;
	}
	auth_password_strength(pw, old, &st);
	if (!st.ok) {
		/* never echo a password back */
		api_error(r, 422, "invalid", key, NULL, "%s: the password %s", key, st.why);
		return false;
	}
	*out = pw;
	return true;
}

static void api_setup(struct api_req *r)
{
	const char *pw, *err;

	if (!auth_setup_token()) {
		api_error(r, 409, "conflict", NULL, NULL, "the admin password is already set");
		return;
	}
	if (!auth_setup_check(api_param_str(r, "token"))) {
		auth_throttle_failed(r->peer, "setup");
		api_error(r, 403, "forbidden", "token", NULL,
			  "token: the setup link is not valid (difosctl setup-link prints it)");
		return;
	}
	if (!api_password_param(r, "password", NULL, &pw))
		return;
	if (auth_set_password(AUTH_ADMIN, pw, &err) < 0) {
		api_error(r, 500, "internal", "password", NULL, "password %s", err);
		return;
	}
	auth_setup_done();
	log_info("auth: admin password set from %s (first run)", r->peer ? r->peer : "?");
	api_new_session(r, AUTH_ADMIN);
}

static void api_login(struct api_req *r)
{
	const char *user = api_param_str(r, "user"), *pw = api_param_str(r, "password");
	long long wait = auth_throttle_wait(r->peer);

	if (!user)
		user = AUTH_ADMIN;
	if (wait > 0) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%lld", wait);
		api_header(r, "Retry-After", secs);
		api_error(r, 429, "throttled", NULL, NULL,
			  "too many failed logins from %s; try again in %lld s",
			  r->peer ? r->peer : "this address", wait);
		return;
	}
	if (!pw) {
		api_error(r, 400, "bad_request", "password", NULL, "password: a string is required");
		return;
	}
	if (auth_setup_token()) {
		api_error(r, 409, "conflict", NULL, NULL,
			  "no password is set yet: open the setup link (difosctl setup-link)");
		return;
	}
	if (!auth_check_password(user, pw)) {
		auth_throttle_failed(r->peer, user);
		api_error(r, 401, "unauthorized", NULL, NULL, "wrong user name or password");
		return;
	}
	auth_throttle_passed(r->peer);
	api_new_session(r, user);
}

static void api_logout(struct api_req *r)
{
	if (r->session)
		auth_session_end(r->session);
	r->session = NULL;
	api_set_cookie(r, NULL);
	json_decref(r->out);
	r->out = json_pack("{s:b}", "logged_out", 1);
}

static void api_password(struct api_req *r)
{
	const char *cur = api_param_str(r, "current"), *pw, *err;
	const char *user = r->session ? r->session->user : AUTH_ADMIN;

	if (!r->session) {
		api_error(r, 403, "forbidden", NULL, NULL,
			  "the password is changed from a browser session or with difosctl passwd");
		return;
	}
	if (!cur || !auth_check_password(user, cur)) {
		auth_throttle_failed(r->peer, user);
		api_error(r, 422, "invalid", "current", NULL, "current: the password is wrong");
		return;
	}
	if (!api_password_param(r, "password", cur, &pw))
		return;
	if (auth_set_password(user, pw, &err) < 0) {
		api_error(r, 500, "internal", "password", NULL, "password %s", err);
		return;
	}
	auth_sessions_end_user(user, r->session);
	json_decref(r->out);
	r->out = json_pack("{s:b}", "changed", 1);
}

static const struct sc_field login_params[] = {
	{ .name = "user", .kind = SC_STRING, .help = "the user name (admin)" },
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the password" },
	{ .name = NULL }
};

static const struct sc_field setup_params[] = {
	{ .name = "token", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the setup link's token (difosctl setup-link)" },
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the admin password to set" },
	{ .name = NULL }
};

static const struct sc_field password_params[] = {
	{ .name = "current", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the password in force" },
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the new password" },
	{ .name = NULL }
};

#define SESSION "Web access"

const struct rpc_method api_auth_methods[] = {
	{ "auth.session", NULL, "who is logged in; the CSRF token; whether the first-run setup is due",
	  SESSION, NULL, "{authenticated, setup_required, idle_timeout, user?, csrf?, expires_in?}",
	  RPC_PUBLIC, .rest = { { "GET", "/session", .handler = api_session } } },
	{ "auth.setup", NULL, "first run: set the admin password with the one-time setup token",
	  SESSION, setup_params, "{user, csrf}; sets the session cookie", RPC_PUBLIC,
	  .rest = { { "POST", "/auth/setup", .handler = api_setup } } },
	{ "auth.login", NULL, "log in; sets the session cookie", SESSION, login_params,
	  "{user, csrf}", RPC_PUBLIC,
	  .rest = { { "POST", "/auth/login", .handler = api_login } } },
	{ "auth.logout", NULL, "end this session", SESSION, NULL, "{logged_out: true}", RPC_SESSION,
	  .rest = { { "POST", "/auth/logout", .handler = api_logout } } },
	{ "auth.password", NULL, "change the admin password (and root's); other sessions end",
	  SESSION, password_params, "{changed: true}", RPC_SESSION,
	  .rest = { { "POST", "/auth/password", .handler = api_password } } },
	{ NULL }
};
