/*
 * Framing between difosd-web and the core: one JSON-RPC object per line;
 * an answer to http.request is followed on its line by the body as JSON
 * text (body_follows), which difosd-web sends on without reading it.
 * The request carries what the core needs to decide (method, path, query,
 * cookie, CSRF header, bearer token, Origin, Host, peer) and the body as
 * text: the core parses it, so its JSON errors come from one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "web/web.h"

static void frame_set(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

char *web_frame_request(long long id, const struct web_request *rq, const char **err)
{
	json_t *p = json_object(), *frame, *s;
	char *text;

	*err = NULL;
	if (!rq->method || !rq->path) {
		*err = "request without method or path";
		json_decref(p);
		return NULL;
	}
	/* jansson refuses strings that are not UTF-8: so does the API */
	if (!(s = json_string(rq->path))) {
		*err = "the path is not valid UTF-8";
		json_decref(p);
		return NULL;
	}
	json_object_set_new(p, "path", s);
	if (rq->body && rq->body_len) {
		/* JSON text never holds a raw NUL, and the core's parser refuses
		 * "\u0000" in strings: say so here, not as a failed frame */
		if (memchr(rq->body, '\0', rq->body_len)) {
			*err = "the request body contains a NUL byte";
			json_decref(p);
			return NULL;
		}
		if (!(s = json_stringn(rq->body, rq->body_len))) {
			*err = "the request body is not valid UTF-8 text";
			json_decref(p);
			return NULL;
		}
		json_object_set_new(p, "body", s);
	}
	frame_set(p, "method", rq->method);
	frame_set(p, "peer", rq->peer);
	frame_set(p, "host", rq->host);
	frame_set(p, "origin", rq->origin);
	/* header values that are not UTF-8 are dropped, never guessed at */
	if (rq->cookie && (s = json_string(rq->cookie)))
		json_object_set_new(p, "cookie", s);
	if (rq->csrf && (s = json_string(rq->csrf)))
		json_object_set_new(p, "csrf", s);
	if (rq->authorization && (s = json_string(rq->authorization)))
		json_object_set_new(p, "authorization", s);
	if (rq->query)
		json_object_set(p, "query", rq->query);
	/* the answer's body follows it as text, sent on without being read */
	json_object_set_new(p, "body_follows", json_true());
	frame = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", (json_int_t)id, "method",
			  "http.request", "params", p);
	text = json_dumps(frame, JSON_COMPACT);
	json_decref(frame);
	if (!text)
		*err = "the request could not be framed";
	return text;
}

char *web_frame_gate(long long id, const char *host, const char *path, bool redirect)
{
	json_t *p = json_object(), *frame;
	char *text;

	/* values that are not UTF-8 are left out: the core refuses a missing Host */
	if (host)
		json_object_set_new(p, "host", json_string(host));
	if (path)
		json_object_set_new(p, "path", json_string(path));
	if (redirect)
		json_object_set_new(p, "redirect", json_true());
	frame = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", (json_int_t)id, "method",
			  "http.gate", "params", p);
	text = json_dumps(frame, JSON_COMPACT);
	json_decref(frame);
	return text;
}

bool web_header_value_ok(const char *v)
{
	for (; v && *v; v++)
		if (*v == '\r' || *v == '\n')
			return false;
	return v != NULL;
}

bool web_same_origin(const char *origin, const char *host)
{
	return origin && host && !strncmp(origin, "https://", 8) && !strcmp(origin + 8, host);
}

bool web_term_resize_parse(const char *text, size_t len, int *cols, int *rows)
{
	json_t *m = json_loadb(text, len, 0, NULL), *r = json_object_get(m, "resize");
	json_t *c = json_array_get(r, 0), *w = json_array_get(r, 1);
	bool ok = json_array_size(r) == 2 && json_is_integer(c) && json_is_integer(w) &&
		  json_integer_value(c) > 0 && json_integer_value(c) <= WEB_TERM_SIZE_MAX &&
		  json_integer_value(w) > 0 && json_integer_value(w) <= WEB_TERM_SIZE_MAX;

	if (ok) {
		*cols = (int)json_integer_value(c);
		*rows = (int)json_integer_value(w);
	}
	json_decref(m);
	return ok;
}

static int frame_error(struct web_response *out, int status, const char *msg)
{
	json_t *b = json_pack("{s:{s:s, s:s}}", "error", "code",
			      status == 404 ? "not_found" : "unavailable", "message", msg);

	out->status = status;
	out->body = json_dumps(b, JSON_COMPACT);
	out->body_len = strlen(out->body);
	json_decref(b);
	return 0;
}

int web_frame_response(const char *line, size_t len, struct web_response *out)
{
	json_error_t jerr;
	/* the answer object, and after it on the line the body when it follows */
	json_t *f = json_loadb(line, len, JSON_DISABLE_EOF_CHECK, &jerr), *res, *id, *body, *hdrs;
	size_t used = f && jerr.position > 0 && (size_t)jerr.position <= len ?
		      (size_t)jerr.position : len;

	memset(out, 0, sizeof(*out));
	out->id = -1;
	if (!json_is_object(f)) {
		json_decref(f);
		return -1;
	}
	/* only an answer whose body follows may have more on its line */
	if (used < len && !json_is_true(json_object_get(json_object_get(f, "result"),
							 "body_follows"))) {
		json_decref(f);
		return -1;
	}
	id = json_object_get(f, "id");
	if (!id || json_is_null(id)) {
		/* a notification: an event for WebSocket clients, or a terminal's */
		const char *m = json_string_value(json_object_get(f, "method")) ?: "";
		if ((strcmp(m, "event") && strncmp(m, "terminal.", 9)) ||
		    strlen(m) >= sizeof(out->notify) ||
		    !json_is_object(json_object_get(f, "params"))) {
			json_decref(f);
			return -1;
		}
		snprintf(out->notify, sizeof(out->notify), "%s", m);
		out->event = json_incref(json_object_get(f, "params"));
		json_decref(f);
		return 0;
	}
	if (!json_is_integer(id)) {
		json_decref(f);
		return -1;
	}
	out->id = json_integer_value(id);
	res = json_object_get(f, "result");
	if (!json_is_object(res)) {
		/* the core refused the frame itself */
		const char *msg = json_string_value(json_object_get(json_object_get(f, "error"),
								     "message"));
		frame_error(out, 502, msg ? msg : "the core could not handle the request");
		json_decref(f);
		return 0;
	}
	out->result = json_incref(res);
	out->status = (int)json_integer_value(json_object_get(res, "status"));
	if (out->status < 100 || out->status > 599)
		out->status = 502;
	hdrs = json_object_get(res, "headers");
	out->headers = json_object();
	{
		const char *k;
		json_t *v;
		json_object_foreach(hdrs, k, v)
			if (json_is_string(v) && web_header_value_ok(json_string_value(v)) &&
			    web_header_value_ok(k))
				json_object_set(out->headers, k, v);
	}
	body = json_object_get(res, "body");
	if (json_is_true(json_object_get(res, "body_follows"))) {
		out->body_len = len - used;
		out->body = xmalloc(out->body_len + 1);
		memcpy(out->body, line + used, out->body_len);
		out->body[out->body_len] = '\0';
	} else {
		out->body = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) :
			    xstrdup("{}");
		out->body_len = out->body ? strlen(out->body) : 0;
	}
	json_decref(f);
	if (!out->body) {
		web_response_free(out);
		return -1;
	}
	return 0;
}

void web_response_free(struct web_response *r)
{
	json_decref(r->headers);
	json_decref(r->event);
	json_decref(r->result);
	free(r->body);
	memset(r, 0, sizeof(*r));
}
