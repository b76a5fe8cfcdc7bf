#ifndef DIFOS_WAN_H
#define DIFOS_WAN_H

#include <jansson.h>

#include "rpc/rpc.h"

struct feature_env;

/* resolv.c: <run>/wan/resolv.conf, the upstreams dnsmasq follows */
char *wan_resolv_path(const struct feature_env *env);
/* the IPv4 servers (NULL: none); the file holds both families' */
int wan_write_resolv(const struct feature_env *env, const json_t *servers);
/* the IPv6 servers (NULL: none) */
int wan_write_resolv6(const struct feature_env *env, const json_t *servers);

/* dhcp_event.c */
/* the lease the DHCP client last reported, or NULL */
json_t *wan_dhcp_lease(void);
/* the DHCP client was stopped: its lease is lost (EV_WAN_LEASE_LOST) */
void wan_dhcp_forget(const struct feature_env *env);

extern const struct rpc_method wan_methods[];

/* wan6.c: the WAN's IPv6 (DHCPv6 with prefix delegation, static, none) */
struct feature_ctx;
struct render_out;
struct sbuf;
struct sc_error_list;
extern const struct sc_field wan6_fields[];
void wan6_check(const json_t *wan, const char *path, struct sc_error_list *errs);
void wan6_render(struct feature_ctx *ctx, struct sbuf *state, struct render_out *out);
int wan6_apply(struct feature_ctx *ctx, const char *dev);
int wan6_health(struct feature_ctx *ctx);
/* EV_LINK of the PPPoE session's device: its DHCPv6 client starts when the
 * device comes, and stops when it goes */
void wan6_event(const struct feature_env *env, const struct feature_event *ev);
json_t *wan6_status(struct feature_ctx *ctx);

/* dhcp6_event.c: what the DHCPv6 client reported, "wan.dhcp6_event" */
/* {prefixes, addresses, dns} now, or NULL before any */
json_t *wan6_dhcp_state(void);
/* forgets it (the client stopped): the LAN hears EV_WAN_PREFIX_LOST */
void wan6_dhcp_forget(const struct feature_env *env, const char *dev);
json_t *wan6_dhcp_event(struct rpc_call *c);
extern const struct sc_field wan6_event_params[];

#endif
