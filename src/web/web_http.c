/*
 * HTTP on the HTTPS vhost: GUI files from memory, /api/v1 relayed to the
 * core; on the plain-HTTP vhost: a redirect to HTTPS. Security headers go
 * on every answer.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/prom.h"
#include "core/util.h"
#include "web/web.h"

#define WEB_CHUNK 16384
#define API_METRICS_PATH "/api/v1/metrics"

/* media from blob: only: the GUI plays a call's recording it assembled from
 * the API's pieces */
static const char web_csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"media-src 'self' blob:; "
	"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
	"form-action 'self'";

char *web_hdr(struct lws *wsi, int token)
{
	enum lws_token_indexes h = (enum lws_token_indexes)token;
	int n = lws_hdr_total_length(wsi, h);
	char *v;

	if (n <= 0 || n > WEB_MAX_HEADER)
		return NULL;
	v = xmalloc((size_t)n + 1);
	if (lws_hdr_copy(wsi, v, n + 1, h) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

void web_peer(struct lws *wsi, char *out, size_t len)
{
	/* the listener is dual-stack: IPv4 peers arrive as ::ffff:a.b.c.d */
	if (!lws_get_peer_simple(wsi, out, len))
		snprintf(out, len, "?");
	else if (!strncmp(out, "::ffff:", 7) && strchr(out + 7, '.'))
		memmove(out, out + 7, strlen(out + 7) + 1);
}

static const struct { enum lws_token_indexes t; const char *m; } web_methods[] = {
	{ WSI_TOKEN_GET_URI, "GET" }, { WSI_TOKEN_POST_URI, "POST" },
	{ WSI_TOKEN_PUT_URI, "PUT" }, { WSI_TOKEN_PATCH_URI, "PATCH" },
	{ WSI_TOKEN_DELETE_URI, "DELETE" }, { WSI_TOKEN_HEAD_URI, "HEAD" },
	{ WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
};

static const char *web_method(struct lws *wsi)
{
	for (size_t i = 0; i < ARRAY_SIZE(web_methods); i++)
		if (lws_hdr_total_length(wsi, web_methods[i].t) > 0)
			return web_methods[i].m;
	return NULL;
}

static void web_reset(struct web_http *h)
{
	if (h->core_id > 0)
		web_core_cancel(h->core_id);
	free(h->path);
	json_decref(h->query);
	free(h->cookie);
	free(h->csrf);
	free(h->authorization);
	free(h->origin);
	free(h->host);
	sbuf_free(&h->body);
	json_decref(h->headers);
	free(h->owned);
	memset(h, 0, sizeof(*h));
}

static void web_answer_ready(struct web_http *h);

static void web_answer_json(struct web_http *h, int status, const char *code, const char *msg)
{
	json_t *b = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg);

	h->status = status;
	h->type = "application/json";
	h->owned = json_dumps(b, JSON_COMPACT);
	h->out = h->owned;
	h->out_len = strlen(h->owned);
	h->api = true;
	h->answering = true;
	json_decref(b);
	lws_callback_on_writable(h->wsi);
}

/* /metrics: the core's answer is the text as one JSON string; Prometheus
 * reads the text itself. false when the body is not a string. */
static bool web_metrics_text(struct web_http *h, struct web_response *r)
{
	json_t *s = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
	bool ok = json_is_string(s);

	if (ok) {
		h->owned = xstrndup(json_string_value(s), json_string_length(s));
		h->type = PROM_CONTENT_TYPE;
	}
	json_decref(s);
	return ok;
}

static void web_core_answer(void *ctx, struct web_response *r)
{
	struct web_http *h = ctx;

	h->core_id = 0;
	h->status = r->status;
	h->type = "application/json";
	h->headers = json_incref(r->headers);
	if (h->metrics && r->status == 401)
		json_object_set_new(h->headers, "WWW-Authenticate",
				    json_string("Bearer realm=\"difos\""));
	if (h->metrics && r->status == 200 && web_metrics_text(h, r)) {
		h->out = h->owned;
		h->out_len = strlen(h->owned);
		h->api = true;
		h->answering = true;
		web_answer_ready(h);
		return;
	}
	h->owned = r->body;
	r->body = NULL;
	h->out = h->owned;
	h->out_len = r->body_len;
	h->api = true;
	h->answering = true;
	web_answer_ready(h);
}

static void web_forward(struct web_http *h)
{
	struct web_request rq = {
		.method = h->method, .path = h->path, .cookie = h->cookie, .csrf = h->csrf,
		.authorization = h->authorization, .origin = h->origin, .host = h->host,
		.peer = h->peer, .query = h->query, .body = h->body.s, .body_len = h->body.len,
	};
	const char *err = NULL;

	if (h->too_large) {
		char msg[96];
		snprintf(msg, sizeof(msg), "the request body is larger than %d bytes", WEB_MAX_BODY);
		web_answer_json(h, 413, "too_large", msg);
		return;
	}
	lws_set_timeout(h->wsi, NO_PENDING_TIMEOUT, 0);
	h->core_id = web_core_send(&rq, web_core_answer, h, &err);
	if (h->core_id < 0) {
		/* a body that cannot be framed (not UTF-8) is the client's fault */
		h->core_id = 0;
		web_answer_json(h, 400, "bad_request", err ? err : "the request cannot be framed");
	}
}

static json_t *web_query(struct lws *wsi)
{
	json_t *q = json_object();
	char buf[1024];

	for (int i = 0; i < 32; i++) {
		int n = lws_hdr_copy_fragment(wsi, buf, sizeof(buf), WSI_TOKEN_HTTP_URI_ARGS, i);
		char *eq;
		json_t *v;
		if (n <= 0)
			break;
		eq = strchr(buf, '=');
		if (eq)
			*eq = '\0';
		if ((v = json_string(eq ? eq + 1 : "")))
			json_object_set_new(q, buf, v);
	}
	return q;
}

static void web_serve_static(struct web_http *h, const struct web_file *f, bool gzip_ok)
{
	h->status = 200;
	h->type = f->type;
	h->gz = gzip_ok && f->gz;
	h->out = h->gz ? f->gz : f->data;
	h->out_len = h->gz ? f->gz_len : f->len;
	h->immutable = f->immutable;
	h->answering = true;
	lws_callback_on_writable(h->wsi);
}

/* The core said whether this Host names the router: serve the GUI file,
 * or relay its refusal. */
static void web_gate_answer(void *ctx, struct web_response *r)
{
	struct web_http *h = ctx;

	if (r->status != 200) {
		web_core_answer(ctx, r);
		return;
	}
	h->core_id = 0;
	if (strcmp(h->method, "GET")) {
		web_answer_json(h, 405, "method_not_allowed", "GUI files are read with GET");
	} else if (!h->file) {
		web_answer_json(h, 404, "not_found", "no such file");
		h->api = false;
	} else {
		web_serve_static(h, h->file, h->gz);
	}
}

/* GUI files and the plain-HTTP redirect ask the core first: it alone
 * knows the router's names (http.gate). */
static void web_gate(struct web_http *h, const char *uri, bool redirect)
{
	lws_set_timeout(h->wsi, NO_PENDING_TIMEOUT, 0);
	h->core_id = web_core_gate(h->host, uri, redirect, redirect ? web_core_answer : web_gate_answer,
				   h);
	if (h->core_id < 0) {
		h->core_id = 0;
		web_answer_json(h, 502, "unavailable", "the core is not reachable");
	}
}

static int web_add_header(struct lws *wsi, const char *name, const char *value,
			  unsigned char **p, unsigned char *end)
{
	char lname[64];
	size_t n = strlen(name);

	if (n + 2 > sizeof(lname) || !web_header_value_ok(value))
		return 0;
	for (size_t i = 0; i < n; i++)
		lname[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] | 0x20 : name[i]);
	lname[n] = ':';
	lname[n + 1] = '\0';
	return lws_add_http_header_by_name(wsi, (unsigned char *)lname, (unsigned char *)value,
					   (int)strlen(value), p, end);
}

#define WEB_HEAD_SPACE 4096
/* an HTTP/1.1 answer up to this size goes out with its headers in one write */
#define WEB_ONE_WRITE   (64 * 1024)

/* The header block, finished, from *p on (moved past it). */
static int web_build_headers(struct web_http *h, unsigned char **p, unsigned char *end)
{
	const char *k;
	json_t *v;

	if (lws_add_http_common_headers(h->wsi, (unsigned)h->status, h->type, h->out_len, p, end) ||
	    web_add_header(h->wsi, "Content-Security-Policy", web_csp, p, end) ||
	    web_add_header(h->wsi, "Strict-Transport-Security", "max-age=31536000", p, end) ||
	    web_add_header(h->wsi, "X-Content-Type-Options", "nosniff", p, end) ||
	    web_add_header(h->wsi, "X-Frame-Options", "DENY", p, end) ||
	    web_add_header(h->wsi, "Referrer-Policy", "no-referrer", p, end) ||
	    web_add_header(h->wsi, "Cache-Control", h->api ? "no-store" : h->immutable ?
			   "public, max-age=31536000, immutable" : "no-cache", p, end))
		return -1;
	if (!h->api && web_add_header(h->wsi, "Vary", "Accept-Encoding", p, end))
		return -1;
	if (h->gz && web_add_header(h->wsi, "Content-Encoding", "gzip", p, end))
		return -1;
	json_object_foreach(h->headers, k, v)
		if (web_add_header(h->wsi, k, json_string_value(v), p, end))
			return -1;
	return lws_finalize_http_header(h->wsi, p, end) ? -1 : 0;
}

static int web_write_headers(struct web_http *h)
{
	unsigned char buf[LWS_PRE + WEB_HEAD_SPACE], *start = buf + LWS_PRE, *p = start;

	if (web_build_headers(h, &p, buf + sizeof(buf) - 1) < 0 ||
	    lws_write(h->wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS) != p - start)
		return -1;
	h->headers_sent = true;
	return 0;
}

/*
 * HTTP/1.1: the headers and a body that is not large in one write (one TLS
 * record, one system call, no second turn for the body). libwebsockets
 * counts an HTTP/1.1 body's bytes nowhere, so they may ride with the
 * headers; HTTP/2 frames headers apart and takes the usual way.
 */
static int web_write_whole(struct web_http *h)
{
	unsigned char *buf = xmalloc(LWS_PRE + WEB_HEAD_SPACE + h->out_len);
	unsigned char *start = buf + LWS_PRE, *p = start;
	int rc = -1;

	if (web_build_headers(h, &p, start + WEB_HEAD_SPACE - 1) == 0) {
		size_t n;
		memcpy(p, h->out, h->out_len);
		n = (size_t)(p - start) + h->out_len;
		if (lws_write(h->wsi, start, n, LWS_WRITE_HTTP_HEADERS) == (int)n)
			rc = 0;
	}
	free(buf);
	h->headers_sent = true;
	h->out_sent = h->out_len;
	return rc;
}

/* The answer is out: ready for the next request (keep-alive), or -1 to
 * close (also when a body was left unread: it would be taken for the next
 * request). */
static int web_transaction_done(struct web_http *h)
{
	struct lws *wsi = h->wsi;
	bool close = h->close_after;

	web_reset(h);
	return close || lws_http_transaction_completed(wsi) ? -1 : 0;
}

/*
 * An answer from the core arrives in a turn of the loop of its own, not
 * in this connection's callback. HTTP/1.1: write it at once — asking for
 * a writable callback first costs a turn of the loop and two epoll_ctl
 * per request (measured: most of what kept `status` under 0.5x nginx);
 * libwebsockets keeps what the socket does not take and sends it later.
 * HTTP/2 streams and large answers wait for their turn (flow control).
 */
static void web_answer_ready(struct web_http *h)
{
	struct lws *wsi = h->wsi;

	if (h->headers_sent || h->out_len > WEB_ONE_WRITE || lws_get_network_wsi(wsi) != wsi) {
		lws_callback_on_writable(wsi);
		return;
	}
	if (web_write_whole(h) < 0 || web_transaction_done(h) < 0) {
		/* closed from its own callback, once what is written went out */
		h->close_now = true;
		lws_callback_on_writable(wsi);
	}
}

static int web_writeable(struct web_http *h)
{
	unsigned char *buf;
	size_t n;
	int rc;

	if (h->close_now)
		return -1;
	if (!h->answering)
		return 0;
	if (!h->headers_sent && h->out_len <= WEB_ONE_WRITE &&
	    lws_get_network_wsi(h->wsi) == h->wsi) {
		if (web_write_whole(h) < 0)
			return -1;
	} else if (!h->headers_sent) {
		if (web_write_headers(h) < 0)
			return -1;
		if (h->out_len) {
			lws_callback_on_writable(h->wsi);
			return 0;
		}
	}
	n = h->out_len - h->out_sent;
	if (n > WEB_CHUNK)
		n = WEB_CHUNK;
	/* HTTP/2: never more than the peer's flow-control window allows */
	if (n) {
		lws_fileofs_t allow = lws_get_peer_write_allowance(h->wsi);
		if (allow >= 0 && (size_t)allow < n)
			n = (size_t)allow;
		if (n == 0) {
			lws_callback_on_writable(h->wsi);
			return 0;
		}
		buf = xmalloc(LWS_PRE + n);
		memcpy(buf + LWS_PRE, h->out + h->out_sent, n);
		rc = lws_write(h->wsi, buf + LWS_PRE, n, h->out_sent + n == h->out_len ?
			       LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
		free(buf);
		if (rc < (int)n)
			return -1;
		h->out_sent += n;
	}
	if (h->out_sent < h->out_len) {
		lws_callback_on_writable(h->wsi);
		return 0;
	}
	return web_transaction_done(h);
}

static bool web_accepts_gzip(struct lws *wsi)
{
	char *ae = web_hdr(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING);
	bool ok = ae && strstr(ae, "gzip");

	free(ae);
	return ok;
}

/* A body is read only when Content-Length announces it. libwebsockets
 * hands an HTTP/1.1 chunked body over still encoded and never says where
 * it ends, and on HTTP/2 it does not report the END_STREAM that ends a
 * body sent without a length: such a request cannot be read whole, so it
 * is refused (411) rather than run without its body. An HTTP/1.1 POST with
 * neither header has no body (RFC 9112 6.3); browsers send
 * "content-length: 0" for an empty POST or PUT on HTTP/2. */
static bool web_length_required(struct lws *wsi, const char *method)
{
	bool h2 = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_COLON_METHOD) > 0;

	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
		return true;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
		return false;
	return h2 && (!strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH"));
}

/* What is wrong with the request line or the headers as a whole, as an
 * HTTP status, or 0. libwebsockets' buffer (WEB_HEADER_BUFFER) is larger
 * than these limits, so a request over them gets its status; one over the
 * buffer, or with a NUL it decodes inside a path segment, is dropped by its
 * parser before a callback runs. */
static int web_request_problem(struct lws *wsi, const char *uri, const char **msg)
{
	int total = 0, path_len = 0;

	/* the path as received, under its method's token (on HTTP/2 too) */
	for (int t = 0; t < (int)ARRAY_SIZE(web_methods); t++)
		if (lws_hdr_total_length(wsi, web_methods[t].t) > 0)
			path_len = lws_hdr_total_length(wsi, web_methods[t].t);
	/* "%00" right after a slash reaches here as a NUL inside the path */
	if (path_len > (int)strlen(uri) && path_len <= WEB_MAX_URL) {
		*msg = "the path contains a NUL byte";
		return 400;
	}
	if (path_len + lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS) > WEB_MAX_URL) {
		*msg = "the URL is longer than 4096 bytes";
		return 414;
	}
	for (int t = 0; t < (int)_WSI_TOKEN_CLIENT_SENT_PROTOCOLS; t++) {
		int n = lws_hdr_total_length(wsi, (enum lws_token_indexes)t);
		if (n > WEB_MAX_HEADER) {
			*msg = "a request header is longer than 8192 bytes";
			return 431;
		}
		total += n;
	}
	if (total > WEB_MAX_HEADERS) {
		*msg = "the request headers are larger than 16384 bytes";
		return 431;
	}
	return 0;
}

static int web_request(struct web_http *h, struct lws *wsi, const char *uri)
{
	const char *method = web_method(wsi), *msg;
	bool redirect_vhost = lws_get_vhost_user(lws_get_vhost(wsi)) != NULL;
	char *cl;
	int problem;

	h->wsi = wsi;
	h->core_id = 0;
	sbuf_init(&h->body);
	web_peer(wsi, h->peer, sizeof(h->peer));
	if ((problem = web_request_problem(wsi, uri, &msg))) {
		static const struct { int status; const char *code; } codes[] = {
			{ 400, "bad_request" }, { 414, "uri_too_long" },
			{ 431, "headers_too_large" },
		};
		for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
			if (codes[i].status == problem)
				web_answer_json(h, problem, codes[i].code, msg);
		h->close_after = true;
		return 0;
	}
	h->host = web_hdr(wsi, WSI_TOKEN_HOST);
	if (!h->host)
		h->host = web_hdr(wsi, WSI_TOKEN_HTTP_COLON_AUTHORITY);
	if (redirect_vhost) {
		web_gate(h, uri, true);
		return 0;
	}
	if (!method) {
		web_answer_json(h, 405, "method_not_allowed", "unsupported method");
		return 0;
	}
	snprintf(h->method, sizeof(h->method), "%s", method);
	/* Prometheus' path: the API's metrics method, for a bearer token only
	 * (no cookie is passed on: a browser's session does not scrape) */
	if (!strcmp(uri, "/metrics")) {
		h->metrics = true;
		h->path = xstrdup(API_METRICS_PATH);
		h->query = json_object();
		h->authorization = web_hdr(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
		web_forward(h);
		return 0;
	}
	if (strncmp(uri, "/api/", 5) && strcmp(uri, "/api")) {
		h->file = web_static_find(uri);
		h->gz = web_accepts_gzip(wsi);
		web_gate(h, uri, false);
		return 0;
	}
	h->path = xstrdup(uri);
	h->query = web_query(wsi);
	h->cookie = web_hdr(wsi, WSI_TOKEN_HTTP_COOKIE);
	h->authorization = web_hdr(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	h->origin = web_hdr(wsi, WSI_TOKEN_ORIGIN);
	/* libwebsockets keeps only headers it knows on HTTP/2 streams, so the
	 * CSRF token rides in X-Auth-Token, one of those */
	h->csrf = web_hdr(wsi, WSI_TOKEN_X_AUTH_TOKEN);
	if (web_length_required(wsi, method)) {
		/* the body's end cannot be known: refuse rather than run the
		 * request without it; the unread body goes with the connection */
		web_answer_json(h, 411, "length_required",
				"send the request body with a Content-Length header");
		h->close_after = true;
		return 0;
	}
	cl = web_hdr(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
	if (cl && strtoll(cl, NULL, 10) > WEB_MAX_BODY)
		h->too_large = true;
	h->body_expected = cl && strtoll(cl, NULL, 10) > 0;
	free(cl);
	if (h->too_large) {
		web_forward(h);
		return 0;
	}
	if (!h->body_expected)
		web_forward(h);
	return 0;
}

/* An HTTP/1.1 upgrade to the terminal from a page of another site is
 * answered 403 here, before any WebSocket exists (web_term.c). */
static int web_confirm_upgrade(struct lws *wsi)
{
	char uri[32], *origin, *host;
	bool ok;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, WEB_TERM_PATH))
		return 0;
	origin = web_hdr(wsi, WSI_TOKEN_ORIGIN);
	host = web_hdr(wsi, WSI_TOKEN_HOST);
	ok = web_same_origin(origin, host);
	free(origin);
	free(host);
	if (ok)
		return 0;
	lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN,
			       "the terminal opens only from this router's own page");
	return 1;
}

int web_http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		       size_t len)
{
	struct web_http *h = user;

	if (reason == LWS_CALLBACK_HTTP_CONFIRM_UPGRADE)
		return web_confirm_upgrade(wsi);
	if (!h)   /* callbacks of the connection before or after its request */
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		web_reset(h);
		return web_request(h, wsi, in);
	case LWS_CALLBACK_HTTP_BODY:
		if (h->body.len + len > WEB_MAX_BODY)
			h->too_large = true;
		else
			sbuf_addn(&h->body, in, len);
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (!h->answering && h->core_id == 0)
			web_forward(h);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return web_writeable(h);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		web_reset(h);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}
