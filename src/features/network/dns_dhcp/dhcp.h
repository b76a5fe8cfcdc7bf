#ifndef DIFOS_DHCP_H
#define DIFOS_DHCP_H

#include <jansson.h>
#include <stdbool.h>

#include "rpc/rpc.h"

/* Active leases read from dnsmasq's lease file. */
json_t *dhcp_read_leases(const char *path);
/* difos_dhcp_leases and difos_dhcp_static_leases (the metrics hook) */
struct feature_ctx;
struct sbuf;
void dhcp_metrics(struct feature_ctx *ctx, struct sbuf *out);

/* The generation marker's domain (health.c explains the marker). */
#define DHCP_MARKER_DOMAIN "_difos-generation.invalid"
/* The marker name of what dnsmasq is given: the NULL-terminated texts. */
char *dhcp_marker_name(const char *const *texts);

/* Does the local DNS server answer an A query for name (within timeout_ms)? */
bool dhcp_dns_answers(const char *name, int timeout_ms);

/* upstreams.c: the upstream DNS servers dnsmasq uses now:
 * {source: "configured"|"wan"|"none", servers: [..]} */
struct feature_env;
json_t *dhcp_upstreams(const struct feature_env *env);

extern const struct rpc_method dhcp_methods[];

#endif
