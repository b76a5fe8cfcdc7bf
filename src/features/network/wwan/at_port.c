/* The AT control port on the loop (at_port.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wwan/at_port.h"

struct at_cmd {
	struct at_cmd *next;
	char *text;
	char prefix[16];
	unsigned timeout_ms;
	bool secret;
	at_done_fn fn;
	void *arg;
};

struct at_port {
	uv_loop_t *loop;
	int fd;
	char *path;
	uv_poll_t poll;
	uv_timer_t timer;
	int handles;
	bool closing;
	at_urc_fn on_urc;
	at_gone_fn on_gone;
	void *arg;
	struct at_reader reader;
	struct at_cmd *head, *tail;   /* head: the one in flight once sent */
	unsigned queued;
	bool sent;
	char *lines[AT_ANSWER_LINES_MAX];
	size_t n_lines;
	struct sbuf out;              /* bytes not yet written */
	size_t out_off;
};

static void at_port_poll_cb(uv_poll_t *h, int status, int events);

static void at_cmd_free(struct at_cmd *c)
{
	free(c->text);
	free(c);
}

static void at_lines_clear(struct at_port *p)
{
	for (size_t i = 0; i < p->n_lines; i++)
		free(p->lines[i]);
	p->n_lines = 0;
}

/* what the log shows of a command: never a PIN */
static void at_log_cmd(const struct at_cmd *c, const char *what)
{
	if (c->secret) {
		const char *eq = strchr(c->text, '=');
		log_debug("wwan: %s %.*s=(hidden)", what, eq ? (int)(eq - c->text) : 0, c->text);
	} else {
		log_debug("wwan: %s %s", what, c->text);
	}
}

static void at_port_watch(struct at_port *p)
{
	int ev = UV_READABLE | UV_DISCONNECT;

	if (p->closing)
		return;
	if (p->out.len > p->out_off)
		ev |= UV_WRITABLE;
	uv_poll_start(&p->poll, ev, at_port_poll_cb);
}

static void at_port_flush(struct at_port *p)
{
	while (p->out.len > p->out_off) {
		ssize_t n = write(p->fd, p->out.s + p->out_off, p->out.len - p->out_off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;   /* EAGAIN: when writable; an error: the read side reports it */
		}
		p->out_off += (size_t)n;
	}
	if (p->out_off == p->out.len) {
		p->out.len = p->out_off = 0;
		if (p->out.s)
			p->out.s[0] = '\0';
	}
	at_port_watch(p);
}

static void at_timer_cb(uv_timer_t *t);

/* sends the next command when none is in flight */
static void at_port_next(struct at_port *p)
{
	struct at_cmd *c = p->head;

	if (p->closing || p->sent || !c)
		return;
	p->sent = true;
	at_lines_clear(p);
	at_log_cmd(c, "sends");
	sbuf_add(&p->out, c->text);
	sbuf_add(&p->out, "\r");
	uv_timer_start(&p->timer, at_timer_cb, c->timeout_ms, 0);
	at_port_flush(p);
}

/* ends the command in flight with a (every exit goes through here) */
static void at_port_finish(struct at_port *p, struct at_answer *a)
{
	struct at_cmd *c = p->head;

	if (!c)
		return;
	p->head = c->next;
	if (!p->head)
		p->tail = NULL;
	p->queued--;
	p->sent = false;
	uv_timer_stop(&p->timer);
	/* the lines are the answer's: a callback that closes the port keeps them */
	char *lines[AT_ANSWER_LINES_MAX];
	size_t n = p->n_lines;

	memcpy(lines, p->lines, n * sizeof(*lines));
	p->n_lines = 0;
	a->lines = lines;
	a->n_lines = n;
	c->fn(c->arg, a);
	at_cmd_free(c);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	at_port_next(p);
}

static void at_timer_cb(uv_timer_t *t)
{
	struct at_port *p = t->data;
	struct at_answer a = { .err = "no answer in time", .final = AT_ERROR, .code = -1 };

	core_enter();
	if (p->head)
		at_log_cmd(p->head, "no answer to");
	at_port_finish(p, &a);
	core_leave();
}

static void at_port_line(void *arg, const char *line)
{
	struct at_port *p = arg;
	struct at_cmd *c = p->sent ? p->head : NULL;
	int code;
	enum at_kind k;

	if (p->closing)
		return;
	/* the echo, before ATE0 took effect */
	if (c && !strcasecmp(line, c->text))
		return;
	k = at_classify(line, &code);
	if (c && at_is_final(k)) {
		struct at_answer a = { .final = k, .code = code };
		at_port_finish(p, &a);
		return;
	}
	if (c && c->prefix[0] && at_has_prefix(line, c->prefix))
		k = AT_INFO;
	if (k == AT_URC || !c) {
		p->on_urc(p->arg, line);
		return;
	}
	if (p->n_lines < AT_ANSWER_LINES_MAX)
		p->lines[p->n_lines++] = xstrdup(line);
}

static void at_port_fail_all(struct at_port *p, const char *why)
{
	while (p->head) {
		struct at_answer a = { .err = why, .final = AT_ERROR, .code = -1 };
		p->sent = true;   /* at_port_finish must not send the next */
		at_port_finish(p, &a);
	}
	p->sent = false;
}

static void at_port_gone(struct at_port *p, const char *why)
{
	at_gone_fn gone = p->on_gone;
	void *arg = p->arg;
	char *w = xstrdup(why);

	if (p->closing) {
		free(w);
		return;
	}
	log_info("wwan: control port %s: %s", p->path, w);
	uv_poll_stop(&p->poll);
	p->on_gone = NULL;
	/* the owner closes the port (at_port_close) from its callback or later;
	 * the commands waiting learn only that it closed, the owner why */
	at_port_fail_all(p, "port closed");
	if (gone)
		gone(arg, w);
	free(w);
}

static void at_port_poll_cb(uv_poll_t *h, int status, int events)
{
	struct at_port *p = h->data;
	char buf[1024];

	core_enter();
	if (status < 0) {
		at_port_gone(p, uv_strerror(status));
		goto out;
	}
	if (events & UV_WRITABLE)
		at_port_flush(p);
	if (events & (UV_READABLE | UV_DISCONNECT)) {
		for (int i = 0; i < 16 && !p->closing && p->on_gone; i++) {
			ssize_t n = read(p->fd, buf, sizeof(buf));
			if (n > 0) {
				at_reader_feed(&p->reader, buf, (size_t)n, at_port_line, p);
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			/* EIO: the other side of the line hung up (the modem went) */
			at_port_gone(p, n == 0 ? "hung up" : strerror(errno));
			break;
		}
	}
out:
	core_leave();
}

struct at_port *at_port_open(uv_loop_t *loop, const char *path, at_urc_fn on_urc,
			     at_gone_fn on_gone, void *arg, char **err)
{
	struct termios tio;
	struct at_port *p;
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!isatty(fd) || tcgetattr(fd, &tio) < 0) {
		*err = xasprintf("%s: is not a serial port", path);
		close(fd);
		return NULL;
	}
	/* raw: no echo, no line editing, no CR/LF translation, 8N1 */
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(unsigned)CRTSCTS;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, B115200);
	cfsetospeed(&tio, B115200);
	if (tcsetattr(fd, TCSANOW, &tio) < 0) {
		*err = xasprintf("%s: cannot set the line: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	tcflush(fd, TCIOFLUSH);
	p = xcalloc(1, sizeof(*p));
	p->loop = loop;
	p->fd = fd;
	p->path = xstrdup(path);
	p->on_urc = on_urc;
	p->on_gone = on_gone;
	p->arg = arg;
	sbuf_init(&p->out);
	at_reader_init(&p->reader);
	uv_poll_init(loop, &p->poll, fd);
	p->poll.data = p;
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	p->handles = 2;
	at_port_watch(p);
	return p;
}

int at_port_send(struct at_port *p, const char *cmd, const char *prefix, unsigned timeout_ms,
		 bool secret, at_done_fn fn, void *arg)
{
	struct at_cmd *c;

	if (p->closing || !p->on_gone || p->queued >= AT_PORT_QUEUE_MAX)
		return -1;
	c = xcalloc(1, sizeof(*c));
	c->text = xstrdup(cmd);
	snprintf(c->prefix, sizeof(c->prefix), "%s", prefix ? prefix : "");
	c->timeout_ms = timeout_ms ? timeout_ms : 5000;
	c->secret = secret;
	c->fn = fn;
	c->arg = arg;
	if (p->tail)
		p->tail->next = c;
	else
		p->head = c;
	p->tail = c;
	p->queued++;
	at_port_next(p);
	return 0;
}

static void at_port_closed(uv_handle_t *h)
{
	struct at_port *p = h->data;

	if (--p->handles == 0) {
		close(p->fd);
		free(p->path);
		sbuf_free(&p->out);
		free(p);
	}
}

void at_port_close(struct at_port *p)
{
	if (!p || p->closing)
		return;
	at_port_fail_all(p, "port closed");
	p->closing = true;
	at_lines_clear(p);
	uv_close((uv_handle_t *)&p->poll, at_port_closed);
	uv_close((uv_handle_t *)&p->timer, at_port_closed);
}
