/* Address arithmetic shared by the network features. */
#ifndef DIFOS_NETUTIL_H
#define DIFOS_NETUTIL_H

#include <jansson.h>
#include <stdbool.h>

/* host-order IPv4 <-> text */
void net_ntoa(unsigned addr, char out[16]);
unsigned net_mask(int prefix);
/* "192.168.1.0/24" for an address and prefix */
void net_cidr_text(unsigned addr, int prefix, char out[20]);
/* document helpers: string at path or NULL, integer or def */
const char *doc_str(const json_t *doc, const char *path);
long long doc_int(const json_t *doc, const char *path, long long def);
bool doc_bool(const json_t *doc, const char *path, bool def);
json_t *doc_get(const json_t *doc, const char *path);
/* LAN address and prefix from the document; false if unset/invalid */
bool net_lan_subnet(const json_t *doc, unsigned *addr, int *prefix);
const char *facts_path(const json_t *facts, const char *key);

#endif
