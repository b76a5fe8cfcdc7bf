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
	const char *slash = strrchr(canon, '/');
	int len = slash ? atoi(slash + 1) : -1;

	if (len == 0)
		snprintf(out, outlen, "default");
	else if (len == (family == 4 ? 32 : 128))
		snprintf(out, outlen, "%.*s", (int)(slash - canon), canon);
	else
		snprintf(out, outlen, "%s", canon);
}
