/*
 * The "qos" and "sqm" sections and their cross-field rules. All speeds
 * are stored and entered in Mbps, as the manual says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"
#include "net/addr.h"
#include "net/ipv4.h"

static void qos_check(const json_t *qos, const char *path, const json_t *doc,
		      struct sc_error_list *errs);
static void sqm_check(const json_t *sqm, const char *path, const json_t *doc,
		      struct sc_error_list *errs);

static const struct sc_field qos_ip_fields[] = {
	{ .name = "ip", .kind = SC_IPV4, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .title = "IP address",
	  .unique_says = "is already limited by",
	  .help = "LAN address of the client." },
	{ .name = "download", .kind = SC_RATE, .max = QOS_RATE_MAX, .title = "Download (Mbps)",
	  .help = "Speed to the client; empty: the default download rate." },
	{ .name = "upload", .kind = SC_RATE, .max = QOS_RATE_MAX, .title = "Upload (Mbps)",
	  .help = "Speed from the client; empty: the default upload rate." },
	{ .name = "description", .kind = SC_STRING, .min = 0, .max = 64, .title = "Description" },
	{ .name = NULL }
};

static const struct sc_field qos_mac_fields[] = {
	{ .name = "mac", .kind = SC_MAC, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .title = "MAC address",
	  .unique_says = "is already limited by",
	  .help = "Hardware address of the client (see the DHCP leases)." },
	{ .name = "download", .kind = SC_RATE, .max = QOS_RATE_MAX, .title = "Download (Mbps)",
	  .help = "Speed to the client; empty: the default download rate." },
	{ .name = "upload", .kind = SC_RATE, .max = QOS_RATE_MAX, .title = "Upload (Mbps)",
	  .help = "Speed from the client; empty: the default upload rate." },
	{ .name = "description", .kind = SC_STRING, .min = 0, .max = 64, .title = "Description" },
	{ .name = NULL }
};

/* the tabs of the Bandwidth Control page */
static const struct sc_tab tab_qos = { "qos", "QoS" };
static const struct sc_tab tab_by_ip = { "by-ip", "Limit by IP" };
static const struct sc_tab tab_by_mac = { "by-mac", "Limit by MAC" };
static const struct sc_tab tab_whitelist = { "whitelist", "Whitelist" };
static const struct sc_tab tab_sqm = { "sqm", "SQM" };

static const struct sc_field qos_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "false", .title = "Rate limiting",
	  .help = "Limit the speed of the clients of the Limit by IP and Limit by MAC tabs (the Whitelist tab's are never limited).",
	  .tab = &tab_qos },
	{ .name = "download", .kind = SC_RATE, .max = QOS_RATE_MAX, .def = "10",
	  .title = "Default download (Mbps)",
	  .help = "Download limit of the entries that do not set their own.",
	  .tab = &tab_qos },
	{ .name = "upload", .kind = SC_RATE, .max = QOS_RATE_MAX, .def = "10",
	  .title = "Default upload (Mbps)",
	  .help = "Upload limit of the entries that do not set their own.",
	  .tab = &tab_qos },
	{ .name = "by_ip", .kind = SC_COLLECTION, .fields = qos_ip_fields, .max = QOS_ENTRIES_MAX,
	  .title = "Limit by IP",
	  .help = "Clients limited by their address (the limit is lost if the address changes).",
	  .tab = &tab_by_ip },
	{ .name = "by_mac", .kind = SC_COLLECTION, .fields = qos_mac_fields,
	  .max = QOS_ENTRIES_MAX, .title = "Limit by MAC",
	  .help = "Clients limited by their hardware address (preferred: harder to change).",
	  .tab = &tab_by_mac },
	{ .name = "whitelist_ips", .kind = SC_LIST, .flags = SC_F_UNIQUE, .item = SC_IPV4, .max = 256,
	  .def = "[]", .title = "Whitelisted IPs", .help = "Addresses that are never limited.",
	  .tab = &tab_whitelist },
	{ .name = "whitelist_macs", .kind = SC_LIST, .flags = SC_F_UNIQUE, .item = SC_MAC, .max = 256,
	  .def = "[]", .title = "Whitelisted MACs", .help = "Hardware addresses that are never limited.",
	  .tab = &tab_whitelist },
	{ .name = NULL }
};

static const struct sc_field sqm_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "false", .title = "Smart queue management",
	  .help = "Keep latency low under load with the cake queue discipline on the WAN." },
	{ .name = "download", .kind = SC_RATE, .max = QOS_RATE_MAX, .title = "Download (Mbps)",
	  .help = "90-95 % of the advertised download speed (Auto Fill computes it)." },
	{ .name = "upload", .kind = SC_RATE, .max = QOS_RATE_MAX, .title = "Upload (Mbps)",
	  .help = "90-95 % of the advertised upload speed (Auto Fill computes it)." },
	{ .name = NULL }
};

static const struct sc_field qos_section = {
	.name = "qos", .kind = SC_OBJECT, .fields = qos_fields, .check = qos_check,
	.title = "Bandwidth control - QoS",
	.help = "Rate limits per client, by IP or MAC address, in Mbps.",
};

static const struct sc_field sqm_section = {
	.name = "sqm", .kind = SC_OBJECT, .fields = sqm_fields, .check = sqm_check,
	.title = "Bandwidth control - SQM",
	.help = "Smart queue management on the WAN: low delay when the line is full.",
	.tab = &tab_sqm,
};

const struct sc_field *const qos_sections[] = { &qos_section, &sqm_section, NULL };

/* SC_RATE only knows integer limits; the shaper's finest step is checked here. */
static void qos_check_rate(const json_t *obj, const char *key, const char *path,
			   struct sc_error_list *errs)
{
	json_t *v = json_object_get(obj, key);
	char *p;

	if (!json_is_number(v) || json_number_value(v) >= QOS_RATE_MIN)
		return;
	p = xasprintf("%s.%s", path, key);
	sc_error_addj(errs, p, v, "is below the smallest rate, %g Mbps", QOS_RATE_MIN);
	free(p);
}

static char *qos_entry_path(const char *coll, const json_t *el, const char *key)
{
	return xasprintf("qos.%s[%lld].%s", coll,
			 (long long)json_integer_value(json_object_get(el, "id")), key);
}

/* The form two entries are compared in: MACs in one case and separator. */
static void qos_key(const char *v, bool mac, char out[64])
{
	if (mac && strlen(v) == 17)
		qos_mac_canon(v, out);
	else
		snprintf(out, 64, "%s", v);
}

static bool qos_list_has(const json_t *list, const char *key, bool mac)
{
	size_t i;
	json_t *v;
	char k[64];

	json_array_foreach(list, i, v) {
		if (!json_is_string(v))
			continue;
		qos_key(json_string_value(v), mac, k);
		if (!strcmp(k, key))
			return true;
	}
	return false;
}

/* An entry's rates, whitelist and subnet (the same key twice is the schema's: unique). */
static void qos_check_entries(const json_t *qos, const char *coll, const char *key,
			      const char *wl, const json_t *doc, struct sc_error_list *errs)
{
	json_t *el;
	unsigned lan, ip;
	int prefix;
	bool have_lan = net_lan_subnet(doc, &lan, &prefix);
	char cidr[20];
	size_t i;

	if (have_lan)
		net_cidr_text(lan, prefix, cidr);
	json_array_foreach(json_object_get(qos, coll), i, el) {
		const char *v = json_string_value(json_object_get(el, key));
		bool mac = !strcmp(key, "mac");
		char *p, *base, k[64];

		if (!v)
			continue;
		qos_key(v, mac, k);
		p = qos_entry_path(coll, el, key);
		base = xasprintf("qos.%s[%lld]", coll,
				 (long long)json_integer_value(json_object_get(el, "id")));
		qos_check_rate(el, "download", base, errs);
		qos_check_rate(el, "upload", base, errs);
		free(base);
		if (qos_list_has(json_object_get(qos, wl), k, mac))
			sc_error_add(errs, p, v, "is also in qos.%s: an entry is either limited or "
				     "whitelisted", wl);
		/* the shaper sits on the LAN bridge: another subnet never passes it */
		if (!strcmp(key, "ip") && have_lan && net_parse_ipv4(v, &ip)) {
			if ((ip & net_mask(prefix)) != (lan & net_mask(prefix)))
				sc_error_add(errs, p, v, "is outside the LAN %s", cidr);
			else if (ip == lan)
				sc_error_add(errs, p, v, "is the router's own address");
		}
		free(p);
	}
}

static void qos_check(const json_t *qos, const char *path, const json_t *doc,
		      struct sc_error_list *errs)
{
	qos_check_rate(qos, "download", path, errs);
	qos_check_rate(qos, "upload", path, errs);
	qos_check_entries(qos, "by_ip", "ip", "whitelist_ips", doc, errs);
	qos_check_entries(qos, "by_mac", "mac", "whitelist_macs", doc, errs);
}

static void sqm_check(const json_t *sqm, const char *path, const json_t *doc,
		      struct sc_error_list *errs)
{
	static const char *const keys[] = { "download", "upload" };

	(void)doc;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		qos_check_rate(sqm, keys[i], path, errs);
		if (json_is_true(json_object_get(sqm, "enabled")) &&
		    !json_object_get(sqm, keys[i])) {
			char *p = xasprintf("%s.%s", path, keys[i]);
			sc_error_add(errs, p, NULL, "is required when %s.enabled is true", path);
			free(p);
		}
	}
}
