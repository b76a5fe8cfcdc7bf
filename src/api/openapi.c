/*
 * The OpenAPI 3.1 document, generated from the route table and the
 * configuration schema, so the description cannot drift from the code.
 * Configuration paths are listed per section, object and collection; the
 * leaves below them are addressable the same way (see docs/rest-api.md).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/util.h"
#include "schema/schema.h"

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

static json_t *oa_operation(const struct api_route *rt, const char *summary, const char *ref,
			    bool body)
{
	json_t *op = json_pack("{s:s, s:{}}", "summary", summary, "responses");
	json_t *resp = json_object_get(op, "responses");
	char status[8];

	snprintf(status, sizeof(status), "%d", rt->ok_status ? rt->ok_status : 200);
	json_object_set_new(resp, status, oa_json(!strcmp(rt->method, "GET") ? ref : NULL, "success"));
	if (rt->rpc)
		json_object_set_new(op, "x-difos-method", json_string(rt->rpc));
	if (body)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:o}}}",
			"required", strcmp(rt->method, "POST") || ref, "content", "application/json",
			"schema", ref ? json_pack("{s:s}", "$ref", ref) : json_pack("{s:s}", "type", "object")));
	if (rt->flags & API_PUBLIC)
		json_object_set_new(op, "security", json_pack("[{}]"));
	else
		json_object_set_new(resp, "401", oa_error_response("no valid session or token"));
	if (strcmp(rt->method, "GET")) {
		json_object_set_new(resp, "403", oa_error_response("CSRF header missing or wrong"));
		json_object_set_new(resp, "400", oa_error_response("malformed JSON or parameters"));
	}
	if (rt->rpc && !strncmp(rt->rpc, "config.", 7)) {
		json_object_set_new(resp, "404", oa_error_response("no such path"));
		json_object_set_new(resp, "422", oa_error_response("a value failed validation"));
	}
	if (rt->rpc && (!strcmp(rt->rpc, "apply") || !strcmp(rt->rpc, "rollback"))) {
		json_object_set_new(resp, "409", oa_error_response("nothing to apply, or a confirm is pending"));
		json_object_set_new(resp, "422", oa_error_response("the apply failed and was rolled back"));
	}
	return op;
}

static void oa_add(json_t *paths, const char *path, const char *method, json_t *op)
{
	json_t *item = json_object_get(paths, path);
	char lower[8];
	size_t i;

	if (!item) {
		item = json_object();
		json_object_set_new(paths, path, item);
	}
	for (i = 0; method[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)(method[i] | 0x20);
	lower[i] = '\0';
	json_object_set_new(item, lower, op);
}

static const struct api_route *oa_route(const char *method)
{
	for (const struct api_route *rt = api_routes; rt->pattern; rt++)
		if ((rt->flags & API_TAIL) && !strcmp(rt->method, method))
			return rt;
	return NULL;
}

static void oa_id_param(json_t *op)
{
	json_object_set_new(op, "parameters", json_pack("[{s:s, s:s, s:b, s:{s:s}}]", "name", "id",
		"in", "path", "required", 1, "schema", "type", "integer"));
}

/* Walks the schema: an object gets GET/PUT/PATCH, a collection GET/POST
 * and its entries GET/PUT/DELETE. */
static void oa_config_paths(json_t *paths, json_t *node, const char *url, const char *ref)
{
	const char *kind = json_string_value(json_object_get(node, "x-difos-kind"));
	const char *title = json_string_value(json_object_get(node, "title"));
	char *sum;

	if (!strcmp(json_string_value(json_object_get(node, "type")) ?: "", "object") || !*url) {
		sum = xasprintf("%s", title ? title : *url ? url + 1 : "the whole document");
		oa_add(paths, *url ? url : "/config", "GET", oa_operation(oa_route("GET"), sum, ref, false));
		if (*url) {
			oa_add(paths, url, "PUT", oa_operation(oa_route("PUT"), sum, ref, true));
			oa_add(paths, url, "PATCH", oa_operation(oa_route("PATCH"), sum, NULL, true));
		}
		free(sum);
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(node, "properties"), k, v) {
			const char *vk = json_string_value(json_object_get(v, "x-difos-kind"));
			if (strcmp(vk ?: "", "object") && strcmp(vk ?: "", "collection") &&
			    strcmp(json_string_value(json_object_get(v, "type")) ?: "", "object"))
				continue;
			char *sub = xasprintf("%s/%s", *url ? url : "/config", k);
			char *subref = xasprintf("%s/properties/%s", ref, k);
			oa_config_paths(paths, v, sub, subref);
			free(sub);
			free(subref);
		}
	} else if (kind && !strcmp(kind, "collection")) {
		char *item = xasprintf("%s/{id}", url), *iref = xasprintf("%s/items", ref);
		sum = xasprintf("%s", title ? title : url);
		oa_add(paths, url, "GET", oa_operation(oa_route("GET"), sum, ref, false));
		oa_add(paths, url, "POST", oa_operation(oa_route("POST"), sum, iref, true));
		json_t *op = oa_operation(oa_route("GET"), sum, iref, false);
		oa_id_param(op);
		oa_add(paths, item, "GET", op);
		op = oa_operation(oa_route("PUT"), sum, iref, true);
		oa_id_param(op);
		oa_add(paths, item, "PUT", op);
		op = oa_operation(oa_route("DELETE"), sum, NULL, false);
		oa_id_param(op);
		oa_add(paths, item, "DELETE", op);
		free(sum);
		free(item);
		free(iref);
	}
}

json_t *api_openapi(void)
{
	json_t *schema = schema_export(), *paths = json_object(), *doc;

	json_object_del(schema, "$id");
	json_object_del(schema, "$schema");
	for (const struct api_route *rt = api_routes; rt->pattern; rt++) {
		json_t *op;
		if (rt->flags & API_TAIL)
			continue;
		op = oa_operation(rt, rt->summary, NULL,
				  strcmp(rt->method, "GET") && strcmp(rt->method, "DELETE"));
		if (strstr(rt->pattern, "{id}"))
			oa_id_param(op);
		if (!strcmp(rt->pattern, "/schema") || !strcmp(rt->pattern, "/openapi.json"))
			json_object_set_new(json_object_get(op, "responses"), "200",
					    oa_json(NULL, "a JSON document"));
		oa_add(paths, rt->pattern, rt->method, op);
	}
	oa_config_paths(paths, schema, "", "#/components/schemas/Config");
	doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:[{s:[]}, {s:[], s:[]}, {s:[]}], s:o}",
		"openapi", "3.1.0",
		"info", "title", "difos API", "version", "1",
		"description", "The JSON API of the difos router and PBX. Configuration changes are "
			       "staged, then applied with POST /apply (and confirmed).",
		"servers", "url", "/api/v1",
		"security", "token", "session", "csrf", "session",
		"paths", paths);
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

void api_openapi_route(struct api_req *r)
{
	json_decref(r->out);
	r->out = api_openapi();
}
