#ifndef DIFOS_WAN_H
#define DIFOS_WAN_H

#include <jansson.h>

#include "rpc/rpc.h"

struct feature_env;

/* resolv.c: <run>/wan/resolv.conf, the upstreams dnsmasq follows */
char *wan_resolv_path(const struct feature_env *env);
int wan_write_resolv(const struct feature_env *env, const json_t *servers);

/* dhcp_event.c */
/* the lease the DHCP client last reported, or NULL */
json_t *wan_dhcp_lease(void);
/* the DHCP client was stopped: its lease is lost (EV_WAN_LEASE_LOST) */
void wan_dhcp_forget(const struct feature_env *env);

extern const struct rpc_method wan_methods[];

#endif
