/* Prefixes in the text form the kernel (and iproute2) uses for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/routes/routes.h"
#include "net/addr.h"

bool routes_cidr_canon(int family, const char *text, char *out, size_t outlen, bool *host_bits)
{
	struct net_prefix p;

	if (net_prefix_parse(text, family, true, &p) != NET_OK)
		return false;
	if (host_bits)
		*host_bits = net_prefix_host_bits(&p);
	net_prefix_clear_host(&p);
	net_prefix_text(&p, true, out, outlen);
	return true;
}

void routes_kernel_dst(int family, const char *canon, char *out, size_t outlen)
{
	struct net_prefix p;

	if (net_prefix_parse(canon, family, true, &p) != NET_OK)
		snprintf(out, outlen, "%s", canon);
	else if (p.len == 0)
		snprintf(out, outlen, "default");
	else    /* a whole address without its length */
		net_prefix_text(&p, false, out, outlen);
}
