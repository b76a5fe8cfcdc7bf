/*
 * The server page's helpers (the manual's buttons): Auto Fill (a random
 * unused port and private range), Generate Client IPs (the next free
 * addresses of the range), and the peers' traffic history.
 */
#include <sodium.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "core/util.h"
#include "features/vpn/wg_server/wg_server_int.h"
#include "net/addr.h"
#include "net/nl.h"
#include "store/doc.h"
#include "store/store.h"

/* The document the page edits: the staged one, or the running one. */
static const json_t *wgs_working(struct rpc_call *c)
{
	const json_t *staged = store_staged_peek(c->env->engine->store);

	return staged ? staged : c->env->engine->running;
}

/* Is a UDP port bound on the router (either family)? */
static bool wgs_udp_port_used(unsigned port)
{
	static const char *const tables[] = { "/proc/net/udp", "/proc/net/udp6" };
	char line[512];

	for (size_t t = 0; t < 2; t++) {
		FILE *f = fopen(tables[t], "re");

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');
			/* "  sl  local_address ...": the local address's ":PORT" in hex */
			char *local = colon ? strchr(colon + 1, ':') : NULL;
			if (local && strtoul(local + 1, NULL, 16) == port) {
				fclose(f);
				return true;
			}
		}
		fclose(f);
	}
	return false;
}

/* Does net (text "a/len") overlap the IPv4 network n? */
static bool wgs_overlaps(const char *text, const struct net_prefix *n)
{
	struct net_prefix p;
	int len;

	if (!text || net_prefix_parse(text, 4, true, &p) != NET_OK)
		return false;
	len = p.len < n->len ? p.len : n->len;
	for (int bit = 0; bit < len; bit++) {
		unsigned char m = (unsigned char)(0x80 >> (bit % 8));
		if ((p.addr[bit / 8] & m) != (n->addr[bit / 8] & m))
			return false;
	}
	return true;
}

/* A /24 of 10.0.0.0/8 no route, address or LAN of the router touches. */
static bool wgs_free_range(const json_t *doc, const struct net_prefix *n)
{
	json_t *routes = nl_routes(AF_INET, -1), *addrs = nl_addresses(AF_INET), *v;
	char lan[64];
	bool used = false;
	size_t i;

	snprintf(lan, sizeof(lan), "%s/%lld", doc_str(doc, "lan.ipv4.address") ?
		 doc_str(doc, "lan.ipv4.address") : "192.168.1.1", doc_int(doc, "lan.ipv4.prefix", 24));
	used = wgs_overlaps(lan, n);
	json_array_foreach(routes, i, v) {
		const char *dst = json_string_value(json_object_get(v, "dst"));
		if (dst && strcmp(dst, "default") && wgs_overlaps(dst, n))
			used = true;
	}
	json_array_foreach(addrs, i, v) {
		char a[64];
		snprintf(a, sizeof(a), "%s/%lld", json_string_value(json_object_get(v, "local")) ?
			 json_string_value(json_object_get(v, "local")) : "0.0.0.0",
			 (long long)json_integer_value(json_object_get(v, "prefixlen")));
		if (wgs_overlaps(a, n))
			used = true;
	}
	json_decref(routes);
	json_decref(addrs);
	return !used;
}

static json_t *wgs_autofill(struct rpc_call *c)
{
	const json_t *doc = wgs_working(c);
	unsigned port = 0;
	struct net_prefix n = { .family = 4, .len = 24, .has_len = true };
	unsigned char ula[5];
	char addr[64] = "", addr6[64];

	/* a port of the dynamic range nothing listens on */
	for (int tries = 0; tries < 200 && !port; tries++) {
		unsigned p = 20000 + randombytes_uniform(40000);
		if (!wgs_udp_port_used(p))
			port = p;
	}
	for (int tries = 0; tries < 500 && !*addr; tries++) {
		n.addr[0] = 10;
		n.addr[1] = (unsigned char)(1 + randombytes_uniform(254));
		n.addr[2] = (unsigned char)randombytes_uniform(256);
		n.addr[3] = 0;
		if (wgs_free_range(doc, &n))
			snprintf(addr, sizeof(addr), "10.%u.%u.1/24", n.addr[1], n.addr[2]);
	}
	if (!port || !*addr)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "no unused port or range was found");
	/* RFC 4193: a random global ID of 40 bits, subnet 0 */
	randombytes_buf(ula, sizeof(ula));
	snprintf(addr6, sizeof(addr6), "fd%02x:%02x%02x:%02x%02x::1/64", ula[0], ula[1], ula[2],
		 ula[3], ula[4]);
	return json_pack("{s:i, s:s, s:s}", "listen_port", (int)port, "address", addr, "address6",
			 addr6);
}

static bool wgs_taken(const json_t *peers, const char *key, const struct net_prefix *a, int skip)
{
	size_t i;
	json_t *peer;

	json_array_foreach(peers, i, peer) {
		struct net_prefix p;
		const char *t = doc_str(peer, key);

		if (skip >= 0 && json_integer_value(json_object_get(peer, "id")) == skip)
			continue;
		if (t && net_prefix_parse(t, a->family, false, &p) == NET_OK &&
		    !memcmp(p.addr, a->addr, a->family == 4 ? 4 : 16))
			return true;
	}
	return false;
}

/* The first address of range (text "a/len") after its network and the
 * router's own that no peer holds; false when it is full. */
static bool wgs_next(const json_t *peers, const char *range, const char *key, int skip,
		     char *out, size_t outlen)
{
	struct net_prefix r, me, a;
	int width;

	if (!range || net_prefix_parse(range, 0, true, &r) != NET_OK)
		return false;
	me = r;
	net_prefix_clear_host(&r);
	width = (r.family == 4 ? 32 : 128) - r.len;
	/* at most 65534 candidates: a peer list is far shorter */
	for (unsigned host = 1; host < 65535 && (width >= 17 || host < (1u << width) - 1); host++) {
		a = r;
		a.len = r.family == 4 ? 32 : 128;
		for (int byte = (r.family == 4 ? 3 : 15), h = (int)host; byte >= 0 && h; byte--, h >>= 8)
			a.addr[byte] |= (unsigned char)(h & 0xff);
		if (!memcmp(a.addr, me.addr, 16) || wgs_taken(peers, key, &a, skip))
			continue;
		a.has_len = false;
		net_prefix_text(&a, false, out, outlen);
		return true;
	}
	return false;
}

static json_t *wgs_next_address(struct rpc_call *c)
{
	const json_t *doc = wgs_working(c);
	json_t *peers = doc_get(doc, "wg_server.peers"), *id = json_object_get(c->params, "id");
	int skip = id ? (int)json_integer_value(id) : -1;
	char a4[64], a6[64];
	json_t *o;

	if (!doc_str(doc, "wg_server.address"))
		return rpc_fail(c, RPC_CONFLICT, "wg_server.address", NULL,
				"wg_server.address: the server has no range yet (Auto Fill makes one)");
	if (!wgs_next(peers, doc_str(doc, "wg_server.address"), "address", skip, a4, sizeof(a4)))
		return rpc_fail(c, RPC_CONFLICT, "wg_server.address", NULL,
				"wg_server.address: every address of the range is taken");
	o = json_pack("{s:s}", "address", a4);
	if (wgs_next(peers, doc_str(doc, "wg_server.address6"), "address6", skip, a6, sizeof(a6)))
		json_object_set_new(o, "address6", json_string(a6));
	return o;
}

static json_t *wgs_traffic_method(struct rpc_call *c)
{
	const json_t *traffic, *doc = c->env->engine->running;
	json_t *out = json_array(), *peer;
	size_t i;

	wgs_traffic_sample();
	traffic = wgs_traffic();
	json_array_foreach(doc_get(doc, "wg_server.peers"), i, peer) {
		char pub[WG_KEY_B64_LEN];
		const json_t *t;
		json_t *h;

		if (!wgs_peer_public(peer, pub))
			continue;
		t = json_object_get(traffic, pub);
		h = json_object_get(t, "history");
		json_array_append_new(out, json_pack("{s:O?, s:s?, s:I, s:I, s:o}",
			"id", json_object_get(peer, "id"), "name", doc_str(peer, "name"),
			"rx_total", (json_int_t)json_integer_value(json_object_get(t, "rx_total")),
			"tx_total", (json_int_t)json_integer_value(json_object_get(t, "tx_total")),
			"history", h ? json_deep_copy(h) : json_array()));
	}
	return out;
}

static const struct sc_field next_params[] = {
	{ .name = "id", .kind = SC_INT, .min = 0, .max = 1LL << 40,
	  .help = "the peer being edited (its own addresses count as free)" },
	{ .name = NULL }
};

/* difosctl prints the file itself */
static void wgs_print_config(const json_t *res)
{
	const char *t = json_string_value(json_object_get(res, "text"));

	fputs(t ? t : "", stdout);
}

static const char *const allow_choices[] = { "all", "lan", "custom", NULL };

static const struct sc_field config_params[] = {
	{ .name = "id", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 0, .max = 1LL << 40,
	  .help = "the peer (its id in wg_server.peers)" },
	{ .name = "allow", .kind = SC_ENUM, .choices = allow_choices, .def = "\"all\"",
	  .help = "all: every destination through the router; lan: the LAN's range (and the "
		  "tunnel's); custom: allowed_ips" },
	{ .name = "allowed_ips", .kind = SC_JSON,
	  .help = "with allow custom: the networks the peer sends through the router" },
	{ .name = "dns", .kind = SC_JSON,
	  .help = "the peer's DNS servers (default: the router's addresses in the tunnel)" },
	{ .name = "endpoint", .kind = SC_STRING, .max = 253, .def = "\"wan4\"",
	  .help = "where the peer finds the router: wan4, wan6 (the WAN's address now) or a "
		  "name (a Dynamic DNS name)" },
	{ .name = "keepalive", .kind = SC_INT, .min = 0, .max = 65535, .def = "25",
	  .help = "seconds between the peer's keepalives (0: off); behind NAT it keeps the way "
		  "open" },
	{ .name = NULL }
};

const struct rpc_method wgs_methods[] = {
	{ "wg_server.peer_config", wgs_peer_config, "a peer's configuration for its WireGuard "
	  "app: wg-quick text, a file name and a QR code (SVG) of the same text", WGS_GROUP,
	  config_params, "{name, filename, text, svg}", RPC_READ,
	  .rest = { { "POST", "/wireguard/server/peer-config" } },
	  .cli = { "wg-peer-config", "id allow? endpoint?", .usage = "PEER-ID [all|lan] [wan4|wan6|NAME]",
		   .print = wgs_print_config } },
	{ "wg_server.autofill", wgs_autofill, "a random unused UDP port and unused private "
	  "ranges (IPv4 /24, IPv6 /64) for the server (the page's Auto Fill)", WGS_GROUP, NULL,
	  "{listen_port, address, address6}", RPC_READ,
	  .rest = { { "GET", "/wireguard/server/autofill" } },
	  .cli = { "wg-autofill" } },
	{ "wg_server.next_address", wgs_next_address, "the next free addresses of the server's "
	  "ranges for a peer (Generate Client IPs)", WGS_GROUP, next_params,
	  "{address, address6?}", RPC_READ,
	  .rest = { { "GET", "/wireguard/server/next-address" } },
	  .cli = { "wg-next-address", "id?", .usage = "[PEER-ID]" } },
	{ "wg_server.traffic", wgs_traffic_method, "each peer's traffic since it was added "
	  "(kept across restarts) and its history of the last day in 5-minute points",
	  WGS_GROUP, NULL, "[{id, name, rx_total, tx_total, history: [[time, rx, tx]]}]", RPC_READ,
	  .rest = { { "GET", "/wireguard/server/traffic" } },
	  .cli = { "wg-traffic" } },
	{ NULL }
};
