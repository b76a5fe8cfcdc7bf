#ifndef DIFOS_WAN_H
#define DIFOS_WAN_H

#include <jansson.h>

#include "core/rpc.h"

char *wan_resolv_path(const json_t *facts);
int wan_write_resolv(const json_t *facts, const json_t *servers);
/* the lease the DHCP client last reported, or NULL */
json_t *wan_dhcp_lease(void);

extern const struct rpc_method wan_methods[];

#endif
