/*
 * Matchers: the address and port fields of rules, forwards and NAT rules
 * turned into nft expressions. One field can need several expressions
 * (literal IPv4 and IPv6 addresses, each alias's sets, ports with and
 * without a protocol), so a field yields a list of variants and a rule is
 * rendered once per compatible combination.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/firewall/ruleset/firewall.h"
#include "features/firewall/ruleset/fw_match.h"

void fw_variants_add(struct fw_variants *v, int family, char *expr)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4;
		v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n].family = family;
	v->v[v->n].expr = expr;
	v->n++;
}

void fw_variants_free(struct fw_variants *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i].expr);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static void literal_set(struct fw_variants *out, int family, const char *dir, struct sbuf *items,
			size_t count)
{
	char *list = sbuf_steal(items);

	if (count == 1)
		fw_variants_add(out, family, xasprintf("%s %s %s", family == 4 ? "ip" : "ip6", dir,
							list));
	else if (count > 1)
		fw_variants_add(out, family, xasprintf("%s %s { %s }", family == 4 ? "ip" : "ip6",
							dir, list));
	free(list);
}

void fw_addr_variants(const json_t *doc, const json_t *list, const char *dir, int want,
		      struct fw_variants *out)
{
	struct sbuf v4, v6;
	size_t n4 = 0, n6 = 0, i;
	json_t *item;

	sbuf_init(&v4);
	sbuf_init(&v6);
	json_array_foreach(list, i, item) {
		const char *s = json_string_value(item);
		struct net_prefix c;
		char why[128], text[64];

		if (!s)
			continue;
		if (fw_is_alias_name(s)) {
			const json_t *alias = fw_ip_alias(doc, s);
			unsigned fams = alias ? fw_alias_families(alias) : 0;

			for (int family = 4; family <= 6; family += 2) {
				char set[64];
				if (!(fams & (family == 4 ? 1u : 2u)) || (want && want != family))
					continue;
				fw_alias_set_name(set, sizeof(set), family, s);
				fw_variants_add(out, family, xasprintf("%s %s @%s",
									family == 4 ? "ip" : "ip6",
									dir, set));
			}
			continue;
		}
		if (!fw_cidr_parse(s, true, &c, why, sizeof(why)) || (want && want != c.family))
			continue;
		net_prefix_text(&c, false, text, sizeof(text));
		if (c.family == 4) {
			sbuf_printf(&v4, "%s%s", n4++ ? ", " : "", text);
		} else {
			sbuf_printf(&v6, "%s%s", n6++ ? ", " : "", text);
		}
	}
	literal_set(out, 4, dir, &v4, n4);
	literal_set(out, 6, dir, &v6, n6);
	sbuf_free(&v4);
	sbuf_free(&v6);
	if (json_array_size(list) == 0)
		fw_variants_add(out, 0, xstrdup(""));
}

const char *fw_proto_expr(const char *proto, int family)
{
	if (!proto || !strcmp(proto, "all"))
		return "";
	if (!strcmp(proto, "tcp"))
		return "meta l4proto tcp";
	if (!strcmp(proto, "udp"))
		return "meta l4proto udp";
	if (!strcmp(proto, "tcpudp"))
		return "meta l4proto { tcp, udp }";
	/* icmp: ICMP for IPv4, ICMPv6 for IPv6 */
	return family == 4 ? "meta l4proto icmp" : family == 6 ? "meta l4proto ipv6-icmp"
							       : "meta l4proto { icmp, ipv6-icmp }";
}

static void add_proto_port(struct sbuf *b, size_t *n, const char *proto, const char *port)
{
	sbuf_printf(b, "%s%s . %s", (*n)++ ? ", " : "", proto, port);
}

void fw_port_variants(const json_t *ports, const char *proto, struct fw_variants *out)
{
	bool tcp = proto && (!strcmp(proto, "tcp") || !strcmp(proto, "tcpudp"));
	bool udp = proto && (!strcmp(proto, "udp") || !strcmp(proto, "tcpudp"));
	bool any_suffix = false;
	struct sbuf plain, pairs;
	size_t nplain = 0, npairs = 0, i;
	json_t *item;

	json_array_foreach(ports, i, item) {
		const char *s = json_string_value(item);
		if (s && strchr(s, '/'))
			any_suffix = true;
	}
	sbuf_init(&plain);
	sbuf_init(&pairs);
	json_array_foreach(ports, i, item) {
		const char *s = json_string_value(item), *slash;
		char num[16];

		if (!s)
			continue;
		if (fw_is_alias_name(s)) {
			char set[64];
			fw_alias_set_name(set, sizeof(set), 0, s);
			fw_variants_add(out, 0, xasprintf("%s th dport @%s", fw_proto_expr(proto, 0),
							  set));
			continue;
		}
		slash = strchr(s, '/');
		snprintf(num, sizeof(num), "%.*s", (int)(slash ? slash - s : (long)strlen(s)), s);
		if (!any_suffix) {
			sbuf_printf(&plain, "%s%s", nplain++ ? ", " : "", num);
			continue;
		}
		/* "6067/udp" names its protocol; a plain port goes with the rule's */
		if (slash)
			add_proto_port(&pairs, &npairs, slash + 1, num);
		else {
			if (tcp)
				add_proto_port(&pairs, &npairs, "tcp", num);
			if (udp)
				add_proto_port(&pairs, &npairs, "udp", num);
		}
	}
	if (nplain == 1)
		fw_variants_add(out, 0, xasprintf("%s th dport %s", fw_proto_expr(proto, 0),
						  plain.s));
	else if (nplain > 1)
		fw_variants_add(out, 0, xasprintf("%s th dport { %s }", fw_proto_expr(proto, 0),
						  plain.s));
	if (npairs)
		fw_variants_add(out, 0, xasprintf("meta l4proto . th dport { %s }", pairs.s));
	sbuf_free(&plain);
	sbuf_free(&pairs);
	if (json_array_size(ports) == 0)
		fw_variants_add(out, 0, xstrdup(""));
}

char *fw_src_ports_expr(const json_t *ports)
{
	struct sbuf b;
	size_t i;
	json_t *item;

	if (json_array_size(ports) == 0)
		return xstrdup("");
	sbuf_init(&b);
	sbuf_add(&b, json_array_size(ports) > 1 ? "th sport { " : "th sport ");
	json_array_foreach(ports, i, item)
		sbuf_printf(&b, "%s%s", i ? ", " : "", json_string_value(item));
	if (json_array_size(ports) > 1)
		sbuf_add(&b, " }");
	return sbuf_steal(&b);
}

/* Joins non-empty parts with single spaces. */
void fw_join(struct sbuf *b, const char *const *parts, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		if (!first)
			sbuf_add(b, " ");
		sbuf_add(b, parts[i]);
		first = false;
	}
}

void fw_comment(struct sbuf *b, const char *kind, const json_t *el)
{
	const char *d = json_string_value(json_object_get(el, "description"));
	char text[100];
	size_t n = 0;

	/* nft comments are quoted strings of at most 128 bytes */
	for (const char *p = d ? d : ""; *p && n < 60; p++)
		if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			text[n++] = *p;
	text[n] = '\0';
	sbuf_printf(b, " comment \"%s %lld%s%s\"", kind,
		    (long long)json_integer_value(json_object_get(el, "id")), n ? ": " : "", text);
}
