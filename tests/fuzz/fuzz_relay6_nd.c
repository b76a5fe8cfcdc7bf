/*
 * libFuzzer target: what difos-relay6 reads from a link as Neighbor
 * Discovery. The input is taken as an IPv6 packet (as the packet socket
 * hands it over) and, again, as a bare ICMPv6 message given to every
 * parser and to the RA rewriting of the relay and of hybrid mode.
 */
#include <stdint.h>
#include <string.h>

#include "relay6/r6_icmp.h"

static void message(const uint8_t *m, size_t n)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 2 };
	uint8_t out[2048], dom[256];
	struct in6_addr dns[4];
	struct r6_ra ra;
	struct r6_nd nd;
	size_t dl;
	ssize_t w;

	r6_ra_parse(m, n, &ra);
	r6_rs_parse(m, n, &nd);
	r6_ns_parse(m, n, &nd);
	r6_na_parse(m, n, &nd);
	r6_ra_dns(m, n, dns, 4, dom, sizeof(dom), &dl);
	w = r6_ra_relay(m, n, mac, 1280, n & 1, n & 2, out, sizeof(out));
	/* what the relay sends must read back as an RA */
	if (w >= 0 && r6_ra_parse(out, (size_t)w, &ra) < 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct r6_ip6 h;

	if (r6_ip6_parse(data, size, &h) == 0) {
		r6_icmp_csum(&h.src, &h.dst, h.icmp, h.icmp_len);
		message(h.icmp, h.icmp_len);
	}
	message(data, size);
	return 0;
}
