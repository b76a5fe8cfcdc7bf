/*
 * Unit tests of authentication (src/auth) and of the REST layer's own
 * logic (src/api): yescrypt hashes, sessions and their timeouts, CSRF
 * comparison, API tokens, the login throttle and its log line, the setup
 * token, URL paths to document paths, and a request through api_handle.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "apply/feature.h"
#include "auth/auth.h"
#include "core/files.h"
#include "core/util.h"
#include "daemon/methods.h"
#include "schema/schema.h"
#include "store/store.h"
#include "t.h"
#include "t_json.h"

static char tmpdir[] = "/tmp/difos-test-auth-XXXXXX";
static char *logpath;
static struct store *test_store;

static void test_hash_is_yescrypt_and_verifies(void)
{
	char *h = auth_hash_password("correct horse");

	T_CHECK(h && !strncmp(h, "$y$", 3));
	T_CHECK(auth_verify_hash("correct horse", h));
	T_CHECK(!auth_verify_hash("correct horsE", h));
	T_CHECK(!auth_verify_hash("", h));
	free(h);
}

static void test_password_rules(void)
{
	T_CHECK(auth_password_problem("short") != NULL);
	T_CHECK(auth_password_problem("long enough") == NULL);
	T_CHECK(auth_password_problem("tab\tinside!") != NULL);
	char big[200];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T_CHECK(auth_password_problem(big) != NULL);
}

static void test_setup_then_password(void)
{
	const char *tok = auth_setup_token(), *err;

	T_CHECK(tok && strlen(tok) == 32);
	T_CHECK(!auth_setup_check("0123"));
	T_CHECK(auth_setup_check(tok));
	T_CHECK(auth_set_password(AUTH_ADMIN, "tiny", &err) < 0 && err);
	T_CHECK(auth_set_password(AUTH_ADMIN, "the first password", &err) == 0);
	auth_setup_done();
	T_CHECK(auth_setup_token() == NULL);
	T_CHECK(auth_check_password(AUTH_ADMIN, "the first password"));
	T_CHECK(!auth_check_password(AUTH_ADMIN, "the first passworD"));
	T_CHECK(!auth_check_password("nobody", "the first password"));
}

static void test_sessions(void)
{
	char tok[AUTH_TOKEN_HEX + 1], tok2[AUTH_TOKEN_HEX + 1];
	struct auth_session *s = auth_session_create(AUTH_ADMIN, tok), *s2;

	T_CHECK(strlen(tok) == 64 && strlen(s->csrf) == 64 && strcmp(tok, s->csrf));
	T_CHECK(auth_session_find(tok) == s);
	T_CHECK(auth_csrf_ok(s, s->csrf));
	T_CHECK(!auth_csrf_ok(s, NULL) && !auth_csrf_ok(s, "abc"));
	tok[0] = tok[0] == 'a' ? 'b' : 'a';
	T_CHECK(auth_session_find(tok) == NULL);
	s2 = auth_session_create(AUTH_ADMIN, tok2);
	auth_sessions_end_user(AUTH_ADMIN, s2);
	T_CHECK(auth_session_find(tok2) == s2);
	/* idle timeout: a session unused for longer than it is gone */
	s2->seen -= 31 * 60 * 1000LL;
	T_CHECK(auth_session_find(tok2) == NULL);
	s = auth_session_create(AUTH_ADMIN, tok);
	s->created -= 13 * 3600 * 1000LL;
	T_CHECK(auth_session_find(tok) == NULL);
}

static void test_api_tokens(void)
{
	char *t = NULL, *name;
	long long id = auth_token_create("backup", &t);
	json_t *list;

	T_CHECK(id > 0 && t && !strncmp(t, "difos_", 6) && strlen(t) == 70);
	name = auth_token_check(t);
	T_CHECK_STR(name, "backup");
	free(name);
	list = auth_tokens_list();
	T_CHECK(json_array_size(list) == 1);
	T_CHECK(!json_object_get(json_array_get(list, 0), "token"));
	T_CHECK(json_is_integer(json_object_get(json_array_get(list, 0), "last_used")));
	json_decref(list);
	T_CHECK(auth_token_revoke(id) == 0);
	T_CHECK(auth_token_check(t) == NULL);
	T_CHECK(auth_token_revoke(id) < 0);
	free(t);
}

static void test_throttle_and_log(void)
{
	char *log;

	auth_throttle_reset();
	for (int i = 0; i < 4; i++) {
		auth_throttle_failed("192.0.2.9", "admin");
		T_CHECK(auth_throttle_wait("192.0.2.9") == 0);
	}
	auth_throttle_failed("192.0.2.9", "ad min\npeer=1.2.3.4");
	T_CHECK(auth_throttle_wait("192.0.2.9") >= 29);
	T_CHECK(auth_throttle_wait("192.0.2.10") == 0);
	auth_throttle_failed("192.0.2.9", "admin");
	T_CHECK(auth_throttle_wait("192.0.2.9") >= 59);
	auth_throttle_passed("192.0.2.9");
	T_CHECK(auth_throttle_wait("192.0.2.9") == 0);
	log = file_read(logpath, NULL);
	T_CHECK(log && strstr(log, " login-failed peer=192.0.2.9 user=admin\n"));
	T_CHECK(log && strstr(log, "peer=192.0.2.9 user=ad?min?peer?1.2.3.4\n"));
	T_CHECK(log && !strstr(log, "\npeer=1.2.3.4"));
	free(log);
}

static void test_config_paths(void)
{
	char *p;

	T_CHECK_STR(p = api_config_path("/dhcp/static_leases/3/ip"), "dhcp.static_leases[3].ip");
	free(p);
	T_CHECK_STR(p = api_config_path("/lan/dhcp"), "lan.dhcp");
	free(p);
	T_CHECK_STR(p = api_config_path(""), "");
	free(p);
	T_CHECK(api_config_path("/3") == NULL);
	T_CHECK(api_config_path("/lan/../etc") == NULL);
	T_CHECK(api_config_path("/LAN") == NULL);
	T_CHECK(api_config_path("/lan/a%20b") == NULL);
}

static json_t *request(const char *method, const char *path, const char *cookie, const char *csrf,
		       const char *body)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "method", method, "path", path, "peer",
			      "192.0.2.50", "host", "192.168.1.1");

	if (cookie)
		json_object_set_new(p, "cookie", json_string(cookie));
	if (csrf)
		json_object_set_new(p, "csrf", json_string(csrf));
	if (body)
		json_object_set_new(p, "body", json_string(body));
	json_t *r = api_handle(NULL, p);
	json_decref(p);
	return r;
}

static int status_of(json_t *r)
{
	return (int)json_integer_value(json_object_get(r, "status"));
}

static void test_http_request_gate(void)
{
	char tok[AUTH_TOKEN_HEX + 1], *cookie;
	struct auth_session *s = auth_session_create(AUTH_ADMIN, tok);
	json_t *r;

	cookie = xasprintf("theme=dark; %s=%s; x=1", AUTH_COOKIE, tok);
	r = request("GET", "/api/v1/tokens", NULL, NULL, NULL);
	T_CHECK(status_of(r) == 401);
	json_decref(r);
	r = request("GET", "/api/v1/tokens", cookie, NULL, NULL);
	T_CHECK(status_of(r) == 200 && json_is_array(json_object_get(r, "body")));
	json_decref(r);
	r = request("POST", "/api/v1/tokens", cookie, NULL, "{\"name\":\"x\"}");
	T_CHECK(status_of(r) == 403);
	json_decref(r);
	r = request("POST", "/api/v1/tokens", cookie, s->csrf, "{\"name\":");
	T_CHECK(status_of(r) == 400);
	T_CHECK(strstr(json_string_value(json_object_get(json_object_get(json_object_get(r, "body"),
		"error"), "message")) ?: "", "malformed JSON"));
	json_decref(r);
	r = request("POST", "/api/v1/tokens", cookie, s->csrf, "{\"name\":\"ci\"}");
	T_CHECK(status_of(r) == 201);
	json_decref(r);
	r = request("GET", "/api/v1/apply", cookie, NULL, NULL);
	T_CHECK(status_of(r) == 405);
	json_decref(r);
	r = request("GET", "/api/v1/nothing", cookie, NULL, NULL);
	T_CHECK(status_of(r) == 404);
	json_decref(r);
	/* a cross-site page cannot drive the API with the cookie */
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "method", "POST", "path",
			      "/api/v1/auth/logout", "cookie", cookie, "csrf", s->csrf, "host",
			      "192.168.1.1", "origin", "https://evil.example");
	r = api_handle(NULL, p);
	T_CHECK(status_of(r) == 403);
	json_decref(r);
	json_decref(p);
	r = request("POST", "/api/v1/auth/logout", cookie, s->csrf, NULL);
	T_CHECK(status_of(r) == 200);
	T_CHECK(strstr(json_string_value(json_object_get(json_object_get(r, "headers"), "Set-Cookie")) ?: "",
		       "Max-Age=0"));
	json_decref(r);
	r = request("GET", "/api/v1/tokens", cookie, NULL, NULL);
	T_CHECK(status_of(r) == 401);
	json_decref(r);
	free(cookie);
}

int main(void)
{
	char *db;
	json_t *defaults;

	if (!mkdtemp(tmpdir))
		return 1;
	db = xasprintf("%s/config.db", tmpdir);
	logpath = xasprintf("%s/auth.log", tmpdir);
	feature_schema_init();
	methods_register_all();
	if (store_open(db, &test_store) < 0)
		return 1;
	defaults = schema_defaults();
	store_init(test_store, defaults);
	json_decref(defaults);
	auth_init(test_store, logpath);

	T_RUN(test_hash_is_yescrypt_and_verifies);
	T_RUN(test_password_rules);
	T_RUN(test_setup_then_password);
	T_RUN(test_sessions);
	T_RUN(test_api_tokens);
	T_RUN(test_throttle_and_log);
	T_RUN(test_config_paths);
	T_RUN(test_http_request_gate);

	store_close(test_store);
	rm_rf(tmpdir);
	free(db);
	free(logpath);
	return t_done("unit-auth");
}
