/* What a handler does with its call: read parameters, record an error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "rpc/rpc.h"
#include "rpc/rpc_int.h"

static const struct {
	const char *reason;
	int code;
} rpc_codes[] = {
	{ RPC_BAD, -32602 }, { RPC_INVALID, -32001 }, { RPC_NOTFOUND, -32002 },
	{ RPC_CONFLICT, -32003 }, { RPC_APPLY, -32004 }, { RPC_UNAUTHORIZED, -32005 },
	{ RPC_FORBIDDEN, -32006 },
};

static int rpc_code(const char *reason)
{
	for (size_t i = 0; i < ARRAY_SIZE(rpc_codes); i++)
		if (!strcmp(rpc_codes[i].reason, reason))
			return rpc_codes[i].code;
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

json_t *rpc_error_object(int code, const char *msg, const char *reason)
{
	return json_pack("{s:i, s:s, s:{s:s}}", "code", code, "message", msg, "data", "reason",
			 reason);
}
