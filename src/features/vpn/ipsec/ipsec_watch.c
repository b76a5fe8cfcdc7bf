/*
 * The SAs as charon last told them, read off the loop: once a second, while
 * charon runs, a libuv worker asks for list-sas over vici (bounded by
 * IPSEC_STATUS_MS) and the loop keeps the answer. The status and the quick
 * command read that copy, so a charon slow to answer (or hung) never holds
 * up difosd's loop, the dashboard or another request.
 */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "apply/supervisor.h"
#include "core/lock.h"
#include "core/util.h"
#include "features/vpn/ipsec/ipsec_int.h"
#include "features/vpn/ipsec/vici_conn.h"

#define WATCH_EVERY_MS 1000

static struct {
	uv_timer_t timer;
	uv_work_t work;
	bool on, busy, stopping;
	bool stale;         /* the read under way began before a forget */
	char *path;
	json_t *sas;        /* the last list-sa events (the loop's) */
	char *err;
	json_t *next;       /* the worker's, until handed over */
	char *next_err;
} w;

static void watch_work(uv_work_t *req)
{
	json_t *r;

	(void)req;
	w.next = json_array();
	r = vici_request(w.path, IPSEC_STATUS_MS, "list-sas", NULL, "list-sa", w.next,
			 &w.next_err);
	json_decref(r);
}

static void watch_done(uv_work_t *req, int status)
{
	(void)req;
	core_enter();
	w.busy = false;
	if (status == 0 && !w.stopping && !w.stale) {
		json_decref(w.sas);
		free(w.err);
		w.sas = w.next;
		w.err = w.next_err;
	} else {
		json_decref(w.next);
		free(w.next_err);
	}
	w.next = NULL;
	w.next_err = NULL;
	w.stale = false;
	core_leave();
}

static void watch_tick(uv_timer_t *t)
{
	core_enter();
	if (!sv_running(IPSEC_ENGINE)) {
		/* no charon, no SA: what it told before is gone with it */
		json_decref(w.sas);
		w.sas = json_array();
		free(w.err);
		w.err = NULL;
	} else if (!w.busy && uv_queue_work(t->loop, &w.work, watch_work, watch_done) == 0) {
		w.busy = true;
	}
	core_leave();
}

void ipsec_watch_start(const struct feature_env *env)
{
	if (!env->loop || w.on)
		return;
	w.path = ipsec_vici_path(env);
	w.sas = json_array();
	uv_timer_init(env->loop, &w.timer);
	uv_timer_start(&w.timer, watch_tick, 0, WATCH_EVERY_MS);
	uv_unref((uv_handle_t *)&w.timer);
	w.on = true;
}

void ipsec_watch_stop(void)
{
	if (!w.on)
		return;
	w.stopping = true;
	uv_timer_stop(&w.timer);
	uv_close((uv_handle_t *)&w.timer, NULL);
	/* a request under way ends within IPSEC_STATUS_MS; one queued goes */
	if (w.busy)
		uv_cancel((uv_req_t *)&w.work);
	w.on = false;
}

void ipsec_watch_forget(void)
{
	if (!w.on)
		return;
	json_decref(w.sas);
	w.sas = json_array();
	free(w.err);
	w.err = NULL;
	/* a read under way may be the old charon's: its answer is dropped */
	w.stale = w.busy;
}

const json_t *ipsec_watch_sas(char **err)
{
	if (!w.on)
		return NULL;
	if (err && w.err)
		*err = xstrdup(w.err);
	return w.sas;
}
