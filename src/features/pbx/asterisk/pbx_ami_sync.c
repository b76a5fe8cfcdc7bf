/*
 * The manager as the apply and its health check use it: a connection of
 * their own for each step (login, one action, logoff), blocking with a
 * deadline, on the apply's worker. The core lock is let go while waiting
 * on Asterisk, so the core answers others meanwhile. Requests never come
 * here: what the PBX shows (registrations, calls) comes from the
 * long-lived client on the loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/lock.h"
#include "features/pbx/asterisk/ami_parse.h"
#include "features/pbx/asterisk/pbx_int.h"

static struct {
	int port;
	char *secret;
	const char *state;   /* what the last step found, for status */
} ami = { .state = "not started" };

void pbx_ami_use(int port, const char *secret)
{
	if (ami.secret) {
		sodium_memzero(ami.secret, strlen(ami.secret));
		free(ami.secret);
	}
	ami.port = port;
	ami.secret = xstrdup(secret);
}

void pbx_ami_forget(void)
{
	pbx_ami_use(0, "");
	ami.state = "not started";
}

const char *pbx_ami_state(void)
{
	return ami.state;
}

/* What Asterisk said, fit for an error: 200 characters at most, nothing
 * but printable ones. */
static const char *ami_says(const struct ami_msg *m, const char *otherwise)
{
	static __thread char buf[201];
	const char *said = ami_get(m, "Message");
	size_t i;

	if (!said || !*said)
		return otherwise;
	for (i = 0; said[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)said[i] < 0x20 || said[i] == 0x7f ? '?' : said[i];
	buf[i] = '\0';
	return buf;
}

static long long ami_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ami_conn {
	int fd;
	struct ami_reader reader;
	char buf[8192];
	size_t have, used;
	long long deadline;
};

static int ami_wait(struct ami_conn *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	long long left = c->deadline - ami_now_ms();
	int n;

	if (left <= 0)
		return -1;
	n = poll(&p, 1, (int)left);
	return n == 1 ? 0 : -1;
}

static int ami_connect(struct ami_conn *c, char **err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)ami.port) };
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		*err = xasprintf("the manager: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
		soerr = errno;
	else if (ami_wait(c, POLLOUT) < 0)
		soerr = ETIMEDOUT;
	else if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr) {
		*err = xasprintf("the manager on 127.0.0.1:%d: %s", ami.port, strerror(soerr));
		return -1;
	}
	return 0;
}

static int ami_send(struct ami_conn *c, const char *text, size_t len, char **err)
{
	while (len) {
		ssize_t n;
		if (ami_wait(c, POLLOUT) < 0) {
			*err = xstrdup("the manager does not take the action in time");
			return -1;
		}
		n = send(c->fd, text, len, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			*err = xasprintf("the manager: %s", strerror(errno));
			return -1;
		}
		if (n > 0) {
			text += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

/* The next banner or message from Asterisk. */
static enum ami_read ami_next(struct ami_conn *c, struct ami_msg **out, char **err)
{
	for (;;) {
		size_t used = 0;
		enum ami_read r;
		ssize_t n;

		if (c->used < c->have) {
			r = ami_reader_feed(&c->reader, c->buf + c->used, c->have - c->used, &used, out);
			c->used += used;
			if (r == AMI_ERROR) {
				*err = xasprintf("the manager's answer: %s", c->reader.error);
				return r;
			}
			if (r != AMI_MORE)
				return r;
		}
		c->have = c->used = 0;
		if (ami_wait(c, POLLIN) < 0) {
			*err = xstrdup("the manager did not answer in time");
			return AMI_ERROR;
		}
		n = recv(c->fd, c->buf, sizeof(c->buf), 0);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			*err = xstrdup("the manager closed the connection");
			return AMI_ERROR;
		}
		c->have = (size_t)n;
	}
}

/* Sends one action and returns its response (events in between skipped). */
static struct ami_msg *ami_call(struct ami_conn *c, const char *action, const char *id,
				const char *const *kv, char **err)
{
	struct sbuf out;
	struct ami_msg *m = NULL;

	sbuf_init(&out);
	if (ami_action_write(&out, action, id, kv, err) < 0 ||
	    ami_send(c, out.s, out.len, err) < 0) {
		sbuf_free(&out);
		return NULL;
	}
	sbuf_free(&out);
	for (;;) {
		enum ami_read r = ami_next(c, &m, err);
		if (r == AMI_ERROR)
			return NULL;
		if (r != AMI_MESSAGE)
			continue;
		if (ami_get(m, "Response") && ami_get(m, "ActionID") &&
		    !strcmp(ami_get(m, "ActionID"), id))
			return m;
		ami_msg_free(m);
	}
}

static void ami_close(struct ami_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	ami_reader_free(&c->reader);
}

/* Connects and logs in as difos. */
static int ami_open(struct ami_conn *c, int timeout_ms, char **err)
{
	const char *const login[] = { "Username", PBX_AMI_USER, "Secret", ami.secret, "Events", "off",
				      NULL };
	struct ami_msg *m = NULL;
	enum ami_read r;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->deadline = ami_now_ms() + timeout_ms;
	ami_reader_init(&c->reader, true);
	if (ami_connect(c, err) < 0)
		return -1;
	while ((r = ami_next(c, &m, err)) == AMI_MESSAGE)
		ami_msg_free(m);
	if (r != AMI_BANNER) {
		if (!*err)
			*err = xstrdup("the manager sent no banner");
		return -1;
	}
	if (!(m = ami_call(c, "Login", "login", login, err)))
		return -1;
	if (!ami_is(m, "Response", "Success")) {
		*err = xasprintf("the manager refused difos's login: %s",
				 ami_says(m, "no reason given"));
		ami_msg_free(m);
		return -1;
	}
	ami_msg_free(m);
	return 0;
}

#define AMI_STEP_MS 10000

int pbx_ami_action(const char *action, const char *key, const char *value, char **err)
{
	const char *const kv[] = { key, value, NULL };
	struct ami_conn c;
	struct ami_msg *m = NULL;
	int rc = -1;

	core_outside_begin();   /* waiting on Asterisk: the core answers meanwhile */
	if (ami_open(&c, AMI_STEP_MS, err) == 0 && (m = ami_call(&c, action, "act", kv, err))) {
		if (ami_is(m, "Response", "Success"))
			rc = 0;
		else
			*err = xasprintf("Asterisk refused %s %s: %s", action, value,
					 ami_says(m, "no reason given"));
	}
	ami_msg_free(m);
	ami_close(&c);
	core_outside_end();
	ami.state = rc == 0 ? "ready" : "failing";
	return rc;
}

int pbx_ami_reload(const char *module, char **err)
{
	return pbx_ami_action("Reload", "Module", module, err);
}

int pbx_ami_config_ok(const char *file, const char *category, char **err)
{
	/* the whole file is read; only one small category comes back (a
	 * thousand extensions' lines would not fit in an answer) */
	const char *const kv[] = { "Filename", file, "Category", category, NULL };
	struct ami_conn c;
	struct ami_msg *m = NULL;
	int rc = -1;

	core_outside_begin();
	if (ami_open(&c, AMI_STEP_MS, err) == 0 && (m = ami_call(&c, "GetConfig", "getconfig", kv, err))) {
		if (ami_is(m, "Response", "Success"))
			rc = 0;
		else
			*err = xstrdup(ami_says(m, "refused"));
	}
	ami_msg_free(m);
	ami_close(&c);
	core_outside_end();
	return rc;
}

int pbx_ami_wait_booted(int timeout_ms, char **err)
{
	const char *const kv[] = { "Command", "core waitfullybooted", NULL };
	long long deadline = ami_now_ms() + timeout_ms;
	char *last = NULL;
	int rc = -1;

	core_outside_begin();
	while (rc < 0 && ami_now_ms() < deadline) {
		struct ami_conn c;
		struct ami_msg *m = NULL;
		char *why = NULL;
		int left = (int)(deadline - ami_now_ms());

		if (ami_open(&c, left, &why) == 0 && (m = ami_call(&c, "Command", "booted", kv, &why)))
			rc = ami_is(m, "Response", "Success") ? 0 : -1;
		ami_msg_free(m);
		ami_close(&c);
		if (rc < 0) {
			free(last);
			last = why;
			/* starting: the manager is not listening yet */
			usleep(100 * 1000);
		} else {
			free(why);
		}
	}
	core_outside_end();
	ami.state = rc == 0 ? "ready" : "failing";
	if (rc < 0)
		*err = xasprintf("Asterisk is not ready after %d s: %s", timeout_ms / 1000,
				 last ? last : "no answer");
	free(last);
	return rc;
}
