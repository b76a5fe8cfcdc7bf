/* The WireGuard clients' files' shared declarations (this folder only). */
#ifndef DIFOS_FEATURES_VPN_WGC_INT_H
#define DIFOS_FEATURES_VPN_WGC_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "rpc/rpc.h"
#include "schema/schema.h"

/* a client's device: "wgc_" and its name of at most 11 characters */
#define WGC_PREFIX "wgc_"
#define WGC_MAX 32
/* the metric of the routes to a client's AllowedIPs: above every WAN's
 * default route (the WAN's IPv4 default has metric 0, an IPv6 default the
 * kernel's 1024; the WWAN's are in a table of their own), so 0.0.0.0/0
 * through a client takes no traffic until a policy route sends some, and
 * a narrower range wins by its length */
#define WGC_METRIC 2048

extern const struct sc_field *const wgc_sections[];
extern const struct rpc_method wgc_methods[];

struct feature_ctx;
struct feature_env;
/* wgc_apply.c */
int wgc_apply(struct feature_ctx *ctx);
void wgc_stop(struct feature_ctx *ctx);
/* Is the server's name to be looked up again? (a name, and no handshake
 * for WGC_STALE_S seconds, or none yet) */
bool wgc_needs_resolve(const char *endpoint, long long last_handshake, long long now);
void wgc_timer_start(const struct feature_env *env);
struct feature_event;
void wgc_event(const struct feature_env *env, const struct feature_event *ev);

#endif
