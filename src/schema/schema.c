/* The document walker: defaults, validation, lookup, masking, export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "schema/kind.h"
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

static const struct sc_field *schema_member(const struct sc_field *obj, const char *name)
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

static void schema_fill_object(json_t *obj, const struct sc_field *of)
{
	for (const struct sc_field *f = of->fields; f && f->name; f++) {
		json_t *v = json_object_get(obj, f->name);

		if (f->kind == SC_OBJECT) {
			if (!v) {
				v = json_object();
				json_object_set_new(obj, f->name, v);
			}
			if (json_is_object(v))
				schema_fill_object(v, f);
		} else if (f->kind == SC_COLLECTION) {
			size_t i;
			json_t *el;
			if (!v) {
				v = json_array();
				json_object_set_new(obj, f->name, v);
			}
			json_array_foreach(v, i, el)
				if (json_is_object(el))
					schema_fill_object(el, f);
		} else if (!v && f->def) {
			json_t *d = json_loads(f->def, JSON_DECODE_ANY, NULL);
			if (d)
				json_object_set_new(obj, f->name, d);
		}
	}
}

/* Is every member fill_defaults would add already there? */
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
		} else if (!v && f->def) {
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
		schema_fill_object(doc, schema_root_field);
}

json_t *schema_defaults(void)
{
	json_t *doc = json_object();

	schema_fill_defaults(doc);
	return doc;
}

/* ---- validation ---- */

/*
 * The walk keeps the path of the value at hand in one buffer, extended on
 * the way down and cut back on the way up: a document of thousands of
 * entries is checked without an allocation per member.
 */
struct schema_walk {
	const json_t *doc;
	struct sc_error_list *errs;
	char path[1024];
	size_t len;
	json_t *unique;   /* {set: {key: the entry that holds it}} of the unique fields */
};

/* Appends ".key" (or "key" at the top), or "[n]" / "[#n]" when key is
 * NULL (mark "#" or ""); returns the length to cut back to. Plain copies:
 * this runs for every member of the document. */
static void schema_path_add(struct schema_walk *w, const char *s, size_t n)
{
	if (n > sizeof(w->path) - 1 - w->len)
		n = sizeof(w->path) - 1 - w->len;
	memcpy(w->path + w->len, s, n);
	w->len += n;
	w->path[w->len] = '\0';
}

static size_t schema_path_push(struct schema_walk *w, const char *mark_text, const char *key,
			       long long n)
{
	size_t mark = w->len;
	char num[24], *d = num + sizeof(num);
	unsigned long long u = n < 0 ? 0 : (unsigned long long)n;

	if (key) {
		if (w->len)
			schema_path_add(w, ".", 1);
		schema_path_add(w, key, strlen(key));
		return mark;
	}
	*--d = ']';
	do
		*--d = (char)('0' + u % 10);
	while ((u /= 10));
	schema_path_add(w, "[", 1);
	schema_path_add(w, mark_text, strlen(mark_text));
	schema_path_add(w, d, (size_t)(num + sizeof(num) - d));
	return mark;
}

static void schema_path_pop(struct schema_walk *w, size_t mark)
{
	w->len = mark;
	w->path[mark] = '\0';
}

static void schema_check_value(struct schema_walk *w, const struct sc_field *f,
			       const json_t *v);

static void schema_check_ref(struct schema_walk *w, const struct sc_field *f, const json_t *v)
{
	struct jpath p;
	json_t *coll;

	if (!f->ref || !jpath_parse(f->ref, &p))
		return;
	coll = jpath_get((json_t *)w->doc, &p);
	if (!jpath_find_id(coll, json_integer_value(v), NULL))
		sc_error_addj(w->errs, w->path, v, "does not name an existing entry of %s", f->ref);
}

static void schema_check_scalar(struct schema_walk *w, const struct sc_field *f,
				enum sc_kind kind, const json_t *v)
{
	char why[256];

	if (!sc_check_scalar(f, kind, v, why, sizeof(why))) {
		sc_error_addj(w->errs, w->path, v, "%s", why);
		return;
	}
	if (kind == SC_REF)
		schema_check_ref(w, f, v);
}

static void schema_check_size(struct schema_walk *w, const struct sc_field *f, const json_t *v)
{
	long long n = (long long)json_array_size(v);

	if ((f->min || f->max) && n < f->min)
		sc_error_add(w->errs, w->path, NULL, "needs at least %lld entr%s", f->min,
			     f->min == 1 ? "y" : "ies");
	if ((f->min || f->max) && f->max && n > f->max)
		sc_error_add(w->errs, w->path, NULL, "has %lld entries, more than the maximum %lld",
			     n, f->max);
}

static void schema_check_object(struct schema_walk *w, const struct sc_field *of,
				const json_t *obj, bool element)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		sc_error_addj(w->errs, w->len ? w->path : "(document)", obj, "is not an object");
		return;
	}
	json_object_foreach((json_t *)obj, key, v) {
		const struct sc_field *f = schema_member(of, key);
		size_t mark = schema_path_push(w, NULL, key, 0);

		if (element && !strcmp(key, "id")) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				sc_error_addj(w->errs, w->path, v, "is not a positive integer id");
		} else if (!f) {
			sc_error_add(w->errs, w->path, NULL, "is not a known setting");
		} else {
			schema_check_value(w, f, v);
		}
		schema_path_pop(w, mark);
	}
	for (const struct sc_field *f = of->fields; f && f->name; f++) {
		if ((f->flags & SC_F_REQUIRED) && !json_object_get(obj, f->name)) {
			size_t mark = schema_path_push(w, NULL, f->name, 0);
			sc_error_add(w->errs, w->path, NULL, "is required");
			schema_path_pop(w, mark);
		}
	}
	if (of->check && w->errs->n == 0)
		of->check(obj, w->path, w->doc, w->errs);
}

static int schema_id_order(const void *a, const void *b)
{
	json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;

	return x < y ? -1 : x > y;
}

/* The set a unique member's values must be distinct in: its own name
 * (shared across collections), or the collection's path and the member. */
static json_t *schema_unique_set(struct schema_walk *w, const struct sc_field *m)
{
	char *name = m->unique ? xstrdup(m->unique) : xasprintf("%s.%s", w->path, m->name);
	json_t *set = json_object_get(w->unique, name);

	if (!set) {
		set = json_object();
		json_object_set_new(w->unique, name, set);
	}
	free(name);
	return set;
}

/* Later entries holding a value an earlier one holds are reported: the first stands. */
static void schema_check_unique(struct schema_walk *w, const struct sc_field *f, const json_t *v)
{
	for (const struct sc_field *m = f->fields; m && m->name; m++) {
		json_t *set, *el;
		size_t i;

		if (!(m->flags & SC_F_UNIQUE) && !m->unique)
			continue;
		set = schema_unique_set(w, m);
		json_array_foreach(v, i, el) {
			json_t *val = json_object_get(el, m->name), *id = json_object_get(el, "id");
			char key[256], why[256];
			const char *first;
			char *entry;

			if (!val || !json_is_integer(id) || !sc_check_scalar(m, m->kind, val, why, sizeof(why)))
				continue;
			sc_kind_key(m->kind, val, key, sizeof(key));
			entry = xasprintf("%s[%lld]", w->path, (long long)json_integer_value(id));
			first = json_string_value(json_object_get(set, key));
			if (first) {
				char *p = xasprintf("%s.%s", entry, m->name);
				sc_error_addj(w->errs, p, val, "%s %s",
					      m->unique_says ? m->unique_says : "is already used by", first);
				free(p);
			} else {
				json_object_set_new(set, key, json_string(entry));
			}
			free(entry);
		}
	}
}

/* A unique list: no item twice (the first stands). */
static void schema_check_list_unique(struct schema_walk *w, const struct sc_field *f,
				     const json_t *v)
{
	json_t *seen = json_object(), *item;
	size_t i;

	json_array_foreach(v, i, item) {
		char key[256], why[256];

		if (!sc_check_scalar(f, f->item, item, why, sizeof(why)))
			continue;
		sc_kind_key(f->item, item, key, sizeof(key));
		if (json_object_get(seen, key))
			sc_error_addj(w->errs, w->path, item, "is listed twice");
		else
			json_object_set_new(seen, key, json_true());
	}
	json_decref(seen);
}

static void schema_check_collection(struct schema_walk *w, const struct sc_field *f,
				    const json_t *v)
{
	size_t i, n = 0;
	json_t *el;
	json_int_t *ids;

	if (!json_is_array(v)) {
		sc_error_addj(w->errs, w->path, v, "is not a list");
		return;
	}
	schema_check_size(w, f, v);
	ids = xcalloc(json_array_size(v) + 1, sizeof(*ids));
	json_array_foreach(v, i, el) {
		json_t *jid = json_object_get(el, "id");
		size_t mark;

		if (!json_is_integer(jid) || json_integer_value(jid) <= 0) {
			mark = schema_path_push(w, "#", NULL, (long long)i + 1);
			sc_error_add(w->errs, w->path, NULL, "has no positive integer id");
			schema_path_pop(w, mark);
			continue;
		}
		ids[n++] = json_integer_value(jid);
		mark = schema_path_push(w, "", NULL, (long long)json_integer_value(jid));
		schema_check_object(w, f, el, true);
		schema_path_pop(w, mark);
	}
	schema_check_unique(w, f, v);
	/* each id once: sorted, a repeat sits next to its twin */
	qsort(ids, n, sizeof(*ids), schema_id_order);
	for (i = 1; i < n; i++) {
		if (ids[i] == ids[i - 1]) {
			json_t *jid = json_integer(ids[i]);
			sc_error_addj(w->errs, w->path, jid, "is used as id twice");
			json_decref(jid);
			while (i + 1 < n && ids[i + 1] == ids[i])
				i++;
		}
	}
	free(ids);
}

static void schema_check_value(struct schema_walk *w, const struct sc_field *f, const json_t *v)
{
	size_t i;
	json_t *item;

	switch (f->kind) {
	case SC_OBJECT:
		schema_check_object(w, f, v, false);
		break;
	case SC_COLLECTION:
		schema_check_collection(w, f, v);
		break;
	case SC_LIST:
		if (!json_is_array(v)) {
			sc_error_addj(w->errs, w->path, v, "is not a list");
			break;
		}
		schema_check_size(w, f, v);
		json_array_foreach(v, i, item)
			schema_check_scalar(w, f, f->item, item);
		if (f->flags & SC_F_UNIQUE)
			schema_check_list_unique(w, f, v);
		break;
	default:
		schema_check_scalar(w, f, f->kind, v);
	}
}

void schema_validate(const json_t *doc, struct sc_error_list *errs)
{
	struct schema_walk w = { .doc = doc, .errs = errs, .unique = json_object() };

	/* cross-field checks run only while no error was found before them,
	 * so a check can rely on well-typed values and the user sees the
	 * first cause, not its echoes */
	if (schema_root_field)
		schema_check_object(&w, schema_root_field, doc, false);
	json_decref(w.unique);
}

/* ---- masking ---- */

static json_t *schema_masked_object(json_t *obj, const struct sc_field *of);

/* A collection's elements masked; the array itself when none changed. */
static json_t *schema_masked_array(json_t *arr, const struct sc_field *of)
{
	json_t *out = NULL, *el;
	size_t i;

	json_array_foreach(arr, i, el) {
		json_t *m = schema_masked_object(el, of);
		if (m != el) {
			if (!out)
				out = json_copy(arr);
			json_array_set(out, i, m);
		}
		json_decref(m);
	}
	return out ? out : json_incref(arr);
}

/* obj masked (a new reference): a shallow copy with the members that
 * changed replaced, or obj itself when nothing under it is secret. */
static json_t *schema_masked_object(json_t *obj, const struct sc_field *of)
{
	json_t *out = NULL;

	if (!json_is_object(obj))
		return json_incref(obj);
	for (const struct sc_field *f = of->fields; f && f->name; f++) {
		json_t *v = json_object_get(obj, f->name), *m;

		if (!v)
			continue;
		if (f->flags & SC_F_SECRET)
			m = json_string("********");
		else if (f->kind == SC_OBJECT)
			m = schema_masked_object(v, f);
		else if (f->kind == SC_COLLECTION && json_is_array(v))
			m = schema_masked_array(v, f);
		else
			continue;
		if (m != v) {
			if (!out)
				out = json_copy(obj);
			json_object_set(out, f->name, m);
		}
		json_decref(m);
	}
	return out ? out : json_incref(obj);
}

json_t *schema_mask_secrets(const json_t *doc)
{
	if (!schema_root_field)
		return json_incref((json_t *)doc);
	return schema_masked_object((json_t *)doc, schema_root_field);
}

/* ---- JSON Schema export ---- */

static json_t *schema_export_field(const struct sc_field *f);

static void schema_export_limits(json_t *o, const struct sc_field *f, const char *minkey,
				 const char *maxkey)
{
	if (f->min || f->max) {
		json_object_set_new(o, minkey, json_integer(f->min));
		if (f->max)
			json_object_set_new(o, maxkey, json_integer(f->max));
	}
}

static json_t *schema_export_object(const struct sc_field *of, bool element)
{
	json_t *o = json_object(), *props = json_object(), *req = json_array();

	json_object_set_new(o, "type", json_string("object"));
	if (element)
		json_object_set_new(props, "id", json_pack("{s:s, s:i, s:b}", "type", "integer",
							    "minimum", 1, "readOnly", 1));
	for (const struct sc_field *f = of->fields; f && f->name; f++) {
		json_object_set_new(props, f->name, schema_export_field(f));
		if (f->flags & SC_F_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	json_object_set_new(o, "properties", props);
	/* the members in the order the forms show them (the declaration's) */
	{
		json_t *order = json_array();
		for (const struct sc_field *f = of->fields; f && f->name; f++)
			json_array_append_new(order, json_string(f->name));
		json_object_set_new(o, "x-difos-order", order);
	}
	if (json_array_size(req))
		json_object_set_new(o, "required", req);
	else
		json_decref(req);
	json_object_set_new(o, "additionalProperties", json_false());
	return o;
}

static json_t *schema_export_field(const struct sc_field *f)
{
	json_t *o;

	switch (f->kind) {
	case SC_OBJECT:
		o = schema_export_object(f, false);
		break;
	case SC_COLLECTION:
		o = json_object();
		json_object_set_new(o, "type", json_string("array"));
		json_object_set_new(o, "x-difos-kind", json_string("collection"));
		json_object_set_new(o, "items", schema_export_object(f, true));
		schema_export_limits(o, f, "minItems", "maxItems");
		break;
	case SC_LIST:
		o = json_object();
		json_object_set_new(o, "type", json_string("array"));
		json_object_set_new(o, "x-difos-kind", json_string("list"));
		json_object_set_new(o, "items", sc_kind_export(f, f->item, true));
		schema_export_limits(o, f, "minItems", "maxItems");
		break;
	default:
		o = sc_kind_export(f, f->kind, false);
	}
	json_object_set_new(o, "title", json_string(f->title ? f->title : f->name));
	if (f->help)
		json_object_set_new(o, "description", json_string(f->help));
	if (f->def) {
		json_t *d = json_loads(f->def, JSON_DECODE_ANY, NULL);
		if (d)
			json_object_set_new(o, "default", d);
	}
	if (f->flags & SC_F_SECRET) {
		json_object_set_new(o, "writeOnly", json_true());
		json_object_set_new(o, "x-difos-secret", json_true());
	}
	if ((f->flags & SC_F_UNIQUE) || f->unique)
		json_object_set_new(o, "x-difos-unique", json_string(f->unique ? f->unique :
				    f->kind == SC_LIST ? "items" : "collection"));
	if (f->when.field) {
		json_t *vals = json_array();
		for (const char *const *v = f->when.values; v && *v; v++)
			json_array_append_new(vals, json_string(*v));
		json_object_set_new(o, "x-difos-when", json_pack("{s:s, s:o}", "field", f->when.field,
								  "values", vals));
	}
	if (f->tab)
		json_object_set_new(o, "x-difos-tab", json_pack("{s:s, s:s}", "id", f->tab->id,
								 "title", f->tab->title));
	return o;
}

json_t *schema_export_of(const struct sc_field *f)
{
	return f->kind == SC_OBJECT && !f->fields ? json_pack("{s:s}", "type", "object") :
	       schema_export_field(f);
}

json_t *schema_export(void)
{
	json_t *o;

	if (!schema_root_field)
		return json_object();
	o = schema_export_object(schema_root_field, false);
	json_object_set_new(o, "$schema",
			    json_string("https://json-schema.org/draft/2020-12/schema"));
	json_object_set_new(o, "$id", json_string("difos-config"));
	json_object_set_new(o, "title", json_string("difos configuration"));
	return o;
}
