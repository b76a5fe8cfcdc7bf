/*
 * WWAN's data path. Once the modem's data context is active the modem
 * shows the connection as a network device (wwan0: an ECM/NCM/MBIM/QMI
 * modem's usb or wwan device) on which the carrier hands out the address
 * by DHCP; difos runs the WAN's DHCP client on it (busybox udhcpc with the
 * difos-dhcp-event hook, told to call wwan.dhcp_event), so there is one
 * DHCP client mechanism. The lease's address goes on the device; its
 * default route goes into WWAN's own table (WWAN_TABLE) with a rule for
 * the address, never into the main table: the failover decides which
 * uplink carries the router's traffic. When the lease (and, for an IPv4v6
 * context, an IPv6 address from the carrier's router advertisements) is
 * there, the uplink is published in the status and as EV_WWAN_UP;
 * EV_WWAN_DOWN when it goes.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wwan/wwan.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "net/nl.h"
#include "store/doc.h"

#define WWAN_IPV6_WAIT_MS 10000

static struct {
	bool started;          /* the client runs on the device */
	char device[32];
	bool ipv6;
	json_t *lease;         /* {ip, prefix, gateway, dns} of the last bound event */
	json_t *uplink;        /* what was published, NULL when down */
	uv_timer_t v6_timer;
	bool v6_timer_ready;
	long long v6_deadline;
	bool v6_routed;        /* IPv6's default route and rule are in WWAN's table */
	bool pd;               /* ask for a prefix for the LAN (DHCPv6, dhclient) */
	char delegated[64];    /* the prefix the carrier delegated, "" none */
	const struct feature_env *env;
} lk;

json_t *wwan_link_uplink(void)
{
	return lk.uplink ? json_deep_copy(lk.uplink) : NULL;
}

static void wwan_proc(struct sys *sys, const char *dev, const char *key, const char *value)
{
	char *path = xasprintf("/proc/sys/net/ipv6/conf/%s/%s", dev, key);

	sys->write_proc(sys, path, value);
	free(path);
}

int wwan_link_start(const struct feature_env *env, const char *device, bool ipv6, bool pd)
{
	struct sys *sys = env->sys;
	char *hook = xasprintf("%s/difos-dhcp-event", env->paths.libexec);
	char *sock = xasprintf("DIFOS_SOCKET=%s", env->paths.socket);
	char *const argv[] = { "busybox", "udhcpc", "-f", "-S", "-i", (char *)device, "-s", hook,
			       "-t", "3", "-T", "2", "-A", "5", NULL };
	char *const envp[] = { sock, "DIFOS_DHCP_METHOD=wwan.dhcp_event", NULL };
	int rc;

	lk.env = env;
	snprintf(lk.device, sizeof(lk.device), "%s", device);
	lk.ipv6 = ipv6;
	lk.pd = ipv6 && pd;
	lk.delegated[0] = '\0';
	/* IPv6 by the carrier's router advertisements (SLAAC), never a default
	 * route in the main table from them */
	wwan_proc(sys, device, "disable_ipv6", ipv6 ? "0" : "1");
	if (ipv6) {
		wwan_proc(sys, device, "accept_ra", "2");
		wwan_proc(sys, device, "accept_ra_defrtr", "0");
		wwan_proc(sys, device, "autoconf", "1");
	}
	rc = sys_net(sys, NULL, &(struct nl_op){ .kind = NL_LINK_UP, .dev = device });
	if (!rc)
		rc = sv_ensure(WWAN_DHCP_ENGINE, argv, envp) < 0 ? -1 : 0;
	if (!rc)
		lk.started = true;
	free(hook);
	free(sock);
	return rc;
}

/* DHCPv6 prefix delegation: ISC dhclient asking for a prefix only (the
 * address comes from the advertisements), started once IPv6 is up on the
 * device (its link-local address past DAD, which dhclient must bind);
 * its events reach wwan.dhcp_event through the same hook as udhcpc's. */
static void wwan_pd_start(const struct feature_env *env)
{
	char *hook = xasprintf("%s/difos-dhcp-event", env->paths.libexec);
	char *sock = xasprintf("DIFOS_SOCKET=%s", env->paths.socket);
	char *dir = xasprintf("%s/wwan", env->paths.state);
	char *leases = xasprintf("%s/dhclient6.leases", dir);
	char *const argv[] = { "dhclient", "-6", "-P", "-d", "--no-pid", "-cf", "/dev/null",
			       "-lf", leases, "-sf", hook, "-e", sock,
			       "-e", "DIFOS_DHCP_METHOD=wwan.dhcp_event", lk.device, NULL };

	mkdir_p(dir, 0700);
	if (sv_ensure(WWAN_PD_ENGINE, argv, NULL) < 0)
		log_warn("wwan: cannot start dhclient for prefix delegation");
	free(hook);
	free(sock);
	free(dir);
	free(leases);
}

/* WWAN's rule and table of one family emptied */
static void wwan_table_clear(struct sys *sys, int family)
{
	sys_net(sys, NULL, &(struct nl_op){ .kind = NL_RULE_DEL, .family = family,
					    .pref = WWAN_RULE_PREF });
	sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ROUTE_FLUSH, .family = family,
					    .table = WWAN_TABLE });
}

static void wwan_routes_clear(struct sys *sys, const char *dev)
{
	wwan_table_clear(sys, 4);
	if (lk.v6_routed) {
		wwan_table_clear(sys, 6);
		lk.v6_routed = false;
	}
	if (dev[0])
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = dev });
}

static void wwan_unpublish(const struct feature_env *env, const char *why)
{
	json_t *data;

	if (!lk.uplink)
		return;
	data = json_pack("{s:s, s:s}", "device", lk.device, "reason", why ? why : "down");
	json_decref(lk.uplink);
	lk.uplink = NULL;
	log_info("wwan: uplink down (%s)", why ? why : "down");
	feature_emit(env, EV_WWAN_DOWN, data);
	json_decref(data);
	core_state_changed();
}

void wwan_link_down(const struct feature_env *env, const char *why)
{
	if (lk.v6_timer_ready)
		uv_timer_stop(&lk.v6_timer);
	wwan_unpublish(env, why);
	if (!lk.started)
		return;
	lk.started = false;
	sv_stop(WWAN_DHCP_ENGINE);
	sv_stop(WWAN_PD_ENGINE);
	if (lk.delegated[0]) {
		/* the LAN deprecates the /64 it took of it (RFC 9096) */
		json_t *lost = json_pack("{s:s}", "interface", lk.device);
		feature_emit(env, EV_WAN_PREFIX_LOST, lost);
		json_decref(lost);
	}
	lk.delegated[0] = '\0';
	wwan_routes_clear(env->sys, lk.device);
	json_decref(lk.lease);
	lk.lease = NULL;
}

/* the device's first global IPv6 address, or false */
static bool wwan_ipv6_addr(const char *dev, char out[INET6_ADDRSTRLEN], int *prefix)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)i->ifa_addr;
		struct sockaddr_in6 *m = (struct sockaddr_in6 *)i->ifa_netmask;
		if (!a || a->sin6_family != AF_INET6 || strcmp(i->ifa_name, dev) ||
		    IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
			continue;
		inet_ntop(AF_INET6, &a->sin6_addr, out, INET6_ADDRSTRLEN);
		*prefix = 0;
		for (int b = 0; m && b < 16; b++)
			*prefix += __builtin_popcount(m->sin6_addr.s6_addr[b]);
		found = true;
	}
	freeifaddrs(ifa);
	return found;
}

/* The carrier's router on the device: the sender of its advertisements,
 * which the kernel marks as a router in the neighbour table even though
 * WWAN does not take their default route (accept_ra_defrtr 0). */
static bool wwan_ipv6_router(const char *dev, char out[INET6_ADDRSTRLEN])
{
	json_t *n = nl_neighbours(AF_INET6), *e;
	bool found = false;
	size_t i;

	json_array_foreach(n, i, e) {
		const char *dst = json_string_value(json_object_get(e, "dst"));
		const char *d = json_string_value(json_object_get(e, "dev"));
		if (!found && dst && d && !strcmp(d, dev) && json_is_true(json_object_get(e, "router")) &&
		    !strncasecmp(dst, "fe80:", 5) && strlen(dst) < INET6_ADDRSTRLEN) {
			strcpy(out, dst);
			found = true;
		}
	}
	json_decref(n);
	return found;
}

/* IPv6's default route through the carrier's router, in WWAN's table */
static bool wwan_ipv6_route(struct sys *sys, const char *addr, const char *router)
{
	sys_net(sys, NULL, &(struct nl_op){ .kind = NL_RULE_DEL, .family = 6,
					    .pref = WWAN_RULE_PREF });
	if (sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 6,
						.via = router, .dev = lk.device,
						.table = WWAN_TABLE }) ||
	    sys_net(sys, NULL, &(struct nl_op){ .kind = NL_RULE_ADD, .family = 6,
						.pref = WWAN_RULE_PREF, .src = addr,
						.table = WWAN_TABLE }))
		return false;
	lk.v6_routed = true;
	return true;
}

static void wwan_publish(const struct feature_env *env)
{
	char v6[INET6_ADDRSTRLEN];
	int v6len = 0;
	json_t *u;

	u = json_pack("{s:s, s:s, s:O, s:O, s:i, s:I}", "device", lk.device, "family",
		      lk.ipv6 ? "ipv4v6" : "ipv4", "ipv4", json_object_get(lk.lease, "ipv4"),
		      "dns", json_object_get(lk.lease, "dns"), "table", WWAN_TABLE, "since",
		      (json_int_t)time(NULL));
	if (lk.ipv6 && wwan_ipv6_addr(lk.device, v6, &v6len)) {
		char router[INET6_ADDRSTRLEN];
		bool routed = wwan_ipv6_router(lk.device, router) &&
			      wwan_ipv6_route(env->sys, v6, router);
		json_object_set_new(u, "ipv6", json_pack("{s:s, s:i, s:s?, s:s?}", "address", v6,
							 "prefix", v6len, "gateway",
							 routed ? router : NULL, "delegated_prefix",
							 lk.delegated[0] ? lk.delegated : NULL));
		if (lk.pd)
			wwan_pd_start(env);
	} else if (lk.ipv6)
		json_object_set_new(u, "ipv6", json_null());
	json_decref(lk.uplink);
	lk.uplink = u;
	log_info("wwan: uplink up on %s", lk.device);
	feature_emit(env, EV_WWAN_UP, u);
	core_state_changed();
}

static void wwan_v6_tick(uv_timer_t *t)
{
	char v6[INET6_ADDRSTRLEN];
	int len;
	long long now = (long long)time(NULL) * 1000;

	(void)t;
	core_enter();
	if (lk.lease) {
		char router[INET6_ADDRSTRLEN];
		if ((wwan_ipv6_addr(lk.device, v6, &len) && wwan_ipv6_router(lk.device, router)) ||
		    now >= lk.v6_deadline)
			wwan_publish(lk.env);
		else
			uv_timer_start(&lk.v6_timer, wwan_v6_tick, 250, 0);
	}
	core_leave();
}

/* ---- the DHCP client's events ---- */

static int wwan_mask_prefix(const char *mask)
{
	unsigned m;
	int n = 0;

	if (!mask || !net_parse_cidr4(mask, &m, NULL))
		return -1;
	while (n < 32 && (m & (1u << (31 - n))))
		n++;
	return m == net_mask(n) ? n : -1;
}

static bool wwan_ipv4(const char *s)
{
	unsigned a;

	return s && strchr(s, '/') == NULL && net_parse_cidr4(s, &a, NULL);
}

static json_t *wwan_ip_list(const char *text, int max)
{
	json_t *a = json_array();
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *t = strtok_r(copy, " ", &save); t && max > 0; t = strtok_r(NULL, " ", &save))
		if (wwan_ipv4(t)) {
			json_array_append_new(a, json_string(t));
			max--;
		}
	free(copy);
	return a;
}

static json_t *wwan_bound(struct rpc_call *c, const char *dev)
{
	struct sys *sys = c->env->sys;
	const char *ip = rpc_str(c, "ip");
	int prefix = wwan_mask_prefix(rpc_str(c, "subnet"));
	json_t *routers = wwan_ip_list(rpc_str(c, "router"), 1), *dns = wwan_ip_list(rpc_str(c, "dns"), 4);
	const char *gw = json_string_value(json_array_get(routers, 0));
	const char *old = json_string_value(json_object_get(json_object_get(lk.lease, "ipv4"),
							    "address"));
	char *cidr = NULL, *err = NULL;
	json_t *res = NULL;

	if (!wwan_ipv4(ip) || prefix < 1) {
		res = rpc_fail(c, RPC_BAD, "ip", json_object_get(c->params, "ip"),
			       "DHCP lease without a valid address and subnet");
		goto out;
	}
	if (!gw) {
		res = rpc_fail(c, RPC_BAD, "router", json_object_get(c->params, "router"),
			       "DHCP lease without a router");
		goto out;
	}
	cidr = xasprintf("%s/%d", ip, prefix);
	if (!old || strcmp(old, ip)) {
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = dev });
		if (sys_net(sys, &err, &(struct nl_op){ .kind = NL_ADDR_ADD, .dev = dev, .addr = cidr }))
			goto fail;
	}
	/* WWAN's own table: its default route; the rule sends what leaves
	 * from its address through it */
	wwan_table_clear(sys, 4);
	if (sys_net(sys, &err, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 4, .via = gw,
						.dev = dev, .table = WWAN_TABLE }) ||
	    sys_net(sys, &err, &(struct nl_op){ .kind = NL_RULE_ADD, .family = 4,
						.pref = WWAN_RULE_PREF, .src = ip,
						.table = WWAN_TABLE }))
		goto fail;
	json_decref(lk.lease);
	lk.lease = json_pack("{s:{s:s, s:i, s:s}, s:O}", "ipv4", "address", ip, "prefix", prefix,
			     "gateway", gw, "dns", dns);
	log_info("wwan: DHCP lease %s on %s", cidr, dev);
	/* IPv4v6: the IPv6 address from the carrier's advertisements, for a while */
	if (lk.ipv6 && lk.env && lk.env->loop) {
		if (!lk.v6_timer_ready) {
			uv_timer_init(lk.env->loop, &lk.v6_timer);
			lk.v6_timer_ready = true;
		}
		lk.v6_deadline = (long long)time(NULL) * 1000 + WWAN_IPV6_WAIT_MS;
		uv_timer_start(&lk.v6_timer, wwan_v6_tick, 0, 0);
	} else {
		wwan_publish(c->env);
	}
	res = json_pack("{s:b}", "ok", 1);
	goto out;
fail:
	res = rpc_fail(c, RPC_INTERNAL, NULL, NULL, "%s", err ? err : "cannot configure WWAN");
out:
	free(err);
	free(cidr);
	json_decref(routers);
	json_decref(dns);
	return res;
}

/* dhclient -6's reasons: a prefix gained (or kept), or gone */
static const struct {
	const char *event;
	bool gained;
} wwan_pd_events[] = {
	{ "BOUND6", true }, { "RENEW6", true }, { "REBIND6", true }, { "REBOOT6", true },
	{ "EXPIRE6", false }, { "RELEASE6", false }, { "STOP6", false },
	{ "PREINIT6", false }, { NULL, false },
};

/* A lifetime dhclient gave (seconds), or def. */
static long long wwan_lifetime(struct rpc_call *c, const char *name, long long def)
{
	const char *t = rpc_str(c, name);
	char *end;
	long long v = t ? strtoll(t, &end, 10) : -1;

	return t && *t && !*end && v >= 0 ? v : def;
}

/* The LAN follows an uplink's delegated prefix by EV_WAN_PREFIX, whichever
 * uplink it is: the WWAN's said as the WAN's DHCPv6 client says its own. */
static void wwan_pd_tell(struct rpc_call *c, const struct net_prefix *p)
{
	json_t *data;

	if (p) {
		struct net_prefix net = *p;
		char text[64];
		long long valid = wwan_lifetime(c, "new_max_life", 7200);
		long long pref = wwan_lifetime(c, "new_preferred_life", valid);

		net.len = 128;
		net_prefix_text(&net, false, text, sizeof(text));
		data = json_pack("{s:s, s:[{s:s, s:i, s:I, s:I}], s:[], s:[]}", "interface", lk.device,
				 "prefixes", "prefix", text, "length", p->len, "preferred",
				 (json_int_t)(pref < valid ? pref : valid), "valid", (json_int_t)valid,
				 "addresses", "dns");
		feature_emit(c->env, EV_WAN_PREFIX, data);
	} else {
		data = json_pack("{s:s}", "interface", lk.device);
		feature_emit(c->env, EV_WAN_PREFIX_LOST, data);
	}
	json_decref(data);
}

static json_t *wwan_pd_event(struct rpc_call *c, bool gained)
{
	const char *text = rpc_str(c, "new_ip6_prefix");
	struct net_prefix p;
	char canon[64] = "";

	if (gained) {
		/* a prefix for a LAN: a network of IPv6, /48 to /64 */
		if (!text || net_prefix_parse(text, 6, true, &p) != NET_OK || p.len < 48 ||
		    p.len > 64)
			return rpc_fail(c, RPC_BAD, "new_ip6_prefix",
					json_object_get(c->params, "new_ip6_prefix"),
					"is no delegated IPv6 prefix (/48 to /64)");
		net_prefix_clear_host(&p);
		net_prefix_text(&p, true, canon, sizeof(canon));
	} else if (!strcmp(rpc_str(c, "event"), "PREINIT6")) {
		return json_pack("{s:b}", "ok", 1);
	}
	if (strcmp(canon, lk.delegated)) {
		snprintf(lk.delegated, sizeof(lk.delegated), "%s", canon);
		log_info("wwan: delegated prefix %s", canon[0] ? canon : "gone");
		/* the uplink again, with its prefix */
		if (lk.uplink)
			wwan_publish(c->env);
	}
	wwan_pd_tell(c, gained ? &p : NULL);
	return json_pack("{s:b}", "ok", 1);
}

static json_t *wwan_dhcp_event(struct rpc_call *c)
{
	const char *event = rpc_str(c, "event"), *dev = rpc_str(c, "interface");
	const json_t *running = c->env && c->env->engine ? c->env->engine->running : NULL;
	const char *want = running ? doc_str(running, "wwan.device") : NULL;

	if (!event || !dev)
		return rpc_fail(c, RPC_BAD, NULL, NULL, "event and interface are required");
	if (!want || strcmp(dev, want) || !lk.started)
		return rpc_fail(c, RPC_CONFLICT, "interface", json_object_get(c->params, "interface"),
				"is not the WWAN device in use");
	if (!strcmp(event, "bound") || !strcmp(event, "renew"))
		return wwan_bound(c, dev);
	for (size_t i = 0; wwan_pd_events[i].event; i++)
		if (!strcmp(event, wwan_pd_events[i].event))
			return wwan_pd_event(c, wwan_pd_events[i].gained);
	if (!strcmp(event, "deconfig")) {
		if (lk.v6_timer_ready)
			uv_timer_stop(&lk.v6_timer);
		wwan_unpublish(c->env, "the DHCP lease ended");
		wwan_routes_clear(c->env->sys, dev);
		json_decref(lk.lease);
		lk.lease = NULL;
	} else {
		log_info("wwan: DHCP event %s on %s", event, dev);
	}
	return json_pack("{s:b}", "ok", 1);
}

#define WWAN_EVENT_VAR(n, h) { .name = n, .kind = SC_TEXT, .max = 1024, .help = h }

static const struct sc_field wwan_event_params[] = {
	WWAN_EVENT_VAR("event", "bound, renew, deconfig, leasefail, nak"),
	WWAN_EVENT_VAR("interface", "the WWAN device"),
	WWAN_EVENT_VAR("ip", "the leased address"),
	WWAN_EVENT_VAR("subnet", "its netmask"),
	WWAN_EVENT_VAR("mask", "its prefix length"),
	WWAN_EVENT_VAR("router", "the routers, space separated"),
	WWAN_EVENT_VAR("dns", "the DNS servers, space separated"),
	WWAN_EVENT_VAR("lease", "the lease time in seconds"),
	WWAN_EVENT_VAR("serverid", "the DHCP server"),
	WWAN_EVENT_VAR("broadcast", "the broadcast address"),
	WWAN_EVENT_VAR("domain", "the domain offered"),
	WWAN_EVENT_VAR("new_ip6_prefix", "the prefix delegated (dhclient -6 -P)"),
	WWAN_EVENT_VAR("new_max_life", "its valid lifetime"),
	WWAN_EVENT_VAR("new_preferred_life", "its preferred lifetime"),
	{ .name = NULL }
};

const struct rpc_method wwan_methods[] = {
	{ "wwan.dhcp_event", wwan_dhcp_event,
	  "an event of the WWAN device's DHCP clients (difos-dhcp-event)", "Internal",
	  wwan_event_params, "{ok: true}", RPC_HOOK },
	{ NULL }
};
