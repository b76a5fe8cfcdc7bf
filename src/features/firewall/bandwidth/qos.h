/*
 * Bandwidth control: QoS (per-client rate limits by IP or MAC, shaped
 * with HTB on the LAN bridge) and SQM (cake on the WAN). Both are
 * rendered as tc batch files and applied with `tc -batch`; difos owns
 * the qdiscs with handle QOS_HANDLE and the ifb devices named below,
 * and touches nothing else on the interfaces.
 */
#ifndef DIFOS_QOS_H
#define DIFOS_QOS_H

#include <jansson.h>
#include <stdbool.h>

#include "rpc/rpc.h"
#include "schema/schema.h"

struct sys;

/* The major number of every root qdisc difos installs: how it knows its own. */
#define QOS_HANDLE      "d1f"
/* Upload from the LAN: bridge ingress is redirected here and shaped on its egress. */
#define QOS_IFB_UP      "ifb-lanup"
/* Download from the WAN (SQM): WAN ingress is redirected here. */
#define SQM_IFB_DOWN    "ifb-wandown"

#define QOS_RATE_MAX    100000  /* Mbps: 100 Gbit/s */
#define QOS_RATE_MIN    0.01    /* Mbps: 10 kbit/s, the finest rate rendered */
#define QOS_ENTRIES_MAX 1000    /* per collection */
/* Class minors of limited clients start here; 2 x QOS_ENTRIES_MAX of them
 * stay below QOS_HANDLE, so their leaf handles never meet the root's. */
#define QOS_MINOR_BASE  0x100

/* Share of the advertised speeds the SQM auto fill sets: cake must be the
 * bottleneck, so it shapes a little below what the line really carries
 * (the manual asks for 90-95 %). */
#define SQM_AUTOFILL_FACTOR 0.92

#define SQM_CAKE_MISSING \
	"SQM needs the cake queue discipline (sch_cake), which this kernel does not provide"

/* qos_schema.c */
extern const struct sc_field *const qos_sections[];

/* qos_tc.c: the QoS tc batch (pure); a comment only when QoS is off */
char *qos_tc_render(const json_t *doc);
/* sqm_tc.c: the SQM tc batch (pure); a comment only when SQM is off */
char *sqm_tc_render(const json_t *doc);
/* The HTB class minor of entry index of coll ("by_ip", "by_mac"). */
unsigned qos_class_minor(const json_t *qos, const char *coll, size_t index);
/* A valid MAC (any case, ':' or '-') as "aa:bb:cc:dd:ee:ff". */
void qos_mac_canon(const char *mac, char out[18]);
/* A rate in Mbps as tc text in kbit ("8000kbit"). */
void qos_rate_text(double mbps, char out[32]);

/* tc_owned.c */
/* Every device of the machine into both sets (to clear what an earlier run left). */
void qos_links(struct sys *sys, json_t *roots, json_t *ports);
/* Removes what difos installed: its root qdisc on each of roots, an
 * ingress qdisc redirecting to ifb on each of ports (arrays of device
 * names), and the ifb device itself. */
int qos_tc_clear(struct sys *sys, const json_t *roots, const json_t *ports, const char *ifb,
		 char **err);
/* Creates the ifb device and loads a batch file. */
int qos_tc_load(struct sys *sys, const char *ifb, const char *batch, char **err);

/* cake.c: NULL when cake can be used, else why not (static text).
 * fresh: probe now; otherwise the last answer (the first call probes: the
 * feature's init, at start). */
const char *sqm_cake_missing(struct sys *sys, bool fresh);

/* qos_methods.c */
extern const struct rpc_method qos_methods[];
json_t *qos_counters(struct sys *sys, const json_t *doc);

/* qos_print.c: difosctl's tables */
void qos_print_sqm_status(const json_t *res);
void qos_print_autofill(const json_t *res);
void qos_print_counters(const json_t *res);

#endif
