#ifndef DIFOS_DHCP_H
#define DIFOS_DHCP_H

#include <jansson.h>

#include "core/rpc.h"

/* Active leases read from dnsmasq's lease file. */
json_t *dhcp_read_leases(const char *path);

extern const struct rpc_method dhcp_methods[];

#endif
