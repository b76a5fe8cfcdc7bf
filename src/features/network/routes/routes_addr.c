/* Prefixes in the text form the kernel (and iproute2) uses for them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/routes/routes.h"

bool routes_cidr_canon(int family, const char *text, char *out, size_t outlen, bool *host_bits)
{
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN], addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	int bits = family == 4 ? 32 : 128, len = bits, af = family == 4 ? AF_INET : AF_INET6;
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	bool host = false;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (inet_pton(af, buf, a) != 1)
		return false;
	if (slash) {
		char *end;
		long l = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || l < 0 || l > bits)
			return false;
		len = (int)l;
	}
	for (int i = 0; i < bits / 8; i++) {
		int keep = len - i * 8;
		unsigned char m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
		if (a[i] & ~m)
			host = true;
		a[i] &= m;
	}
	inet_ntop(af, a, addr, sizeof(addr));
	snprintf(out, outlen, "%s/%d", addr, len);
	if (host_bits)
		*host_bits = host;
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
