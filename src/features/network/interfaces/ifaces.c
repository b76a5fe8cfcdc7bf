/*
 * Custom interfaces: ports that are neither the LAN bridge nor the main
 * WAN (a second uplink, a SIP trunk's link, a DMZ), each with a zone, an
 * optional static IPv4 address and gateway. The firewall reads their zone;
 * policy routes may leave through those in zone "wan".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "apply/system.h"
#include "core/util.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "net/nl_watch.h"
#include "store/doc.h"

static const char *const ifaces_zones[] = { "lan", "wan", NULL };
static const char *const ifaces_zone_labels[] = { "LAN", "WAN" };

static void ifaces_entry_check(const json_t *el, const char *path, const json_t *doc,
			       struct sc_error_list *errs);

static const struct sc_field ifaces_custom_fields[] = {
	{ .name = "name", .kind = SC_HOSTNAME, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .title = "Name",
	  .help = "Short name of the interface, e.g. trunk or uplink2." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = "device", .kind = SC_IFNAME, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .title = "Device",
	  .help = "Linux network device, e.g. eth2 or eth0.20." },
	{ .name = "zone", .kind = SC_ENUM, .flags = SC_F_REQUIRED, .choices = ifaces_zones,
	  .labels = ifaces_zone_labels,
	  .title = "Zone", .help = "Firewall zone: lan (trusted) or wan (internet side)." },
	{ .name = "ipv4_address", .kind = SC_CIDR4, .title = "IPv4 address",
	  .help = "Address of the router on this interface with its prefix, e.g. 203.0.113.2/24." },
	{ .name = "ipv4_gateway", .kind = SC_IPV4, .title = "IPv4 gateway",
	  .help = "Upstream router on this interface (used by policy routes)." },
	{ .name = "description", .kind = SC_STRING, .min = 0, .max = 64, .title = "Description" },
	{ .name = NULL }
};

static const struct sc_field ifaces_fields[] = {
	{ .name = "custom", .kind = SC_COLLECTION, .fields = ifaces_custom_fields, .max = 64,
	  .def = "[]", .check = ifaces_entry_check, .title = "Custom interfaces",
	  .help = "Extra ports with their own address and zone." },
	{ .name = NULL }
};

static const struct sc_field ifaces_section = {
	.name = "interfaces", .kind = SC_OBJECT, .fields = ifaces_fields,
	.title = "Interfaces",
	.help = "Interfaces besides the LAN bridge and the WAN port.",
};

static const struct sc_field *const ifaces_sections[] = { &ifaces_section, NULL };

static bool ifaces_list_has(const json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return true;
	return false;
}

/* True when dev is the LAN bridge, a LAN member or the WAN port; *owner
 * then names the owner ("the LAN", "the WAN") for messages. */
static bool ifaces_device_taken(const json_t *doc, const char *dev, const char **owner)
{
	const char *lan = doc_str(doc, "lan.device"), *wan = doc_str(doc, "wan.interface");

	if ((lan && !strcmp(lan, dev)) || ifaces_list_has(doc_get(doc, "lan.interfaces"), dev)) {
		*owner = "the LAN";
		return true;
	}
	if (wan && !strcmp(wan, dev)) {
		*owner = "the WAN";
		return true;
	}
	return false;
}

static void ifaces_entry_check(const json_t *el, const char *path, const json_t *doc,
			       struct sc_error_list *errs)
{
	const char *dev = doc_str(el, "device"), *owner = NULL;
	const char *cidr_text = doc_str(el, "ipv4_address"), *gw_text = doc_str(el, "ipv4_gateway");
	unsigned addr = 0, gw, lan, mask;
	int prefix = 0, lan_prefix;
	char p[160], net[20], lan_net[20];

	if (dev && ifaces_device_taken(doc, dev, &owner)) {
		snprintf(p, sizeof(p), "%s.device", path);
		sc_error_add(errs, p, dev, "is already a device of %s", owner);
	}
	if (gw_text && !cidr_text) {
		snprintf(p, sizeof(p), "%s.ipv4_gateway", path);
		sc_error_add(errs, p, gw_text, "needs ipv4_address: the gateway must be on its network");
	}
	if (!cidr_text || !net_parse_cidr4(cidr_text, &addr, &prefix))
		return;
	mask = net_mask(prefix);
	net_cidr_text(addr, prefix, net);
	snprintf(p, sizeof(p), "%s.ipv4_address", path);
	if (prefix == 0) {
		sc_error_add(errs, p, cidr_text, "has no network: give a prefix length of 1-32");
		return;
	}
	if (prefix < 31 && (addr == (addr & mask) || addr == (addr | ~mask))) {
		sc_error_add(errs, p, cidr_text, "is the %s address of %s, not a host address",
			     addr == (addr & mask) ? "network" : "broadcast", net);
		return;
	}
	if (net_lan_subnet(doc, &lan, &lan_prefix)) {
		int shorter = lan_prefix < prefix ? lan_prefix : prefix;
		if ((lan & net_mask(shorter)) == (addr & net_mask(shorter))) {
			net_cidr_text(lan, lan_prefix, lan_net);
			sc_error_add(errs, p, cidr_text, "overlaps the LAN network %s", lan_net);
		}
	}
	if (!gw_text || !net_parse_ipv4(gw_text, &gw))
		return;
	snprintf(p, sizeof(p), "%s.ipv4_gateway", path);
	if (prefix < 32 && (gw & mask) != (addr & mask))
		sc_error_add(errs, p, gw_text, "is outside the interface's network %s", net);
	else if (gw == addr)
		sc_error_add(errs, p, gw_text, "is the interface's own address");
}

/* One line per interface: what the applier makes true. */
static int ifaces_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;
	struct sbuf b;
	size_t i;
	json_t *el;

	sbuf_init(&b);
	sbuf_add(&b, "# custom interfaces rendered by difos\n");
	json_array_foreach(doc_get(doc, "interfaces.custom"), i, el) {
		sbuf_printf(&b, "interface %s device %s zone %s", doc_str(el, "name"),
			    doc_str(el, "device"), doc_str(el, "zone"));
		if (!doc_bool(el, "enabled", true)) {
			sbuf_add(&b, " disabled\n");
			continue;
		}
		if (doc_str(el, "ipv4_address"))
			sbuf_printf(&b, " address %s", doc_str(el, "ipv4_address"));
		if (doc_str(el, "ipv4_gateway"))
			sbuf_printf(&b, " gateway %s", doc_str(el, "ipv4_gateway"));
		sbuf_add(&b, "\n");
	}
	render_add(out, "ifaces.state", 0644, sbuf_steal(&b));
	return 0;
}

/* The enabled entry of doc that uses dev, or NULL. */
static const json_t *ifaces_enabled_entry(const json_t *doc, const char *dev)
{
	size_t i;
	json_t *el;

	json_array_foreach(doc_get(doc, "interfaces.custom"), i, el)
		if (!strcmp(doc_str(el, "device"), dev) && doc_bool(el, "enabled", true))
			return el;
	return NULL;
}

static bool ifaces_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* An interface that was ours and is not any more: its address goes; the link
 * goes down unless the LAN or the WAN took the device over (they ran first). */
static void ifaces_release(struct feature_ctx *ctx, const json_t *old)
{
	const char *dev = doc_str(old, "device"), *addr = doc_str(old, "ipv4_address"), *owner;

	if (addr && doc_bool(old, "enabled", true))
		sys_net(ctx->env->sys, NULL, &(struct nl_op){ .kind = NL_ADDR_DEL, .dev = dev,
							      .addr = addr });
	if (!ifaces_device_taken(ctx->doc, dev, &owner))
		sys_net(ctx->env->sys, NULL, &(struct nl_op){ .kind = NL_LINK_DOWN, .dev = dev });
}

static int ifaces_bring_up(struct feature_ctx *ctx, const json_t *el)
{
	const char *dev = doc_str(el, "device"), *addr = doc_str(el, "ipv4_address");
	const json_t *old = ctx->old_doc && !ctx->boot ? ifaces_enabled_entry(ctx->old_doc, dev)
						       : NULL;
	const char *old_addr = old ? doc_str(old, "ipv4_address") : NULL;

	struct sys *sys = ctx->env->sys;

	if (sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_UP, .dev = dev }))
		return -1;
	if (!old) {
		/* nothing known about the device: start from no IPv4 address at all */
		if (sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4,
							     .dev = dev }))
			return -1;
	} else if (old_addr && !ifaces_same(old_addr, addr)) {
		/* the new address first, so the device never goes without one; in
		 * the same network it is a secondary address, which the kernel
		 * would delete with the old primary unless it promotes it */
		char *promote = xasprintf("/proc/sys/net/ipv4/conf/%s/promote_secondaries", dev);
		ctx->env->sys->write_proc(ctx->env->sys, promote, "1");
		free(promote);
		if (addr && sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_REPLACE,
								     .dev = dev, .addr = addr }))
			return -1;
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_DEL, .dev = dev, .addr = old_addr });
		return 0;
	}
	if (addr && sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_REPLACE, .dev = dev,
							     .addr = addr }))
		return -1;
	return 0;
}

static int ifaces_apply(struct feature_ctx *ctx)
{
	size_t i;
	json_t *el;

	if (ctx->old_doc) {
		json_array_foreach(doc_get(ctx->old_doc, "interfaces.custom"), i, el) {
			if (doc_bool(el, "enabled", true) &&
			    !ifaces_enabled_entry(ctx->doc, doc_str(el, "device")))
				ifaces_release(ctx, el);
		}
	}
	json_array_foreach(doc_get(ctx->doc, "interfaces.custom"), i, el) {
		if (doc_bool(el, "enabled", true)) {
			if (ifaces_bring_up(ctx, el) < 0)
				return -1;
		} else if (ctx->boot) {
			/* disabled before difosd started: make sure it carries nothing
			 * (no LAN or WAN device is one: the schema refuses that) */
			sys_net(ctx->env->sys, NULL, &(struct nl_op){ .kind = NL_LINK_DOWN,
								      .dev = doc_str(el, "device") });
		}
	}
	return 0;
}

static void ifaces_devices(struct feature_ctx *ctx, json_t *out)
{
	size_t i;
	json_t *el;

	json_array_foreach(doc_get(ctx->doc, "interfaces.custom"), i, el)
		if (doc_bool(el, "enabled", true) && doc_str(el, "device"))
			json_object_set_new(out, doc_str(el, "device"), json_pack("{s:s, s:s?}",
				"role", "custom", "title", doc_str(el, "name")));
}

static json_t *ifaces_status(struct feature_ctx *ctx)
{
	const json_t *doc = ctx->doc;
	json_t *a = json_array(), *el;
	size_t i;

	json_array_foreach(doc_get(doc, "interfaces.custom"), i, el) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "name", doc_str(el, "name"), "device",
				      doc_str(el, "device"), "zone", doc_str(el, "zone"), "enabled",
				      doc_bool(el, "enabled", true));
		if (doc_str(el, "ipv4_address"))
			json_object_set_new(o, "ipv4_address", json_string(doc_str(el, "ipv4_address")));
		json_object_set_new(o, "state", nl_link_operstate(doc_str(el, "device")));
		json_array_append_new(a, o);
	}
	return json_pack("{s:o}", "custom", a);
}

const struct feature feature_ifaces = {
	.name = "ifaces",
	.title = "Interfaces",
	.sections = ifaces_sections,
	.render = ifaces_render,
	.apply = ifaces_apply,
	.status = ifaces_status,
	.devices = ifaces_devices,
	/* besides its own section: the devices the LAN and the WAN own, which
	 * a released interface's link is left to */
	.reads = (const char *const[]){ "interfaces", "lan.device", "lan.interfaces",
					 "wan.interface", NULL },
};
