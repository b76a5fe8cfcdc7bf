/* A client of one hostapd control socket, on the loop (hapd_ctrl.h). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/lock.h"
#include "core/util.h"
#include "features/network/wifi/hapd_ctrl.h"
#include "features/network/wifi/hapd_parse.h"

#define HAPD_QUEUE_MAX 64

struct hapd_req {
	struct hapd_req *next;
	char *cmd;
	unsigned timeout_ms;
	hapd_reply_fn fn;
	void *arg;
};

/* A socket and its poll handle: closed together, freed when libuv has. */
struct hapd_sock {
	uv_poll_t poll;
	int fd;
	struct hapd_ctrl *owner;
};

struct hapd_ctrl {
	uv_loop_t *loop;
	char *path;
	struct hapd_req *head, *tail, *cur;
	size_t queued;
	struct hapd_sock *sock;
	uv_timer_t timer;      /* the answer's deadline */
	uv_timer_t kick;       /* starts the next request from the loop, never inside a call */
	int open_handles;
	bool dead;
};

static void hapd_next(struct hapd_ctrl *c);

static void hapd_sock_closed(uv_handle_t *h)
{
	struct hapd_sock *s = h->data;

	close(s->fd);
	free(s);
}

static void hapd_sock_close(struct hapd_ctrl *c)
{
	if (!c->sock)
		return;
	uv_poll_stop(&c->sock->poll);
	uv_close((uv_handle_t *)&c->sock->poll, hapd_sock_closed);
	c->sock = NULL;
}

static void hapd_req_free(struct hapd_req *r)
{
	free(r->cmd);
	free(r);
}

/* The current request's answer (or why none): its callback, then the next. */
static void hapd_finish(struct hapd_ctrl *c, const char *err, const char *reply, size_t len)
{
	struct hapd_req *r = c->cur;

	if (!r)
		return;
	c->cur = NULL;
	uv_timer_stop(&c->timer);
	if (c->sock)
		uv_poll_stop(&c->sock->poll);
	r->fn(r->arg, err, reply, len);
	hapd_req_free(r);
	if (!c->dead)
		hapd_next(c);
}

static void hapd_on_readable(uv_poll_t *p, int status, int events)
{
	struct hapd_sock *s = p->data;
	struct hapd_ctrl *c = s->owner;
	char *buf;

	(void)events;
	core_enter();
	if (status < 0) {
		hapd_sock_close(c);
		hapd_finish(c, "the control socket failed", NULL, 0);
		core_leave();
		return;
	}
	buf = xmalloc(HAPD_REPLY_MAX + 1);
	while (c->sock == s && c->cur) {
		ssize_t n = recv(s->fd, buf, HAPD_REPLY_MAX, MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n < 0) {
			char *why = xasprintf("cannot read hostapd's answer: %s", strerror(errno));
			hapd_sock_close(c);
			hapd_finish(c, why, NULL, 0);
			free(why);
			break;
		}
		if (n > HAPD_REPLY_MAX) {
			hapd_sock_close(c);
			hapd_finish(c, "hostapd's answer is too long", NULL, 0);
			break;
		}
		/* an event ("<3>AP-STA-CONNECTED ...") answers nothing */
		if (n >= 3 && buf[0] == '<' && isdigit((unsigned char)buf[1]) && buf[2] == '>')
			continue;
		buf[n] = '\0';
		hapd_finish(c, NULL, buf, (size_t)n);
	}
	free(buf);
	core_leave();
}

static void hapd_on_timeout(uv_timer_t *t)
{
	struct hapd_ctrl *c = t->data;
	char *why;

	core_enter();
	why = xasprintf("no answer from hostapd in %u ms", c->cur ? c->cur->timeout_ms : 0);
	/* a late answer must not pass for the next request's */
	hapd_sock_close(c);
	hapd_finish(c, why, NULL, 0);
	free(why);
	core_leave();
}

/* A socket bound to an abstract address of the kernel's choosing (hostapd
 * answers the sender's address), connected to hostapd's. */
static char *hapd_sock_open(struct hapd_ctrl *c)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct hapd_sock *s;
	int fd;

	if (strlen(c->path) >= sizeof(a.sun_path))
		return xasprintf("the control socket's path %s is too long", c->path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return xasprintf("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&a, sizeof(sa_family_t)) < 0) {
		int e = errno;
		close(fd);
		return xasprintf("bind: %s", strerror(e));
	}
	memcpy(a.sun_path, c->path, strlen(c->path) + 1);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return xasprintf("no hostapd control socket at %s: %s", c->path, strerror(e));
	}
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	s->owner = c;
	if (uv_poll_init(c->loop, &s->poll, fd) < 0) {
		close(fd);
		free(s);
		return xstrdup("cannot watch the control socket");
	}
	s->poll.data = s;
	c->sock = s;
	return NULL;
}

static void hapd_next(struct hapd_ctrl *c)
{
	while (!c->dead && !c->cur && c->head) {
		struct hapd_req *r = c->head;
		char *why = NULL;

		c->head = r->next;
		if (!c->head)
			c->tail = NULL;
		c->queued--;
		c->cur = r;
		if (!c->sock)
			why = hapd_sock_open(c);
		if (!why && send(c->sock->fd, r->cmd, strlen(r->cmd), 0) < 0) {
			why = xasprintf("cannot send to hostapd: %s", strerror(errno));
			hapd_sock_close(c);
		}
		if (why) {
			/* hapd_finish would start the next: this loop does */
			c->cur = NULL;
			r->fn(r->arg, why, NULL, 0);
			hapd_req_free(r);
			free(why);
			continue;
		}
		uv_timer_start(&c->timer, hapd_on_timeout, r->timeout_ms, 0);
		uv_poll_start(&c->sock->poll, UV_READABLE, hapd_on_readable);
	}
}

static void hapd_on_kick(uv_timer_t *t)
{
	struct hapd_ctrl *c = t->data;

	core_enter();
	hapd_next(c);
	core_leave();
}

struct hapd_ctrl *hapd_ctrl_new(uv_loop_t *loop, const char *path)
{
	struct hapd_ctrl *c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->path = xstrdup(path);
	uv_timer_init(loop, &c->timer);
	uv_timer_init(loop, &c->kick);
	c->timer.data = c;
	c->kick.data = c;
	c->open_handles = 2;
	return c;
}

const char *hapd_ctrl_path(const struct hapd_ctrl *c)
{
	return c->path;
}

int hapd_ctrl_send(struct hapd_ctrl *c, const char *cmd, unsigned timeout_ms, hapd_reply_fn fn,
		   void *arg)
{
	struct hapd_req *r;

	if (c->dead || c->queued >= HAPD_QUEUE_MAX)
		return -1;
	r = xcalloc(1, sizeof(*r));
	r->cmd = xstrdup(cmd);
	r->timeout_ms = timeout_ms ? timeout_ms : 2000;
	r->fn = fn;
	r->arg = arg;
	if (c->tail)
		c->tail->next = r;
	else
		c->head = r;
	c->tail = r;
	c->queued++;
	if (!c->cur)
		uv_timer_start(&c->kick, hapd_on_kick, 0, 0);
	return 0;
}

static void hapd_handle_closed(uv_handle_t *h)
{
	struct hapd_ctrl *c = h->data;

	if (--c->open_handles == 0) {
		free(c->path);
		free(c);
	}
}

void hapd_ctrl_free(struct hapd_ctrl *c)
{
	struct hapd_req *r;

	if (!c || c->dead)
		return;
	c->dead = true;
	hapd_sock_close(c);
	if ((r = c->cur)) {
		c->cur = NULL;
		r->fn(r->arg, "client stopped", NULL, 0);
		hapd_req_free(r);
	}
	while ((r = c->head)) {
		c->head = r->next;
		r->fn(r->arg, "client stopped", NULL, 0);
		hapd_req_free(r);
	}
	c->tail = NULL;
	uv_timer_stop(&c->timer);
	uv_timer_stop(&c->kick);
	uv_close((uv_handle_t *)&c->timer, hapd_handle_closed);
	uv_close((uv_handle_t *)&c->kick, hapd_handle_closed);
}
