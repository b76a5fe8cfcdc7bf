/*
 * The OpenAPI 3.1 document, made from the method table (each REST entry
 * with its method's parameters and result) and the configuration schema,
 * so the description cannot drift from the code. Configuration paths are
 * listed per section, object and collection; the leaves below them are
 * addressable the same way (see docs/rest-api.md).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/util.h"
#include "schema/schema.h"

static bool oa_reads(const struct rpc_rest *rt)
{
	return !strcmp(rt->verb, "GET") || !strcmp(rt->verb, "DELETE");
}

static json_t *oa_error_response(const char *what)
{
	return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", what, "content",
			 "application/json", "schema", "$ref", "#/components/schemas/Error");
}

static json_t *oa_json(const char *ref_or_null, const char *desc)
{
	json_t *schema = ref_or_null ? json_pack("{s:s}", "$ref", ref_or_null) : json_object();

	return json_pack("{s:s, s:{s:{s:o}}}", "description", desc, "content",
			 "application/json", "schema", schema);
}

/* The answers an endpoint may give, besides its success. */
static void oa_errors(json_t *resp, const struct rpc_method *m, const struct rpc_rest *rt)
{
	if (m->access != RPC_PUBLIC)
		json_object_set_new(resp, "401", oa_error_response("no valid session or token"));
	json_object_set_new(resp, "400", oa_error_response("malformed JSON or parameters"));
	if (m->access != RPC_PUBLIC && m->access != RPC_READ)
		json_object_set_new(resp, "403", oa_error_response(
			strcmp(rt->verb, "GET") ? "CSRF header missing or wrong, or an API token "
			"whose scope does not reach it (x-difos-access)" : "an API token whose "
			"scope does not reach it (x-difos-access)"));
	if (strcmp(rt->verb, "GET")) {
		if (!json_object_get(resp, "403"))
			json_object_set_new(resp, "403", oa_error_response("CSRF header missing or wrong"));
		if (!rt->handler)
			json_object_set_new(resp, "409", oa_error_response("not possible now (nothing "
				"staged, a confirm pending)"));
	}
	if (rt->shape != REST_ARGS || strchr(rt->path, '{'))
		json_object_set_new(resp, "404", oa_error_response("no such path or entry"));
	if (m->params || rt->shape != REST_ARGS)
		json_object_set_new(resp, "422", oa_error_response("a value failed validation"));
}

static json_t *oa_operation(const struct rpc_method *m, const struct rpc_rest *rt,
			    const char *summary, const char *ref)
{
	json_t *op = json_pack("{s:s, s:s, s:{}}", "summary", summary, "description",
			       m->result ? m->result : "", "responses");
	json_t *resp = json_object_get(op, "responses");
	char status[8];

	snprintf(status, sizeof(status), "%d", rt->ok_status ? rt->ok_status : 200);
	json_object_set_new(resp, status, oa_json(!strcmp(rt->verb, "GET") ? ref : NULL,
						  m->result ? m->result : "success"));
	json_object_set_new(op, "x-difos-method", json_string(m->name));
	/* who may call it: read, config, admin (the API token scopes reaching
	 * them), session (a login only), public */
	json_object_set_new(op, "x-difos-access", json_string(rpc_access_name(m->access)));
	if (rt->flags & REST_WS)
		json_object_set_new(op, "x-difos-websocket", json_true());
	if (m->access == RPC_PUBLIC)
		json_object_set_new(op, "security", json_pack("[{}]"));
	oa_errors(resp, m, rt);
	return op;
}

static void oa_add(json_t *paths, const char *path, const char *verb, json_t *op)
{
	json_t *item = json_object_get(paths, path);
	char lower[8];
	size_t i;

	if (!item) {
		item = json_object();
		json_object_set_new(paths, path, item);
	}
	for (i = 0; verb[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)(verb[i] | 0x20);
	lower[i] = '\0';
	json_object_set_new(item, lower, op);
}

static void oa_param(json_t *op, const char *name, const char *in, bool required, json_t *schema)
{
	json_t *list = json_object_get(op, "parameters");

	if (!list) {
		list = json_array();
		json_object_set_new(op, "parameters", list);
	}
	json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:o}", "name", name, "in", in,
					      "required", required, "schema", schema));
}

/* {name} segments of the path, then (reads) the query or (writes) the body */
static void oa_args(json_t *op, const struct rpc_method *m, const struct rpc_rest *rt)
{
	struct sc_field obj = { .name = "params", .kind = SC_OBJECT, .fields = m->params };

	for (const struct sc_field *p = m->params; p && p->name; p++) {
		char *seg = xasprintf("{%s}", p->name);
		bool in_path = strstr(rt->path, seg) != NULL;

		free(seg);
		if (in_path)
			oa_param(op, p->name, "path", true, schema_export_of(p));
		else if (oa_reads(rt))
			oa_param(op, p->name, "query", (p->flags & SC_F_REQUIRED) != 0,
				 schema_export_of(p));
	}
	if (!oa_reads(rt) && m->params)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:o}}}", "required", 0,
			"content", "application/json", "schema", schema_export_of(&obj)));
}

struct oa_walk {
	json_t *paths;
	const struct rpc_method *doc_m[5];   /* the document-path endpoints, by verb */
	const struct rpc_rest *doc_rt[5];
};

static const char *const oa_doc_verbs[5] = { "GET", "PUT", "PATCH", "POST", "DELETE" };

static void oa_method(const struct rpc_method *m, void *arg)
{
	struct oa_walk *w = arg;

	for (size_t i = 0; i < RPC_REST_MAX && m->rest[i].verb; i++) {
		const struct rpc_rest *rt = &m->rest[i];
		json_t *op;

		if (rt->shape != REST_ARGS) {
			for (size_t v = 0; v < ARRAY_SIZE(oa_doc_verbs); v++)
				if (!strcmp(oa_doc_verbs[v], rt->verb)) {
					w->doc_m[v] = m;
					w->doc_rt[v] = rt;
				}
			continue;
		}
		op = oa_operation(m, rt, rt->summary ? rt->summary : m->help, NULL);
		oa_args(op, m, rt);
		oa_add(w->paths, rt->path, rt->verb, op);
	}
}

/* A document-path endpoint at url, for the node (ref) it reads or writes. */
static void oa_doc_op(struct oa_walk *w, const char *verb, const char *url, const char *sum,
		      const char *ref, bool body, bool id)
{
	size_t v;
	json_t *op;

	for (v = 0; v < ARRAY_SIZE(oa_doc_verbs) && strcmp(oa_doc_verbs[v], verb); v++)
		;
	if (v == ARRAY_SIZE(oa_doc_verbs) || !w->doc_m[v])
		return;
	op = oa_operation(w->doc_m[v], w->doc_rt[v], sum, ref);
	if (body)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:o}}}",
			"required", 1, "content", "application/json", "schema",
			ref ? json_pack("{s:s}", "$ref", ref) : json_pack("{s:s}", "type", "object")));
	if (id)
		oa_param(op, "id", "path", true, json_pack("{s:s}", "type", "integer"));
	oa_add(w->paths, url, verb, op);
}

/* Walks the schema: an object gets GET/PUT/PATCH, a collection GET/POST
 * and its entries GET/PUT/DELETE. */
static void oa_config_paths(struct oa_walk *w, json_t *node, const char *url, const char *ref)
{
	const char *kind = json_string_value(json_object_get(node, "x-difos-kind"));
	const char *title = json_string_value(json_object_get(node, "title"));
	const char *k;
	json_t *v;
	char *sum;

	if (!strcmp(json_string_value(json_object_get(node, "type")) ?: "", "object") || !*url) {
		sum = xstrdup(title ? title : *url ? url + 1 : "the whole document");
		oa_doc_op(w, "GET", *url ? url : "/config", sum, ref, false, false);
		if (*url) {
			oa_doc_op(w, "PUT", url, sum, ref, true, false);
			oa_doc_op(w, "PATCH", url, sum, NULL, true, false);
		}
		free(sum);
		json_object_foreach(json_object_get(node, "properties"), k, v) {
			const char *vk = json_string_value(json_object_get(v, "x-difos-kind"));
			char *sub, *subref;
			if (strcmp(vk ?: "", "object") && strcmp(vk ?: "", "collection") &&
			    strcmp(json_string_value(json_object_get(v, "type")) ?: "", "object"))
				continue;
			sub = xasprintf("%s/%s", *url ? url : "/config", k);
			subref = xasprintf("%s/properties/%s", ref, k);
			oa_config_paths(w, v, sub, subref);
			free(sub);
			free(subref);
		}
	} else if (kind && !strcmp(kind, "collection")) {
		char *item = xasprintf("%s/{id}", url), *iref = xasprintf("%s/items", ref);
		sum = xstrdup(title ? title : url);
		oa_doc_op(w, "GET", url, sum, ref, false, false);
		oa_doc_op(w, "POST", url, sum, iref, true, false);
		oa_doc_op(w, "GET", item, sum, iref, false, true);
		oa_doc_op(w, "PUT", item, sum, iref, true, true);
		oa_doc_op(w, "DELETE", item, sum, NULL, false, true);
		free(sum);
		free(item);
		free(iref);
	}
}

json_t *api_openapi(void)
{
	json_t *schema = schema_export(), *doc;
	struct oa_walk w = { .paths = json_object() };

	json_object_del(schema, "$id");
	json_object_del(schema, "$schema");
	rpc_each(oa_method, &w);
	oa_config_paths(&w, schema, "", "#/components/schemas/Config");
	doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:[{s:[]}, {s:[], s:[]}, {s:[]}], s:o}",
		"openapi", "3.1.0",
		"info", "title", "difos API", "version", "1",
		"description", "The JSON API of the difos router and PBX. Configuration changes are "
			       "staged, then applied with POST /apply (and confirmed).",
		"servers", "url", "/api/v1",
		"security", "token", "session", "csrf", "session",
		"paths", w.paths);
	json_object_set_new(doc, "components", json_pack("{s:{s:o, s:o}, s:{s:o, s:o, s:o}}",
		"schemas",
		"Config", schema,
		"Error", json_pack("{s:s, s:[s], s:{s:{s:s, s:[s], s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{}, s:{s:s}}}}}",
			"type", "object", "required", "error", "properties", "error", "type", "object",
			"required", "code", "properties",
			"code", "type", "string", "message", "type", "string", "path", "type", "string",
			"value", "errors", "type", "array"),
		"securitySchemes",
		"session", json_pack("{s:s, s:s, s:s}", "type", "apiKey", "in", "cookie", "name",
				     "__Host-difos_session"),
		"csrf", json_pack("{s:s, s:s, s:s}", "type", "apiKey", "in", "header", "name",
				  "X-Auth-Token"),
		"token", json_pack("{s:s, s:s}", "type", "http", "scheme", "bearer")));
	return doc;
}

static json_t *openapi_method(struct rpc_call *c)
{
	(void)c;
	return api_openapi();
}

const struct rpc_method api_openapi_methods[] = {
	{ "openapi", openapi_method, "this API as OpenAPI 3.1", "State", NULL,
	  "the OpenAPI document", RPC_PUBLIC,
	  .rest = { { "GET", "/openapi.json" } } },
	{ NULL }
};
