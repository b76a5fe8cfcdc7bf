/*
 * The event feed: WebSocket clients of subprotocol difos-events. The
 * core decides whether a client may watch (GET /api/v1/events with its
 * cookie, re-checked every WEB_WS_RECHECK_MS); the core pushes the
 * dashboard while anyone watches, and every client gets the latest one.
 */
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "web/web.h"

#define WEB_WS_RECHECK_MS (60 * 1000)

static struct web_ws *clients;
static int watchers;
static char *latest;            /* the newest event, as text */
static size_t latest_len;
static unsigned long generation;

static void ws_set_watchers(void)
{
	int n = 0;

	for (struct web_ws *w = clients; w; w = w->next)
		n += w->ok;
	if (n != watchers) {
		watchers = n;
		web_core_notify_watchers(n);
	}
}

static void ws_checked(void *ctx, struct web_response *r)
{
	struct web_ws *w = ctx;

	w->core_id = 0;
	w->checked = now_ms();
	w->ok = r->status == 200;
	if (!w->ok) {
		lws_close_reason(w->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
				 (unsigned char *)"not logged in", 13);
		/* closes on the next writeable callback */
	}
	ws_set_watchers();
	lws_callback_on_writable(w->wsi);
}

static void ws_check(struct web_ws *w)
{
	struct web_request rq = {
		.method = "GET", .path = "/api/v1/events", .cookie = w->cookie, .origin = w->origin,
		.host = w->host, .peer = w->peer,
	};

	const char *err;

	w->core_id = web_core_send(&rq, ws_checked, w, &err);
}

void web_ws_broadcast(json_t *params)
{
	long long now = now_ms();

	free(latest);
	latest = json_dumps(params, JSON_COMPACT);
	latest_len = latest ? strlen(latest) : 0;
	generation++;
	for (struct web_ws *w = clients; w; w = w->next) {
		if (w->ok && !w->core_id && now - w->checked > WEB_WS_RECHECK_MS)
			ws_check(w);
		if (w->ok)
			lws_callback_on_writable(w->wsi);
	}
}

static void ws_forget(struct web_ws *w)
{
	for (struct web_ws **pp = &clients; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	if (w->core_id > 0)
		web_core_cancel(w->core_id);
	free(w->cookie);
	free(w->origin);
	free(w->host);
	memset(w, 0, sizeof(*w));
	ws_set_watchers();
}

int web_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct web_ws *w = user;

	(void)in;
	(void)len;
	if (!w)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
		/* the feed lives at one path only (HTTP/1.1 upgrade, or an
		 * HTTP/2 extended CONNECT whose path is in :path) */
		char uri[32];
		if ((lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 &&
		     lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_HTTP_COLON_PATH) <= 0) ||
		    strcmp(uri, "/api/v1/events"))
			return 1;
		/* headers are only readable now: keep what the core needs */
		memset(w, 0, sizeof(*w));
		w->cookie = web_hdr(wsi, WSI_TOKEN_HTTP_COOKIE);
		w->origin = web_hdr(wsi, WSI_TOKEN_ORIGIN);
		w->host = web_hdr(wsi, WSI_TOKEN_HOST);
		if (!w->host)
			w->host = web_hdr(wsi, WSI_TOKEN_HTTP_COLON_AUTHORITY);
		web_peer(wsi, w->peer, sizeof(w->peer));
		return 0;
	}
	case LWS_CALLBACK_ESTABLISHED:
		w->wsi = wsi;
		w->next = clients;
		clients = w;
		w->seen = generation;
		ws_check(w);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		unsigned char *buf;
		int rc;
		if (!w->ok)
			return w->core_id ? 0 : -1;
		if (w->seen == generation || !latest)
			return 0;
		buf = xmalloc(LWS_PRE + latest_len);
		memcpy(buf + LWS_PRE, latest, latest_len);
		rc = lws_write(wsi, buf + LWS_PRE, latest_len, LWS_WRITE_TEXT);
		free(buf);
		w->seen = generation;
		return rc < (int)latest_len ? -1 : 0;
	}
	case LWS_CALLBACK_RECEIVE:
		return 0;   /* the feed is one-way */
	case LWS_CALLBACK_CLOSED:
		ws_forget(w);
		return 0;
	default:
		return 0;
	}
}
