/*
 * Reading the call records: Asterisk's database opened read-only for each
 * call (no process, nothing kept open while Asterisk writes), the filters
 * bound as parameters of one statement. No database or no table yet (no
 * call since the PBX first ran) reads as no calls.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "features/pbx/cdr/cdr.h"
#include "features/pbx/pbx_paths.h"

/* the filters, ?1 to ?4: from, to, number, disposition (NULL: any) */
#define CDR_WHERE \
	" FROM " PBX_CDR_TABLE " WHERE (?1 IS NULL OR CAST(start AS REAL) >= ?1)" \
	" AND (?2 IS NULL OR CAST(start AS REAL) < ?2)" \
	" AND (?3 IS NULL OR instr(src, ?3) > 0 OR instr(dst, ?3) > 0)" \
	" AND (?4 IS NULL OR disposition = ?4)"

static const char cdr_count_sql[] = "SELECT count(*)" CDR_WHERE;
static const char cdr_list_sql[] =
	"SELECT CAST(start AS INTEGER), src, dst, clid, CAST(duration AS INTEGER),"
	" CAST(billsec AS INTEGER), disposition, channel, dstchannel, userfield, uniqueid"
	CDR_WHERE " ORDER BY CAST(start AS REAL) DESC, AcctId DESC LIMIT ?5 OFFSET ?6";
static const char cdr_today_sql[] =
	"SELECT count(*), total(disposition = 'ANSWERED') FROM " PBX_CDR_TABLE
	" WHERE CAST(start AS REAL) >= ?1";

/*
 * The database, read-only: 1 and *db; 0 when there is none yet; -1 with
 * the error on c.
 */
static int cdr_open(struct rpc_call *c, sqlite3 **db)
{
	char *path = pbx_cdr_db_path(c->env);
	int rc;

	*db = NULL;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		free(path);
		return 0;
	}
	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot read the call records (%s): %s", path,
			 *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
		sqlite3_close(*db);
		*db = NULL;
		free(path);
		return -1;
	}
	/* Asterisk may be writing a record: wait for it a little */
	sqlite3_busy_timeout(*db, 2000);
	free(path);
	return 1;
}

/* A statement: 1; 0 when the table is not there yet; -1 with the error on c. */
static int cdr_prepare(struct rpc_call *c, sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
		return 1;
	if (strstr(sqlite3_errmsg(db), "no such table"))
		return 0;
	rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot read the call records: %s",
		 sqlite3_errmsg(db));
	return -1;
}

static int cdr_time_param(struct rpc_call *c, const char *name, bool day_end, long long *t)
{
	const char *text = json_string_value(json_object_get(c->params, name));

	if (!text)
		return 0;
	if (cdr_time_parse(text, day_end, t) == 0)
		return 1;
	rpc_fail(c, RPC_INVALID, name, json_object_get(c->params, name),
		 "%s: \"%s\" is not a date (2026-11-29), a date and time (2026-11-29T08:30) or "
		 "epoch seconds", name, text);
	return -1;
}

/* local time, ISO 8601 with the offset: 2026-11-29T23:01:02+01:00 */
static json_t *cdr_time_json(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[40];
	size_t n;

	localtime_r(&tt, &tm);
	n = strftime(buf, sizeof(buf) - 1, "%Y-%m-%dT%H:%M:%S%z", &tm);
	if (n >= 5) {
		/* +0100 -> +01:00 */
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
	return json_string(buf);
}

static json_t *cdr_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return json_string(s ? (const char *)s : "");
}

static json_t *cdr_row(sqlite3_stmt *st)
{
	const char *chan = (const char *)sqlite3_column_text(st, 7);
	const char *dchan = (const char *)sqlite3_column_text(st, 8);
	const char *rec = cdr_recording_of((const char *)sqlite3_column_text(st, 9));
	char trunk[64];
	json_t *row = json_object();

	json_object_set_new(row, "time", cdr_time_json(sqlite3_column_int64(st, 0)));
	json_object_set_new(row, "start", json_integer(sqlite3_column_int64(st, 0)));
	json_object_set_new(row, "src", cdr_text(st, 1));
	json_object_set_new(row, "dst", cdr_text(st, 2));
	json_object_set_new(row, "clid", cdr_text(st, 3));
	json_object_set_new(row, "duration", json_integer(sqlite3_column_int64(st, 4)));
	json_object_set_new(row, "billsec", json_integer(sqlite3_column_int64(st, 5)));
	json_object_set_new(row, "disposition", cdr_text(st, 6));
	/* a trunk's leg is its channel, calling in, or the one dialled out */
	if (cdr_trunk_of(chan, trunk, sizeof(trunk)) || cdr_trunk_of(dchan, trunk, sizeof(trunk)))
		json_object_set_new(row, "trunk", json_string(trunk));
	else
		json_object_set_new(row, "trunk", json_null());
	json_object_set_new(row, "recording", rec ? json_string(rec) : json_null());
	json_object_set_new(row, "uniqueid", cdr_text(st, 10));
	return row;
}

static void cdr_bind_filters(struct rpc_call *c, sqlite3_stmt *st, const long long *from,
			     const long long *to)
{
	const char *number = json_string_value(json_object_get(c->params, "number"));
	const char *disp = json_string_value(json_object_get(c->params, "disposition"));

	if (from)
		sqlite3_bind_int64(st, 1, *from);
	if (to)
		sqlite3_bind_int64(st, 2, *to);
	if (number)
		sqlite3_bind_text(st, 3, number, -1, SQLITE_TRANSIENT);
	if (disp)
		sqlite3_bind_text(st, 4, disp, -1, SQLITE_TRANSIENT);
}

json_t *cdr_list_method(struct rpc_call *c)
{
	long long from, to, limit = 100, offset = 0;
	int has_from, has_to, rc;
	sqlite3 *db;
	sqlite3_stmt *count = NULL, *list = NULL;
	json_t *calls = json_array(), *out = NULL;
	long long total = 0;

	if (json_object_get(c->params, "limit"))
		limit = json_integer_value(json_object_get(c->params, "limit"));
	if (json_object_get(c->params, "offset"))
		offset = json_integer_value(json_object_get(c->params, "offset"));
	if ((has_from = cdr_time_param(c, "from", false, &from)) < 0 ||
	    (has_to = cdr_time_param(c, "to", true, &to)) < 0 || (rc = cdr_open(c, &db)) < 0) {
		json_decref(calls);
		return NULL;
	}
	if (rc > 0 && (rc = cdr_prepare(c, db, cdr_count_sql, &count)) > 0 &&
	    (rc = cdr_prepare(c, db, cdr_list_sql, &list)) > 0) {
		cdr_bind_filters(c, count, has_from ? &from : NULL, has_to ? &to : NULL);
		cdr_bind_filters(c, list, has_from ? &from : NULL, has_to ? &to : NULL);
		sqlite3_bind_int64(list, 5, limit);
		sqlite3_bind_int64(list, 6, offset);
		if (sqlite3_step(count) == SQLITE_ROW)
			total = sqlite3_column_int64(count, 0);
		while ((rc = sqlite3_step(list)) == SQLITE_ROW)
			json_array_append_new(calls, cdr_row(list));
		if (rc != SQLITE_DONE) {
			rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot read the call records: %s",
				 sqlite3_errmsg(db));
			rc = -1;
		}
	}
	if (rc >= 0)
		out = json_pack("{s:O, s:I, s:I, s:I}", "calls", calls, "total", total, "limit",
				limit, "offset", offset);
	sqlite3_finalize(count);
	sqlite3_finalize(list);
	sqlite3_close(db);
	json_decref(calls);
	return out;
}

json_t *cdr_today_method(struct rpc_call *c)
{
	time_t now = time(NULL);
	struct tm tm;
	long long since, total = 0, answered = 0;
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	since = (long long)mktime(&tm);
	if ((rc = cdr_open(c, &db)) < 0)
		return NULL;
	if (rc > 0 && (rc = cdr_prepare(c, db, cdr_today_sql, &st)) > 0) {
		sqlite3_bind_int64(st, 1, since);
		if (sqlite3_step(st) == SQLITE_ROW) {
			total = sqlite3_column_int64(st, 0);
			answered = sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rc < 0)
		return NULL;
	return json_pack("{s:I, s:I, s:I, s:I}", "since", since, "total", total, "answered",
			 answered, "unanswered", total - answered);
}
