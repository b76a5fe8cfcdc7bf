/* What the router dashboard reads of the machine: interfaces and system. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "net/nl.h"
#include "store/doc.h"

/* What each feature says of the devices it owns (role, title, a state it
 * knows better than the kernel), for the document in force. */
json_t *dashboard_devices(const struct feature_env *env)
{
	struct feature_ctx ctx = { .env = env, .doc = env->engine ? env->engine->running : NULL };

	return ctx.doc ? feature_devices_collect(&ctx) : json_object();
}

json_t *dashboard_interfaces_of(const json_t *devices, const json_t *links, const json_t *addrs)
{
	json_t *joined = nl_join_addrs(links, addrs), *out = json_array(), *link;
	size_t i;

	json_array_foreach(joined, i, link) {
		json_t *list = json_array(), *ai, *st = json_object_get(link, "stats64");
		const char *name = json_string_value(json_object_get(link, "ifname"));
		json_t *dev = name ? json_object_get(devices, name) : NULL, *o;
		size_t j;

		json_array_foreach(json_object_get(link, "addr_info"), j, ai)
			json_array_append_new(list, json_pack("{s:O, s:O, s:O}", "family",
				json_object_get(ai, "family"), "address", json_object_get(ai, "local"),
				"prefix", json_object_get(ai, "prefixlen")));
		o = json_pack("{s:s?, s:O?, s:O?, s:O?, s:O?, s:o, s:O?}",
			"name", name, "mac", json_object_get(link, "address"),
			"state", json_object_get(link, "operstate"),
			"mtu", json_object_get(link, "mtu"),
			"flags", json_object_get(link, "flags"), "addresses", list,
			"role", json_object_get(dev, "role"));
		/* the owner's word where the kernel cannot know (an uplink kept
		 * as standby is up, but carries nothing) */
		/* the kind (bridge, veth, ifb): the overview leaves out the QoS's ifb */
		if (json_object_get(json_object_get(link, "linkinfo"), "info_kind"))
			json_object_set(o, "kind", json_object_get(json_object_get(link, "linkinfo"),
								 "info_kind"));
		if (json_object_get(dev, "title"))
			json_object_set(o, "title", json_object_get(dev, "title"));
		if (json_object_get(dev, "state"))
			json_object_set(o, "uplink_state", json_object_get(dev, "state"));
		if (st)
			json_object_set_new(o, "stats", json_pack("{s:O, s:O, s:O, s:O}",
				"rx_bytes", json_object_get(json_object_get(st, "rx"), "bytes"),
				"tx_bytes", json_object_get(json_object_get(st, "tx"), "bytes"),
				"rx_packets", json_object_get(json_object_get(st, "rx"), "packets"),
				"tx_packets", json_object_get(json_object_get(st, "tx"), "packets")));
		json_array_append_new(out, o);
	}
	json_decref(joined);
	return out;
}

/* the kernel's netlink view: one dump of the links, one of the addresses */
json_t *dashboard_interfaces(struct rpc_call *c)
{
	json_t *links = nl_links(), *addrs = nl_addresses(AF_UNSPEC), *out = NULL;

	if (links && addrs) {
		json_t *devices = dashboard_devices(c->env);
		out = dashboard_interfaces_of(devices, links, addrs);
		json_decref(devices);
	}
	else
		rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot list interfaces");
	json_decref(links);
	json_decref(addrs);
	return out;
}

json_t *dashboard_system(struct rpc_call *c)
{
	struct sysinfo si;
	char host[256] = "";
	double scale = 1.0 / (1 << SI_LOAD_SHIFT);

	if (sysinfo(&si) < 0)
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "sysinfo failed");
	gethostname(host, sizeof(host) - 1);
	return json_pack("{s:s?, s:s, s:I, s:[f,f,f], s:{s:I, s:I, s:I}, s:I, s:I}",
		"hostname", doc_str(c->env->engine->running, "system.hostname"),
		"kernel_hostname", host,
		"uptime", (json_int_t)si.uptime,
		"load", si.loads[0] * scale, si.loads[1] * scale, si.loads[2] * scale,
		"memory", "total", (json_int_t)si.totalram * si.mem_unit,
		"free", (json_int_t)si.freeram * si.mem_unit,
		"buffers", (json_int_t)si.bufferram * si.mem_unit,
		"daemon_uptime", (json_int_t)(time(NULL) - c->env->started),
		"revision", (json_int_t)c->env->engine->running_rev);
}
