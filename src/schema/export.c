/* The schema as JSON Schema, with the x-difos-* annotations the GUI reads. */
#include "schema/kind_int.h"
#include "schema/schema.h"

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
	if (f->unique_key) {
		json_t *keys = json_array();
		for (const char *const *k = f->unique_key; *k; k++)
			json_array_append_new(keys, json_string(*k));
		json_object_set_new(o, "x-difos-unique-key", json_pack("{s:o, s:s?}", "fields", keys,
									"says", f->unique_says));
	}
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

	if (!schema_root())
		return json_object();
	o = schema_export_object(schema_root(), false);
	json_object_set_new(o, "$schema",
			    json_string("https://json-schema.org/draft/2020-12/schema"));
	json_object_set_new(o, "$id", json_string("difos-config"));
	json_object_set_new(o, "title", json_string("difos configuration"));
	return o;
}
