/*
 * IPv6 prefix arithmetic of the LAN: the ULA prefix (RFC 4193), the /64 of
 * a delegated prefix, the router's address in a /64. Pure, unit-tested.
 */
#include <stdio.h>
#include <string.h>

#include "features/network/lan/lan6.h"

void lan6_ula_text(const unsigned char g[5], char *out, size_t outlen)
{
	/* fd (L = 1, locally assigned), then the 40-bit Global ID, subnet 0 */
	snprintf(out, outlen, "fd%02x:%02x%02x:%02x%02x::/48", g[0], g[1], g[2], g[3], g[4]);
}

const char *lan6_ula_problem(const char *text)
{
	struct net_prefix p;

	if (!text || net_prefix_parse(text, 6, true, &p) != NET_OK)
		return "is not an IPv6 prefix (e.g. fd12:3456:789a::/48)";
	if ((p.addr[0] & 0xfe) != 0xfc)
		return "is outside fc00::/7, the unique local addresses (RFC 4193)";
	if (!p.has_len || p.len < 48 || p.len > 64)
		return "must be a prefix of length 48 to 64 (e.g. fd12:3456:789a::/48)";
	if (net_prefix_host_bits(&p))
		return "has bits set past its length";
	return NULL;
}

bool lan6_subnet64(const struct net_prefix *prefix, unsigned long subnet, struct net_prefix *out)
{
	int free_bits;

	if (prefix->family != 6 || prefix->len > 64 || prefix->len < 0)
		return false;
	free_bits = 64 - prefix->len;
	if (free_bits < 32 && subnet >> free_bits)
		return false;
	*out = *prefix;
	net_prefix_clear_host(out);
	out->len = 64;
	out->has_len = true;
	/* the subnet id fills bits [len, 64): octets 0..7, low bits last */
	for (int bit = 0; bit < free_bits && bit < 32; bit++)
		if (subnet & (1ul << bit))
			out->addr[(63 - bit) / 8] |= (unsigned char)(1u << (bit % 8));
	return true;
}

void lan6_router_addr(const struct net_prefix *p64, char *out, size_t outlen)
{
	struct net_prefix a = *p64;

	net_prefix_clear_host(&a);
	a.addr[15] = 1;
	net_prefix_text(&a, true, out, outlen);
}

unsigned lan6_deprecated_valid(unsigned remaining)
{
	return remaining < LAN6_VALID_LIMIT ? remaining : LAN6_VALID_LIMIT;
}
