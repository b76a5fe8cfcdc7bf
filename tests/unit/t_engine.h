/*
 * An apply engine for unit tests: the dry system backend (every command
 * recorded in its journal, none run), no event loop, a store and the
 * files under a temporary root. One per test program: st, sys and eng.
 */
#ifndef DIFOS_T_ENGINE_H
#define DIFOS_T_ENGINE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/root.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/store.h"

static char t_root[] = "/tmp/difos-test-XXXXXX";
static struct store *st;
static struct sys *sys;
static struct engine eng;

/* engine_init with the paths difosd sets besides those under the root */
static inline void t_engine_setup(struct engine *e)
{
	engine_init(e, st, sys, NULL);
	e->env.paths.libexec = "/usr/libexec/difos";
	e->env.paths.socket = "/run/difos/control.sock";
}

/* The root, a store holding the defaults as revision 0, the dry backend,
 * the engine and the supervisor; nothing applied yet. Exits on failure. */
static inline void t_engine_open(void)
{
	char *dbdir, *dbpath;
	json_t *defaults;

	if (!mkdtemp(t_root)) {
		perror("mkdtemp");
		exit(1);
	}
	root_set(t_root);
	feature_schema_init();
	dbdir = root_path("/var/lib/difos");
	mkdir_p(dbdir, 0755);
	dbpath = root_path("/var/lib/difos/config.db");
	if (store_open(dbpath, &st) < 0) {
		fprintf(stderr, "cannot open the store %s\n", dbpath);
		exit(1);
	}
	defaults = schema_defaults();
	store_init(st, defaults);
	json_decref(defaults);
	sys = sys_dry_new();
	t_engine_setup(&eng);
	sv_init(&eng.env, NULL);
	free(dbdir);
	free(dbpath);
}

static inline void t_engine_close(void)
{
	sv_shutdown();
	engine_free(&eng);
	store_close(st);
	sys_free(sys);
	rm_rf(t_root);
}

/* ---- the journal of the dry backend ---- */

static inline size_t jmark(void)
{
	return sys->journal.len;
}

/* The journal from a mark on. */
static inline const char *jsince(size_t mark)
{
	return sys->journal.s + mark;
}

/* Offset (from the journal start) of the first line at or after `from`
 * that contains needle, or -1. */
static inline long jfind(size_t from, const char *needle)
{
	const char *s = sys->journal.s + from;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *line = xmalloc(len + 1);
		bool hit;

		memcpy(line, s, len);
		line[len] = '\0';
		hit = strstr(line, needle) != NULL;
		free(line);
		if (hit)
			return (long)(s - sys->journal.s);
		s += len + (nl ? 1 : 0);
	}
	return -1;
}

static inline bool jhas(size_t from, const char *needle)
{
	return jfind(from, needle) >= 0;
}

/* True when match(line, arg) holds for a line at or after from (line: the
 * rest of the journal from that line's start). */
static inline bool jany_line(size_t from, bool (*match)(const char *line, const void *arg),
			     const void *arg)
{
	for (const char *s = jsince(from); *s;) {
		const char *nl = strchr(s, '\n');

		if (match(s, arg))
			return true;
		if (!nl)
			break;
		s = nl + 1;
	}
	return false;
}

static inline bool t_starts_with(const char *line, const void *prefix)
{
	return !strncmp(line, prefix, strlen(prefix));
}

/* A line starting with prefix (a full line when prefix ends in "\n"). */
static inline bool jhas_line_start(size_t from, const char *prefix)
{
	return jany_line(from, t_starts_with, prefix);
}

static inline void dump_journal(size_t from)
{
	fprintf(stderr, "    journal:\n");
	for (const char *s = jsince(from); *s;) {
		const char *nl = strchr(s, '\n');
		int len = nl ? (int)(nl - s) : (int)strlen(s);
		fprintf(stderr, "      | %.*s\n", len, s);
		s += len + (nl ? 1 : 0);
	}
}

#endif
