#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "rpc/control.h"
#include "rpc/rpc.h"

struct control_door {
	uv_pipe_t server;
	bool open;
	const char *author;           /* fixed author, or NULL: the peer's user name */
	enum rpc_door door;           /* which methods it may call: their access says */
	struct control_conn *conns;
};

struct control_conn {
	uv_pipe_t pipe;
	struct sbuf in;
	char author[64];
	struct control_door *door;
	struct control_conn *next;
	/* answers still to come hold it, and so does control_read while a
	 * method runs (a nested loop, as when an apply restarts difosd-web and
	 * waits for it, may close the connection meanwhile): it is freed when
	 * it is closed and the last of them has let go */
	int refs;
	bool closed;
};

static void control_unref(struct control_conn *c)
{
	if (--c->refs == 0 && c->closed) {
		sbuf_free(&c->in);
		free(c);
	}
}

/* difosctl and local scripts: the methods of the admin, of root and of hooks */
static struct control_door door_control = { .door = RPC_DOOR_CONTROL };
/* difosd-web: only its own methods (the HTTP bridge, event subscriptions);
 * the core decides about every request it forwards */
static struct control_door door_web = { .author = "web", .door = RPC_DOOR_WEB };
/* who follows the web connection's end: the event feed, the terminals */
#define CONTROL_WEB_GONE_MAX 4
static void (*control_web_gone[CONTROL_WEB_GONE_MAX])(void);

void control_on_web_gone(void (*fn)(void))
{
	for (size_t i = 0; i < CONTROL_WEB_GONE_MAX; i++)
		if (!control_web_gone[i]) {
			control_web_gone[i] = fn;
			return;
		}
	log_err("control: too many followers of the web connection");
}

static void control_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)h;
	buf->base = xmalloc(hint);
	buf->len = hint;
}

static void control_closed(uv_handle_t *h)
{
	struct control_conn *c = h->data, **pp;

	for (pp = &c->door->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->door == &door_web) {
		core_enter();
		for (size_t i = 0; i < CONTROL_WEB_GONE_MAX && control_web_gone[i]; i++)
			control_web_gone[i]();
		core_leave();
	}
	c->closed = true;
	c->refs++;
	control_unref(c);
}

static void control_written(uv_write_t *w, int status)
{
	(void)status;
	free(w->data);
	free(w);
}

static void control_send(struct control_conn *c, char *text)
{
	uv_write_t *w = xmalloc(sizeof(*w));
	size_t n = strlen(text);
	uv_buf_t buf;

	text = xrealloc(text, n + 2);
	text[n] = '\n';
	text[n + 1] = '\0';
	buf = uv_buf_init(text, (unsigned)n + 1);
	w->data = text;
	if (uv_write(w, (uv_stream_t *)&c->pipe, &buf, 1, control_written) < 0) {
		free(text);
		free(w);
	}
}

/* an answer, now or later; one for a connection closed meanwhile is dropped */
static void control_answer(void *ctx, char *text)
{
	struct control_conn *c = ctx;

	if (text && !c->closed && !uv_is_closing((uv_handle_t *)&c->pipe))
		control_send(c, text);
	else
		free(text);
	control_unref(c);
}

static void control_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct control_conn *c = s->data;
	char *nl;
	bool gone;

	if (n < 0) {
		free(buf->base);
		if (!uv_is_closing((uv_handle_t *)s))
			uv_close((uv_handle_t *)s, control_closed);
		return;
	}
	sbuf_addn(&c->in, buf->base, (size_t)n);
	free(buf->base);
	c->refs++;      /* held while the methods run: see struct control_conn */
	core_enter();
	while (!c->closed && (nl = memchr(c->in.s, '\n', c->in.len))) {
		size_t len = (size_t)(nl - c->in.s);
		char *frame = xstrndup(c->in.s, len);
		memmove(c->in.s, nl + 1, c->in.len - len - 1);
		c->in.len -= len + 1;
		c->in.s[c->in.len] = '\0';
		c->refs++;
		rpc_handle_text_async(frame, len, c->author, c->door->door, control_answer, c);
		free(frame);
		if (uv_is_closing((uv_handle_t *)s))
			break;
	}
	core_leave();
	gone = c->closed || uv_is_closing((uv_handle_t *)s);
	control_unref(c);
	if (gone)
		return;
	if (c->in.len > CONTROL_MAX_FRAME) {
		control_send(c, xstrdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
					"\"message\":\"request larger than 4 MiB\","
					"\"data\":{\"reason\":\"bad_request\"}}}"));
		uv_close((uv_handle_t *)s, control_closed);
	}
}

static void control_accept(uv_stream_t *server, int status)
{
	struct control_door *door = server->data;
	struct control_conn *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uv_os_fd_t fd;
	struct passwd *pw;

	if (status < 0)
		return;
	c = xcalloc(1, sizeof(*c));
	c->door = door;
	c->next = door->conns;
	door->conns = c;
	sbuf_init(&c->in);
	uv_pipe_init(server->loop, &c->pipe, 0);
	c->pipe.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0) {
		uv_close((uv_handle_t *)&c->pipe, control_closed);
		return;
	}
	/* the socket file is 0600 already; the peer's uid is checked anyway,
	 * so a mistake in file modes cannot open the control plane */
	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_warn("control: refused a connection from uid %d", (int)cred.uid);
		uv_close((uv_handle_t *)&c->pipe, control_closed);
		return;
	}
	pw = door->author ? NULL : getpwuid(cred.uid);
	snprintf(c->author, sizeof(c->author), "%s",
		 door->author ? door->author : pw ? pw->pw_name : "root");
	uv_read_start((uv_stream_t *)&c->pipe, control_alloc, control_read);
}

static int door_listen(struct control_door *door, uv_loop_t *loop, const char *path)
{
	mode_t old;
	int rc;

	unlink(path);
	uv_pipe_init(loop, &door->server, 0);
	door->server.data = door;
	old = umask(0077);
	rc = uv_pipe_bind(&door->server, path);
	umask(old);
	if (rc < 0) {
		log_err("control: cannot bind %s: %s", path, uv_strerror(rc));
		return -1;
	}
	chmod(path, 0600);
	rc = uv_listen((uv_stream_t *)&door->server, 16, control_accept);
	if (rc < 0) {
		log_err("control: cannot listen on %s: %s", path, uv_strerror(rc));
		return -1;
	}
	door->open = true;
	return 0;
}

int control_listen(uv_loop_t *loop, const char *path)
{
	return door_listen(&door_control, loop, path);
}

int control_listen_web(uv_loop_t *loop, const char *path)
{
	return door_listen(&door_web, loop, path);
}

void control_web_notify(const char *method, json_t *params)
{
	json_t *n = json_pack("{s:s, s:s, s:O}", "jsonrpc", "2.0", "method", method, "params",
			      params);

	for (struct control_conn *c = door_web.conns; c; c = c->next)
		if (!uv_is_closing((uv_handle_t *)&c->pipe))
			control_send(c, json_dumps(n, JSON_COMPACT));
	json_decref(n);
}

static void door_close(struct control_door *door)
{
	if (door->open)
		uv_close((uv_handle_t *)&door->server, NULL);
	door->open = false;
}

void control_close(void)
{
	door_close(&door_control);
	door_close(&door_web);
}
