/*
 * The GUI's files, read into memory at start (before privileges are
 * dropped and the process is shut in an empty root). A request can only
 * ever name one of these entries: there is no path to walk.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "web/web.h"

#define WEB_MAX_FILES  256
#define WEB_MAX_TOTAL  (32 * 1024 * 1024)

static struct web_file files[WEB_MAX_FILES];
static size_t nfiles, total;

static const char *web_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" }, { ".json", "application/json" },
		{ ".svg", "image/svg+xml" }, { ".png", "image/png" }, { ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" }, { ".txt", "text/plain; charset=utf-8" },
		{ ".webmanifest", "application/manifest+json" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

bool web_path_ok(const char *path)
{
	if (!path || path[0] != '/' || strlen(path) > 255)
		return false;
	for (const char *p = path; *p; p++) {
		if (!(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-' || *p == '/'))
			return false;
		if (*p == '/' && (p[1] == '/' || p[1] == '.'))
			return false;   /* no "//", no "/.", hence no ".." segment */
	}
	return true;
}

static int web_add(const char *full, const char *rel)
{
	struct web_file *f;
	size_t len;
	char *data, *gzpath;

	if (nfiles >= WEB_MAX_FILES)
		return -1;
	if (!(data = file_read(full, &len)))
		return -1;
	f = &files[nfiles];
	f->path = xasprintf("/%s", rel);
	f->type = web_type(rel);
	f->data = data;
	f->len = len;
	f->immutable = !strncmp(rel, "assets/", 7);
	gzpath = xasprintf("%s.gz", full);
	f->gz = file_read(gzpath, &f->gz_len);
	free(gzpath);
	total += len + f->gz_len;
	if (total > WEB_MAX_TOTAL)
		return -1;
	nfiles++;
	return 0;
}

static int web_walk(const char *dir, const char *rel, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -1;
	while (rc == 0 && (e = readdir(d))) {
		char *full, *r;
		struct stat st;
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || (n > 3 && !strcmp(e->d_name + n - 3, ".gz")))
			continue;
		full = xasprintf("%s/%s", dir, e->d_name);
		r = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth < 4)
			rc = web_walk(full, r, depth + 1);
		else if (S_ISREG(st.st_mode) && web_path_ok(strrchr(full, '/')))
			rc = web_add(full, r);
		free(full);
		free(r);
	}
	closedir(d);
	return rc;
}

int web_static_load(const char *dir)
{
	if (web_walk(dir, "", 0) < 0) {
		/* the API still serves; the GUI answers 404 until it is built */
		log_warn("web: cannot load the GUI from %s", dir);
		return 0;
	}
	if (!web_static_find("/index.html"))
		log_warn("web: %s has no index.html (build the GUI: make gui)", dir);
	log_info("web: %zu GUI files, %zu bytes", nfiles, total);
	return 0;
}

const struct web_file *web_static_find(const char *path)
{
	if (!strcmp(path, "/"))
		path = "/index.html";
	if (!web_path_ok(path))
		return NULL;
	for (size_t i = 0; i < nfiles; i++)
		if (!strcmp(files[i].path, path))
			return &files[i];
	return NULL;
}
