/*
 * http.request: the one method difosd-web calls for every /api/v1
 * request. Authentication, CSRF and routing are decided here, in the core;
 * the endpoints come from the method table (routes.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/auth.h"
#include "core/util.h"

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
		enum auth_scope scope = AUTH_SCOPE_READ;
		char *name = auth_token_check(r->bearer, &scope);
		if (name) {
			r->scope = scope;
			snprintf(r->author, sizeof(r->author), "token:%s", name);
			r->token = true;
			free(name);
		}
		return;
	}
	if (r->cookie && (r->session = auth_session_find(r->cookie)))
		snprintf(r->author, sizeof(r->author), "%s", r->session->user);
}

/* An API token reaches what its scope covers (auth/scope.c); a public
 * method's state change beyond it is made as nobody logged in. false with
 * the answer set when refused. */
static bool api_token_may(struct api_req *r)
{
	enum rpc_access a = r->rpc->access;
	const char *needs = auth_access_needs(a);

	switch (auth_token_reach((enum auth_scope)r->scope, a, api_mutating(r->method))) {
	case AUTH_AS_CALLER:
		return true;
	case AUTH_AS_NOBODY:
		r->author[0] = '\0';
		return true;
	case AUTH_REFUSED:
		break;
	}
	if (needs)
		api_error(r, 403, "forbidden", NULL, NULL,
			  "%s %s needs an API token of scope %s or more; this one is %s",
			  r->method, r->path, needs, auth_scope_name((enum auth_scope)r->scope));
	else
		api_error(r, 403, "forbidden", NULL, NULL,
			  "%s %s is for an interactive login only: an API token never manages "
			  "API tokens, the password or users", r->method, r->path);
	return false;
}

static void api_dispatch(struct api_req *r)
{
	bool known;
	const struct rpc_rest *rt;

	if (!api_host_ok(r))
		return;
	rt = api_route_find(r, &known);
	if (!rt) {
		if (known)
			api_error(r, 405, "method_not_allowed", NULL, NULL, "%s is not allowed on %s",
				  r->method, r->path);
		else
			api_error(r, 404, "not_found", NULL, NULL, "no such endpoint: %s", r->path);
		return;
	}
	if (!api_origin_ok(r)) {
		api_error(r, 403, "forbidden", NULL, NULL, "cross-origin request refused");
		return;
	}
	api_authenticate(r);
	if (r->bearer && !r->author[0]) {
		api_error(r, 401, "unauthorized", NULL, NULL, "the API token is not valid");
		return;
	}
	if (r->rpc->access != RPC_PUBLIC && !r->author[0]) {
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
	if (r->token && !api_token_may(r))
		return;
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
	if (rt->handler)
		rt->handler(r);
	else
		api_route_call(r);
}

static char *api_param(json_t *params, const char *key)
{
	const char *v = json_string_value(json_object_get(params, key));

	return v ? xstrdup(v) : NULL;
}

/* Reads the request's fields from the http.request parameters and runs it. */
static void api_start(struct api_req *r, json_t *params)
{
	const char *path = json_string_value(json_object_get(params, "path"));
	const char *body = json_string_value(json_object_get(params, "body"));
	json_t *q = json_object_get(params, "query");
	char *auth = api_param(params, "authorization");

	r->params = json_incref(params);
	r->method = json_string_value(json_object_get(params, "method"));
	r->peer = json_string_value(json_object_get(params, "peer"));
	r->csrf = json_string_value(json_object_get(params, "csrf"));
	r->origin = json_string_value(json_object_get(params, "origin"));
	r->host = json_string_value(json_object_get(params, "host"));
	r->headers = json_object();
	r->query = json_object();
	{
		const char *k;
		json_t *v;
		json_object_foreach(q, k, v)
			if (json_is_string(v))
				json_object_set(r->query, k, v);
	}
	r->cookie = api_cookie_value(json_string_value(json_object_get(params, "cookie")));
	if (auth && !strncasecmp(auth, "Bearer ", 7))
		r->bearer = xstrdup(auth + 7);
	free(auth);

	if (!r->method || !path || strncmp(path, API_PREFIX, strlen(API_PREFIX))) {
		api_error(r, 400, "bad_request", NULL, NULL, "not an API request");
	} else if (body && strlen(body) > API_MAX_BODY) {
		api_error(r, 413, "too_large", NULL, NULL, "the request body is larger than %d bytes",
			  API_MAX_BODY);
	} else {
		r->path = path + strlen(API_PREFIX);
		if (!*r->path)
			r->path = "/";
		r->body_text = body;
		api_dispatch(r);
	}
}

/* The {status, headers, body} answer; r is freed. */
static json_t *api_answer(struct api_req *r)
{
	json_t *resp;

	if (!r->out)
		r->out = json_object();
	resp = json_pack("{s:i, s:o, s:o}", "status", r->status, "headers", r->headers, "body", r->out);
	json_decref(r->query);
	json_decref(r->body);
	json_decref(r->params);
	free(r->cookie);
	free(r->bearer);
	free(r);
	return resp;
}

static struct api_req *api_req_new(const struct feature_env *env)
{
	struct api_req *r = xcalloc(1, sizeof(*r));

	r->status = 200;
	r->env = env;
	return r;
}

json_t *api_handle(const struct feature_env *env, json_t *params)
{
	struct api_req *r = api_req_new(env);

	api_start(r, params);
	return api_answer(r);
}

static void api_finish_later(struct api_req *r)
{
	void (*done)(void *ctx, json_t *resp) = r->done;
	void *ctx = r->done_ctx;

	done(ctx, api_answer(r));   /* api_answer frees r */
}

void api_handle_async(const struct feature_env *env, json_t *params,
		      void (*done)(void *ctx, json_t *resp), void *ctx)
{
	struct api_req *r = api_req_new(env);

	r->done = done;
	r->done_ctx = ctx;
	r->finish = api_finish_later;
	api_start(r, params);
	/* a call that answers later finishes the request then (api_call) */
	if (!r->waiting)
		done(ctx, api_answer(r));
}

/*
 * difosd-web asks for the body to follow the answer as JSON text
 * (body_follows): the answer's line is {status, headers, body_follows}
 * and then the body, written once here and sent on by difosd-web without
 * being read. Reading the body back and writing it again was most of
 * difosd-web's work per request (measured).
 */
struct api_http_call {
	struct rpc_later *later;
	bool body_follows;
};

static void api_http_done(void *ctx, json_t *resp)
{
	struct api_http_call *h = ctx;
	json_t *body = json_object_get(resp, "body");
	char *text = NULL;

	if (h->body_follows && body &&
	    (text = rpc_answer_text(body, NULL))) {
		json_object_del(resp, "body");
		json_object_set_new(resp, "body_follows", json_true());
	}
	rpc_later_finish_tail(h->later, resp, text);
	free(h);
}

static json_t *api_http_request(struct rpc_call *c)
{
	struct rpc_later *l = rpc_answer_later(c);
	struct api_http_call *h;

	/* a caller that needs the answer now gets the body inside it */
	if (!l)
		return api_handle(c->env, c->params);
	h = xcalloc(1, sizeof(*h));
	h->later = l;
	h->body_follows = json_is_true(json_object_get(c->params, "body_follows"));
	api_handle_async(c->env, c->params, api_http_done, h);
	return NULL;
}

static const struct sc_field api_request_params[] = {
	{ .name = "method", .kind = SC_TEXT, .flags = SC_F_REQUIRED, .help = "the HTTP method" },
	{ .name = "path", .kind = SC_TEXT, .flags = SC_F_REQUIRED, .help = "the URL path" },
	{ .name = "query", .kind = SC_JSON, .help = "{name: value} of the query string" },
	{ .name = "body", .kind = SC_TEXT, .help = "the request body as received" },
	{ .name = "cookie", .kind = SC_TEXT, .help = "the Cookie header" },
	{ .name = "csrf", .kind = SC_TEXT, .help = "the X-Auth-Token header" },
	{ .name = "authorization", .kind = SC_TEXT, .flags = SC_F_SECRET,
	  .help = "the Authorization header" },
	{ .name = "origin", .kind = SC_TEXT, .help = "the Origin header" },
	{ .name = "host", .kind = SC_TEXT, .help = "the Host header (:authority)" },
	{ .name = "peer", .kind = SC_TEXT, .help = "the client's address" },
	{ .name = "body_follows", .kind = SC_BOOL,
	  .help = "the body as JSON text right after the answer's object, on its line "
		  "(difosd-web sends it on as it is)" },
	{ .name = NULL }
};

static json_t *api_http_gate(struct rpc_call *c)
{
	return api_gate(c->env, c->params);
}

static const struct sc_field api_gate_params[] = {
	{ .name = "host", .kind = SC_TEXT, .help = "the Host header (:authority)" },
	{ .name = "path", .kind = SC_TEXT, .help = "the URL path" },
	{ .name = "redirect", .kind = SC_BOOL, .help = "true: the plain-HTTP redirect's target" },
	{ .name = NULL }
};

const struct rpc_method api_methods[] = {
	{ "http.request", api_http_request, "one REST request forwarded by difosd-web", "Internal",
	  api_request_params, "{status, headers, body}", RPC_WEB, .flags = RPC_F_ANYTIME },
	{ "http.gate", api_http_gate, "may difosd-web serve a GUI file for this Host; where the "
	  "plain-HTTP redirect goes", "Internal", api_gate_params, "{status, headers, body}",
	  RPC_WEB, .flags = RPC_F_ANYTIME },
	{ NULL }
};
