/*
 * Unit tests of authentication (src/auth) and of the REST layer's own
 * logic (src/api): yescrypt hashes, sessions and their timeouts, CSRF
 * comparison, API tokens, the login throttle and its log line, the setup
 * token, URL paths to document paths, and a request through api_handle.
 */
#include <sqlite3.h>
#include <stdio.h>
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

static char *synced_hash;
static int synced;

static void record_sync(const char *hash, void *arg)
{
	(void)arg;
	synced++;
	free(synced_hash);
	synced_hash = xstrdup(hash);
}

/* root's password follows the admin's through what difosd installs (its
 * system backend), with the hash, never the password */
static void test_root_password_follows_through_hook(void)
{
	const char *err = NULL;

	auth_set_root_sync(record_sync, NULL);
	T_CHECK(auth_set_password(AUTH_ADMIN, "the second password", &err) == 0);
	T_CHECK(synced == 1 && synced_hash && !strncmp(synced_hash, "$y$", 3));
	T_CHECK(synced_hash && auth_verify_hash("the second password", synced_hash));
	T_CHECK(auth_set_password("operator", "another good password", &err) == 0);
	T_CHECK(synced == 1);
	auth_set_root_sync(NULL, NULL);
	T_CHECK(auth_set_password(AUTH_ADMIN, "the first password", &err) == 0);
	T_CHECK(synced == 1);
	free(synced_hash);
	synced_hash = NULL;
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
	enum auth_scope scope = AUTH_SCOPE_ADMIN;
	long long id = auth_token_create("backup", AUTH_SCOPE_READ, "admin", &t);
	json_t *list, *one;

	T_CHECK(id > 0 && t && !strncmp(t, "difos_", 6) && strlen(t) == 70);
	list = auth_tokens_list();
	T_CHECK(json_is_null(json_object_get(json_array_get(list, 0), "last_used")));
	json_decref(list);
	name = auth_token_check(t, &scope);
	T_CHECK_STR(name, "backup");
	T_CHECK(scope == AUTH_SCOPE_READ);
	free(name);
	list = auth_tokens_list();
	one = json_array_get(list, 0);
	T_CHECK(json_array_size(list) == 1);
	T_CHECK(!json_object_get(one, "token"));
	T_CHECK(json_is_integer(json_object_get(one, "last_used")));
	T_CHECK_STR(json_string_value(json_object_get(one, "scope")), "read-only");
	T_CHECK_STR(json_string_value(json_object_get(one, "creator")), "admin");
	json_decref(list);
	T_CHECK(auth_token_revoke(id) == 0);
	T_CHECK(auth_token_check(t, &scope) == NULL);
	T_CHECK(auth_token_revoke(id) < 0);
	free(t);
}

/* The scope table: each scope holds the one before it; no token reaches
 * what is for a login only, nor root's, the hooks' or difosd-web's. */
static void test_token_scopes(void)
{
	static const struct {
		enum rpc_access access;
		enum auth_reach read, config, admin;
	} want[] = {
		{ RPC_READ, AUTH_AS_CALLER, AUTH_AS_CALLER, AUTH_AS_CALLER },
		{ RPC_CONFIG, AUTH_REFUSED, AUTH_AS_CALLER, AUTH_AS_CALLER },
		{ RPC_ADMIN, AUTH_REFUSED, AUTH_REFUSED, AUTH_AS_CALLER },
		{ RPC_SESSION, AUTH_REFUSED, AUTH_REFUSED, AUTH_REFUSED },
		{ RPC_ROOT, AUTH_REFUSED, AUTH_REFUSED, AUTH_REFUSED },
		{ RPC_HOOK, AUTH_REFUSED, AUTH_REFUSED, AUTH_REFUSED },
		{ RPC_WEB, AUTH_REFUSED, AUTH_REFUSED, AUTH_REFUSED },
		/* a public method's state change (confirm): a read-only token is nobody */
		{ RPC_PUBLIC, AUTH_AS_NOBODY, AUTH_AS_CALLER, AUTH_AS_CALLER },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		T_CHECK(auth_token_reach(AUTH_SCOPE_READ, want[i].access, true) == want[i].read);
		T_CHECK(auth_token_reach(AUTH_SCOPE_CONFIG, want[i].access, true) == want[i].config);
		T_CHECK(auth_token_reach(AUTH_SCOPE_ADMIN, want[i].access, true) == want[i].admin);
	}
	T_CHECK(auth_token_reach(AUTH_SCOPE_READ, RPC_PUBLIC, false) == AUTH_AS_CALLER);
	T_CHECK(auth_scope_from_name("read-only") == AUTH_SCOPE_READ);
	T_CHECK(auth_scope_from_name("config") == AUTH_SCOPE_CONFIG);
	T_CHECK(auth_scope_from_name("admin") == AUTH_SCOPE_ADMIN);
	T_CHECK(auth_scope_from_name("root") < 0 && auth_scope_from_name(NULL) < 0);
	T_CHECK(auth_access_needs(RPC_CONFIG) && !strcmp(auth_access_needs(RPC_CONFIG), "config"));
	T_CHECK(auth_access_needs(RPC_SESSION) == NULL);
}

/* libpwquality behind one function: common words and sequences refused
 * with a reason in plain words, a passphrase accepted with a score. */
static void test_password_strength(void)
{
	static const char *const weak[] = { "password", "Password1", "12345678", "qwertyuiop",
					    "admin1234", "aaaaaaaa", "short" };
	struct auth_strength st;
	const char *err;

	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		auth_password_strength(weak[i], NULL, &st);
		T_CHECK(!st.ok && st.score == 0 && st.why[0]);
		if (st.ok)
			fprintf(stderr, "  accepted: %s\n", weak[i]);
	}
	auth_password_strength("password", NULL, &st);
	T_CHECK(strstr(st.why, "too easy to guess") && strstr(st.why, "dictionary word"));
	auth_password_strength("short", NULL, &st);
	T_CHECK_STR(st.why, "is shorter than 8 characters");
	auth_password_strength("blue cactus under the lamp", NULL, &st);
	T_CHECK(st.ok && st.score > 50 && !st.why[0]);
	/* a new password must not be the old one with a letter changed */
	auth_password_strength("blue cactus under the lamp!", "blue cactus under the lamp", &st);
	T_CHECK(!st.ok && st.why[0]);
	/* the stored password follows the same rule */
	T_CHECK(auth_set_password("nobody", "Password1", &err) < 0 && strstr(err, "guess"));
}

/* A store made before scopes: its tokens become read-only, with no maker. */
static void test_token_migration(void)
{
	char *path = xasprintf("%s/old.db", tmpdir), *t = NULL, *name;
	struct store *st;
	sqlite3 *raw;
	enum auth_scope scope = AUTH_SCOPE_ADMIN;
	json_t *list, *defaults;
	char key[65];
	unsigned char h[32];

	T_CHECK(store_open(path, &st) == 0);
	defaults = schema_defaults();
	store_init(st, defaults);
	json_decref(defaults);
	raw = store_db(st);
	t = xstrdup("difos_" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	auth_hash_token(t, h);
	for (int i = 0; i < 32; i++)
		snprintf(key + 2 * i, 3, "%02x", h[i]);
	char *sql = xasprintf("CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
			      " hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL, last_used INTEGER);"
			      "INSERT INTO api_tokens(name, hash, created) VALUES ('old', '%s', 1);",
			      key);
	T_CHECK(sqlite3_exec(raw, sql, NULL, NULL, NULL) == SQLITE_OK);
	free(sql);
	T_CHECK(auth_init(st, logpath) == 0);
	name = auth_token_check(t, &scope);
	T_CHECK_STR(name, "old");
	T_CHECK(scope == AUTH_SCOPE_READ);
	free(name);
	list = auth_tokens_list();
	T_CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "scope")), "read-only");
	T_CHECK(json_is_null(json_object_get(json_array_get(list, 0), "creator")));
	json_decref(list);
	/* a second start leaves the table as it is */
	T_CHECK(auth_init(st, logpath) == 0);
	store_close(st);
	free(t);
	free(path);
	/* back to the test's own store */
	auth_init(test_store, logpath);
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
	r = request("POST", "/api/v1/tokens", cookie, NULL, "{\"name\":\"x\",\"scope\":\"admin\"}");
	T_CHECK(status_of(r) == 403);
	json_decref(r);
	r = request("POST", "/api/v1/tokens", cookie, s->csrf, "{\"name\":");
	T_CHECK(status_of(r) == 400);
	T_CHECK(strstr(json_string_value(json_object_get(json_object_get(json_object_get(r, "body"),
		"error"), "message")) ?: "", "malformed JSON"));
	json_decref(r);
	r = request("POST", "/api/v1/tokens", cookie, s->csrf, "{\"name\":\"ci\"}");
	T_CHECK(status_of(r) == 400);   /* no scope chosen */
	json_decref(r);
	r = request("POST", "/api/v1/tokens", cookie, s->csrf,
		    "{\"name\":\"ci\",\"scope\":\"admin\"}");
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
	T_RUN(test_root_password_follows_through_hook);
	T_RUN(test_sessions);
	T_RUN(test_api_tokens);
	T_RUN(test_token_scopes);
	T_RUN(test_password_strength);
	T_RUN(test_token_migration);
	T_RUN(test_throttle_and_log);
	T_RUN(test_config_paths);
	T_RUN(test_http_request_gate);

	store_close(test_store);
	rm_rf(tmpdir);
	free(db);
	free(logpath);
	return t_done("unit-auth");
}
