/*
 * VPN › WireGuard › Clients (feature wg_clients): each enabled client is a
 * WireGuard device wgc_<name> with its key, its addresses and one peer,
 * the server; routes to the server's AllowedIPs above every WAN's metric;
 * the firewall's forwarding and masquerade as its checkboxes say.
 *
 * Rendered: per client wgc_<name>.conf, its device's configuration in
 * `wg setconf`'s form (0600: it holds the private key; the endpoint as
 * written, a name resolved when applied), and clients.state, what the
 * applier makes of the rest (addresses, MTU, routes with their metric).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "apply/feature.h"
#include "apply/supervisor.h"
#include "core/util.h"
#include "features/vpn/wg_clients/wgc_int.h"
#include "features/vpn/wg_link.h"
#include "net/addr.h"
#include "net/nl_watch.h"
#include "net/wg.h"
#include "store/doc.h"

static void wgc_list(struct sbuf *b, const char *key, const json_t *list)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		sbuf_printf(b, "%s%s", i ? ", " : key, json_string_value(v));
	if (json_array_size(list))
		sbuf_add(b, "\n");
}

/* the device's own configuration, as `wg setconf` reads it */
static char *wgc_setconf(const json_t *el)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_printf(&b, "[Interface]\nPrivateKey = %s\n", doc_str(el, "private_key"));
	if (doc_bool(el, "static_port", false) && doc_get(el, "listen_port"))
		sbuf_printf(&b, "ListenPort = %lld\n", doc_int(el, "listen_port", 0));
	sbuf_printf(&b, "\n[Peer]\nPublicKey = %s\n", doc_str(el, "public_key"));
	if (doc_str(el, "preshared_key"))
		sbuf_printf(&b, "PresharedKey = %s\n", doc_str(el, "preshared_key"));
	wgc_list(&b, "AllowedIPs = ", doc_get(el, "allowed_ips"));
	sbuf_printf(&b, "Endpoint = %s\n", doc_str(el, "endpoint"));
	if (doc_int(el, "keepalive", 25))
		sbuf_printf(&b, "PersistentKeepalive = %lld\n", doc_int(el, "keepalive", 25));
	return sbuf_steal(&b);
}

static int wgc_render(struct feature_ctx *ctx, struct render_out *out)
{
	struct sbuf st;
	size_t i, k;
	json_t *el, *v;

	sbuf_init(&st);
	sbuf_add(&st, "# WireGuard clients rendered by difos\n");
	json_array_foreach(doc_get(ctx->doc, "wg_clients.clients"), i, el) {
		const char *name = doc_str(el, "name");
		char *file;

		if (!doc_bool(el, "enabled", true)) {
			sbuf_printf(&st, "client %s disabled\n", name);
			continue;
		}
		sbuf_printf(&st, "client %s device " WGC_PREFIX "%s mtu %lld\n", name, name,
			    doc_int(el, "mtu", 1420));
		json_array_foreach(doc_get(el, "addresses"), k, v)
			sbuf_printf(&st, "  address %s\n", json_string_value(v));
		json_array_foreach(doc_get(el, "allowed_ips"), k, v)
			sbuf_printf(&st, "  route %s metric %d\n", json_string_value(v), WGC_METRIC);
		sbuf_printf(&st, "  endpoint %s\n", doc_str(el, "endpoint"));
		sbuf_printf(&st, "  firewall allow_wan %s allow_lan %s masquerade %s\n",
			    doc_bool(el, "allow_wan", false) ? "yes" : "no",
			    doc_bool(el, "allow_lan", false) ? "yes" : "no",
			    doc_bool(el, "masquerade", false) ? "yes" : "no");
		file = xasprintf(WGC_PREFIX "%s.conf", name);
		render_add(out, file, 0600, wgc_setconf(el));
		free(file);
	}
	render_add(out, "clients.state", 0644, sbuf_steal(&st));
	return 0;
}

/* Forwarding and masquerade by the checkboxes, against the firewall's
 * zone sets (zone_lan, zone_wan: the devices of each zone). */
static void wgc_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	size_t i;
	json_t *el;

	json_array_foreach(doc_get(ctx->doc, "wg_clients.clients"), i, el) {
		const char *name = doc_str(el, "name");

		if (!doc_bool(el, "enabled", true))
			continue;
		if (doc_bool(el, "allow_wan", false))
			sbuf_printf(&out->slot[NFT_FORWARD],
				    "\t\tiifname \"" WGC_PREFIX "%s\" oifname @zone_wan accept comment "
				    "\"WireGuard client %s to WAN\"\n"
				    "\t\tiifname @zone_wan oifname \"" WGC_PREFIX "%s\" accept comment "
				    "\"WAN to WireGuard client %s\"\n", name, name, name, name);
		if (doc_bool(el, "allow_lan", false))
			sbuf_printf(&out->slot[NFT_FORWARD],
				    "\t\tiifname @zone_lan oifname \"" WGC_PREFIX "%s\" accept comment "
				    "\"LAN to WireGuard client %s\"\n"
				    "\t\tiifname \"" WGC_PREFIX "%s\" oifname @zone_lan accept comment "
				    "\"WireGuard client %s to LAN\"\n", name, name, name, name);
		if (doc_bool(el, "masquerade", false))
			sbuf_printf(&out->slot[NFT_NAT_POSTROUTING],
				    "\t\toifname \"" WGC_PREFIX "%s\" masquerade comment "
				    "\"WireGuard client %s\"\n", name, name);
	}
}

static void wgc_devices(struct feature_ctx *ctx, json_t *out)
{
	size_t i;
	json_t *el;

	json_array_foreach(doc_get(ctx->doc, "wg_clients.clients"), i, el) {
		char *dev;

		if (!doc_bool(el, "enabled", true))
			continue;
		dev = xasprintf(WGC_PREFIX "%s", doc_str(el, "name"));
		json_object_set_new(out, dev, json_pack("{s:s, s:s}", "role", "vpn", "title",
							 doc_str(el, "name")));
		free(dev);
	}
}

/* what the device says of its server: where it is, the last handshake,
 * bytes each way (wg_get) */
static void wgc_peer_status(const struct feature_env *env, const char *dev, json_t *o)
{
	char *sockdir = wg_sockdir(env), err[256], addr[64];
	struct wg_device d;

	if (wg_get(sockdir, dev, &d, err, sizeof(err)) == 0) {
		if (d.n_peers) {
			const struct wg_peer *p = &d.peers[0];
			const struct sockaddr_storage *e = &p->endpoint;

			if (e->ss_family == AF_INET || e->ss_family == AF_INET6) {
				struct net_prefix a = { .family = e->ss_family == AF_INET ? 4 : 6 };
				unsigned port;

				if (a.family == 4) {
					memcpy(a.addr, &((const struct sockaddr_in *)e)->sin_addr, 4);
					port = ntohs(((const struct sockaddr_in *)e)->sin_port);
				} else {
					memcpy(a.addr, &((const struct sockaddr_in6 *)e)->sin6_addr, 16);
					port = ntohs(((const struct sockaddr_in6 *)e)->sin6_port);
				}
				a.len = a.family == 4 ? 32 : 128;
				net_prefix_text(&a, false, addr, sizeof(addr));
				json_object_set_new(o, "endpoint_address", json_string(addr));
				json_object_set_new(o, "endpoint_port", json_integer(port));
			}
			json_object_set_new(o, "latest_handshake",
					    json_integer((json_int_t)p->last_handshake));
			json_object_set_new(o, "rx_bytes", json_integer((json_int_t)p->rx_bytes));
			json_object_set_new(o, "tx_bytes", json_integer((json_int_t)p->tx_bytes));
		}
		json_object_set_new(o, "listen_port", json_integer(d.listen_port));
		wg_device_free(&d);
	} else {
		json_object_set_new(o, "error", json_string(err));
	}
	free(sockdir);
}

static json_t *wgc_status(struct feature_ctx *ctx)
{
	json_t *a = json_array(), *el;
	size_t i;

	json_array_foreach(doc_get(ctx->doc, "wg_clients.clients"), i, el) {
		char *dev = xasprintf(WGC_PREFIX "%s", doc_str(el, "name"));
		json_t *o = json_pack("{s:s, s:s, s:b, s:s?}", "name", doc_str(el, "name"),
				      "device", dev, "enabled", doc_bool(el, "enabled", true),
				      "endpoint", doc_str(el, "endpoint"));

		json_object_set_new(o, "state", nl_link_operstate(dev));
		if (doc_bool(el, "enabled", true))
			wgc_peer_status(ctx->env, dev, o);
		if (sv_running(dev))
			json_object_set_new(o, "engine", sv_status(dev));
		json_array_append_new(a, o);
		free(dev);
	}
	return json_pack("{s:o}", "clients", a);
}

const struct feature feature_wg_clients = {
	.name = "wg_clients",
	.title = "WireGuard clients",
	.sections = wgc_sections,
	.render = wgc_render,
	.apply = wgc_apply,
	.stop = wgc_stop,
	.event = wgc_event,
	.reads = (const char *const[]){ "wg_clients", NULL },
	.status = wgc_status,
	.nft = wgc_nft,
	.devices = wgc_devices,
	.methods = wgc_methods,
};
