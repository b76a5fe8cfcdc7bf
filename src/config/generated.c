/*
 * Values made once, at the first start, for this router only: the fields
 * with a `generate` function (the LAN's ULA prefix, RFC 4193's random
 * Global ID). Each is made when the store has none, kept in the store's
 * key/values ("generated:<path>") and from then on is its field's default:
 * a document missing it (revision 0, a section deleted to its defaults)
 * gets the same value, never a new one. The running document that lacks
 * it gets it as a revision of its own ("generated at first start"), right
 * after the factory defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/methods.h"
#include "core/log.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/jpath.h"
#include "store/store.h"

struct gen_walk {
	struct store *st;
	json_t *doc;        /* the running document, copied once it changes */
	const json_t *base;
	struct sbuf paths;  /* the paths given a value, for the comment */
	int failed;
};

static void gen_field(struct gen_walk *w, const struct sc_field *f, const char *path)
{
	char *key = xasprintf("generated:%s", path), *value = store_meta_get(w->st, key);
	struct jpath jp;
	json_t *v;

	if (!value) {
		value = f->generate();
		v = value ? json_loads(value, JSON_DECODE_ANY, NULL) : NULL;
		if (!v || store_meta_set(w->st, key, value) < 0) {
			log_err("cannot keep the generated value of %s", path);
			w->failed = 1;
			json_decref(v);
			goto out;
		}
		json_decref(v);
		/* a generated key is a secret: its value stays out of the log */
		log_info("generated %s: %s", path, (f->flags & SC_F_SECRET) ? "(secret)" : value);
	}
	schema_set_generated(f, value);
	if (w->base && jpath_parse(path, &jp) && !jpath_get((json_t *)w->base, &jp) &&
	    (v = json_loads(value, JSON_DECODE_ANY, NULL))) {
		if (!w->doc)
			w->doc = json_deep_copy(w->base);
		jpath_set(w->doc, &jp, v);
		sbuf_printf(&w->paths, "%s%s", w->paths.len ? ", " : "", path);
	}
out:
	free(value);
	free(key);
}

static void gen_object(struct gen_walk *w, const struct sc_field *obj, const char *path)
{
	for (const struct sc_field *f = obj->fields; f && f->name; f++) {
		char *p = *path ? xasprintf("%s.%s", path, f->name) : xstrdup(f->name);

		if (f->kind == SC_OBJECT)
			gen_object(w, f, p);
		else if (f->generate)
			gen_field(w, f, p);
		free(p);
	}
}

int config_generated_init(struct store *st)
{
	struct gen_walk w = { .st = st };
	long long running = store_running(st);
	json_t *base = running >= 0 ? store_revision_doc(st, running) : NULL;
	int rc = 0;

	w.base = base;
	sbuf_init(&w.paths);
	if (schema_root())
		gen_object(&w, schema_root(), "");
	if (w.doc) {
		char *comment = xasprintf("generated at first start: %s", w.paths.s);
		if (store_commit(st, w.doc, "system", comment, "applied") < 0)
			rc = -1;
		free(comment);
		json_decref(w.doc);
	}
	sbuf_free(&w.paths);
	json_decref(base);
	return w.failed || rc < 0 ? -1 : 0;
}
