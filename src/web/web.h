/*
 * difosd-web: the unprivileged HTTPS door. It serves the GUI's files from
 * memory, relays each /api/v1 request to the core as one JSON-RPC frame,
 * and carries the core's events to WebSocket clients. It decides nothing
 * about authorisation: the core does.
 */
#ifndef DIFOS_WEB_H
#define DIFOS_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "core/util.h"

#define WEB_MAX_BODY        (1024 * 1024)        /* request bodies */
#define WEB_MAX_FRAME       (8 * 1024 * 1024)    /* answers from the core */
#define WEB_CORE_TIMEOUT_MS (120 * 1000)         /* an apply may take a while */
#define WEB_MAX_HEADER      8192                 /* one request header */
#define WEB_MAX_HEADERS     16384                /* all of them, with the URL */
#define WEB_MAX_URL         4096                 /* path and query */
#define WEB_HEADER_BUFFER   65535                /* libwebsockets' per request */

/* web_frame.c: the request-to-RPC framing, pure (fuzzed) */
struct web_request {
	const char *method, *path, *cookie, *csrf, *authorization, *origin, *host, *peer;
	json_t *query;          /* {name: value} or NULL */
	const char *body;
	size_t body_len;
};

struct web_response {
	long long id;           /* -1 for a notification */
	int status;
	json_t *headers;        /* {name: value} */
	char *body;             /* JSON text */
	size_t body_len;
	json_t *event;          /* a notification's params */
	char notify[24];        /* a notification's method: "event", "terminal.output"... */
	json_t *result;         /* an answer's result as it came (terminal.attach's {id}) */
};

/* Returns the frame text (no newline), or NULL with *err set. */
char *web_frame_request(long long id, const struct web_request *rq, const char **err);
/* http.gate: may a GUI file be served for this Host, or where does the
 * plain-HTTP redirect go? The core answers like http.request. */
char *web_frame_gate(long long id, const char *host, const char *path, bool redirect);
/* Parses one line from the core. Returns 0, or -1 if it is not a frame. */
int web_frame_response(const char *line, size_t len, struct web_response *out);
void web_response_free(struct web_response *r);
/* Header values may not carry CR, LF or NUL (response splitting). */
bool web_header_value_ok(const char *v);
/* Is origin "https://" followed by host? A WebSocket from a page of another
 * site carries the browser's cookies (cross-site WebSocket hijacking). */
bool web_same_origin(const char *origin, const char *host);
/* A terminal's control message {"resize":[cols,rows]} (each 1-1000). */
#define WEB_TERM_SIZE_MAX 1000
bool web_term_resize_parse(const char *text, size_t len, int *cols, int *rows);

/* web_static.c: the GUI's files, loaded before privileges are dropped */
struct web_file {
	char *path;             /* "/assets/index-abc.js" */
	const char *type;
	char *data, *gz;
	size_t len, gz_len;
	bool immutable;         /* hashed name: cache for a year */
};

int web_static_load(const char *dir);
/* NULL when the path is malformed or not a file of the GUI. */
const struct web_file *web_static_find(const char *path);
bool web_path_ok(const char *path);

/* web_core.c: the connection to the core */
typedef void (*web_core_cb)(void *ctx, struct web_response *resp);
int web_core_connect(const char *socket_path);
int web_core_start(uv_loop_t *loop);
/* Sends a request; cb runs exactly once (answer, timeout or loss) unless
 * cancelled. Returns the id (> 0), or -1 with *err saying why the request
 * cannot be framed (not UTF-8, a NUL in the body: the client's fault). */
long long web_core_send(const struct web_request *rq, web_core_cb cb, void *ctx,
		       const char **err);
/* The same for http.gate. */
long long web_core_gate(const char *host, const char *path, bool redirect, web_core_cb cb,
			void *ctx);
void web_core_cancel(long long id);
void web_core_notify_watchers(int watchers);
/* Another of difosd-web's own methods (params stolen): a call whose answer
 * cb gets (its result in resp->result), or a notification without one. */
long long web_core_call(const char *method, json_t *params, web_core_cb cb, void *ctx);
void web_core_notify(const char *method, json_t *params);
/* Set by web_ws.c: called with each event from the core. */
extern void (*web_core_on_event)(json_t *params);
/* Set by web_term.c: the terminals' output and ends ("terminal.*"). */
extern void (*web_core_on_terminal)(const char *method, json_t *params);

/* web_http.c / web_ws.c */
/* One HTTP request and its answer (lws's per-session data of "http"). */
struct web_http {
	struct lws *wsi;
	char method[8];
	char *path;
	json_t *query;
	char *cookie, *csrf, *authorization, *origin, *host;
	char peer[64];
	struct sbuf body;
	bool too_large, body_expected;
	bool close_after;             /* the connection ends with the answer */
	bool close_now;               /* answered outside its callback: close at the next */
	long long core_id;
	/* the answer */
	bool answering, headers_sent;
	int status;
	const char *type;
	json_t *headers;
	char *owned;                  /* an answer body we own */
	const char *out;              /* what is sent: owned or a GUI file */
	size_t out_len, out_sent;
	bool gz, immutable, api;
	bool metrics;                 /* GET /metrics: the JSON string answered is sent as text */
	const struct web_file *file;  /* the GUI file to serve once the core lets it */
};
struct web_ws {
	struct lws *wsi;
	char *cookie, *origin, *host;
	char peer[64];
	long long core_id, checked;  /* pending check; when the session was last checked */
	bool ok;                     /* the core accepted the session */
	unsigned long seen;          /* the last event generation sent */
	struct web_ws *next;
};
struct lws;
enum lws_callback_reasons;
int web_http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		size_t len);
int web_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
	      size_t len);
void web_ws_broadcast(json_t *params);
/* web_term.c: the terminal's WebSocket (subprotocol difos-terminal) */
#define WEB_TERM_PATH "/api/v1/terminal"
struct web_term_chunk;
struct web_term_attach;
struct web_term {
	struct lws *wsi;
	char *origin, *host, *ticket;
	char peer[64];
	int cols, rows;
	struct web_term_attach *attaching;  /* the attach call in flight */
	int id;                      /* the core's session, once attached */
	bool refused, ended;         /* close once the output queued is sent */
	char why[96];                /* the close frame's reason */
	struct sbuf early;           /* keystrokes before the core attached */
	struct web_term_chunk *head, *tail;   /* output not yet written */
	struct web_term *next;
};
int web_term_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		size_t len);
void web_term_init(void);
/* A request header's value (malloc'd), NULL when absent or too long. The
 * token is an enum lws_token_indexes. */
char *web_hdr(struct lws *wsi, int token);
/* The peer address as text (IPv4 peers without the ::ffff: prefix). */
void web_peer(struct lws *wsi, char *out, size_t len);

/* web_protocols.c: what lws serves */
struct lws_protocols;
extern const struct lws_protocols *const web_protocol_list;

/* web_config.c: the command line */
struct web_config {
	int https_port, http_port;
	const char *cert, *key;
};
extern struct web_config web_cfg;

/* web_privs.c */
int web_drop_privileges(const char *user, const char *chroot_dir);
/* web_seccomp.c: allows only the system calls serving needs; the rest kill. */
int web_seccomp_install(void);

#endif
