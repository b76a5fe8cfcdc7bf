/*
 * The WAN's IPv6: DHCPv6 with prefix delegation (ISC dhclient -6,
 * supervised; its events come back through difos-dhcp6-event, see
 * dhcp6_event.c), a static address with its gateway and DNS servers, or
 * none. With DHCPv6 the default route comes from the upstream's Router
 * Advertisements: the router forwards, so the WAN must take RAs anyway
 * (accept_ra=2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wan/wan.h"
#include "features/network/wan/wan_pppoe.h"
#include "net/addr.h"
#include "store/doc.h"

/* whether this apply (re)started the client: only then is there a start to watch */
static bool wan6_started;

static const char *const wan6_protos[] = { "dhcpv6", "static", "none", NULL };
static const char *const wan6_proto_labels[] = { "DHCPv6 client", "Static address", "None" };
static const char *const wan6_dhcp[] = { "dhcpv6", NULL };
static const char *const wan6_static[] = { "static", NULL };

const struct sc_field wan6_fields[] = {
	{ .name = "proto", .kind = SC_ENUM, .choices = wan6_protos, .labels = wan6_proto_labels,
	  .def = "\"dhcpv6\"", .title = "Protocol",
	  .help = "dhcpv6: address and delegated prefix from the upstream; static: fixed address; "
		  "none: no IPv6 on the WAN." },
	/* RFC 6177: a /56 is what a site is usually given; it is a hint only */
	{ .name = "pd_length", .kind = SC_INT, .min = 0, .max = 64, .def = "56",
	  .title = "Requested prefix length",
	  .help = "Length of the prefix asked to be delegated for the LAN, 48 to 64 (a hint the "
		  "server may overrule); 0: ask for none.",
	  .when = { "proto", wan6_dhcp } },
	{ .name = "address", .kind = SC_CIDR6, .title = "IPv6 address",
	  .help = "Static address with its prefix length, e.g. 2001:db8:1::2/64.",
	  .when = { "proto", wan6_static } },
	{ .name = "gateway", .kind = SC_IPV6, .title = "IPv6 gateway",
	  .help = "Upstream router (a link-local address works too).",
	  .when = { "proto", wan6_static } },
	{ .name = "dns", .kind = SC_LIST, .item = SC_IPV6, .max = 8, .def = "[]",
	  .title = "IPv6 DNS servers", .help = "Static upstream DNS servers.",
	  .when = { "proto", wan6_static } },
	{ .name = NULL }
};

void wan6_check(const json_t *wan, const char *path, struct sc_error_list *errs)
{
	const char *proto = doc_str(wan, "ipv6.proto");
	long long pd = doc_int(wan, "ipv6.pd_length", 0);
	char p[128];

	if (pd > 0 && pd < 48) {
		snprintf(p, sizeof(p), "%s.ipv6.pd_length", path);
		sc_error_addj(errs, p, doc_get(wan, "ipv6.pd_length"),
			      "must be 48 to 64, or 0 for no prefix delegation");
	}
	if (!proto || strcmp(proto, "static"))
		return;
	if (!doc_get(wan, "ipv6.address")) {
		snprintf(p, sizeof(p), "%s.ipv6.address", path);
		sc_error_add(errs, p, NULL, "is required when %s.ipv6.proto is static", path);
	} else {
		struct net_prefix a;
		const char *text = doc_str(wan, "ipv6.address");
		if (net_prefix_parse(text, 6, true, &a) == NET_OK && (!a.has_len || a.len == 128 ||
								      !net_prefix_host_bits(&a))) {
			snprintf(p, sizeof(p), "%s.ipv6.address", path);
			sc_error_add(errs, p, text, "is not a host address with its prefix length "
				     "(e.g. 2001:db8:1::2/64)");
		}
	}
	if (!doc_get(wan, "ipv6.gateway")) {
		snprintf(p, sizeof(p), "%s.ipv6.gateway", path);
		sc_error_add(errs, p, NULL, "is required when %s.ipv6.proto is static", path);
	}
}

static const char *wan6_proto(const json_t *doc)
{
	const char *p = doc_str(doc, "wan.ipv6.proto");

	return p ? p : "dhcpv6";
}

void wan6_render(struct feature_ctx *ctx, struct sbuf *b, struct render_out *out)
{
	const json_t *doc = ctx->doc;
	const char *proto = wan6_proto(doc);
	size_t i;
	json_t *d;

	sbuf_printf(b, "proto6 %s\n", proto);
	if (!strcmp(proto, "static")) {
		sbuf_printf(b, "address6 %s\n", doc_str(doc, "wan.ipv6.address"));
		sbuf_printf(b, "gateway6 %s\n", doc_str(doc, "wan.ipv6.gateway"));
		json_array_foreach(doc_get(doc, "wan.ipv6.dns"), i, d)
			sbuf_printf(b, "dns6 %s\n", json_string_value(d));
	} else if (!strcmp(proto, "dhcpv6")) {
		struct sbuf c;
		sbuf_printf(b, "prefix-delegation %lld\n", doc_int(doc, "wan.ipv6.pd_length", 0));
		/* dhclient's own file, so the system's /etc/dhcp does not decide */
		sbuf_init(&c);
		sbuf_add(&c, "# dhclient -6 configuration rendered by difos\n"
			     "request dhcp6.name-servers, dhcp6.domain-search;\n");
		render_add(out, "dhclient6.conf", 0644, sbuf_steal(&c));
	}
}

static void wan6_proc(struct sys *sys, const char *dev, const char *key, const char *value)
{
	char *path = xasprintf("/proc/sys/net/ipv6/conf/%s/%s", dev, key);

	if (sys->write_proc(sys, path, value) < 0)
		log_warn("wan: cannot set %s to %s", path, value);
	free(path);
}

static int wan6_apply_dhcp(struct feature_ctx *ctx, const char *dev)
{
	const struct feature_env *env = ctx->env;
	long long pd = doc_int(ctx->doc, "wan.ipv6.pd_length", 0);
	char *hook = xasprintf("%s/difos-dhcp6-event", env->paths.libexec);
	char *conf = xasprintf("%s/wan/dhclient6.conf", env->paths.active);
	char *leases = xasprintf("%s/wan/dhclient6.leases", env->paths.state);
	char *pid = xasprintf("%s/wan/dhclient6.pid", env->paths.run);
	char *sock = xasprintf("DIFOS_SOCKET=%s", env->paths.socket);
	char *hint = xasprintf("%lld", pd);
	char *dir = xasprintf("%s/wan", env->paths.state);
	const char *argv[24];
	int n = 0, rc;

	mkdir_p(dir, 0755);
	/* -d: in the foreground, supervised; -N: an address (IA_NA); -P: a
	 * prefix (IA_PD) with the length hint; the lease file keeps the DUID,
	 * so a restarted client rebinds what it had */
	argv[n++] = "dhclient";
	argv[n++] = "-6";
	argv[n++] = "-d";
	argv[n++] = "-N";
	/* the link-local address is tentative for a while after the link came
	 * up (DAD): dhclient waits for it instead of failing to bind */
	argv[n++] = "--dad-wait-time";
	argv[n++] = "10";
	if (pd > 0) {
		argv[n++] = "-P";
		argv[n++] = "--prefix-len-hint";
		argv[n++] = hint;
	}
	argv[n++] = "-cf";
	argv[n++] = conf;
	argv[n++] = "-lf";
	argv[n++] = leases;
	argv[n++] = "-pf";
	argv[n++] = pid;
	argv[n++] = "-sf";
	argv[n++] = hook;
	argv[n++] = "-e";
	argv[n++] = sock;
	argv[n++] = dev;
	argv[n] = NULL;
	{
		json_t *before = sv_status("dhclient6"), *after;
		rc = sv_ensure("dhclient6", (char *const *)argv, NULL);
		after = sv_status("dhclient6");
		wan6_started = !json_equal(json_object_get(before, "pid"),
					   json_object_get(after, "pid"));
		json_decref(before);
		json_decref(after);
	}
	if (rc < 0)
		ctx->err = xstrdup("cannot start dhclient -6");
	free(hook);
	free(conf);
	free(leases);
	free(pid);
	free(sock);
	free(hint);
	free(dir);
	return rc;
}

/* What the static settings of old put on dev (address, default route). */
static void wan6_static_remove(struct feature_ctx *ctx, const json_t *old, const char *dev)
{
	struct sys *sys = ctx->env->sys;

	if (!old || strcmp(wan6_proto(old), "static"))
		return;
	sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ROUTE_DEL, .family = 6, .addr = "default",
					    .via = doc_str(old, "wan.ipv6.gateway"), .dev = dev });
	sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_DEL, .dev = dev,
					    .addr = doc_str(old, "wan.ipv6.address") });
	wan_write_resolv6(ctx->env, NULL);
}

int wan6_apply(struct feature_ctx *ctx, const char *dev)
{
	struct sys *sys = ctx->env->sys;
	const char *proto = wan6_proto(ctx->doc);
	const char *old_dev = ctx->old_doc ? doc_str(ctx->old_doc, "wan.interface") : NULL;
	bool was_dhcp = ctx->old_doc && !strcmp(wan6_proto(ctx->old_doc), "dhcpv6");

	if (ctx->old_doc && (strcmp(wan6_proto(ctx->old_doc), proto) || strcmp(old_dev, dev) ||
			     !json_equal(doc_get(ctx->old_doc, "wan.ipv6"),
					 doc_get(ctx->doc, "wan.ipv6"))))
		wan6_static_remove(ctx, ctx->old_doc, old_dev);
	if (strcmp(proto, "dhcpv6")) {
		sv_stop("dhclient6");
		if (was_dhcp)
			wan6_dhcp_forget(ctx->env, old_dev);
	}
	if (!strcmp(proto, "none")) {
		wan6_proc(sys, dev, "accept_ra", "0");
		return 0;
	}
	if (!strcmp(proto, "static")) {
		wan6_proc(sys, dev, "accept_ra", "0");
		if (sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_REPLACE, .dev = dev,
							     .addr = doc_str(ctx->doc, "wan.ipv6.address") }) ||
		    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 6,
							     .addr = "default",
							     .via = doc_str(ctx->doc, "wan.ipv6.gateway"),
							     .dev = dev }))
			return -1;
		if (wan_write_resolv6(ctx->env, doc_get(ctx->doc, "wan.ipv6.dns")) < 0) {
			ctx->err = xstrdup("cannot write the WAN resolv file");
			return -1;
		}
		return 0;
	}
	/* a PPPoE session's device exists only while the session is up: its
	 * client starts when the kernel says the device came (wan6_event) */
	if (sys->net(sys, &(struct nl_op){ .kind = NL_LINK_SHOW, .dev = dev }, NULL, NULL) != 0) {
		sv_stop("dhclient6");
		return 0;
	}
	/* forwarding is on (a router): only accept_ra=2 still takes the
	 * upstream's RAs, and with them the default route */
	wan6_proc(sys, dev, "accept_ra", "2");
	return wan6_apply_dhcp(ctx, dev);
}

int wan6_health(struct feature_ctx *ctx)
{
	bool started = wan6_started;

	wan6_started = false;
	if (strcmp(wan6_proto(ctx->doc), "dhcpv6"))
		return 0;
	/* a client that ran before this apply is the supervisor's to keep
	 * running (an apply that only renamed the router waits for nothing) */
	if (!started)
		return 0;
	return sv_wait_alive("dhclient6", 200, &ctx->err) ? 0 : -1;
}

json_t *wan6_status(struct feature_ctx *ctx)
{
	const char *proto = wan6_proto(ctx->doc);
	json_t *o = json_pack("{s:s}", "proto", proto);

	if (!strcmp(proto, "dhcpv6")) {
		json_t *st = wan6_dhcp_state();
		if (st)
			json_object_set_new(o, "dhcpv6", st);
	} else if (!strcmp(proto, "static")) {
		json_object_set_new(o, "static", json_pack("{s:s?, s:s?, s:O?}", "address",
			doc_str(ctx->doc, "wan.ipv6.address"), "gateway",
			doc_str(ctx->doc, "wan.ipv6.gateway"), "dns", doc_get(ctx->doc, "wan.ipv6.dns")));
	}
	return o;
}

void wan6_event(const struct feature_env *env, const struct feature_event *ev)
{
	const json_t *doc = env->engine ? env->engine->running : NULL;
	const char *dev = json_string_value(json_object_get(ev->data, "interface"));
	struct feature_ctx ctx = { .env = env, .doc = doc };

	if (ev->kind != EV_LINK || !doc || !dev || strcmp(dev, WAN_PPP_DEV) ||
	    strcmp(doc_str(doc, "wan.ipv4.proto") ?: "", "pppoe") ||
	    strcmp(wan6_proto(doc), "dhcpv6"))
		return;
	if (json_is_true(json_object_get(ev->data, "removed")) ||
	    !json_is_true(json_object_get(ev->data, "up"))) {
		sv_stop("dhclient6");
		return;
	}
	if (!sv_running("dhclient6") && wan6_apply(&ctx, dev) < 0)
		log_warn("wan: DHCPv6 on %s: %s", dev, ctx.err ? ctx.err : "cannot start");
	free(ctx.err);
}
