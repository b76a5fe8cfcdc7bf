/*
 * The PPPoE session's up and down. pppd runs difos-ppp-up (ip-up) when
 * IPCP has given the link its addresses and difos-ppp-down (ip-down) when
 * it ends; they forward pppd's arguments and variables here as
 * "wan.ppp_event". difosd then sets the default route through ppp-wan and
 * the DNS servers the peer gave, and tells the features that follow the
 * WAN with EV_WAN_LEASE: a session is a lease of one address (/32) whose
 * router is the peer, without a lease time (lease 0, proto "pppoe"), so
 * what follows a DHCP lease (the policy table of "wan", the dashboard's
 * check) follows a session unchanged. pppd has set the address itself
 * (IPCP configures the device); every value is checked before use all
 * the same.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wan/wan.h"
#include "features/network/wan/wan_pppoe.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "schema/schema.h"
#include "store/doc.h"

static json_t *wan_ppp;

json_t *wan_ppp_session(void)
{
	return wan_ppp ? json_deep_copy(wan_ppp) : NULL;
}

static void wan_ppp_lost_here(void *arg)
{
	json_t *lost = json_pack("{s:s}", "interface", WAN_PPP_DEV);

	feature_emit(arg, EV_WAN_LEASE_LOST, lost);
	json_decref(lost);
}

void wan_ppp_forget(const struct feature_env *env)
{
	if (!wan_ppp)
		return;
	json_decref(wan_ppp);
	wan_ppp = NULL;
	wan_write_resolv(env, NULL);
	/* from an apply (pppd stopped) as from the hook: on the loop */
	core_on_loop(wan_ppp_lost_here, (void *)env);
}

static bool wan_ppp_ipv4(const char *s)
{
	unsigned ip;

	return s && net_parse_ipv4(s, &ip);
}

static json_t *wan_ppp_up(struct rpc_call *c)
{
	const char *local = rpc_str(c, "local"), *remote = rpc_str(c, "remote");
	const char *dns[] = { rpc_str(c, "dns1"), rpc_str(c, "dns2") };
	json_t *servers = json_array();
	char *err = NULL;

	if (!wan_ppp_ipv4(local))
		return rpc_fail(c, RPC_BAD, "local", json_object_get(c->params, "local"),
				"is not the session's IPv4 address");
	if (!wan_ppp_ipv4(remote))
		return rpc_fail(c, RPC_BAD, "remote", json_object_get(c->params, "remote"),
				"is not the peer's IPv4 address");
	for (size_t i = 0; i < ARRAY_SIZE(dns); i++)
		if (wan_ppp_ipv4(dns[i]))
			json_array_append_new(servers, json_string(dns[i]));
	/* a point-to-point link: the route names the device, not a router */
	if (sys_net(c->env->sys, &err, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 4,
							 .dev = WAN_PPP_DEV })) {
		json_t *r = rpc_fail(c, RPC_INTERNAL, NULL, NULL, "%s", err);
		free(err);
		json_decref(servers);
		return r;
	}
	wan_write_resolv(c->env, servers);
	json_decref(wan_ppp);
	wan_ppp = json_pack("{s:s, s:s, s:s, s:i, s:[s], s:o, s:i, s:I, s:s, s:s?}",
			    "interface", WAN_PPP_DEV, "ip", local, "subnet", "255.255.255.255",
			    "prefix", 32, "routers", remote, "dns", servers, "lease", 0, "since",
			    (json_int_t)time(NULL), "proto", "pppoe", "device",
			    rpc_str(c, "device"));
	log_info("wan: PPPoE session up, %s peer %s", local, remote);
	feature_emit(c->env, EV_WAN_LEASE, wan_ppp);
	return json_pack("{s:b}", "ok", 1);
}

json_t *wan_ppp_event(struct rpc_call *c)
{
	const char *event = rpc_str(c, "event"), *dev = rpc_str(c, "interface");
	const json_t *running = c->env && c->env->engine ? c->env->engine->running : NULL;
	const char *proto = running ? doc_str(running, "wan.ipv4.proto") : NULL;

	if (!proto || strcmp(proto, "pppoe"))
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "the WAN is not set to PPPoE");
	if (!dev || strcmp(dev, WAN_PPP_DEV))
		return rpc_fail(c, RPC_CONFLICT, "interface", json_object_get(c->params, "interface"),
				"is not the WAN's PPP device " WAN_PPP_DEV);
	if (!strcmp(event, "up"))
		return wan_ppp_up(c);
	if (!strcmp(event, "down")) {
		log_info("wan: PPPoE session down");
		/* the device goes with pppd's link and its routes with it; a
		 * device that stays keeps no route of a session that ended */
		sys_net(c->env->sys, NULL, &(struct nl_op){ .kind = NL_ROUTE_DEL, .family = 4,
							 .dev = WAN_PPP_DEV });
		wan_ppp_forget(c->env);
		return json_pack("{s:b}", "ok", 1);
	}
	return rpc_fail(c, RPC_BAD, "event", json_object_get(c->params, "event"),
			"is neither up nor down");
}

/* pppd's script arguments and variables, as the hook forwards them */
#define WAN_PPP_VAR(n, h) { .name = n, .kind = SC_STRING, .max = 64, .help = h }

const struct sc_field wan_ppp_params[] = {
	{ .name = "event", .kind = SC_STRING, .max = 8, .flags = SC_F_REQUIRED, .help = "up or down" },
	WAN_PPP_VAR("interface", "the PPP device (IFNAME)"),
	WAN_PPP_VAR("device", "the Ethernet port the session runs on (DEVICE)"),
	WAN_PPP_VAR("local", "the session's address (IPLOCAL)"),
	WAN_PPP_VAR("remote", "the peer's address (IPREMOTE)"),
	WAN_PPP_VAR("dns1", "the first DNS server the peer gave (DNS1)"),
	WAN_PPP_VAR("dns2", "the second (DNS2)"),
	{ .name = NULL }
};
