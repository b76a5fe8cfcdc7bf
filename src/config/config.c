/*
 * config.*: read and stage changes. A change is validated against the
 * whole document before it is staged: invalid input stages nothing and
 * the error names the path and quotes the value.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "config/methods.h"
#include "core/print.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/diff.h"
#include "store/jpath.h"
#include "store/store.h"

/*
 * The document a change starts from: the staged one, or the running one.
 * It shares every member with its base (a shallow copy): the caller calls
 * jpath_unshare for the path it changes, so only the objects on that path
 * are copied and the base, read-only by design, stays as it was. A base
 * missing defaults (staged before an upgrade added fields) is copied whole
 * instead, since filling it would change it.
 */
json_t *config_working_doc(struct engine *eng)
{
	const json_t *base = store_staged_peek(eng->store);

	if (!base)
		base = eng->running;
	/* the running document and one staged here are complete by making */
	if (base == eng->running || base == eng->validated ||
	    schema_has_defaults(base))
		return json_copy((json_t *)base);
	json_t *doc = json_deep_copy(base);
	schema_upgrade(doc);
	return doc;
}

static bool config_path(struct rpc_call *c, struct jpath *p, const char **text)
{
	*text = rpc_str(c, "path");
	if (!*text)
		*text = "";
	if (!jpath_parse(*text, p)) {
		rpc_fail(c, RPC_BAD, *text, NULL, "%s: is not a valid path", *text);
		return false;
	}
	return true;
}

/* Validates and stages doc (stolen); returns the result of the call or NULL. */
static json_t *config_stage(struct rpc_call *c, json_t *doc, json_t *result)
{
	struct sc_error_list errs;

	sc_errors_init(&errs);
	schema_fill_defaults(doc);
	schema_validate(doc, &errs);
	if (errs.n) {
		rpc_fail(c, RPC_INVALID, errs.v[0].path, NULL, "%s", errs.v[0].message);
		if (errs.v[0].value)
			rpc_fail_data(c, "value", json_string(errs.v[0].value));
		rpc_fail_data(c, "errors", sc_errors_to_json(&errs));
		sc_errors_free(&errs);
		json_decref(doc);
		json_decref(result);
		return NULL;
	}
	sc_errors_free(&errs);
	/* staging what is already running is the same as having nothing staged */
	if (json_equal(doc, c->env->engine->running))
		store_discard(c->env->engine->store);
	else if (store_stage(c->env->engine->store, doc) < 0) {
		json_decref(doc);
		json_decref(result);
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot stage: %s",
				store_errmsg(c->env->engine->store));
	} else {
		engine_note_valid(c->env->engine, doc);
	}
	json_decref(doc);
	return result ? result : json_pack("{s:b}", "staged", 1);
}

static json_t *config_get(struct rpc_call *c)
{
	struct jpath p;
	const char *text;
	const json_t *doc;
	json_t *v, *masked, *res;
	bool running = json_is_true(json_object_get(c->params, "running"));

	if (!config_path(c, &p, &text))
		return NULL;
	/* both documents are complete (defaults filled) and read-only here */
	doc = running ? NULL : store_staged_peek(c->env->engine->store);
	masked = schema_mask_secrets(doc ? doc : c->env->engine->running);
	v = jpath_get(masked, &p);
	if (!v) {
		json_decref(masked);
		return rpc_fail(c, RPC_NOTFOUND, text, NULL, "%s: no such setting", text);
	}
	res = json_incref(v);
	json_decref(masked);
	return res;
}

/* value: typed JSON; or text: coerced by the field's type (the CLI's way) */
static json_t *config_value(struct rpc_call *c, const char *path)
{
	json_t *v = json_object_get(c->params, "value");
	const char *text = rpc_str(c, "text");
	const struct sc_field *f;
	char why[256];

	if (v)
		return json_incref(v);
	if (!text)
		return rpc_fail(c, RPC_BAD, path, NULL, "value or text is required");
	f = schema_lookup(path);
	if (!f)
		return rpc_fail(c, RPC_NOTFOUND, path, NULL, "%s: no such setting", path);
	v = sc_coerce_text(f, text, why, sizeof(why));
	if (!v)
		return rpc_fail(c, RPC_INVALID, path, json_string(text), "%s: %s %s", path, text, why);
	return v;
}

static json_t *config_set(struct rpc_call *c)
{
	struct jpath p;
	const char *text;
	json_t *doc, *value, *changes = json_object_get(c->params, "changes");

	/* several paths at once: a form saves all its fields in one step */
	if (json_is_array(changes)) {
		size_t i;
		json_t *ch;
		doc = config_working_doc(c->env->engine);
		json_array_foreach(changes, i, ch) {
			const char *ps = json_string_value(json_object_get(ch, "path"));
			json_t *val = json_object_get(ch, "value");
			bool ok = ps && val && jpath_parse(ps, &p) && schema_lookup(ps);
			if (ok) {
				jpath_unshare(doc, &p);
				ok = jpath_set(doc, &p, json_incref(val)) == 0;
			}
			if (!ok) {
				json_decref(doc);
				return rpc_fail(c, RPC_BAD, ps, NULL, "%s: cannot set this path",
						ps ? ps : "(missing path)");
			}
		}
		return config_stage(c, doc, NULL);
	}
	if (!config_path(c, &p, &text))
		return NULL;
	if (p.n == 0)
		return rpc_fail(c, RPC_BAD, "", NULL, "a path is required");
	if (!schema_lookup(text))
		return rpc_fail(c, RPC_NOTFOUND, text, NULL, "%s: no such setting", text);
	value = config_value(c, text);
	if (!value)
		return NULL;
	doc = config_working_doc(c->env->engine);
	jpath_unshare(doc, &p);
	if (jpath_set(doc, &p, value) < 0) {
		json_decref(doc);
		return rpc_fail(c, RPC_NOTFOUND, text, NULL, "%s: no such entry", text);
	}
	return config_stage(c, doc, NULL);
}

/* What a new entry left out and the router makes: SC_F_SEQUENCE fields
 * place it after the last one; a member with a generate function gets a
 * value of its own (a peer's key pair, made on the router). */
static void config_fill_new(const struct sc_field *coll_field, const json_t *coll,
			    json_t *value)
{
	for (const struct sc_field *m = coll_field->fields; m && m->name; m++) {
		long long top = 0;
		size_t i;
		json_t *el;

		if (json_object_get(value, m->name))
			continue;
		if (m->generate) {
			char *text = m->generate();
			json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

			if (text)
				sodium_memzero(text, strlen(text));
			free(text);
			if (v)
				json_object_set_new(value, m->name, v);
			continue;
		}
		if (!(m->flags & SC_F_SEQUENCE))
			continue;
		json_array_foreach(coll, i, el) {
			json_t *v = json_object_get(el, m->name);
			if (json_is_integer(v) && json_integer_value(v) > top)
				top = json_integer_value(v);
		}
		json_object_set_new(value, m->name, json_integer(top + 1));
	}
}

static json_t *config_add(struct rpc_call *c)
{
	struct jpath p;
	const char *text;
	const struct sc_field *f;
	json_t *doc, *coll, *value;
	long long id;

	if (!config_path(c, &p, &text))
		return NULL;
	f = schema_lookup(text);
	if (!f || f->kind != SC_COLLECTION || p.step[p.n - 1].id >= 0)
		return rpc_fail(c, RPC_NOTFOUND, text, NULL, "%s: is not a list of entries", text);
	value = config_value(c, text);
	if (!value)
		return NULL;
	if (!json_is_object(value)) {
		json_decref(value);
		return rpc_fail(c, RPC_BAD, text, NULL, "%s: a new entry must be an object", text);
	}
	doc = config_working_doc(c->env->engine);
	jpath_unshare(doc, &p);
	coll = jpath_get(doc, &p);
	if (!json_is_array(coll)) {
		coll = json_array();
		jpath_set(doc, &p, coll);
	}
	id = jpath_next_id(coll);
	json_object_set_new(value, "id", json_integer(id));
	config_fill_new(f, coll, value);
	json_array_append_new(coll, value);
	return config_stage(c, doc, json_pack("{s:I}", "id", (json_int_t)id));
}

static json_t *config_delete(struct rpc_call *c)
{
	struct jpath p;
	const char *text;
	json_t *doc;
	const struct sc_field *f;

	if (!config_path(c, &p, &text))
		return NULL;
	f = schema_lookup(text);
	if (!f || p.n == 0)
		return rpc_fail(c, RPC_NOTFOUND, text, NULL, "%s: no such setting", text);
	doc = config_working_doc(c->env->engine);
	jpath_unshare(doc, &p);
	if (jpath_delete(doc, &p) < 0) {
		json_decref(doc);
		return rpc_fail(c, RPC_NOTFOUND, text, NULL, "%s: no such entry", text);
	}
	return config_stage(c, doc, NULL);
}

static json_t *config_changes(struct rpc_call *c)
{
	const json_t *staged = store_staged_peek(c->env->engine->store);
	json_t *a, *b, *d;

	(void)c;
	if (!staged)
		return json_array();
	a = schema_mask_secrets(c->env->engine->running);
	b = schema_mask_secrets(staged);
	d = diff_docs(a, b);
	json_decref(a);
	json_decref(b);
	return d;
}

static json_t *config_discard(struct rpc_call *c)
{
	json_t *ch = config_changes(c);
	size_t n = json_array_size(ch);

	json_decref(ch);
	if (store_discard(c->env->engine->store) < 0)
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot discard: %s",
				store_errmsg(c->env->engine->store));
	return json_pack("{s:I}", "discarded", (json_int_t)n);
}

static json_t *config_validate(struct rpc_call *c)
{
	json_t *doc = json_object_get(c->params, "document"), *copy;
	struct sc_error_list errs;
	json_t *res;

	if (!json_is_object(doc))
		return rpc_fail(c, RPC_BAD, "document", NULL, "document must be an object");
	copy = json_deep_copy(doc);
	schema_fill_defaults(copy);
	sc_errors_init(&errs);
	schema_validate(copy, &errs);
	res = json_pack("{s:b, s:o}", "valid", errs.n == 0, "errors", sc_errors_to_json(&errs));
	sc_errors_free(&errs);
	json_decref(copy);
	return res;
}

static json_t *config_schema(struct rpc_call *c)
{
	(void)c;
	return schema_export();
}

#define CONFIG_PATH_PARAM { .name = "path", .kind = SC_STRING, .max = 512, .help = "a document " \
	"path: \"lan.dhcp.start\", \"dhcp.static_leases[3]\" (an entry by id); empty: the whole document" }

static const struct sc_field config_path_param[] = { CONFIG_PATH_PARAM, { .name = NULL } };

static const struct sc_field config_get_params[] = {
	CONFIG_PATH_PARAM,
	{ .name = "running", .kind = SC_BOOL, .help = "read the running revision, ignoring staged changes" },
	{ .name = NULL }
};

static const struct sc_field config_set_params[] = {
	CONFIG_PATH_PARAM,
	{ .name = "value", .kind = SC_JSON, .help = "the new value, typed JSON" },
	{ .name = "text", .kind = SC_TEXT, .max = 65536,
	  .help = "the new value as text, read as the field's kind (\"24\", \"on\", \"a,b\")" },
	{ .name = "changes", .kind = SC_JSON,
	  .help = "several at once, in one step: [{path, value}, ...]" },
	{ .name = NULL }
};

static const struct sc_field config_add_params[] = {
	CONFIG_PATH_PARAM,
	{ .name = "value", .kind = SC_OBJECT, .help = "the new entry (its id is given)" },
	{ .name = "text", .kind = SC_STRING, .max = 65536, .help = "the new entry as JSON text" },
	{ .name = NULL }
};

static const struct sc_field config_validate_params[] = {
	{ .name = "document", .kind = SC_OBJECT, .flags = SC_F_REQUIRED,
	  .help = "a whole configuration document" },
	{ .name = NULL }
};

#define CONFIG "Configuration"

const struct rpc_method config_methods[] = {
	{ "config.get", config_get, "read a path of the staged (or running) document", CONFIG,
	  config_get_params, "the value; secrets masked", RPC_READ,
	  .rest = { { "GET", "/config", REST_DOC_PATH,
		      .summary = "read a configuration path (staged value; ?running=1 for the running one)" } },
	  .cli = { "get", "path?", .usage = "[PATH]", .help = "show a setting (staged value if any)",
		   .print = print_value } },
	{ "config.set", config_set, "stage a new value for a path", CONFIG, config_set_params,
	  "{staged: true}", RPC_CONFIG,
	  .rest = { { "PUT", "/config", REST_DOC_VALUE, .summary = "replace the value at a path" },
		    { "PATCH", "/config", REST_DOC_KEYS,
		      .summary = "set several keys below a path in one step" } },
	  .cli = { "set", "path text", .usage = "PATH VALUE", .help = "stage a new value" } },
	{ "config.add", config_add, "stage a new entry in a collection", CONFIG, config_add_params,
	  "{id}: the new entry's id", RPC_CONFIG,
	  .rest = { { "POST", "/config", REST_DOC_VALUE, .ok_status = 201,
		      .summary = "add an entry to a collection" } },
	  .cli = { "add", .usage = "PATH [KEY=VALUE ...]",
		   .help = "stage a new entry in a list; prints its id", .run = config_cli_add } },
	{ "config.delete", config_delete, "stage the removal of a path or entry", CONFIG,
	  config_path_param, "{staged: true}", RPC_CONFIG,
	  .rest = { { "DELETE", "/config", REST_DOC_PATH,
		      .summary = "remove a path or a collection entry" } },
	  .cli = { "delete", "path", .help = "stage a removal, e.g. dhcp.static_leases[2]" } },
	{ "config.changes", config_changes, "staged changes against the running revision", CONFIG,
	  NULL, "[{op: added/removed/modified, path, old, new}]", RPC_READ,
	  .rest = { { "GET", "/changes" } },
	  .cli = { "changes", .print = config_print_staged } },
	{ "config.discard", config_discard, "drop the staged changes", CONFIG, NULL,
	  "{discarded: N}", RPC_CONFIG,
	  .rest = { { "DELETE", "/changes" } },
	  .cli = { "discard", .print = config_print_discarded } },
	{ "config.validate", config_validate, "validate a whole document", CONFIG,
	  config_validate_params, "{valid, errors: [{path, value, message}]}", RPC_READ,
	  .rest = { { "POST", "/validate" } } },
	{ "schema", config_schema, "the configuration schema as JSON Schema", CONFIG, NULL,
	  "JSON Schema (draft 2020-12) with x-difos-kind annotations", RPC_READ,
	  .rest = { { "GET", "/schema", .summary = "the configuration schema (JSON Schema)" } } },
	{ NULL }
};
