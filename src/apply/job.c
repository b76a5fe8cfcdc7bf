/*
 * When and where an apply runs: on the spot (engine_apply, engine_refresh:
 * boot, tests, tools), or off the loop (engine_run_async); what it leaves
 * to the loop thread afterwards (the confirm and prune timers); and the
 * rollback of a revision nobody confirmed in time.
 *
 * Off the loop, the engine's run goes to a worker thread, which
 * holds the core lock except while it waits on the outside world (an nft
 * transaction, a command, an engine starting), so the API goes on
 * answering reads meanwhile. The rpc gate is closed while it runs: calls
 * that change state wait for it, a second apply is refused. When it ends,
 * the loop thread answers the caller, arms the timers, returns the memory
 * a large apply freed, and opens the gate.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/engine_int.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "rpc/rpc.h"
#include "store/store.h"

static void engine_confirm_cb(uv_timer_t *t);

/* What an apply leaves for the loop thread: the timers. */
void engine_after_run(struct engine *e)
{
	if (!e->env.loop)
		return;
	if (e->arm_confirm_secs > 0)
		uv_timer_start(&e->confirm_timer, engine_confirm_cb,
			       (uint64_t)e->arm_confirm_secs * 1000, 0);
	e->arm_confirm_secs = 0;
	gen_prune_arm(e);
}

int engine_apply(struct engine *e, const json_t *doc, const char *author, const char *comment,
		 int confirm_secs, struct apply_result *res)
{
	int rc = engine_run(e, doc, author, comment, confirm_secs, true, res);

	engine_after_run(e);
	return rc;
}

int engine_refresh(struct engine *e, const char *author, struct apply_result *res)
{
	int rc = engine_run(e, e->running, author, NULL, 0, false, res);

	engine_after_run(e);
	return rc;
}

struct engine_job {
	uv_work_t req;
	struct engine *e;
	json_t *doc;            /* NULL: the document in force again (refresh) */
	char *author, *comment;
	int confirm_secs;
	bool commit;
	struct apply_result res;
	int rc;
	engine_done_fn done;
	void *ctx;
};

static void job_work(uv_work_t *req)
{
	struct engine_job *j = req->data;

	core_enter();
	j->rc = engine_run(j->e, j->doc ? j->doc : j->e->running, j->author, j->comment,
			   j->confirm_secs, j->commit, &j->res);
	core_leave();
}

static void job_after(uv_work_t *req, int status)
{
	struct engine_job *j = req->data;
	struct engine *e = j->e;

	(void)status;
	core_enter();
	core_state_changed();
	e->busy = false;
	free(e->busy_author);
	e->busy_author = NULL;
	engine_after_run(e);
	j->done(j->ctx, &j->res, j->rc);
	apply_result_free(&j->res);
	json_decref(j->doc);
	free(j->author);
	free(j->comment);
	free(j);
	/* a large apply (a firewall of many sets) frees hundreds of MB of
	 * small blocks; give them back to the system */
	malloc_trim(0);
	rpc_gate_open();
	core_leave();
}

int engine_run_async(struct engine *e, const json_t *doc, const char *author, const char *comment,
		     int confirm_secs, bool commit, engine_done_fn done, void *ctx)
{
	struct engine_job *j;
	char *why, when[16];
	time_t now = time(NULL);
	struct tm tm;

	if (!e->env.loop) {     /* no loop (tests, tools): on the spot */
		struct apply_result res;
		int rc = engine_run(e, doc ? doc : e->running, author, comment, confirm_secs,
				    commit, &res);
		engine_after_run(e);
		done(ctx, &res, rc);
		apply_result_free(&res);
		return 0;
	}
	if (e->busy)
		return -1;
	j = xcalloc(1, sizeof(*j));
	j->req.data = j;
	j->e = e;
	j->doc = doc ? json_incref((json_t *)doc) : NULL;
	j->author = author ? xstrdup(author) : NULL;
	j->comment = comment ? xstrdup(comment) : NULL;
	j->confirm_secs = confirm_secs;
	j->commit = commit;
	j->done = done;
	j->ctx = ctx;
	e->busy = true;
	e->busy_author = xstrdup(author ? author : "?");
	e->busy_since = (long long)now;
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	why = xasprintf("an apply by %s is running (started at %s)", author ? author : "?", when);
	rpc_gate_close(why);
	free(why);
	if (uv_queue_work(e->env.loop, &j->req, job_work, job_after) < 0) {
		log_err("apply: cannot start the worker; applying on the loop");
		job_work(&j->req);
		job_after(&j->req, 0);
	}
	return 0;
}

struct engine_revert {
	struct engine *e;
	long long bad, prev;
	char *why;
};

static void engine_reverted(void *ctx, struct apply_result *res, int rc)
{
	struct engine_revert *rv = ctx;
	struct engine *e = rv->e;

	if (rc == 0) {
		json_t *unconfirmed = store_revision_doc(e->store, rv->bad);
		const json_t *staged = store_staged_peek(e->store);
		store_set_state(e->store, rv->bad, REV_REVERTED);
		/* the user's work is not lost: the unconfirmed configuration
		 * becomes the staged one again, unless they staged new work */
		if (!staged && unconfirmed)
			store_stage(e->store, unconfirmed);
		json_decref(unconfirmed);
		log_warn("apply: revision %lld %s; revision %lld restored as %lld", rv->bad,
			 rv->why, rv->prev, res->revision);
	} else {
		log_err("apply: rolling back revision %lld failed: %s", rv->bad, res->message);
	}
	free(rv->why);
	free(rv);
}

int engine_revert_pending(struct engine *e, const char *why)
{
	long long bad = e->confirm_rev, prev;
	json_t *doc = NULL, *info;
	struct engine_revert *rv;
	char *comment;
	int rc;

	if (!bad || e->busy)
		return -1;
	if (e->env.loop)
		uv_timer_stop(&e->confirm_timer);
	e->confirm_rev = 0;
	e->confirm_deadline = 0;
	for (prev = bad - 1; prev >= 0; prev--) {
		const char *state;
		info = store_revision_info(e->store, prev);
		state = json_string_value(json_object_get(info, "state"));
		if (state && !strcmp(state, REV_APPLIED))
			doc = store_revision_doc(e->store, prev);
		json_decref(info);
		if (doc)
			break;
	}
	if (!doc)
		return -1;
	rv = xcalloc(1, sizeof(*rv));
	*rv = (struct engine_revert){ .e = e, .bad = bad, .prev = prev, .why = xstrdup(why) };
	comment = xasprintf("rollback: revision %lld %s", bad, why);
	rc = engine_run_async(e, doc, "system", comment, 0, true, engine_reverted, rv);
	if (rc < 0) {
		free(rv->why);
		free(rv);
	}
	free(comment);
	json_decref(doc);
	return rc;
}

static void engine_confirm_cb(uv_timer_t *t)
{
	struct engine *e = t->data;

	core_enter();
	engine_revert_pending(e, "was not confirmed in time");
	core_leave();
}
