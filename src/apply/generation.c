/*
 * Generations: each apply renders every feature into a fresh directory
 * under <state>/gen; the "active" link names the one in force. Unchanged
 * files are hard links to the previous generation's, so comparing two
 * generations is mostly comparing inodes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/engine_int.h"
#include "core/lock.h"
#include "core/files.h"
#include "core/util.h"

void gen_prune_forget(struct engine *e)
{
	free(e->prune_keep[0]);
	free(e->prune_keep[1]);
	e->prune_keep[0] = e->prune_keep[1] = NULL;
}

char *gen_new(struct engine *e)
{
	char *dir;

	for (;;) {
		dir = xasprintf("%s/gen/%lld-%d", e->env.paths.state, (long long)time(NULL),
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
static int gen_put_file(const char *path, const char *old_path, const char *data, mode_t mode)
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

static int gen_write(const char *dir, const char *old_dir, const struct render_out *out)
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
		/* engine files are root's and their group's (an engine that drops
		 * to its own user gets the group), never world-readable: they
		 * name clients, addresses and, for some engines, secrets */
		rc = gen_put_file(path, old, out->v[i].data,
				  (out->v[i].mode ? out->v[i].mode : 0644) & ~(mode_t)0007);
		free(path);
		free(old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

char *gen_active(struct engine *e)
{
	char buf[4096];
	ssize_t n = readlink(e->env.paths.active, buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

int gen_render_all(struct engine *e, const json_t *doc, const char *gen,
		   struct apply_result *res, double *ms)
{
	char *old_gen = gen_active(e);
	int rc = 0;

	for (size_t i = 0; i < feature_count() && rc == 0; i++) {
		const struct feature *f = feature_table[i];
		struct render_out out = { 0 };
		struct feature_ctx ctx = { .env = &e->env, .doc = doc };
		char *err = NULL, *dir, *old_dir;
		double t0 = apply_clock_ms();

		if (!f->render)
			continue;
		rc = f->render(&ctx, &out);
		err = ctx.err;
		if (rc == 0) {
			dir = xasprintf("%s/%s", gen, f->name);
			old_dir = old_gen ? xasprintf("%s/%s", old_gen, f->name) : NULL;
			rc = gen_write(dir, old_dir, &out);
			free(dir);
			free(old_dir);
			if (rc < 0)
				err = xasprintf("cannot write files: %s", strerror(-rc));
		}
		render_out_free(&out);
		if (ms)
			ms[i] = apply_clock_ms() - t0;
		if (rc)
			apply_fail(res, "render", f->name, "%s: %s", f->name, err ? err : "render failed");
		free(err);
	}
	free(old_gen);
	return rc ? -1 : 0;
}

int gen_switch(struct engine *e, const char *target)
{
	char *tmp = xasprintf("%s.new", e->env.paths.active);
	int rc = 0;

	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, e->env.paths.active) < 0)
		rc = -errno;
	free(tmp);
	return rc;
}

/* Removes generations other than the ones named (keeps the disk bounded). */
void gen_prune(struct engine *e, const char *keep1, const char *keep2)
{
	char *dir = xasprintf("%s/gen", e->env.paths.state);
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

static void gen_prune_cb(uv_timer_t *t)
{
	struct engine *e = t->data;

	core_enter();
	/* a run under way renders a generation not named here: it prunes
	 * when it ends */
	if (!e->busy) {
		gen_prune(e, e->prune_keep[0], e->prune_keep[1]);
		gen_prune_forget(e);
	}
	core_leave();
}

/* Removing files of old generations is no part of a change: with a loop
 * it runs on the loop's next turn, after the answer went out (timers run
 * before the next request is read); engine_after_run arms it. */
void gen_prune_later(struct engine *e, const char *keep1, const char *keep2)
{
	if (!e->env.loop) {
		gen_prune(e, keep1, keep2);
		return;
	}
	gen_prune_forget(e);
	e->prune_keep[0] = keep1 ? xstrdup(keep1) : NULL;
	e->prune_keep[1] = keep2 ? xstrdup(keep2) : NULL;
	e->prune_due = true;
}

void gen_prune_arm(struct engine *e)
{
	if (e->prune_due && e->env.loop)
		uv_timer_start(&e->prune_timer, gen_prune_cb, 0, 0);
	e->prune_due = false;
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

bool gen_feature_changed(const char *old_gen, const char *new_gen, const char *name)
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

