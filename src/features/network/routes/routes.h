/*
 * Routes: static IPv4/IPv6 routes and policy-based routes. Policy routes
 * mark packets in the firewall's ruleset (the nft hook) and send marked
 * packets through their own routing table; routes by domain name use sets
 * that the router's DNS fills with the addresses it resolves (the dnsmasq
 * hook: nftset lines). The policy table of "wan" follows the WAN's DHCP
 * lease (the lease events). This header is the feature's own.
 *
 * Numbers difos owns in the kernel (documented in docs/guide.md):
 *   - every route it installs carries protocol ROUTES_PROTO, so routes it
 *     did not install are never touched and stale ones are found again;
 *   - a policy interface with index n (1-255) marks packets with
 *     n << 8 within ROUTES_MARK_MASK, is looked up by the ip rule
 *     of priority ROUTES_PREF_BASE + n in table ROUTES_TABLE_BASE + n.
 */
#ifndef DIFOS_ROUTES_H
#define DIFOS_ROUTES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define ROUTES_PROTO       209
#define ROUTES_MARK_SHIFT  8
#define ROUTES_TABLE_BASE  1000
#define ROUTES_PREF_BASE   9000
#define ROUTES_INDEX_MAX   255
#define ROUTES_TABLE_MAIN  254
/*
 * Bits of the packet mark (and conntrack mark) that policy routes use: the
 * index of the interface a packet leaves through, shifted left by 8. Other
 * bits are left alone for other features (QoS).
 */
#define ROUTES_MARK_MASK 0xff00u

struct feature_env;
struct sys;

/* ---- routes_schema.c ---- */
extern const struct sc_field routes_section;

/* ---- routes_addr.c: prefixes as the kernel prints them ---- */
/* "10.1.2.0/24" -> canonical "10.1.2.0/24" in out; *host_bits tells
 * whether bits right of the prefix were set (they are cleared in out). */
bool routes_cidr_canon(int family, const char *text, char *out, size_t outlen, bool *host_bits);
/* canonical prefix -> the dst iproute2 shows: "default", a bare host, or a/len */
void routes_kernel_dst(int family, const char *canon, char *out, size_t outlen);

/* ---- routes_policy.c: where policy routes leave ---- */
struct routes_iface {
	char name[32];        /* as a policy names it: "wan", or a custom device */
	const char *dev;      /* Linux device */
	const char *gateway;  /* IPv4 next hop from the configuration, or NULL */
	bool dhcp_gateway;    /* the next hop is the WAN DHCP lease's router */
	bool enabled;
	int index;            /* 1-255: mark, table and rule priority */
};

/* Resolves a policy's interface. false (and a reason in why) when name is
 * not a policy interface. Later interface kinds (WireGuard clients) are
 * added here and nowhere else. */
bool routes_policy_iface(const json_t *doc, const char *name, struct routes_iface *out,
			 char *why, size_t whylen);
/* Policies in force: enabled, with an enabled interface. */
typedef void (*routes_policy_fn)(const json_t *policy, const struct routes_iface *ifc,
				 void *arg);
void routes_policy_foreach(const json_t *doc, routes_policy_fn fn, void *arg);
unsigned routes_mark(int index);
int routes_table(int index);
int routes_pref(int index);

/* ---- domain_lists.c: premade lists shipped in <data>/domain-lists ---- */
/* Directory of the lists (malloc'd): env's data path, or (env NULL, as in
 * offline checks) where difos is installed. */
char *domain_lists_dir(const struct feature_env *env);
/* The domains of list name, lower case, each once; NULL when there is no such list. */
json_t *domain_list_load(const char *dir, const char *name);
/* [{name, domains, description}] of every list, sorted by name. */
json_t *domain_lists_index(const char *dir);
/* A policy's own domains followed by those of its lists, each once. */
json_t *routes_policy_domains(const json_t *policy, const char *dir);
/* The set filled by dnsmasq with the addresses of a policy's domains. */
void routes_set_name(const json_t *policy, char *out, size_t outlen);

/* ---- routes_nft.c: what is kept in the policies' sets ---- */

/* "<set> <domain> <domain>...\n" per policy set (the rendered "domains"). */
void routes_domains_text(const json_t *doc, const struct feature_env *env, struct sbuf *out);
/* Sets present in both texts that lost a domain: their addresses must go,
 * or a removed domain would stay routed. Sets that only gained domains
 * keep theirs. A JSON array of set names. */
json_t *routes_sets_to_flush(const char *old_text, const char *new_text);

/* Set declarations (one tab of indent) and the rule lines of chain
 * mark_prerouting (two tabs) for the firewall's table. */
void routes_nft_sets(const json_t *doc, struct sbuf *out);
void routes_nft_marks(const json_t *doc, struct sbuf *out);
/* Lines for dnsmasq.conf (nftset=...) that fill the dyn_* sets. */
void routes_dnsmasq(const json_t *doc, const struct feature_env *env, struct sbuf *out);

/* ---- routes_sync.c: the kernel's routes and rules ---- */
/* The WAN's DHCP lease as the lease events tell it: its router (NULL for
 * none) and whether there is a lease at all. */
void routes_wan_lease(bool leased, const char *router);
bool routes_wan_leased(void);
/* Makes the routes and rules difos owns match doc (and the WAN lease). */
int routes_sync(struct sys *sys, const json_t *doc, char **err);
/* The WAN got or renewed its DHCP lease (perhaps a new address or router):
 * the routes through the WAN and the policy table of "wan" follow it. When
 * the lease ends the kernel drops those routes with the address. */
void routes_follow_wan(struct sys *sys, const json_t *doc);
/* A device came up (again): the routes through it are put back. A device
 * that goes away takes its routes with it (a WireGuard client's engine
 * restarted by the supervisor, outside any apply). */
void routes_follow_link(struct sys *sys, const json_t *doc, const char *dev);
/* What doc asks of the kernel, the DHCP gateway named symbolically:
 * {routes: [{family, dst, via, dev, table, metric}], rules: [{pref, mark,
 * table, interface}], devices: [...]} (for the rendered state). */
json_t *routes_wanted_text(const json_t *doc);
/* The routes and rules difos owns, as the kernel shows them (status):
 * read by netlink on every call, in the shape of ip -j. */
json_t *routes_in_force(void);

#endif
