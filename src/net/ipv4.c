#include <stdio.h>

#include "net/addr.h"
#include "net/ipv4.h"
#include "store/doc.h"

void net_ntoa(unsigned a, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

unsigned net_mask(int prefix)
{
	return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

bool net_parse_cidr4(const char *s, unsigned *addr_out, int *len_out)
{
	struct net_prefix p;

	if (net_prefix_parse(s, 4, true, &p) != NET_OK)
		return false;
	if (addr_out)
		*addr_out = (unsigned)p.addr[0] << 24 | (unsigned)p.addr[1] << 16 |
			    (unsigned)p.addr[2] << 8 | p.addr[3];
	if (len_out)
		*len_out = p.len;
	return true;
}

void net_cidr_text(unsigned addr, int prefix, char out[20])
{
	char a[16];

	net_ntoa(addr & net_mask(prefix), a);
	snprintf(out, 20, "%s/%d", a, prefix);
}

bool net_lan_subnet(const json_t *doc, unsigned *addr, int *prefix)
{
	const char *a = doc_str(doc, "lan.ipv4.address");
	long long p = doc_int(doc, "lan.ipv4.prefix", -1);

	if (!a || p < 1 || p > 32 || !net_parse_ipv4(a, addr))
		return false;
	*prefix = (int)p;
	return true;
}
