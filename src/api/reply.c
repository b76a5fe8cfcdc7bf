/* Answers of the REST API: headers, errors (from JSON-RPC ones), results. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
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
		{ RPC_UNAUTHORIZED, 401 }, { RPC_FORBIDDEN, 403 },
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

static void api_call_fill(struct api_req *r, json_t *res, json_t *err)
{
	if (!res) {
		api_rpc_error(r, err);
		json_decref(err);
		return;
	}
	json_decref(r->out);
	r->out = res;
	r->status = r->rest && r->rest->ok_status ? r->rest->ok_status : 200;
}

static void api_call_done(void *ctx, json_t *res, json_t *err, char *tail)
{
	struct api_req *r = ctx;

	free(tail);     /* REST methods answer JSON values, never tails */
	api_call_fill(r, res, err);
	if (r->in_call)         /* answered at once: the request goes on */
		r->waiting = false;
	else                    /* answered later: the request ends now */
		r->finish(r);
}

void api_call(struct api_req *r, const char *method, json_t *params_stolen)
{
	json_t *err = NULL, *res;

	if (!r->done) {
		res = rpc_invoke_from(RPC_DOOR_REST, method, params_stolen, r->author, r->peer,
				      &err);
		json_decref(params_stolen);
		api_call_fill(r, res, err);
		return;
	}
	r->in_call = true;
	r->waiting = true;
	rpc_invoke_async(RPC_DOOR_REST, method, params_stolen, r->author, r->peer,
			 api_call_done, r);
	json_decref(params_stolen);
	/* r lives on either way: api_handle_async ends it when the answer
	 * came at once, api_call_done when it comes later */
	r->in_call = false;
}
