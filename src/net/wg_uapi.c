/*
 * wireguard-go's UAPI socket, <sockdir>/<ifname>.sock: "get=1" and
 * "set=1" requests, each answered by lines ending with "errno=N" and an
 * empty line, on a connection that then waits for the next request. The
 * requests carry private and preshared keys: every buffer that held one is
 * wiped before it is freed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/util.h"
#include "net/wg.h"
#include "net/wg_int.h"

/* an engine that does not answer in this time is reported, not waited for */
#define UAPI_TIMEOUT_MS 3000

static void put_hex(struct sbuf *b, const char *key, const unsigned char k[WG_KEY_LEN])
{
	char hex[2 * WG_KEY_LEN + 1];

	/* added piece by piece: sbuf_printf's temporary would keep a copy */
	sodium_bin2hex(hex, sizeof(hex), k, WG_KEY_LEN);
	sbuf_add(b, key);
	sbuf_add(b, "=");
	sbuf_add(b, hex);
	sbuf_add(b, "\n");
	sodium_memzero(hex, sizeof(hex));
}

static void put_allowed_ip(struct sbuf *b, const struct wg_allowed_ip *a)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	sbuf_printf(b, "allowed_ip=%s/%u\n", ip, a->prefix);
}

char *wg_uapi_set_text(const struct wg_change *c)
{
	static const unsigned char none[WG_KEY_LEN];
	const struct wg_device *w = c->want;
	struct sbuf b;
	size_t need = 256;

	/* sized once for the longest lines it can hold, so the buffer is
	 * never moved: a move would leave the keys in the freed one */
	for (size_t i = 0; i < c->n_peers; i++)
		need += 400 + 64 * c->peers[i].peer->n_allowed_ips;
	sbuf_init(&b);
	b.s = xrealloc(b.s, need);
	b.cap = need;
	sbuf_add(&b, "set=1\n");
	if (c->set_private_key)
		put_hex(&b, "private_key", w->private_key);
	if (c->set_listen_port)
		sbuf_printf(&b, "listen_port=%u\n", w->listen_port);
	if (c->set_fwmark)
		sbuf_printf(&b, "fwmark=%u\n", w->fwmark);
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer_change *pc = &c->peers[i];
		const struct wg_peer *p = pc->peer;

		put_hex(&b, "public_key", p->public_key);
		if (pc->op == WG_PEER_REMOVE) {
			sbuf_add(&b, "remove=true\n");
			continue;
		}
		/* an update never brings back a peer removed meanwhile */
		if (pc->op == WG_PEER_UPDATE)
			sbuf_add(&b, "update_only=true\n");
		if (pc->set_preshared_key)
			put_hex(&b, "preshared_key", p->has_preshared_key ? p->preshared_key : none);
		if (pc->set_endpoint) {
			char ep[WG_ENDPOINT_TEXT_LEN];
			wg_endpoint_text(ep, sizeof(ep), &p->endpoint);
			sbuf_printf(&b, "endpoint=%s\n", ep);
		}
		if (pc->set_keepalive)
			sbuf_printf(&b, "persistent_keepalive_interval=%u\n", p->keepalive);
		if (pc->replace_allowed_ips) {
			sbuf_add(&b, "replace_allowed_ips=true\n");
			for (size_t j = 0; j < p->n_allowed_ips; j++)
				put_allowed_ip(&b, &p->allowed_ips[j]);
		}
	}
	sbuf_add(&b, "\n");
	return sbuf_steal(&b);
}

static int uapi_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { UAPI_TIMEOUT_MS / 1000, (UAPI_TIMEOUT_MS % 1000) * 1000 };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* sends req and reads the answer up to its empty line into *ans (NUL
 * ended, wiped and freed by the caller); 0 or -1 with err */
static int uapi_exchange(const char *path, const char *req, char **ans, size_t *anslen,
			 char *err, size_t errlen)
{
	size_t cap = 4096, len = 0, off = 0, reqlen = strlen(req);
	char *buf;
	int fd = uapi_connect(path, err, errlen);

	*ans = NULL;
	*anslen = 0;
	if (fd < 0)
		return -1;
	while (off < reqlen) {
		ssize_t n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) : "closed");
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *bigger = xmalloc(cap * 2);
			memcpy(bigger, buf, len);
			sodium_memzero(buf, cap);
			free(buf);
			buf = bigger;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s", path,
				 n < 0 ? (errno == EAGAIN ? "no answer in time" : strerror(errno)) :
					 "closed before the end of the answer");
			sodium_memzero(buf, cap);
			free(buf);
			close(fd);
			return -1;
		}
		len += (size_t)n;
		/* the answer's end: "errno=N\n\n" */
		if (len >= 2 && buf[len - 1] == '\n' && buf[len - 2] == '\n')
			break;
	}
	close(fd);
	buf[len] = '\0';
	*ans = buf;
	*anslen = len;
	return 0;
}

int wg_uapi_get(const char *sock, struct wg_device *out, char *err, size_t errlen)
{
	char *ans;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (uapi_exchange(sock, "get=1\n\n", &ans, &len, err, errlen) < 0)
		return -1;
	rc = wg_uapi_parse(ans, len, out, err, errlen);
	sodium_memzero(ans, len);
	free(ans);
	return rc;
}

int wg_uapi_set(const char *sock, const struct wg_change *c, char *err, size_t errlen)
{
	struct wg_device none;
	char *req = wg_uapi_set_text(c), *ans;
	size_t len;
	int rc;

	rc = uapi_exchange(sock, req, &ans, &len, err, errlen);
	sodium_memzero(req, strlen(req));
	free(req);
	if (rc < 0)
		return -1;
	/* the answer to a set is only its errno= line */
	rc = wg_uapi_parse(ans, len, &none, err, errlen);
	wg_device_free(&none);
	free(ans);
	return rc;
}
