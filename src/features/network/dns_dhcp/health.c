/*
 * dnsmasq's health: it must answer a DNS query for the router's own name
 * on the loopback (dnsmasq always listens there when it serves an
 * interface). Only the 12-byte header of the answer is read: the id must
 * match, the result be NOERROR with at least one answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/lock.h"
#include "core/util.h"
#include "features/network/dns_dhcp/dhcp.h"

static size_t dhcp_dns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name)
{
	size_t n = 12;
	const char *label = name;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01; /* recursion desired */
	buf[5] = 1;    /* one question */
	while (*label) {
		const char *dot = strchr(label, '.');
		size_t len = dot ? (size_t)(dot - label) : strlen(label);
		if (len == 0 || len > 63 || n + len + 6 > cap)
			return 0;
		buf[n++] = (uint8_t)len;
		memcpy(buf + n, label, len);
		n += len;
		label += len + (dot ? 1 : 0);
	}
	buf[n++] = 0;
	buf[n++] = 0; buf[n++] = 1; /* type A */
	buf[n++] = 0; buf[n++] = 1; /* class IN */
	return n;
}

bool dhcp_dns_answers(const char *name, int timeout_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	long long deadline = now_ms() + timeout_ms;
	uint8_t q[300], r[512];
	uint16_t id = (uint16_t)(now_ms() & 0xffff);
	size_t qlen = dhcp_dns_query(q, sizeof(q), id, name);
	int fd;
	bool ok = false;

	if (!qlen)
		return false;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	core_outside_begin();   /* waiting on dnsmasq: the core answers meanwhile */
	while (!ok && now_ms() < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		sendto(fd, q, qlen, 0, (struct sockaddr *)&sa, sizeof(sa));
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = recv(fd, r, sizeof(r), 0);
		/* a refused port shows up as an error: dnsmasq is not listening yet */
		if (n < 12)
			continue;
		ok = r[0] == q[0] && r[1] == q[1] && (r[2] & 0x80) && (r[3] & 0x0f) == 0 &&
		     ((r[6] << 8) | r[7]) > 0;
	}
	core_outside_end();
	close(fd);
	return ok;
}
