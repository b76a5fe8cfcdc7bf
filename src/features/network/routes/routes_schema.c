/*
 * The "routes" section: static IPv4 and IPv6 routes and policy routes,
 * and the rules that tie their fields together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/routes/routes.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "schema/schema.h"
#include "store/doc.h"

static void routes_static4_check(const json_t *el, const char *path, const json_t *doc,
				 struct sc_error_list *errs);
static void routes_static6_check(const json_t *el, const char *path, const json_t *doc,
				 struct sc_error_list *errs);
static void routes_policy_check(const json_t *el, const char *path, const json_t *doc,
				struct sc_error_list *errs);

#define ROUTES_STATIC_TAIL \
	{ .name = "metric", .kind = SC_INT, .min = 0, .max = 65535, .def = "0", .title = "Metric", \
	  .help = "Preference among routes to the same target: lower wins." }, \
	{ .name = "table", .kind = SC_INT, .min = 1, .max = 254, .def = "254", \
	  .title = "Routing table", .help = "1-252, or 254 for the main table." }, \
	{ .name = "description", .kind = SC_STRING, .min = 0, .max = 64, .title = "Description" }, \
	{ .name = NULL }

/* Two routes with the same target, metric and table would replace each
 * other in the kernel: the later one is refused. */
static const char *const routes_static_key[] = { "target", "metric", "table", NULL };
#define ROUTES_KEY_SAYS "with metric {metric} in table {table} is already routed by"

#define ROUTES_ENABLED { .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" }

static const struct sc_field routes_static4_fields[] = {
	ROUTES_ENABLED,
	{ .name = "target", .kind = SC_CIDR4, .flags = SC_F_REQUIRED, .title = "Target",
	  .help = "Network reached by this route, e.g. 10.20.0.0/16." },
	{ .name = "gateway", .kind = SC_IPV4, .title = "Gateway",
	  .help = "Next router on the way; empty for a network directly on the interface." },
	{ .name = "interface", .kind = SC_IFNAME, .title = "Interface",
	  .help = "Device the route leaves through; empty: the one that reaches the gateway." },
	ROUTES_STATIC_TAIL
};

static const struct sc_field routes_static6_fields[] = {
	ROUTES_ENABLED,
	{ .name = "target", .kind = SC_CIDR6, .flags = SC_F_REQUIRED, .title = "Target",
	  .help = "Prefix reached by this route, e.g. 2001:db8:20::/48." },
	{ .name = "gateway", .kind = SC_IPV6, .title = "Gateway",
	  .help = "Next router on the way (a link-local gateway needs the interface)." },
	{ .name = "interface", .kind = SC_IFNAME, .title = "Interface",
	  .help = "Device the route leaves through." },
	ROUTES_STATIC_TAIL
};

static const struct sc_field routes_policy_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1, .max = 32,
	  .title = "Name" },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = "source", .kind = SC_LIST, .item = SC_CIDR4, .max = 256, .def = "[]",
	  .title = "Source", .help = "LAN addresses or networks this route applies to; empty: any." },
	{ .name = "destination", .kind = SC_LIST, .item = SC_CIDR4, .max = 256, .def = "[]",
	  .title = "Destination", .help = "Destination addresses or networks." },
	{ .name = "domains", .kind = SC_LIST, .item = SC_FQDN, .max = 1000, .def = "[]",
	  .title = "Domains", .help = "Destination domains; each includes its subdomains." },
	{ .name = "domain_lists", .kind = SC_LIST, .item = SC_STRING, .max = 16, .def = "[]",
	  .pattern = "[a-z0-9][a-z0-9-]{0,31}", .title = "Premade domain lists",
	  .help = "Lists of well-known domains shipped with the router." },
	{ .name = "interface", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1, .max = 15,
	  .title = "Interface",
	  .help = "Where matching traffic leaves: wan, a custom interface in zone wan, or a "
		  "WireGuard client (wgc_<name>)." },
	{ .name = "description", .kind = SC_STRING, .min = 0, .max = 64, .title = "Description" },
	{ .name = NULL }
};

/* the tabs of the Routes page */
static const struct sc_tab tab_policy = { "policy", "Policy Based" };
static const struct sc_tab tab_static4 = { "static4", "Static IPv4" };
static const struct sc_tab tab_static6 = { "static6", "Static IPv6" };

static const struct sc_field routes_fields[] = {
	{ .name = "policy", .kind = SC_COLLECTION, .fields = routes_policy_fields, .max = 200,
	  .def = "[]", .check = routes_policy_check, .title = "Policy routes",
	  .help = "IPv4 traffic chosen by source, destination or domain, sent through another uplink.",
	  .tab = &tab_policy },
	{ .name = "static4", .kind = SC_COLLECTION, .fields = routes_static4_fields, .max = 1024,
	  .def = "[]", .check = routes_static4_check, .title = "Static IPv4 routes",
	  .unique_key = routes_static_key, .unique_says = ROUTES_KEY_SAYS, .tab = &tab_static4 },
	{ .name = "static6", .kind = SC_COLLECTION, .fields = routes_static6_fields, .max = 1024,
	  .def = "[]", .check = routes_static6_check, .title = "Static IPv6 routes",
	  .unique_key = routes_static_key, .unique_says = ROUTES_KEY_SAYS, .tab = &tab_static6 },
	{ .name = NULL }
};

const struct sc_field routes_section = {
	.name = "routes", .kind = SC_OBJECT, .fields = routes_fields,
	.title = "Routes",
	.help = "Static routes and policy-based routes.",
};

static void routes_errp(struct sc_error_list *errs, const char *path, const char *key,
			const char *value, const char *reason)
{
	char *p = xasprintf("%s.%s", path, key);

	sc_error_add(errs, p, value, "%s", reason);
	free(p);
}

static void routes_check_target(int family, const json_t *el, const char *path,
				struct sc_error_list *errs)
{
	const char *target = doc_str(el, "target");
	char canon[64], *why;
	bool host = false;

	if (!target || !routes_cidr_canon(family, target, canon, sizeof(canon), &host) || !host)
		return;
	why = xasprintf("has bits set right of the prefix length: the network is %s", canon);
	routes_errp(errs, path, "target", target, why);
	free(why);
}

static void routes_check_table(const json_t *el, const char *path, struct sc_error_list *errs)
{
	long long t = doc_int(el, "table", ROUTES_TABLE_MAIN);
	char v[24];

	if (t != 253)
		return;
	snprintf(v, sizeof(v), "%lld", t);
	routes_errp(errs, path, "table", v,
		    "is the kernel's \"default\" table: use 1-252, or 254 for the main table");
}

static void routes_static4_check(const json_t *el, const char *path, const json_t *doc,
				 struct sc_error_list *errs)
{
	const char *target = doc_str(el, "target");
	unsigned addr, lan;
	int len, lan_len;

	if (!doc_str(el, "gateway") && !doc_str(el, "interface"))
		routes_errp(errs, path, "gateway", NULL,
			    "is required when no interface is given (a route needs one of them)");
	routes_check_target(4, el, path, errs);
	routes_check_table(el, path, errs);
	if (!target || !net_parse_cidr4(target, &addr, &len) ||
	    doc_int(el, "table", ROUTES_TABLE_MAIN) != ROUTES_TABLE_MAIN ||
	    doc_int(el, "metric", 0) != 0)
		return;
	/* same target, table and metric as a route the router keeps itself:
	 * installing it would replace that route */
	if (len == 0)
		routes_errp(errs, path, "target", target,
			    "with metric 0 in the main table would replace the WAN's default "
			    "route: give a metric above 0 or another table");
	else if (net_lan_subnet(doc, &lan, &lan_len) && lan_len == len &&
		 (lan & net_mask(len)) == (addr & net_mask(len)))
		routes_errp(errs, path, "target", target,
			    "is the LAN network itself: it is reached without a route");
}

static bool routes_is_link_local6(const char *s)
{
	struct net_prefix a;

	/* fe80::/10 */
	return net_prefix_parse(s, 6, false, &a) == NET_OK && a.addr[0] == 0xfe &&
	       (a.addr[1] & 0xc0) == 0x80;
}

static void routes_static6_check(const json_t *el, const char *path, const json_t *doc,
				 struct sc_error_list *errs)
{
	const char *gw = doc_str(el, "gateway");

	(void)doc;
	if (!gw && !doc_str(el, "interface"))
		routes_errp(errs, path, "gateway", NULL,
			    "is required when no interface is given (a route needs one of them)");
	if (gw && routes_is_link_local6(gw) && !doc_str(el, "interface"))
		routes_errp(errs, path, "gateway", gw,
			    "is a link-local address: it needs the interface it is on");
	routes_check_target(6, el, path, errs);
	routes_check_table(el, path, errs);
}

static void routes_check_prefixes(const json_t *el, const char *path, const char *key,
				  struct sc_error_list *errs)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(el, key), i, v) {
		char canon[64], *why;
		bool host = false;
		if (!routes_cidr_canon(4, json_string_value(v), canon, sizeof(canon), &host) ||
		    !host)
			continue;
		why = xasprintf("has bits set right of the prefix length: the network is %s", canon);
		routes_errp(errs, path, key, json_string_value(v), why);
		free(why);
	}
}

static void routes_check_lists(const json_t *el, const char *path, struct sc_error_list *errs)
{
	char *dir = domain_lists_dir(NULL);
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(el, "domain_lists"), i, v) {
		json_t *list = domain_list_load(dir, json_string_value(v));
		if (!list) {
			json_t *known = domain_lists_index(dir), *k;
			struct sbuf names;
			size_t j;
			sbuf_init(&names);
			json_array_foreach(known, j, k)
				sbuf_printf(&names, "%s%s", j ? ", " : "",
					    json_string_value(json_object_get(k, "name")));
			char *why = xasprintf("is not a premade domain list (there are: %s)",
					      names.len ? names.s : "none");
			routes_errp(errs, path, "domain_lists", json_string_value(v), why);
			free(why);
			sbuf_free(&names);
			json_decref(known);
		}
		json_decref(list);
	}
	free(dir);
}

static char *routes_list_text(const json_t *list)
{
	struct sbuf b;
	size_t i;
	json_t *v;

	sbuf_init(&b);
	json_array_foreach(list, i, v)
		sbuf_printf(&b, "%s%s", i ? "," : "", json_string_value(v));
	return sbuf_steal(&b);
}

static void routes_policy_check(const json_t *el, const char *path, const json_t *doc,
				struct sc_error_list *errs)
{
	size_t nsrc = json_array_size(json_object_get(el, "source"));
	size_t ndst = json_array_size(json_object_get(el, "destination"));
	size_t ndom = json_array_size(json_object_get(el, "domains"));
	size_t nlists = json_array_size(json_object_get(el, "domain_lists"));
	const char *ifname = doc_str(el, "interface");
	struct routes_iface ifc;
	char why[200];

	routes_check_prefixes(el, path, "source", errs);
	routes_check_prefixes(el, path, "destination", errs);
	if (ndst && (ndom || nlists)) {
		const char *key = ndom ? "domains" : "domain_lists";
		char *text = routes_list_text(json_object_get(el, key));
		routes_errp(errs, path, key, text,
			    "cannot be combined with destination: a destination address and "
			    "domains together would be ambiguous");
		free(text);
	}
	if (!nsrc && !ndst && !ndom && !nlists)
		sc_error_add(errs, path, NULL, "needs at least one of source, destination, "
			     "domains or domain_lists");
	routes_check_lists(el, path, errs);
	if (ifname && !routes_policy_iface(doc, ifname, &ifc, why, sizeof(why)))
		routes_errp(errs, path, "interface", ifname, why);
}

