/* The schema's root, lookups in it, and the defaults it fills in. */
#include <string.h>

#include "schema/schema.h"
#include "store/jpath.h"

static const struct sc_field *schema_root_field;

const struct sc_field *schema_root(void)
{
	return schema_root_field;
}

void schema_set_root(const struct sc_field *root)
{
	schema_root_field = root;
}

const struct sc_field *schema_member(const struct sc_field *obj, const char *name)
{
	if (!obj || !obj->fields)
		return NULL;
	for (const struct sc_field *f = obj->fields; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

const struct sc_field *schema_lookup(const char *path)
{
	struct jpath p;
	const struct sc_field *f = schema_root_field;

	if (!jpath_parse(path, &p))
		return NULL;
	for (int i = 0; i < p.n && f; i++) {
		if (f->kind != SC_OBJECT && f->kind != SC_COLLECTION)
			return NULL;
		f = schema_member(f, p.step[i].name);
		if (f && p.step[i].id >= 0 && f->kind != SC_COLLECTION)
			return NULL;
	}
	return f;
}

/* ---- defaults ---- */

static void schema_fill_object(json_t *obj, const struct sc_field *of, bool stored)
{
	for (const struct sc_field *f = of->fields; f && f->name; f++) {
		json_t *v = json_object_get(obj, f->name);

		if (f->kind == SC_OBJECT) {
			if (!v) {
				v = json_object();
				json_object_set_new(obj, f->name, v);
			}
			if (json_is_object(v))
				schema_fill_object(v, f, stored);
		} else if (f->kind == SC_COLLECTION) {
			size_t i;
			json_t *el;
			if (!v) {
				v = json_array();
				json_object_set_new(obj, f->name, v);
			}
			json_array_foreach(v, i, el)
				if (json_is_object(el))
					schema_fill_object(el, f, stored);
		} else if (!v && (f->def || (stored && f->stored_def))) {
			json_t *d = json_loads(f->def ? f->def : f->stored_def, JSON_DECODE_ANY, NULL);
			if (d)
				json_object_set_new(obj, f->name, d);
		}
	}
}

/* Is every member schema_upgrade would add already there? */
static bool schema_object_filled(const json_t *obj, const struct sc_field *of)
{
	for (const struct sc_field *f = of->fields; f && f->name; f++) {
		const json_t *v = json_object_get(obj, f->name);
		size_t i;
		json_t *el;

		if (f->kind == SC_OBJECT) {
			if (!v || (json_is_object(v) && !schema_object_filled(v, f)))
				return false;
		} else if (f->kind == SC_COLLECTION) {
			if (!v)
				return false;
			json_array_foreach(v, i, el)
				if (json_is_object(el) && !schema_object_filled(el, f))
					return false;
		} else if (!v && (f->def || f->stored_def)) {
			return false;
		}
	}
	return true;
}

bool schema_has_defaults(const json_t *doc)
{
	return !schema_root_field || !json_is_object(doc) ||
	       schema_object_filled(doc, schema_root_field);
}

void schema_fill_defaults(json_t *doc)
{
	if (schema_root_field && json_is_object(doc))
		schema_fill_object(doc, schema_root_field, false);
}

void schema_upgrade(json_t *doc)
{
	if (schema_root_field && json_is_object(doc))
		schema_fill_object(doc, schema_root_field, true);
}

json_t *schema_defaults(void)
{
	json_t *doc = json_object();

	schema_fill_defaults(doc);
	return doc;
}
