/*
 * The routes' pieces of the firewall ruleset and of the DNS configuration.
 *
 * A LAN packet that opens a connection is classified once: the first policy
 * that matches marks it with its interface's index (ROUTES_MARK_MASK) and
 * stores the mark in the connection, so every later packet of that
 * connection keeps its path even if a domain's addresses change meanwhile
 * (a connection moved to another uplink mid-way would lose its NAT).
 * The ip rule of that mark then picks the interface's routing table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/routes/routes.h"
#include "net/ipv4.h"
#include "schema/schema.h"
#include "store/doc.h"

static bool routes_policy_has_domains(const json_t *pol)
{
	return json_array_size(json_object_get(pol, "domains")) ||
	       json_array_size(json_object_get(pol, "domain_lists"));
}

struct routes_sets_ctx {
	struct sbuf *out;
	char *dir;
};

/* The declaration does not depend on the domains: a domain added keeps
 * the addresses already resolved for the others (routes_sets_to_flush
 * says when a domain removed means emptying the set instead). */
static void routes_set_decl(const json_t *pol, const struct routes_iface *ifc, void *arg)
{
	struct routes_sets_ctx *c = arg;
	char name[32];

	(void)ifc;
	if (!routes_policy_has_domains(pol))
		return;
	routes_set_name(pol, name, sizeof(name));
	sbuf_printf(c->out, "\tset %s {\n\t\ttype ipv4_addr\n"
		    "\t\tcomment \"routes.policy[%lld]: addresses of its domains\"\n\t}\n",
		    name, doc_int(pol, "id", 0));
}

void routes_nft_sets(const json_t *doc, struct sbuf *out)
{
	struct routes_sets_ctx c = { .out = out, .dir = NULL };

	routes_policy_foreach(doc, routes_set_decl, &c);
}

static void routes_domains_line(const json_t *pol, const struct routes_iface *ifc, void *arg)
{
	struct routes_sets_ctx *c = arg;
	json_t *domains, *d;
	char name[32];
	size_t i;

	(void)ifc;
	if (!routes_policy_has_domains(pol))
		return;
	domains = routes_policy_domains(pol, c->dir);
	routes_set_name(pol, name, sizeof(name));
	sbuf_add(c->out, name);
	json_array_foreach(domains, i, d)
		sbuf_printf(c->out, " %s", json_string_value(d));
	sbuf_add(c->out, "\n");
	json_decref(domains);
}

void routes_domains_text(const json_t *doc, const struct feature_env *env, struct sbuf *out)
{
	struct routes_sets_ctx c = { .out = out, .dir = domain_lists_dir(env) };

	sbuf_add(out, "# the domains whose addresses dnsmasq adds to each policy set\n");
	routes_policy_foreach(doc, routes_domains_line, &c);
	free(c.dir);
}

/* The words of the line of text starting with "set " (NULL if none). */
static json_t *routes_domains_of(const char *text, const char *set)
{
	size_t n = strlen(set);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *end;
		json_t *words;

		if (strncmp(l, set, n) || (l[n] != ' ' && l[n] != '\n' && l[n] != '\0'))
			continue;
		words = json_object();
		for (const char *w = l + n; *w == ' '; w = end) {
			w++;
			end = w + strcspn(w, " \n");
			json_object_setn_nocheck(words, w, (size_t)(end - w), json_true());
		}
		return words;
	}
	return NULL;
}

json_t *routes_sets_to_flush(const char *old_text, const char *new_text)
{
	json_t *flush = json_array();

	for (const char *l = old_text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char set[64];
		size_t n = strcspn(l, " \n");
		json_t *before, *after;
		const char *dom;
		json_t *v;

		if (*l == '#' || n == 0 || n >= sizeof(set))
			continue;
		memcpy(set, l, n);
		set[n] = '\0';
		after = routes_domains_of(new_text, set);
		before = routes_domains_of(old_text, set);
		/* a set gone with its policy is deleted by the firewall */
		if (after && before) {
			json_object_foreach(before, dom, v) {
				if (!json_object_get(after, dom)) {
					json_array_append_new(flush, json_string(set));
					break;
				}
			}
		}
		json_decref(before);
		json_decref(after);
	}
	return flush;
}

/* ---- mark_prerouting ---- */

struct routes_marks_ctx {
	struct sbuf rules;
	bool used[ROUTES_INDEX_MAX + 1];
	size_t n;
};

/* "{ a, b }" of a list of prefixes in canonical form */
static void routes_prefix_set(struct sbuf *b, const json_t *list)
{
	size_t i;
	json_t *v;

	sbuf_add(b, "{ ");
	json_array_foreach(list, i, v) {
		char canon[64], dst[64];
		routes_cidr_canon(4, json_string_value(v), canon, sizeof(canon), NULL);
		routes_kernel_dst(4, canon, dst, sizeof(dst));
		sbuf_printf(b, "%s%s", i ? ", " : "", strcmp(dst, "default") ? dst : "0.0.0.0/0");
	}
	sbuf_add(b, " }");
}

static void routes_mark_rule(const json_t *pol, const struct routes_iface *ifc, void *arg)
{
	struct routes_marks_ctx *c = arg;
	const json_t *src = json_object_get(pol, "source"), *dst = json_object_get(pol, "destination");
	unsigned mark = routes_mark(ifc->index), keep = ~ROUTES_MARK_MASK;
	char set[32];

	c->used[ifc->index] = true;
	c->n++;
	sbuf_add(&c->rules, "\t\t");
	if (json_array_size(src)) {
		sbuf_add(&c->rules, "ip saddr ");
		routes_prefix_set(&c->rules, src);
		sbuf_add(&c->rules, " ");
	}
	if (json_array_size(dst)) {
		sbuf_add(&c->rules, "ip daddr ");
		routes_prefix_set(&c->rules, dst);
		sbuf_add(&c->rules, " ");
	} else if (routes_policy_has_domains(pol)) {
		routes_set_name(pol, set, sizeof(set));
		sbuf_printf(&c->rules, "ip daddr @%s ", set);
	}
	sbuf_printf(&c->rules, "meta mark set meta mark & 0x%08x | 0x%08x "
		    "ct mark set ct mark & 0x%08x | 0x%08x return comment \"routes.policy[%lld] via %s\"\n",
		    keep, mark, keep, mark, doc_int(pol, "id", 0), ifc->name);
}

/* LAN-side devices: packets from them are the ones policy routes steer. */
static void routes_lan_side(const json_t *doc, struct sbuf *devs, struct sbuf *nets)
{
	unsigned addr;
	int prefix;
	size_t i;
	json_t *el;
	char cidr[20];

	sbuf_printf(devs, "\"%s\"", doc_str(doc, "lan.device"));
	if (net_lan_subnet(doc, &addr, &prefix)) {
		net_cidr_text(addr, prefix, cidr);
		sbuf_add(nets, cidr);
	}
	json_array_foreach(doc_get(doc, "interfaces.custom"), i, el) {
		const char *zone = doc_str(el, "zone"), *a = doc_str(el, "ipv4_address");
		if (!zone || strcmp(zone, "lan") || !doc_bool(el, "enabled", true))
			continue;
		sbuf_printf(devs, ", \"%s\"", doc_str(el, "device"));
		if (a && net_parse_cidr4(a, &addr, &prefix)) {
			net_cidr_text(addr, prefix, cidr);
			sbuf_printf(nets, "%s%s", nets->len ? ", " : "", cidr);
		}
	}
}

void routes_nft_marks(const json_t *doc, struct sbuf *out)
{
	struct routes_marks_ctx c = { .n = 0 };
	struct sbuf devs, nets;
	unsigned keep = ~ROUTES_MARK_MASK;

	sbuf_init(&c.rules);
	routes_policy_foreach(doc, routes_mark_rule, &c);
	if (!c.n) {
		sbuf_free(&c.rules);
		return;
	}
	sbuf_init(&devs);
	sbuf_init(&nets);
	routes_lan_side(doc, &devs, &nets);
	sbuf_add(out, "\t\tmeta nfproto != ipv4 return\n");
	sbuf_printf(out, "\t\tiifname != { %s } return\n", devs.s);
	/* the router itself and the LAN are never sent to another uplink */
	sbuf_add(out, "\t\tfib daddr type { local, broadcast, multicast } return\n");
	if (nets.len)
		sbuf_printf(out, "\t\tip daddr { %s } return\n", nets.s);
	for (int i = 1; i <= ROUTES_INDEX_MAX; i++) {
		unsigned mark = routes_mark(i);
		if (!c.used[i])
			continue;
		sbuf_printf(out, "\t\tct state != new ct mark & 0x%08x == 0x%08x "
			    "meta mark set meta mark & 0x%08x | 0x%08x return\n",
			    ROUTES_MARK_MASK, mark, keep, mark);
	}
	/* connections opened before a policy existed keep the main table */
	sbuf_add(out, "\t\tct state != new return\n");
	sbuf_add(out, c.rules.s);
	sbuf_free(&c.rules);
	sbuf_free(&devs);
	sbuf_free(&nets);
}

/* ---- dnsmasq ---- */

/* domain -> the sets its answers go to, in policy order */
static void routes_domain_sets(const json_t *pol, const struct routes_iface *ifc, void *arg)
{
	json_t **ctx = arg, *map = ctx[0], *domains, *d;
	const char *dir = json_string_value(ctx[1]);
	char set[32];
	size_t i;

	(void)ifc;
	if (!routes_policy_has_domains(pol))
		return;
	routes_set_name(pol, set, sizeof(set));
	domains = routes_policy_domains(pol, dir);
	json_array_foreach(domains, i, d) {
		json_t *sets = json_object_get(map, json_string_value(d));
		if (!sets) {
			sets = json_array();
			json_object_set_new(map, json_string_value(d), sets);
		}
		json_array_append_new(sets, json_string(set));
	}
	json_decref(domains);
}

static void routes_sets_text(const json_t *sets, struct sbuf *b)
{
	size_t i;
	json_t *s;

	json_array_foreach(sets, i, s)
		sbuf_printf(b, "%s4#inet#difos#%s", i ? "," : "", json_string_value(s));
}

/*
 * dnsmasq applies only the nftset line of the longest matching domain. A
 * domain therefore also lists the sets of its parent domains found in
 * other policies, so "cdn.example.com" in one policy does not hide
 * "example.com" of another.
 */
static json_t *routes_domain_targets(const json_t *map)
{
	json_t *out = json_object(), *sets;
	const char *d;

	json_object_foreach((json_t *)map, d, sets) {
		json_t *all = json_deep_copy(sets);
		for (const char *p = strchr(d, '.'); p; p = strchr(p + 1, '.')) {
			json_t *parent = json_object_get(map, p + 1), *s, *have;
			size_t i, j;
			json_array_foreach(parent, i, s) {
				bool dup = false;
				json_array_foreach(all, j, have)
					dup |= json_equal(have, s);
				if (!dup)
					json_array_append(all, s);
			}
		}
		json_object_set_new(out, d, all);
	}
	return out;
}

/* Domains with the same sets share a line; lines stay well below the
 * length dnsmasq reads from its configuration. */
#define ROUTES_DNSMASQ_LINE 800

void routes_dnsmasq(const json_t *doc, const struct feature_env *env, struct sbuf *out)
{
	char *dir = domain_lists_dir(env);
	json_t *map = json_object(), *ctx[2] = { map, json_string(dir) }, *targets;
	struct sbuf line, sets, prev;
	const char *d;
	json_t *s;

	routes_policy_foreach(doc, routes_domain_sets, ctx);
	targets = routes_domain_targets(map);
	sbuf_init(&line);
	sbuf_init(&prev);
	sbuf_add(&prev, "");
	/* jansson keeps insertion order: policy order, then each list's order */
	json_object_foreach(targets, d, s) {
		sbuf_init(&sets);
		routes_sets_text(s, &sets);
		if (line.len && (strcmp(prev.s, sets.s) ||
				 line.len + strlen(d) + prev.len > ROUTES_DNSMASQ_LINE)) {
			sbuf_printf(out, "nftset=%s/%s\n", line.s, prev.s);
			line.len = 0;
			line.s[0] = '\0';
		}
		sbuf_printf(&line, "/%s", d);
		prev.len = 0;
		sbuf_add(&prev, sets.s);
		sbuf_free(&sets);
	}
	if (line.len)
		sbuf_printf(out, "nftset=%s/%s\n", line.s, prev.s);
	sbuf_free(&line);
	sbuf_free(&prev);
	json_decref(targets);
	json_decref(map);
	json_decref(ctx[1]);
	free(dir);
}
