/* IPv4 address arithmetic shared by the network features (host byte order). */
#ifndef DIFOS_NET_IPV4_H
#define DIFOS_NET_IPV4_H

#include <jansson.h>
#include <stdbool.h>

void net_ntoa(unsigned addr, char out[16]);
/* "a.b.c.d[/len]" (the one parser, net/addr.h): host-order address and length */
bool net_parse_cidr4(const char *s, unsigned *addr_out, int *len_out);
unsigned net_mask(int prefix);
/* "192.168.1.0/24" for an address and prefix */
void net_cidr_text(unsigned addr, int prefix, char out[20]);
/* LAN address and prefix from the document; false if unset/invalid */
bool net_lan_subnet(const json_t *doc, unsigned *addr, int *prefix);

#endif
