/*
 * The ruleset of table inet difos, as nft text: the alias sets, the zone
 * chains with the traffic rules, the base chains that dispatch to them by
 * verdict map, NAT (port forwards, hijacked DNS, NAT rules, masquerade)
 * and what other features add (the mark chain of policy routes). Set elements are not in this text:
 * they are rendered one file per set so they can change on their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "features/firewall/ruleset/firewall.h"
#include "features/firewall/ruleset/fw_render.h"
#include "store/doc.h"

static void devs_add(char ***v, size_t *n, const char *dev)
{
	if (!dev || !*dev)
		return;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], dev))
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(dev);
}

static char *devs_text(char **v, size_t n)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "{ ");
	for (size_t i = 0; i < n; i++)
		sbuf_printf(&b, "%s\"%s\"", i ? ", " : "", v[i]);
	sbuf_add(&b, " }");
	return sbuf_steal(&b);
}

void fw_zones_init(struct fw_zones *z, const json_t *doc)
{
	json_t *el;
	size_t i;

	memset(z, 0, sizeof(*z));
	devs_add(&z->lan_devs, &z->nlan, doc_str(doc, "lan.device"));
	devs_add(&z->wan_devs, &z->nwan, doc_str(doc, "wan.interface"));
	/* the LTE modem's device is an uplink (it carries the LAN's traffic only
	 * when the failover routes through it; its own packets, router
	 * advertisements included, meet the WAN's rules) */
	if (doc_bool(doc, "wwan.enabled", false) && doc_str(doc, "wwan.device"))
		devs_add(&z->wan_devs, &z->nwan, doc_str(doc, "wwan.device"));
	/* a PPPoE session's traffic leaves by its PPP device (wan.c names it) */
	if (doc_str(doc, "wan.ipv4.proto") && !strcmp(doc_str(doc, "wan.ipv4.proto"), "pppoe"))
		devs_add(&z->wan_devs, &z->nwan, "ppp-wan");
	/* custom interfaces join the zone they are given */
	json_array_foreach(doc_get(doc, "interfaces.custom"), i, el) {
		const char *zone = doc_str(el, "zone"), *dev = doc_str(el, "device");
		if (!doc_bool(el, "enabled", true) || !zone || !dev)
			continue;
		if (!strcmp(zone, "lan"))
			devs_add(&z->lan_devs, &z->nlan, dev);
		else if (!strcmp(zone, "wan"))
			devs_add(&z->wan_devs, &z->nwan, dev);
	}
	z->lan = devs_text(z->lan_devs, z->nlan);
	z->wan = devs_text(z->wan_devs, z->nwan);
}

void fw_zones_free(struct fw_zones *z)
{
	for (size_t i = 0; i < z->nlan; i++)
		free(z->lan_devs[i]);
	for (size_t i = 0; i < z->nwan; i++)
		free(z->wan_devs[i]);
	free(z->lan_devs);
	free(z->wan_devs);
	free(z->lan);
	free(z->wan);
}

static void chain_open(struct sbuf *b, const char *name, const char *hook)
{
	sbuf_printf(b, "\n\tchain %s {\n", name);
	if (hook)
		sbuf_printf(b, "\t\t%s\n", hook);
}

static void chain_close(struct sbuf *b)
{
	sbuf_add(b, "\t}\n");
}

/* iifname vmap { "br-lan" : jump input_lan, "wan0" : jump input_wan } */
static void zone_dispatch_input(struct sbuf *b, const struct fw_zones *z)
{
	size_t n = 0;

	sbuf_add(b, "\t\tiifname vmap {");
	for (size_t i = 0; i < z->nlan; i++)
		sbuf_printf(b, "%s \"%s\" : jump input_lan", n++ ? "," : "", z->lan_devs[i]);
	for (size_t i = 0; i < z->nwan; i++)
		sbuf_printf(b, "%s \"%s\" : jump input_wan", n++ ? "," : "", z->wan_devs[i]);
	sbuf_add(b, " }\n");
}

static void zone_dispatch_forward(struct sbuf *b, const struct fw_zones *z)
{
	struct { char **devs; size_t n; const char *name; } zs[2] = {
		{ z->lan_devs, z->nlan, "lan" }, { z->wan_devs, z->nwan, "wan" },
	};
	size_t n = 0;

	sbuf_add(b, "\t\tiifname . oifname vmap {");
	for (int a = 0; a < 2; a++)
		for (size_t i = 0; i < zs[a].n; i++)
			for (int c = 0; c < 2; c++)
				for (size_t j = 0; j < zs[c].n; j++)
					sbuf_printf(b, "%s \"%s\" . \"%s\" : jump forward_%s_%s",
						    n++ ? "," : "", zs[a].devs[i], zs[c].devs[j],
						    zs[a].name, zs[c].name);
	sbuf_add(b, " }\n");
}

char *fw_render_ruleset(struct feature_ctx *ctx, struct fw_sets *sets)
{
	const json_t *doc = ctx->doc;
	struct sbuf b, chains[FC__COUNT], dstnat, srcnat;
	struct feature_nft parts;
	struct fw_zones z;

	fw_zones_init(&z, doc);
	for (int c = 0; c < FC__COUNT; c++)
		sbuf_init(&chains[c]);
	sbuf_init(&dstnat);
	sbuf_init(&srcnat);
	fw_alias_sets(doc, ctx->env, sets);
	fw_rules_render(doc, &z, chains, sets);
	/* what other features put in the table (policy routes: sets, marks) */
	feature_nft_collect(ctx, &parts);

	if (doc_bool(doc, "dns.hijack", false))
		sbuf_printf(&dstnat, "\t\tiifname %s meta l4proto { tcp, udp } th dport 53 redirect to :53"
			    " comment \"Hijack DNS\"\n", z.lan);
	fw_forwards_render(doc, &z, &dstnat, &srcnat);
	fw_nat_render(doc, &z, &srcnat);

	sbuf_init(&b);
	sbuf_add(&b, "table inet " FW_TABLE " {\n");
	for (size_t i = 0; i < sets->n; i++)
		sbuf_add(&b, sets->v[i].decl);
	sbuf_add(&b, parts.slot[NFT_SETS].s ? parts.slot[NFT_SETS].s : "");
	/* the zones' devices, for the rules of devices in no zone (a VPN
	 * client's forwarding): declared when such rules use them */
	if (parts.slot[NFT_FORWARD].len)
		sbuf_printf(&b, "\tset zone_lan {\n\t\ttype ifname\n\t\telements = %s\n\t}\n"
			    "\tset zone_wan {\n\t\ttype ifname\n\t\telements = %s\n\t}\n",
			    z.lan, z.wan);

	chain_open(&b, "reject_packet", NULL);
	sbuf_add(&b, "\t\tmeta l4proto tcp reject with tcp reset\n"
		     "\t\treject with icmpx admin-prohibited\n");
	chain_close(&b);

	/* zone chains: the user's rules, then the zone's default */
	chain_open(&b, "input_lan", NULL);
	sbuf_add(&b, chains[FC_INPUT_LAN].s ? chains[FC_INPUT_LAN].s : "");
	sbuf_add(&b, "\t\taccept comment \"the router's services are open to the LAN\"\n");
	chain_close(&b);
	chain_open(&b, "input_wan", NULL);
	sbuf_add(&b, chains[FC_INPUT_WAN].s ? chains[FC_INPUT_WAN].s : "");
	sbuf_add(&b, parts.slot[NFT_INPUT_WAN].s ? parts.slot[NFT_INPUT_WAN].s : "");
	sbuf_add(&b, "\t\tudp sport 67 udp dport 68 accept comment \"DHCP client\"\n");
	/* a DHCPv6 server answers from its link-local address (RFC 8415 §18) */
	sbuf_add(&b, "\t\tip6 saddr fe80::/10 udp sport 547 udp dport 546 accept comment \"DHCPv6 client\"\n");
	if (doc_bool(doc, "firewall.wan_ping", true))
		sbuf_add(&b, "\t\ticmp type echo-request limit rate 10/second accept\n"
			     "\t\ticmpv6 type echo-request limit rate 10/second accept\n");
	/* RFC 4890 §4.4: the errors are never dropped; neighbour discovery
	 * only from the link itself (hop limit 255, RFC 4861 §6.1) */
	sbuf_add(&b, "\t\ticmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n"
		     "\t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded, "
		     "parameter-problem } accept\n"
		     "\t\ticmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } "
		     "ip6 hoplimit 255 accept\n");
	chain_close(&b);
	for (int c = FC_FWD_LAN_WAN; c <= FC_FWD_WAN_WAN; c++) {
		chain_open(&b, fw_chain_defs[c].name, NULL);
		sbuf_add(&b, chains[c].s ? chains[c].s : "");
		if (c == FC_FWD_LAN_WAN && doc_bool(doc, "firewall.forward_lan_to_wan", true))
			sbuf_add(&b, "\t\taccept comment \"LAN to WAN\"\n");
		if (c == FC_FWD_LAN_LAN)
			sbuf_add(&b, "\t\taccept comment \"within the LAN\"\n");
		/* RFC 4890 §4.3.1: what must not be dropped in transit; no
		 * connection from the WAN opens otherwise (the zone's drop) */
		if (c == FC_FWD_WAN_LAN)
			sbuf_add(&b, "\t\ticmpv6 type { destination-unreachable, packet-too-big, "
				     "time-exceeded, parameter-problem, echo-request } accept "
				     "comment \"RFC 4890\"\n");
		chain_close(&b);
	}
	chain_open(&b, "output_rules", NULL);
	sbuf_add(&b, chains[FC_OUTPUT].s ? chains[FC_OUTPUT].s : "");
	chain_close(&b);

	/* base chains */
	chain_open(&b, "input", "type filter hook input priority filter; policy drop;");
	sbuf_add(&b, "\t\tiif \"lo\" accept\n"
		     "\t\tct state vmap { established : accept, related : accept, invalid : drop }\n");
	sbuf_add(&b, parts.slot[NFT_INPUT].s ? parts.slot[NFT_INPUT].s : "");
	zone_dispatch_input(&b, &z);
	/* what reaches the end is dropped by the policy: counted for the metrics */
	sbuf_add(&b, "\t\tcounter comment \"" FW_POLICY_DROP "\"\n");
	chain_close(&b);
	chain_open(&b, "forward", "type filter hook forward priority filter; policy drop;");
	/* a PPPoE session's MTU is below the LAN's: the MSS of the SYNs and
	 * SYN-ACKs leaving by it is clamped to the route's MTU, as hosts
	 * behind cannot learn it where ICMP is filtered upstream */
	if (doc_str(doc, "wan.ipv4.proto") && !strcmp(doc_str(doc, "wan.ipv4.proto"), "pppoe"))
		sbuf_add(&b, "\t\toifname \"ppp-wan\" tcp flags syn / syn,rst tcp option maxseg size "
			     "set rt mtu comment \"PPPoE MSS clamp\"\n");
	sbuf_add(&b, "\t\tct state vmap { established : accept, related : accept, invalid : drop }\n");
	sbuf_add(&b, parts.slot[NFT_FORWARD].s ? parts.slot[NFT_FORWARD].s : "");
	zone_dispatch_forward(&b, &z);
	sbuf_add(&b, "\t\tct status dnat accept comment \"port forwards\"\n");
	sbuf_add(&b, "\t\tcounter comment \"" FW_POLICY_DROP "\"\n");
	chain_close(&b);
	chain_open(&b, "output", "type filter hook output priority filter; policy accept;");
	sbuf_add(&b, "\t\tjump output_rules\n");
	chain_close(&b);
	chain_open(&b, "mark_prerouting", "type filter hook prerouting priority mangle; policy accept;");
	sbuf_add(&b, parts.slot[NFT_MARK_PREROUTING].s ? parts.slot[NFT_MARK_PREROUTING].s : "");
	chain_close(&b);
	if (parts.slot[NFT_PREROUTING_RAW].len) {
		chain_open(&b, "filter_prerouting",
			   "type filter hook prerouting priority raw; policy accept;");
		sbuf_add(&b, parts.slot[NFT_PREROUTING_RAW].s);
		chain_close(&b);
	}
	chain_open(&b, "dstnat", "type nat hook prerouting priority dstnat; policy accept;");
	sbuf_add(&b, dstnat.s ? dstnat.s : "");
	chain_close(&b);
	chain_open(&b, "srcnat", "type nat hook postrouting priority srcnat; policy accept;");
	sbuf_add(&b, srcnat.s ? srcnat.s : "");
	sbuf_add(&b, parts.slot[NFT_NAT_POSTROUTING].s ? parts.slot[NFT_NAT_POSTROUTING].s : "");
	/* IPv4 only: LAN hosts reach the WAN by IPv6 with their own addresses */
	sbuf_printf(&b, "\t\tmeta nfproto ipv4 oifname %s masquerade\n", z.wan);
	chain_close(&b);
	sbuf_add(&b, "}\n");

	for (int c = 0; c < FC__COUNT; c++)
		sbuf_free(&chains[c]);
	sbuf_free(&dstnat);
	sbuf_free(&srcnat);
	feature_nft_free(&parts);
	fw_zones_free(&z);
	return sbuf_steal(&b);
}
