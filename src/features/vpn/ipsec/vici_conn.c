/* A blocking client of charon's vici socket (vici_conn.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/util.h"
#include "features/vpn/ipsec/vici_conn.h"
#include "features/vpn/ipsec/vici_msg.h"

struct vici_conn {
	int fd;
	long long deadline;   /* now_ms() at which every wait gives up */
};

struct vici_conn *vici_open(const char *path, int timeout_ms, char **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vici_conn *c;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		*err = xasprintf("the vici socket path %s is too long", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		*err = xasprintf("charon does not answer on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->deadline = now_ms() + timeout_ms;
	return c;
}

void vici_close(struct vici_conn *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}

static int wait_fd(struct vici_conn *c, short ev, char **err)
{
	struct pollfd p = { .fd = c->fd, .events = ev };
	long long left = c->deadline - now_ms();
	int n;

	if (left <= 0) {
		*err = xstrdup("charon did not answer in time");
		return -1;
	}
	do
		n = poll(&p, 1, (int)left);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		*err = xstrdup(n == 0 ? "charon did not answer in time" : strerror(errno));
		return -1;
	}
	return 0;
}

static int send_all(struct vici_conn *c, const char *p, size_t n, char **err)
{
	while (n) {
		ssize_t w;

		if (wait_fd(c, POLLOUT, err) < 0)
			return -1;
		w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w <= 0) {
			*err = xasprintf("cannot write to charon: %s", strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_all(struct vici_conn *c, unsigned char *p, size_t n, char **err)
{
	while (n) {
		ssize_t r;

		if (wait_fd(c, POLLIN, err) < 0)
			return -1;
		r = recv(c->fd, p, n, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			*err = r == 0 ? xstrdup("charon closed the vici connection")
				      : xasprintf("cannot read from charon: %s", strerror(errno));
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int send_packet(struct vici_conn *c, int type, const char *name, const json_t *msg,
		       char **err)
{
	struct sbuf b;
	char why[256];
	int rc;

	sbuf_init(&b);
	if (vici_encode(&b, type, name, msg, why, sizeof(why)) < 0) {
		*err = xasprintf("%s: %s", name ? name : "vici", why);
		sbuf_free(&b);
		return -1;
	}
	rc = send_all(c, b.s, b.len, err);
	sbuf_free(&b);
	return rc;
}

/* one packet: its type, name and message */
static int recv_packet(struct vici_conn *c, int *type, char name[256], json_t **msg, char **err)
{
	unsigned char len[4], *p;
	size_t n;
	char why[256];
	int rc;

	if (recv_all(c, len, 4, err) < 0)
		return -1;
	n = (size_t)len[0] << 24 | (size_t)len[1] << 16 | (size_t)len[2] << 8 | len[3];
	if (n == 0 || n > VICI_PACKET_MAX) {
		*err = xasprintf("charon sent a packet of %zu bytes", n);
		return -1;
	}
	p = xmalloc(n);
	rc = recv_all(c, p, n, err);
	if (rc == 0 && vici_parse(p, n, type, name, msg, why, sizeof(why)) < 0) {
		*err = xasprintf("charon's answer cannot be read: %s", why);
		rc = -1;
	}
	free(p);
	return rc;
}

json_t *vici_call(struct vici_conn *c, const char *cmd, const json_t *msg, const char *stream,
		  json_t *events, char **err)
{
	char name[256];
	json_t *m = NULL;
	int type;

	if (stream) {
		if (send_packet(c, VICI_EVENT_REGISTER, stream, NULL, err) < 0 ||
		    recv_packet(c, &type, name, &m, err) < 0)
			return NULL;
		json_decref(m);
		if (type != VICI_EVENT_CONFIRM) {
			*err = xasprintf("charon refused the event %s", stream);
			return NULL;
		}
	}
	if (send_packet(c, VICI_CMD_REQUEST, cmd, msg, err) < 0)
		return NULL;
	for (;;) {
		if (recv_packet(c, &type, name, &m, err) < 0)
			return NULL;
		if (type == VICI_CMD_RESPONSE)
			break;
		if (type == VICI_CMD_UNKNOWN) {
			json_decref(m);
			*err = xasprintf("charon does not know the command %s", cmd);
			return NULL;
		}
		if (type == VICI_EVENT && stream && !strcmp(name, stream) && events)
			json_array_append(events, m);
		json_decref(m);
	}
	if (stream) {
		char *ignored = NULL;
		json_t *r = NULL;

		/* the connection closes next: a failed unregister changes nothing */
		if (send_packet(c, VICI_EVENT_UNREGISTER, stream, NULL, &ignored) == 0)
			recv_packet(c, &type, name, &r, &ignored);
		json_decref(r);
		free(ignored);
	}
	return m;
}

int vici_check(const json_t *resp, const char *what, char **err)
{
	const char *ok = json_string_value(json_object_get(resp, "success"));
	const char *msg = json_string_value(json_object_get(resp, "errmsg"));

	if (ok && !strcmp(ok, "yes"))
		return 0;
	*err = xasprintf("%s: %s", what, msg && *msg ? msg : "charon refused it");
	return -1;
}

json_t *vici_request(const char *path, int timeout_ms, const char *cmd, const json_t *msg,
		     const char *stream, json_t *events, char **err)
{
	struct vici_conn *c = vici_open(path, timeout_ms, err);
	json_t *r;

	if (!c)
		return NULL;
	r = vici_call(c, cmd, msg, stream, events, err);
	vici_close(c);
	return r;
}
