/*
 * The method registry and the dispatch of calls: which door may call
 * what, the parameters checked against the method's table, the answer or
 * the error as JSON-RPC 2.0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "rpc/rpc.h"

#define RPC_MAX_TABLES 64

static const struct rpc_method *rpc_tables[RPC_MAX_TABLES];
static size_t rpc_ntables;
static const struct feature_env *rpc_env;

void rpc_set_env(const struct feature_env *env)
{
	rpc_env = env;
}

void rpc_register(const struct rpc_method *methods)
{
	for (size_t t = 0; t < rpc_ntables; t++)
		if (rpc_tables[t] == methods)
			return;
	if (rpc_ntables < RPC_MAX_TABLES)
		rpc_tables[rpc_ntables++] = methods;
}

const struct rpc_method *rpc_find(const char *name)
{
	for (size_t t = 0; name && t < rpc_ntables; t++)
		for (const struct rpc_method *m = rpc_tables[t]; m->name; m++)
			if (!strcmp(m->name, name))
				return m;
	return NULL;
}

void rpc_each(void (*fn)(const struct rpc_method *m, void *arg), void *arg)
{
	for (size_t t = 0; t < rpc_ntables; t++)
		for (const struct rpc_method *m = rpc_tables[t]; m->name; m++)
			fn(m, arg);
}

/* Which kinds of caller each door lets in (a table: rows doors, columns
 * access). The control socket is root's: everything, difosd-web's own
 * plumbing too (scripts and tests drive the REST API through it). */
static const bool rpc_door_lets[][RPC_ACCESS_COUNT] = {
	[RPC_DOOR_CONTROL] = { [RPC_ADMIN] = true, [RPC_PUBLIC] = true, [RPC_ROOT] = true,
			       [RPC_HOOK] = true, [RPC_WEB] = true, [RPC_READ] = true,
			       [RPC_CONFIG] = true, [RPC_SESSION] = true },
	[RPC_DOOR_WEB] = { [RPC_WEB] = true },
	/* the caller's credentials (session or token scope) are checked by the
	 * REST API before the call (api/dispatch.c) */
	[RPC_DOOR_REST] = { [RPC_ADMIN] = true, [RPC_PUBLIC] = true, [RPC_READ] = true,
			    [RPC_CONFIG] = true, [RPC_SESSION] = true },
	[RPC_DOOR_INSIDE] = { [RPC_ADMIN] = true, [RPC_PUBLIC] = true, [RPC_ROOT] = true,
			      [RPC_HOOK] = true, [RPC_WEB] = true, [RPC_READ] = true,
			      [RPC_CONFIG] = true, [RPC_SESSION] = true },
};

static json_t *rpc_error_object(int code, const char *msg, const char *reason)
{
	return json_pack("{s:i, s:s, s:{s:s}}", "code", code, "message", msg, "data", "reason",
			 reason);
}

/* The method if this door may call it, else NULL with *error set. */
static const struct rpc_method *rpc_door_find(enum rpc_door door, const char *name,
					      json_t **error)
{
	const struct rpc_method *m = rpc_find(name);
	char *msg;

	if (!m) {
		msg = xasprintf("unknown method %s", name);
		*error = rpc_error_object(-32601, msg, RPC_NOTFOUND);
		free(msg);
		return NULL;
	}
	if (!rpc_door_lets[door][m->access]) {
		*error = rpc_error_object(-32601, "method not available on this channel",
					  RPC_NOTFOUND);
		return NULL;
	}
	if (!m->fn) {
		msg = xasprintf("%s is answered only by the REST API", name);
		*error = rpc_error_object(-32601, msg, RPC_NOTFOUND);
		free(msg);
		return NULL;
	}
	return m;
}

/* Runs m: parameters checked, then the handler. The result, or NULL with *error. */
static json_t *rpc_run(const struct rpc_method *m, json_t *params, const char *author,
		       const char *peer, json_t **error)
{
	struct rpc_call c = { .method = m->name, .author = author, .peer = peer, .env = rpc_env };
	json_t *result = NULL;

	c.params = params ? json_incref(params) : json_object();
	if (rpc_params_check(m, &c) == 0)
		result = m->fn(&c);
	json_decref(c.params);
	if (c.error) {
		json_decref(result);
		*error = c.error;
		return NULL;
	}
	*error = NULL;
	return result ? result : json_null();
}

json_t *rpc_invoke_from(enum rpc_door door, const char *method, json_t *params,
			const char *author, const char *peer, json_t **error)
{
	const struct rpc_method *m = rpc_door_find(door, method, error);

	return m ? rpc_run(m, params, author, peer, error) : NULL;
}

json_t *rpc_invoke(const char *method, json_t *params, const char *author, json_t **error)
{
	return rpc_invoke_from(RPC_DOOR_INSIDE, method, params, author, NULL, error);
}

static json_t *rpc_response(json_t *id, const char *key, json_t *value_stolen)
{
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), key,
			 value_stolen);
}

json_t *rpc_handle(json_t *req, const char *author, enum rpc_door door)
{
	json_t *id = json_object_get(req, "id"), *params, *result, *error;
	const char *method = json_string_value(json_object_get(req, "method"));
	const struct rpc_method *m;

	if (!json_is_object(req) || !method)
		return rpc_response(id, "error", rpc_error_object(-32600,
			"request is not a JSON-RPC call object", RPC_BAD));
	m = rpc_door_find(door, method, &error);
	if (!m)
		return rpc_response(id, "error", error);
	params = json_object_get(req, "params");
	if (params && !json_is_object(params))
		return rpc_response(id, "error", rpc_error_object(-32602,
			"params must be an object", RPC_BAD));
	result = rpc_run(m, params, author, NULL, &error);
	if (!id) {
		json_decref(result);
		json_decref(error);
		return NULL;
	}
	return result ? rpc_response(id, "result", result) : rpc_response(id, "error", error);
}

char *rpc_handle_text(const char *text, size_t len, const char *author, enum rpc_door door)
{
	json_error_t jerr;
	json_t *req = json_loadb(text, len, 0, &jerr), *resp;
	char *out;

	if (!req) {
		char *msg = xasprintf("malformed JSON at line %d column %d: %s", jerr.line,
				      jerr.column, jerr.text);
		resp = rpc_response(NULL, "error", rpc_error_object(-32700, msg, RPC_BAD));
		free(msg);
	} else {
		resp = rpc_handle(req, author, door);
		json_decref(req);
	}
	if (!resp)
		return NULL;
	out = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	return out;
}
