/*
 * The connection to the core: a unix socket opened while still root (the
 * core's web door accepts only root peers and only http.request and
 * events.subscribe). Requests wait in a small table until their answer,
 * their deadline, or the loss of the core; the process then exits and the
 * core's supervisor starts a new one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "web/web.h"

struct web_pending {
	long long id;
	long long deadline;
	web_core_cb cb;
	void *ctx;
	struct web_pending *next;
};

static int core_fd = -1;
static uv_pipe_t core_pipe;
static uv_timer_t core_timer;
static struct sbuf core_in;
static struct web_pending *pending;
static long long next_id = 1;

void (*web_core_on_event)(json_t *params);
void (*web_core_on_terminal)(const char *method, json_t *params);

int web_core_connect(const char *socket_path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, socket_path);
	core_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (core_fd < 0 || connect(core_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_err("web: cannot reach the core at %s: %s", socket_path, strerror(errno));
		return -1;
	}
	return 0;
}

static void core_finish(struct web_pending *p, struct web_response *r)
{
	if (p->cb)
		p->cb(p->ctx, r);
	free(p);
}

static struct web_pending *core_take(long long id)
{
	for (struct web_pending **pp = &pending; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct web_pending *p = *pp;
			*pp = p->next;
			return p;
		}
	return NULL;
}

static void core_synth(struct web_response *r, int status, const char *code, const char *msg)
{
	json_t *b = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg);

	memset(r, 0, sizeof(*r));
	r->status = status;
	r->headers = json_object();
	r->body = json_dumps(b, JSON_COMPACT);
	r->body_len = strlen(r->body);
	json_decref(b);
}

static void core_lost(void)
{
	log_err("web: lost the core; exiting");
	while (pending) {
		struct web_pending *p = pending;
		struct web_response r;
		pending = p->next;
		core_synth(&r, 502, "unavailable", "the core is not answering");
		core_finish(p, &r);
		web_response_free(&r);
	}
	exit(1);
}

static void core_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)h;
	buf->base = xmalloc(hint);
	buf->len = hint;
}

static void core_line(const char *line, size_t len)
{
	struct web_response r;
	struct web_pending *p;

	if (web_frame_response(line, len, &r) < 0) {
		log_warn("web: the core sent a frame that is not JSON-RPC");
		return;
	}
	if (r.event) {
		if (!strcmp(r.notify, "event")) {
			if (web_core_on_event)
				web_core_on_event(r.event);
		} else if (web_core_on_terminal) {
			web_core_on_terminal(r.notify, r.event);
		}
	} else if ((p = core_take(r.id))) {
		core_finish(p, &r);
	}
	web_response_free(&r);
}

static void core_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	char *nl;

	(void)s;
	if (n < 0) {
		free(buf->base);
		core_lost();
		return;
	}
	sbuf_addn(&core_in, buf->base, (size_t)n);
	free(buf->base);
	while ((nl = memchr(core_in.s, '\n', core_in.len))) {
		size_t len = (size_t)(nl - core_in.s);
		core_line(core_in.s, len);
		memmove(core_in.s, nl + 1, core_in.len - len - 1);
		core_in.len -= len + 1;
		core_in.s[core_in.len] = '\0';
	}
	if (core_in.len > WEB_MAX_FRAME) {
		log_err("web: a frame from the core exceeds %d bytes", WEB_MAX_FRAME);
		core_lost();
	}
}

static void core_tick(uv_timer_t *t)
{
	long long now = now_ms();

	(void)t;
	for (struct web_pending **pp = &pending; *pp;) {
		struct web_pending *p = *pp;
		struct web_response r;
		if (p->deadline > now) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		core_synth(&r, 504, "timeout", "the core did not answer in time");
		core_finish(p, &r);
		web_response_free(&r);
	}
}

int web_core_start(uv_loop_t *loop)
{
	sbuf_init(&core_in);
	uv_pipe_init(loop, &core_pipe, 0);
	if (uv_pipe_open(&core_pipe, core_fd) < 0)
		return -1;
	uv_read_start((uv_stream_t *)&core_pipe, core_alloc, core_read);
	uv_timer_init(loop, &core_timer);
	uv_timer_start(&core_timer, core_tick, 1000, 1000);
	return 0;
}

static void core_written(uv_write_t *w, int status)
{
	free(w->data);
	free(w);
	if (status < 0)
		core_lost();
}

static void core_write(char *text)
{
	size_t n = strlen(text);
	uv_write_t *w = xmalloc(sizeof(*w));
	uv_buf_t buf;

	text = xrealloc(text, n + 2);
	text[n] = '\n';
	text[n + 1] = '\0';
	w->data = text;
	buf = uv_buf_init(text, (unsigned)n + 1);
	if (uv_write(w, (uv_stream_t *)&core_pipe, &buf, 1, core_written) < 0) {
		free(text);
		free(w);
		core_lost();
	}
}

static long long core_pending_add(long long id, char *text, web_core_cb cb, void *ctx)
{
	struct web_pending *p;

	if (!text)
		return -1;
	p = xcalloc(1, sizeof(*p));
	p->id = id;
	p->cb = cb;
	p->ctx = ctx;
	p->deadline = now_ms() + WEB_CORE_TIMEOUT_MS;
	p->next = pending;
	pending = p;
	core_write(text);
	return id;
}

long long web_core_send(const struct web_request *rq, web_core_cb cb, void *ctx,
		       const char **err)
{
	long long id = next_id++;

	return core_pending_add(id, web_frame_request(id, rq, err), cb, ctx);
}

long long web_core_gate(const char *host, const char *path, bool redirect, web_core_cb cb,
			void *ctx)
{
	long long id = next_id++;

	return core_pending_add(id, web_frame_gate(id, host, path, redirect), cb, ctx);
}

void web_core_cancel(long long id)
{
	struct web_pending *p = core_take(id);

	free(p);
}

void web_core_notify_watchers(int watchers)
{
	json_t *f = json_pack("{s:s, s:I, s:s, s:{s:i}}", "jsonrpc", "2.0", "id",
			      (json_int_t)next_id++, "method", "events.subscribe", "params",
			      "watchers", watchers);

	core_write(json_dumps(f, JSON_COMPACT));
	json_decref(f);
}

static char *core_frame(long long id, const char *method, json_t *params)
{
	json_t *f = json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params",
			      params);
	char *text;

	if (id > 0)
		json_object_set_new(f, "id", json_integer(id));
	text = json_dumps(f, JSON_COMPACT);
	json_decref(f);
	return text;
}

long long web_core_call(const char *method, json_t *params, web_core_cb cb, void *ctx)
{
	long long id = next_id++;

	return core_pending_add(id, core_frame(id, method, params), cb, ctx);
}

void web_core_notify(const char *method, json_t *params)
{
	char *text = core_frame(0, method, params);

	if (text)
		core_write(text);
}
