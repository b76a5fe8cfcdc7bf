/*
 * http.request: the one method difosd-web calls for every /api/v1
 * request. Authentication, CSRF and routing are decided here, in the core.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/auth.h"
#include "core/util.h"

void api_header(struct api_req *r, const char *name, const char *value)
{
	json_object_set_new(r->headers, name, json_string(value));
}

void api_error(struct api_req *r, int status, const char *code, const char *path,
	       const json_t *value, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	json_t *e;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	e = json_pack("{s:s, s:s}", "code", code, "message", msg ? msg : code);
	if (path)
		json_object_set_new(e, "path", json_string(path));
	if (value)
		json_object_set(e, "value", (json_t *)value);
	free(msg);
	json_decref(r->out);
	r->out = json_pack("{s:o}", "error", e);
	r->status = status;
}

static int api_status_of(const char *reason)
{
	static const struct { const char *reason; int status; } map[] = {
		{ RPC_INVALID, 422 }, { RPC_BAD, 400 }, { RPC_NOTFOUND, 404 },
		{ RPC_CONFLICT, 409 }, { RPC_APPLY, 422 }, { RPC_INTERNAL, 500 },
	};

	for (size_t i = 0; reason && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].reason, reason))
			return map[i].status;
	return 500;
}

void api_rpc_error(struct api_req *r, json_t *error)
{
	json_t *data = json_object_get(error, "data"), *e;
	const char *reason = json_string_value(json_object_get(data, "reason"));
	const char *key;
	json_t *v;

	e = json_pack("{s:s, s:O}", "code", reason ? reason : RPC_INTERNAL, "message",
		      json_object_get(error, "message"));
	json_object_foreach(data, key, v)
		if (strcmp(key, "reason"))
			json_object_set(e, key, v);
	json_decref(r->out);
	r->out = json_pack("{s:o}", "error", e);
	r->status = api_status_of(reason);
}

void api_call(struct api_req *r, const char *method, json_t *params_stolen)
{
	json_t *err, *res = rpc_invoke(method, params_stolen, r->author, &err);

	json_decref(params_stolen);
	if (!res) {
		api_rpc_error(r, err);
		json_decref(err);
		return;
	}
	json_decref(r->out);
	r->out = res;
	r->status = r->route && r->route->ok_status ? r->route->ok_status : 200;
}

/* Matches "/tokens/{id}" against "/tokens/7"; a {param} segment lands in
 * r->query under its name. */
static bool api_match(const struct api_route *rt, struct api_req *r)
{
	const char *p = rt->pattern, *s = r->path;
	size_t plen = strlen(p);

	if (rt->flags & API_TAIL) {
		if (strncmp(s, p, plen) || (s[plen] && s[plen] != '/'))
			return false;
		r->tail = s + plen;
		return true;
	}
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}'), *se = strchrnul(s, '/');
			char *name = xstrndup(p + 1, (size_t)(pe - p - 1));
			json_object_set_new(r->query, name, json_stringn(s, (size_t)(se - s)));
			free(name);
			if (se == s)
				return false;
			p = pe + 1;
			s = se;
			continue;
		}
		if (*p++ != *s++)
			return false;
	}
	return !*p && !*s;
}

static const struct api_route *api_find(struct api_req *r, bool *path_known)
{
	*path_known = false;
	for (const struct api_route *rt = api_routes; rt->pattern; rt++) {
		json_t *saved = json_deep_copy(r->query);
		if (!api_match(rt, r)) {
			json_decref(r->query);
			r->query = saved;
			continue;
		}
		*path_known = true;
		if (!strcmp(rt->method, r->method)) {
			json_decref(saved);
			return rt;
		}
		json_decref(r->query);
		r->query = saved;
	}
	return NULL;
}

/* "a=1; __Host-difos_session=abc; b=2" -> "abc" */
static char *api_cookie_value(const char *header)
{
	const char *p = header;
	size_t n = strlen(AUTH_COOKIE);

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!strncmp(p, AUTH_COOKIE, n) && p[n] == '=') {
			const char *v = p + n + 1;
			return xstrndup(v, strcspn(v, "; "));
		}
		p = strchr(p, ';');
	}
	return NULL;
}

static bool api_mutating(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD");
}

/* A browser sends Origin on cross-origin and state-changing requests; it
 * must name this host. Scripts send none. */
static bool api_origin_ok(struct api_req *r)
{
	char *want;
	bool ok;

	if (!r->origin || !*r->origin)
		return true;
	if (!r->host)
		return false;
	want = xasprintf("https://%s", r->host);
	ok = !strcmp(r->origin, want);
	free(want);
	return ok;
}

static void api_authenticate(struct api_req *r)
{
	if (r->bearer) {
		char *name = auth_token_check(r->bearer);
		if (name) {
			snprintf(r->author, sizeof(r->author), "token:%s", name);
			free(name);
		}
		return;
	}
	if (r->cookie && (r->session = auth_session_find(r->cookie)))
		snprintf(r->author, sizeof(r->author), "%s", r->session->user);
}

static void api_dispatch(struct api_req *r)
{
	bool known;
	const struct api_route *rt = api_find(r, &known);

	if (!rt) {
		if (known)
			api_error(r, 405, "method_not_allowed", NULL, NULL, "%s is not allowed on %s",
				  r->method, r->path);
		else
			api_error(r, 404, "not_found", NULL, NULL, "no such endpoint: %s", r->path);
		return;
	}
	r->route = rt;
	if (!api_origin_ok(r)) {
		api_error(r, 403, "forbidden", NULL, NULL, "cross-origin request refused");
		return;
	}
	api_authenticate(r);
	if (r->bearer && !r->author[0]) {
		api_error(r, 401, "unauthorized", NULL, NULL, "the API token is not valid");
		return;
	}
	if (!(rt->flags & API_PUBLIC) && !r->author[0]) {
		api_error(r, 401, "unauthorized", NULL, NULL, "log in first (no valid session)");
		return;
	}
	if (api_mutating(r->method)) {
		if (r->session && !auth_csrf_ok(r->session, r->csrf)) {
			api_error(r, 403, "forbidden", NULL, NULL,
				  r->csrf && *r->csrf ? "the X-Auth-Token header is wrong" :
				  "the X-Auth-Token header is missing");
			return;
		}
		if (!r->author[0] && (!r->csrf || !*r->csrf)) {
			api_error(r, 403, "forbidden", NULL, NULL, "the X-Auth-Token header is missing");
			return;
		}
	}
	if (r->body_text && *r->body_text) {
		json_error_t jerr;
		if (!(r->body = json_loads(r->body_text, JSON_REJECT_DUPLICATES, &jerr))) {
			api_error(r, 400, "bad_request", NULL, NULL,
				  "malformed JSON body at line %d column %d: %s", jerr.line,
				  jerr.column, jerr.text);
			return;
		}
	}
	r->status = rt->ok_status ? rt->ok_status : 200;
	rt->fn(r);
}

static char *api_param(json_t *params, const char *key)
{
	const char *v = json_string_value(json_object_get(params, key));

	return v ? xstrdup(v) : NULL;
}

json_t *api_handle(const struct feature_env *env, json_t *params)
{
	struct api_req r = { .status = 200, .env = env };
	const char *path = json_string_value(json_object_get(params, "path"));
	const char *body = json_string_value(json_object_get(params, "body"));
	json_t *q = json_object_get(params, "query"), *resp;
	char *auth = api_param(params, "authorization");

	r.method = json_string_value(json_object_get(params, "method"));
	r.peer = json_string_value(json_object_get(params, "peer"));
	r.csrf = json_string_value(json_object_get(params, "csrf"));
	r.origin = json_string_value(json_object_get(params, "origin"));
	r.host = json_string_value(json_object_get(params, "host"));
	r.headers = json_object();
	r.query = json_object();
	{
		const char *k;
		json_t *v;
		json_object_foreach(q, k, v)
			if (json_is_string(v))
				json_object_set(r.query, k, v);
	}
	r.cookie = api_cookie_value(json_string_value(json_object_get(params, "cookie")));
	if (auth && !strncasecmp(auth, "Bearer ", 7))
		r.bearer = xstrdup(auth + 7);

	if (!r.method || !path || strncmp(path, API_PREFIX, strlen(API_PREFIX))) {
		api_error(&r, 400, "bad_request", NULL, NULL, "not an API request");
	} else if (body && strlen(body) > API_MAX_BODY) {
		api_error(&r, 413, "too_large", NULL, NULL, "the request body is larger than %d bytes",
			  API_MAX_BODY);
	} else {
		r.path = path + strlen(API_PREFIX);
		if (!*r.path)
			r.path = "/";
		r.body_text = body;
		api_dispatch(&r);
	}
	if (!r.out)
		r.out = json_object();
	resp = json_pack("{s:i, s:o, s:o}", "status", r.status, "headers", r.headers, "body", r.out);
	json_decref(r.query);
	json_decref(r.body);
	free(r.cookie);
	free(r.bearer);
	free(auth);
	return resp;
}

static json_t *api_http_request(struct rpc_call *c)
{
	if (!json_is_string(json_object_get(c->params, "method")) ||
	    !json_is_string(json_object_get(c->params, "path")))
		return rpc_fail(c, RPC_BAD, NULL, NULL, "http.request needs method and path");
	return api_handle(c->env, c->params);
}

const struct rpc_method api_methods[] = {
	{ "http.request", api_http_request, "internal: one REST request forwarded by difosd-web" },
	{ NULL, NULL, NULL },
};
