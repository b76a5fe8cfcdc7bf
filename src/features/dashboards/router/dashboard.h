/* The router dashboard: its reads, gathered and pushed to the web. */
#ifndef DIFOS_DASHBOARD_H
#define DIFOS_DASHBOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "rpc/rpc.h"

struct feature_env;

/* reads.c: the methods "interfaces" and "system" */
json_t *dashboard_interfaces(struct rpc_call *c);
json_t *dashboard_system(struct rpc_call *c);
/* interfaces as "interfaces" answers them, from one dump of each kind */
/* the devices the features own (feature_devices_collect for the document in force) */
json_t *dashboard_devices(const struct feature_env *env);
/* links joined with their addresses, each with its owner's role and title */
json_t *dashboard_interfaces_of(const json_t *devices, const json_t *links, const json_t *addrs);

/* clients.c: one entry per LAN device (by MAC) with an active lease (active:
 * the "leases" method's) or a live neighbour entry on lan_dev (neigh:
 * nl_neighbours'), named after its static lease (statics: the document's)
 * [{mac, name, ip, kind: "lease"|"static"|"neighbour", online, expires?}] */
json_t *dashboard_clients(const json_t *active, const json_t *neigh, const char *lan_dev,
			  const json_t *statics);

/* wan_card.c: the WAN's facts from the features' status {interface, proto,
 * address, gateway, dns, upstreams, lease}; the card adds the link and the
 * last check; every feature's state with its engines' */
json_t *dashboard_wan_facts(const struct feature_env *env);
json_t *dashboard_wan(const struct feature_env *env, const json_t *interfaces);
json_t *dashboard_features(const struct feature_env *env);
void dashboard_probe_targets(void *env, char **gw, char **dns, char **dev);
json_t *dashboard_health(const struct feature_env *env, const char *uplink);

/* traffic.c: rates per interface from the kernel's counters, sampled by a
 * timer of the core */
#define TRAFFIC_PERIOD_MS 3000
#define TRAFFIC_SAMPLES 100
void traffic_start(uv_loop_t *loop);
void traffic_stop(void);
/* one sample of nl_links' answer (for the timer and the unit tests) */
void traffic_sample(const json_t *links, long long mono_ms, long long wall_ms);
/* {period_ms, samples, times: [ms], interfaces: {name: {rx: [B/s], tx: [B/s],
 * rx_bytes, tx_bytes}}}: each series ends at the last time */
json_t *traffic_series(void);
/* the last sample's counters as node_exporter's families (the metrics hook) */
struct sbuf;
void traffic_metrics(struct sbuf *out);
/* wall-clock seconds since which dev has been up, 0 when down or unseen */
long long traffic_up_since(const char *dev);

/* probe.c: the connectivity check (gateway echo, upstream DNS query) */
#define PROBE_PERIOD_MS 30000
#define PROBE_FIRST_MS 1000
#define PROBE_TIMEOUT_MS 2000
/* gives the targets of a round (each NULL when there is none), malloc'd */
typedef void (*probe_targets_fn)(void *arg, char **gw, char **dns, char **dev);
void probe_start(uv_loop_t *loop, probe_targets_fn fn, void *arg);
void probe_stop(void);
/* a round now, or right after the one under way */
void probe_run(void);
/* (the packets and their parsers: net/probe_pkt.h) */
/* {gateway: {address, ok, rtt_ms, answer}|null, dns: {server, ok, rtt_ms,
 * answer}|null, at} of the last round, or null */
json_t *probe_result(void);

/* actions.c: the quick actions (engine.restart, system.reboot) */
json_t *dashboard_engine_restart(struct rpc_call *c);
json_t *dashboard_reboot(struct rpc_call *c);

/* dashboard_print.c: difosctl's tables of them */
void dashboard_print_interfaces(const json_t *res);
void dashboard_print_system(const json_t *res);

#endif
