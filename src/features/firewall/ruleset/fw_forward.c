/*
 * Port forwards and NAT rules. Forwards open to anyone are gathered into
 * two anonymous maps (one keyed port -> host:port, one port range -> host
 * keeping the ports), so the number of forwards does not lengthen the
 * path of a packet. Forwards limited to some sources are rules of their
 * own, before the maps. NAT reflection repeats the forwards for LAN
 * clients that use a WAN address of the router, and masquerades them so
 * the LAN host answers through the router.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/firewall/ruleset/firewall.h"
#include "features/firewall/ruleset/fw_match.h"
#include "features/firewall/ruleset/fw_render.h"
#include "net/ipv4.h"
#include "store/doc.h"

struct fwd_maps {
	struct sbuf to_port; /* proto . wan ports : lan_ip . lan_port */
	struct sbuf keep;    /* proto . wan range : lan_ip (ports kept) */
	size_t nto, nkeep;
};

static void protos_of(const json_t *f, const char *protos[2], size_t *n)
{
	const char *p = doc_str(f, "proto");

	*n = 0;
	if (!p || strcmp(p, "udp"))
		protos[(*n)++] = "tcp";
	if (!p || strcmp(p, "tcp"))
		protos[(*n)++] = "udp";
}

/* The DNAT target: "192.168.1.143:2525", or "192.168.1.143" when ports are kept. */
static char *target(const json_t *f, bool *keep)
{
	const char *wan = doc_str(f, "wan_port"), *lan = doc_str(f, "lan_port");
	const char *ip = doc_str(f, "lan_ip");

	if (!lan)
		lan = wan;
	*keep = strchr(lan, '-') != NULL;
	return *keep ? xstrdup(ip) : xasprintf("%s:%s", ip, lan);
}

static void map_add(struct fwd_maps *m, const json_t *f)
{
	const char *protos[2], *wan = doc_str(f, "wan_port"), *lan = doc_str(f, "lan_port");
	bool keep;
	char *t = target(f, &keep);
	size_t np;

	protos_of(f, protos, &np);
	for (size_t i = 0; i < np; i++) {
		if (keep)
			sbuf_printf(&m->keep, "%s %s . %s : %s", m->nkeep++ ? "," : "", protos[i], wan,
				    doc_str(f, "lan_ip"));
		else
			sbuf_printf(&m->to_port, "%s %s . %s : %s . %s", m->nto++ ? "," : "", protos[i],
				    wan, doc_str(f, "lan_ip"), lan ? lan : wan);
	}
	free(t);
}

static void limited_forward(struct sbuf *out, const json_t *doc, const json_t *f, const char *prefix)
{
	struct fw_variants src = { 0 };
	const char *protos[2];
	size_t np;
	bool keep;
	char *t = target(f, &keep);

	protos_of(f, protos, &np);
	fw_addr_variants(doc, json_object_get(f, "src"), "saddr", 4, &src);
	for (size_t i = 0; i < src.n; i++) {
		for (size_t k = 0; k < np; k++) {
			sbuf_printf(out, "\t\t%s %s %s dport %s dnat ip to %s", prefix, src.v[i].expr,
				    protos[k], doc_str(f, "wan_port"), t);
			fw_comment(out, "forward", f);
			sbuf_add(out, "\n");
		}
	}
	fw_variants_free(&src);
	free(t);
}

static void emit_maps(struct sbuf *out, struct fwd_maps *m, const char *prefix)
{
	if (m->nto)
		sbuf_printf(out, "\t\t%s dnat ip to meta l4proto . th dport map {%s }\n", prefix,
			    m->to_port.s);
	if (m->nkeep)
		sbuf_printf(out, "\t\t%s dnat ip to meta l4proto . th dport map {%s }\n", prefix,
			    m->keep.s);
}

void fw_forwards_render(const json_t *doc, const struct fw_zones *z, struct sbuf *dstnat,
			struct sbuf *srcnat)
{
	struct fwd_maps wan = { 0 }, refl = { 0 };
	char *wan_prefix = xasprintf("meta nfproto ipv4 iifname %s", z->wan);
	char *refl_prefix;
	const char *lan_addr = doc_str(doc, "lan.ipv4.address");
	bool reflected = false;
	unsigned net;
	int prefix;
	json_t *f;
	size_t i;

	/* the router's own LAN address stays the router's: only its other
	 * (WAN) addresses are reflected */
	refl_prefix = xasprintf("meta nfproto ipv4 iifname %s ip daddr != %s fib daddr type local",
				z->lan, lan_addr ? lan_addr : "127.0.0.1");
	sbuf_init(&wan.to_port);
	sbuf_init(&wan.keep);
	sbuf_init(&refl.to_port);
	sbuf_init(&refl.keep);
	json_array_foreach(doc_get(doc, "firewall.port_forwards"), i, f) {
		bool limited = json_array_size(json_object_get(f, "src")) > 0;

		if (!doc_bool(f, "enabled", true))
			continue;
		if (limited) {
			limited_forward(dstnat, doc, f, wan_prefix);
			if (doc_bool(f, "reflection", true)) {
				limited_forward(dstnat, doc, f, refl_prefix);
				reflected = true;
			}
			continue;
		}
		map_add(&wan, f);
		if (doc_bool(f, "reflection", true))
			map_add(&refl, f);
	}
	emit_maps(dstnat, &wan, wan_prefix);
	emit_maps(dstnat, &refl, refl_prefix);
	/* postrouting knows no input device: a reflected connection is one
	 * from the LAN's own subnet, DNATed back into the LAN */
	if ((reflected || refl.nto || refl.nkeep) && net_lan_subnet(doc, &net, &prefix)) {
		char cidr[20];
		net_cidr_text(net & net_mask(prefix), prefix, cidr);
		sbuf_printf(srcnat, "\t\tmeta nfproto ipv4 oifname %s ip saddr %s ct status dnat masquerade"
			    " comment \"NAT reflection\"\n", z->lan, cidr);
	}
	sbuf_free(&wan.to_port);
	sbuf_free(&wan.keep);
	sbuf_free(&refl.to_port);
	sbuf_free(&refl.keep);
	free(wan_prefix);
	free(refl_prefix);
}

void fw_nat_render(const json_t *doc, const struct fw_zones *z, struct sbuf *srcnat)
{
	json_t *r;
	size_t i;

	json_array_foreach(doc_get(doc, "firewall.nat"), i, r) {
		int fam = !strcmp(doc_str(r, "family") ? doc_str(r, "family") : "ipv4", "ipv6") ? 6 : 4;
		const char *zone = doc_str(r, "out_zone"), *type = doc_str(r, "type");
		struct fw_variants src = { 0 }, dst = { 0 };
		char *oif, *action;

		if (!doc_bool(r, "enabled", true))
			continue;
		oif = !zone || !strcmp(zone, "any") ? xstrdup("")
		      : xasprintf("oifname %s", !strcmp(zone, "lan") ? z->lan : z->wan);
		action = type && !strcmp(type, "snat")
				 ? xasprintf("snat %s to %s", fam == 4 ? "ip" : "ip6", doc_str(r, "snat_address"))
				 : xstrdup("masquerade");
		fw_addr_variants(doc, json_object_get(r, "src"), "saddr", fam, &src);
		fw_addr_variants(doc, json_object_get(r, "dest"), "daddr", fam, &dst);
		for (size_t a = 0; a < src.n; a++) {
			for (size_t b = 0; b < dst.n; b++) {
				const char *parts[] = {
					fam == 4 ? "meta nfproto ipv4" : "meta nfproto ipv6", oif,
					src.v[a].expr, dst.v[b].expr, action,
				};
				sbuf_add(srcnat, "\t\t");
				fw_join(srcnat, parts, ARRAY_SIZE(parts));
				fw_comment(srcnat, "nat", r);
				sbuf_add(srcnat, "\n");
			}
		}
		fw_variants_free(&src);
		fw_variants_free(&dst);
		free(oif);
		free(action);
	}
}
