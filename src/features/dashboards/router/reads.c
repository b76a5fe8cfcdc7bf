/* What the router dashboard reads of the machine: interfaces and system. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/spawn.h"
#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "store/doc.h"

json_t *dashboard_interfaces(struct rpc_call *c)
{
	struct spawn_result r;
	json_t *raw, *out;
	size_t i;
	json_t *link;

	/* iproute2's JSON is the kernel's netlink view, already structured */
	if (spawn_run((char *const[]){ "ip", "-j", "addr", "show", NULL }, NULL, 5000, &r) < 0 ||
	    r.status != 0) {
		spawn_result_free(&r);
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot list interfaces");
	}
	raw = json_loads(r.output, 0, NULL);
	spawn_result_free(&r);
	if (!json_is_array(raw)) {
		json_decref(raw);
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot parse the interface list");
	}
	out = json_array();
	json_array_foreach(raw, i, link) {
		json_t *addrs = json_array(), *ai;
		size_t j;
		const char *name = json_string_value(json_object_get(link, "ifname"));
		const char *role = NULL;
		const json_t *doc = c->env->engine->running;

		json_array_foreach(json_object_get(link, "addr_info"), j, ai) {
			json_t *local = json_object_get(ai, "local");
			json_t *plen = json_object_get(ai, "prefixlen");
			if (json_is_string(local))
				json_array_append_new(addrs, json_pack("{s:s, s:O, s:O}",
					"family", json_string_value(json_object_get(ai, "family")) ?
					json_string_value(json_object_get(ai, "family")) : "",
					"address", local, "prefix", plen ? plen : json_null()));
		}
		if (name && doc_str(doc, "lan.device") && !strcmp(name, doc_str(doc, "lan.device")))
			role = "lan";
		else if (name && doc_str(doc, "wan.interface") &&
			 !strcmp(name, doc_str(doc, "wan.interface")))
			role = "wan";
		json_array_append_new(out, json_pack("{s:s?, s:s?, s:O?, s:O?, s:O?, s:o, s:s?}",
			"name", name, "mac", json_string_value(json_object_get(link, "address")),
			"state", json_object_get(link, "operstate"),
			"mtu", json_object_get(link, "mtu"),
			"flags", json_object_get(link, "flags"), "addresses", addrs, "role", role));
	}
	json_decref(raw);
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
