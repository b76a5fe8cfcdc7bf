/*
 * The LAN's IPv6: the ULA prefix (generated once, at first start), and the
 * manual's "RA and DHCPv6" modes. In the server modes the router
 * advertises the LAN's /64s itself (difos-ra6: each global /64 on the LAN
 * device, with the lifetimes the kernel holds for it, so a deprecated
 * prefix is advertised deprecated) and dnsmasq serves DHCPv6; in the relay
 * modes difos-relay6 relays the upstream's RAs, DHCPv6 and NDP.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/lan/lan6.h"
#include "store/doc.h"

/*
 * The default is "SLAAC & DHCPv6": what a router on a plain ISP line
 * (DHCPv6 with prefix delegation, the WAN's default) or behind an
 * upstream router that delegates a prefix needs, and what every host
 * understands: Android and others take a SLAAC address, hosts that only
 * speak DHCPv6 get one from DHCPv6, and all learn the DNS server from the
 * RA (RDNSS) or DHCPv6. Behind a router that delegates nothing the
 * manual's note applies: choose IPv6 Relay or Hybrid.
 */
static const char *const lan6_modes[] = { "slaac", "slaac_dhcpv6", "relay", "hybrid", "pppoe",
					  NULL };
static const char *const lan6_mode_labels[] = { "SLAAC only", "SLAAC & DHCPv6", "IPv6 Relay",
						"IPv6 Hybrid (Relay + Server)", "PPPoE mode" };
static const char *const lan6_served[] = { "slaac", "slaac_dhcpv6", "pppoe", NULL };
static const char *const lan6_stateful[] = { "slaac_dhcpv6", NULL };

const struct sc_field lan6_fields[] = {
	{ .name = "ula", .kind = SC_CIDR6, .title = "ULA prefix",
	  .help = "Unique local prefix of the LAN (RFC 4193), generated at first start; the LAN "
		  "gets its subnet 0 (<prefix>::1/64). Change it only if you know why.",
	  .generate = lan6_ula_generate },
	{ .name = "mode", .kind = SC_ENUM, .choices = lan6_modes, .labels = lan6_mode_labels,
	  .def = "\"slaac_dhcpv6\"", .title = "RA and DHCPv6",
	  .help = "How LAN hosts get IPv6: from this router (SLAAC, DHCPv6) or relayed from the "
		  "upstream router (Relay, Hybrid: when the upstream delegates no prefix)." },
	{ .name = "prefix_subnet", .kind = SC_INT, .min = 0, .max = 65535, .def = "0",
	  .title = "Delegated prefix subnet",
	  .help = "Which /64 of the prefix delegated by the uplink the LAN uses (0: the first).",
	  .when = { "mode", lan6_served } },
	{ .name = "lease_time", .kind = SC_DURATION, .def = "\"12h\"", .min = 120,
	  .title = "DHCPv6 lease time", .help = "How long a DHCPv6 address is leased.",
	  .when = { "mode", lan6_stateful } },
	{ .name = NULL }
};

char *lan6_ula_generate(void)
{
	unsigned char g[5];
	char text[64];

	/* RFC 4193 §3.2.2 asks for 40 pseudo-random bits; the CSPRNG gives them */
	randombytes_buf(g, sizeof(g));
	lan6_ula_text(g, text, sizeof(text));
	return xasprintf("\"%s\"", text);
}

void lan6_check(const json_t *lan, const char *path, struct sc_error_list *errs)
{
	const char *ula = doc_str(lan, "ipv6.ula");
	const char *why;

	if (ula && (why = lan6_ula_problem(ula))) {
		char *p = xasprintf("%s.ipv6.ula", path);
		sc_error_add(errs, p, ula, "%s", why);
		free(p);
	}
}

static bool lan6_mode_is(const json_t *doc, const char *mode)
{
	const char *m = doc_str(doc, "lan.ipv6.mode");

	return m && !strcmp(m, mode);
}

static bool lan6_relayed(const json_t *doc)
{
	return lan6_mode_is(doc, "relay") || lan6_mode_is(doc, "hybrid");
}

/*
 * The router's ULA address on the LAN ("fd..::1/64"), or false without
 * one. The relay modes have none: the LAN is then an extension of the
 * upstream's link, and difos-relay6 would take a global address of the
 * LAN for the link-address of the DHCPv6 requests it relays, which the
 * upstream's server knows no pool for.
 */
static bool lan6_ula_addr(const json_t *doc, char *out, size_t outlen)
{
	const char *ula = doc_str(doc, "lan.ipv6.ula");
	struct net_prefix p, p64;

	if (!ula || lan6_relayed(doc) || lan6_ula_problem(ula) || net_prefix_parse(ula, 6, true, &p) != NET_OK ||
	    !lan6_subnet64(&p, 0, &p64))
		return false;
	lan6_router_addr(&p64, out, outlen);
	return true;
}

void lan6_render(const json_t *doc, struct sbuf *b)
{
	char ula[64];

	if (lan6_ula_addr(doc, ula, sizeof(ula)))
		sbuf_printf(b, "address6 %s\n", ula);
	sbuf_printf(b, "ipv6-mode %s\n", doc_str(doc, "lan.ipv6.mode"));
	if (!lan6_relayed(doc))
		sbuf_printf(b, "delegated-subnet %lld\n", doc_int(doc, "lan.ipv6.prefix_subnet", 0));
}

/*
 * dnsmasq serves DHCPv6 on every /64 of the LAN device (constructor:
 * the ULA's and the delegated one, whatever it is now) and answers the
 * router's name with the LAN's IPv6 addresses; the advertisements are
 * difos-ra6's. In the relay modes it serves no DHCPv6: difos-relay6 owns
 * port 547 there.
 */
void lan6_dnsmasq(struct feature_ctx *ctx, struct sbuf *out)
{
	const json_t *doc = ctx->doc;
	const char *dev = doc_str(doc, "lan.device");
	const char *host = doc_str(doc, "system.hostname");
	const char *domain = doc_str(doc, "dns.domain");

	/* both families: dnsmasq answers a name it has an interface-name for
	 * from the interface alone (its host-record's A would be lost) */
	if (host && dev) {
		sbuf_printf(out, "interface-name=%s,%s\n", host, dev);
		if (domain)
			sbuf_printf(out, "interface-name=%s.%s,%s\n", host, domain, dev);
	}
	if (lan6_mode_is(doc, "slaac_dhcpv6"))
		sbuf_printf(out, "dhcp-range=set:lan6,::1000,::ffff,constructor:%s,64,%s\n", dev,
			    doc_str(doc, "lan.ipv6.lease_time"));
	else if (lan6_mode_is(doc, "pppoe"))
		/* stateless DHCPv6: DNS servers and the domain, no addresses */
		sbuf_printf(out, "dhcp-range=set:lan6,::,constructor:%s,ra-stateless\n", dev);
}

/* The relay modes: the upstream's server answers the relay (Relay-Reply,
 * port 547 to 547, from its link-local address, RFC 8415 §19.2). */
void lan6_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	if (lan6_relayed(ctx->doc))
		sbuf_add(&out->slot[NFT_INPUT_WAN], "\t\tip6 saddr fe80::/10 udp sport 547 udp dport 547 "
						    "accept comment \"DHCPv6 relay\"\n");
}

static void lan6_proc(struct sys *sys, const char *dev, const char *key, const char *value)
{
	char *path = xasprintf("/proc/sys/net/ipv6/conf/%s/%s", dev, key);

	if (sys->write_proc(sys, path, value) < 0)
		log_warn("lan: cannot set %s to %s", path, value);
	free(path);
}

static int lan6_start_ra(struct feature_ctx *ctx, const char *dev)
{
	const json_t *doc = ctx->doc;
	char *prog = xasprintf("%s/difos-ra6", ctx->env->paths.libexec);
	char ula[64];
	const char *argv[12];
	int n = 0, rc;

	argv[n++] = prog;
	argv[n++] = "--interface";
	argv[n++] = dev;
	if (lan6_mode_is(doc, "slaac_dhcpv6"))
		argv[n++] = "--managed";
	if (!lan6_mode_is(doc, "slaac"))
		argv[n++] = "--other";
	if (lan6_ula_addr(doc, ula, sizeof(ula))) {
		ula[strcspn(ula, "/")] = '\0';
		argv[n++] = "--rdnss";
		argv[n++] = ula;
	}
	argv[n] = NULL;
	rc = sv_ensure("ra6", (char *const *)argv, NULL);
	if (rc < 0)
		ctx->err = xstrdup("cannot start difos-ra6");
	free(prog);
	return rc;
}

static int lan6_start_relay(struct feature_ctx *ctx, const char *dev)
{
	const char *wan = doc_str(ctx->doc, "wan.interface");
	char *prog = xasprintf("%s/difos-relay6", ctx->env->paths.libexec);
	bool hybrid = lan6_mode_is(ctx->doc, "hybrid");
	char *const argv[] = { prog, "--upstream", (char *)wan, "--downstream", (char *)dev,
			       "--ra", "--ndp", hybrid ? "--hybrid" : "--dhcpv6", NULL };
	int rc;

	/* the relay needs forwarding, and the router keeps its own SLAAC
	 * address and default route on the WAN with forwarding on */
	lan6_proc(ctx->env->sys, wan, "accept_ra", "2");
	rc = sv_ensure("relay6", argv, NULL);
	if (rc < 0)
		ctx->err = xstrdup("cannot start difos-relay6");
	free(prog);
	return rc;
}

int lan6_apply(struct feature_ctx *ctx)
{
	struct sys *sys = ctx->env->sys;
	const char *dev = doc_str(ctx->doc, "lan.device");
	char ula[64], old_ula[64];
	bool has_ula = lan6_ula_addr(ctx->doc, ula, sizeof(ula));

	/* a router: it forwards, and takes no advertisement from its own LAN */
	sys->write_proc(sys, "/proc/sys/net/ipv6/conf/all/forwarding", "1");
	lan6_proc(sys, dev, "accept_ra", "0");
	if (ctx->old_doc && lan6_ula_addr(ctx->old_doc, old_ula, sizeof(old_ula)) &&
	    (!has_ula || strcmp(old_ula, ula) ||
	     strcmp(doc_str(ctx->old_doc, "lan.device"), dev)))
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_DEL,
						    .dev = doc_str(ctx->old_doc, "lan.device"),
						    .addr = old_ula });
	if (has_ula && sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_REPLACE,
								.dev = dev, .addr = ula }))
		return -1;
	if (ctx->boot)
		lan6_pd_boot(ctx->env, ctx->doc);
	else
		lan6_pd_refresh(ctx->env, ctx->doc);
	if (lan6_relayed(ctx->doc)) {
		sv_stop("ra6");
		return lan6_start_relay(ctx, dev);
	}
	sv_stop("relay6");
	return lan6_start_ra(ctx, dev);
}

json_t *lan6_status(struct feature_ctx *ctx)
{
	char ula[64];
	json_t *o = json_pack("{s:s?}", "mode", doc_str(ctx->doc, "lan.ipv6.mode"));

	if (lan6_ula_addr(ctx->doc, ula, sizeof(ula)))
		json_object_set_new(o, "ula_address", json_string(ula));
	json_object_set_new(o, "delegated", lan6_pd_status());
	return o;
}
