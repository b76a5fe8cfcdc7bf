/*
 * A WireGuard device of a VPN feature (the server's wg0, a client's
 * wgc_<name>), shared by the VPN features: the kernel's own device where
 * the kernel has WireGuard, else a wireguard-go process the feature
 * supervises. Either way the device is then configured through sys->wg
 * (net/wg.h), which speaks to both.
 */
#ifndef DIFOS_VPN_WG_LINK_H
#define DIFOS_VPN_WG_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "apply/feature.h"

/* The protocol of the routes the VPN features install through their
 * devices (the networks behind a peer, a client's allowed IPs), so they
 * are told apart from the static routes' (209) and the kernel's. */
#define WG_ROUTE_PROTO 210

/* wireguard-go's socket folder: <run>/wireguard (malloc'd). difos-engine-exec
 * mounts it at /var/run/wireguard, the folder wireguard-go has compiled
 * in, so routers in other network namespaces may have devices of the same
 * name. */
char *wg_sockdir(const struct feature_env *env);

/* Makes ifname exist: a kernel device, or wireguard-go supervised as
 * engine (waits, bounded, for its socket); its MTU, addresses and state are
 * the caller's. 0, or -1 with ctx->err set. */
int wg_link_ensure(struct feature_ctx *ctx, const char *ifname, const char *engine);

/* Removes ifname (stops its wireguard-go; deletes a kernel device). */
void wg_link_remove(struct feature_ctx *ctx, const char *ifname, const char *engine);

/* Whether ifname is served by wireguard-go here (its socket exists). */
bool wg_link_userspace(const struct feature_env *env, const char *ifname);

#endif
