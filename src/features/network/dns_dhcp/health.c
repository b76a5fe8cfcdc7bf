/*
 * dnsmasq's health: it must answer, on the loopback (dnsmasq always
 * listens there when it serves an interface), the generation marker of
 * the configuration just applied: a name that only the new files hold, so
 * an answer proves dnsmasq runs them, not that the one before still
 * answers while a reload waits. Only the 12-byte header of the answer is
 * read: the id must match, the result be NOERROR with at least one answer.
 *
 * The marker is "<16 hex digits>._difos-generation.invalid" -> 192.0.2.1 in
 * the hosts file (re-read on SIGHUP, as the static leases are), the digits
 * a BLAKE2b digest of what dnsmasq is given. A digest rather than the
 * revision number: rendering is pure and comes before the revision
 * exists, and equal files mean the same answers. "invalid" is reserved
 * (RFC 6761) and its "_" label is no host name a user can enter; dnsmasq
 * answers the rest of that domain locally (NXDOMAIN) and never forwards
 * it. LAN clients may ask for it too: it tells only which files are in
 * force.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sodium.h>
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

char *dhcp_marker_name(const char *const *texts)
{
	crypto_generichash_state h;
	unsigned char d[8];
	char hex[2 * sizeof(d) + 1];

	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	for (; *texts; texts++) {
		uint64_t len = strlen(*texts);
		/* each text's length first: the boundaries count too */
		crypto_generichash_update(&h, (const unsigned char *)&len, sizeof(len));
		crypto_generichash_update(&h, (const unsigned char *)*texts, len);
	}
	crypto_generichash_final(&h, d, sizeof(d));
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	return xasprintf("%s.%s", hex, DHCP_MARKER_DOMAIN);
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
		/* a refused port shows up as an error: dnsmasq is not listening
		 * yet; NXDOMAIN: it still runs the files before */
		ok = n >= 12 && r[0] == q[0] && r[1] == q[1] && (r[2] & 0x80) &&
		     (r[3] & 0x0f) == 0 && ((r[6] << 8) | r[7]) > 0;
		/* not yet: ask again shortly, not in a tight loop */
		if (!ok)
			usleep(2000);
	}
	core_outside_end();
	close(fd);
	return ok;
}
