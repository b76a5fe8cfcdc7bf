#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "store/zdoc.h"

struct store {
	sqlite3 *db;
	/* The staged document as last written (or read), and its text: the
	 * apply path reads it without parsing and records the revision
	 * without serialising it again. Never modified once here. */
	json_t *staged;
	char *staged_text;
	bool staged_known; /* the cache reflects the table */
	int keep; /* revisions kept besides the protected and pinned ones */
};

static void store_forget_staged(struct store *st)
{
	json_decref(st->staged);
	free(st->staged_text);
	st->staged = NULL;
	st->staged_text = NULL;
	st->staged_known = false;
}

/*
 * Revisions and their documents live in two tables: listing the history
 * reads only the small rows of "revisions", never a page of a document.
 * Documents are packed by zdoc (compressed); rows of older databases may
 * still hold the plain text.
 */
static const char store_schema[] =
	"CREATE TABLE IF NOT EXISTS revisions ("
	" id INTEGER PRIMARY KEY, created INTEGER NOT NULL, author TEXT NOT NULL,"
	" comment TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,"
	" pinned INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS revision_docs (id INTEGER PRIMARY KEY, doc BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS staged ("
	" id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL, updated INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

/* The first format kept each document in a column of its revision's row. */
static const char store_migrate_v1[] =
	"CREATE TABLE revision_docs (id INTEGER PRIMARY KEY, doc BLOB NOT NULL);"
	"INSERT INTO revision_docs(id, doc) SELECT id, doc FROM revisions;"
	"CREATE TABLE revisions_v2 ("
	" id INTEGER PRIMARY KEY, created INTEGER NOT NULL, author TEXT NOT NULL,"
	" comment TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,"
	" pinned INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO revisions_v2(id, created, author, comment, state)"
	" SELECT id, created, author, comment, state FROM revisions;"
	"DROP TABLE revisions;"
	"ALTER TABLE revisions_v2 RENAME TO revisions;";

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

static int store_upgrade(struct store *st);

int store_open(const char *path, struct store **out)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->keep = STORE_KEEP_DEFAULT;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		log_err("store: cannot open %s: %s", path, sqlite3_errmsg(st->db));
		sqlite3_close(st->db);
		free(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* auto_vacuum first: a new file takes it only before its first table.
	 * The WAL is cut back after checkpoints, or it keeps its largest size. */
	if (store_exec(st, "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL;"
		       " PRAGMA synchronous=FULL; PRAGMA journal_size_limit=4194304;") < 0 ||
	    store_upgrade(st) < 0) {
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

/* Rows of the first format hold the text: pack them (the reader takes both). */
static int store_pack_text_docs(struct store *st)
{
	sqlite3_stmt *sel = store_prepare(st, "SELECT id, doc FROM revision_docs"
					  " WHERE typeof(doc) = 'text'");
	sqlite3_stmt *upd = store_prepare(st, "UPDATE revision_docs SET doc = ? WHERE id = ?");
	int rc = sel && upd ? 0 : -1;

	while (rc == 0 && sqlite3_step(sel) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(sel, 1);
		size_t n = 0;
		void *blob = zdoc_pack(text, (size_t)sqlite3_column_bytes(sel, 1), &n);

		if (!blob)
			break; /* stays as it is: readable */
		sqlite3_bind_blob(upd, 1, blob, (int)n, free);
		sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
		if (sqlite3_step(upd) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(upd);
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return rc;
}

/* Brings a file of any earlier format to this one; a new one gets the tables. */
static int store_upgrade(struct store *st)
{
	if (store_int_query(st, "SELECT count(*) FROM pragma_table_info('revisions')"
			    " WHERE name = 'doc'", 0) > 0) {
		if (store_exec(st, "BEGIN IMMEDIATE") < 0)
			return -1;
		if (store_exec(st, store_migrate_v1) < 0 || store_pack_text_docs(st) < 0) {
			store_exec(st, "ROLLBACK");
			return -1;
		}
		if (store_exec(st, "COMMIT") < 0)
			return -1;
		log_info("store: documents moved to their own table and compressed");
	}
	if (store_exec(st, store_schema) < 0)
		return -1;
	/* a file made before auto_vacuum takes it only by being rewritten, once */
	if (store_int_query(st, "PRAGMA auto_vacuum", 0) != 2 &&
	    store_exec(st, "PRAGMA auto_vacuum=INCREMENTAL; VACUUM") < 0)
		return -1;
	return 0;
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
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO revisions(id, created, author,"
					" comment, state) VALUES (?, ?, ?, ?, ?)");
	sqlite3_stmt *d = store_prepare(st, "INSERT INTO revision_docs(id, doc) VALUES (?, ?)");
	/* the staged document itself: its text is already at hand */
	char *dumped = doc == st->staged && st->staged_text ? NULL :
		       json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	const char *text = dumped ? dumped : st->staged_text;
	size_t n = 0;
	void *blob = text ? zdoc_pack(text, strlen(text), &n) : NULL;
	int rc = -1;

	free(dumped);
	if (!s || !d || !blob)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (long long)time(NULL));
	sqlite3_bind_text(s, 3, author ? author : "system", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, comment ? comment : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(d, 1, id);
	sqlite3_bind_blob(d, 2, blob, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE && sqlite3_step(d) == SQLITE_DONE ? 0 : -1;
out:
	if (rc < 0)
		log_err("store: insert revision %lld: %s", id, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	sqlite3_finalize(d);
	free(blob);
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

/* A document column: packed (BLOB) or, from the first format, plain text. */
static json_t *store_doc_column(sqlite3_stmt *s, int col)
{
	char *text;
	json_t *doc;

	if (sqlite3_column_type(s, col) != SQLITE_BLOB)
		return json_loads((const char *)sqlite3_column_text(s, col), 0, NULL);
	text = zdoc_unpack(sqlite3_column_blob(s, col), (size_t)sqlite3_column_bytes(s, col));
	doc = text ? json_loads(text, 0, NULL) : NULL;
	if (!text)
		log_err("store: a stored document is damaged");
	free(text);
	return doc;
}

json_t *store_revision_doc(struct store *st, long long rev)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT doc FROM revision_docs WHERE id = ?");
	json_t *doc = NULL;

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, rev);
	if (sqlite3_step(s) == SQLITE_ROW)
		doc = store_doc_column(s, 0);
	sqlite3_finalize(s);
	return doc;
}

#define STORE_INFO_COLUMNS "id, created, author, comment, state, pinned"

static json_t *store_row_info(sqlite3_stmt *s)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:b}",
			 "id", (json_int_t)sqlite3_column_int64(s, 0),
			 "time", (json_int_t)sqlite3_column_int64(s, 1),
			 "author", (const char *)sqlite3_column_text(s, 2),
			 "comment", (const char *)sqlite3_column_text(s, 3),
			 "state", (const char *)sqlite3_column_text(s, 4),
			 "pinned", sqlite3_column_int(s, 5) != 0);
}

json_t *store_revision_info(struct store *st, long long rev)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " STORE_INFO_COLUMNS
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
	sqlite3_stmt *s = store_prepare(st, "SELECT " STORE_INFO_COLUMNS
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

int store_pin(struct store *st, long long rev, bool pinned)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE revisions SET pinned = ? WHERE id = ?");
	int rc;

	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, pinned);
	sqlite3_bind_int64(s, 2, rev);
	rc = sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(st->db) == 1 ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

void store_set_keep(struct store *st, int keep)
{
	st->keep = keep > 0 ? keep : STORE_KEEP_DEFAULT;
}

/*
 * Drops the revisions beyond the newest st->keep, but never a pinned one,
 * the running one, one waiting for confirmation, nor the applied one a
 * rollback of those would return to (the newest applied below each).
 * Returns how many went, or -1.
 */
static int store_prune(struct store *st, long long running)
{
	sqlite3_stmt *s = store_prepare(st,
		"DELETE FROM revisions WHERE pinned = 0 AND state != '" REV_PENDING "' AND id != ?1"
		" AND id NOT IN (SELECT id FROM revisions ORDER BY id DESC LIMIT ?2)"
		" AND id NOT IN (SELECT back FROM (SELECT (SELECT max(a.id) FROM revisions a"
		"  WHERE a.state = '" REV_APPLIED "' AND a.id < p.id) AS back"
		"  FROM revisions p WHERE p.state = '" REV_PENDING "' OR p.id = ?1)"
		"  WHERE back IS NOT NULL)");
	int n = -1;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, running);
	sqlite3_bind_int(s, 2, st->keep);
	if (sqlite3_step(s) == SQLITE_DONE)
		n = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	if (n > 0 && store_exec(st, "DELETE FROM revision_docs"
				" WHERE id NOT IN (SELECT id FROM revisions)") < 0)
		return -1;
	return n;
}

long long store_commit(struct store *st, const json_t *doc, const char *author,
		       const char *comment, const char *state)
{
	long long id;
	char num[32];
	int pruned = 0;

	if (store_exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	id = store_int_query(st, "SELECT coalesce(max(id), -1) + 1 FROM revisions", 0);
	snprintf(num, sizeof(num), "%lld", id);
	if (store_insert_revision(st, id, doc, author, comment, state) < 0 ||
	    store_meta_set(st, "running", num) < 0 ||
	    store_exec(st, "DELETE FROM staged") < 0 ||
	    (pruned = store_prune(st, id)) < 0) {
		store_exec(st, "ROLLBACK");
		return -1;
	}
	if (store_exec(st, "COMMIT") < 0) {
		store_forget_staged(st); /* read the table again */
		return -1;
	}
	store_forget_staged(st);
	st->staged_known = true;
	/* the freed pages go back to the file system (at the next checkpoint) */
	if (pruned > 0)
		store_exec(st, "PRAGMA incremental_vacuum");
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
