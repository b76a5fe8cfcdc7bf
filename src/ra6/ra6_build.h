/*
 * The Router Advertisement difos-ra6 sends (RFC 4861 §4.2), built from
 * what the LAN device holds: pure functions over byte buffers, no I/O,
 * unit-tested and fuzzed with the command line.
 */
#ifndef DIFOS_RA6_BUILD_H
#define DIFOS_RA6_BUILD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RA6_MAX_PREFIXES 16
#define RA6_MAX_RDNSS 3
/* RFC 9096 §3 (ND_PREFERRED_LIMIT, ND_VALID_LIMIT): what a CE router
 * advertises at most, so a host forgets a withdrawn prefix soon enough */
#define RA6_PREFERRED_LIMIT 2700
#define RA6_VALID_LIMIT 5400
#define RA6_ROUTER_LIFETIME 1800

/* a /64 to advertise: its lifetimes left, as the kernel counts them
 * (0xffffffff: forever) */
struct ra6_prefix {
	struct in6_addr prefix;
	uint8_t len;
	uint32_t preferred, valid;
};

struct ra6_conf {
	const char *ifname;
	bool managed, other;      /* M and O flags */
	bool autonomous;          /* A flag of the prefixes (SLAAC) */
	struct in6_addr rdnss[RA6_MAX_RDNSS];
	int n_rdnss;
	uint16_t router_lifetime;
};

/* The command line: 0, or -1 with the argument and its value named in err. */
int ra6_parse_args(int argc, char **argv, struct ra6_conf *c, char *err, size_t errlen);

/* What a prefix is advertised with: the kernel's lifetimes capped at RFC
 * 9096's limits (the preferred never above the valid). */
void ra6_lifetimes(const struct ra6_prefix *p, uint32_t *preferred, uint32_t *valid);

/* Seconds to the next unsolicited RA, from a random number: 200 to 600
 * (MinRtrAdvInterval, MaxRtrAdvInterval), and within a third of the
 * shortest valid lifetime advertised (at least 4): a short delegation is
 * refreshed before hosts let it go. */
double ra6_interval(const struct ra6_prefix *p, int n, uint32_t random);

/* The RA message (from the ICMPv6 header on; the kernel fills the
 * checksum): flags, prefixes, RDNSS (rdnss, or own when c has none),
 * MTU (0: none), source link-layer address (mac NULL: none). Returns its
 * length, 0 when cap is too small. */
size_t ra6_build(const struct ra6_conf *c, const struct ra6_prefix *p, int n,
		 const struct in6_addr *own, uint32_t mtu, const uint8_t *mac,
		 uint8_t *buf, size_t cap);

#endif
