/*
 * The LAN's clients: one entry per device (by MAC) that holds an active
 * DHCP lease or is in the LAN bridge's neighbour table, named after its
 * static lease or what it told the DHCP server. The dashboard's count is
 * the length of this list, so the number and the list cannot disagree.
 */
#include <ctype.h>
#include <string.h>

#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "store/doc.h"

/* Neighbour states of a device that answered lately (or was set by hand);
 * INCOMPLETE and FAILED ones never answered, NOARP ones are not devices. */
static const char *const clients_live_states[] = {
	"REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT",
};

static bool clients_neigh_live(const json_t *n)
{
	const json_t *st = json_object_get(n, "state"), *s;
	size_t i;

	json_array_foreach(st, i, s)
		for (size_t j = 0; j < ARRAY_SIZE(clients_live_states); j++)
			if (json_is_string(s) && !strcmp(json_string_value(s), clients_live_states[j]))
				return true;
	return false;
}

/* MACs compared as the kernel and dnsmasq print them: lower case */
static void clients_mac(const char *mac, char out[18])
{
	size_t i;

	for (i = 0; i < 17 && mac && mac[i]; i++)
		out[i] = (char)tolower((unsigned char)mac[i]);
	out[i] = '\0';
}

static const json_t *clients_static_of(const json_t *statics, const char *mac)
{
	const json_t *s;
	size_t i;
	char m[18];

	json_array_foreach(statics, i, s) {
		clients_mac(doc_str(s, "mac"), m);
		if (!strcmp(m, mac))
			return s;
	}
	return NULL;
}

static json_t *clients_entry(json_t *list, json_t *by_mac, const char *mac, const json_t *statics)
{
	json_t *c = json_object_get(by_mac, mac);
	const json_t *st;

	if (c)
		return c;
	st = clients_static_of(statics, mac);
	c = json_pack("{s:s, s:n, s:n, s:s, s:b}", "mac", mac, "name", "ip", "kind",
		      st ? "static" : "neighbour", "online", 0);
	if (st) {
		const char *name = doc_str(st, "name");
		json_object_set_new(c, "name", json_string(name && *name ? name :
							   doc_str(st, "hostname")));
		json_object_set_new(c, "ip", json_string(doc_str(st, "ip")));
	}
	json_array_append_new(list, c);
	json_object_set(by_mac, mac, c);
	return c;
}

json_t *dashboard_clients(const json_t *active, const json_t *neigh, const char *lan_dev,
			  const json_t *statics)
{
	json_t *list = json_array(), *by_mac = json_object(), *c;
	const json_t *l, *n;
	size_t i;
	char mac[18];

	json_array_foreach(active, i, l) {
		if (!doc_str(l, "mac"))
			continue;
		clients_mac(doc_str(l, "mac"), mac);
		c = clients_entry(list, by_mac, mac, statics);
		if (!strcmp(json_string_value(json_object_get(c, "kind")), "neighbour"))
			json_object_set_new(c, "kind", json_string("lease"));
		if (json_is_null(json_object_get(c, "name")) && doc_str(l, "hostname"))
			json_object_set_new(c, "name", json_string(doc_str(l, "hostname")));
		json_object_set(c, "ip", json_object_get(l, "ip"));
		json_object_set(c, "expires", json_object_get(l, "expires"));
	}
	/* IPv4 entries first: a device's address is its IPv4 one when it has one */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(neigh, i, n) {
			const char *dst = doc_str(n, "dst");
			bool v6 = dst && strchr(dst, ':');

			if (!doc_str(n, "lladdr") || !lan_dev || !doc_str(n, "dev") ||
			    strcmp(doc_str(n, "dev"), lan_dev) || !clients_neigh_live(n) ||
			    v6 != (pass == 1))
				continue;
			clients_mac(doc_str(n, "lladdr"), mac);
			c = clients_entry(list, by_mac, mac, statics);
			json_object_set_new(c, "online", json_true());
			if (json_is_null(json_object_get(c, "ip")))
				json_object_set_new(c, "ip", json_string(dst));
		}
	}
	json_decref(by_mac);
	return list;
}
