/*
 * The endpoints of the REST API are the REST entries of the method table:
 * a request is matched against them, and its query, path and body become
 * the method's parameters by the shape its endpoint declares. The
 * configuration tree is served as resources below /config: the rest of
 * the URL is a document path.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/util.h"

struct route_find {
	struct api_req *r;
	const struct rpc_rest *found;
	bool known;
	json_t *captured;   /* {name} segments of the endpoint found */
};

/* Matches "/tokens/{id}" against "/tokens/7" ({name} segments into
 * captured); a document-path endpoint matches its prefix (the rest in *tail). */
static bool route_match(const struct rpc_rest *rt, const char *path, const char **tail,
			json_t *captured)
{
	const char *p = rt->path, *s = path;
	size_t plen = strlen(p);

	if (rt->shape != REST_ARGS) {
		if (strncmp(s, p, plen) || (s[plen] && s[plen] != '/'))
			return false;
		*tail = s + plen;
		return true;
	}
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}'), *se = strchrnul(s, '/');
			char *name;
			if (se == s)
				return false;
			name = xstrndup(p + 1, (size_t)(pe - p - 1));
			json_object_set_new(captured, name, json_stringn(s, (size_t)(se - s)));
			free(name);
			p = pe + 1;
			s = se;
			continue;
		}
		if (*p++ != *s++)
			return false;
	}
	return !*p && !*s;
}

static void route_try(const struct rpc_method *m, void *arg)
{
	struct route_find *f = arg;

	for (size_t i = 0; !f->found && i < RPC_REST_MAX && m->rest[i].verb; i++) {
		const struct rpc_rest *rt = &m->rest[i];
		const char *tail = NULL;
		json_t *captured = json_object();

		if (route_match(rt, f->r->path, &tail, captured)) {
			f->known = true;
			if (!strcmp(rt->verb, f->r->method)) {
				f->found = rt;
				f->r->rpc = m;
				f->r->rest = rt;
				f->r->tail = tail;
				f->captured = json_incref(captured);
			}
		}
		json_decref(captured);
	}
}

const struct rpc_rest *api_route_find(struct api_req *r, bool *path_known)
{
	struct route_find f = { .r = r };
	const char *k;
	json_t *v;

	rpc_each(route_try, &f);
	*path_known = f.known;
	json_object_foreach(f.captured, k, v)
		json_object_set(r->query, k, v);
	json_decref(f.captured);
	return f.found;
}

char *api_config_path(const char *tail)
{
	struct sbuf b;
	const char *p = tail;

	sbuf_init(&b);
	while (*p) {
		size_t n;
		bool digits = true, key = true;
		if (*p == '/') {
			p++;
			continue;
		}
		n = strcspn(p, "/");
		for (size_t i = 0; i < n; i++) {
			digits &= isdigit((unsigned char)p[i]) != 0;
			key &= islower((unsigned char)p[i]) || isdigit((unsigned char)p[i]) || p[i] == '_';
		}
		if (digits && b.len && n < 12) {
			sbuf_printf(&b, "[%.*s]", (int)n, p);
		} else if (key && !digits && n < 64) {
			sbuf_printf(&b, "%s%.*s", b.len ? "." : "", (int)n, p);
		} else {
			sbuf_free(&b);
			return NULL;
		}
		p += n;
	}
	return sbuf_steal(&b);
}

/* The query as parameters, each value read as its parameter's kind (the
 * method refuses names it does not take). false with the answer set. */
static bool route_query_params(struct api_req *r, json_t *params)
{
	const char *k;
	json_t *v;

	json_object_foreach(r->query, k, v) {
		const struct sc_field *p = rpc_param(r->rpc, k);
		char why[256];
		json_t *typed = p ? rpc_param_from_text(p, json_string_value(v), why, sizeof(why)) :
				    json_incref(v);
		if (!typed) {
			api_error(r, 422, "invalid", k, v, "%s: %s %s", k, json_string_value(v), why);
			return false;
		}
		json_object_set_new(params, k, typed);
	}
	return true;
}

static bool route_need_body(struct api_req *r)
{
	if (!r->body)
		api_error(r, 400, "bad_request", NULL, NULL, "%s needs a JSON body", r->method);
	return r->body != NULL;
}

/* REST_ARGS: the query for reads and deletes, the body object otherwise. */
static json_t *route_args(struct api_req *r)
{
	json_t *params = json_object();

	if (!strcmp(r->method, "GET") || !strcmp(r->method, "DELETE")) {
		if (route_query_params(r, params))
			return params;
	} else if (!r->body || json_is_object(r->body)) {
		const char *k;
		json_t *v;
		json_object_update(params, r->body);
		/* the {name} segments of the path, read as their kinds */
		json_object_foreach(r->query, k, v) {
			const struct sc_field *p = rpc_param(r->rpc, k);
			json_t *typed = p ? rpc_param_from_text(p, json_string_value(v), NULL, 0) : NULL;
			json_object_set_new(params, k, typed ? typed : json_incref(v));
		}
		return params;
	} else {
		api_error(r, 400, "bad_request", NULL, r->body, "the body must be a JSON object");
	}
	json_decref(params);
	return NULL;
}

/* The document path the URL names below the endpoint; NULL with the answer set. */
static char *route_doc_path(struct api_req *r, bool need_path)
{
	char *path = api_config_path(r->tail ? r->tail : "");

	if (!path) {
		api_error(r, 404, "not_found", NULL, NULL, "not a configuration path: %s", r->path);
		return NULL;
	}
	if (need_path && !*path) {
		free(path);
		api_error(r, 405, "method_not_allowed", NULL, NULL,
			  "%s needs a path below %s", r->method, r->rest->path);
		return NULL;
	}
	return path;
}

static json_t *route_doc(struct api_req *r)
{
	bool read = !strcmp(r->method, "GET");
	char *path = route_doc_path(r, !read);
	json_t *params;

	if (!path)
		return NULL;
	params = json_object();
	if (read && !route_query_params(r, params)) {
		json_decref(params);
		params = NULL;
	} else {
		json_object_set_new(params, "path", json_string(path));
	}
	free(path);
	return params;
}

static json_t *route_doc_value(struct api_req *r)
{
	char *path = route_doc_path(r, true);
	json_t *params = NULL;

	if (path && route_need_body(r))
		params = json_pack("{s:s, s:O}", "path", path, "value", r->body);
	free(path);
	return params;
}

/* PATCH {key: value, ...}: every key set below the path, in one step */
static json_t *route_doc_keys(struct api_req *r)
{
	char *path = route_doc_path(r, false);
	json_t *changes, *v;
	const char *k;

	if (!path || !route_need_body(r)) {
		free(path);
		return NULL;
	}
	if (!json_is_object(r->body) || !json_object_size(r->body)) {
		api_error(r, 400, "bad_request", NULL, r->body,
			  "PATCH needs an object of {key: value} to set below %s", *path ? path : "/");
		free(path);
		return NULL;
	}
	changes = json_array();
	json_object_foreach(r->body, k, v) {
		char *p = xasprintf("%s%s%s", path, *path ? "." : "", k);
		json_array_append_new(changes, json_pack("{s:s, s:O}", "path", p, "value", v));
		free(p);
	}
	free(path);
	return json_pack("{s:o}", "changes", changes);
}

/* How each shape makes the parameters (NULL: the answer is set already). */
static json_t *(*const route_shapes[])(struct api_req *r) = {
	[REST_ARGS] = route_args,
	[REST_DOC_PATH] = route_doc,
	[REST_DOC_VALUE] = route_doc_value,
	[REST_DOC_KEYS] = route_doc_keys,
};

void api_route_call(struct api_req *r)
{
	json_t *params = route_shapes[r->rest->shape](r);

	if (params)
		api_call(r, r->rpc->name, params);
}
