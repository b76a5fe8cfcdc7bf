/*
 * VPN › WireGuard › Server: the router as a WireGuard endpoint with its
 * peers (the manual's "Creating a Server (Endpoint) with Peers").
 *
 * The server's key pair is made on the router at the first start and
 * never shown (the public key is, in the status); each peer gets a key
 * pair made on the router when it is added, so its configuration can be
 * handed over whole (text, file, QR code); a peer that made its own keys
 * gives its public key instead. Defaults follow the manual's example: the
 * peers reach the LAN and the WAN through the router, and the port is
 * open on the WAN, once the server is enabled.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/vpn/wg_server/wg_server_int.h"
#include "net/addr.h"
#include "store/doc.h"

static const struct sc_tab tab_server = { "server", "Server" };

char *wgs_key_generate(void)
{
	unsigned char k[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN];

	wg_key_generate(k);
	wg_key_to_base64(b64, k);
	sodium_memzero(k, sizeof(k));
	return xasprintf("\"%s\"", b64);
}

static const struct sc_field peer_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .min = 1,
	  .max = 32, .title = "Name", .help = "Who this peer is (a person, a phone)." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = "address", .kind = SC_IPV4, .flags = SC_F_UNIQUE, .title = "Address",
	  .help = "The peer's IPv4 address inside the tunnel, in the server's range "
		  "(Generate gives the next free one)." },
	{ .name = "address6", .kind = SC_IPV6, .flags = SC_F_UNIQUE, .title = "IPv6 address",
	  .help = "The peer's IPv6 address inside the tunnel, in the server's IPv6 range." },
	{ .name = "routable_ips", .kind = SC_LIST, .item = SC_CIDR4, .max = 64, .def = "[]",
	  .title = "Client routable IPs",
	  .help = "Networks behind the peer that the router reaches through it (e.g. "
		  "10.254.248.0/24); empty for a single device." },
	{ .name = "routable_ips6", .kind = SC_LIST, .item = SC_CIDR6, .max = 64, .def = "[]",
	  .title = "Client routable IPv6 networks" },
	{ .name = "preshared_key", .kind = SC_WG_KEY, .flags = SC_F_SECRET,
	  .title = "Preshared key",
	  .help = "Optional second key shared with this peer only (post-quantum resistance)." },
	{ .name = "public_key", .kind = SC_WG_KEY, .title = "Public key",
	  .help = "Only for a peer that made its own keys; empty: the router made this peer's "
		  "key pair, and its configuration carries the private key." },
	{ .name = "private_key", .kind = SC_WG_KEY, .flags = SC_F_SECRET,
	  .title = "Private key",
	  .help = "Made by the router when the peer is added; never shown.",
	  .generate = wgs_key_generate },
	{ .name = "keepalive", .kind = SC_INT, .min = 0, .max = 65535, .def = "0",
	  .title = "Keepalive", .help = "Seconds between keepalives the router sends (0: off)." },
	{ .name = NULL }
};

static void wgs_err(struct sc_error_list *errs, const char *path, const char *member,
		    const char *value, const char *fmt, const char *arg)
{
	char *p = xasprintf("%s.%s", path, member), *msg = xasprintf(fmt, arg);

	sc_error_add(errs, p, value, "%s", msg);
	free(msg);
	free(p);
}

/* Is a (text) inside the network cidr (text)? */
static bool wgs_inside(const char *a, const char *cidr, int family)
{
	struct net_prefix p, n;

	if (net_prefix_parse(a, family, false, &p) != NET_OK ||
	    net_prefix_parse(cidr, family, true, &n) != NET_OK)
		return false;
	for (int bit = 0; bit < n.len; bit++) {
		unsigned char m = (unsigned char)(0x80 >> (bit % 8));
		if ((p.addr[bit / 8] & m) != (n.addr[bit / 8] & m))
			return false;
	}
	return true;
}

/* Do two networks share addresses? (the shorter one holds the other's start) */
static bool wgs_overlap(const struct net_prefix *a, const struct net_prefix *b)
{
	int len = a->len < b->len ? a->len : b->len;

	if (a->family != b->family)
		return false;
	for (int bit = 0; bit < len; bit++) {
		unsigned char m = (unsigned char)(0x80 >> (bit % 8));
		if ((a->addr[bit / 8] & m) != (b->addr[bit / 8] & m))
			return false;
	}
	return true;
}

static void wgs_check_range(const char *cidr, const char *path, const json_t *doc,
			    struct sc_error_list *errs)
{
	struct net_prefix me, lan;
	const char *lan_addr = doc_str(doc, "lan.ipv4.address");
	char lan_text[64];

	if (net_prefix_parse(cidr, 4, true, &me) != NET_OK)
		return;
	if (me.len > 30)
		wgs_err(errs, path, "address", cidr, "%s: a range of at least 4 addresses (/30 or "
			"shorter) is needed: the router and its peers", "leaves no room for peers");
	if (!lan_addr || net_prefix_parse(lan_addr, 4, false, &lan) != NET_OK)
		return;
	lan.len = (int)doc_int(doc, "lan.ipv4.prefix", 24);
	if (wgs_overlap(&me, &lan)) {
		net_prefix_clear_host(&lan);
		net_prefix_text(&lan, true, lan_text, sizeof(lan_text));
		wgs_err(errs, path, "address", cidr, "overlaps the LAN %s: peers and LAN hosts "
			"would share addresses; choose another private range", lan_text);
	}
}

static void wgs_check(const json_t *obj, const char *path, const json_t *doc,
		      struct sc_error_list *errs)
{
	const char *addr = json_string_value(json_object_get(obj, "address"));
	const char *addr6 = json_string_value(json_object_get(obj, "address6"));
	json_t *peers = json_object_get(obj, "peers"), *peer;
	size_t i;

	if (json_is_true(json_object_get(obj, "enabled")) && !addr)
		wgs_err(errs, path, "address", NULL, "%s", "is required while the server is "
			"enabled (Auto Fill finds an unused range)");
	if (addr)
		wgs_check_range(addr, path, doc, errs);
	json_array_foreach(peers, i, peer) {
		const char *pa = json_string_value(json_object_get(peer, "address"));
		const char *pa6 = json_string_value(json_object_get(peer, "address6"));
		char *pp = xasprintf("%s.peers[%lld]", path,
				     (long long)json_integer_value(json_object_get(peer, "id")));
		struct net_prefix me, p;

		if (pa && addr && !wgs_inside(pa, addr, 4))
			wgs_err(errs, pp, "address", pa, "is outside the server's range %s", addr);
		else if (pa && addr && net_prefix_parse(addr, 4, true, &me) == NET_OK &&
			 net_prefix_parse(pa, 4, false, &p) == NET_OK && !memcmp(me.addr, p.addr, 4))
			wgs_err(errs, pp, "address", pa, "%s", "is the router's own address in the "
				"tunnel");
		if (pa6 && addr6 && !wgs_inside(pa6, addr6, 6))
			wgs_err(errs, pp, "address6", pa6, "is outside the server's IPv6 range %s",
				addr6);
		if (pa6 && !addr6)
			wgs_err(errs, pp, "address6", pa6, "%s", "needs the server's IPv6 address "
				"(the server has none)");
		if (!pa && !pa6)
			wgs_err(errs, pp, "address", NULL, "%s", "is required (or an IPv6 address): "
				"a peer needs an address in the tunnel");
		free(pp);
	}
}

static const struct sc_field server_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "false", .title = "Enable WireGuard server" },
	{ .name = "listen_port", .kind = SC_PORT, .def = "51820", .title = "Listen port",
	  .help = "The UDP port peers connect to (Auto Fill picks a random unused one)." },
	{ .name = "address", .kind = SC_CIDR4, .title = "IP address",
	  .help = "The router's address in the tunnel with the range's length, e.g. "
		  "10.7.0.1/24: the peers get addresses of that range." },
	{ .name = "address6", .kind = SC_CIDR6, .title = "IPv6 address",
	  .help = "Optional: the router's IPv6 address in the tunnel, e.g. fd42:7::1/64." },
	{ .name = "mtu", .kind = SC_INT, .min = 1280, .max = 1500, .def = "1420", .title = "MTU" },
	{ .name = "allow_wan", .kind = SC_BOOL, .def = "true", .title = "Peers may reach WAN",
	  .help = "Peers reach the internet through the router (with its WAN address)." },
	{ .name = "allow_lan", .kind = SC_BOOL, .def = "true", .title = "Peers may reach LAN",
	  .help = "Peers reach the LAN's hosts and the router's own services." },
	{ .name = "open_port", .kind = SC_BOOL, .def = "true", .title = "Open WireGuard port on WAN",
	  .help = "Peers on the internet can reach the listen port." },
	{ .name = "private_key", .kind = SC_WG_KEY, .flags = SC_F_SECRET,
	  .title = "Private key",
	  .help = "Made on the router at the first start; never shown.",
	  .generate = wgs_key_generate },
	{ .name = "peers", .kind = SC_COLLECTION, .fields = peer_fields, .max = 4096,
	  .title = "Peers", .help = "The devices that connect to this server.", .tab = &tab_server },
	{ .name = NULL }
};

static const struct sc_field wgs_section = {
	.name = "wg_server", .kind = SC_OBJECT, .fields = server_fields, .check = wgs_check,
	.title = "WireGuard server", .help = "The router as a WireGuard endpoint for its peers.",
	.tab = &tab_server,
};

const struct sc_field *const wgs_sections[] = { &wgs_section, NULL };
