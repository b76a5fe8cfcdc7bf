/*
 * The firewall's parts: the schema (zones, aliases, port forwards, traffic
 * rules, NAT rules), the renderer of the one nftables ruleset of table
 * "inet difos", and the loader that applies a new ruleset by the smallest
 * change: set elements through netlink, changed chains by flush and refill,
 * the whole table only when nothing smaller will do.
 */
#ifndef DIFOS_FIREWALL_H
#define DIFOS_FIREWALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "apply/feature.h"
#include "core/util.h"
#include "net/addr.h"
#include "schema/schema.h"

#define FW_TABLE NFT_TABLE
/* the comment of the counter at the end of the input and forward chains */
#define FW_POLICY_DROP "policy drop"

/* fw_metrics.c: the rules' counters and the policies' drops (the metrics
 * hook; read by a timer the first scrape starts), and its end */
struct sbuf;
void fw_metrics(struct feature_ctx *ctx, struct sbuf *out);
void fw_metrics_stop(void);

/* ---- fw_countries.c ---- */
struct fw_country {
	const char *code; /* ISO 3166-1 alpha-2, lower case */
	const char *name;
};
extern const struct fw_country fw_countries[];
const char *fw_country_name(const char *code);

/* ---- fw_schema.c ---- */
extern const struct sc_field firewall_section;

/* An alias name as rules use it: letters, digits, '_', starting with a letter. */
bool fw_is_alias_name(const char *s);
/* The IP alias (or port alias) called name, or NULL. */
const json_t *fw_ip_alias(const json_t *doc, const char *name);
const json_t *fw_port_alias(const json_t *doc, const char *name);

/* ---- fw_addr.c: address lists (of the one address type, net/addr.h) ---- */
/* Parses "a.b.c.d[/n]" or "x::y[/n]"; host bits must be zero unless loose
 * (then they are cleared). */
bool fw_cidr_parse(const char *s, bool loose, struct net_prefix *out, char *why, size_t whylen);
/* Sorts, drops duplicates and ranges inside larger ones: an nft interval
 * set refuses overlapping elements. */
size_t fw_cidr_canonical(struct net_prefix *v, size_t n);
/* One CIDR per line ("# comment" and blank lines allowed); family 4 or 6.
 * Lines that are not valid CIDRs of that family are skipped and counted. */
size_t fw_cidr_read_file(const char *path, int family, struct net_prefix **v, size_t *skipped);
/* The same, from a file's contents (text may be NULL when len is 0). */
size_t fw_cidr_read_text(const char *text, size_t len, int family, struct net_prefix **v,
			 size_t *skipped);

/* ---- fw_alias.c: alias sets ---- */
struct feature_ctx;
struct feature_env;

/* Directory of the country lists: <state>/lists/countries. */
char *fw_lists_dir(const struct feature_env *env);
/* Names of the nft sets of an alias: "a4_<name>", "a6_<name>", "p_<name>". */
void fw_alias_set_name(char *out, size_t outlen, int family, const char *alias);
/* Families an IP alias holds (bit 1: IPv4, bit 2: IPv6). Manual aliases hold
 * one, automated (country) aliases both. */
unsigned fw_alias_families(const json_t *alias);

struct fw_set {
	char *name;
	char *decl;     /* the set block, nested syntax, without elements */
	char *elements; /* canonical elements, one per line ("" when none) */
};

struct fw_sets {
	struct fw_set *v;
	size_t n, cap;
};

void fw_sets_add(struct fw_sets *s, const char *name, char *decl, char *elements);
void fw_sets_free(struct fw_sets *s);
/* Every alias's sets, with elements (country lists read from the lists dir). */
void fw_alias_sets(const json_t *doc, const struct feature_env *env, struct fw_sets *out);

/* ---- fw_render.c: the ruleset (chains in fw_rules.c, NAT in fw_forward.c) ---- */
/* Renders ruleset.nft (declarations and chains, with what other features
 * add through their nft hooks) and the sets' elements. */
char *fw_render_ruleset(struct feature_ctx *ctx, struct fw_sets *sets);

/* ---- fw_load.c: applying a ruleset ---- */
struct sys;
/* The whole transaction: replace table inet difos with structure + elements. */
char *fw_full_script(const char *structure, const char *dir);
/* Structure `now` differs from `checked` in the rules of chains only. */
bool fw_only_chains_differ(const char *now, const char *checked);
/* Applies the files in dir given the files in force (old_dir, may be NULL):
 * the smallest change that gets there, or the full transaction. */
int fw_load(struct sys *sys, const char *dir, const char *old_dir, char **err);

/* ---- fw_elems.c: set elements through netlink ---- */
/* Key types of the sets and maps whose elements change by themselves. */
enum fw_keytype {
	FW_KEY_V4 = 4,        /* interval set of ipv4_addr (CIDR lines) */
	FW_KEY_V6 = 6,        /* interval set of ipv6_addr */
	FW_KEY_PORT = 'p',    /* interval set of inet_service ("80", "20000-30000") */
	/* verdict maps, "key : verdict" lines, e.g. "10.0.0.5 . tcp . 80 : accept" */
	FW_KEY_V4_PROTO_PORT = 'A', /* ipv4_addr . inet_proto . inet_service */
	FW_KEY_V6_PROTO_PORT = 'B', /* ipv6_addr . inet_proto . inet_service */
	FW_KEY_PROTO_PORT = 'C',    /* inet_proto . inet_service */
};

struct fw_elem_change {
	const char *set;
	int keytype;        /* enum fw_keytype */
	char **add, **del;  /* element texts as in the set files */
	size_t nadd, ndel;
};
/* One netlink transaction; 0 or -1 with *err. */
int fw_elems_apply(const struct fw_elem_change *c, size_t n, char **err);

#endif
