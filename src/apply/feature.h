/*
 * A feature is one area of the manual (LAN, WAN, DNS & DHCP, firewall,
 * ...). It owns its schema sections, a pure renderer, an engine checker,
 * an applier, a health check and its status. The apply engine walks the
 * feature table in order; adding a feature never edits the engine.
 */
#ifndef DIFOS_FEATURE_H
#define DIFOS_FEATURE_H

#include <jansson.h>
#include <stdbool.h>

#include "schema/schema.h"

struct sys;
struct rpc_method;

/* Files a renderer produces: name (relative to the feature's directory) and bytes. */
struct render_file {
	char *name;
	char *data;
	unsigned mode;
};

struct render_out {
	struct render_file *v;
	size_t n, cap;
};

void render_add(struct render_out *o, const char *name, unsigned mode, char *data_owned);
void render_out_free(struct render_out *o);
const char *render_get(const struct render_out *o, const char *name);

/*
 * Runtime facts given to renderers, as JSON:
 *   {"paths": {"root": "/", "run": "/run/difos", "state": "/var/lib/difos",
 *              "active": "/run/difos/active", "libexec": "/usr/libexec/difos"}}
 * Paths are already prefixed with --root. Goldens use fixed facts.
 */
struct apply_ctx {
	const json_t *doc;      /* configuration being applied */
	const json_t *old_doc;  /* configuration in force before (NULL at start) */
	const json_t *facts;
	const char *dir;        /* this feature's rendered files, in the active generation */
	const char *old_dir;    /* the files in force before (NULL at start) */
	struct sys *sys;
	bool boot;              /* first apply after difosd started: nothing is in force */
	char *err;              /* set on failure: the engine's own message */
};

/* A path of the facts ("run", "state", ...), or NULL. */
const char *facts_path(const json_t *facts, const char *key);

/* Does the rendered file name differ from the one in force (or is nothing in force)? */
bool apply_file_changed(const struct apply_ctx *ctx, const char *name);

struct feature {
	const char *name;
	const char *title;
	/* schema sections owned by this feature (NULL-terminated array of pointers) */
	const struct sc_field *const *sections;
	/* pure: document + facts -> files. Returns 0, or -1 with *err set. */
	int (*render)(const json_t *doc, const json_t *facts, struct render_out *out, char **err);
	/* checks the rendered files with the engine's own checker */
	int (*check)(const char *dir, struct sys *sys, char **err);
	/* makes the running system match; called only when rendered files changed (or at start) */
	int (*apply)(struct apply_ctx *ctx);
	/* after every feature applied: is it actually working? */
	int (*health)(struct apply_ctx *ctx);
	/* feature status for "status" (may be NULL) */
	json_t *(*status)(const json_t *doc);
	/* stops what the feature runs (shutdown) */
	void (*stop)(struct sys *sys);
	/* the feature's own JSON-RPC methods (NULL-terminated) */
	const struct rpc_method *methods;
};

/* registry.c: the table, in apply order (a feature comes after what it needs) */
extern const struct feature *const feature_table[];
size_t feature_count(void);
const struct feature *feature_find(const char *name);
/* Builds the root schema from every feature's sections. */
void feature_schema_init(void);

#endif
