/*
 * Retention: a timer of the core deletes, once an hour (and 10 s after
 * difosd started), the call records
 * and the recordings older than the "cdr" section keeps them. Not per
 * request: listing calls never writes. The records are deleted in
 * Asterisk's database (SQLite's locks keep the two writers apart; each
 * waits a little for the other); recordings by their files' age.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "core/lock.h"
#include "core/log.h"
#include "features/pbx/cdr/cdr.h"
#include "features/pbx/pbx_paths.h"
#include "store/doc.h"

/* soon after start too: a router restarted often still prunes */
#define PRUNE_FIRST_MS (10 * 1000)
#define PRUNE_PERIOD_MS (3600 * 1000)

static uv_timer_t prune_timer;
static bool prune_timer_ready;
static const struct feature_env *prune_env;

struct prune_result {
	long long records, recordings;          /* deleted */
	long long records_before, recordings_before;
	char *err;
};

static void prune_records(const struct feature_env *env, struct prune_result *r)
{
	char *path = pbx_cdr_db_path(env);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	if (access(path, F_OK) < 0) {
		free(path);
		return;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 2000);
		rc = sqlite3_prepare_v2(db, "DELETE FROM " PBX_CDR_TABLE
					" WHERE CAST(start AS REAL) < ?1", -1, &st, NULL);
	}
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, r->records_before);
		if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
			rc = SQLITE_OK;
			r->records = sqlite3_changes(db);
		}
	}
	/* no table yet: Asterisk has written no call */
	if (rc != SQLITE_OK && !(db && strstr(sqlite3_errmsg(db), "no such table")))
		r->err = xasprintf("%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
}

static void prune_recordings(const struct feature_env *env, const json_t *doc,
			     struct prune_result *r)
{
	char *dir = pbx_recordings_dir(env, doc);
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;

	while (d && (de = readdir(d))) {
		/* only what a recording can be called, never through a link */
		if (!cdr_file_ok(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || (long long)st.st_mtime >= r->recordings_before)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			r->recordings++;
		else if (!r->err)
			r->err = xasprintf("%s/%s: %s", dir, de->d_name, strerror(errno));
	}
	if (d)
		closedir(d);
	free(dir);
}

static void prune_run(const struct feature_env *env, const json_t *doc, struct prune_result *r)
{
	long long now = (long long)time(NULL);

	r->records_before = now - doc_int(doc, "cdr.retention_days", CDR_KEEP_DAYS) * 86400;
	r->recordings_before =
		now - doc_int(doc, "cdr.recordings_retention_days", CDR_KEEP_RECORDINGS_DAYS) * 86400;
	prune_records(env, r);
	prune_recordings(env, doc, r);
	if (r->records || r->recordings)
		log_info("pbx: deleted %lld call records and %lld recordings past their retention",
			 r->records, r->recordings);
	if (r->err)
		log_warn("pbx: call records' retention: %s", r->err);
}

static void prune_tick(uv_timer_t *t)
{
	struct prune_result r = { 0 };

	(void)t;
	core_enter();
	if (prune_env->engine && prune_env->engine->running)
		prune_run(prune_env, prune_env->engine->running, &r);
	core_leave();
	free(r.err);
}

void cdr_prune_start(const struct feature_env *env)
{
	if (!env->loop || prune_timer_ready)
		return;
	prune_env = env;
	uv_timer_init(env->loop, &prune_timer);
	uv_unref((uv_handle_t *)&prune_timer);
	uv_timer_start(&prune_timer, prune_tick, PRUNE_FIRST_MS, PRUNE_PERIOD_MS);
	prune_timer_ready = true;
}

void cdr_prune_stop(void)
{
	if (!prune_timer_ready)
		return;
	uv_timer_stop(&prune_timer);
	uv_close((uv_handle_t *)&prune_timer, NULL);
	prune_timer_ready = false;
}

json_t *cdr_prune_method(struct rpc_call *c)
{
	struct prune_result r = { 0 };

	prune_run(c->env, c->env->engine->running, &r);
	if (r.err) {
		rpc_fail(c, RPC_INTERNAL, NULL, NULL, "%s", r.err);
		free(r.err);
		return NULL;
	}
	return json_pack("{s:I, s:I, s:I, s:I}", "records", r.records, "recordings", r.recordings,
			 "records_before", r.records_before, "recordings_before",
			 r.recordings_before);
}
