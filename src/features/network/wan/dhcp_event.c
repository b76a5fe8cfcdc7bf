/*
 * Events of the WAN DHCP client. udhcpc runs difos-dhcp-event, which
 * forwards its environment here as "wan.dhcp_event"; difosd, not a
 * script, then sets the address, the default route and the upstream DNS,
 * and tells the features that follow the WAN (policy routes through its
 * router) by an event. Every value came from a DHCP packet: it is checked
 * before use.
 */
#include <arpa/inet.h>
#include <stdio.h>
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

static json_t *wan_lease;

json_t *wan_dhcp_lease(void)
{
	return wan_lease ? json_deep_copy(wan_lease) : NULL;
}

static void wan_lease_lost_here(void *arg)
{
	const struct feature_env *env = arg;
	json_t *lost = json_pack("{s:s?}", "interface", json_string_value(
		json_object_get(wan_lease, "interface")));

	json_decref(wan_lease);
	wan_lease = NULL;
	feature_emit(env, EV_WAN_LEASE_LOST, lost);
	json_decref(lost);
}

void wan_dhcp_forget(const struct feature_env *env)
{
	/* the client was stopped (another proto): its lease ends with it;
	 * the features that follow it hear so on the loop, as from the client */
	if (wan_lease)
		core_on_loop(wan_lease_lost_here, (void *)env);
}

static int wan_mask_prefix(const char *mask)
{
	unsigned m;
	int n = 0;

	if (!mask || !net_parse_ipv4(mask, &m))
		return -1;
	while (n < 32 && (m & (1u << (31 - n))))
		n++;
	return m == net_mask(n) ? n : -1;
}

/* space-separated IPv4 list from the client -> JSON array of valid ones */
static json_t *wan_ip_list(const char *text, int max)
{
	json_t *a = json_array();
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *t = strtok_r(copy, " ", &save); t && max > 0; t = strtok_r(NULL, " ", &save)) {
		unsigned ip;
		if (net_parse_ipv4(t, &ip)) {
			json_array_append_new(a, json_string(t));
			max--;
		}
	}
	free(copy);
	return a;
}

static json_t *wan_event_bound(struct rpc_call *c, const char *dev)
{
	struct sys *sys = c->env->sys;
	const char *ip = rpc_str(c, "ip"), *subnet = rpc_str(c, "subnet");
	int prefix = wan_mask_prefix(subnet);
	json_t *routers = wan_ip_list(rpc_str(c, "router"), 1);
	json_t *dns = wan_ip_list(rpc_str(c, "dns"), 4);
	const char *old_ip = json_string_value(json_object_get(wan_lease, "ip"));
	unsigned addr;
	char *cidr, *err = NULL;
	json_t *res = NULL;
	bool moved;

	if (!ip || !net_parse_ipv4(ip, &addr) || prefix < 1)
		return rpc_fail(c, RPC_BAD, "ip", json_object_get(c->params, "ip"),
				"DHCP lease without a valid address and subnet");
	cidr = xasprintf("%s/%d", ip, prefix);
	moved = !old_ip || strcmp(old_ip, ip) ||
		!json_equal(json_object_get(wan_lease, "subnet"), json_object_get(c->params, "subnet"));
	if (moved) {
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = dev });
		if (sys_net(sys, &err, &(struct nl_op){ .kind = NL_ADDR_ADD, .dev = dev, .addr = cidr }))
			goto fail;
	}
	if (json_array_size(routers) &&
	    sys_net(sys, &err, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 4, .dev = dev,
					    .via = json_string_value(json_array_get(routers, 0)) }))
		goto fail;
	wan_write_resolv(c->env, dns);
	json_decref(wan_lease);
	wan_lease = json_pack("{s:s, s:s, s:s, s:i, s:O, s:O, s:I, s:I}", "interface", dev, "ip",
			      ip, "subnet", subnet, "prefix", prefix, "routers", routers, "dns",
			      dns, "lease", (json_int_t)atoll(rpc_str(c, "lease") ?
							     rpc_str(c, "lease") : "0"),
			      "since", (json_int_t)time(NULL));
	log_info("wan: DHCP lease %s on %s", cidr, dev);
	/* e.g. the policy table of "wan" goes through the router this lease names */
	feature_emit(c->env, EV_WAN_LEASE, wan_lease);
	res = json_pack("{s:b}", "ok", 1);
	goto out;
fail:
	rpc_fail(c, RPC_INTERNAL, NULL, NULL, "%s", err ? err : "cannot configure the WAN");
out:
	free(err);
	free(cidr);
	json_decref(routers);
	json_decref(dns);
	return res;
}

static json_t *wan_dhcp_event(struct rpc_call *c)
{
	const char *event = rpc_str(c, "event");
	const char *dev = rpc_str(c, "interface");
	const json_t *running = c->env && c->env->engine ? c->env->engine->running : NULL;
	const char *want = running ? doc_str(running, "wan.interface") : NULL;

	if (!event || !dev)
		return rpc_fail(c, RPC_BAD, NULL, NULL, "event and interface are required");
	if (!want || strcmp(dev, want))
		return rpc_fail(c, RPC_CONFLICT, "interface", json_object_get(c->params, "interface"),
				"is not the WAN interface");
	if (!strcmp(event, "bound") || !strcmp(event, "renew"))
		return wan_event_bound(c, dev);
	if (!strcmp(event, "deconfig")) {
		json_t *lost = json_pack("{s:s}", "interface", dev);
		bool had = wan_lease != NULL;

		sys_net(c->env->sys, NULL, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = dev });
		wan_write_resolv(c->env, NULL);
		json_decref(wan_lease);
		wan_lease = NULL;
		log_info("wan: DHCP deconfig on %s", dev);
		if (had)
			feature_emit(c->env, EV_WAN_LEASE_LOST, lost);
		json_decref(lost);
	} else {
		log_info("wan: DHCP event %s on %s", event, dev);
	}
	return json_pack("{s:b}", "ok", 1);
}

/* udhcpc's variables, as it sets them: each is checked before use */
#define WAN_EVENT_VAR(n, h) { .name = n, .kind = SC_TEXT, .max = 1024, .help = h }

static const struct sc_field wan_event_params[] = {
	WAN_EVENT_VAR("event", "bound, renew, deconfig, leasefail, nak"),
	WAN_EVENT_VAR("interface", "the WAN interface"),
	WAN_EVENT_VAR("ip", "the leased address"),
	WAN_EVENT_VAR("subnet", "its netmask"),
	WAN_EVENT_VAR("mask", "its prefix length"),
	WAN_EVENT_VAR("router", "the routers, space separated"),
	WAN_EVENT_VAR("dns", "the DNS servers, space separated"),
	WAN_EVENT_VAR("lease", "the lease time in seconds"),
	WAN_EVENT_VAR("serverid", "the DHCP server"),
	WAN_EVENT_VAR("broadcast", "the broadcast address"),
	WAN_EVENT_VAR("domain", "the domain offered"),
	{ .name = NULL }
};

const struct rpc_method wan_methods[] = {
	WAN_PPP_METHOD,
	{ "wan.dhcp_event", wan_dhcp_event, "an event of the WAN's DHCP client (difos-dhcp-event)",
	  "Internal", wan_event_params, "{ok: true}", RPC_HOOK },
	{ "wan.dhcp6_event", wan6_dhcp_event,
	  "an event of the WAN's DHCPv6 client (difos-dhcp6-event)", "Internal", wan6_event_params,
	  "{ok: true}", RPC_HOOK },
	{ NULL }
};
