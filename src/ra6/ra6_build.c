/* The RA difos-ra6 sends, and its command line (pure). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra6/ra6_build.h"

int ra6_parse_args(int argc, char **argv, struct ra6_conf *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->autonomous = true;
	c->router_lifetime = RA6_ROUTER_LIFETIME;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--managed")) {
			c->managed = true;
		} else if (!strcmp(a, "--other")) {
			c->other = true;
		} else if (!strcmp(a, "--no-autonomous")) {
			c->autonomous = false;
		} else if (!strcmp(a, "--interface")) {
			if (!v || !*v || strlen(v) > 15 || strchr(v, '/')) {
				snprintf(err, errlen, "--interface: '%s' is not an interface name",
					 v ? v : "");
				return -1;
			}
			c->ifname = v;
			i++;
		} else if (!strcmp(a, "--rdnss")) {
			if (!v || inet_pton(AF_INET6, v, &c->rdnss[c->n_rdnss < RA6_MAX_RDNSS ?
								  c->n_rdnss : 0]) != 1) {
				snprintf(err, errlen, "--rdnss: '%s' is not an IPv6 address", v ? v : "");
				return -1;
			}
			if (c->n_rdnss >= RA6_MAX_RDNSS) {
				snprintf(err, errlen, "--rdnss: '%s' is one more than %d", v,
					 RA6_MAX_RDNSS);
				return -1;
			}
			c->n_rdnss++;
			i++;
		} else if (!strcmp(a, "--router-lifetime")) {
			char *end = NULL;
			long n = v ? strtol(v, &end, 10) : -1;
			if (!v || !*v || *end || n < 0 || n > 9000) {
				snprintf(err, errlen, "--router-lifetime: '%s' is not 0 to 9000 seconds",
					 v ? v : "");
				return -1;
			}
			c->router_lifetime = (uint16_t)n;
			i++;
		} else {
			snprintf(err, errlen, "'%s' is not an option", a);
			return -1;
		}
	}
	if (!c->ifname) {
		snprintf(err, errlen, "--interface is required");
		return -1;
	}
	return 0;
}

void ra6_lifetimes(const struct ra6_prefix *p, uint32_t *preferred, uint32_t *valid)
{
	*valid = p->valid < RA6_VALID_LIMIT ? p->valid : RA6_VALID_LIMIT;
	*preferred = p->preferred < RA6_PREFERRED_LIMIT ? p->preferred : RA6_PREFERRED_LIMIT;
	if (*preferred > *valid)
		*preferred = *valid;
}

double ra6_interval(const struct ra6_prefix *p, int n, uint32_t random)
{
	double gap = 200 + (double)(random % 401);
	uint32_t pref, valid;

	for (int i = 0; i < n; i++) {
		ra6_lifetimes(&p[i], &pref, &valid);
		if (valid / 3.0 < gap)
			gap = valid / 3.0 < 4 ? 4 : valid / 3.0;
	}
	return gap;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

size_t ra6_build(const struct ra6_conf *c, const struct ra6_prefix *p, int n,
		 const struct in6_addr *own, uint32_t mtu, const uint8_t *mac,
		 uint8_t *buf, size_t cap)
{
	int nrd = c->n_rdnss ? c->n_rdnss : (own ? 1 : 0);
	size_t need = 16 + (size_t)n * 32 + (nrd ? 8 + 16 * (size_t)nrd : 0) + (mtu ? 8 : 0) +
		      (mac ? 8 : 0);
	size_t off = 16;

	if (n < 0 || need > cap)
		return 0;
	memset(buf, 0, need);
	buf[0] = 134;                     /* Router Advertisement, code 0 */
	buf[4] = 64;                      /* cur hop limit for the hosts */
	buf[5] = (uint8_t)((c->managed ? 0x80 : 0) | (c->other ? 0x40 : 0));
	buf[6] = (uint8_t)(c->router_lifetime >> 8);
	buf[7] = (uint8_t)c->router_lifetime;
	/* reachable time, retrans timer: 0, unspecified */
	for (int i = 0; i < n; i++) {
		uint32_t pref, valid;
		uint8_t *o = buf + off;

		ra6_lifetimes(&p[i], &pref, &valid);
		o[0] = 3;                         /* Prefix Information */
		o[1] = 4;                         /* 32 octets */
		o[2] = p[i].len;
		o[3] = (uint8_t)(0x80 | (c->autonomous ? 0x40 : 0));   /* L, A */
		put32(o + 4, valid);
		put32(o + 8, pref);
		memcpy(o + 16, &p[i].prefix, 16);
		off += 32;
	}
	if (nrd) {
		uint8_t *o = buf + off;
		o[0] = 25;                        /* RDNSS (RFC 8106) */
		o[1] = (uint8_t)(1 + 2 * nrd);
		/* at least 3 × MaxRtrAdvInterval (600 s), as RFC 8106 §5.1 asks */
		put32(o + 4, c->router_lifetime ? RA6_ROUTER_LIFETIME : 0);
		for (int i = 0; i < nrd; i++)
			memcpy(o + 8 + 16 * i, c->n_rdnss ? &c->rdnss[i] : own, 16);
		off += 8 + 16 * (size_t)nrd;
	}
	if (mtu) {
		uint8_t *o = buf + off;
		o[0] = 5;
		o[1] = 1;
		put32(o + 4, mtu);
		off += 8;
	}
	if (mac) {
		uint8_t *o = buf + off;
		o[0] = 1;                         /* source link-layer address */
		o[1] = 1;
		memcpy(o + 2, mac, 6);
		off += 8;
	}
	return off;
}
