#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rpc.h"
#include "core/util.h"

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
	if (rpc_ntables < RPC_MAX_TABLES)
		rpc_tables[rpc_ntables++] = methods;
}

static const struct rpc_method *rpc_find(const char *name)
{
	for (size_t t = 0; t < rpc_ntables; t++)
		for (const struct rpc_method *m = rpc_tables[t]; m->name; m++)
			if (!strcmp(m->name, name))
				return m;
	return NULL;
}

json_t *rpc_methods_list(void)
{
	json_t *a = json_array();

	for (size_t t = 0; t < rpc_ntables; t++)
		for (const struct rpc_method *m = rpc_tables[t]; m->name; m++)
			json_array_append_new(a, json_pack("{s:s, s:s}", "name", m->name, "help",
							   m->help ? m->help : ""));
	return a;
}

static int rpc_code(const char *reason)
{
	if (!strcmp(reason, RPC_BAD))
		return -32602;
	if (!strcmp(reason, RPC_INVALID))
		return -32001;
	if (!strcmp(reason, RPC_NOTFOUND))
		return -32002;
	if (!strcmp(reason, RPC_CONFLICT))
		return -32003;
	if (!strcmp(reason, RPC_APPLY))
		return -32004;
	return -32000;
}

json_t *rpc_fail(struct rpc_call *c, const char *reason, const char *path, const json_t *value,
		 const char *fmt, ...)
{
	va_list ap;
	char *msg;
	json_t *data;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	data = json_pack("{s:s}", "reason", reason);
	if (path)
		json_object_set_new(data, "path", json_string(path));
	if (value)
		json_object_set(data, "value", (json_t *)value);
	json_decref(c->error);
	c->error = json_pack("{s:i, s:s, s:o}", "code", rpc_code(reason), "message",
			     msg ? msg : reason, "data", data);
	free(msg);
	return NULL;
}

void rpc_fail_data(struct rpc_call *c, const char *key, json_t *value_stolen)
{
	if (c->error)
		json_object_set_new(json_object_get(c->error, "data"), key, value_stolen);
	else
		json_decref(value_stolen);
}

const char *rpc_str(struct rpc_call *c, const char *key)
{
	return json_string_value(json_object_get(c->params, key));
}

static json_t *rpc_error_response(json_t *id, int code, const char *msg, const char *reason)
{
	return json_pack("{s:s, s:O, s:{s:i, s:s, s:{s:s}}}", "jsonrpc", "2.0", "id",
			 id ? id : json_null(), "error", "code", code, "message", msg, "data",
			 "reason", reason);
}

json_t *rpc_invoke(const char *method, json_t *params, const char *author, json_t **error)
{
	struct rpc_call c = { .author = author, .method = method, .env = rpc_env };
	const struct rpc_method *m = rpc_find(method);
	json_t *result;

	*error = NULL;
	if (!m) {
		*error = json_pack("{s:i, s:s, s:{s:s}}", "code", -32601, "message",
				   "unknown method", "data", "reason", RPC_NOTFOUND);
		return NULL;
	}
	c.params = params ? json_incref(params) : json_object();
	result = m->fn(&c);
	json_decref(c.params);
	if (c.error) {
		json_decref(result);
		*error = c.error;
		return NULL;
	}
	return result ? result : json_null();
}

json_t *rpc_handle(json_t *req, const char *author)
{
	struct rpc_call c = { .author = author, .env = rpc_env };
	const struct rpc_method *m;
	json_t *id = json_object_get(req, "id"), *params, *result, *resp;
	const char *method = json_string_value(json_object_get(req, "method"));

	if (!json_is_object(req) || !method)
		return rpc_error_response(id, -32600, "request is not a JSON-RPC call object",
					  RPC_BAD);
	m = rpc_find(method);
	if (!m) {
		char *msg = xasprintf("unknown method %s", method);
		resp = rpc_error_response(id, -32601, msg, RPC_NOTFOUND);
		free(msg);
		return resp;
	}
	params = json_object_get(req, "params");
	if (params && !json_is_object(params))
		return rpc_error_response(id, -32602, "params must be an object", RPC_BAD);
	c.method = method;
	c.params = params ? json_incref(params) : json_object();
	result = m->fn(&c);
	json_decref(c.params);
	if (c.error) {
		json_decref(result);
		resp = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(),
				 "error", c.error);
	} else {
		resp = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(),
				 "result", result ? result : json_null());
	}
	if (!id) {
		json_decref(resp);
		return NULL;
	}
	return resp;
}

static bool rpc_allowed(const char *method, const char *const *allowed)
{
	if (!allowed)
		return true;
	for (; method && *allowed; allowed++)
		if (!strcmp(method, *allowed))
			return true;
	return false;
}

char *rpc_handle_text(const char *text, size_t len, const char *author,
		      const char *const *allowed)
{
	json_error_t jerr;
	json_t *req = json_loadb(text, len, 0, &jerr), *resp;
	char *out;

	if (req && json_is_object(req) &&
	    !rpc_allowed(json_string_value(json_object_get(req, "method")), allowed)) {
		resp = rpc_error_response(json_object_get(req, "id"), -32601,
					  "method not available on this channel", RPC_NOTFOUND);
		json_decref(req);
	} else if (!req) {
		char *msg = xasprintf("malformed JSON at line %d column %d: %s", jerr.line,
				      jerr.column, jerr.text);
		resp = rpc_error_response(NULL, -32700, msg, RPC_BAD);
		free(msg);
	} else {
		resp = rpc_handle(req, author);
		json_decref(req);
	}
	if (!resp)
		return NULL;
	out = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	return out;
}
