/*
 * A feature is one area of the manual (LAN, WAN, DNS & DHCP, firewall,
 * ...). It owns its schema sections, a pure renderer, an engine checker,
 * an applier, a health check, its status, the engine processes it
 * supervises and its JSON-RPC methods. The apply engine walks the feature
 * table in order; adding a feature never edits the engine.
 *
 * Features never call each other. What one adds to another's output (nft
 * sets and rules to the firewall, lines to dnsmasq) goes through the hooks
 * below, and what one learns at run time (a WAN lease) reaches the others
 * as an event.
 */
#ifndef DIFOS_FEATURE_H
#define DIFOS_FEATURE_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

#include "core/util.h"
#include "schema/schema.h"

struct engine;
struct sys;
struct rpc_method;

/* Files a renderer produces: name (relative to the feature's directory) and bytes. */
struct render_file {
	char *name;
	char *data;
	unsigned mode;
};

struct render_out {
	struct render_file *v;
	size_t n, cap;
};

void render_add(struct render_out *o, const char *name, unsigned mode, char *data_owned);
void render_out_free(struct render_out *o);
const char *render_get(const struct render_out *o, const char *name);

/* Where things are, already under --root. Goldens use fixed paths. */
struct feature_paths {
	const char *root;     /* "/" or the --root prefix */
	const char *run;      /* <root>/run/difos: runtime files, pid files, sockets */
	const char *state;    /* <root>/var/lib/difos: the store, leases, downloaded lists */
	const char *active;   /* <root>/run/difos/active: the rendered files in force */
	const char *etc;      /* <root>/etc: the hostname, difos/tls (the web's certificates) */
	const char *resolv;   /* <run>/wan/resolv.conf: the uplink's DNS servers, written by the
			       * WAN (its lease or settings), read by the resolver */
	const char *libexec;  /* difosd-web, difos-dhcp-event */
	const char *auth_log; /* <root>/var/log/difos/auth.log: the web login's failures */
	const char *socket;   /* the control socket */
	const char *gui;      /* the GUI's files (NULL: the installed ones) */
	const char *data;     /* shipped data: premade domain lists */
	const char *pbx_root; /* Asterisk's engine root (a tree it runs chrooted in), or NULL:
			       * the system's own asterisk */
};

/* The facts of this run of difosd, the same for every feature. */
struct feature_env {
	struct feature_paths paths;
	struct sys *sys;          /* every action on the machine goes through it */
	uv_loop_t *loop;          /* NULL in unit tests and goldens */
	struct engine *engine;    /* the document in force, refresh; NULL in goldens */
	long long started;        /* wall-clock seconds when difosd started */
};

/* What each feature callback is given. */
struct feature_ctx {
	const struct feature_env *env;
	const json_t *doc;      /* the configuration: whole to render, status and hooks;
				 * to apply and health only the paths the feature reads */
	const json_t *old_doc;  /* apply: the one in force before, as doc (NULL at start) */
	const char *dir;        /* this feature's rendered files (check: the new ones) */
	const char *old_dir;    /* apply: the files in force before (NULL at start) */
	bool boot;              /* first apply after difosd started: nothing is in force */
	char *err;              /* set on failure: the engine's own message */
};

/* Does the rendered file name differ from the one in force (or is nothing in force)? */
bool apply_file_changed(const struct feature_ctx *ctx, const char *name);

/*
 * What features add to the firewall's one nftables table "inet difos".
 * Each slot is text in the nested syntax with the indent of its place:
 * sets at one tab ("\tset dyn_pbr3 {\n\t\ttype ipv4_addr\n\t}\n"), rules
 * at two. Sets named "dyn_*" are filled at run time (by dnsmasq): the
 * firewall keeps their elements while their declaration is unchanged.
 */
#define NFT_TABLE "difos"   /* the one table, of family inet */

enum feature_nft_slot {
	NFT_SETS,            /* set and map declarations */
	NFT_MARK_PREROUTING, /* rules of chain mark_prerouting (filter, prerouting, mangle) */
	NFT_INPUT_WAN,       /* rules of input_wan: what the router serves on the WAN, after the
			      * user's rules, before the zone's drop */
	NFT_INPUT,           /* rules of the input chain before the zones' dispatch: what the
			      * router serves on a device of no zone (a VPN's DNS) */
	NFT_FORWARD,         /* rules of the forward chain before the zones' dispatch: traffic
			      * between a device of no zone (a tunnel) and the zones, whose
			      * devices are the sets @zone_lan and @zone_wan (type ifname) */
	NFT_NAT_POSTROUTING, /* rules of chain srcnat, after the user's NAT rules, before the
			      * WAN's masquerade (an "accept" there exempts from it) */
	NFT_PREROUTING_RAW,  /* rules of chain filter_prerouting (filter, prerouting, priority
			      * raw: before connection tracking, so a dropped packet leaves no
			      * entry): what may neither reach the router nor pass through it,
			      * established connections included (intrusion prevention's
			      * bans); the chain exists only when something is here */
	NFT__SLOTS
};

struct feature_nft {
	struct sbuf slot[NFT__SLOTS];
};

/*
 * What the PBX's pages (extensions, trunks, routing, block lists) add to
 * the Asterisk files the PBX engine feature renders. Each slot is text in
 * the file's own syntax, whole objects or contexts, ended by a blank line;
 * the engine puts each slot's contributions where their file wants them
 * (the transports first, then every feature's objects, in table order).
 */
enum feature_asterisk_slot {
	AST_PJSIP,        /* pjsip.conf: endpoints, auths, aors, registrations, identifies */
	AST_DIALPLAN,     /* extensions.conf: contexts */
	AST_QUEUES,       /* queues.conf: queues */
	AST_CDR,          /* cdr_sqlite3_custom.conf: the call records' table (one feature's) */
	AST__SLOTS
};

struct feature_asterisk {
	struct sbuf slot[AST__SLOTS];
};

/* What happened at run time, for the features that follow it. */
enum feature_event_kind {
	EV_WAN_LEASE,        /* the WAN's DHCP lease was gained or renewed: data is the lease
			      * {interface, ip, subnet, prefix, routers: [..], dns: [..], lease, since};
			      * or its PPPoE session came up: the same on "ppp-wan", prefix 32,
			      * routers [the peer], lease 0, with proto "pppoe" and device (the port) */
	EV_WAN_LEASE_LOST,   /* the lease ended (deconfig): data {interface} */
	EV_ADDRESS,          /* an address came or went on an interface, as the kernel said
			      * (apply/netwatch.c): data {interface, family (4|6), address,
			      * prefix, scope, removed} */
	EV_LINK,             /* a link came or went, or its UP or carrier changed, as the
			      * kernel said: data {interface, index, up, carrier, operstate,
			      * removed} */
	EV_UPLINK_HEALTH,    /* an uplink's health state changed (network/uplinks): data
			      * {uplink ("wan"), state (up|degraded|down|unknown), loss (% of
			      * the last round), rtt (ms, mean, or null), device, since} */
	EV_UPLINK_ACTIVE,    /* the failover moved the router's traffic: data {uplink ("wan",
			      * "wwan"), reason} */
	EV_ENGINE,           /* an engine process started or stopped: data {engine, running,
			      * pid, restarts} */
	EV_CERTIFICATE,      /* the router's TLS certificate was installed (again): data
			      * {cert, key} (paths of the PEM files) */
	EV_WWAN_UP,          /* the LTE modem's uplink is usable, or changed (a renewed
			      * lease, a delegated prefix): data {device, family,
			      * ipv4: {address, prefix, gateway}, ipv6: {address, prefix,
			      * gateway, delegated_prefix?} or null (IPv4v6 context) or
			      * absent, dns: [..], table, since}; its default routes are in
			      * that table only, never in main */
	EV_WWAN_DOWN,        /* it is no longer: data {device, reason} */
	EV_WAN_PREFIX,       /* an uplink was delegated IPv6 prefixes, or their lifetimes or
			      * the set changed (the WAN's DHCPv6 client; the WWAN later):
			      * data {interface, prefixes: [{prefix, length, preferred,
			      * valid}], addresses: [..], dns: [..]}, the uplink's whole
			      * set now, lifetimes in seconds left (0xffffffff: forever) */
	EV_WAN_PREFIX_LOST,  /* the uplink has no delegated prefix any more: data {interface} */
};

struct feature_event {
	enum feature_event_kind kind;
	const json_t *data;
};

/* An engine process a feature supervises (by its supervisor name). */
struct feature_engine {
	const char *name;        /* "dnsmasq" */
	const char *status_key;  /* where the status shows it: "engine", "client" */
};

struct feature {
	const char *name;
	const char *title;
	/* schema sections owned by this feature (NULL-terminated array of pointers) */
	const struct sc_field *const *sections;
	/* once, when difosd starts (before the first apply) */
	int (*init)(const struct feature_env *env);
	/* pure: ctx->doc and ctx->env->paths -> files. 0, or -1 with ctx->err set. */
	int (*render)(struct feature_ctx *ctx, struct render_out *out);
	/* checks the rendered files in ctx->dir with the engine's own checker */
	int (*check)(struct feature_ctx *ctx);
	/* makes the running system match; called only when rendered files changed (or at start) */
	int (*apply)(struct feature_ctx *ctx);
	/* after every feature applied: is it actually working? */
	int (*health)(struct feature_ctx *ctx);
	/* feature status for "status" (may be NULL); the engines are added to it */
	json_t *(*status)(struct feature_ctx *ctx);
	/* stops what the feature runs besides its engines (shutdown) */
	void (*stop)(struct feature_ctx *ctx);
	/* the engine processes it supervises: stopped at shutdown, shown in its status */
	const struct feature_engine *engines;   /* terminated by { NULL } */
	/*
	 * The document paths its apply and health read besides its rendered
	 * files ("lan", "system.hostname"; NULL-terminated): they see only
	 * these (ctx->doc is a view), and a change of one applies the feature
	 * as a change of its files does. A feature that reads only what it
	 * rendered declares none.
	 */
	const char *const *reads;
	/*
	 * The features whose appliers undo what this one put in place (the
	 * LAN's applier resets the addresses the kernel's routes go through,
	 * and the kernel drops those routes): when one of them is applied,
	 * this one is applied again after it (they come before it in the
	 * table), if after_needed says it has anything in place (NULL:
	 * always). after_needed sees the view of its reads.
	 */
	const char *const *after;
	bool (*after_needed)(const json_t *doc);

	/* hooks: what it adds to other features' output, rendered from ctx->doc */
	void (*nft)(struct feature_ctx *ctx, struct feature_nft *out);
	void (*dnsmasq)(struct feature_ctx *ctx, struct sbuf *out);   /* dnsmasq.conf lines */
	void (*asterisk)(struct feature_ctx *ctx, struct feature_asterisk *out);
	/* the names the router answers to on the web (the Host header): strings
	 * appended to names (hostname, hostname.domain, a DDNS name...) */
	void (*host_names)(struct feature_ctx *ctx, json_t *names);
	/* the network devices it owns, for the overview of interfaces: sets
	 * out[<device>] = {role ("lan", "wan", "wwan", "wifi", "custom"), title,
	 * and state when it knows better than the kernel ("standby", "failed
	 * over")}; a later feature's keys are merged over an earlier's (the
	 * uplinks' failover says which uplink is standby) */
	void (*devices)(struct feature_ctx *ctx, json_t *out);
	/* events it follows (called from the loop) */
	void (*event)(const struct feature_env *env, const struct feature_event *ev);
	/* its readings for Prometheus (the metrics method, core/prom.h):
	 * families appended to out, from what it keeps already (no process,
	 * no dump the feature does not cache); its names start with difos_,
	 * or are node_exporter's where they mean the same */
	void (*metrics)(struct feature_ctx *ctx, struct sbuf *out);

	/* the feature's own JSON-RPC methods (NULL-terminated) */
	const struct rpc_method *methods;
};

/* registry.c: the table, in apply order (a feature comes after what it needs) */
extern const struct feature *const feature_table[];
size_t feature_count(void);
const struct feature *feature_find(const char *name);
/* Builds the root schema from every feature's sections. */
void feature_schema_init(void);

/* hooks.c: walking the table for the hooks */
/* Every feature's nft contributions for ctx->doc (free with feature_nft_free). */
void feature_nft_collect(struct feature_ctx *ctx, struct feature_nft *out);
void feature_nft_free(struct feature_nft *n);
/* Every feature's dnsmasq.conf lines for ctx->doc, appended to out. */
void feature_dnsmasq_collect(struct feature_ctx *ctx, struct sbuf *out);
/* Every feature's Asterisk contributions for ctx->doc (free with feature_asterisk_free). */
void feature_asterisk_collect(struct feature_ctx *ctx, struct feature_asterisk *out);
void feature_asterisk_free(struct feature_asterisk *a);
/* Every feature's host names for ctx->doc: a new array of strings. */
json_t *feature_host_names_collect(struct feature_ctx *ctx);
/* Every feature's devices for ctx->doc: a new object device -> {role, title, state?}. */
json_t *feature_devices_collect(struct feature_ctx *ctx);
/* Every feature's metrics, appended to out. */
void feature_metrics_collect(struct feature_ctx *ctx, struct sbuf *out);
/* Tells every feature that follows events. */
void feature_emit(const struct feature_env *env, enum feature_event_kind kind, const json_t *data);
/* Status of a feature: its own, with its engines' states. */
json_t *feature_status(const struct feature *f, struct feature_ctx *ctx);
/* view.c: the document as a feature's apply sees it (the paths it reads) */
json_t *feature_doc_view(const json_t *doc, const char *const *reads);
/* Does one of the paths f reads differ between the documents? */
bool feature_reads_changed(const struct feature *f, const json_t *old_doc, const json_t *doc);
/* Stops every feature, the last in apply order first. */
void feature_stop_all(const struct feature_env *env);

#endif
