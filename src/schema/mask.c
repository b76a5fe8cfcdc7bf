/* Secrets masked in what is read: only the objects that hold one are copied. */
#include "schema/schema.h"

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
	if (!schema_root())
		return json_incref((json_t *)doc);
	return schema_masked_object((json_t *)doc, schema_root());
}
