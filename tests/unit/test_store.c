/*
 * Unit tests of the configuration store (store.c, SQLite in a temporary
 * directory), of document paths (jpath.c) and of document diffs (diff.c).
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/files.h"
#include "core/util.h"
#include "store/diff.h"
#include "store/jpath.h"
#include "store/store.h"
#include "t.h"
#include "t_json.h"

static char tmpdir[] = "/tmp/difos-test-store-XXXXXX";
static int db_counter;

/* A fresh database path in the temporary directory. */
static char *new_db_path(void)
{
	return xasprintf("%s/config-%d.db", tmpdir, ++db_counter);
}

/* json_equal with the text shown on mismatch */
static bool json_is(const json_t *got, const char *want_text)
{
	json_t *want = J(want_text);
	bool eq = got && json_equal((json_t *)got, want);

	if (!eq) {
		char *g = got ? json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
		fprintf(stderr, "    got  %s\n    want %s\n", g ? g : "(null)", want_text);
		free(g);
	}
	json_decref(want);
	return eq;
}

static const char *info_str(const json_t *info, const char *key)
{
	return json_string_value(json_object_get(info, key));
}

/* Opens a fresh store holding revision 0 with doc {"a":1}. */
static struct store *open_fresh(char **path_out)
{
	char *path = new_db_path();
	struct store *st = NULL;
	json_t *defaults = J("{\"a\": 1}");

	if (store_open(path, &st) < 0 || store_init(st, defaults) < 0) {
		fprintf(stderr, "    cannot create the store %s\n", path);
		abort();
	}
	json_decref(defaults);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return st;
}

/* ---- store ---- */

static void test_store_empty(void)
{
	char *path = new_db_path();
	struct store *st = NULL;

	T_CHECK(store_open(path, &st) == 0 && st);
	if (!st)
		goto out;
	T_CHECK(store_running(st) == -1);
	T_CHECK(store_latest(st) == -1);
	T_CHECK(store_revision_doc(st, 0) == NULL);
	T_CHECK(store_revision_info(st, 0) == NULL);
	T_CHECK(store_staged(st) == NULL);
	{
		json_t *h = store_history(st, 10);
		T_CHECK(json_is_array(h) && json_array_size(h) == 0);
		json_decref(h);
	}
	store_close(st);
out:
	free(path);
}

static void test_store_open_fails(void)
{
	struct store *st = NULL;
	char *path = xasprintf("%s/no/such/dir/config.db", tmpdir);

	T_CHECK(store_open(path, &st) == -1);
	T_CHECK(st == NULL);
	free(path);
	store_close(NULL); /* harmless */
}

static void test_store_init(void)
{
	struct store *st = open_fresh(NULL);
	json_t *doc, *info, *other;
	long long before;

	T_CHECK(store_running(st) == 0);
	T_CHECK(store_latest(st) == 0);
	doc = store_revision_doc(st, 0);
	T_CHECK(json_is(doc, "{\"a\": 1}"));
	json_decref(doc);
	info = store_revision_info(st, 0);
	T_CHECK(json_is_object(info));
	T_CHECK(json_integer_value(json_object_get(info, "id")) == 0);
	T_CHECK_STR(info_str(info, "comment"), "factory defaults");
	T_CHECK_STR(info_str(info, "author"), "system");
	T_CHECK_STR(info_str(info, "state"), REV_APPLIED);
	before = (long long)time(NULL);
	T_CHECK(json_is_integer(json_object_get(info, "time")));
	T_CHECK(llabs(json_integer_value(json_object_get(info, "time")) - before) < 60);
	json_decref(info);

	/* a second init on a store that has revisions changes nothing */
	other = J("{\"a\": 2}");
	T_CHECK(store_init(st, other) == 0);
	json_decref(other);
	T_CHECK(store_latest(st) == 0);
	doc = store_revision_doc(st, 0);
	T_CHECK(json_is(doc, "{\"a\": 1}"));
	json_decref(doc);
	store_close(st);
}

static void test_store_commit(void)
{
	struct store *st = open_fresh(NULL);
	json_t *d1 = J("{\"a\": 2}"), *d2 = J("{\"a\": 3, \"b\": [1, 2]}"), *doc, *info;

	T_CHECK(store_stage(st, d1) == 0);
	T_CHECK(store_commit(st, d1, "alice", "first change", REV_APPLIED) == 1);
	T_CHECK(store_running(st) == 1);
	T_CHECK(store_latest(st) == 1);
	/* the commit drops the staged document */
	T_CHECK(store_staged(st) == NULL);

	T_CHECK(store_stage(st, d2) == 0);
	T_CHECK(store_commit(st, d2, NULL, NULL, REV_PENDING) == 2);
	T_CHECK(store_running(st) == 2);
	T_CHECK(store_latest(st) == 2);
	T_CHECK(store_staged(st) == NULL);

	doc = store_revision_doc(st, 1);
	T_CHECK(json_is(doc, "{\"a\": 2}"));
	json_decref(doc);
	doc = store_revision_doc(st, 2);
	T_CHECK(json_is(doc, "{\"a\": 3, \"b\": [1, 2]}"));
	json_decref(doc);
	T_CHECK(store_revision_doc(st, 3) == NULL);

	info = store_revision_info(st, 1);
	T_CHECK_STR(info_str(info, "author"), "alice");
	T_CHECK_STR(info_str(info, "comment"), "first change");
	T_CHECK_STR(info_str(info, "state"), REV_APPLIED);
	json_decref(info);
	/* defaults for a missing author and comment */
	info = store_revision_info(st, 2);
	T_CHECK_STR(info_str(info, "author"), "system");
	T_CHECK_STR(info_str(info, "comment"), "");
	T_CHECK_STR(info_str(info, "state"), REV_PENDING);
	json_decref(info);

	json_decref(d1);
	json_decref(d2);
	store_close(st);
}

/* The staged document is kept in memory: read without parsing, recorded
 * by a commit without serialising it again, and copies stay apart. */
static void test_store_staged_in_memory(void)
{
	struct store *st = open_fresh(NULL);
	json_t *d = J("{\"a\": 7, \"list\": [{\"id\": 1}]}"), *copy, *other, *doc;

	T_CHECK(store_stage(st, d) == 0);
	T_CHECK(store_staged_peek(st) == d);
	copy = store_staged(st);
	T_CHECK(copy && copy != d && json_equal(copy, d));
	json_object_set_new(copy, "a", json_integer(8));
	T_CHECK(json_is((json_t *)store_staged_peek(st), "{\"a\": 7, \"list\": [{\"id\": 1}]}"));
	/* the staged document itself: its stored text */
	T_CHECK(store_commit(st, store_staged_peek(st), "bob", "", REV_APPLIED) == 1);
	T_CHECK(store_staged_peek(st) == NULL);
	doc = store_revision_doc(st, 1);
	T_CHECK(json_equal(doc, d));
	json_decref(doc);
	/* a document that is not the staged one is serialised */
	T_CHECK(store_stage(st, d) == 0);
	other = J("{\"a\": 9}");
	T_CHECK(store_commit(st, other, "bob", "", REV_APPLIED) == 2);
	doc = store_revision_doc(st, 2);
	T_CHECK(json_is(doc, "{\"a\": 9}"));
	json_decref(doc);
	/* staging the document already staged keeps it alive */
	T_CHECK(store_stage(st, copy) == 0);
	json_decref(copy);
	T_CHECK(store_stage(st, (json_t *)store_staged_peek(st)) == 0);
	T_CHECK(json_is((json_t *)store_staged_peek(st), "{\"a\": 8, \"list\": [{\"id\": 1}]}"));
	json_decref(other);
	json_decref(d);
	store_close(st);
}

static void test_store_staged_survives_restart(void)
{
	char *path;
	struct store *st = open_fresh(&path);
	json_t *staged = J("{\"a\": 5, \"nested\": {\"x\": \"y\"}}"), *got;

	T_CHECK(store_staged(st) == NULL);
	T_CHECK(store_stage(st, staged) == 0);
	got = store_staged(st);
	T_CHECK(got && json_equal(got, staged));
	json_decref(got);
	store_close(st);

	st = NULL;
	T_CHECK(store_open(path, &st) == 0);
	if (st) {
		got = store_staged(st);
		T_CHECK(got && json_equal(got, staged));
		json_decref(got);
		/* restarting does not re-initialise or move the running revision */
		T_CHECK(store_running(st) == 0);
		T_CHECK(store_latest(st) == 0);

		/* staging again replaces the document */
		json_object_set_new(staged, "a", json_integer(6));
		T_CHECK(store_stage(st, staged) == 0);
		got = store_staged(st);
		T_CHECK(json_is(got, "{\"a\": 6, \"nested\": {\"x\": \"y\"}}"));
		json_decref(got);

		T_CHECK(store_discard(st) == 0);
		T_CHECK(store_staged(st) == NULL);
		/* discarding with nothing staged is fine */
		T_CHECK(store_discard(st) == 0);
		store_close(st);
	}
	st = NULL;
	T_CHECK(store_open(path, &st) == 0);
	if (st) {
		T_CHECK(store_staged(st) == NULL);
		store_close(st);
	}
	json_decref(staged);
	free(path);
}

static void test_store_history(void)
{
	struct store *st = open_fresh(NULL);
	json_t *h, *d = J("{}");
	static const char *const comments[] = { "factory defaults", "one", "two", "three" };

	T_CHECK(store_commit(st, d, "u1", "one", REV_APPLIED) == 1);
	T_CHECK(store_commit(st, d, "u2", "two", REV_PENDING) == 2);
	T_CHECK(store_commit(st, d, "u3", "three", REV_REVERTED) == 3);

	h = store_history(st, 10);
	T_CHECK(json_array_size(h) == 4);
	for (size_t i = 0; i < json_array_size(h); i++) {
		json_t *e = json_array_get(h, i);
		long long id = 3 - (long long)i;
		T_CHECK(json_integer_value(json_object_get(e, "id")) == id);
		T_CHECK_STR(info_str(e, "comment"), comments[id]);
		T_CHECK(json_is_integer(json_object_get(e, "time")));
		T_CHECK(json_is_string(json_object_get(e, "author")));
		T_CHECK(json_is_string(json_object_get(e, "state")));
		T_CHECK(json_is_false(json_object_get(e, "pinned")));
		/* history lists metadata only, never the document */
		T_CHECK(json_object_size(e) == 6);
		T_CHECK(json_object_get(e, "doc") == NULL);
	}
	T_CHECK_STR(info_str(json_array_get(h, 0), "author"), "u3");
	T_CHECK_STR(info_str(json_array_get(h, 0), "state"), REV_REVERTED);
	T_CHECK_STR(info_str(json_array_get(h, 1), "state"), REV_PENDING);
	T_CHECK_STR(info_str(json_array_get(h, 3), "author"), "system");
	json_decref(h);

	/* the limit keeps the newest */
	h = store_history(st, 2);
	T_CHECK(json_array_size(h) == 2);
	T_CHECK(json_integer_value(json_object_get(json_array_get(h, 0), "id")) == 3);
	T_CHECK(json_integer_value(json_object_get(json_array_get(h, 1), "id")) == 2);
	json_decref(h);

	/* no limit (0) means the default limit, not nothing */
	h = store_history(st, 0);
	T_CHECK(json_array_size(h) == 4);
	json_decref(h);

	json_decref(d);
	store_close(st);
}

/* One integer from a query on the store's own connection. */
static long long db_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		fprintf(stderr, "    %s: %s\n", sql, sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return v;
}

/* The revision ids in the store, oldest first, as "0,3,4". */
static char *rev_ids(struct store *st)
{
	json_t *h = store_history(st, 100000);
	struct sbuf b;

	sbuf_init(&b);
	for (size_t i = json_array_size(h); i-- > 0;)
		sbuf_printf(&b, "%s%lld", b.len ? "," : "",
			    (long long)json_integer_value(json_object_get(json_array_get(h, i), "id")));
	json_decref(h);
	return sbuf_steal(&b);
}

static void test_store_retention(void)
{
	struct store *st = open_fresh(NULL);
	json_t *d = J("{\"a\": 5}"), *doc;
	char *ids;

	store_set_keep(st, 5);
	for (int i = 1; i <= 30; i++)
		T_CHECK(store_commit(st, d, "u", "c", REV_APPLIED) == i);
	/* the newest five, documents and all: nothing else is left */
	ids = rev_ids(st);
	T_CHECK_STR(ids, "26,27,28,29,30");
	free(ids);
	T_CHECK(db_int(st, "SELECT count(*) FROM revision_docs") == 5);
	T_CHECK(store_revision_doc(st, 0) == NULL);
	doc = store_revision_doc(st, 26);
	T_CHECK(json_is(doc, "{\"a\": 5}"));
	json_decref(doc);
	T_CHECK(store_running(st) == 30);
	/* numbering goes on after the dropped ones */
	T_CHECK(store_latest(st) == 30);
	/* the default is back with 0 */
	store_set_keep(st, 0);
	for (int i = 31; i <= 40; i++)
		T_CHECK(store_commit(st, d, "u", "c", REV_APPLIED) == i);
	T_CHECK(db_int(st, "SELECT count(*) FROM revisions") == 15);
	json_decref(d);
	store_close(st);
}

static void test_store_pinned_kept(void)
{
	struct store *st = open_fresh(NULL);
	json_t *d1 = J("{\"a\": 2}"), *d = J("{\"a\": 3}"), *doc, *info, *h;
	char *ids;

	T_CHECK(store_commit(st, d1, "u", "the one to keep", REV_APPLIED) == 1);
	T_CHECK(store_pin(st, 1, true) == 0);
	T_CHECK(store_pin(st, 99, true) == -1); /* no such revision */
	store_set_keep(st, 3);
	for (int i = 2; i <= 12; i++)
		T_CHECK(store_commit(st, d, "u", "c", REV_APPLIED) == i);
	ids = rev_ids(st);
	T_CHECK_STR(ids, "1,10,11,12");
	free(ids);
	doc = store_revision_doc(st, 1);
	T_CHECK(json_is(doc, "{\"a\": 2}"));
	json_decref(doc);
	info = store_revision_info(st, 1);
	T_CHECK(json_is_true(json_object_get(info, "pinned")));
	json_decref(info);
	h = store_history(st, 10);
	T_CHECK(json_is_true(json_object_get(json_array_get(h, 3), "pinned")));
	T_CHECK(json_is_false(json_object_get(json_array_get(h, 0), "pinned")));
	json_decref(h);
	/* unpinned, it goes with the next commit */
	T_CHECK(store_pin(st, 1, false) == 0);
	T_CHECK(store_commit(st, d, "u", "c", REV_APPLIED) == 13);
	ids = rev_ids(st);
	T_CHECK_STR(ids, "11,12,13");
	free(ids);
	json_decref(d1);
	json_decref(d);
	store_close(st);
}

/* A revision waiting for confirmation, and the one a rollback returns to,
 * stay whatever the limit. */
static void test_store_protected_kept(void)
{
	struct store *st = open_fresh(NULL);
	json_t *d = J("{}");
	char *ids;

	store_set_keep(st, 1);
	T_CHECK(store_commit(st, d, "u", "c", REV_APPLIED) == 1);
	T_CHECK(store_commit(st, d, "u", "c", REV_REVERTED) == 2);
	T_CHECK(store_commit(st, d, "u", "confirm me", REV_PENDING) == 3);
	/* 3 runs and waits; 1 is what a rollback of it applies (2 never held) */
	ids = rev_ids(st);
	T_CHECK_STR(ids, "1,3");
	free(ids);
	/* the rollback commits 1's document as 4 while 3 is still pending */
	T_CHECK(store_commit(st, d, "system", "rollback", REV_APPLIED) == 4);
	ids = rev_ids(st);
	T_CHECK_STR(ids, "1,3,4");
	free(ids);
	T_CHECK(store_set_state(st, 3, REV_REVERTED) == 0);
	/* nothing pending: the running one and the applied one before it */
	T_CHECK(store_commit(st, d, "u", "c", REV_APPLIED) == 5);
	ids = rev_ids(st);
	T_CHECK_STR(ids, "4,5");
	free(ids);
	json_decref(d);
	store_close(st);
}

/* A file of the first format: documents as text in the revisions' rows. */
static void test_store_old_format(void)
{
	char *path = new_db_path();
	sqlite3 *db = NULL;
	struct store *st = NULL;
	json_t *doc, *info;

	T_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	T_CHECK(sqlite3_exec(db,
		"PRAGMA journal_mode=WAL;"
		"CREATE TABLE revisions (id INTEGER PRIMARY KEY, doc TEXT NOT NULL,"
		" created INTEGER NOT NULL, author TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '',"
		" state TEXT NOT NULL);"
		"CREATE TABLE staged (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL,"
		" updated INTEGER NOT NULL);"
		"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		"INSERT INTO revisions VALUES (0, '{\"a\":1}', 100, 'system', 'factory defaults',"
		" 'applied');"
		"INSERT INTO revisions VALUES (1, '{\"a\":[1,2]}', 200, 'alice', 'one', 'applied');"
		"INSERT INTO meta VALUES ('running', '1');", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);

	T_CHECK(store_open(path, &st) == 0 && st);
	if (!st)
		goto out;
	T_CHECK(store_running(st) == 1);
	doc = store_revision_doc(st, 1);
	T_CHECK(json_is(doc, "{\"a\": [1, 2]}"));
	json_decref(doc);
	info = store_revision_info(st, 0);
	T_CHECK_STR(info_str(info, "comment"), "factory defaults");
	T_CHECK(json_integer_value(json_object_get(info, "time")) == 100);
	T_CHECK(json_is_false(json_object_get(info, "pinned")));
	json_decref(info);
	/* moved and compressed; the file can now give pages back */
	T_CHECK(db_int(st, "SELECT count(*) FROM revision_docs WHERE typeof(doc) = 'blob'") == 2);
	T_CHECK(db_int(st, "SELECT count(*) FROM pragma_table_info('revisions')"
		       " WHERE name = 'doc'") == 0);
	T_CHECK(db_int(st, "PRAGMA auto_vacuum") == 2);
	/* a row left as text still reads */
	T_CHECK(sqlite3_exec(store_db(st),
		"INSERT INTO revisions(id, created, author, state) VALUES (2, 300, 'bob', 'applied');"
		"INSERT INTO revision_docs VALUES (2, '{\"b\":true}');", NULL, NULL, NULL) == SQLITE_OK);
	doc = store_revision_doc(st, 2);
	T_CHECK(json_is(doc, "{\"b\": true}"));
	json_decref(doc);
	doc = J("{\"c\": 1}");
	T_CHECK(store_commit(st, doc, "u", "after", REV_APPLIED) == 3);
	json_decref(doc);
	store_close(st);
	/* opening again changes nothing */
	st = NULL;
	T_CHECK(store_open(path, &st) == 0);
	doc = st ? store_revision_doc(st, 0) : NULL;
	T_CHECK(json_is(doc, "{\"a\": 1}"));
	json_decref(doc);
	store_close(st);
out:
	free(path);
}

static int seen_doc_reads;

static int count_doc_reads(void *arg, int action, const char *table, const char *column,
			   const char *db, const char *trigger)
{
	(void)arg, (void)db, (void)trigger;
	if (action == SQLITE_READ && ((table && !strcmp(table, "revision_docs")) ||
				      (column && !strcmp(column, "doc"))))
		seen_doc_reads++;
	return SQLITE_OK;
}

/* Listing the history costs the same few pages however large the
 * documents are: it reads none of their pages. */
static void test_store_history_reads_no_document(void)
{
	struct store *st = open_fresh(NULL);
	json_t *doc = json_object(), *h;
	char *big = xmalloc(200001);
	int hit = 0, miss = 0, hi = 0;
	unsigned seed = 7;

	/* 200 KB that do not compress much: a page count shows every read */
	for (size_t i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		big[i] = "0123456789abcdef"[(seed >> 16) & 15];
	}
	big[200000] = '\0';
	json_object_set_new(doc, "blob", json_string(big));
	for (int i = 1; i <= 30; i++)
		T_CHECK(store_commit(st, doc, "u", "c", REV_APPLIED) == i);

	sqlite3_db_status(store_db(st), SQLITE_DBSTATUS_CACHE_HIT, &hit, &hi, 1);
	sqlite3_db_status(store_db(st), SQLITE_DBSTATUS_CACHE_MISS, &miss, &hi, 1);
	sqlite3_set_authorizer(store_db(st), count_doc_reads, NULL);
	h = store_history(st, 100);
	sqlite3_set_authorizer(store_db(st), NULL, NULL);
	T_CHECK(json_array_size(h) == 31);
	json_decref(h);
	sqlite3_db_status(store_db(st), SQLITE_DBSTATUS_CACHE_HIT, &hit, &hi, 1);
	sqlite3_db_status(store_db(st), SQLITE_DBSTATUS_CACHE_MISS, &miss, &hi, 1);
	/* 30 documents of 100 KB packed are some 750 pages */
	if (hit + miss >= 16)
		fprintf(stderr, "    history read %d pages\n", hit + miss);
	T_CHECK(hit + miss < 16);
	T_CHECK(seen_doc_reads == 0);
	/* and the documents still read back */
	h = store_revision_doc(st, 17);
	T_CHECK(h && json_equal(h, doc));
	json_decref(h);
	free(big);
	json_decref(doc);
	store_close(st);
}

static void test_store_set_state(void)
{
	struct store *st = open_fresh(NULL);
	json_t *d = J("{}"), *info;

	T_CHECK(store_commit(st, d, "u", "c", REV_PENDING) == 1);
	T_CHECK(store_set_state(st, 1, REV_REVERTED) == 0);
	info = store_revision_info(st, 1);
	T_CHECK_STR(info_str(info, "state"), REV_REVERTED);
	json_decref(info);
	/* the state does not move the running revision */
	T_CHECK(store_running(st) == 1);
	T_CHECK(store_set_running(st, 0) == 0);
	T_CHECK(store_running(st) == 0);
	/* revision 0 untouched */
	info = store_revision_info(st, 0);
	T_CHECK_STR(info_str(info, "state"), REV_APPLIED);
	json_decref(info);
	/* the next commit still numbers after the newest, not after running */
	T_CHECK(store_commit(st, d, "u", "c", REV_APPLIED) == 2);
	T_CHECK(store_running(st) == 2);
	json_decref(d);
	store_close(st);
}

static void test_store_meta(void)
{
	char *path;
	struct store *st = open_fresh(&path);
	char *v;

	T_CHECK(store_meta_get(st, "nothing") == NULL);
	T_CHECK(store_meta_set(st, "deadline", "12345") == 0);
	v = store_meta_get(st, "deadline");
	T_CHECK_STR(v, "12345");
	free(v);
	T_CHECK(store_meta_set(st, "deadline", "678") == 0);
	v = store_meta_get(st, "deadline");
	T_CHECK_STR(v, "678");
	free(v);
	T_CHECK(store_meta_set(st, "empty", "") == 0);
	v = store_meta_get(st, "empty");
	T_CHECK_STR(v, "");
	free(v);
	store_close(st);

	st = NULL;
	T_CHECK(store_open(path, &st) == 0);
	if (st) {
		v = store_meta_get(st, "deadline");
		T_CHECK_STR(v, "678");
		free(v);
		/* NULL deletes */
		T_CHECK(store_meta_set(st, "deadline", NULL) == 0);
		T_CHECK(store_meta_get(st, "deadline") == NULL);
		T_CHECK(store_meta_set(st, "deadline", NULL) == 0);
		/* the running revision is a meta key too */
		v = store_meta_get(st, "running");
		T_CHECK_STR(v, "0");
		free(v);
		store_close(st);
	}
	free(path);
}

static void test_store_wal(void)
{
	char *path;
	struct store *st = open_fresh(&path);
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *wal = xasprintf("%s-wal", path);

	T_CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	T_CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK);
	T_CHECK(s && sqlite3_step(s) == SQLITE_ROW);
	if (s)
		T_CHECK_STR((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* the write-ahead log file exists next to the database while it is open */
	T_CHECK(access(wal, F_OK) == 0);
	free(wal);
	store_close(st);
	free(path);
}

static void test_store_two_handles(void)
{
	char *path;
	struct store *a = open_fresh(&path), *b = NULL;
	json_t *d = J("{\"x\": 1}"), *got;

	T_CHECK(store_open(path, &b) == 0);
	if (b) {
		T_CHECK(store_commit(a, d, "a", "", REV_APPLIED) == 1);
		/* a commit through one handle is seen through the other */
		T_CHECK(store_running(b) == 1);
		got = store_revision_doc(b, 1);
		T_CHECK(json_is(got, "{\"x\": 1}"));
		json_decref(got);
		T_CHECK(store_commit(b, d, "b", "", REV_APPLIED) == 2);
		store_close(b);
	}
	json_decref(d);
	store_close(a);
	free(path);
}

/* ---- jpath ---- */

static void test_jpath_parse(void)
{
	struct jpath p;
	char name63[80], name64[80], deep[200];

	T_CHECK(jpath_parse("", &p) && p.n == 0);
	T_CHECK(jpath_parse("a", &p) && p.n == 1 && p.step[0].id == -1);
	T_CHECK(jpath_parse("a.b", &p) && p.n == 2);
	T_CHECK_STR(p.step[0].name, "a");
	T_CHECK_STR(p.step[1].name, "b");
	T_CHECK(p.step[0].id == -1 && p.step[1].id == -1);
	T_CHECK(jpath_parse("a[3].b", &p) && p.n == 2);
	T_CHECK_STR(p.step[0].name, "a");
	T_CHECK(p.step[0].id == 3);
	T_CHECK_STR(p.step[1].name, "b");
	T_CHECK(p.step[1].id == -1);
	T_CHECK(jpath_parse("dhcp.static_leases[12]", &p) && p.n == 2 && p.step[1].id == 12);
	T_CHECK_STR(p.step[1].name, "static_leases");
	T_CHECK(jpath_parse("x-y_z9.A", &p) && p.n == 2);

	T_CHECK(!jpath_parse("a[0]", &p));
	T_CHECK(!jpath_parse("a..b", &p));
	T_CHECK(!jpath_parse("a[x]", &p));
	T_CHECK(!jpath_parse("a[-1]", &p));
	T_CHECK(!jpath_parse("a[]", &p));
	T_CHECK(!jpath_parse("a[3", &p));
	T_CHECK(!jpath_parse("a[3]b", &p));
	T_CHECK(!jpath_parse("a[ 3]", &p));
	T_CHECK(!jpath_parse("[3]", &p));
	T_CHECK(!jpath_parse(".a", &p));
	T_CHECK(!jpath_parse("a.", &p));
	T_CHECK(!jpath_parse("a b", &p));
	T_CHECK(!jpath_parse("a/b", &p));
	T_CHECK(!jpath_parse("a[1][2]", &p));

	/* step names up to 63 characters */
	memset(name63, 'n', 63);
	name63[63] = '\0';
	T_CHECK(jpath_parse(name63, &p) && p.n == 1);
	memset(name64, 'n', 64);
	name64[64] = '\0';
	T_CHECK(!jpath_parse(name64, &p));

	/* at most JPATH_MAX_STEPS steps */
	deep[0] = '\0';
	for (int i = 0; i < JPATH_MAX_STEPS; i++)
		strcat(deep, i ? ".s" : "s");
	T_CHECK(jpath_parse(deep, &p) && p.n == JPATH_MAX_STEPS);
	strcat(deep, ".s");
	T_CHECK(!jpath_parse(deep, &p));
}

static json_t *jget(json_t *doc, const char *path)
{
	struct jpath p;

	if (!jpath_parse(path, &p))
		return NULL;
	return jpath_get(doc, &p);
}

static int jset(json_t *doc, const char *path, json_t *v)
{
	struct jpath p;

	if (!jpath_parse(path, &p)) {
		json_decref(v);
		return -2;
	}
	return jpath_set(doc, &p, v);
}

static int jdel(json_t *doc, const char *path)
{
	struct jpath p;

	if (!jpath_parse(path, &p))
		return -2;
	return jpath_delete(doc, &p);
}

static void test_jpath_get(void)
{
	json_t *doc = J("{\"lan\": {\"ipv4\": {\"address\": \"192.168.1.1\"}},"
			" \"x\": [{\"id\": 7, \"f\": \"seven\"}, {\"id\": 2, \"f\": \"two\"}],"
			" \"list\": [1, 2]}");

	T_CHECK(jget(doc, "") == doc);
	T_CHECK_STR(json_string_value(jget(doc, "lan.ipv4.address")), "192.168.1.1");
	T_CHECK(json_is_object(jget(doc, "lan.ipv4")));
	/* [N] selects by id, not by position */
	T_CHECK_STR(json_string_value(jget(doc, "x[2].f")), "two");
	T_CHECK_STR(json_string_value(jget(doc, "x[7].f")), "seven");
	T_CHECK(json_integer_value(json_object_get(jget(doc, "x[7]"), "id")) == 7);
	T_CHECK(jget(doc, "x[1]") == NULL);
	T_CHECK(jget(doc, "x[1].f") == NULL);
	T_CHECK(jget(doc, "lan.nothing") == NULL);
	T_CHECK(jget(doc, "lan.ipv4.address.deeper") == NULL);
	T_CHECK(jget(doc, "list[1]") == NULL); /* items without ids */
	T_CHECK(jget(doc, "lan[1]") == NULL);  /* not an array */
	json_decref(doc);
}

static void test_jpath_set(void)
{
	json_t *doc = J("{\"x\": [{\"id\": 1, \"f\": \"a\"}, {\"id\": 4, \"f\": \"b\"}]}");

	/* creates missing objects on the way */
	T_CHECK(jset(doc, "lan.ipv4.prefix", json_integer(24)) == 0);
	T_CHECK(json_integer_value(jget(doc, "lan.ipv4.prefix")) == 24);
	T_CHECK(jset(doc, "lan.ipv4.prefix", json_integer(16)) == 0);
	T_CHECK(json_integer_value(jget(doc, "lan.ipv4.prefix")) == 16);
	/* a field of a collection element */
	T_CHECK(jset(doc, "x[4].f", json_string("B")) == 0);
	T_CHECK_STR(json_string_value(jget(doc, "x[4].f")), "B");
	T_CHECK(jset(doc, "x[4].g", json_true()) == 0);
	T_CHECK(json_is_true(jget(doc, "x[4].g")));
	/* the element must exist */
	T_CHECK(jset(doc, "x[9].f", json_string("z")) == -1);
	T_CHECK(jset(doc, "x[9]", json_pack("{s:s}", "f", "z")) == -1);
	/* replacing a whole element keeps its id, whatever the value says */
	T_CHECK(jset(doc, "x[1]", json_pack("{s:i, s:s}", "id", 99, "f", "new")) == 0);
	T_CHECK(json_is(jget(doc, "x"),
			"[{\"id\": 1, \"f\": \"new\"}, {\"id\": 4, \"f\": \"B\", \"g\": true}]"));
	/* an element is an object */
	T_CHECK(jset(doc, "x[1]", json_integer(3)) == -1);
	/* cannot go through a scalar, cannot set the root */
	T_CHECK(jset(doc, "lan.ipv4.prefix.sub", json_integer(1)) == -1);
	T_CHECK(jset(doc, "", json_object()) == -1);
	T_CHECK(json_integer_value(jget(doc, "lan.ipv4.prefix")) == 16);
	json_decref(doc);
}

static void test_jpath_delete(void)
{
	json_t *doc = J("{\"a\": {\"b\": 1, \"c\": 2},"
			" \"x\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]}");

	T_CHECK(jdel(doc, "a.b") == 0);
	T_CHECK(json_is(jget(doc, "a"), "{\"c\": 2}"));
	T_CHECK(jdel(doc, "a.b") == -1);
	T_CHECK(jdel(doc, "x[2]") == 0);
	T_CHECK(json_is(jget(doc, "x"), "[{\"id\": 1}, {\"id\": 3}]"));
	T_CHECK(jdel(doc, "x[2]") == -1);
	T_CHECK(jdel(doc, "x[3]") == 0);
	T_CHECK(json_is(jget(doc, "x"), "[{\"id\": 1}]"));
	T_CHECK(jdel(doc, "nothing.here") == -1);
	T_CHECK(jdel(doc, "") == -1);
	T_CHECK(jdel(doc, "a") == 0);
	T_CHECK(json_is(doc, "{\"x\": [{\"id\": 1}]}"));
	json_decref(doc);
}

/* A change on a shallow copy after jpath_unshare leaves the base as it was
 * and copies only the containers on the path. */
static void test_jpath_unshare(void)
{
	const char *base_text = "{\"a\": {\"b\": 1, \"c\": {\"d\": 2}},"
				" \"x\": [{\"id\": 1, \"f\": \"a\"}, {\"id\": 4, \"f\": \"b\"}],"
				" \"y\": {\"z\": [1, 2]}}";
	json_t *base = J(base_text), *doc;
	struct jpath p;

	/* a member of a collection element */
	doc = json_copy(base);
	T_CHECK(jpath_parse("x[4].f", &p));
	jpath_unshare(doc, &p);
	T_CHECK(jpath_set(doc, &p, json_string("B")) == 0);
	T_CHECK(json_is(base, base_text));
	T_CHECK_STR(json_string_value(jget(doc, "x[4].f")), "B");
	/* what is off the path is still shared */
	T_CHECK(jget(doc, "a") == jget(base, "a"));
	T_CHECK(jget(doc, "x[1]") == jget(base, "x[1]"));
	T_CHECK(jget(doc, "x") != jget(base, "x"));
	/* the same path again: nothing more is copied */
	{
		json_t *el = jget(doc, "x[4]");
		jpath_unshare(doc, &p);
		T_CHECK(jget(doc, "x[4]") == el);
	}
	json_decref(doc);

	/* a new entry appended to a collection (config.add) */
	doc = json_copy(base);
	T_CHECK(jpath_parse("x", &p));
	jpath_unshare(doc, &p);
	json_array_append_new(jpath_get(doc, &p), json_pack("{s:i}", "id", 5));
	T_CHECK(json_array_size(jget(base, "x")) == 2 && json_array_size(jget(doc, "x")) == 3);

	/* a deep delete, and a path created where nothing was */
	T_CHECK(jpath_parse("a.c.d", &p));
	jpath_unshare(doc, &p);
	T_CHECK(jpath_delete(doc, &p) == 0);
	T_CHECK(jset(doc, "new.deep.value", json_integer(7)) == 0);
	T_CHECK(json_is(base, base_text));
	T_CHECK(json_is(jget(doc, "a"), "{\"b\": 1, \"c\": {}}"));
	/* a plain list is a container too (a list field set whole) */
	T_CHECK(jpath_parse("y.z", &p));
	jpath_unshare(doc, &p);
	json_array_append_new(jpath_get(doc, &p), json_integer(3));
	T_CHECK(json_is(jget(base, "y"), "{\"z\": [1, 2]}"));
	T_CHECK(json_is(jget(doc, "y"), "{\"z\": [1, 2, 3]}"));
	/* a path through a scalar or a missing element stops quietly */
	T_CHECK(jpath_parse("a.b.c", &p));
	jpath_unshare(doc, &p);
	T_CHECK(jpath_parse("x[9].f", &p));
	jpath_unshare(doc, &p);
	T_CHECK(json_is(base, base_text));
	json_decref(doc);
	json_decref(base);
}

static void test_jpath_ids(void)
{
	json_t *arr = J("[{\"id\": 3}, {\"id\": 7}, {\"id\": 5}, {\"name\": \"no id\"}]");
	json_t *empty = json_array();
	size_t idx = 99;

	T_CHECK(jpath_next_id(empty) == 1);
	T_CHECK(jpath_next_id(arr) == 8);
	T_CHECK(jpath_find_id(arr, 5, &idx) == json_array_get(arr, 2) && idx == 2);
	T_CHECK(jpath_find_id(arr, 4, &idx) == NULL);
	T_CHECK(jpath_find_id(arr, 3, NULL) == json_array_get(arr, 0));
	T_CHECK(jpath_find_id(NULL, 3, NULL) == NULL);
	json_array_remove(arr, 1);
	/* ids are not reused while a higher one exists; removing the highest frees it */
	T_CHECK(jpath_next_id(arr) == 6);
	json_decref(arr);
	json_decref(empty);
}

/* ---- diff ---- */

static bool diff_is(const char *from, const char *to, const char *want)
{
	json_t *a = J(from), *b = J(to), *d = diff_docs(a, b);
	bool ok = json_is(d, want);

	json_decref(a);
	json_decref(b);
	json_decref(d);
	return ok;
}

static void test_diff_scalars(void)
{
	T_CHECK(diff_is("{}", "{}", "[]"));
	T_CHECK(diff_is("{\"a\": 1, \"b\": \"x\"}", "{\"a\": 1, \"b\": \"x\"}", "[]"));
	T_CHECK(diff_is("{\"a\": 1}", "{\"a\": 2}",
			"[{\"op\": \"modified\", \"path\": \"a\", \"old\": 1, \"new\": 2}]"));
	T_CHECK(diff_is("{\"lan\": {\"ipv4\": {\"address\": \"192.168.1.1\"}}}",
			"{\"lan\": {\"ipv4\": {\"address\": \"10.0.0.1\"}}}",
			"[{\"op\": \"modified\", \"path\": \"lan.ipv4.address\","
			" \"old\": \"192.168.1.1\", \"new\": \"10.0.0.1\"}]"));
	/* a change of type is a modification */
	T_CHECK(diff_is("{\"a\": 1}", "{\"a\": \"1\"}",
			"[{\"op\": \"modified\", \"path\": \"a\", \"old\": 1, \"new\": \"1\"}]"));
	T_CHECK(diff_is("{\"a\": true}", "{\"a\": null}",
			"[{\"op\": \"modified\", \"path\": \"a\", \"old\": true, \"new\": null}]"));
}

static void test_diff_keys(void)
{
	T_CHECK(diff_is("{\"a\": 1}", "{\"a\": 1, \"b\": {\"c\": 2}}",
			"[{\"op\": \"added\", \"path\": \"b\", \"new\": {\"c\": 2}}]"));
	T_CHECK(diff_is("{\"a\": 1, \"b\": 2}", "{\"a\": 1}",
			"[{\"op\": \"removed\", \"path\": \"b\", \"old\": 2}]"));
	T_CHECK(diff_is("{\"s\": {\"a\": 1}}", "{\"s\": {\"b\": 1}}",
			"[{\"op\": \"removed\", \"path\": \"s.a\", \"old\": 1},"
			" {\"op\": \"added\", \"path\": \"s.b\", \"new\": 1}]"));
	/* changes come in key order, whatever the order in the documents */
	T_CHECK(diff_is("{\"z\": 1, \"m\": 1, \"a\": 1}", "{\"z\": 2, \"a\": 2, \"m\": 2}",
			"[{\"op\": \"modified\", \"path\": \"a\", \"old\": 1, \"new\": 2},"
			" {\"op\": \"modified\", \"path\": \"m\", \"old\": 1, \"new\": 2},"
			" {\"op\": \"modified\", \"path\": \"z\", \"old\": 1, \"new\": 2}]"));
	/* an object replaced by a scalar */
	T_CHECK(diff_is("{\"a\": {\"b\": 1}}", "{\"a\": 5}",
			"[{\"op\": \"modified\", \"path\": \"a\", \"old\": {\"b\": 1}, \"new\": 5}]"));
}

static void test_diff_collections(void)
{
	static const char base[] =
		"{\"x\": [{\"id\": 1, \"field\": \"a\"}, {\"id\": 2, \"field\": \"b\"}]}";

	/* adding an element: one change for the whole element */
	T_CHECK(diff_is(base,
			"{\"x\": [{\"id\": 1, \"field\": \"a\"}, {\"id\": 2, \"field\": \"b\"},"
			" {\"id\": 3, \"field\": \"c\"}]}",
			"[{\"op\": \"added\", \"path\": \"x[3]\","
			" \"new\": {\"id\": 3, \"field\": \"c\"}}]"));
	/* modifying a field of element id 2 */
	T_CHECK(diff_is(base,
			"{\"x\": [{\"id\": 1, \"field\": \"a\"}, {\"id\": 2, \"field\": \"B\"}]}",
			"[{\"op\": \"modified\", \"path\": \"x[2].field\","
			" \"old\": \"b\", \"new\": \"B\"}]"));
	/* reordering is no change */
	T_CHECK(diff_is(base,
			"{\"x\": [{\"id\": 2, \"field\": \"b\"}, {\"id\": 1, \"field\": \"a\"}]}",
			"[]"));
	/* removing */
	T_CHECK(diff_is(base, "{\"x\": [{\"id\": 2, \"field\": \"b\"}]}",
			"[{\"op\": \"removed\", \"path\": \"x[1]\","
			" \"old\": {\"id\": 1, \"field\": \"a\"}}]"));
	/* to and from empty */
	T_CHECK(diff_is(base, "{\"x\": []}",
			"[{\"op\": \"removed\", \"path\": \"x[1]\", \"old\": {\"id\": 1, \"field\": \"a\"}},"
			" {\"op\": \"removed\", \"path\": \"x[2]\", \"old\": {\"id\": 2, \"field\": \"b\"}}]"));
	T_CHECK(diff_is("{\"x\": []}", "{\"x\": [{\"id\": 5}]}",
			"[{\"op\": \"added\", \"path\": \"x[5]\", \"new\": {\"id\": 5}}]"));
	/* a new field in an element */
	T_CHECK(diff_is(base,
			"{\"x\": [{\"id\": 1, \"field\": \"a\", \"more\": 1}, {\"id\": 2, \"field\": \"b\"}]}",
			"[{\"op\": \"added\", \"path\": \"x[1].more\", \"new\": 1}]"));
	/* nested in a section */
	T_CHECK(diff_is("{\"dhcp\": {\"hostnames\": [{\"id\": 4, \"name\": \"nas\", \"ip\": \"192.168.1.5\"}]}}",
			"{\"dhcp\": {\"hostnames\": [{\"id\": 4, \"name\": \"nas\", \"ip\": \"192.168.1.6\"}]}}",
			"[{\"op\": \"modified\", \"path\": \"dhcp.hostnames[4].ip\","
			" \"old\": \"192.168.1.5\", \"new\": \"192.168.1.6\"}]"));
}

/* A document made from another by jpath_unshare shares all but the
 * changed path: the diff finds that change and nothing else, in a
 * collection large enough that matching by scanning would show. */
static void test_diff_shared(void)
{
	json_t *base = json_pack("{s:[], s:{s:s}}", "x", "other", "k", "v"), *doc, *d;
	struct jpath p;

	for (int i = 1; i <= 5000; i++)
		json_array_append_new(json_object_get(base, "x"),
				      json_pack("{s:i, s:i}", "id", i, "port", i));
	doc = json_copy(base);
	T_CHECK(jpath_parse("x[4321].port", &p));
	jpath_unshare(doc, &p);
	T_CHECK(jpath_set(doc, &p, json_integer(1)) == 0);
	d = diff_docs(base, doc);
	T_CHECK(json_is(d, "[{\"op\": \"modified\", \"path\": \"x[4321].port\","
			" \"old\": 4321, \"new\": 1}]"));
	json_decref(d);
	/* the same through deep copies (nothing shared) */
	json_decref(doc);
	doc = json_deep_copy(base);
	T_CHECK(jset(doc, "x[17].port", json_integer(99)) == 0);
	d = diff_docs(base, doc);
	T_CHECK(json_array_size(d) == 1);
	json_decref(d);
	json_decref(doc);
	json_decref(base);
}

static void test_diff_lists(void)
{
	/* lists of scalars compare as a whole value: order matters */
	T_CHECK(diff_is("{\"l\": [\"a\", \"b\"]}", "{\"l\": [\"a\", \"b\"]}", "[]"));
	T_CHECK(diff_is("{\"l\": [\"a\", \"b\"]}", "{\"l\": [\"b\", \"a\"]}",
			"[{\"op\": \"modified\", \"path\": \"l\", \"old\": [\"a\", \"b\"],"
			" \"new\": [\"b\", \"a\"]}]"));
	T_CHECK(diff_is("{\"l\": [\"a\"]}", "{\"l\": [\"a\", \"c\"]}",
			"[{\"op\": \"modified\", \"path\": \"l\", \"old\": [\"a\"],"
			" \"new\": [\"a\", \"c\"]}]"));
	T_CHECK(diff_is("{\"l\": []}", "{\"l\": [\"a\"]}",
			"[{\"op\": \"modified\", \"path\": \"l\", \"old\": [], \"new\": [\"a\"]}]"));
	T_CHECK(diff_is("{\"l\": [1]}", "{\"l\": []}",
			"[{\"op\": \"modified\", \"path\": \"l\", \"old\": [1], \"new\": []}]"));
}

static void test_diff_roots(void)
{
	json_t *a = J("{\"a\": 1}"), *d;

	/* from nothing: the whole document is added at the root path "" */
	d = diff_docs(NULL, a);
	T_CHECK(json_is(d, "[{\"op\": \"added\", \"path\": \"\", \"new\": {\"a\": 1}}]"));
	json_decref(d);
	d = diff_docs(a, a);
	T_CHECK(json_is(d, "[]"));
	json_decref(d);
	json_decref(a);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_store_empty);
	T_RUN(test_store_open_fails);
	T_RUN(test_store_init);
	T_RUN(test_store_commit);
	T_RUN(test_store_staged_in_memory);
	T_RUN(test_store_staged_survives_restart);
	T_RUN(test_store_history);
	T_RUN(test_store_retention);
	T_RUN(test_store_pinned_kept);
	T_RUN(test_store_protected_kept);
	T_RUN(test_store_old_format);
	T_RUN(test_store_history_reads_no_document);
	T_RUN(test_store_set_state);
	T_RUN(test_store_meta);
	T_RUN(test_store_wal);
	T_RUN(test_store_two_handles);
	T_RUN(test_jpath_parse);
	T_RUN(test_jpath_get);
	T_RUN(test_jpath_set);
	T_RUN(test_jpath_delete);
	T_RUN(test_jpath_unshare);
	T_RUN(test_jpath_ids);
	T_RUN(test_diff_scalars);
	T_RUN(test_diff_keys);
	T_RUN(test_diff_collections);
	T_RUN(test_diff_shared);
	T_RUN(test_diff_lists);
	T_RUN(test_diff_roots);
	rm_rf(tmpdir);
	return t_done("unit-store");
}
