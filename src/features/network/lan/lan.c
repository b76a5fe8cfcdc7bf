/*
 * LAN: the bridge of the LAN member interfaces, its IPv4 address, the
 * DHCP pool settings (served by the dhcp feature's dnsmasq), and its IPv6
 * (lan6*.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "apply/system.h"
#include "features/network/lan/lan6.h"
#include "core/util.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "store/doc.h"

static const struct sc_field lan_ipv4_fields[] = {
	{ .name = "address", .kind = SC_IPV4, .flags = SC_F_REQUIRED, .def = "\"192.168.1.1\"",
	  .title = "IPv4 address", .help = "Address of the router on the LAN." },
	{ .name = "prefix", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 8, .max = 30,
	  .def = "24", .title = "Prefix length",
	  .help = "Network size: 24 means 255.255.255.0 (254 addresses)." },
	{ .name = NULL }
};

static const struct sc_field lan_dhcp_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "DHCP server",
	  .help = "Give addresses to LAN clients." },
	{ .name = "start", .kind = SC_IPV4, .flags = SC_F_REQUIRED, .def = "\"192.168.1.100\"",
	  .title = "Pool start", .help = "First address handed out." },
	{ .name = "size", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 1, .max = 65534,
	  .def = "150", .title = "Pool size", .help = "Number of addresses in the pool." },
	{ .name = "lease_time", .kind = SC_DURATION, .def = "\"12h\"", .min = 120,
	  .title = "Lease time", .help = "How long a lease lasts, e.g. 12h, 30m, 7d (at least 2m)." },
	{ .name = "authoritative", .kind = SC_BOOL, .def = "true", .title = "DHCP authority",
	  .help = "Be the only DHCP server of the network: answer clients whose lease came from elsewhere at once." },
	{ .name = NULL }
};

static void lan_check(const json_t *lan, const char *path, const json_t *doc,
		      struct sc_error_list *errs);

static const struct sc_field lan_fields[] = {
	{ .name = "ipv4", .kind = SC_OBJECT, .fields = lan_ipv4_fields, .title = "IPv4" },
	{ .name = "device", .kind = SC_IFNAME, .def = "\"br-lan\"", .title = "Bridge name",
	  .help = "Name of the LAN bridge device." },
	{ .name = "interfaces", .kind = SC_LIST, .item = SC_IFNAME, .min = 1, .max = 32,
	  .def = "[\"lan0\"]", .title = "Member interfaces",
	  .help = "Ports bridged into the LAN." },
	{ .name = "dhcp", .kind = SC_OBJECT, .fields = lan_dhcp_fields, .title = "DHCP server" },
	{ .name = "ipv6", .kind = SC_OBJECT, .fields = lan6_fields, .title = "IPv6" },
	{ .name = NULL }
};

static const struct sc_field lan_section = {
	.name = "lan", .kind = SC_OBJECT, .fields = lan_fields, .check = lan_check,
	.title = "LAN", .help = "The local network: bridge, address and DHCP pool.",
};

static const struct sc_field *const lan_sections[] = { &lan_section, NULL };

static void lan_check(const json_t *lan, const char *path, const json_t *doc,
		      struct sc_error_list *errs)
{
	unsigned addr, start, net, bcast;
	int prefix;
	long long size = doc_int(lan, "dhcp.size", 0);
	const char *start_text = doc_str(lan, "dhcp.start");
	char cidr[20], p[128];
	size_t i;
	json_t *ifn;

	lan6_check(lan, path, errs);
	if (!net_lan_subnet(doc, &addr, &prefix))
		return;
	net = addr & net_mask(prefix);
	bcast = net | ~net_mask(prefix);
	net_cidr_text(addr, prefix, cidr);
	if (addr == net || addr == bcast) {
		snprintf(p, sizeof(p), "%s.ipv4.address", path);
		sc_error_add(errs, p, doc_str(lan, "ipv4.address"),
			     "is the %s address of %s, not a host address",
			     addr == net ? "network" : "broadcast", cidr);
	}
	json_array_foreach(json_object_get(lan, "interfaces"), i, ifn) {
		if (!strcmp(json_string_value(ifn), doc_str(lan, "device") ? doc_str(lan, "device") : "")) {
			snprintf(p, sizeof(p), "%s.interfaces", path);
			sc_error_add(errs, p, json_string_value(ifn), "is the bridge itself");
		}
	}
	if (!start_text || !net_parse_ipv4(start_text, &start))
		return;
	snprintf(p, sizeof(p), "%s.dhcp.start", path);
	if ((start & net_mask(prefix)) != net) {
		sc_error_add(errs, p, start_text, "is outside %s", cidr);
		return;
	}
	if (start == net || start == bcast) {
		sc_error_add(errs, p, start_text, "is the %s address of %s",
			     start == net ? "network" : "broadcast", cidr);
		return;
	}
	if ((unsigned long long)start + (unsigned long long)size - 1 >= bcast) {
		char last[16];
		net_ntoa(bcast - 1, last);
		snprintf(p, sizeof(p), "%s.dhcp.size", path);
		sc_error_add(errs, p, NULL, "%lld addresses from %s run past %s, the last host of %s",
			     size, start_text, last, cidr);
		return;
	}
	if (addr >= start && addr < start + size) {
		snprintf(p, sizeof(p), "%s.dhcp.start", path);
		sc_error_add(errs, p, start_text, "starts a pool of %lld that contains the router's own address %s",
			     size, doc_str(lan, "ipv4.address"));
	}
}

/* The desired state, one fact a line: what the applier makes true. */
static int lan_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;
	struct sbuf b;
	size_t i;
	json_t *ifn;

	sbuf_init(&b);
	sbuf_add(&b, "# LAN state rendered by difos\n");
	sbuf_printf(&b, "bridge %s\n", doc_str(doc, "lan.device"));
	json_array_foreach(doc_get(doc, "lan.interfaces"), i, ifn)
		sbuf_printf(&b, "member %s\n", json_string_value(ifn));
	sbuf_printf(&b, "address %s/%lld\n", doc_str(doc, "lan.ipv4.address"),
		    doc_int(doc, "lan.ipv4.prefix", 24));
	lan6_render(doc, &b);
	render_add(out, "lan.state", 0644, sbuf_steal(&b));
	return 0;
}

static bool lan_link_exists(struct sys *sys, const char *dev)
{
	return sys->net(sys, &(struct nl_op){ .kind = NL_LINK_SHOW, .dev = dev }, NULL, NULL) == 0;
}

static bool lan_list_has(const json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), name))
			return true;
	return false;
}

static int lan_apply(struct feature_ctx *ctx)
{
	const char *dev = doc_str(ctx->doc, "lan.device");
	const char *old_dev = ctx->old_doc ? doc_str(ctx->old_doc, "lan.device") : NULL;
	json_t *members = doc_get(ctx->doc, "lan.interfaces");
	json_t *old_members = ctx->old_doc ? doc_get(ctx->old_doc, "lan.interfaces") : NULL;
	char *addr = xasprintf("%s/%lld", doc_str(ctx->doc, "lan.ipv4.address"),
			       doc_int(ctx->doc, "lan.ipv4.prefix", 24));
	struct sys *sys = ctx->env->sys;
	size_t i;
	json_t *m;
	int rc = -1;

	/* members that left the LAN are released first */
	json_array_foreach(old_members, i, m) {
		const char *name = json_string_value(m);
		if (!lan_list_has(members, name) || (old_dev && strcmp(old_dev, dev)))
			sys_net(sys, NULL, &(struct nl_op){ .kind = NL_LINK_MASTER, .dev = name });
	}
	if (old_dev && strcmp(old_dev, dev))
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_LINK_DEL, .dev = old_dev });
	if (!lan_link_exists(sys, dev) &&
	    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_ADD, .dev = dev,
						     .link_kind = "bridge" }))
		goto out;
	json_array_foreach(members, i, m) {
		const char *name = json_string_value(m);
		if (sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_MASTER, .dev = name,
							     .master = dev }) ||
		    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_UP, .dev = name }))
			goto out;
	}
	if (sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = dev }) ||
	    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_ADD, .dev = dev, .addr = addr }) ||
	    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_UP, .dev = dev }))
		goto out;
	rc = lan6_apply(ctx);
out:
	free(addr);
	return rc;
}

static void lan_devices(struct feature_ctx *ctx, json_t *out)
{
	const char *dev = doc_str(ctx->doc, "lan.device");

	if (dev)
		json_object_set_new(out, dev, json_pack("{s:s, s:s}", "role", "lan", "title", "LAN"));
}

static json_t *lan_status(struct feature_ctx *ctx)
{
	const json_t *doc = ctx->doc;

	json_t *o = json_pack("{s:s?, s:O?}", "device", doc_str(doc, "lan.device"), "interfaces",
			      doc_get(doc, "lan.interfaces"));

	json_object_set_new(o, "ipv6", lan6_status(ctx));
	return o;
}

const struct feature feature_lan = {
	.name = "lan",
	.title = "LAN",
	.sections = lan_sections,
	.render = lan_render,
	.apply = lan_apply,
	.status = lan_status,
	.devices = lan_devices,
	.dnsmasq = lan6_dnsmasq,
	.nft = lan6_nft,
	.event = lan6_event,
	/* the LAN's IPv6 advertisements, or the relay of the WAN's */
	.engines = (const struct feature_engine[]){ { "ra6", "ra" }, { "relay6", "relay" }, { NULL } },
	.reads = (const char *const[]){ "lan", "wan.interface", NULL },
};
