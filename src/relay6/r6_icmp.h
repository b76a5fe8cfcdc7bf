/*
 * Neighbor Discovery packets (RFC 4861) as the IPv6 relay reads and writes
 * them: pure functions over byte buffers, every length checked, no I/O.
 * A message buffer starts at the ICMPv6 header (type, code, checksum).
 */
#ifndef DIFOS_R6_ICMP_H
#define DIFOS_R6_ICMP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	R6_ND_RS = 133, R6_ND_RA = 134, R6_ND_NS = 135, R6_ND_NA = 136,
	R6_OPT_SLLA = 1, R6_OPT_TLLA = 2, R6_OPT_PREFIX = 3, R6_OPT_MTU = 5,
	R6_OPT_RDNSS = 25, R6_OPT_DNSSL = 31,
};

/* RA flags byte: M, O, H, preference (2 bits), P (RFC 4389 proxy) */
#define R6_RA_F_MANAGED 0x80
#define R6_RA_F_OTHER   0x40
#define R6_RA_F_PROXY   0x04
/* NA flags byte */
#define R6_NA_F_ROUTER    0x80
#define R6_NA_F_SOLICITED 0x40
#define R6_NA_F_OVERRIDE  0x20

#define R6_IP6_HLEN 40
#define R6_ND_HOPLIMIT 255

/* one option: type, and the whole option (header included) */
struct r6_opt {
	uint8_t type;
	const uint8_t *p;
	size_t len;
};

/* the ICMPv6 message inside an IPv6 packet (without extension headers) */
struct r6_ip6 {
	struct in6_addr src, dst;
	uint8_t hop_limit;
	const uint8_t *icmp;
	size_t icmp_len;
};

struct r6_ra {
	uint8_t hop_limit, flags;
	uint16_t lifetime;       /* seconds */
	uint32_t mtu;            /* from the MTU option, 0 without one */
	int n_prefixes, n_rdnss; /* options seen */
	int has_slla;
	uint8_t slla[6];
};

/* a solicitation or advertisement: the target and the link-layer option */
struct r6_nd {
	uint8_t flags;           /* NA only */
	struct in6_addr target;
	int has_lla;
	uint8_t lla[6];
};

/* The next option at *off of opts[0..len): 1 with *o filled, 0 at the end,
 * -1 when malformed (a zero length, or an option past the end). */
int r6_opt_next(const uint8_t *opts, size_t len, size_t *off, struct r6_opt *o);

/* An IPv6 packet carrying ICMPv6 directly: 0, or -1 when it is not one
 * or its lengths disagree (the payload length is trusted only up to n). */
int r6_ip6_parse(const uint8_t *pkt, size_t n, struct r6_ip6 *h);

/* The ICMPv6 checksum of msg between src and dst (RFC 4443 §2.3); a
 * message whose checksum field is right sums to 0. */
uint16_t r6_icmp_csum(const struct in6_addr *src, const struct in6_addr *dst,
		      const uint8_t *msg, size_t len);

int r6_ra_parse(const uint8_t *m, size_t n, struct r6_ra *ra);
int r6_rs_parse(const uint8_t *m, size_t n, struct r6_nd *rs);
int r6_ns_parse(const uint8_t *m, size_t n, struct r6_nd *ns);
int r6_na_parse(const uint8_t *m, size_t n, struct r6_nd *na);

/*
 * The RA to send downstream made from one received upstream: the P flag
 * set, the source link-layer option replaced by mac, the MTU option
 * clamped to mtu_max, link-local RDNSS servers dropped (unreachable from
 * another link), every other option kept; lifetime 0 when stopping is
 * set (the router goes away). Length into out, or -1 (bad input, or cap
 * too small). The checksum is left 0 for the kernel.
 */
ssize_t r6_ra_relay(const uint8_t *ra, size_t n, const uint8_t mac[6], uint32_t mtu_max,
		    int stopping, int set_other, uint8_t *out, size_t cap);

/* RS, NS and NA to send; length, or -1 when cap is too small. A NULL mac
 * leaves the link-layer option out (required for a DAD probe's NS). */
ssize_t r6_rs_build(const uint8_t mac[6], uint8_t *out, size_t cap);
ssize_t r6_ns_build(const struct in6_addr *target, const uint8_t mac[6], uint8_t *out, size_t cap);
ssize_t r6_na_build(const struct in6_addr *target, uint8_t flags, const uint8_t mac[6],
		    uint8_t *out, size_t cap);

/* ff02::1:ffXX:XXXX of addr */
void r6_solicited_node(const struct in6_addr *addr, struct in6_addr *out);

/* A unicast address the proxy may speak for: not ::, loopback, link-local
 * or multicast. */
int r6_addr_proxyable(const struct in6_addr *a);

/*
 * The DNS servers (RDNSS) and search domains (DNSSL) of an RA, for the
 * stateless DHCPv6 answer of hybrid mode: up to max_dns servers (link-local
 * ones left out), domains as DNS wire-format names one after another
 * (option 24's format), each name checked. Returns the number of servers;
 * *domains_len gets the bytes written (-1 when malformed).
 */
int r6_ra_dns(const uint8_t *m, size_t n, struct in6_addr *dns, int max_dns,
	      uint8_t *domains, size_t cap, size_t *domains_len);



/* An IPv6 packet (hop limit 255, no extension headers) carrying the ICMPv6
 * message msg with its checksum filled in; length, or -1 when cap is small. */
ssize_t r6_ip6_build(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *msg,
		     size_t len, uint8_t *out, size_t cap);

/* 33:33 and the low 32 bits: the Ethernet address of an IPv6 multicast group */
void r6_mcast_mac(const struct in6_addr *group, uint8_t mac[6]);
#endif
