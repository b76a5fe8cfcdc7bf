/*
 * Neighbor Discovery packets: parse, check and build (see r6_icmp.h).
 * Nothing here trusts a length it has not compared with the buffer's.
 */
#include <string.h>

#include "r6_icmp.h"

#define RA_HLEN 16   /* type code csum hop flags lifetime reachable retrans */
#define RS_HLEN 8
#define NSNA_HLEN 24 /* type code csum flags/reserved(4) target(16) */

int r6_opt_next(const uint8_t *opts, size_t len, size_t *off, struct r6_opt *o)
{
	size_t olen;

	if (*off >= len)
		return 0;
	if (len - *off < 2)
		return -1;
	olen = (size_t)opts[*off + 1] * 8;
	if (olen == 0 || olen > len - *off)
		return -1;
	o->type = opts[*off];
	o->p = opts + *off;
	o->len = olen;
	*off += olen;
	return 1;
}

/* the link-layer address option of type want (an Ethernet one: 8 bytes) */
static int find_lla(const uint8_t *opts, size_t len, uint8_t want, uint8_t mac[6])
{
	struct r6_opt o;
	size_t off = 0;
	int r;

	while ((r = r6_opt_next(opts, len, &off, &o)) > 0)
		if (o.type == want && o.len == 8) {
			memcpy(mac, o.p + 2, 6);
			return 1;
		}
	return r;
}

int r6_ip6_parse(const uint8_t *pkt, size_t n, struct r6_ip6 *h)
{
	size_t plen;

	if (n < R6_IP6_HLEN || (pkt[0] >> 4) != 6 || pkt[6] != IPPROTO_ICMPV6)
		return -1;
	plen = (size_t)pkt[4] << 8 | pkt[5];
	if (plen > n - R6_IP6_HLEN || plen < 4)
		return -1;
	h->hop_limit = pkt[7];
	memcpy(&h->src, pkt + 8, 16);
	memcpy(&h->dst, pkt + 24, 16);
	h->icmp = pkt + R6_IP6_HLEN;
	h->icmp_len = plen;
	return 0;
}

uint16_t r6_icmp_csum(const struct in6_addr *src, const struct in6_addr *dst,
		      const uint8_t *msg, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < 16; i += 2)
		sum += (uint32_t)(src->s6_addr[i] << 8 | src->s6_addr[i + 1]) +
		       (uint32_t)(dst->s6_addr[i] << 8 | dst->s6_addr[i + 1]);
	sum += (uint32_t)len + IPPROTO_ICMPV6;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
	if (len & 1)
		sum += (uint32_t)msg[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int r6_ra_parse(const uint8_t *m, size_t n, struct r6_ra *ra)
{
	struct r6_opt o;
	size_t off = 0;
	int r;

	if (n < RA_HLEN || m[0] != R6_ND_RA || m[1] != 0)
		return -1;
	memset(ra, 0, sizeof(*ra));
	ra->hop_limit = m[4];
	ra->flags = m[5];
	ra->lifetime = (uint16_t)(m[6] << 8 | m[7]);
	while ((r = r6_opt_next(m + RA_HLEN, n - RA_HLEN, &off, &o)) > 0) {
		if (o.type == R6_OPT_SLLA && o.len == 8) {
			ra->has_slla = 1;
			memcpy(ra->slla, o.p + 2, 6);
		} else if (o.type == R6_OPT_MTU && o.len == 8) {
			ra->mtu = (uint32_t)o.p[4] << 24 | (uint32_t)o.p[5] << 16 |
				  (uint32_t)o.p[6] << 8 | o.p[7];
		} else if (o.type == R6_OPT_PREFIX) {
			if (o.len != 32)
				return -1;   /* RFC 4861 §4.6.2: length 4 */
			ra->n_prefixes++;
		} else if (o.type == R6_OPT_RDNSS) {
			if (o.len < 24 || (o.len - 8) % 16)
				return -1;   /* RFC 8106 §5.1: 3 + 2 per server */
			ra->n_rdnss++;
		}
	}
	return r;
}

int r6_rs_parse(const uint8_t *m, size_t n, struct r6_nd *rs)
{
	if (n < RS_HLEN || m[0] != R6_ND_RS || m[1] != 0)
		return -1;
	memset(rs, 0, sizeof(*rs));
	rs->has_lla = find_lla(m + RS_HLEN, n - RS_HLEN, R6_OPT_SLLA, rs->lla);
	return rs->has_lla < 0 ? -1 : 0;
}

static int nsna_parse(const uint8_t *m, size_t n, uint8_t type, uint8_t lla_type, struct r6_nd *nd)
{
	if (n < NSNA_HLEN || m[0] != type || m[1] != 0)
		return -1;
	memset(nd, 0, sizeof(*nd));
	nd->flags = m[4];
	memcpy(&nd->target, m + 8, 16);
	if (IN6_IS_ADDR_MULTICAST(&nd->target))
		return -1;   /* RFC 4861 §7.1.1, §7.1.2 */
	nd->has_lla = find_lla(m + NSNA_HLEN, n - NSNA_HLEN, lla_type, nd->lla);
	return nd->has_lla < 0 ? -1 : 0;
}

int r6_ns_parse(const uint8_t *m, size_t n, struct r6_nd *ns)
{
	return nsna_parse(m, n, R6_ND_NS, R6_OPT_SLLA, ns);
}

int r6_na_parse(const uint8_t *m, size_t n, struct r6_nd *na)
{
	return nsna_parse(m, n, R6_ND_NA, R6_OPT_TLLA, na);
}

static void put_lla(uint8_t *p, uint8_t type, const uint8_t mac[6])
{
	p[0] = type;
	p[1] = 1;
	memcpy(p + 2, mac, 6);
}

/* an RDNSS option without its link-local servers; its new length (0: none left) */
static size_t rdnss_filter(const struct r6_opt *o, uint8_t *out)
{
	size_t i, w = 8;

	memcpy(out, o->p, 8);
	for (i = 8; i + 16 <= o->len; i += 16) {
		struct in6_addr a;

		memcpy(&a, o->p + i, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) ||
		    IN6_IS_ADDR_MULTICAST(&a))
			continue;
		memcpy(out + w, o->p + i, 16);
		w += 16;
	}
	if (w == 8)
		return 0;
	out[1] = (uint8_t)(w / 8);
	return w;
}

ssize_t r6_ra_relay(const uint8_t *ra, size_t n, const uint8_t mac[6], uint32_t mtu_max,
		    int stopping, int set_other, uint8_t *out, size_t cap)
{
	struct r6_ra parsed;
	struct r6_opt o;
	size_t off = 0, w;
	int r;

	/* only what reads as an RA is sent on (a prefix option of the wrong
	 * length would otherwise go downstream as it came) */
	if (r6_ra_parse(ra, n, &parsed) < 0)
		return -1;
	/* the header, our link-layer option, then at most the input's options */
	if (cap < RA_HLEN + 8 || n - RA_HLEN > cap - RA_HLEN - 8)
		return -1;
	memcpy(out, ra, RA_HLEN);
	out[2] = out[3] = 0;
	out[5] |= R6_RA_F_PROXY;
	if (set_other)
		out[5] |= R6_RA_F_OTHER;
	if (stopping)
		out[6] = out[7] = 0;
	put_lla(out + RA_HLEN, R6_OPT_SLLA, mac);
	w = RA_HLEN + 8;
	while ((r = r6_opt_next(ra + RA_HLEN, n - RA_HLEN, &off, &o)) > 0) {
		if (o.type == R6_OPT_SLLA)
			continue;
		if (o.type == R6_OPT_RDNSS && o.len >= 24) {
			w += rdnss_filter(&o, out + w);
			continue;
		}
		memcpy(out + w, o.p, o.len);
		if (o.type == R6_OPT_MTU && o.len == 8 && mtu_max) {
			uint32_t mtu = (uint32_t)o.p[4] << 24 | (uint32_t)o.p[5] << 16 |
				       (uint32_t)o.p[6] << 8 | o.p[7];

			if (mtu > mtu_max) {
				out[w + 4] = (uint8_t)(mtu_max >> 24);
				out[w + 5] = (uint8_t)(mtu_max >> 16);
				out[w + 6] = (uint8_t)(mtu_max >> 8);
				out[w + 7] = (uint8_t)mtu_max;
			}
		}
		w += o.len;
	}
	return r < 0 ? -1 : (ssize_t)w;
}

ssize_t r6_rs_build(const uint8_t mac[6], uint8_t *out, size_t cap)
{
	size_t len = RS_HLEN + (mac ? 8 : 0);

	if (cap < len)
		return -1;
	memset(out, 0, len);
	out[0] = R6_ND_RS;
	if (mac)
		put_lla(out + RS_HLEN, R6_OPT_SLLA, mac);
	return (ssize_t)len;
}

static ssize_t nsna_build(uint8_t type, uint8_t flags, const struct in6_addr *target,
			  uint8_t lla_type, const uint8_t mac[6], uint8_t *out, size_t cap)
{
	size_t len = NSNA_HLEN + (mac ? 8 : 0);

	if (cap < len)
		return -1;
	memset(out, 0, len);
	out[0] = type;
	out[4] = flags;
	memcpy(out + 8, target, 16);
	if (mac)
		put_lla(out + NSNA_HLEN, lla_type, mac);
	return (ssize_t)len;
}

ssize_t r6_ns_build(const struct in6_addr *target, const uint8_t mac[6], uint8_t *out, size_t cap)
{
	return nsna_build(R6_ND_NS, 0, target, R6_OPT_SLLA, mac, out, cap);
}

ssize_t r6_na_build(const struct in6_addr *target, uint8_t flags, const uint8_t mac[6],
		    uint8_t *out, size_t cap)
{
	return nsna_build(R6_ND_NA, flags, target, R6_OPT_TLLA, mac, out, cap);
}

void r6_solicited_node(const struct in6_addr *addr, struct in6_addr *out)
{
	static const uint8_t pre[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	memcpy(out->s6_addr, pre, 13);
	memcpy(out->s6_addr + 13, addr->s6_addr + 13, 3);
}

int r6_addr_proxyable(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_MULTICAST(a) &&
	       !IN6_IS_ADDR_V4MAPPED(a);
}

/* one DNS wire-format name at p[0..len): its length, 0 for the root
 * (padding), -1 when malformed (a label past the end, a pointer) */
static int name_len(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t l = p[i];

		if (l == 0)
			return i == 0 ? 0 : (int)(i + 1);
		if (l > 63 || i + 1 + l >= len)
			return -1;
		i += 1 + (size_t)l;
		if (i > 255)
			return -1;
	}
	return -1;
}

int r6_ra_dns(const uint8_t *m, size_t n, struct in6_addr *dns, int max_dns,
	      uint8_t *domains, size_t cap, size_t *domains_len)
{
	struct r6_opt o;
	size_t off = 0, w = 0, i;
	int r, nd = 0;

	*domains_len = 0;
	if (n < RA_HLEN || m[0] != R6_ND_RA)
		return -1;
	while ((r = r6_opt_next(m + RA_HLEN, n - RA_HLEN, &off, &o)) > 0) {
		if (o.type == R6_OPT_RDNSS) {
			for (i = 8; i + 16 <= o.len && nd < max_dns; i += 16) {
				memcpy(&dns[nd], o.p + i, 16);
				if (r6_addr_proxyable(&dns[nd]))
					nd++;
			}
		} else if (o.type == R6_OPT_DNSSL && o.len > 8) {
			for (i = 8; i < o.len;) {
				int l = name_len(o.p + i, o.len - i);

				if (l < 0)
					return -1;
				if (l == 0)
					break;   /* the padding */
				if ((size_t)l <= cap - w) {
					memcpy(domains + w, o.p + i, (size_t)l);
					w += (size_t)l;
				}
				i += (size_t)l;
			}
		}
	}
	if (r < 0)
		return -1;
	*domains_len = w;
	return nd;
}

ssize_t r6_ip6_build(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *msg,
		     size_t len, uint8_t *out, size_t cap)
{
	uint16_t csum;

	if (len < 4 || len > 0xffff || cap < R6_IP6_HLEN || cap - R6_IP6_HLEN < len)
		return -1;
	memset(out, 0, R6_IP6_HLEN);
	out[0] = 0x60;
	out[4] = (uint8_t)(len >> 8);
	out[5] = (uint8_t)len;
	out[6] = IPPROTO_ICMPV6;
	out[7] = R6_ND_HOPLIMIT;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, dst, 16);
	memcpy(out + R6_IP6_HLEN, msg, len);
	out[R6_IP6_HLEN + 2] = out[R6_IP6_HLEN + 3] = 0;
	csum = r6_icmp_csum(src, dst, out + R6_IP6_HLEN, len);
	out[R6_IP6_HLEN + 2] = (uint8_t)(csum >> 8);
	out[R6_IP6_HLEN + 3] = (uint8_t)csum;
	return (ssize_t)(R6_IP6_HLEN + len);
}

void r6_mcast_mac(const struct in6_addr *group, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group->s6_addr + 12, 4);
}
