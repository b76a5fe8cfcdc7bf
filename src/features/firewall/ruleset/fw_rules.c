/*
 * Traffic rules into chains. Each rule lands in the chains of its zones
 * (input_<zone> for traffic to the router, forward_<from>_<to> between
 * zones, output from the router), in index order. The zone chains are
 * reached through verdict maps, so a packet only walks the rules of its
 * own pair of zones.
 *
 * Runs of consecutive rules that only match exact destination addresses
 * and ports (the common "open port P on host H" rule) become one lookup in
 * a named verdict map: their keys are points, so no two can overlap and
 * the first rule for a key is the one that counts, exactly as if evaluated
 * in order. The cost of such a run does not grow with its length, and the
 * map's elements live in their own file like an alias set's: changing such
 * a rule's port or host changes two elements, not the chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/firewall/ruleset/firewall.h"
#include "features/firewall/ruleset/fw_match.h"
#include "features/firewall/ruleset/fw_render.h"
#include "store/doc.h"

/* A member of a rule, as doc_int and doc_str read it, without parsing a
 * path: sorting and placing thousands of rules read them often. */
static long long member_int(const json_t *r, const char *key)
{
	const json_t *v = json_object_get(r, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static const char *member_str(const json_t *r, const char *key)
{
	return json_string_value(json_object_get(r, key));
}

/* A rule with what sorting and placing it read, taken out of the JSON
 * once: thousands of rules are compared and placed in every chain. */
struct rule_ref {
	const json_t *r;
	long long index, id;
	const char *src_zone, *dest_zone;
};

static int rule_order(const void *pa, const void *pb)
{
	const struct rule_ref *a = pa, *b = pb;

	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static const char *verdict(const json_t *r)
{
	const char *a = json_string_value(json_object_get(r, "action"));

	if (a && !strcmp(a, "drop"))
		return "drop";
	if (a && !strcmp(a, "reject"))
		return "jump reject_packet";
	return "accept";
}

static int rule_family(const json_t *r)
{
	const char *f = json_string_value(json_object_get(r, "family"));

	return f && !strcmp(f, "ipv4") ? 4 : f && !strcmp(f, "ipv6") ? 6 : 0;
}

/* ---- point rules (merged into verdict maps) ---- */

struct point_rule {
	char *shape; /* everything before the key: prefix + key expression */
	int family;  /* of the destination hosts: 4, 6, or 0 (no hosts) */
	char **keys;
	size_t nkeys;
};

static void point_rule_free(struct point_rule *p)
{
	for (size_t i = 0; i < p->nkeys; i++)
		free(p->keys[i]);
	free(p->keys);
	free(p->shape);
	memset(p, 0, sizeof(*p));
}

static bool is_single_port(const char *s)
{
	if (!s || fw_is_alias_name(s))
		return false;
	for (const char *c = s; *c && *c != '/'; c++)
		if (*c < '0' || *c > '9')
			return false;
	return true;
}

static void push_key(struct point_rule *p, char *key)
{
	p->keys = xrealloc(p->keys, (p->nkeys + 1) * sizeof(*p->keys));
	p->keys[p->nkeys++] = key;
}

/*
 * A rule of the form "[family] [to exact hosts] tcp/udp to exact ports":
 * fills p and returns true; anything else returns false.
 */
static bool point_rule(const json_t *r, const char *prefix, struct point_rule *p)
{
	const char *proto = json_string_value(json_object_get(r, "proto"));
	json_t *dest = json_object_get(r, "dest"), *ports = json_object_get(r, "dest_ports"), *v;
	int fam = rule_family(r), dfam = 0;
	struct net_prefix hosts[8];
	size_t nh = 0, i, j;
	char why[128];

	memset(p, 0, sizeof(*p));
	if (json_array_size(json_object_get(r, "src")) || json_array_size(json_object_get(r, "src_ports")) ||
	    !json_array_size(ports) || !proto ||
	    (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "tcpudp")) ||
	    json_array_size(dest) > ARRAY_SIZE(hosts))
		return false;
	json_array_foreach(dest, i, v) {
		const char *s = json_string_value(v);
		if (!s || fw_is_alias_name(s) || !fw_cidr_parse(s, true, &hosts[nh], why, sizeof(why)) ||
		    hosts[nh].len != (hosts[nh].family == 4 ? 32 : 128) ||
		    (dfam && dfam != hosts[nh].family) || (fam && fam != hosts[nh].family))
			return false;
		dfam = hosts[nh++].family;
	}
	p->family = dfam;
	json_array_foreach(ports, i, v)
		if (!is_single_port(json_string_value(v)))
			return false;
	if (dfam)
		p->shape = xasprintf("%s%s%s daddr . meta l4proto . th dport", prefix, *prefix ? " " : "",
				     dfam == 4 ? "ip" : "ip6");
	else
		p->shape = xasprintf("%s%s%smeta l4proto . th dport", prefix, *prefix ? " " : "",
				     fam == 4 ? "meta nfproto ipv4 " : fam == 6 ? "meta nfproto ipv6 " : "");
	json_array_foreach(ports, i, v) {
		const char *s = json_string_value(v), *slash = strchr(s, '/');
		const char *protos[2];
		size_t np = 0;

		if (slash)
			protos[np++] = slash + 1;
		else {
			if (strcmp(proto, "udp"))
				protos[np++] = "tcp";
			if (strcmp(proto, "tcp"))
				protos[np++] = "udp";
		}
		for (size_t k = 0; k < np; k++) {
			int port = atoi(s);
			if (!nh)
				push_key(p, xasprintf("%s . %d", protos[k], port));
			for (j = 0; j < nh; j++) {
				char t[64];
				net_prefix_text(&hosts[j], false, t, sizeof(t));
				push_key(p, xasprintf("%s . %s . %d", t, protos[k], port));
			}
		}
	}
	return true;
}

/* The map's key type, as the shape's key expression reads it. */
static const char *map_key_type(int family)
{
	return family == 4 ? "ipv4_addr . inet_proto . inet_service"
	       : family == 6 ? "ipv6_addr . inet_proto . inet_service"
			     : "inet_proto . inet_service";
}

/* A run of point rules: a lookup in the map v_<chain>_<k>, declared with
 * the sets; its elements (one "key : verdict" per line) go to its file. */
static void emit_vmap(struct sbuf *out, struct fw_sets *sets, const char *chain, int k,
		      struct point_rule *run, const json_t *const *rules, size_t n)
{
	json_t *seen = json_object();
	struct sbuf el;
	char name[64];

	snprintf(name, sizeof(name), "v_%s_%d", chain, k);
	sbuf_init(&el);
	for (size_t i = 0; i < n; i++) {
		const char *v = verdict(rules[i]);

		for (size_t j = 0; j < run[i].nkeys; j++) {
			if (json_object_get(seen, run[i].keys[j]))
				continue; /* an earlier rule already decides this key */
			json_object_set_new(seen, run[i].keys[j], json_true());
			sbuf_add(&el, run[i].keys[j]);
			sbuf_add(&el, " : ");
			sbuf_add(&el, v);
			sbuf_add(&el, "\n");
		}
	}
	fw_sets_add(sets, name,
		    xasprintf("\tmap %s {\n\t\ttype %s : verdict\n\t}\n", name,
			      map_key_type(run[0].family)),
		    el.s ? sbuf_steal(&el) : xstrdup(""));
	sbuf_free(&el);
	sbuf_printf(out, "\t\t%s vmap @%s comment \"rules %lld-%lld\"\n", run[0].shape, name,
		    member_int(rules[0], "id"), member_int(rules[n - 1], "id"));
	json_decref(seen);
}

/* ---- general rules ---- */

static void emit_rule(struct sbuf *out, const json_t *doc, const json_t *r, const char *prefix)
{
	const char *proto = json_string_value(json_object_get(r, "proto"));
	int fam = rule_family(r);
	struct fw_variants src = { 0 }, dst = { 0 }, ports = { 0 };
	char *sports = fw_src_ports_expr(json_object_get(r, "src_ports"));
	bool has_ports = json_array_size(json_object_get(r, "dest_ports")) > 0;

	fw_addr_variants(doc, json_object_get(r, "src"), "saddr", fam, &src);
	fw_addr_variants(doc, json_object_get(r, "dest"), "daddr", fam, &dst);
	fw_port_variants(json_object_get(r, "dest_ports"), proto, &ports);
	for (size_t i = 0; i < src.n; i++) {
		for (size_t j = 0; j < dst.n; j++) {
			int f = src.v[i].family ? src.v[i].family : dst.v[j].family;

			if (src.v[i].family && dst.v[j].family && src.v[i].family != dst.v[j].family)
				continue;
			if (fam && f && f != fam)
				continue;
			for (size_t k = 0; k < ports.n; k++) {
				const char *nfproto = !f && fam == 4 ? "meta nfproto ipv4"
						      : !f && fam == 6 ? "meta nfproto ipv6" : "";
				const char *parts[] = {
					prefix, nfproto, src.v[i].expr, dst.v[j].expr, sports,
					has_ports ? ports.v[k].expr : fw_proto_expr(proto, f ? f : fam),
					/* each rule's matches counted (the metrics) */
					"counter", verdict(r),
				};
				sbuf_add(out, "\t\t");
				fw_join(out, parts, ARRAY_SIZE(parts));
				fw_comment(out, "rule", r);
				sbuf_add(out, "\n");
			}
		}
	}
	fw_variants_free(&src);
	fw_variants_free(&dst);
	fw_variants_free(&ports);
	free(sports);
}

/* Renders the rules of one chain, merging runs of point rules into maps
 * (numbered from *maps on). */
static void emit_chain_rules(struct sbuf *out, const json_t *doc, const json_t *const *rules,
			     size_t n, const char *prefix, const char *chain, int *maps,
			     struct fw_sets *sets)
{
	struct point_rule *pr = xcalloc(n + 1, sizeof(*pr));
	bool *is_point = xcalloc(n + 1, sizeof(*is_point));
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		is_point[k] = point_rule(rules[k], prefix, &pr[k]);
	while (i < n) {
		size_t j = i + 1;

		if (is_point[i])
			while (j < n && is_point[j] && !strcmp(pr[j].shape, pr[i].shape))
				j++;
		if (j - i >= 2)
			emit_vmap(out, sets, chain, ++*maps, pr + i, rules + i, j - i);
		else
			emit_rule(out, doc, rules[i], prefix);
		i = j;
	}
	for (size_t k = 0; k < n; k++)
		point_rule_free(&pr[k]);
	free(pr);
	free(is_point);
}

static bool zone_in(const char *zone, const char *want)
{
	return zone && (!strcmp(zone, want) || !strcmp(zone, "any"));
}

/* The zone chains a traffic rule can go into, with the zones they join. */
const struct fw_chain_def fw_chain_defs[FC__COUNT] = {
	[FC_INPUT_LAN] = { "input_lan", "lan", NULL },
	[FC_INPUT_WAN] = { "input_wan", "wan", NULL },
	[FC_OUTPUT] = { "output_rules", NULL, NULL },
	[FC_FWD_LAN_WAN] = { "forward_lan_wan", "lan", "wan" },
	[FC_FWD_WAN_LAN] = { "forward_wan_lan", "wan", "lan" },
	[FC_FWD_LAN_LAN] = { "forward_lan_lan", "lan", "lan" },
	[FC_FWD_WAN_WAN] = { "forward_wan_wan", "wan", "wan" },
};

/* Does rule r belong in the chain def (see fw_chain_defs)? */
static bool rule_in_chain(const struct rule_ref *r, const struct fw_chain_def *def)
{
	const char *sz = r->src_zone, *dz = r->dest_zone;

	if (!sz || !dz)
		return false;
	if (!def->src) /* output: from the router */
		return !strcmp(sz, "router");
	if (!zone_in(sz, def->src) || !strcmp(sz, "router"))
		return false;
	if (!def->dest) /* input: to the router */
		return !strcmp(dz, "router");
	return zone_in(dz, def->dest) && strcmp(dz, "router");
}

void fw_rules_render(const json_t *doc, const struct fw_zones *z, struct sbuf chains[FC__COUNT],
		     struct fw_sets *sets)
{
	json_t *list = json_object_get(json_object_get(doc, "firewall"), "rules"), *r;
	struct rule_ref *sorted = xcalloc(json_array_size(list) + 1, sizeof(*sorted));
	const json_t **in_chain = xcalloc(json_array_size(list) + 1, sizeof(*in_chain));
	size_t n = 0, i;

	json_array_foreach(list, i, r) {
		const json_t *en = json_object_get(r, "enabled");

		if (en && !json_is_true(en))
			continue;
		sorted[n++] = (struct rule_ref){
			.r = r, .index = member_int(r, "index"), .id = member_int(r, "id"),
			.src_zone = member_str(r, "src_zone"), .dest_zone = member_str(r, "dest_zone"),
		};
	}
	qsort(sorted, n, sizeof(*sorted), rule_order);

	for (int c = 0; c < FC__COUNT; c++) {
		const struct fw_chain_def *def = &fw_chain_defs[c];
		size_t m = 0;
		int maps = 0;

		for (i = 0; i < n; i++)
			if (rule_in_chain(&sorted[i], def))
				in_chain[m++] = sorted[i].r;
		if (!m)
			continue;
		if (c == FC_OUTPUT) {
			/* from the router: the destination zone is the outgoing device */
			for (i = 0; i < m; i++) {
				const char *dz = member_str(in_chain[i], "dest_zone");
				char *prefix = !strcmp(dz, "any") ? xstrdup("")
					       : xasprintf("oifname %s", !strcmp(dz, "lan") ? z->lan : z->wan);
				emit_chain_rules(&chains[c], doc, in_chain + i, 1, prefix, def->name,
						 &maps, sets);
				free(prefix);
			}
		} else {
			emit_chain_rules(&chains[c], doc, in_chain, m, "", def->name, &maps, sets);
		}
	}
	free(sorted);
	free(in_chain);
}
