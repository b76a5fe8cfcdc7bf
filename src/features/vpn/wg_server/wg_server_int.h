/* VPN › WireGuard › Server: private to its folder. */
#ifndef DIFOS_WG_SERVER_INT_H
#define DIFOS_WG_SERVER_INT_H

#include <jansson.h>

#include "apply/feature.h"
#include "net/wg.h"
#include "rpc/rpc.h"

/* the server's device and its wireguard-go engine (where the kernel has no WireGuard) */
#define WGS_DEV "wg0"
#define WGS_ENGINE "wireguard-go-wg0"
#define WGS_GROUP "VPN"


extern const struct sc_field *const wgs_sections[];
extern const struct rpc_method wgs_methods[];

/* wg_server_schema.c */
char *wgs_key_generate(void);

/* wg_server_device.c: the device the document describes (peers enabled,
 * keys decoded); 0, or -1 with why. */
int wgs_device(const json_t *doc, struct wg_device *out, char *why, size_t whylen);
/* The same as `wg setconf` reads it (for goldens and the benchmark). */
char *wgs_setconf_text(const struct wg_device *d);
/* The public key of a peer entry (its own, or its private key's), base64;
 * false when it has neither. */
bool wgs_peer_public(const json_t *peer, char out[WG_KEY_B64_LEN]);

/* wg_server_config.c: the wg_server.peer_config method */
json_t *wgs_peer_config(struct rpc_call *c);

/* wg_server_traffic.c: bytes per peer, kept across restarts */
void wgs_traffic_init(const struct feature_env *env);
void wgs_traffic_stop(void);
/* Reads the device's counters now (the minute's timer does it too). */
void wgs_traffic_sample(void);
/* {public_key: {rx_total, tx_total, history: [[t, rx, tx]...]}} (borrowed) */
const json_t *wgs_traffic(void);

#endif
