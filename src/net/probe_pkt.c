/* The packets of the connectivity checks (see probe_pkt.h). */
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#include "net/probe_pkt.h"

uint16_t probe_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t probe_echo_request(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq)
{
	struct icmphdr ic = { .type = ICMP_ECHO };
	size_t n = sizeof(ic) + 16;

	if (cap < n)
		return 0;
	ic.un.echo.id = htons(id);
	ic.un.echo.sequence = htons(seq);
	memcpy(buf, &ic, sizeof(ic));
	memcpy(buf + sizeof(ic), "difos-wan-check.", 16);
	ic.checksum = htons(probe_checksum(buf, n));
	memcpy(buf, &ic, sizeof(ic));
	return n;
}

bool probe_echo_reply(const uint8_t *pkt, size_t n, uint16_t id, uint16_t seq)
{
	struct iphdr ip;
	struct icmphdr ic;
	size_t hl;

	if (n < sizeof(ip))
		return false;
	memcpy(&ip, pkt, sizeof(ip));
	hl = (size_t)ip.ihl * 4;
	if (hl < sizeof(ip) || hl + sizeof(ic) > n)
		return false;
	memcpy(&ic, pkt + hl, sizeof(ic));
	return ic.type == ICMP_ECHOREPLY && ntohs(ic.un.echo.id) == id &&
	       ntohs(ic.un.echo.sequence) == seq;
}

size_t probe_dns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype)
{
	size_t n = 12;

	if (cap < 12 + 1 + 4)
		return 0;
	/* header: id, recursion desired, one question */
	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01;
	buf[5] = 1;
	while (name && *name && strcmp(name, ".")) {
		const char *dot = strchr(name, '.');
		size_t len = dot ? (size_t)(dot - name) : strlen(name);

		if (len == 0 || len > 63 || n + 1 + len + 1 + 4 > cap || n + 1 + len > 12 + 254)
			return 0;
		buf[n++] = (uint8_t)len;
		memcpy(buf + n, name, len);
		n += len;
		name = dot ? dot + 1 : name + len;
	}
	buf[n++] = 0;
	buf[n++] = (uint8_t)(qtype >> 8);
	buf[n++] = (uint8_t)qtype;
	buf[n++] = 0;
	buf[n++] = 1;   /* class IN */
	return n;
}

int probe_dns_rcode(const uint8_t *pkt, size_t n, uint16_t id)
{
	/* only the header: the id, "this is an answer", the code */
	if (n < 12 || ((pkt[0] << 8) | pkt[1]) != id || !(pkt[2] & 0x80))
		return -1;
	return pkt[3] & 0x0f;
}
