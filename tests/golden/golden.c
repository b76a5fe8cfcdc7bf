/*
 * Renderer golden files: for each case directory <dir>/cases/<case>/ the
 * configuration in input.json (missing settings filled with the schema
 * defaults) is rendered by every feature with fixed paths, and each file
 * is compared byte for byte with <case>/expected/<feature>/<file>.
 *
 *   golden <dir>                     compare; a unified diff on mismatch
 *   UPDATE_GOLDENS=1 golden <dir>    (re)write the expected files
 *
 * An expected file the renderers no longer produce is a failure (removed
 * when updating). input.json must be valid: goldens only hold configs
 * the validator accepts. One test per case; the closing line is
 * "golden: N passed, N failed".
 */
#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply/feature.h"
#include "core/files.h"
#include "core/util.h"
#include "schema/schema.h"

extern char **environ;

/* fixed paths, so the rendered files do not depend on the machine */
static const struct feature_env golden_env = {
	.paths = {
		.root = "/", .run = "/run/difos", .state = "/var/lib/difos",
		.active = "/run/difos/active", .etc = "/etc", .libexec = "/usr/libexec/difos",
		.socket = "/run/difos/control.sock", .resolv = "/run/difos/wan/resolv.conf",
	},
};

static bool update_mode;

/* One rendered file: "<feature>/<name>" and its bytes. */
struct produced {
	char *rel;
	char *data;
};

struct produced_list {
	struct produced *v;
	size_t n, cap;
};

static void produced_add(struct produced_list *l, char *rel, char *data)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].rel = rel;
	l->v[l->n].data = data;
	l->n++;
}

static void produced_free(struct produced_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].rel);
		free(l->v[i].data);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool produced_has(const struct produced_list *l, const char *rel)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].rel, rel))
			return true;
	return false;
}

/* Runs diff -u between two files; its output goes to stdout. */
static void show_diff(const char *expected, const char *label_a, const char *actual,
		      const char *label_b)
{
	char *const argv[] = { "diff", "-u", "--label", (char *)label_a, "--label",
			       (char *)label_b, (char *)expected, (char *)actual, NULL };
	pid_t pid;
	int st, rc;

	fflush(stdout);
	fflush(stderr);
	rc = posix_spawnp(&pid, "diff", NULL, NULL, argv, environ);
	if (rc != 0) {
		printf("    (cannot run diff: %s)\n", strerror(rc));
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Shows how the rendered bytes differ from the expected file (or /dev/null). */
static void show_mismatch(const char *expected_path, bool exists, const char *rel,
			  const char *data)
{
	char tmp[] = "/tmp/difos-golden-XXXXXX";
	int fd = mkstemp(tmp);
	char *la, *lb;
	size_t len = strlen(data), off = 0;

	if (fd < 0) {
		printf("    (cannot create a temporary file: %s)\n", strerror(errno));
		return;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
	la = xasprintf("expected/%s", rel);
	lb = xasprintf("rendered/%s", rel);
	show_diff(exists ? expected_path : "/dev/null", la, tmp, lb);
	unlink(tmp);
	free(la);
	free(lb);
}

/* Collects the files under dir (relative to base) into names. */
static void list_files(const char *dir, const char *rel, json_t *names)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *path, *sub;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		sub = rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			list_files(path, sub, names);
		else
			json_array_append_new(names, json_string(sub));
		free(path);
		free(sub);
	}
	closedir(d);
}

/* Removes directories left empty under expected/ (after removing stale files). */
static void prune_empty_dirs(const char *dir, bool keep_self)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *path;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			prune_empty_dirs(path, false);
		free(path);
	}
	closedir(d);
	if (!keep_self)
		rmdir(dir); /* fails, harmlessly, when not empty */
}

static int write_expected(const char *path, const char *data)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc;

	if (slash)
		*slash = '\0';
	mkdir_p(dir, 0755);
	free(dir);
	rc = file_write_atomic(path, data, strlen(data), 0644);
	return rc;
}

/* Renders every feature; false (with a message) on a renderer failure. */
static bool render_all(const json_t *doc, struct produced_list *out, const char *name)
{
	bool ok = true;

	for (size_t i = 0; i < feature_count(); i++) {
		const struct feature *f = feature_table[i];
		struct render_out r = { 0 };
		struct feature_ctx ctx = { .env = &golden_env, .doc = doc };

		if (!f->render)
			continue;
		if (f->render(&ctx, &r) != 0) {
			printf("  %s: feature %s cannot render: %s\n", name, f->name,
			       ctx.err ? ctx.err : "(no message)");
			ok = false;
		} else {
			for (size_t j = 0; j < r.n; j++) {
				produced_add(out, xasprintf("%s/%s", f->name, r.v[j].name),
					     r.v[j].data);
				r.v[j].data = NULL; /* moved */
			}
		}
		free(ctx.err);
		render_out_free(&r);
	}
	return ok;
}

static bool run_case(const char *cases_dir, const char *name)
{
	char *case_dir = xasprintf("%s/%s", cases_dir, name);
	char *input = xasprintf("%s/input.json", case_dir);
	char *expected_dir = xasprintf("%s/expected", case_dir);
	struct produced_list out = { 0 };
	struct sc_error_list errs;
	json_error_t jerr;
	json_t *doc, *existing;
	bool ok = true;
	int updated = 0, removed = 0;

	sc_errors_init(&errs);
	doc = json_load_file(input, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		printf("  %s: input.json: %s\n", name,
		       doc ? "is not a JSON object" : jerr.text);
		ok = false;
		goto out;
	}
	/* the inputs are documents as the store keeps them, some older than
	 * the schema: upgraded as difosd upgrades what it reads */
	schema_upgrade(doc);
	schema_validate(doc, &errs);
	if (errs.n) {
		for (size_t i = 0; i < errs.n; i++)
			printf("  %s: input.json is invalid: %s\n", name, errs.v[i].message);
		ok = false;
		goto out;
	}
	if (!render_all(doc, &out, name)) {
		ok = false;
		goto out;
	}

	for (size_t i = 0; i < out.n; i++) {
		char *path = xasprintf("%s/%s", expected_dir, out.v[i].rel);
		size_t len = 0;
		char *want = file_read(path, &len);
		bool same = want && len == strlen(out.v[i].data) &&
			    memcmp(want, out.v[i].data, len) == 0;

		if (update_mode) {
			if (!same) {
				if (write_expected(path, out.v[i].data) < 0) {
					printf("  %s: cannot write %s: %s\n", name, path,
					       strerror(errno));
					ok = false;
				} else {
					printf("  %s: wrote expected/%s\n", name, out.v[i].rel);
					updated++;
				}
			}
		} else if (!want) {
			printf("  %s: expected/%s is missing; rendered:\n", name, out.v[i].rel);
			show_mismatch(path, false, out.v[i].rel, out.v[i].data);
			ok = false;
		} else if (!same) {
			printf("  %s: %s differs from expected:\n", name, out.v[i].rel);
			show_mismatch(path, true, out.v[i].rel, out.v[i].data);
			ok = false;
		}
		free(want);
		free(path);
	}

	/* expected files that no renderer produces any more */
	existing = json_array();
	list_files(expected_dir, "", existing);
	for (size_t i = 0; i < json_array_size(existing); i++) {
		const char *rel = json_string_value(json_array_get(existing, i));
		char *path;

		if (produced_has(&out, rel))
			continue;
		path = xasprintf("%s/%s", expected_dir, rel);
		if (update_mode) {
			if (unlink(path) == 0) {
				printf("  %s: removed expected/%s (no longer rendered)\n", name, rel);
				removed++;
			} else {
				printf("  %s: cannot remove %s: %s\n", name, path, strerror(errno));
				ok = false;
			}
		} else {
			printf("  %s: expected/%s is not rendered any more\n", name, rel);
			ok = false;
		}
		free(path);
	}
	json_decref(existing);
	if (update_mode) {
		prune_empty_dirs(expected_dir, true);
		if (!updated && !removed)
			printf("  %s: expected files up to date\n", name);
	}

out:
	sc_errors_free(&errs);
	json_decref(doc);
	produced_free(&out);
	free(expected_dir);
	free(input);
	free(case_dir);
	return ok;
}

static int case_filter(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	const char *env = getenv("UPDATE_GOLDENS");
	struct dirent **names = NULL;
	char *cases_dir;
	int n, passed = 0, failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: golden <tests/golden directory>\n"
				"       UPDATE_GOLDENS=1 golden <dir> rewrites the expected files\n");
		return 2;
	}
	update_mode = env && *env && strcmp(env, "0") != 0;
	feature_schema_init();
	cases_dir = xasprintf("%s/cases", argv[1]);
	n = scandir(cases_dir, &names, case_filter, alphasort);
	if (n <= 0) {
		fprintf(stderr, "golden: no cases in %s: %s\n", cases_dir,
			n < 0 ? strerror(errno) : "empty");
		free(cases_dir);
		free(names);
		return 1;
	}
	if (update_mode)
		printf("golden: UPDATE_GOLDENS is set: rewriting the expected files in %s\n",
		       cases_dir);
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", cases_dir, names[i]->d_name);
		struct stat st;

		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (run_case(cases_dir, names[i]->d_name)) {
				passed++;
				printf("ok %s\n", names[i]->d_name);
			} else {
				failed++;
				printf("not ok %s\n", names[i]->d_name);
			}
		}
		free(path);
		free(names[i]);
	}
	free(names);
	free(cases_dir);
	printf("golden: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
