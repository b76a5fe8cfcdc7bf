/* Endpoints of login, first-run setup, password, API tokens and confirm. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "apply/engine.h"
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

void api_session(struct api_req *r)
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

static bool api_password_param(struct api_req *r, const char *key, const char **out)
{
	const char *pw = api_param_str(r, key), *problem;

	if (!pw) {
		api_error(r, 400, "bad_request", key, NULL, "%s: a string is required", key);
		return false;
	}
	if ((problem = auth_password_problem(pw))) {
		/* never echo a password back */
		api_error(r, 422, "invalid", key, NULL, "%s: the password %s", key, problem);
		return false;
	}
	*out = pw;
	return true;
}

void api_setup(struct api_req *r)
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
	if (!api_password_param(r, "password", &pw))
		return;
	if (auth_set_password(AUTH_ADMIN, pw, &err) < 0) {
		api_error(r, 500, "internal", "password", NULL, "password %s", err);
		return;
	}
	auth_setup_done();
	log_info("auth: admin password set from %s (first run)", r->peer ? r->peer : "?");
	api_new_session(r, AUTH_ADMIN);
}

void api_login(struct api_req *r)
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

void api_logout(struct api_req *r)
{
	if (r->session)
		auth_session_end(r->session);
	r->session = NULL;
	api_set_cookie(r, NULL);
	json_decref(r->out);
	r->out = json_pack("{s:b}", "logged_out", 1);
}

void api_password(struct api_req *r)
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
	if (!api_password_param(r, "password", &pw))
		return;
	if (auth_set_password(user, pw, &err) < 0) {
		api_error(r, 500, "internal", "password", NULL, "password %s", err);
		return;
	}
	auth_sessions_end_user(user, r->session);
	json_decref(r->out);
	r->out = json_pack("{s:b}", "changed", 1);
}

void api_tokens_list(struct api_req *r)
{
	json_decref(r->out);
	r->out = auth_tokens_list();
}

void api_tokens_create(struct api_req *r)
{
	const char *name = api_param_str(r, "name");
	char *token;
	long long id;
	size_t n = name ? strlen(name) : 0;

	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)name[i]))
			n = 0;
	if (!n || n > 64) {
		api_error(r, 422, "invalid", "name", json_object_get(r->body, "name"),
			  "name: 1 to 64 printable characters are required");
		return;
	}
	if ((id = auth_token_create(name, &token)) < 0) {
		api_error(r, 500, "internal", NULL, NULL, "the token could not be stored");
		return;
	}
	log_info("auth: API token %lld (%s) created by %s", id, name, r->author);
	json_decref(r->out);
	r->out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "token", token);
	free(token);
}

void api_tokens_revoke(struct api_req *r)
{
	const char *s = json_string_value(json_object_get(r->query, "id"));
	char *end;
	long long id = s ? strtoll(s, &end, 10) : 0;

	if (!s || *end || id <= 0 || auth_token_revoke(id) < 0) {
		api_error(r, 404, "not_found", "id", json_object_get(r->query, "id"),
			  "no API token %s", s ? s : "");
		return;
	}
	log_info("auth: API token %lld revoked by %s", id, r->author);
	json_decref(r->out);
	r->out = json_pack("{s:I}", "revoked", (json_int_t)id);
}

/* A confirm token lets the GUI confirm from the LAN address an apply
 * moved it to, where its session cookie is not sent. Only its hash is
 * kept, bound to the revision it confirms. */
static unsigned char confirm_key[32];
static long long confirm_key_rev = -1;

void api_apply(struct api_req *r)
{
	const char *token = api_param_str(r, "confirm_token");
	json_t *params;

	if (token && (strlen(token) < 32 || strlen(token) > 128)) {
		api_error(r, 422, "invalid", "confirm_token", NULL,
			  "confirm_token: 32 to 128 characters are required");
		return;
	}
	params = r->body && json_is_object(r->body) ? json_deep_copy(r->body) : json_object();
	json_object_del(params, "confirm_token");
	api_call(r, r->route->rpc, params);   /* apply or rollback */
	if (token && r->status == 200) {
		auth_hash_token(token, confirm_key);
		confirm_key_rev = json_integer_value(json_object_get(r->out, "revision"));
	}
}

void api_confirm(struct api_req *r)
{
	const char *token = api_param_str(r, "token");

	if (!r->author[0]) {
		unsigned char key[32];
		if (!token || confirm_key_rev < 0 || r->env->engine->confirm_rev != confirm_key_rev) {
			api_error(r, 401, "unauthorized", NULL, NULL,
				  "log in first, or give the token of the pending apply");
			return;
		}
		auth_hash_token(token, key);
		if (sodium_memcmp(key, confirm_key, sizeof(key))) {
			auth_throttle_failed(r->peer, "confirm");
			api_error(r, 403, "forbidden", "token", NULL, "token: not the pending apply's");
			return;
		}
		snprintf(r->author, sizeof(r->author), "confirm-token");
	}
	api_call(r, "confirm", json_object());
	if (r->status == 200) {
		confirm_key_rev = -1;
		sodium_memzero(confirm_key, sizeof(confirm_key));
	}
}
