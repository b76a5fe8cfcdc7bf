/*
 * What authentication keeps on disk, in the store's SQLite file (mode
 * 0600, in a 0700 directory): the admin's yescrypt hash and the hashes of
 * API tokens. Neither is part of the configuration document, so a
 * rollback never brings an old password back.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"

static sqlite3 *db;

static void auth_tokens_load(void);

static const char auth_schema[] =
	"CREATE TABLE IF NOT EXISTS users ("
	" name TEXT PRIMARY KEY, hash TEXT NOT NULL, changed INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS api_tokens ("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,"
	" created INTEGER NOT NULL, last_used INTEGER,"
	" scope TEXT NOT NULL DEFAULT 'read-only', creator TEXT);";

/*
 * Tokens made before scopes existed had no limit and no recorded maker.
 * They become read-only: a script that only reads keeps working, and one
 * that was leaked can no longer change anything; a script that writes
 * needs a new token of the scope it needs (docs/guide.md says so).
 */
static const char auth_migrate_scopes[] =
	"ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read-only';"
	"ALTER TABLE api_tokens ADD COLUMN creator TEXT;";

static bool auth_has_column(const char *table, const char *column)
{
	char *sql = xasprintf("SELECT 1 FROM pragma_table_info('%s') WHERE name = ?", table);
	sqlite3_stmt *s = NULL;
	bool has = false;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, column, -1, SQLITE_STATIC);
		has = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	free(sql);
	return has;
}

static int auth_migrate(void)
{
	char *err = NULL;

	if (auth_has_column("api_tokens", "scope"))
		return 0;
	if (sqlite3_exec(db, "BEGIN;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, auth_migrate_scopes, NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT;", NULL, NULL, &err) != SQLITE_OK) {
		log_err("auth: cannot give API tokens their scope: %s", err ? err : "?");
		sqlite3_free(err);
		sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
		return -1;
	}
	log_info("auth: API tokens made before scopes are now read-only");
	return 0;
}

int auth_init(struct store *st, const char *auth_log_path)
{
	char *err = NULL;

	db = store_db(st);
	if (sqlite3_exec(db, auth_schema, NULL, NULL, &err) != SQLITE_OK) {
		log_err("auth: cannot create tables: %s", err ? err : "?");
		sqlite3_free(err);
		return -1;
	}
	if (auth_migrate() < 0)
		return -1;
	auth_tokens_load();
	auth_throttle_log(auth_log_path);
	if (!auth_has_password(AUTH_ADMIN))
		log_info("auth: no admin password yet; the first visit sets it "
			 "(difosctl setup-link prints the link)");
	return 0;
}

static char *auth_user_hash(const char *user)
{
	sqlite3_stmt *s = NULL;
	char *hash = NULL;

	if (!db || sqlite3_prepare_v2(db, "SELECT hash FROM users WHERE name = ?", -1, &s,
				      NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		hash = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return hash;
}

bool auth_has_password(const char *user)
{
	char *h = auth_user_hash(user);
	bool has = h != NULL;

	free(h);
	return has;
}

static void (*auth_root_sync)(const char *hash, void *arg);
static void *auth_root_sync_arg;

void auth_set_root_sync(void (*sync)(const char *hash, void *arg), void *arg)
{
	auth_root_sync = sync;
	auth_root_sync_arg = arg;
}

static void auth_sync_root(const char *hash)
{
	if (auth_root_sync)
		auth_root_sync(hash, auth_root_sync_arg);
}

int auth_set_password(const char *user, const char *password, const char **err)
{
	static struct auth_strength st;   /* *err points into it */
	sqlite3_stmt *s = NULL;
	char *hash;
	int rc = -1;

	auth_password_strength(password, NULL, &st);
	if (!st.ok) {
		*err = st.why;
		return -1;
	}
	if (!(hash = auth_hash_password(password))) {
		*err = "could not be hashed";
		return -1;
	}
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO users(name, hash, changed)"
				   " VALUES (?, ?, ?)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (long long)time(NULL));
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(s);
	if (rc < 0)
		*err = "could not be stored";
	else if (!strcmp(user, AUTH_ADMIN))
		auth_sync_root(hash);
	free(hash);
	return rc;
}

bool auth_check_password(const char *user, const char *password)
{
	char *hash = auth_user_hash(user);
	bool ok;

	/* hash something even for an unknown user, so the answer takes as long:
	 * a real yescrypt hash of the cost auth_hash_password makes ("j9T", the
	 * default), since crypt refuses a malformed one at once */
	ok = auth_verify_hash(password ? password : "",
			      hash ? hash : "$y$j9T$z8cO9gISWAVxFoLt.cqai0$"
					    "oRluf.fqyL5o2Sgl/pNOjfZXXfAi1/wApoZk7Si5ny8") &&
	     hash != NULL;
	free(hash);
	return ok;
}

static json_t *auth_column_or_null(sqlite3_stmt *s, int col, bool text)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	return text ? json_string((const char *)sqlite3_column_text(s, col)) :
		      json_integer(sqlite3_column_int64(s, col));
}

json_t *auth_tokens_list(void)
{
	sqlite3_stmt *s = NULL;
	json_t *a = json_array();

	if (sqlite3_prepare_v2(db, "SELECT id, name, created, last_used, scope, creator"
				   " FROM api_tokens ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return a;
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *t = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)sqlite3_column_int64(s, 0),
				      "name", (const char *)sqlite3_column_text(s, 1), "created",
				      (json_int_t)sqlite3_column_int64(s, 2));
		json_object_set_new(t, "last_used", auth_column_or_null(s, 3, false));
		json_object_set_new(t, "scope", auth_column_or_null(s, 4, true));
		/* null: made before the maker was recorded */
		json_object_set_new(t, "creator", auth_column_or_null(s, 5, true));
		json_array_append_new(a, t);
	}
	sqlite3_finalize(s);
	return a;
}

/*
 * The tokens are kept in memory as well (their hashes, names, scopes): a
 * script's every request checks its token, and that must cost no SQL
 * statement. The table is read again after each change.
 */
struct auth_token_row {
	long long id, last_used;
	char hash[65];
	char *name;
	enum auth_scope scope;
};

static struct auth_token_row *token_rows;
static size_t ntoken_rows;

static void auth_tokens_forget(void)
{
	for (size_t i = 0; i < ntoken_rows; i++)
		free(token_rows[i].name);
	free(token_rows);
	token_rows = NULL;
	ntoken_rows = 0;
}

static void auth_tokens_load(void)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;

	auth_tokens_forget();
	if (sqlite3_prepare_v2(db, "SELECT id, name, hash, scope, last_used FROM api_tokens",
			       -1, &s, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct auth_token_row *r;
		const char *hash = (const char *)sqlite3_column_text(s, 2);
		/* a scope this build does not know reaches only reads */
		int sc = auth_scope_from_name((const char *)sqlite3_column_text(s, 3));

		if (!hash || strlen(hash) != 64)
			continue;
		if (ntoken_rows == cap) {
			cap = cap ? cap * 2 : 8;
			token_rows = xrealloc(token_rows, cap * sizeof(*token_rows));
		}
		r = &token_rows[ntoken_rows++];
		r->id = sqlite3_column_int64(s, 0);
		r->name = xstrdup((const char *)sqlite3_column_text(s, 1) ?: "");
		memcpy(r->hash, hash, 65);
		r->scope = sc < 0 ? AUTH_SCOPE_READ : (enum auth_scope)sc;
		r->last_used = sqlite3_column_type(s, 4) == SQLITE_NULL ? 0 :
			       sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
}

static void auth_token_key(const char *token, char hex[65])
{
	unsigned char key[32];

	auth_hash_token(token, key);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
}

long long auth_token_create(const char *name, enum auth_scope scope, const char *creator,
			    char **token)
{
	char rnd[AUTH_TOKEN_HEX + 1], key[65];
	sqlite3_stmt *s = NULL;
	long long id = -1;

	auth_random_hex(rnd, 32);
	*token = xasprintf(AUTH_TOKEN_PREFIX "%s", rnd);
	auth_token_key(*token, key);
	if (sqlite3_prepare_v2(db, "INSERT INTO api_tokens(name, hash, created, scope, creator)"
				   " VALUES (?, ?, ?, ?, ?)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (long long)time(NULL));
		sqlite3_bind_text(s, 4, auth_scope_name(scope), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, creator, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(db);
	}
	sqlite3_finalize(s);
	if (id < 0) {
		free(*token);
		*token = NULL;
	}
	auth_tokens_load();
	return id;
}

int auth_token_revoke(long long id)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "DELETE FROM api_tokens WHERE id = ?", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(db) == 1)
			rc = 0;
	}
	sqlite3_finalize(s);
	auth_tokens_load();
	return rc;
}

/* "last used" is kept to the minute: a token used for every request must
 * not cost a durable write for each (the store syncs every commit) */
#define AUTH_TOKEN_USE_GRAIN 60

char *auth_token_check(const char *bearer, enum auth_scope *scope)
{
	char key[65];
	long long now = (long long)time(NULL);
	struct auth_token_row *r = NULL;
	sqlite3_stmt *s = NULL;

	if (!bearer || strncmp(bearer, AUTH_TOKEN_PREFIX, strlen(AUTH_TOKEN_PREFIX)) ||
	    strlen(bearer) != strlen(AUTH_TOKEN_PREFIX) + AUTH_TOKEN_HEX)
		return NULL;
	auth_token_key(bearer, key);
	for (size_t i = 0; i < ntoken_rows && !r; i++)
		if (!sodium_memcmp(token_rows[i].hash, key, 64))
			r = &token_rows[i];
	if (!r)
		return NULL;
	*scope = r->scope;
	if ((now - r->last_used >= AUTH_TOKEN_USE_GRAIN || now < r->last_used) &&
	    sqlite3_prepare_v2(db, "UPDATE api_tokens SET last_used = ? WHERE id = ?", -1,
			       &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, now);
		sqlite3_bind_int64(s, 2, r->id);
		if (sqlite3_step(s) == SQLITE_DONE)
			r->last_used = now;
		sqlite3_finalize(s);
	}
	return xstrdup(r->name);
}
