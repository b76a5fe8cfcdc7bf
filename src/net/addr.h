/*
 * The one address type: an IPv4 or IPv6 address with a prefix length, and
 * the one strict parser of its text ("192.168.1.0/24", "2001:db8::1").
 * Strict: dotted decimal without leading zeros, a length of plain digits;
 * each user words its own message from what the parse found wrong.
 */
#ifndef DIFOS_NET_ADDR_H
#define DIFOS_NET_ADDR_H

#include <stdbool.h>
#include <stddef.h>

struct net_prefix {
	int family;                /* 4 or 6 */
	unsigned char addr[16];    /* network byte order */
	int len;                   /* prefix length; 32 or 128 for a bare address */
	bool has_len;              /* the text had "/len" */
};

enum net_parse {
	NET_OK,
	NET_BAD_ADDRESS,   /* no address of an allowed family */
	NET_BAD_LENGTH,    /* a good address with a bad "/len" (out->family is set) */
};

/* family 4, 6, or 0 for either; with_len: "/len" may follow. */
enum net_parse net_prefix_parse(const char *s, int family, bool with_len, struct net_prefix *out);
/* Strict dotted decimal; the address in host byte order. */
bool net_parse_ipv4(const char *s, unsigned *host_order_out);
/* Are bits right of the prefix set? */
bool net_prefix_host_bits(const struct net_prefix *p);
/* Clears them: the network of the prefix. */
void net_prefix_clear_host(struct net_prefix *p);
/* Canonical text (inet_ntop); "/len" when always_len or shorter than the address. */
void net_prefix_text(const struct net_prefix *p, bool always_len, char *out, size_t outlen);
/* Is the address all zero? (the first `bits` bits only, when bits > 0) */
bool net_prefix_zero(const struct net_prefix *p, int bits);

#endif
