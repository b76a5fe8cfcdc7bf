/*
 * Where policy routes leave: the WAN, a custom interface in zone wan, or a
 * WireGuard client's device (wgc_<name>, point to point: no gateway).
 * Each such interface has an index that gives its packet mark, its routing
 * table and the priority of its ip rule, so the three always agree.
 */
#include <stdio.h>
#include <string.h>

#include "features/network/routes/routes.h"
#include "store/doc.h"

/* Index 1 is the WAN; custom interfaces follow in the order they are listed
 * (at most 64 of them, far below ROUTES_INDEX_MAX). */
#define ROUTES_INDEX_WAN 1
#define ROUTES_INDEX_CUSTOM 2
/* WireGuard clients after the 64 custom interfaces (at most 32 of them) */
#define ROUTES_INDEX_WG (ROUTES_INDEX_CUSTOM + 64)
#define ROUTES_WG_PREFIX "wgc_"

bool routes_policy_iface(const json_t *doc, const char *name, struct routes_iface *out,
			 char *why, size_t whylen)
{
	size_t i;
	json_t *el;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	if (!strcmp(name, "wan")) {
		out->dev = doc_str(doc, "wan.interface");
		/* a PPPoE session's traffic leaves by its PPP device (wan names
		 * it), through the peer its session reports like a lease */
		if (doc_str(doc, "wan.ipv4.proto") && !strcmp(doc_str(doc, "wan.ipv4.proto"), "pppoe"))
			out->dev = "ppp-wan";
		out->enabled = true;
		out->index = ROUTES_INDEX_WAN;
		if (doc_str(doc, "wan.ipv4.proto") && !strcmp(doc_str(doc, "wan.ipv4.proto"), "static"))
			out->gateway = doc_str(doc, "wan.ipv4.gateway");
		else
			out->dhcp_gateway = true;
		return out->dev != NULL;
	}
	json_array_foreach(doc_get(doc, "interfaces.custom"), i, el) {
		const char *dev = doc_str(el, "device");
		if (!dev || strcmp(dev, name))
			continue;
		if (strcmp(doc_str(el, "zone") ? doc_str(el, "zone") : "", "wan")) {
			snprintf(why, whylen, "is a custom interface in zone %s; policy routes leave "
				 "through the WAN or a custom interface in zone wan", doc_str(el, "zone"));
			return false;
		}
		out->dev = dev;
		out->gateway = doc_str(el, "ipv4_gateway");
		out->enabled = doc_bool(el, "enabled", true);
		out->index = ROUTES_INDEX_CUSTOM + (int)i;
		return true;
	}
	json_array_foreach(doc_get(doc, "wg_clients.clients"), i, el) {
		const char *client = doc_str(el, "name");

		if (!client || strncmp(name, ROUTES_WG_PREFIX, strlen(ROUTES_WG_PREFIX)) ||
		    strcmp(name + strlen(ROUTES_WG_PREFIX), client))
			continue;
		out->dev = out->name;
		out->enabled = doc_bool(el, "enabled", true);
		out->index = ROUTES_INDEX_WG + (int)i;
		return true;
	}
	snprintf(why, whylen, "is neither \"wan\" nor the device of a custom interface in zone wan "
		 "nor a WireGuard client's (wgc_<name>)");
	return false;
}

void routes_policy_foreach(const json_t *doc, routes_policy_fn fn, void *arg)
{
	size_t i;
	json_t *pol;
	char why[160];

	json_array_foreach(doc_get(doc, "routes.policy"), i, pol) {
		struct routes_iface ifc;
		const char *name = doc_str(pol, "interface");

		if (!doc_bool(pol, "enabled", true) || !name ||
		    !routes_policy_iface(doc, name, &ifc, why, sizeof(why)) || !ifc.enabled)
			continue;
		fn(pol, &ifc, arg);
	}
}

unsigned routes_mark(int index)
{
	return ((unsigned)index << ROUTES_MARK_SHIFT) & ROUTES_MARK_MASK;
}

int routes_table(int index)
{
	return ROUTES_TABLE_BASE + index;
}

int routes_pref(int index)
{
	return ROUTES_PREF_BASE + index;
}
