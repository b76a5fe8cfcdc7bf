/*
 * WAN: the uplink interface, IPv4 by DHCP (busybox udhcpc, supervised),
 * static, or PPPoE (wan_pppoe.c: pppd, supervised), the default route, and
 * the upstream DNS servers it provides (written to a resolv file that
 * dnsmasq watches); its IPv6 in wan6.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wan/wan.h"
#include "features/network/wan/wan_pppoe.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "store/doc.h"

static const char *const wan_protos[] = { "dhcp", "static", "pppoe", NULL };
static const char *const wan_proto_labels[] = { "DHCP client", "Static address", "PPPoE" };

static const char *const wan_static[] = { "static", NULL };

static const struct sc_field wan_ipv4_fields[] = {
	{ .name = "proto", .kind = SC_ENUM, .choices = wan_protos, .labels = wan_proto_labels,
	  .def = "\"dhcp\"",
	  .title = "Protocol", .help = "dhcp: address from the upstream router; static: fixed address; "
	  "pppoe: a PPPoE session with the ISP's account." },
	{ .name = "address", .kind = SC_IPV4, .title = "IPv4 address", .help = "Static address.",
	  .when = { "proto", wan_static } },
	{ .name = "prefix", .kind = SC_INT, .min = 1, .max = 32, .title = "Prefix length",
	  .help = "Static network size (24 = 255.255.255.0).",
	  .when = { "proto", wan_static } },
	{ .name = "gateway", .kind = SC_IPV4, .title = "Gateway", .help = "Upstream router.",
	  .when = { "proto", wan_static } },
	{ .name = "dns", .kind = SC_LIST, .item = SC_IPV4, .max = 8, .def = "[]",
	  .title = "DNS servers", .help = "Static upstream DNS servers.",
	  .when = { "proto", wan_static } },
	WAN_PPPOE_FIELDS,
	{ .name = NULL }
};

static void wan_check(const json_t *wan, const char *path, const json_t *doc,
		      struct sc_error_list *errs);

static const struct sc_field wan_fields[] = {
	{ .name = "interface", .kind = SC_IFNAME, .def = "\"wan0\"", .title = "Interface",
	  .help = "Port connected to the internet." },
	{ .name = "ipv4", .kind = SC_OBJECT, .fields = wan_ipv4_fields, .title = "IPv4" },
	{ .name = "ipv6", .kind = SC_OBJECT, .fields = wan6_fields, .title = "IPv6" },
	{ .name = NULL }
};

static const struct sc_field wan_section = {
	.name = "wan", .kind = SC_OBJECT, .fields = wan_fields, .check = wan_check,
	.title = "WAN", .help = "The uplink to the internet.",
};

static const struct sc_field *const wan_sections[] = { &wan_section, NULL };

static void wan_check(const json_t *wan, const char *path, const json_t *doc,
		      struct sc_error_list *errs)
{
	const char *proto = doc_str(wan, "ipv4.proto");
	const char *addr_text = doc_str(wan, "ipv4.address");
	const char *gw_text = doc_str(wan, "ipv4.gateway");
	long long prefix = doc_int(wan, "ipv4.prefix", -1);
	unsigned addr, gw, lan, mask;
	int lan_prefix;
	char p[128], cidr[20];
	json_t *ifn;
	size_t i;

	wan6_check(wan, path, errs);
	json_array_foreach(doc_get(doc, "lan.interfaces"), i, ifn) {
		const char *dev = doc_str(wan, "interface");
		if (dev && json_is_string(ifn) && !strcmp(json_string_value(ifn), dev)) {
			snprintf(p, sizeof(p), "%s.interface", path);
			sc_error_add(errs, p, json_string_value(ifn), "is also a LAN interface");
		}
	}
	if (proto && !strcmp(proto, "pppoe"))
		wan_pppoe_check(wan, path, errs);
	if (!proto || strcmp(proto, "static"))
		return;
	if (!addr_text || prefix < 0 || !gw_text) {
		static const char *const need[] = { "address", "prefix", "gateway" };
		for (i = 0; i < 3; i++) {
			if (!doc_get(wan, i == 0 ? "ipv4.address" : i == 1 ? "ipv4.prefix" :
				     "ipv4.gateway")) {
				snprintf(p, sizeof(p), "%s.ipv4.%s", path, need[i]);
				sc_error_add(errs, p, NULL, "is required when %s.ipv4.proto is static",
					     path);
			}
		}
		return;
	}
	net_parse_ipv4(addr_text, &addr);
	net_parse_ipv4(gw_text, &gw);
	mask = net_mask((int)prefix);
	net_cidr_text(addr, (int)prefix, cidr);
	if (prefix < 32 && (gw & mask) != (addr & mask)) {
		snprintf(p, sizeof(p), "%s.ipv4.gateway", path);
		sc_error_add(errs, p, gw_text, "is outside the WAN network %s", cidr);
	}
	if (gw == addr) {
		snprintf(p, sizeof(p), "%s.ipv4.gateway", path);
		sc_error_add(errs, p, gw_text, "is the WAN address itself");
	}
	if (net_lan_subnet(doc, &lan, &lan_prefix)) {
		int shorter = lan_prefix < prefix ? lan_prefix : (int)prefix;
		if ((lan & net_mask(shorter)) == (addr & net_mask(shorter))) {
			char lcidr[20];
			net_cidr_text(lan, lan_prefix, lcidr);
			snprintf(p, sizeof(p), "%s.ipv4.address", path);
			sc_error_add(errs, p, addr_text, "puts the WAN network %s over the LAN network %s",
				     cidr, lcidr);
		}
	}
}

static int wan_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;
	struct sbuf b;
	const char *proto = doc_str(doc, "wan.ipv4.proto");
	size_t i;
	json_t *d;

	sbuf_init(&b);
	sbuf_add(&b, "# WAN state rendered by difos\n");
	sbuf_printf(&b, "interface %s\n", doc_str(doc, "wan.interface"));
	sbuf_printf(&b, "proto %s\n", proto);
	if (!strcmp(proto, "static")) {
		sbuf_printf(&b, "address %s/%lld\n", doc_str(doc, "wan.ipv4.address"),
			    doc_int(doc, "wan.ipv4.prefix", 24));
		sbuf_printf(&b, "gateway %s\n", doc_str(doc, "wan.ipv4.gateway"));
		json_array_foreach(doc_get(doc, "wan.ipv4.dns"), i, d)
			sbuf_printf(&b, "dns %s\n", json_string_value(d));
	} else if (!strcmp(proto, "pppoe")) {
		wan_pppoe_render(ctx, out, &b);
	} else {
		/* the DHCP client announces the router's name upstream */
		sbuf_printf(&b, "dhcp-hostname %s\n", doc_str(doc, "system.hostname"));
	}
	wan6_render(ctx, &b, out);
	render_add(out, "wan.state", 0644, sbuf_steal(&b));
	return 0;
}

static int wan_apply_static(struct feature_ctx *ctx, const char *dev)
{
	char *addr = xasprintf("%s/%lld", doc_str(ctx->doc, "wan.ipv4.address"),
			       doc_int(ctx->doc, "wan.ipv4.prefix", 24));
	int rc = -1;

	struct sys *sys = ctx->env->sys;

	if (sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = dev }) ||
	    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_ADD, .dev = dev, .addr = addr }) ||
	    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 4,
						     .via = doc_str(ctx->doc, "wan.ipv4.gateway"),
						     .dev = dev }))
		goto out;
	if (wan_write_resolv(ctx->env, doc_get(ctx->doc, "wan.ipv4.dns")) < 0) {
		ctx->err = xstrdup("cannot write the WAN resolv file");
		goto out;
	}
	rc = 0;
out:
	free(addr);
	return rc;
}

static int wan_apply_dhcp(struct feature_ctx *ctx, const char *dev)
{
	char *hook = xasprintf("%s/difos-dhcp-event", ctx->env->paths.libexec);
	char *host = xasprintf("hostname:%s", doc_str(ctx->doc, "system.hostname"));
	char *sock = xasprintf("DIFOS_SOCKET=%s", ctx->env->paths.socket);
	char *const argv[] = { "busybox", "udhcpc", "-f", "-S", "-i", (char *)dev, "-s", hook,
			       "-x", host, "-t", "3", "-T", "2", "-A", "5", NULL };
	char *const env[] = { sock, NULL };
	int rc;

	/* a change of the static file set would leave the old address behind */
	if (ctx->old_doc && !strcmp(doc_str(ctx->old_doc, "wan.ipv4.proto"), "static"))
		sys_net(ctx->env->sys, NULL, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = dev });
	rc = sv_ensure("udhcpc", argv, env);
	if (rc < 0)
		ctx->err = xstrdup("cannot start busybox udhcpc");
	free(hook);
	free(host);
	free(sock);
	return rc;
}

static int wan_apply4(struct feature_ctx *ctx, const char *dev);

static int wan_apply(struct feature_ctx *ctx)
{
	const char *dev = doc_str(ctx->doc, "wan.interface");

	if (wan_apply4(ctx, dev) < 0)
		return -1;
	/* with PPPoE, IPv6 comes over the session's device (the manual: "an
	 * interface aliased to the initial WAN interface") */
	return wan6_apply(ctx, !strcmp(doc_str(ctx->doc, "wan.ipv4.proto"), "pppoe") ? WAN_PPP_DEV :
									     dev);
}

static int wan_apply4(struct feature_ctx *ctx, const char *dev)
{
	const char *old_dev = ctx->old_doc ? doc_str(ctx->old_doc, "wan.interface") : NULL;
	char *resolv = wan_resolv_path(ctx->env);

	if (access(resolv, F_OK) < 0)
		wan_write_resolv(ctx->env, NULL);
	free(resolv);
	if (old_dev && strcmp(old_dev, dev))
		sys_net(ctx->env->sys, NULL, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = old_dev });
	if (sys_net(ctx->env->sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_UP, .dev = dev }))
		return -1;
	if (!strcmp(doc_str(ctx->doc, "wan.ipv4.proto"), "pppoe")) {
		sv_stop("udhcpc");
		wan_dhcp_forget(ctx->env);
		return wan_pppoe_apply(ctx, dev);
	}
	wan_pppoe_stop(ctx->env);
	wan_pppoe_restore_mtu(ctx, dev);
	if (!strcmp(doc_str(ctx->doc, "wan.ipv4.proto"), "static")) {
		sv_stop("udhcpc");
		wan_dhcp_forget(ctx->env);
		/* the name the DHCP client announces is all that changed: nothing to do */
		if (!ctx->boot && ctx->old_doc &&
		    json_equal(doc_get(ctx->old_doc, "wan.ipv4"), doc_get(ctx->doc, "wan.ipv4")) &&
		    !strcmp(doc_str(ctx->old_doc, "wan.interface"), dev))
			return 0;
		return wan_apply_static(ctx, dev);
	}
	return wan_apply_dhcp(ctx, dev);
}

static void wan_devices(struct feature_ctx *ctx, json_t *out)
{
	const char *dev = doc_str(ctx->doc, "wan.interface");

	if (dev)
		json_object_set_new(out, dev, json_pack("{s:s, s:s}", "role", "wan", "title", "WAN"));
}

static int wan_health(struct feature_ctx *ctx)
{
	if (!strcmp(doc_str(ctx->doc, "wan.ipv4.proto"), "dhcp") &&
	    !sv_wait_alive("udhcpc", 200, &ctx->err))
		return -1;
	return wan6_health(ctx);
}

static json_t *wan_status(struct feature_ctx *ctx)
{
	const json_t *doc = ctx->doc;

	json_t *o = json_pack("{s:s?, s:s?}", "interface", doc_str(doc, "wan.interface"), "proto",
			      doc_str(doc, "wan.ipv4.proto"));
	json_t *lease = wan_dhcp_lease();

	if (lease)
		json_object_set_new(o, "dhcp", lease);
	if (!strcmp(doc_str(doc, "wan.ipv4.proto"), "pppoe"))
		json_object_set_new(o, "pppoe", wan_pppoe_status(ctx));
	/* what the static settings put in force, in the lease's words */
	if (!strcmp(doc_str(doc, "wan.ipv4.proto"), "static"))
		json_object_set_new(o, "static", json_pack("{s:s?, s:I, s:s?, s:O?}", "address",
			doc_str(doc, "wan.ipv4.address"), "prefix",
			(json_int_t)doc_int(doc, "wan.ipv4.prefix", 24), "gateway",
			doc_str(doc, "wan.ipv4.gateway"), "dns", doc_get(doc, "wan.ipv4.dns")));
	json_object_set_new(o, "ipv6", wan6_status(ctx));
	return o;
}

/*
 * The WAN's device taken down and up again (by hand, a driver's reset)
 * loses the routes through it, its default route among them; its address
 * stays. The lease (or the static gateway) is still good: the default
 * route is put back at once instead of at the DHCP client's next renewal,
 * which may be half an hour away. (A carrier lost and back keeps routes.)
 */
static void wan_follow_link(const struct feature_env *env, const struct feature_event *ev)
{
	const json_t *doc = env->engine ? env->engine->running : NULL;
	const char *dev = json_string_value(json_object_get(ev->data, "interface"));
	const char *proto = doc ? doc_str(doc, "wan.ipv4.proto") : NULL;
	const char *via = NULL;
	json_t *lease = NULL;
	char *err = NULL;

	if (ev->kind != EV_LINK || !doc || !dev || !proto || strcmp(dev, doc_str(doc, "wan.interface") ?: "") ||
	    json_is_true(json_object_get(ev->data, "removed")) ||
	    !json_is_true(json_object_get(ev->data, "up")))
		return;
	if (!strcmp(proto, "static")) {
		via = doc_str(doc, "wan.ipv4.gateway");
	} else if (!strcmp(proto, "dhcp") && (lease = wan_dhcp_lease()) &&
		   !strcmp(json_string_value(json_object_get(lease, "interface")) ?: "", dev)) {
		via = json_string_value(json_array_get(json_object_get(lease, "routers"), 0));
	}
	if (via && sys_net(env->sys, &err, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 4,
							  .via = via, .dev = dev }) < 0)
		log_warn("wan: %s is up again, its default route via %s: %s", dev, via,
			 err ? err : "refused");
	free(err);
	json_decref(lease);
}

static void wan_event(const struct feature_env *env, const struct feature_event *ev)
{
	wan_follow_link(env, ev);
	wan6_event(env, ev);
}

const struct feature feature_wan = {
	.name = "wan",
	.title = "WAN",
	.sections = wan_sections,
	.render = wan_render,
	.apply = wan_apply,
	.health = wan_health,
	.status = wan_status,
	.devices = wan_devices,
	.event = wan_event,
	.engines = (const struct feature_engine[]){ { "udhcpc", "client" }, { "dhclient6", "client6" },
						     { WAN_PPP_ENGINE, "pppoe_engine" }, { NULL } },
	.methods = wan_methods,
	.reads = (const char *const[]){ "wan", "system.hostname", NULL },
};
