#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/log.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/store.h"

void apply_result_free(struct apply_result *r)
{
	free(r->reason);
	free(r->feature);
	free(r->message);
	json_decref(r->errors);
	json_decref(r->touched);
	memset(r, 0, sizeof(*r));
}

static void engine_fail(struct apply_result *r, const char *reason, const char *feature,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Milliseconds of the monotonic clock, for the step timings at --debug. */
static double engine_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

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

static void engine_fail(struct apply_result *r, const char *reason, const char *feature,
			const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(r->reason);
	free(r->feature);
	free(r->message);
	r->reason = xstrdup(reason);
	r->feature = feature ? xstrdup(feature) : NULL;
	r->message = msg ? msg : xstrdup(reason);
	r->revision = -1;
}

static const char *engine_path(struct engine *e, const char *key)
{
	const struct feature_paths *p = &e->env.paths;

	return !strcmp(key, "run") ? p->run : !strcmp(key, "state") ? p->state : p->active;
}

static void engine_set_feature(struct engine *e, const char *name, const char *state,
			       const char *message, long long rev)
{
	json_object_set_new(e->features, name,
			    json_pack("{s:s, s:s, s:I, s:I}", "state", state, "message",
				      message ? message : "", "revision", (json_int_t)rev,
				      "time", (json_int_t)time(NULL)));
}

static void engine_confirm_cb(uv_timer_t *t);

static void engine_prune_forget(struct engine *e)
{
	free(e->prune_keep[0]);
	free(e->prune_keep[1]);
	e->prune_keep[0] = e->prune_keep[1] = NULL;
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
	e->features = json_object();
	dir = xasprintf("%s/gen", engine_path(e, "state"));
	mkdir_p(dir, 0755);
	free(dir);
	mkdir_p(engine_path(e, "run"), 0755);
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
	engine_prune_forget(e);
}

/* ---- generations ---- */

static char *engine_new_gen(struct engine *e)
{
	char *dir;

	for (;;) {
		dir = xasprintf("%s/gen/%lld-%d", engine_path(e, "state"), (long long)time(NULL),
				++e->gen_counter);
		if (mkdir(dir, 0755) == 0)
			return dir;
		if (errno != EEXIST) {
			free(dir);
			return NULL;
		}
		free(dir);
	}
}

/*
 * One file of a new generation. When the generation in force holds the
 * same bytes with the same mode under the same name, the new one is that
 * same file (a hard link): nothing is copied, and comparing the two
 * generations sees one inode. Large rendered files (address lists) rarely
 * change between applies. Nothing is synced: at boot the generation is
 * rendered again from the store, which is the durable record.
 */
static int engine_put_file(const char *path, const char *old_path, const char *data,
			   mode_t mode)
{
	size_t len = strlen(data);
	struct stat sb;

	if (old_path && stat(old_path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (size_t)sb.st_size == len && (sb.st_mode & 07777) == mode) {
		size_t olen = 0;
		char *old = file_read(old_path, &olen);
		bool same = old && olen == len && !memcmp(old, data, len);

		free(old);
		if (same && link(old_path, path) == 0)
			return 0;
	}
	return file_write(path, data, len, mode);
}

static int engine_write_render(const char *dir, const char *old_dir, const struct render_out *out)
{
	mkdir_p(dir, 0755);
	for (size_t i = 0; i < out->n; i++) {
		char *path = xasprintf("%s/%s", dir, out->v[i].name);
		char *old = old_dir ? xasprintf("%s/%s", old_dir, out->v[i].name) : NULL;
		char *slash = strrchr(path, '/');
		int rc;

		*slash = '\0';
		mkdir_p(path, 0755);
		*slash = '/';
		rc = engine_put_file(path, old, out->v[i].data,
				     out->v[i].mode ? out->v[i].mode : 0644);
		free(path);
		free(old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static char *engine_active_target(struct engine *e)
{
	char buf[4096];
	ssize_t n = readlink(engine_path(e, "active"), buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int engine_render_all(struct engine *e, const json_t *doc, const char *gen,
			     struct apply_result *res, double *ms)
{
	char *old_gen = engine_active_target(e);
	int rc = 0;

	for (size_t i = 0; i < feature_count() && rc == 0; i++) {
		const struct feature *f = feature_table[i];
		struct render_out out = { 0 };
		struct feature_ctx ctx = { .env = &e->env, .doc = doc };
		char *err = NULL, *dir, *old_dir;
		double t0 = engine_clock_ms();

		if (!f->render)
			continue;
		rc = f->render(&ctx, &out);
		err = ctx.err;
		if (rc == 0) {
			dir = xasprintf("%s/%s", gen, f->name);
			old_dir = old_gen ? xasprintf("%s/%s", old_gen, f->name) : NULL;
			rc = engine_write_render(dir, old_dir, &out);
			free(dir);
			free(old_dir);
			if (rc < 0)
				err = xasprintf("cannot write files: %s", strerror(-rc));
		}
		render_out_free(&out);
		if (ms)
			ms[i] = engine_clock_ms() - t0;
		if (rc)
			engine_fail(res, "render", f->name, "%s: %s", f->name, err ? err : "render failed");
		free(err);
	}
	free(old_gen);
	return rc ? -1 : 0;
}

static int engine_switch(struct engine *e, const char *target)
{
	char *tmp = xasprintf("%s.new", engine_path(e, "active"));
	int rc = 0;

	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, engine_path(e, "active")) < 0)
		rc = -errno;
	free(tmp);
	return rc;
}

/* Removes generations other than the ones named (keeps the disk bounded). */
static void engine_prune_gens(struct engine *e, const char *keep1, const char *keep2)
{
	char *dir = xasprintf("%s/gen", engine_path(e, "state"));
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *p;
		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if ((!keep1 || strcmp(p, keep1)) && (!keep2 || strcmp(p, keep2)))
			rm_rf(p);
		free(p);
	}
	if (d)
		closedir(d);
	free(dir);
}

static void engine_prune_cb(uv_timer_t *t)
{
	struct engine *e = t->data;

	engine_prune_gens(e, e->prune_keep[0], e->prune_keep[1]);
	engine_prune_forget(e);
}

/* Removing files of old generations is no part of a change: with a loop
 * it runs on the loop's next turn, after the answer went out (timers run
 * before the next request is read). */
static void engine_prune_later(struct engine *e, const char *keep1, const char *keep2)
{
	if (!e->env.loop) {
		engine_prune_gens(e, keep1, keep2);
		return;
	}
	engine_prune_forget(e);
	e->prune_keep[0] = keep1 ? xstrdup(keep1) : NULL;
	e->prune_keep[1] = keep2 ? xstrdup(keep2) : NULL;
	uv_timer_start(&e->prune_timer, engine_prune_cb, 0, 0);
}

bool apply_file_changed(const struct feature_ctx *ctx, const char *name)
{
	char *a, *b;
	bool changed;

	if (!ctx->old_dir)
		return true;
	a = xasprintf("%s/%s", ctx->old_dir, name);
	b = xasprintf("%s/%s", ctx->dir, name);
	changed = !file_equal(a, b);
	free(a);
	free(b);
	return changed;
}

static bool engine_feature_changed(const char *old_gen, const char *new_gen, const char *name)
{
	char *a, *b;
	bool changed;

	if (!old_gen)
		return true;
	a = xasprintf("%s/%s", old_gen, name);
	b = xasprintf("%s/%s", new_gen, name);
	changed = !dir_equal(a, b);
	free(a);
	free(b);
	return changed;
}

static int engine_apply_feature(struct engine *e, const struct feature *f, const json_t *doc,
				const json_t *old_doc, const char *old_gen, char **err)
{
	struct feature_ctx ctx = {
		.env = &e->env, .doc = doc, .old_doc = old_doc, .boot = !old_gen,
	};
	char *dir = xasprintf("%s/%s", engine_path(e, "active"), f->name);
	char *old_dir = old_gen ? xasprintf("%s/%s", old_gen, f->name) : NULL;
	int rc = 0;

	ctx.dir = dir;
	ctx.old_dir = old_dir;
	if (f->apply)
		rc = f->apply(&ctx);
	*err = ctx.err;
	free(dir);
	free(old_dir);
	return rc;
}

static int engine_health_feature(struct engine *e, const struct feature *f, const json_t *doc,
				 char **err)
{
	struct feature_ctx ctx = { .env = &e->env, .doc = doc };
	char *dir = xasprintf("%s/%s", engine_path(e, "active"), f->name);
	int rc = 0;

	ctx.dir = dir;
	if (f->health)
		rc = f->health(&ctx);
	*err = ctx.err;
	free(dir);
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
		engine_switch(e, old_gen);
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
static bool engine_applies(const struct feature *f)
{
	return f->render || f->apply;
}

static int engine_check_changed(struct engine *e, const char *old_gen, const char *gen,
				bool *changed, struct apply_result *res, double *cmp_ms, double *ms)
{
	for (size_t i = 0; i < feature_count(); i++) {
		const struct feature *f = feature_table[i];
		char *dir, *err = NULL;
		double t0 = engine_clock_ms();
		int rc = 0;

		changed[i] = engine_applies(f) && engine_feature_changed(old_gen, gen, f->name);
		cmp_ms[i] = engine_clock_ms() - t0;
		if (!changed[i] || !f->check)
			continue;
		t0 = engine_clock_ms();
		dir = xasprintf("%s/%s", gen, f->name);
		{
			struct feature_ctx ctx = { .env = &e->env, .dir = dir };
			rc = f->check(&ctx);
			err = ctx.err;
		}
		free(dir);
		ms[i] = engine_clock_ms() - t0;
		if (rc) {
			engine_fail(res, "check", f->name, "%s: %s", f->name, err ? err : "check failed");
			free(err);
			return -1;
		}
		free(err);
	}
	return 0;
}

/* commit: record a new revision; otherwise re-apply what is in force
 * (the running document rendered again, e.g. after a data file changed) */
void engine_note_valid(struct engine *e, json_t *doc)
{
	json_incref(doc);
	json_decref(e->validated);
	e->validated = doc;
}

static int engine_run(struct engine *e, const json_t *doc_in, const char *author,
		      const char *comment, int confirm_secs, bool commit, struct apply_result *res)
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
	double *ms = xcalloc(4 * nf, sizeof(double)), t0 = engine_clock_ms(), t1, t_validate, t_store;
	double t_prune;
	long long rev;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->revision = -1;
	res->touched = json_array();
	sc_errors_init(&errs);
	if (!doc) {
		doc = json_deep_copy(doc_in);
		schema_fill_defaults(doc);
	}
	if (!known_valid)
		schema_validate(doc, &errs);
	if (errs.n) {
		engine_fail(res, "invalid", NULL, "%s", errs.v[0].message);
		res->errors = sc_errors_to_json(&errs);
		goto out;
	}
	t_validate = engine_clock_ms() - t0;
	if (e->confirm_rev) {
		engine_fail(res, "pending", NULL, "revision %lld waits for confirmation; confirm "
			    "or let it roll back first", e->confirm_rev);
		goto out;
	}
	gen = engine_new_gen(e);
	if (!gen) {
		engine_fail(res, "render", NULL, "cannot create a generation directory: %s",
			    strerror(errno));
		goto out;
	}
	if (engine_render_all(e, doc, gen, res, ms) < 0)
		goto fail_files;
	old_gen = engine_active_target(e);
	if (engine_check_changed(e, old_gen, gen, changed, res, ms + nf, ms + 2 * nf) < 0)
		goto fail_files;
	if (engine_switch(e, gen) < 0) {
		engine_fail(res, "render", NULL, "cannot switch the active files: %s",
			    strerror(errno));
		goto fail_files;
	}
	if (e->test_pause_ms)
		usleep((useconds_t)e->test_pause_ms * 1000);
	for (size_t i = 0; i < nf; i++) {
		const struct feature *f = feature_table[i];
		char *err = NULL;

		if (!changed[i])
			continue;
		touched[i] = true;
		json_array_append_new(res->touched, json_string(f->name));
		t1 = engine_clock_ms();
		if (engine_apply_feature(e, f, doc, e->running, old_gen ? old_gen : gen, &err)) {
			engine_fail(res, "apply", f->name, "%s: %s", f->name, err ? err : "apply failed");
			free(err);
			goto fail_state;
		}
		ms[3 * nf + i] = engine_clock_ms() - t1;
		free(err);
	}
	t1 = engine_clock_ms();
	for (size_t i = 0; i < nf; i++) {
		const struct feature *f = feature_table[i];
		char *err = NULL;

		if (!changed[i])
			continue;
		if (engine_health_feature(e, f, doc, &err)) {
			engine_fail(res, "health", f->name, "%s: %s", f->name,
				    err ? err : "health check failed");
			free(err);
			goto fail_state;
		}
		free(err);
	}
	t1 = engine_clock_ms() - t1;
	t_store = engine_clock_ms();
	rev = !commit ? e->running_rev :
	      store_commit(e->store, doc, author, comment ? comment : "",
			   confirm_secs > 0 ? REV_PENDING : REV_APPLIED);
	t_store = engine_clock_ms() - t_store;
	if (rev < 0) {
		engine_fail(res, "store", NULL, "cannot record the revision: %s",
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
	t_prune = engine_clock_ms();
	engine_prune_later(e, gen, old_gen);
	t_prune = engine_clock_ms() - t_prune;
	if (confirm_secs > 0) {
		e->confirm_rev = rev;
		e->confirm_deadline = (long long)time(NULL) + confirm_secs;
		if (e->env.loop)
			uv_timer_start(&e->confirm_timer, engine_confirm_cb,
				       (uint64_t)confirm_secs * 1000, 0);
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
		engine_step_time(&b, "total", engine_clock_ms() - t0, NULL);
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

int engine_apply(struct engine *e, const json_t *doc, const char *author, const char *comment,
		 int confirm_secs, struct apply_result *res)
{
	return engine_run(e, doc, author, comment, confirm_secs, true, res);
}

int engine_refresh(struct engine *e, const char *author, struct apply_result *res)
{
	return engine_run(e, e->running, author, NULL, 0, false, res);
}

int engine_boot(struct engine *e)
{
	long long rev = store_running(e->store);
	char *gen, *old_gen;
	struct apply_result res = { 0 };
	int failures = 0;

	/* a revision still waiting for confirmation when difosd stopped was
	 * never confirmed: the one before it is what the user trusted */
	for (;;) {
		json_t *info = store_revision_info(e->store, rev);
		const char *state = json_string_value(json_object_get(info, "state"));
		bool pending = state && !strcmp(state, REV_PENDING);
		json_decref(info);
		if (!pending || rev <= 0)
			break;
		log_warn("boot: revision %lld was never confirmed; rolling back", rev);
		store_set_state(e->store, rev, REV_REVERTED);
		/* as after a confirm timeout: the unconfirmed work becomes staged */
		{
			const json_t *staged = store_staged_peek(e->store);
			json_t *unconfirmed = staged ? NULL : store_revision_doc(e->store, rev);
			if (unconfirmed)
				store_stage(e->store, unconfirmed);
			json_decref(unconfirmed);
		}
		do {
			rev--;
			info = store_revision_info(e->store, rev);
			state = json_string_value(json_object_get(info, "state"));
			pending = !state || strcmp(state, REV_APPLIED);
			json_decref(info);
		} while (pending && rev > 0);
		store_set_running(e->store, rev);
	}
	e->running = store_revision_doc(e->store, rev);
	if (!e->running) {
		log_err("boot: revision %lld is missing from the store", rev);
		return -1;
	}
	schema_fill_defaults(e->running);
	e->running_rev = rev;
	gen = engine_new_gen(e);
	if (!gen || engine_render_all(e, e->running, gen, &res, NULL) < 0) {
		log_err("boot: %s", res.message ? res.message : "cannot render");
		apply_result_free(&res);
		free(gen);
		return -1;
	}
	old_gen = engine_active_target(e);
	engine_switch(e, gen);
	for (size_t i = 0; i < feature_count(); i++) {
		const struct feature *f = feature_table[i];
		char *err = NULL;
		int rc;

		if (!engine_applies(f)) {
			engine_set_feature(e, f->name, "ok", NULL, rev);
			continue;
		}
		rc = engine_apply_feature(e, f, e->running, NULL, NULL, &err);

		if (rc == 0)
			rc = engine_health_feature(e, f, e->running, &err);
		if (rc) {
			log_err("boot: %s failed: %s", f->name, err ? err : "?");
			failures++;
		}
		engine_set_feature(e, f->name, rc ? "failed" : "ok", err, rev);
		free(err);
	}
	engine_prune_gens(e, gen, NULL);
	log_info("boot: revision %lld in force%s", rev, failures ? " with failures" : "");
	free(gen);
	free(old_gen);
	apply_result_free(&res);
	return failures ? -1 : 0;
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

int engine_revert_pending(struct engine *e, const char *why)
{
	long long bad = e->confirm_rev, prev;
	json_t *doc = NULL, *info;
	struct apply_result res;
	char *comment;
	int rc;

	if (!bad)
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
	comment = xasprintf("rollback: revision %lld %s", bad, why);
	rc = engine_apply(e, doc, "system", comment, 0, &res);
	if (rc == 0) {
		json_t *unconfirmed = store_revision_doc(e->store, bad);
		const json_t *staged = store_staged_peek(e->store);
		store_set_state(e->store, bad, REV_REVERTED);
		/* the user's work is not lost: the unconfirmed configuration
		 * becomes the staged one again, unless they staged new work */
		if (!staged && unconfirmed)
			store_stage(e->store, unconfirmed);
		json_decref(unconfirmed);
		log_warn("apply: revision %lld %s; revision %lld restored as %lld", bad, why, prev,
			 res.revision);
	} else {
		log_err("apply: rolling back revision %lld failed: %s", bad, res.message);
	}
	apply_result_free(&res);
	free(comment);
	json_decref(doc);
	return rc;
}

static void engine_confirm_cb(uv_timer_t *t)
{
	struct engine *e = t->data;

	engine_revert_pending(e, "was not confirmed in time");
}

json_t *engine_status(struct engine *e)
{
	json_t *o = json_pack("{s:I, s:O}", "running", (json_int_t)e->running_rev, "features",
			      e->features);

	if (e->confirm_rev)
		json_object_set_new(o, "confirm", json_pack("{s:I, s:I, s:I}", "revision",
			(json_int_t)e->confirm_rev, "deadline", (json_int_t)e->confirm_deadline,
			"seconds_left", (json_int_t)(e->confirm_deadline - time(NULL))));
	return o;
}
