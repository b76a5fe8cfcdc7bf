/* The schema's root, lookups in it, and the defaults it fills in. */
#include <stdlib.h>
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

/* the values made at first start (schema_set_generated): their fields' defaults */
#define SCHEMA_GENERATED_MAX 8
static struct {
	const struct sc_field *field;
	char *json;
} schema_generated[SCHEMA_GENERATED_MAX];
static size_t schema_ngenerated;

void schema_set_generated(const struct sc_field *f, const char *json_text)
{
	for (size_t i = 0; i < schema_ngenerated; i++)
		if (schema_generated[i].field == f) {
			free(schema_generated[i].json);
			schema_generated[i].json = strdup(json_text);
			return;
		}
	if (schema_ngenerated < SCHEMA_GENERATED_MAX) {
		schema_generated[schema_ngenerated].field = f;
		schema_generated[schema_ngenerated++].json = strdup(json_text);
	}
}

/* The default of f as JSON text: its own, or the value generated for it. */
static const char *schema_def(const struct sc_field *f)
{
	if (f->def)
		return f->def;
	for (size_t i = 0; i < schema_ngenerated; i++)
		if (schema_generated[i].field == f)
			return schema_generated[i].json;
	return NULL;
}

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
		} else if (!v && (schema_def(f) || (stored && f->stored_def))) {
			json_t *d = json_loads(schema_def(f) ? schema_def(f) : f->stored_def,
					       JSON_DECODE_ANY, NULL);
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
		} else if (!v && (schema_def(f) || f->stored_def)) {
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
