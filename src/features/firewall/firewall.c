/*
 * The default firewall that makes the box a router: zones "lan" and
 * "wan" by device, LAN->WAN forwarded with masquerade, WAN->LAN and
 * WAN->router dropped except established/related. The whole ruleset is
 * one nft transaction in the table difos owns ("inet difos"), checked by
 * a dry run first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "apply/system.h"
#include "core/util.h"
#include "features/common/netutil.h"

static const struct sc_field firewall_fields[] = {
	{ .name = "wan_ping", .kind = SC_BOOL, .def = "true", .title = "Answer ping on WAN",
	  .help = "Reply to ICMP echo requests that arrive on the WAN." },
	{ .name = "forward_lan_to_wan", .kind = SC_BOOL, .def = "true",
	  .title = "LAN to WAN", .help = "Let LAN clients reach the internet (with masquerade)." },
	{ .name = NULL }
};

static const struct sc_field firewall_section = {
	.name = "firewall", .kind = SC_OBJECT, .fields = firewall_fields, .title = "Firewall",
	.help = "Zones and the default policy.",
};

static const struct sc_field *const firewall_sections[] = { &firewall_section, NULL };

char *firewall_ruleset(const json_t *doc)
{
	struct sbuf b;
	const char *lan = doc_str(doc, "lan.device"), *wan = doc_str(doc, "wan.interface");

	sbuf_init(&b);
	sbuf_add(&b, "# nftables ruleset rendered by difos: one transaction\n");
	/* create-then-delete makes the load replace the table whether or not it exists */
	sbuf_add(&b, "table inet difos\ndelete table inet difos\n\n");
	sbuf_add(&b, "table inet difos {\n");
	sbuf_printf(&b, "\tset lan_devices {\n\t\ttype ifname\n\t\telements = { \"%s\" }\n\t}\n\n", lan);
	sbuf_printf(&b, "\tset wan_devices {\n\t\ttype ifname\n\t\telements = { \"%s\" }\n\t}\n\n", wan);

	sbuf_add(&b, "\tchain input {\n"
		     "\t\ttype filter hook input priority filter; policy drop;\n"
		     "\t\tiif \"lo\" accept\n"
		     "\t\tct state vmap { established : accept, related : accept, invalid : drop }\n"
		     "\t\tiifname @lan_devices jump input_lan\n"
		     "\t\tiifname @wan_devices jump input_wan\n"
		     "\t}\n\n");
	sbuf_add(&b, "\tchain input_lan {\n"
		     "\t\t# the router's services (DNS, DHCP, management) are open to the LAN\n"
		     "\t\taccept\n"
		     "\t}\n\n");
	sbuf_add(&b, "\tchain input_wan {\n"
		     "\t\tudp sport 67 udp dport 68 accept comment \"DHCP client\"\n");
	if (doc_bool(doc, "firewall.wan_ping", true))
		sbuf_add(&b, "\t\ticmp type echo-request limit rate 10/second accept\n");
	sbuf_add(&b, "\t\ticmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n"
		     "\t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded, "
		     "parameter-problem, nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept\n"
		     "\t}\n\n");
	sbuf_add(&b, "\tchain forward {\n"
		     "\t\ttype filter hook forward priority filter; policy drop;\n"
		     "\t\tct state vmap { established : accept, related : accept, invalid : drop }\n");
	if (doc_bool(doc, "firewall.forward_lan_to_wan", true))
		sbuf_add(&b, "\t\tiifname @lan_devices oifname @wan_devices accept\n");
	sbuf_add(&b, "\t}\n\n");
	sbuf_add(&b, "\tchain output {\n"
		     "\t\ttype filter hook output priority filter; policy accept;\n"
		     "\t}\n\n");
	sbuf_add(&b, "\tchain srcnat {\n"
		     "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
		     "\t\toifname @wan_devices masquerade\n"
		     "\t}\n");
	sbuf_add(&b, "}\n");
	return sbuf_steal(&b);
}

static int firewall_render(const json_t *doc, const json_t *facts, struct render_out *out,
			   char **err)
{
	(void)facts;
	(void)err;
	render_add(out, "ruleset.nft", 0644, firewall_ruleset(doc));
	return 0;
}

static char *firewall_load(const char *dir)
{
	char *path = xasprintf("%s/ruleset.nft", dir);
	char *text = file_read(path, NULL);

	free(path);
	return text;
}

static int firewall_check(const char *dir, struct sys *sys, char **err)
{
	char *script = firewall_load(dir), *out = NULL;
	int rc;

	if (!script) {
		*err = xstrdup("ruleset.nft is missing");
		return -1;
	}
	rc = sys->nft(sys, script, true, &out);
	if (rc)
		*err = xasprintf("nft: %s", out && *out ? out : "ruleset rejected");
	free(out);
	free(script);
	return rc ? -1 : 0;
}

static int firewall_apply(struct apply_ctx *ctx)
{
	char *script = firewall_load(ctx->dir), *out = NULL;
	int rc;

	if (!script) {
		ctx->err = xstrdup("ruleset.nft is missing");
		return -1;
	}
	if (ctx->sys->write_proc(ctx->sys, "/proc/sys/net/ipv4/ip_forward", "1") < 0) {
		ctx->err = xstrdup("cannot enable IPv4 forwarding");
		free(script);
		return -1;
	}
	rc = ctx->sys->nft(ctx->sys, script, false, &out);
	if (rc)
		ctx->err = xasprintf("nft: %s", out && *out ? out : "ruleset rejected");
	free(out);
	free(script);
	return rc ? -1 : 0;
}

const struct feature feature_firewall = {
	.name = "firewall",
	.title = "Firewall",
	.sections = firewall_sections,
	.render = firewall_render,
	.check = firewall_check,
	.apply = firewall_apply,
};
