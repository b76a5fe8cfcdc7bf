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
#include "rpc/rpc_int.h"

#define RPC_MAX_TABLES 64

static const struct rpc_method *rpc_tables[RPC_MAX_TABLES];
static size_t rpc_ntables;

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

/* a caller that needs the answer now */
struct rpc_now {
	json_t *result, *error;
};

static void rpc_now_done(void *ctx, json_t *result, json_t *error, char *tail)
{
	struct rpc_now *n = ctx;

	free(tail);     /* only a later answer has one */
	n->result = result;
	n->error = error;
}

json_t *rpc_invoke_from(enum rpc_door door, const char *method, json_t *params,
			const char *author, const char *peer, json_t **error)
{
	const struct rpc_method *m = rpc_door_find(door, method, error);
	struct rpc_now now = { 0 };

	if (!m)
		return NULL;
	rpc_run(m, params, author, peer, false, rpc_now_done, &now);
	*error = now.error;
	return now.result;
}

void rpc_invoke_async(enum rpc_door door, const char *method, json_t *params,
		      const char *author, const char *peer, rpc_done_fn done, void *ctx)
{
	json_t *error = NULL;
	const struct rpc_method *m = rpc_door_find(door, method, &error);

	if (!m)
		done(ctx, NULL, error, NULL);
	else
		rpc_run(m, params, author, peer, true, done, ctx);
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

/* a door's request: the answer framed with its id and sent */
struct rpc_reply {
	json_t *id;                               /* NULL: a notification */
	void (*send)(void *ctx, char *text);
	void *ctx;
};

static void rpc_reply_send(struct rpc_reply *rp, json_t *resp, char *tail)
{
	char *text = resp ? json_dumps(resp, JSON_COMPACT) : NULL;

	if (text && tail) {
		size_t a = strlen(text), b = strlen(tail);
		text = xrealloc(text, a + b + 1);
		memcpy(text + a, tail, b + 1);
	}
	free(tail);
	/* a notification's "answer" is NULL: the door knows the call ended */
	rp->send(rp->ctx, text);
	json_decref(resp);
	json_decref(rp->id);
	free(rp);
}

static void rpc_reply_done(void *ctx, json_t *result, json_t *error, char *tail)
{
	struct rpc_reply *rp = ctx;
	json_t *resp = NULL;

	if (!rp->id || !result) {   /* a tail goes only with a result */
		free(tail);
		tail = NULL;
	}
	if (rp->id)
		resp = result ? rpc_response(rp->id, "result", result) :
				rpc_response(rp->id, "error", error);
	else {
		json_decref(result);
		json_decref(error);
	}
	rpc_reply_send(rp, resp, tail);
}

static void rpc_handle_req(json_t *req, const char *author, enum rpc_door door,
			   bool can_wait, struct rpc_reply *rp)
{
	json_t *id = json_object_get(req, "id"), *params, *error;
	const char *method = json_string_value(json_object_get(req, "method"));
	const struct rpc_method *m;

	if (!json_is_object(req) || !method) {
		rpc_reply_send(rp, rpc_response(id, "error", rpc_error_object(-32600,
			"request is not a JSON-RPC call object", RPC_BAD)), NULL);
		return;
	}
	m = rpc_door_find(door, method, &error);
	if (!m) {
		rpc_reply_send(rp, rpc_response(id, "error", error), NULL);
		return;
	}
	params = json_object_get(req, "params");
	if (params && !json_is_object(params)) {
		rpc_reply_send(rp, rpc_response(id, "error", rpc_error_object(-32602,
			"params must be an object", RPC_BAD)), NULL);
		return;
	}
	rp->id = json_incref(id);
	rpc_run(m, params, author, NULL, can_wait, rpc_reply_done, rp);
}

static void rpc_handle_frame(const char *text, size_t len, const char *author,
			     enum rpc_door door, bool can_wait,
			     void (*send)(void *ctx, char *text), void *ctx)
{
	json_error_t jerr;
	json_t *req = json_loadb(text, len, 0, &jerr);
	struct rpc_reply *rp = xcalloc(1, sizeof(*rp));

	rp->send = send;
	rp->ctx = ctx;
	if (!req) {
		char *msg = xasprintf("malformed JSON at line %d column %d: %s", jerr.line,
				      jerr.column, jerr.text);
		rpc_reply_send(rp, rpc_response(NULL, "error", rpc_error_object(-32700, msg, RPC_BAD)), NULL);
		free(msg);
		return;
	}
	rpc_handle_req(req, author, door, can_wait, rp);
	json_decref(req);
}

void rpc_handle_text_async(const char *text, size_t len, const char *author, enum rpc_door door,
			   void (*send)(void *ctx, char *text), void *ctx)
{
	rpc_handle_frame(text, len, author, door, true, send, ctx);
}

static void rpc_keep_text(void *ctx, char *text)
{
	char **out = ctx;

	free(*out);
	*out = text;
}

char *rpc_handle_text(const char *text, size_t len, const char *author, enum rpc_door door)
{
	char *out = NULL;

	/* handlers answer at once when the caller cannot wait */
	rpc_handle_frame(text, len, author, door, false, rpc_keep_text, &out);
	return out;
}
