/*
 * VPN › WireGuard › Server: the device wg0 with the server's key and its
 * peers, its addresses, the routes to the networks behind peers, the
 * firewall's openings, and the peers' live state.
 *
 * The device is configured through sys->wg, which changes only what
 * differs (net/wg.h): adding, changing or removing one peer leaves the
 * other peers' sessions alone, and the device is never re-created while
 * the server stays enabled.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/log.h"
#include "core/util.h"
#include "features/vpn/wg_link.h"
#include "features/vpn/wg_server/wg_server_int.h"
#include "net/addr.h"
#include "store/doc.h"

static int wgs_render(struct feature_ctx *ctx, struct render_out *out)
{
	struct wg_device d;
	char why[128];
	char *text;

	if (!doc_bool(ctx->doc, "wg_server.enabled", false))
		return 0;
	if (wgs_device(ctx->doc, &d, why, sizeof(why)) < 0) {
		ctx->err = xasprintf("wg_server: %s", why);
		return -1;
	}
	/* the device as `wg setconf` reads it: the key inside, so root only */
	text = wgs_setconf_text(&d);
	render_add(out, WGS_DEV ".conf", 0600, text);
	wg_device_free(&d);
	return 0;
}

/* The addresses (with lengths) and routed networks a document gives wg0. */
struct wgs_net {
	const char *addr4, *addr6;
	json_t *routes;   /* ["a/len", ...] */
};

static void wgs_net_of(const json_t *doc, struct wgs_net *n)
{
	json_t *peers = doc_get(doc, "wg_server.peers"), *peer, *v;
	size_t i, j;

	memset(n, 0, sizeof(*n));
	n->routes = json_array();
	if (!doc || !doc_bool(doc, "wg_server.enabled", false))
		return;
	n->addr4 = doc_str(doc, "wg_server.address");
	n->addr6 = doc_str(doc, "wg_server.address6");
	json_array_foreach(peers, i, peer) {
		if (!doc_bool(peer, "enabled", true))
			continue;
		json_array_foreach(doc_get(peer, "routable_ips"), j, v)
			json_array_append(n->routes, v);
		json_array_foreach(doc_get(peer, "routable_ips6"), j, v)
			json_array_append(n->routes, v);
	}
}

static bool wgs_has(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), s))
			return true;
	return false;
}

static void wgs_route(struct sys *s, const char *dst, enum nl_op_kind kind, char **err)
{
	struct nl_op op = { .kind = kind, .dev = WGS_DEV, .addr = dst, .proto = WG_ROUTE_PROTO,
			    .family = strchr(dst, ':') ? 6 : 4 };

	sys_net(s, err, &op);
}

/* Addresses and routes: the new ones in, those of the old document gone. */
static int wgs_apply_net(struct feature_ctx *ctx)
{
	struct sys *s = ctx->env->sys;
	struct wgs_net now, before;
	const char *old[2], *cur[2];
	char *err = NULL;
	size_t i;
	json_t *v;

	wgs_net_of(ctx->doc, &now);
	wgs_net_of(ctx->old_doc, &before);
	old[0] = before.addr4, old[1] = before.addr6, cur[0] = now.addr4, cur[1] = now.addr6;
	for (int k = 0; k < 2; k++) {
		struct nl_op del = { .kind = NL_ADDR_DEL, .dev = WGS_DEV, .addr = old[k] };
		struct nl_op add = { .kind = NL_ADDR_REPLACE, .dev = WGS_DEV, .addr = cur[k] };

		if (old[k] && (!cur[k] || strcmp(old[k], cur[k])))
			sys_net(s, NULL, &del);
		if (cur[k] && sys_net(s, &err, &add) < 0)
			break;
	}
	json_array_foreach(before.routes, i, v)
		if (!wgs_has(now.routes, json_string_value(v)))
			wgs_route(s, json_string_value(v), NL_ROUTE_DEL, NULL);
	json_array_foreach(now.routes, i, v)
		if (!err)
			wgs_route(s, json_string_value(v), NL_ROUTE_REPLACE, &err);
	json_decref(now.routes);
	json_decref(before.routes);
	if (err) {
		ctx->err = xasprintf("wg_server: %s", err);
		free(err);
		return -1;
	}
	return 0;
}

static int wgs_apply(struct feature_ctx *ctx)
{
	struct wg_device d;
	char why[128], *dir, *err = NULL;
	int rc;

	if (!doc_bool(ctx->doc, "wg_server.enabled", false)) {
		wg_link_remove(ctx, WGS_DEV, WGS_ENGINE);
		return 0;
	}
	if (wgs_device(ctx->doc, &d, why, sizeof(why)) < 0) {
		ctx->err = xasprintf("wg_server: %s", why);
		return -1;
	}
	if (wg_link_ensure(ctx, WGS_DEV, WGS_ENGINE) < 0 ||
	    sys_net(ctx->env->sys, &err, &(struct nl_op){ .kind = NL_LINK_MTU, .dev = WGS_DEV,
		    .mtu = (unsigned)doc_int(ctx->doc, "wg_server.mtu", 1420) }) < 0 ||
	    sys_net(ctx->env->sys, &err, &(struct nl_op){ .kind = NL_LINK_UP, .dev = WGS_DEV }) < 0) {
		if (err && !ctx->err)
			ctx->err = xasprintf("wg_server: %s", err);
		free(err);
		wg_device_free(&d);
		return -1;
	}
	dir = wg_sockdir(ctx->env);
	rc = ctx->env->sys->wg(ctx->env->sys, dir, WGS_DEV, &d, &err);
	free(dir);
	sodium_memzero(d.private_key, sizeof(d.private_key));
	wg_device_free(&d);
	if (rc < 0) {
		ctx->err = xasprintf("wg_server: %s", err ? err : "cannot configure " WGS_DEV);
		free(err);
		return -1;
	}
	return wgs_apply_net(ctx);
}

/* The peers' live state, by name: endpoint, latest handshake, bytes. */
static json_t *wgs_peers_live(struct feature_ctx *ctx, const struct wg_device *d)
{
	json_t *out = json_array(), *peer;
	const json_t *traffic = wgs_traffic();
	size_t i;

	json_array_foreach(doc_get(ctx->doc, "wg_server.peers"), i, peer) {
		char pub[WG_KEY_B64_LEN];
		json_t *o = json_pack("{s:O?, s:s?, s:b}", "id", json_object_get(peer, "id"),
				      "name", doc_str(peer, "name"), "enabled",
				      doc_bool(peer, "enabled", true));
		const json_t *t;

		if (wgs_peer_public(peer, pub)) {
			json_object_set_new(o, "public_key", json_string(pub));
			for (size_t k = 0; d && k < d->n_peers; k++) {
				char b[WG_KEY_B64_LEN], ep[80] = "";
				const struct wg_peer *p = &d->peers[k];

				wg_key_to_base64(b, p->public_key);
				if (strcmp(b, pub))
					continue;
				wg_endpoint_text(ep, sizeof(ep), &p->endpoint);
				json_object_set_new(o, "endpoint", p->endpoint.ss_family != AF_UNSPEC ? json_string(ep) : json_null());
				json_object_set_new(o, "latest_handshake",
						    json_integer(p->last_handshake));
				json_object_set_new(o, "rx_bytes", json_integer((json_int_t)p->rx_bytes));
				json_object_set_new(o, "tx_bytes", json_integer((json_int_t)p->tx_bytes));
			}
			t = json_object_get(traffic, pub);
			if (t) {
				json_object_set(o, "rx_total", json_object_get(t, "rx_total"));
				json_object_set(o, "tx_total", json_object_get(t, "tx_total"));
			}
		}
		json_array_append_new(out, o);
	}
	return out;
}

static json_t *wgs_status(struct feature_ctx *ctx)
{
	const char *key = doc_str(ctx->doc, "wg_server.private_key");
	bool on = doc_bool(ctx->doc, "wg_server.enabled", false);
	unsigned char k[WG_KEY_LEN], p[WG_KEY_LEN];
	char pub[WG_KEY_B64_LEN] = "", why[160] = "", *dir = wg_sockdir(ctx->env);
	struct wg_device d;
	bool live = false;
	json_t *o;

	if (key && wg_key_from_base64(k, key) == 0) {
		wg_key_public(p, k);
		sodium_memzero(k, sizeof(k));
		wg_key_to_base64(pub, p);
	}
	memset(&d, 0, sizeof(d));
	if (on)
		live = wg_get(dir, WGS_DEV, &d, why, sizeof(why)) == 0;
	free(dir);
	o = json_pack("{s:b, s:s, s:s, s:o}", "enabled", on, "device", WGS_DEV, "public_key", pub,
		      "peers", wgs_peers_live(ctx, live ? &d : NULL));
	json_object_set_new(o, "state", json_string(!on ? "disabled" : live ? "up" : "down"));
	if (on && !live)
		json_object_set_new(o, "error", json_string(why));
	if (live)
		json_object_set_new(o, "listen_port", json_integer(d.listen_port));
	wg_device_free(&d);
	return o;
}

static void wgs_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	const json_t *doc = ctx->doc;

	if (!doc_bool(doc, "wg_server.enabled", false))
		return;
	if (doc_bool(doc, "wg_server.open_port", true))
		sbuf_printf(&out->slot[NFT_INPUT_WAN], "\t\tudp dport %lld accept comment "
			    "\"WireGuard server\"\n", doc_int(doc, "wg_server.listen_port", 51820));
	/* the router's DNS answers peers whatever else they may reach */
	sbuf_add(&out->slot[NFT_INPUT], "\t\tiifname \"" WGS_DEV "\" meta l4proto { tcp, udp } "
		 "th dport 53 accept comment \"WireGuard peers: DNS\"\n"
		 "\t\tiifname \"" WGS_DEV "\" meta l4proto { icmp, ipv6-icmp } accept comment "
		 "\"WireGuard peers: ping, errors\"\n");
	/* the zones' devices are the firewall's sets: custom interfaces count */
	if (doc_bool(doc, "wg_server.allow_lan", true)) {
		sbuf_add(&out->slot[NFT_INPUT], "\t\tiifname \"" WGS_DEV "\" accept comment "
			 "\"WireGuard peers: the router's services\"\n");
		sbuf_add(&out->slot[NFT_FORWARD], "\t\tiifname \"" WGS_DEV "\" oifname @zone_lan "
			 "accept comment \"WireGuard peers to LAN\"\n"
			 "\t\tiifname @zone_lan oifname \"" WGS_DEV "\" accept comment "
			 "\"LAN to WireGuard peers\"\n");
	}
	if (doc_bool(doc, "wg_server.allow_wan", true)) {
		sbuf_add(&out->slot[NFT_FORWARD], "\t\tiifname \"" WGS_DEV "\" oifname @zone_wan "
			 "accept comment \"WireGuard peers to WAN\"\n");
		/* the peers' IPv6 range is private (a ULA): it leaves with the
		 * router's address, as IPv4 does (wg-easy does the same) */
		if (doc_str(doc, "wg_server.address6"))
			sbuf_add(&out->slot[NFT_NAT_POSTROUTING], "\t\tmeta nfproto ipv6 iifname \""
				 WGS_DEV "\" oifname @zone_wan masquerade comment "
				 "\"WireGuard peers' IPv6\"\n");
	}
}

/* dnsmasq answers on wg0 too (DNS only: no DHCP in a tunnel) */
static void wgs_dnsmasq(struct feature_ctx *ctx, struct sbuf *out)
{
	if (!doc_bool(ctx->doc, "wg_server.enabled", false))
		return;
	sbuf_add(out, "interface=" WGS_DEV "\nno-dhcp-interface=" WGS_DEV "\n");
}

static void wgs_devices(struct feature_ctx *ctx, json_t *out)
{
	if (doc_bool(ctx->doc, "wg_server.enabled", false))
		json_object_set_new(out, WGS_DEV, json_pack("{s:s, s:s}", "role", "vpn", "title",
							    "WireGuard server"));
}

static int wgs_init(const struct feature_env *env)
{
	wgs_traffic_init(env);
	return 0;
}

static void wgs_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	wgs_traffic_stop();
}

static const char *const wgs_reads[] = { "wg_server", NULL };

const struct feature feature_wg_server = {
	.name = "wg_server",
	.title = "WireGuard server",
	.sections = wgs_sections,
	.init = wgs_init,
	.render = wgs_render,
	.apply = wgs_apply,
	.status = wgs_status,
	.stop = wgs_stop,
	.reads = wgs_reads,
	.nft = wgs_nft,
	.dnsmasq = wgs_dnsmasq,
	.devices = wgs_devices,
	.engines = (const struct feature_engine[]){ { WGS_ENGINE, "engine" }, { NULL } },
	.methods = wgs_methods,
};
