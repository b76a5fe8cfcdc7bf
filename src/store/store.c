#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "store/store.h"

struct store {
	sqlite3 *db;
	/* The staged document as last written (or read), and its text: the
	 * apply path reads it without parsing and records the revision
	 * without serialising it again. Never modified once here. */
	json_t *staged;
	char *staged_text;
	bool staged_known; /* the cache reflects the table */
};

static void store_forget_staged(struct store *st)
{
	json_decref(st->staged);
	free(st->staged_text);
	st->staged = NULL;
	st->staged_text = NULL;
	st->staged_known = false;
}

static const char store_schema[] =
	"CREATE TABLE IF NOT EXISTS revisions ("
	" id INTEGER PRIMARY KEY, doc TEXT NOT NULL, created INTEGER NOT NULL,"
	" author TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '', state TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS staged ("
	" id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL, updated INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

struct sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

static int store_exec(struct store *st, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_err("store: %s: %s", sql, err ? err : "?");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int store_open(const char *path, struct store **out)
{
	struct store *st = xcalloc(1, sizeof(*st));

	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		log_err("store: cannot open %s: %s", path, sqlite3_errmsg(st->db));
		sqlite3_close(st->db);
		free(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") < 0 ||
	    store_exec(st, store_schema) < 0) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_forget_staged(st);
	sqlite3_close(st->db);
	free(st);
}

static sqlite3_stmt *store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("store: prepare %s: %s", sql, sqlite3_errmsg(st->db));
		return NULL;
	}
	return s;
}

static long long store_int_query(struct store *st, const char *sql, long long def)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	long long v = def;

	if (s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

char *store_meta_get(struct store *st, const char *key)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT value FROM meta WHERE key = ?");
	char *v = NULL;

	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s;
	int rc;

	if (!value) {
		s = store_prepare(st, "DELETE FROM meta WHERE key = ?");
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	} else {
		s = store_prepare(st, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

static int store_insert_revision(struct store *st, long long id, const json_t *doc,
				 const char *author, const char *comment, const char *state)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO revisions(id, doc, created, author,"
					" comment, state) VALUES (?, ?, ?, ?, ?, ?)");
	int rc;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	/* the staged document itself: its text is already at hand */
	if (doc == st->staged && st->staged_text)
		sqlite3_bind_text(s, 2, st->staged_text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_text(s, 2, json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS), -1, free);
	sqlite3_bind_int64(s, 3, (long long)time(NULL));
	sqlite3_bind_text(s, 4, author ? author : "system", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, comment ? comment : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, state, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		log_err("store: insert revision %lld: %s", id, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return rc;
}

int store_init(struct store *st, const json_t *defaults)
{
	if (store_int_query(st, "SELECT count(*) FROM revisions", 0) > 0)
		return 0;
	if (store_exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (store_insert_revision(st, 0, defaults, "system", "factory defaults", REV_APPLIED) < 0 ||
	    store_meta_set(st, "running", "0") < 0) {
		store_exec(st, "ROLLBACK");
		return -1;
	}
	return store_exec(st, "COMMIT");
}

long long store_running(struct store *st)
{
	char *v = store_meta_get(st, "running");
	long long r = v ? atoll(v) : -1;

	free(v);
	return r;
}

long long store_latest(struct store *st)
{
	return store_int_query(st, "SELECT max(id) FROM revisions", -1);
}

json_t *store_revision_doc(struct store *st, long long rev)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT doc FROM revisions WHERE id = ?");
	json_t *doc = NULL;

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, rev);
	if (sqlite3_step(s) == SQLITE_ROW)
		doc = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
	sqlite3_finalize(s);
	return doc;
}

static json_t *store_row_info(sqlite3_stmt *s)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s}",
			 "id", (json_int_t)sqlite3_column_int64(s, 0),
			 "time", (json_int_t)sqlite3_column_int64(s, 1),
			 "author", (const char *)sqlite3_column_text(s, 2),
			 "comment", (const char *)sqlite3_column_text(s, 3),
			 "state", (const char *)sqlite3_column_text(s, 4));
}

json_t *store_revision_info(struct store *st, long long rev)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, created, author, comment, state"
					" FROM revisions WHERE id = ?");
	json_t *info = NULL;

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, rev);
	if (sqlite3_step(s) == SQLITE_ROW)
		info = store_row_info(s);
	sqlite3_finalize(s);
	return info;
}

json_t *store_history(struct store *st, int limit)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, created, author, comment, state"
					" FROM revisions ORDER BY id DESC LIMIT ?");
	json_t *arr = json_array();

	if (!s)
		return arr;
	sqlite3_bind_int(s, 1, limit > 0 ? limit : 100);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(arr, store_row_info(s));
	sqlite3_finalize(s);
	return arr;
}

long long store_commit(struct store *st, const json_t *doc, const char *author,
		       const char *comment, const char *state)
{
	long long id;
	char num[32];

	if (store_exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	id = store_int_query(st, "SELECT coalesce(max(id), -1) + 1 FROM revisions", 0);
	snprintf(num, sizeof(num), "%lld", id);
	if (store_insert_revision(st, id, doc, author, comment, state) < 0 ||
	    store_meta_set(st, "running", num) < 0 ||
	    store_exec(st, "DELETE FROM staged") < 0) {
		store_exec(st, "ROLLBACK");
		return -1;
	}
	if (store_exec(st, "COMMIT") < 0) {
		store_forget_staged(st); /* read the table again */
		return -1;
	}
	store_forget_staged(st);
	st->staged_known = true;
	return id;
}

int store_set_state(struct store *st, long long rev, const char *state)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE revisions SET state = ? WHERE id = ?");
	int rc;

	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, rev);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

int store_set_running(struct store *st, long long rev)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", rev);
	return store_meta_set(st, "running", num);
}

const json_t *store_staged_peek(struct store *st)
{
	sqlite3_stmt *s;

	if (st->staged_known)
		return st->staged;
	s = store_prepare(st, "SELECT doc FROM staged WHERE id = 1");
	if (!s)
		return NULL;
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(s, 0);
		st->staged = json_loads(text, 0, NULL);
		st->staged_text = st->staged ? xstrdup(text) : NULL;
	}
	sqlite3_finalize(s);
	st->staged_known = true;
	return st->staged;
}

json_t *store_staged(struct store *st)
{
	const json_t *doc = store_staged_peek(st);

	return doc ? json_deep_copy(doc) : NULL;
}

int store_stage(struct store *st, json_t *doc)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT OR REPLACE INTO staged(id, doc, updated)"
					" VALUES (1, ?, ?)");
	char *text;
	int rc;

	if (!s)
		return -1;
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (long long)time(NULL));
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	if (rc < 0) {
		free(text);
		store_forget_staged(st);
		return -1;
	}
	json_incref(doc); /* before letting go of the old one: it may be doc */
	store_forget_staged(st);
	st->staged = doc;
	st->staged_text = text;
	st->staged_known = true;
	return 0;
}

int store_discard(struct store *st)
{
	int rc = store_exec(st, "DELETE FROM staged");

	store_forget_staged(st);
	if (rc == 0)
		st->staged_known = true;
	return rc;
}
