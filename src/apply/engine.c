#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/engine_int.h"
#include "apply/feature.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/root.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/store.h"

/* "firewall 12.3" for each feature that took time, after a step's total */
static void engine_step_time(struct sbuf *b, const char *step, double total,
			     const double *per_feature)
{
	size_t n = 0;

	sbuf_printf(b, "%s%s %.1f ms", b->len ? ", " : "", step, total);
	for (size_t i = 0; per_feature && i < feature_count(); i++) {
		if (per_feature[i] < 0.05)
			continue;
		sbuf_printf(b, "%s%s %.1f", n++ ? ", " : " (", feature_table[i]->name, per_feature[i]);
	}
	if (n)
		sbuf_add(b, ")");
}

int engine_init(struct engine *e, struct store *store, struct sys *sys, uv_loop_t *loop)
{
	char *dir;

	memset(e, 0, sizeof(*e));
	e->store = store;
	e->env.sys = sys;
	e->env.loop = loop;
	e->env.engine = e;
	e->env.started = (long long)time(NULL);
	e->env.paths.root = root_get();
	e->env.paths.run = e->own_paths[0] = root_path("/run/difos");
	e->env.paths.state = e->own_paths[1] = root_path("/var/lib/difos");
	e->env.paths.active = e->own_paths[2] = root_path("/run/difos/active");
	e->env.paths.etc = e->own_paths[3] = root_path("/etc");
	e->env.paths.resolv = e->own_paths[4] = root_path("/run/difos/wan/resolv.conf");
	e->features = json_object();
	dir = xasprintf("%s/gen", e->env.paths.state);
	mkdir_p(dir, 0755);
	free(dir);
	mkdir_p(e->env.paths.run, 0755);
	if (loop) {
		uv_timer_init(loop, &e->confirm_timer);
		e->confirm_timer.data = e;
		uv_timer_init(loop, &e->prune_timer);
		e->prune_timer.data = e;
	}
	return 0;
}

void engine_free(struct engine *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(e->own_paths); i++)
		free(e->own_paths[i]);
	json_decref(e->running);
	json_decref(e->validated);
	json_decref(e->features);
	if (e->env.loop) {
		uv_close((uv_handle_t *)&e->confirm_timer, NULL);
		uv_close((uv_handle_t *)&e->prune_timer, NULL);
	}
	gen_prune_forget(e);
}

void engine_set_feature(struct engine *e, const char *name, const char *state,
			const char *message, long long rev)
{
	core_state_changed();
	json_object_set_new(e->features, name,
			    json_pack("{s:s, s:s, s:I, s:I}", "state", state, "message",
				      message ? message : "", "revision", (json_int_t)rev,
				      "time", (json_int_t)time(NULL)));
}


/* An applier sees of the documents only the paths its feature reads. */
static json_t *engine_view(const struct engine *e, const struct feature *f, const json_t *doc)
{
	return e->test_whole_docs ? json_incref((json_t *)doc) : feature_doc_view(doc, f->reads);
}

int engine_apply_feature(struct engine *e, const struct feature *f, const json_t *doc,
			 const json_t *old_doc, const char *old_gen, char **err)
{
	json_t *view = engine_view(e, f, doc), *old_view = engine_view(e, f, old_doc);
	struct feature_ctx ctx = {
		.env = &e->env, .doc = view, .old_doc = old_view, .boot = !old_gen,
	};
	char *dir = xasprintf("%s/%s", e->env.paths.active, f->name);
	char *old_dir = old_gen ? xasprintf("%s/%s", old_gen, f->name) : NULL;
	int rc = 0;

	ctx.dir = dir;
	ctx.old_dir = old_dir;
	if (f->apply)
		rc = f->apply(&ctx);
	*err = ctx.err;
	free(dir);
	free(old_dir);
	json_decref(view);
	json_decref(old_view);
	return rc;
}

int engine_health_feature(struct engine *e, const struct feature *f, const json_t *doc,
			  char **err)
{
	json_t *view = engine_view(e, f, doc);
	struct feature_ctx ctx = { .env = &e->env, .doc = view };
	char *dir = xasprintf("%s/%s", e->env.paths.active, f->name);
	int rc = 0;

	ctx.dir = dir;
	if (f->health)
		rc = f->health(&ctx);
	*err = ctx.err;
	free(dir);
	json_decref(view);
	return rc;
}

/*
 * Puts the previous state back after a failure: the old files become
 * active again and every feature that was touched is applied with the
 * old document.
 */
static void engine_restore(struct engine *e, const char *old_gen, const char *new_gen,
			   const bool *touched, const json_t *failed_doc)
{
	if (old_gen)
		gen_switch(e, old_gen);
	for (size_t i = feature_count(); i-- > 0;) {
		const struct feature *f = feature_table[i];
		char *err = NULL;

		if (!touched[i])
			continue;
		if (engine_apply_feature(e, f, e->running, failed_doc, new_gen, &err)) {
			log_err("apply: restoring %s failed too: %s", f->name, err ? err : "?");
			engine_set_feature(e, f->name, "failed", err, e->running_rev);
		} else {
			log_info("apply: %s restored to revision %lld", f->name, e->running_rev);
		}
		free(err);
	}
	if (new_gen)
		rm_rf(new_gen);
}

/* Features without configuration to apply (the dashboard) are never
 * touched by an apply; their state is "ok" from boot on. */
bool engine_applies(const struct feature *f)
{
	return f->render || f->apply;
}

/* Is one of the features f follows (f->after) applied in this run? They
 * come before f in the table, so their changed[] is known. */
static bool engine_after_changed(struct engine *e, size_t i, const json_t *doc,
				 const bool *changed)
{
	const struct feature *f = feature_table[i];
	bool any = false;

	for (const char *const *a = f->after; a && *a && !any; a++)
		for (size_t k = 0; k < i; k++)
			if (changed[k] && !strcmp(feature_table[k]->name, *a))
				any = true;
	if (any && f->after_needed) {
		json_t *view = engine_view(e, f, doc);

		any = f->after_needed(view);
		json_decref(view);
	}
	return any;
}

/* A feature changed when its rendered files did, or a path it reads, or
 * a feature it follows was applied; only changed files are checked. */
static int engine_check_changed(struct engine *e, const char *old_gen, const char *gen,
				const json_t *doc, bool *changed, struct apply_result *res,
				double *cmp_ms, double *ms)
{
	for (size_t i = 0; i < feature_count(); i++) {
		const struct feature *f = feature_table[i];
		char *dir, *err = NULL;
		double t0 = apply_clock_ms();
		bool files;
		int rc = 0;

		files = engine_applies(f) && gen_feature_changed(old_gen, gen, f->name);
		changed[i] = files || (engine_applies(f) && feature_reads_changed(f, e->running, doc)) ||
			     (engine_applies(f) && engine_after_changed(e, i, doc, changed));
		cmp_ms[i] = apply_clock_ms() - t0;
		if (!files || !f->check)
			continue;
		t0 = apply_clock_ms();
		dir = xasprintf("%s/%s", gen, f->name);
		{
			struct feature_ctx ctx = { .env = &e->env, .dir = dir };
			rc = f->check(&ctx);
			err = ctx.err;
		}
		free(dir);
		ms[i] = apply_clock_ms() - t0;
		if (rc) {
			apply_fail(res, "check", f->name, "%s: %s", f->name, err ? err : "check failed");
			free(err);
			return -1;
		}
		free(err);
	}
	return 0;
}

void engine_note_valid(struct engine *e, json_t *doc)
{
	json_incref(doc);
	json_decref(e->validated);
	e->validated = doc;
}

static int engine_run_steps(struct engine *e, const json_t *doc_in, const char *author,
			    const char *comment, int confirm_secs, bool commit,
			    struct apply_result *res);

const double apply_bucket_le[APPLY_BUCKETS] = { 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };

/* Every run, counted and timed (whatever started it: an apply, a
 * rollback, a refresh, the boot) for difos_apply_total and
 * difos_apply_duration_seconds. */
int engine_run(struct engine *e, const json_t *doc_in, const char *author,
	       const char *comment, int confirm_secs, bool commit, struct apply_result *res)
{
	double t0 = apply_clock_ms(), secs;
	int rc = engine_run_steps(e, doc_in, author, comment, confirm_secs, commit, res);

	secs = (apply_clock_ms() - t0) / 1000.0;
	if (rc == 0)
		e->stats.ok++;
	else
		e->stats.failed++;
	e->stats.seconds += secs;
	for (int i = 0; i < APPLY_BUCKETS; i++)
		if (secs <= apply_bucket_le[i])
			e->stats.le[i]++;
	return rc;
}

/* commit: record a new revision; otherwise re-apply what is in force
 * (the running document rendered again, e.g. after a data file changed) */
static int engine_run_steps(struct engine *e, const json_t *doc_in, const char *author,
			    const char *comment, int confirm_secs, bool commit,
			    struct apply_result *res)
{
	/* renderers rely on every defaulted member being present; the
	 * document is shared (staged, then running), never changed. One that
	 * was validated when staged is complete and valid already. */
	bool known_valid = doc_in && doc_in == e->validated;
	json_t *doc = known_valid || schema_has_defaults(doc_in) ?
		      json_incref((json_t *)doc_in) : NULL;
	struct sc_error_list errs;
	char *gen = NULL, *old_gen = NULL;
	size_t nf = feature_count();
	bool *changed = xcalloc(nf, sizeof(bool)), *touched = xcalloc(nf, sizeof(bool));
	/* step timings, logged at --debug: per feature render, compare, check, apply */
	double *ms = xcalloc(4 * nf, sizeof(double)), t0 = apply_clock_ms(), t1, t_validate, t_store;
	double t_prune;
	long long rev;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->revision = -1;
	res->touched = json_array();
	sc_errors_init(&errs);
	if (!doc) {
		doc = json_deep_copy(doc_in);
		schema_upgrade(doc);
	}
	if (!known_valid)
		schema_validate(doc, &errs);
	if (errs.n) {
		apply_fail(res, "invalid", NULL, "%s", errs.v[0].message);
		res->errors = sc_errors_to_json(&errs);
		goto out;
	}
	t_validate = apply_clock_ms() - t0;
	if (e->confirm_rev) {
		apply_fail(res, "pending", NULL, "revision %lld waits for confirmation; confirm "
			    "or let it roll back first", e->confirm_rev);
		goto out;
	}
	gen = gen_new(e);
	if (!gen) {
		apply_fail(res, "render", NULL, "cannot create a generation directory: %s",
			    strerror(errno));
		goto out;
	}
	if (gen_render_all(e, doc, gen, res, ms) < 0)
		goto fail_files;
	old_gen = gen_active(e);
	if (engine_check_changed(e, old_gen, gen, doc, changed, res, ms + nf, ms + 2 * nf) < 0)
		goto fail_files;
	if (gen_switch(e, gen) < 0) {
		apply_fail(res, "render", NULL, "cannot switch the active files: %s",
			    strerror(errno));
		goto fail_files;
	}
	if (e->test_pause_ms) {
		core_outside_begin();
		usleep((useconds_t)e->test_pause_ms * 1000);
		core_outside_end();
	}
	for (size_t i = 0; i < nf; i++) {
		const struct feature *f = feature_table[i];
		char *err = NULL;

		if (!changed[i])
			continue;
		touched[i] = true;
		json_array_append_new(res->touched, json_string(f->name));
		t1 = apply_clock_ms();
		if (engine_apply_feature(e, f, doc, e->running, old_gen ? old_gen : gen, &err)) {
			apply_fail(res, "apply", f->name, "%s: %s", f->name, err ? err : "apply failed");
			free(err);
			goto fail_state;
		}
		ms[3 * nf + i] = apply_clock_ms() - t1;
		free(err);
	}
	t1 = apply_clock_ms();
	for (size_t i = 0; i < nf; i++) {
		const struct feature *f = feature_table[i];
		char *err = NULL;

		if (!changed[i])
			continue;
		if (engine_health_feature(e, f, doc, &err)) {
			apply_fail(res, "health", f->name, "%s: %s", f->name,
				    err ? err : "health check failed");
			free(err);
			goto fail_state;
		}
		free(err);
	}
	t1 = apply_clock_ms() - t1;
	t_store = apply_clock_ms();
	rev = !commit ? e->running_rev :
	      store_commit(e->store, doc, author, comment ? comment : "",
			   confirm_secs > 0 ? REV_PENDING : REV_APPLIED);
	t_store = apply_clock_ms() - t_store;
	if (rev < 0) {
		apply_fail(res, "store", NULL, "cannot record the revision: %s",
			    store_errmsg(e->store));
		goto fail_state;
	}
	if (e->running != doc) {
		json_decref(e->running);
		e->running = json_incref(doc);
	}
	e->running_rev = rev;
	res->revision = rev;
	for (size_t i = 0; i < nf; i++)
		if (changed[i] || !json_object_get(e->features, feature_table[i]->name))
			engine_set_feature(e, feature_table[i]->name, "ok", NULL, rev);
	t_prune = apply_clock_ms();
	gen_prune_later(e, gen, old_gen);
	t_prune = apply_clock_ms() - t_prune;
	if (confirm_secs > 0) {
		e->confirm_rev = rev;
		e->confirm_deadline = (long long)time(NULL) + confirm_secs;
		e->arm_confirm_secs = confirm_secs;   /* engine_after_run, on the loop */
	}
	log_info("apply: revision %lld by %s %s (%zu feature(s) touched)%s", rev,
		 author ? author : "?", commit ? "in force" : "applied again",
		 json_array_size(res->touched),
		 confirm_secs > 0 ? ", waiting for confirmation" : "");
	{
		struct sbuf b;
		double sum[4] = { 0 };

		for (size_t k = 0; k < 4; k++)
			for (size_t i = 0; i < nf; i++)
				sum[k] += ms[k * nf + i];
		sbuf_init(&b);
		engine_step_time(&b, "validate", t_validate, NULL);
		engine_step_time(&b, "render", sum[0], ms);
		engine_step_time(&b, "compare", sum[1], ms + nf);
		engine_step_time(&b, "check", sum[2], ms + 2 * nf);
		engine_step_time(&b, "apply", sum[3], ms + 3 * nf);
		engine_step_time(&b, "health", t1, NULL);
		engine_step_time(&b, "store", t_store, NULL);
		engine_step_time(&b, "prune", t_prune, NULL);
		engine_step_time(&b, "total", apply_clock_ms() - t0, NULL);
		log_debug("apply: timings: %s", b.s);
		sbuf_free(&b);
	}
	rc = 0;
	goto out;

fail_state:
	log_err("apply failed: %s; restoring revision %lld", res->message, e->running_rev);
	engine_restore(e, old_gen, gen, touched, doc);
	goto out;
fail_files:
	log_err("apply failed: %s", res->message);
	rm_rf(gen);
out:
	sc_errors_free(&errs);
	json_decref(doc);
	free(gen);
	free(old_gen);
	free(changed);
	free(touched);
	free(ms);
	return rc;
}

int engine_confirm(struct engine *e, const char *author)
{
	if (!e->confirm_rev)
		return -1;
	store_set_state(e->store, e->confirm_rev, REV_APPLIED);
	log_info("apply: revision %lld confirmed by %s", e->confirm_rev, author ? author : "?");
	e->confirm_rev = 0;
	e->confirm_deadline = 0;
	if (e->env.loop)
		uv_timer_stop(&e->confirm_timer);
	return 0;
}

json_t *engine_status(struct engine *e)
{
	json_t *o = json_pack("{s:I, s:O}", "running", (json_int_t)e->running_rev, "features",
			      e->features);

	if (e->busy)
		json_object_set_new(o, "applying", json_pack("{s:s, s:I}", "author", e->busy_author,
							      "since", (json_int_t)e->busy_since));
	if (e->confirm_rev)
		json_object_set_new(o, "confirm", json_pack("{s:I, s:I, s:I}", "revision",
			(json_int_t)e->confirm_rev, "deadline", (json_int_t)e->confirm_deadline,
			"seconds_left", (json_int_t)(e->confirm_deadline - time(NULL))));
	return o;
}
