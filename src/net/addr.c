#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "net/addr.h"

bool net_parse_ipv4(const char *s, unsigned *host_order_out)
{
	unsigned long addr = 0, part;
	struct in_addr tmp;
	const char *p = s;

	if (!s)
		return false;
	for (int i = 0; i < 4; i++) {
		const char *end = p;

		while (*end >= '0' && *end <= '9')
			end++;
		if (end - p > 3 || !dec_parse(p, (size_t)(end - p), 255, &part))
			return false;
		addr = (addr << 8) | part;
		if (i < 3 && *end != '.')
			return false;
		p = end + (i < 3);
		if (i == 3 && *end != '\0')
			return false;
	}
	/* belt and braces: whatever we accept, the C library must accept too */
	if (inet_pton(AF_INET, s, &tmp) != 1)
		return false;
	if (host_order_out)
		*host_order_out = (unsigned)addr;
	return true;
}

enum net_parse net_prefix_parse(const char *s, int family, bool with_len, struct net_prefix *out)
{
	char text[INET6_ADDRSTRLEN];
	const char *slash;
	unsigned long len;
	unsigned a4;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!s)
		return NET_BAD_ADDRESS;
	slash = with_len ? strchr(s, '/') : NULL;
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(text))
		return NET_BAD_ADDRESS;
	memcpy(text, s, n);
	text[n] = '\0';
	if (family != 6 && net_parse_ipv4(text, &a4)) {
		out->family = 4;
		out->len = 32;
		out->addr[0] = (unsigned char)(a4 >> 24);
		out->addr[1] = (unsigned char)(a4 >> 16);
		out->addr[2] = (unsigned char)(a4 >> 8);
		out->addr[3] = (unsigned char)a4;
	} else if (family != 4 && inet_pton(AF_INET6, text, out->addr) == 1) {
		out->family = 6;
		out->len = 128;
	} else {
		return NET_BAD_ADDRESS;
	}
	if (slash) {
		if (!dec_parse(slash + 1, strlen(slash + 1), (unsigned long)out->len, &len))
			return NET_BAD_LENGTH;
		out->len = (int)len;
		out->has_len = true;
	}
	return NET_OK;
}

bool net_prefix_host_bits(const struct net_prefix *p)
{
	int bits = p->family == 4 ? 32 : 128;

	for (int bit = p->len; bit < bits; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return true;
	return false;
}

void net_prefix_clear_host(struct net_prefix *p)
{
	int bits = p->family == 4 ? 32 : 128;

	for (int bit = p->len; bit < bits; bit++)
		p->addr[bit / 8] &= (unsigned char)~(0x80 >> (bit % 8));
}

void net_prefix_text(const struct net_prefix *p, bool always_len, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	if (always_len || p->len != (p->family == 4 ? 32 : 128))
		snprintf(out, outlen, "%s/%d", a, p->len);
	else
		snprintf(out, outlen, "%s", a);
}

bool net_prefix_zero(const struct net_prefix *p, int bits)
{
	int n = bits > 0 ? bits : p->family == 4 ? 32 : 128;

	for (int bit = 0; bit < n; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}
