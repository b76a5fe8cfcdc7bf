/*
 * The server's WireGuard device as the document describes it: the key, the
 * port, and each enabled peer with the addresses the router routes to it
 * (its tunnel addresses and the networks behind it). Built here once, for
 * the applier (through sys->wg) and for the rendered setconf file.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/vpn/wg_server/wg_server_int.h"
#include "net/addr.h"
#include "store/doc.h"

bool wgs_peer_public(const json_t *peer, char out[WG_KEY_B64_LEN])
{
	const char *pub = doc_str(peer, "public_key"), *priv = doc_str(peer, "private_key");
	unsigned char k[WG_KEY_LEN], p[WG_KEY_LEN];

	if (pub && wg_key_from_base64(k, pub) == 0) {
		wg_key_to_base64(out, k);
		return true;
	}
	if (!priv || wg_key_from_base64(k, priv) < 0)
		return false;
	wg_key_public(p, k);
	sodium_memzero(k, sizeof(k));
	wg_key_to_base64(out, p);
	return true;
}

static bool wgs_allowed(struct wg_peer *p, const char *text, int family, bool host)
{
	struct net_prefix n;
	struct wg_allowed_ip *a;

	if (!text || net_prefix_parse(text, family, !host, &n) != NET_OK)
		return false;
	if (host)
		n.len = family == 4 ? 32 : 128;
	net_prefix_clear_host(&n);
	p->allowed_ips = xrealloc(p->allowed_ips, (p->n_allowed_ips + 1) * sizeof(*a));
	a = &p->allowed_ips[p->n_allowed_ips++];
	memset(a, 0, sizeof(*a));
	a->family = family == 4 ? AF_INET : AF_INET6;
	memcpy(a->addr, n.addr, sizeof(a->addr));
	a->prefix = (unsigned)n.len;
	return true;
}

static void wgs_allowed_list(struct wg_peer *p, const json_t *list, int family)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		wgs_allowed(p, json_string_value(v), family, false);
}

int wgs_device(const json_t *doc, struct wg_device *out, char *why, size_t whylen)
{
	const char *key = doc_str(doc, "wg_server.private_key");
	json_t *peers = doc_get(doc, "wg_server.peers"), *peer;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!key || wg_key_from_base64(out->private_key, key) < 0) {
		snprintf(why, whylen, "the server has no private key");
		return -1;
	}
	out->has_private_key = true;
	wg_key_public(out->public_key, out->private_key);
	out->listen_port = (unsigned)doc_int(doc, "wg_server.listen_port", 51820);
	out->peers = xcalloc(json_array_size(peers) + 1, sizeof(*out->peers));
	json_array_foreach(peers, i, peer) {
		struct wg_peer *p = &out->peers[out->n_peers];
		char pub[WG_KEY_B64_LEN];
		const char *psk = doc_str(peer, "preshared_key");

		if (!doc_bool(peer, "enabled", true) || !wgs_peer_public(peer, pub))
			continue;
		wg_key_from_base64(p->public_key, pub);
		if (psk && wg_key_from_base64(p->preshared_key, psk) == 0)
			p->has_preshared_key = true;
		p->keepalive = (unsigned)doc_int(peer, "keepalive", 0);
		wgs_allowed(p, doc_str(peer, "address"), 4, true);
		wgs_allowed(p, doc_str(peer, "address6"), 6, true);
		wgs_allowed_list(p, doc_get(peer, "routable_ips"), 4);
		wgs_allowed_list(p, doc_get(peer, "routable_ips6"), 6);
		out->n_peers++;
	}
	return 0;
}

char *wgs_setconf_text(const struct wg_device *d)
{
	struct sbuf b;
	char k[WG_KEY_B64_LEN];

	sbuf_init(&b);
	wg_key_to_base64(k, d->private_key);
	sbuf_printf(&b, "[Interface]\nPrivateKey = %s\nListenPort = %u\n", k, d->listen_port);
	sodium_memzero(k, sizeof(k));
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];

		wg_key_to_base64(k, p->public_key);
		sbuf_printf(&b, "\n[Peer]\nPublicKey = %s\n", k);
		if (p->has_preshared_key) {
			wg_key_to_base64(k, p->preshared_key);
			sbuf_printf(&b, "PresharedKey = %s\n", k);
			sodium_memzero(k, sizeof(k));
		}
		sbuf_add(&b, "AllowedIPs = ");
		for (size_t j = 0; j < p->n_allowed_ips; j++) {
			struct net_prefix n = { .family = p->allowed_ips[j].family == AF_INET ? 4 : 6,
						.len = (int)p->allowed_ips[j].prefix, .has_len = true };
			char t[64];

			memcpy(n.addr, p->allowed_ips[j].addr, sizeof(n.addr));
			net_prefix_text(&n, true, t, sizeof(t));
			sbuf_printf(&b, "%s%s", j ? ", " : "", t);
		}
		sbuf_add(&b, "\n");
		if (p->keepalive)
			sbuf_printf(&b, "PersistentKeepalive = %u\n", p->keepalive);
	}
	return sbuf_steal(&b);
}
