/*
 * The "wg_clients" section: the router's WireGuard tunnels to servers
 * (VPN › WireGuard › Clients). Each client is a device wgc_<name> with its
 * key, addresses and one peer, the server.
 */
#include <stdio.h>
#include <string.h>

#include "features/vpn/wg_clients/wgc_int.h"
#include "net/addr.h"
#include "store/doc.h"

static const char *const wgc_on[] = { "true", NULL };

static void wgc_entry_check(const json_t *el, const char *path, const json_t *doc,
			    struct sc_error_list *errs);

static const struct sc_field wgc_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .min = 1,
	  .max = 11, .pattern = "[A-Za-z0-9_]+",
	  .pattern_says = "is not a client name (1-11 letters, digits or '_': its device is "
			  "wgc_<name>)",
	  .title = "Name", .help = "Short: its interface is wgc_<name>, e.g. wgc_PIA." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = "private_key", .kind = SC_WG_KEY, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .title = "Private key", .help = "This client's key, given by the server's admin or "
					   "provider (44 characters of base64)." },
	{ .name = "addresses", .kind = SC_LIST, .item = SC_CIDR, .flags = SC_F_REQUIRED |
	  SC_F_UNIQUE, .min = 1, .max = 8, .title = "Addresses",
	  .help = "The client's addresses in the tunnel, with their lengths (IPv4 and IPv6)." },
	{ .name = "dns", .kind = SC_LIST, .item = SC_CIDR, .flags = SC_F_UNIQUE, .max = 4,
	  .def = "[]", .title = "DNS servers", .help = "The server's resolvers (kept for "
	  "reference: the router's resolver keeps its own upstreams)." },
	{ .name = "dns_search", .kind = SC_LIST, .item = SC_FQDN, .flags = SC_F_UNIQUE, .max = 4,
	  .def = "[]", .title = "DNS search domains", .help = "Names given in the file's DNS=." },
	{ .name = "mtu", .kind = SC_INT, .min = 1280, .max = 1500, .def = "1420", .title = "MTU" },
	{ .name = "static_port", .kind = SC_BOOL, .def = "false", .title = "Static port",
	  .help = "Send from one fixed UDP port (some servers want it); else any free port." },
	{ .name = "listen_port", .kind = SC_PORT, .title = "Listen port",
	  .when = { "static_port", wgc_on } },
	{ .name = "public_key", .kind = SC_WG_KEY, .flags = SC_F_REQUIRED,
	  .title = "Server's public key" },
	{ .name = "preshared_key", .kind = SC_WG_KEY, .flags = SC_F_SECRET,
	  .title = "Preshared key", .help = "Optional: a second key shared with the server." },
	{ .name = "allowed_ips", .kind = SC_LIST, .item = SC_CIDR, .flags = SC_F_REQUIRED |
	  SC_F_UNIQUE, .min = 1, .max = 64, .title = "Allowed IPs",
	  .help = "Networks reachable through this client: 0.0.0.0/0 and ::/0 for everything "
		  "(routed only by policy routes), or a site's ranges (routed directly)." },
	{ .name = "endpoint", .kind = SC_ENDPOINT, .flags = SC_F_REQUIRED, .title = "Endpoint",
	  .help = "The server: host:port, [IPv6]:port or name:port." },
	{ .name = "keepalive", .kind = SC_INT, .min = 0, .max = 65535, .def = "25",
	  .title = "Persistent keepalive", .help = "Seconds between keepalives (0: none); keeps "
	  "the NAT in front of the router open." },
	{ .name = "allow_wan", .kind = SC_BOOL, .def = "false", .title = "Allow forwarding to WAN",
	  .help = "Traffic may pass between the tunnel and the WAN, both ways." },
	{ .name = "allow_lan", .kind = SC_BOOL, .def = "false", .title = "Allow forwarding to LAN",
	  .help = "Traffic may pass between the LAN and the tunnel, both ways." },
	{ .name = "masquerade", .kind = SC_BOOL, .def = "false", .title = "Masquerade",
	  .help = "Traffic leaving by the tunnel takes the client's tunnel address." },
	{ .name = NULL }
};

/* the WireGuard page's second tab (the server's is the first) */
static const struct sc_tab tab_clients = { "clients", "Clients" };

static const struct sc_field wgc_section_fields[] = {
	{ .name = "clients", .kind = SC_COLLECTION, .fields = wgc_fields, .check = wgc_entry_check,
	  .max = WGC_MAX, .def = "[]", .title = "WireGuard clients", .tab = &tab_clients,
	  .help = "Tunnels to WireGuard servers: a VPN provider, another site." },
	{ .name = NULL }
};

static const struct sc_field wgc_section = {
	.name = "wg_clients", .kind = SC_OBJECT, .fields = wgc_section_fields,
	.title = "VPN - WireGuard clients",
	.help = "WireGuard tunnels from the router to servers; each is interface wgc_<name>.",
};

const struct sc_field *const wgc_sections[] = { &wgc_section, NULL };

/* Allowed IPs are networks (the file import turns host bits into their
 * network with a note; a form says so); DNS servers are addresses. */
static void wgc_entry_check(const json_t *el, const char *path, const json_t *doc,
			    struct sc_error_list *errs)
{
	size_t i;
	json_t *v;
	char p[160], net[64];

	(void)doc;
	json_array_foreach(doc_get(el, "allowed_ips"), i, v) {
		struct net_prefix a;

		if (!json_is_string(v) || net_prefix_parse(json_string_value(v), 0, true, &a) ||
		    !net_prefix_host_bits(&a))
			continue;
		net_prefix_clear_host(&a);
		net_prefix_text(&a, true, net, sizeof(net));
		snprintf(p, sizeof(p), "%s.allowed_ips[%zu]", path, i);
		sc_error_add(errs, p, json_string_value(v), "has host bits: the network is %s", net);
	}
	json_array_foreach(doc_get(el, "dns"), i, v) {
		struct net_prefix a;

		if (!json_is_string(v) || net_prefix_parse(json_string_value(v), 0, true, &a) ||
		    !a.has_len)
			continue;
		snprintf(p, sizeof(p), "%s.dns[%zu]", path, i);
		sc_error_add(errs, p, json_string_value(v), "is a network: a DNS server is an address");
	}
	if (doc_bool(el, "static_port", false) && !doc_get(el, "listen_port")) {
		snprintf(p, sizeof(p), "%s.listen_port", path);
		sc_error_add(errs, p, NULL, "is missing: a static port needs it");
	}
}
