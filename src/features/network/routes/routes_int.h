/*
 * The routes feature's own parts, shared by its files only.
 *
 * Numbers difos owns in the kernel (documented in docs/guide.md):
 *   - every route it installs carries protocol ROUTES_PROTO, so routes it
 *     did not install are never touched and stale ones are found again;
 *   - a policy interface with index n (1-255) marks packets with
 *     n << 8 within ROUTES_MARK_MASK (routes.h), is looked up by the ip rule
 *     of priority ROUTES_PREF_BASE + n in table ROUTES_TABLE_BASE + n.
 */
#ifndef DIFOS_ROUTES_INT_H
#define DIFOS_ROUTES_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "features/network/routes/routes.h"

#define ROUTES_PROTO       "209"
#define ROUTES_MARK_SHIFT  8
#define ROUTES_TABLE_BASE  1000
#define ROUTES_PREF_BASE   9000
#define ROUTES_INDEX_MAX   255
#define ROUTES_TABLE_MAIN  254

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
/* Directory of the lists (malloc'd): from facts, or where difos is installed. */
char *domain_lists_dir(const json_t *facts);
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
void routes_domains_text(const json_t *doc, const json_t *facts, struct sbuf *out);
/* Sets present in both texts that lost a domain: their addresses must go,
 * or a removed domain would stay routed. Sets that only gained domains
 * keep theirs. A JSON array of set names. */
json_t *routes_sets_to_flush(const char *old_text, const char *new_text);

/* ---- routes_sync.c: the kernel's routes and rules ---- */
/* Makes the routes and rules difos owns match doc (and the WAN lease). */
int routes_sync(struct sys *sys, const json_t *doc, char **err);
/* What doc asks of the kernel, the DHCP gateway named symbolically:
 * {routes: [{family, dst, via, dev, table, metric}], rules: [{pref, mark,
 * table, interface}], devices: [...]} (for the rendered state). */
json_t *routes_wanted_text(const json_t *doc);
/* The routes and rules difos owns, as the kernel shows them (status). */
json_t *routes_in_force(void);

#endif
