/*
 * The terminal's WebSocket: /api/v1/terminal?ticket=..., subprotocol
 * difos-terminal. The Origin must be this very router's page (a page of
 * another site could otherwise open it with the browser's cookies: cross-
 * site WebSocket hijacking): an HTTP/1.1 upgrade from elsewhere gets 403,
 * an HTTP/2 one is reset. The core then takes the ticket (terminal.attach)
 * and starts the shell. Binary frames carry keystrokes in and output out;
 * a text frame {"resize":[cols,rows]} sets the size. Each chunk of output
 * written to the socket is acknowledged to the core, which sends more only
 * while little is unacknowledged: a slow browser holds the shell back
 * instead of filling this process's memory.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "web/web.h"

#define WEB_TERM_EARLY_MAX (64 * 1024)   /* keystrokes before the shell started */
#define WEB_TERM_TEXT_MAX  256           /* a control message */
/* the close frame's opcode as lws_write knows it; its header leaves it out
 * (libwebsockets 4.1: LWS_WRITE_CLOSE, 4) */
#define WEB_WRITE_CLOSE    ((enum lws_write_protocol)4)

struct web_term_chunk {
	size_t len;
	struct web_term_chunk *next;
	unsigned char data[];        /* LWS_PRE bytes, then the output */
};

/* outlives its socket: an answer for a socket closed meanwhile detaches */
struct web_term_attach {
	struct web_term *t;
};

static struct web_term *terms;

static struct web_term *term_by_id(int id)
{
	for (struct web_term *t = terms; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

static void term_send_input(struct web_term *t, const void *data, size_t len)
{
	int cap = (int)(len * 4 / 3 + 8);
	char *b64 = xmalloc((size_t)cap);
	int n = lws_b64_encode_string(data, (int)len, b64, cap);

	if (n >= 0)
		web_core_notify("terminal.input", json_pack("{s:i, s:s#}", "id", t->id, "data",
							    b64, (size_t)n));
	free(b64);
}

static void term_close_soon(struct web_term *t, const char *why)
{
	t->ended = true;
	snprintf(t->why, sizeof(t->why), "%s", why);
	lws_callback_on_writable(t->wsi);
}

static void term_attached(void *ctx, struct web_response *r)
{
	struct web_term_attach *a = ctx;
	struct web_term *t = a->t;
	json_t *id = json_object_get(r->result, "id");

	free(a);
	if (!t) {
		/* the socket closed while the shell started */
		if (json_is_integer(id))
			web_core_notify("terminal.detach",
					json_pack("{s:I}", "id", json_integer_value(id)));
		return;
	}
	t->attaching = NULL;
	if (!json_is_integer(id)) {
		json_t *b = json_loads(r->body ? r->body : "", 0, NULL);
		const char *msg = json_string_value(json_object_get(json_object_get(b, "error"),
								    "message"));
		t->refused = true;
		term_close_soon(t, msg ? msg : "refused");
		json_decref(b);
		return;
	}
	t->id = (int)json_integer_value(id);
	if (t->early.len)
		term_send_input(t, t->early.s, t->early.len);
	sbuf_free(&t->early);
	sbuf_init(&t->early);
}

static void term_attach(struct web_term *t)
{
	struct web_term_attach *a = xcalloc(1, sizeof(*a));
	json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "ticket", t->ticket ? t->ticket : "",
			      "origin", t->origin ? t->origin : "", "host", t->host ? t->host : "",
			      "peer", t->peer);

	if (t->cols > 0 && t->rows > 0) {
		json_object_set_new(p, "cols", json_integer(t->cols));
		json_object_set_new(p, "rows", json_integer(t->rows));
	}
	a->t = t;
	t->attaching = a;
	if (web_core_call("terminal.attach", p, term_attached, a) < 0) {
		free(a);
		t->attaching = NULL;
		t->refused = true;
		term_close_soon(t, "the core is not answering");
	}
}

/* The core's notifications: output to queue, or the session's end. */
static void term_from_core(const char *method, json_t *params)
{
	struct web_term *t = term_by_id((int)json_integer_value(json_object_get(params, "id")));
	const char *data = json_string_value(json_object_get(params, "data"));

	if (!t || t->ended)
		return;
	if (!strcmp(method, "terminal.output") && data) {
		size_t in = strlen(data);
		struct web_term_chunk *c = xmalloc(sizeof(*c) + LWS_PRE + in);
		int n = lws_b64_decode_string_len(data, (int)in, (char *)c->data + LWS_PRE,
						  (int)in + 1);
		if (n <= 0) {
			free(c);
			return;
		}
		c->len = (size_t)n;
		c->next = NULL;
		if (t->tail)
			t->tail->next = c;
		else
			t->head = c;
		t->tail = c;
		lws_callback_on_writable(t->wsi);
	} else if (!strcmp(method, "terminal.exit")) {
		const char *reason = json_string_value(json_object_get(params, "reason"));
		t->id = 0;   /* the core forgot it: nothing to detach */
		term_close_soon(t, reason ? reason : "exit");
	}
}

static int term_writeable(struct lws *wsi, struct web_term *t)
{
	struct web_term_chunk *c = t->head;

	if (c) {
		int rc = lws_write(wsi, c->data + LWS_PRE, c->len, LWS_WRITE_BINARY);
		t->head = c->next;
		if (!t->head)
			t->tail = NULL;
		if (t->id)
			web_core_notify("terminal.ack", json_pack("{s:i, s:I}", "id", t->id, "bytes",
								  (json_int_t)c->len));
		free(c);
		if (rc < 0)
			return -1;
		if (t->head || t->ended)
			lws_callback_on_writable(wsi);
		return 0;
	}
	if (t->ended) {
		/* the close frame written here: libwebsockets 4.1 drops the one
		 * of lws_close_reason when the callback closes the connection */
		unsigned char buf[LWS_PRE + 2 + sizeof(t->why)];
		unsigned code = t->refused ? LWS_CLOSE_STATUS_POLICY_VIOLATION :
			        LWS_CLOSE_STATUS_NORMAL;
		size_t n = strlen(t->why);
		buf[LWS_PRE] = (unsigned char)(code >> 8);
		buf[LWS_PRE + 1] = (unsigned char)(code & 0xff);
		memcpy(buf + LWS_PRE + 2, t->why, n);
		lws_write(wsi, buf + LWS_PRE, n + 2, WEB_WRITE_CLOSE);
		return -1;
	}
	return 0;
}

/* {"resize":[cols,rows]} */
static void term_control(struct web_term *t, const char *text, size_t len)
{
	int cols, rows;

	if (!web_term_resize_parse(text, len, &cols, &rows))
		return;
	if (t->id)
		web_core_notify("terminal.resize", json_pack("{s:i, s:i, s:i}", "id", t->id, "cols",
							     cols, "rows", rows));
	else {
		t->cols = cols;
		t->rows = rows;
	}
}

static int term_receive(struct lws *wsi, struct web_term *t, const void *in, size_t len)
{
	if (t->ended)
		return 0;
	if (lws_frame_is_binary(wsi)) {
		if (t->id)
			term_send_input(t, in, len);
		else if (t->early.len + len <= WEB_TERM_EARLY_MAX)
			sbuf_addn(&t->early, in, len);
		return 0;
	}
	/* a control message comes whole, and small */
	if (!lws_is_first_fragment(wsi) || !lws_is_final_fragment(wsi) || len > WEB_TERM_TEXT_MAX)
		return 0;
	term_control(t, in, len);
	return 0;
}

static void term_forget(struct web_term *t)
{
	for (struct web_term **pp = &terms; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	if (t->attaching)
		t->attaching->t = NULL;
	if (t->id)
		web_core_notify("terminal.detach", json_pack("{s:i}", "id", t->id));
	while (t->head) {
		struct web_term_chunk *c = t->head;
		t->head = c->next;
		free(c);
	}
	sbuf_free(&t->early);
	free(t->origin);
	free(t->host);
	free(t->ticket);
	memset(t, 0, sizeof(*t));
}

static int term_filter(struct lws *wsi, struct web_term *t)
{
	char uri[32], arg[160];
	const char *v;

	if ((lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 &&
	     lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_HTTP_COLON_PATH) <= 0) ||
	    strcmp(uri, WEB_TERM_PATH))
		return 1;
	memset(t, 0, sizeof(*t));
	sbuf_init(&t->early);
	t->origin = web_hdr(wsi, WSI_TOKEN_ORIGIN);
	t->host = web_hdr(wsi, WSI_TOKEN_HOST);
	if (!t->host)
		t->host = web_hdr(wsi, WSI_TOKEN_HTTP_COLON_AUTHORITY);
	web_peer(wsi, t->peer, sizeof(t->peer));
	/* HTTP/1.1 was answered 403 already (web_http.c); HTTP/2 is reset here */
	if (!web_same_origin(t->origin, t->host)) {
		log_warn("web: terminal refused to %s: Origin %s is not https://%s", t->peer,
			 t->origin ? t->origin : "(none)", t->host ? t->host : "(none)");
		return 1;
	}
	if ((v = lws_get_urlarg_by_name(wsi, "ticket=", arg, sizeof(arg))))
		t->ticket = xstrdup(v);
	if ((v = lws_get_urlarg_by_name(wsi, "cols=", arg, sizeof(arg))))
		t->cols = atoi(v);
	if ((v = lws_get_urlarg_by_name(wsi, "rows=", arg, sizeof(arg))))
		t->rows = atoi(v);
	if (t->cols < 1 || t->cols > WEB_TERM_SIZE_MAX || t->rows < 1 || t->rows > WEB_TERM_SIZE_MAX)
		t->cols = t->rows = 0;
	return 0;
}

int web_term_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		size_t len)
{
	struct web_term *t = user;

	if (!t)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return term_filter(wsi, t);
	case LWS_CALLBACK_ESTABLISHED:
		t->wsi = wsi;
		t->next = terms;
		terms = t;
		term_attach(t);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return term_writeable(wsi, t);
	case LWS_CALLBACK_RECEIVE:
		return term_receive(wsi, t, in, len);
	case LWS_CALLBACK_CLOSED:
		term_forget(t);
		return 0;
	default:
		return 0;
	}
}

void web_term_init(void)
{
	web_core_on_terminal = term_from_core;
}
