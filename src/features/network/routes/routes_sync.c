/*
 * The kernel side of routes: the static routes, one routing table per
 * policy interface and the ip rules that send marked packets to them.
 * What is wanted is computed from the configuration (and the WAN's DHCP
 * lease); what is there is read back from the kernel by the protocol
 * number and rule priorities difos owns; only the difference is changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "apply/system.h"
#include "core/log.h"
#include "features/network/routes/routes.h"
#include "net/nl.h"
#include "store/doc.h"

static void routes_want_static(json_t *routes, const json_t *doc, int family)
{
	size_t i;
	json_t *el;

	json_array_foreach(doc_get(doc, family == 4 ? "routes.static4" : "routes.static6"), i, el) {
		char canon[64], dst[64];
		long long metric = doc_int(el, "metric", 0);
		json_t *r;

		if (!doc_bool(el, "enabled", true) ||
		    !routes_cidr_canon(family, doc_str(el, "target"), canon, sizeof(canon), NULL))
			continue;
		routes_kernel_dst(family, canon, dst, sizeof(dst));
		/* IPv6 stores metric 0 as the kernel's default, 1024 */
		if (family == 6 && metric == 0)
			metric = 1024;
		r = json_pack("{s:i, s:s, s:I, s:I}", "family", family, "dst", dst, "table",
			      (json_int_t)doc_int(el, "table", ROUTES_TABLE_MAIN), "metric",
			      (json_int_t)metric);
		if (doc_str(el, "gateway"))
			json_object_set_new(r, "via", json_string(doc_str(el, "gateway")));
		if (doc_str(el, "interface"))
			json_object_set_new(r, "dev", json_string(doc_str(el, "interface")));
		json_array_append_new(routes, r);
	}
}

struct routes_want_ctx {
	json_t *want;
	const char *lease_gw;   /* NULL: render the DHCP gateway symbolically */
	bool symbolic;
	bool seen[ROUTES_INDEX_MAX + 1];
};

static void routes_want_policy(const json_t *pol, const struct routes_iface *ifc, void *arg)
{
	struct routes_want_ctx *c = arg;
	json_t *r;

	(void)pol;
	if (c->seen[ifc->index])
		return;
	c->seen[ifc->index] = true;
	json_array_append_new(json_object_get(c->want, "rules"),
			      json_pack("{s:i, s:I, s:i, s:s}", "pref", routes_pref(ifc->index), "mark",
					(json_int_t)routes_mark(ifc->index), "table",
					routes_table(ifc->index), "interface", ifc->name));
	json_array_append_new(json_object_get(c->want, "devices"), json_string(ifc->dev));
	r = json_pack("{s:i, s:s, s:i, s:i, s:s}", "family", 4, "dst", "default", "table",
		      routes_table(ifc->index), "metric", 0, "dev", ifc->dev);
	if (ifc->gateway) {
		json_object_set_new(r, "via", json_string(ifc->gateway));
	} else if (ifc->dhcp_gateway && c->symbolic) {
		json_object_set_new(r, "via", json_string("(the WAN's DHCP router)"));
	} else if (ifc->dhcp_gateway && c->lease_gw) {
		json_object_set_new(r, "via", json_string(c->lease_gw));
	} else if (ifc->dhcp_gateway) {
		/* no lease yet: the table stays empty and lookups fall through to main */
		json_decref(r);
		return;
	}
	json_array_append_new(json_object_get(c->want, "routes"), r);
}

/* {routes: [...], rules: [...], devices: [...]} that doc asks for. */
static json_t *routes_want(const json_t *doc, const char *lease_gw, bool symbolic)
{
	struct routes_want_ctx c = { .lease_gw = lease_gw, .symbolic = symbolic };

	c.want = json_pack("{s:[], s:[], s:[]}", "routes", "rules", "devices");
	routes_want_static(json_object_get(c.want, "routes"), doc, 4);
	routes_want_static(json_object_get(c.want, "routes"), doc, 6);
	routes_policy_foreach(doc, routes_want_policy, &c);
	return c.want;
}

json_t *routes_wanted_text(const json_t *doc)
{
	return routes_want(doc, NULL, true);
}

/* a table as nl_routes names it ("main", "1001") -> its number */
static unsigned routes_table_number(const char *table)
{
	return !table || !strcmp(table, "main") ? ROUTES_TABLE_MAIN : (unsigned)strtoul(table, NULL, 10);
}

static void routes_table_text(long long table, char *out, size_t outlen)
{
	if (table == ROUTES_TABLE_MAIN)
		snprintf(out, outlen, "main");
	else
		snprintf(out, outlen, "%lld", table);
}

/* family|dst|table|metric: what makes a route distinct in the kernel */
static char *routes_key(int family, const char *dst, const char *table, long long metric)
{
	return xasprintf("%d|%s|%s|%lld", family, dst, table, metric);
}

/* Removes the routes of ours the kernel has and the wanted set lacks. */
static void routes_remove_stale(struct sys *sys, int family, const json_t *wanted)
{
	json_t *have, *r;
	bool ok;
	size_t i;

	have = sys_net_list(sys, &(struct nl_op){ .kind = NL_ROUTE_LIST, .family = family,
						  .proto = ROUTES_PROTO }, &ok);
	if (!ok) {
		/* unreadable: start over from none */
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ROUTE_FLUSH, .family = family,
						    .proto = ROUTES_PROTO });
		json_decref(have);
		return;
	}
	json_array_foreach(have, i, r) {
		const char *dst = doc_str(r, "dst"), *table = doc_str(r, "table");
		long long metric = doc_int(r, "metric", 0);
		char *key;

		if (!dst)
			continue;
		key = routes_key(family, dst, table ? table : "main", metric);
		if (!json_object_get(wanted, key))
			sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ROUTE_DEL, .family = family,
				.addr = dst, .table = routes_table_number(table),
				.metric = metric, .has_metric = 1, .proto = ROUTES_PROTO });
		free(key);
	}
	json_decref(have);
}

/* On failure *err gets "<as ip would say it>: <the kernel's reason>". */
static int routes_install(struct sys *sys, const json_t *r, char **err)
{
	long long table = doc_int(r, "table", ROUTES_TABLE_MAIN);

	return sys_net(sys, err, &(struct nl_op){ .kind = NL_ROUTE_REPLACE,
		.family = (int)doc_int(r, "family", 4), .addr = doc_str(r, "dst"),
		.via = doc_str(r, "via"), .dev = doc_str(r, "dev"), .table = (unsigned)table,
		.metric = doc_int(r, "metric", 0), .has_metric = 1, .proto = ROUTES_PROTO });
}

static int routes_sync_routes(struct sys *sys, const json_t *routes, char **err)
{
	json_t *wanted = json_object(), *r;
	size_t i;
	int rc = 0;

	json_array_foreach(routes, i, r) {
		char table[16], *key;
		routes_table_text(doc_int(r, "table", ROUTES_TABLE_MAIN), table, sizeof(table));
		key = routes_key((int)doc_int(r, "family", 4), doc_str(r, "dst"), table,
				 doc_int(r, "metric", 0));
		json_object_set_new(wanted, key, json_true());
		free(key);
	}
	routes_remove_stale(sys, 4, wanted);
	routes_remove_stale(sys, 6, wanted);
	/* one route that cannot be installed does not keep the others out;
	 * the first failure is reported */
	json_array_foreach(routes, i, r)
		if (routes_install(sys, r, rc ? NULL : err))
			rc = -1;
	json_decref(wanted);
	return rc;
}

static bool routes_rule_ours(const json_t *rule)
{
	long long pref = doc_int(rule, "priority", -1);

	return pref > ROUTES_PREF_BASE && pref <= ROUTES_PREF_BASE + ROUTES_INDEX_MAX;
}

static int routes_sync_rules(struct sys *sys, const json_t *rules, char **err)
{
	json_t *have, *h, *w;
	bool present[ROUTES_INDEX_MAX + 1] = { false };
	size_t i;
	bool found;

	have = sys_net_list(sys, &(struct nl_op){ .kind = NL_RULE_LIST, .family = 4 }, NULL);
	json_array_foreach(have, i, h) {
		long long pref = doc_int(h, "priority", -1);
		char mark[16], table[16];
		size_t j;

		if (!routes_rule_ours(h))
			continue;
		found = false;
		json_array_foreach(rules, j, w) {
			snprintf(mark, sizeof(mark), "0x%llx", doc_int(w, "mark", 0));
			snprintf(table, sizeof(table), "%lld", doc_int(w, "table", 0));
			if (doc_int(w, "pref", 0) == pref && doc_str(h, "fwmark") &&
			    !strcmp(doc_str(h, "fwmark"), mark) && doc_str(h, "table") &&
			    !strcmp(doc_str(h, "table"), table) &&
			    !present[pref - ROUTES_PREF_BASE])
				found = true;
		}
		if (found) {
			present[pref - ROUTES_PREF_BASE] = true;
			continue;
		}
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_RULE_DEL, .family = 4,
						    .pref = (unsigned)pref });
	}
	json_decref(have);
	json_array_foreach(rules, i, w) {
		long long pref = doc_int(w, "pref", 0);

		if (present[pref - ROUTES_PREF_BASE])
			continue;
		if (sys_net(sys, err, &(struct nl_op){ .kind = NL_RULE_ADD, .family = 4,
			    .pref = (unsigned)pref, .mark = (unsigned)doc_int(w, "mark", 0),
			    .mask = ROUTES_MARK_MASK, .table = (unsigned)doc_int(w, "table", 0) }))
			return -1;
	}
	return 0;
}

/* the WAN's DHCP lease, as the events told it */
static bool routes_leased;
static char *routes_lease_router;

void routes_wan_lease(bool leased, const char *router)
{
	routes_leased = leased;
	free(routes_lease_router);
	routes_lease_router = router ? xstrdup(router) : NULL;
}

bool routes_wan_leased(void)
{
	return routes_leased;
}

int routes_sync(struct sys *sys, const json_t *doc, char **err)
{
	json_t *want, *dev;
	size_t i;
	int rc;

	want = routes_want(doc, routes_lease_router, false);
	/* replies of policy-routed connections come back on an uplink the main
	 * table does not prefer; strict reverse-path filtering would drop them */
	json_array_foreach(json_object_get(want, "devices"), i, dev) {
		char *path = xasprintf("/proc/sys/net/ipv4/conf/%s/rp_filter", json_string_value(dev));
		sys->write_proc(sys, path, "2");
		free(path);
	}
	rc = routes_sync_routes(sys, json_object_get(want, "routes"), err);
	if (routes_sync_rules(sys, json_object_get(want, "rules"), rc ? NULL : err))
		rc = -1;
	json_decref(want);
	return rc;
}

void routes_follow_wan(struct sys *sys, const json_t *doc)
{
	char *err = NULL;

	if (!doc || !sys)
		return;
	/* nothing of ours goes through the WAN */
	if (!json_array_size(doc_get(doc, "routes.static4")) &&
	    !json_array_size(doc_get(doc, "routes.static6")) &&
	    !json_array_size(doc_get(doc, "routes.policy")))
		return;
	if (routes_sync(sys, doc, &err) < 0)
		log_err("routes: after the WAN lease changed: %s", err ? err : "failed");
	free(err);
}

void routes_follow_link(struct sys *sys, const json_t *doc, const char *dev)
{
	json_t *want, *r;
	bool ours = false;
	char *err = NULL;
	size_t i;

	if (!doc || !sys || !dev)
		return;
	want = routes_want(doc, routes_lease_router, false);
	json_array_foreach(json_object_get(want, "routes"), i, r)
		if (json_string_value(json_object_get(r, "dev")) &&
		    !strcmp(json_string_value(json_object_get(r, "dev")), dev))
			ours = true;
	json_decref(want);
	if (!ours)
		return;
	if (routes_sync(sys, doc, &err) < 0)
		log_err("routes: after %s came up: %s", dev, err ? err : "failed");
	else
		log_info("routes: the routes through %s are in place again", dev);
	free(err);
}

/* What the kernel holds of ours: two netlink dumps (microseconds, no
 * process), so a status read may ask every time. */
json_t *routes_in_force(void)
{
	json_t *routes = nl_routes(AF_UNSPEC, ROUTES_PROTO), *rules = nl_rules(AF_INET);
	json_t *mine = json_array(), *rule;
	size_t i;

	json_array_foreach(rules, i, rule)
		if (routes_rule_ours(rule))
			json_array_append(mine, rule);
	json_decref(rules);
	return json_pack("{s:o, s:o}", "routes", routes ? routes : json_array(), "rules", mine);
}
