/*
 * A peer's configuration, made on the router (the manual's green asterisk):
 * what the peer may reach through the router (Allow All, Allow LAN, or a
 * list), its DNS servers (the router's address in the tunnel by default,
 * so the peer uses the router's resolver), and where it finds the router
 * (the WAN's IPv4 or IPv6 address, or a name). As text, a file name and a
 * QR code (SVG) of the same text.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "apply/engine.h"
#include "core/util.h"
#include "features/vpn/wg_conf.h"
#include "features/vpn/wg_qr.h"
#include "features/vpn/wg_server/wg_server_int.h"
#include "net/addr.h"
#include "net/nl.h"
#include "net/nl_watch.h"
#include "store/doc.h"

static const json_t *wgs_peer_by_id(const json_t *doc, long long id)
{
	size_t i;
	json_t *peer;

	json_array_foreach(doc_get(doc, "wg_server.peers"), i, peer)
		if (json_integer_value(json_object_get(peer, "id")) == id)
			return peer;
	return NULL;
}

/* "a/len" -> its network "n/len" appended to list */
static void wgs_add_net(json_t *list, const char *cidr, int family)
{
	struct net_prefix p;
	char t[64];

	if (!cidr || net_prefix_parse(cidr, family, true, &p) != NET_OK)
		return;
	net_prefix_clear_host(&p);
	net_prefix_text(&p, true, t, sizeof(t));
	json_array_append_new(list, json_string(t));
}

/* The first global address of family on dev (the WAN's), or false. */
static bool wgs_wan_address(const json_t *doc, int family, char *out, size_t outlen)
{
	const char *proto = doc_str(doc, "wan.ipv4.proto");
	const char *dev = proto && !strcmp(proto, "pppoe") ? "ppp-wan" : doc_str(doc, "wan.interface");
	const json_t *mirror = nl_watch_addresses();
	json_t *dumped = mirror ? NULL : nl_addresses(AF_UNSPEC), *a;
	bool found = false;
	size_t i;

	json_array_foreach(mirror ? mirror : dumped, i, a) {
		const char *name = json_string_value(json_object_get(a, "ifname"));
		const char *local = json_string_value(json_object_get(a, "local"));
		const char *fam = json_string_value(json_object_get(a, "family"));
		const char *scope = json_string_value(json_object_get(a, "scope"));

		if (!dev || !name || strcmp(name, dev) || !local || !fam ||
		    strcmp(fam, family == 4 ? "inet" : "inet6") || (scope && strcmp(scope, "global")))
			continue;
		snprintf(out, outlen, "%s", local);
		found = true;
		break;
	}
	json_decref(dumped);
	return found;
}

static json_t *wgs_fail_param(struct rpc_call *c, const char *param, const json_t *v,
			      const char *says)
{
	return rpc_fail(c, RPC_INVALID, param, v, "%s: %s", param, says);
}

/* The AllowedIPs of the peer's file; NULL after a failure. */
static json_t *wgs_allowed_for(struct rpc_call *c, const json_t *doc)
{
	const char *allow = rpc_str(c, "allow");
	json_t *out = json_array(), *v, *given = json_object_get(c->params, "allowed_ips");
	size_t i;

	if (!allow || !strcmp(allow, "all")) {
		json_array_append_new(out, json_string("0.0.0.0/0"));
		json_array_append_new(out, json_string("::/0"));
		return out;
	}
	/* the tunnel's own ranges always: the router's DNS is there */
	wgs_add_net(out, doc_str(doc, "wg_server.address"), 4);
	wgs_add_net(out, doc_str(doc, "wg_server.address6"), 6);
	if (!strcmp(allow, "lan")) {
		char lan[64];

		snprintf(lan, sizeof(lan), "%s/%lld", doc_str(doc, "lan.ipv4.address") ?
			 doc_str(doc, "lan.ipv4.address") : "", doc_int(doc, "lan.ipv4.prefix", 24));
		wgs_add_net(out, lan, 4);
		return out;
	}
	if (!json_is_array(given) || !json_array_size(given)) {
		json_decref(out);
		return wgs_fail_param(c, "allowed_ips", given, "a list of networks is needed with "
				      "allow \"custom\"");
	}
	json_array_foreach(given, i, v) {
		struct net_prefix p;
		const char *t = json_string_value(v);

		if (!t || net_prefix_parse(t, 0, true, &p) != NET_OK) {
			json_decref(out);
			return wgs_fail_param(c, "allowed_ips", v, "is not a network (a.b.c.d/len or "
					      "x::/len)");
		}
		if (net_prefix_host_bits(&p)) {
			json_decref(out);
			return wgs_fail_param(c, "allowed_ips", v, "has host bits set: give the "
					      "network's own address");
		}
		json_array_append(out, v);
	}
	return out;
}

static json_t *wgs_dns_for(struct rpc_call *c, const json_t *doc)
{
	json_t *given = json_object_get(c->params, "dns"), *out = json_array(), *v;
	struct net_prefix p;
	size_t i;

	if (!json_is_array(given) || !json_array_size(given)) {
		const char *a4 = doc_str(doc, "wg_server.address");
		const char *a6 = doc_str(doc, "wg_server.address6");

		if (a4 && net_prefix_parse(a4, 4, true, &p) == NET_OK) {
			char t[64];
			p.len = 32;
			net_prefix_text(&p, false, t, sizeof(t));
			json_array_append_new(out, json_string(t));
		}
		if (a6 && net_prefix_parse(a6, 6, true, &p) == NET_OK) {
			char t[64];
			p.len = 128;
			net_prefix_text(&p, false, t, sizeof(t));
			json_array_append_new(out, json_string(t));
		}
		return out;
	}
	json_array_foreach(given, i, v) {
		if (!json_string_value(v) || net_prefix_parse(json_string_value(v), 0, false, &p) !=
		    NET_OK) {
			json_decref(out);
			return wgs_fail_param(c, "dns", v, "is not an IPv4 or IPv6 address");
		}
		json_array_append(out, v);
	}
	return out;
}

static bool wgs_endpoint_for(struct rpc_call *c, const json_t *doc, char *out, size_t outlen)
{
	const char *ep = rpc_str(c, "endpoint");
	unsigned port = (unsigned)doc_int(doc, "wg_server.listen_port", 51820);
	char host[256];

	if (!ep || !strcmp(ep, "wan4") || !strcmp(ep, "wan6")) {
		int fam = ep && !strcmp(ep, "wan6") ? 6 : 4;

		if (!wgs_wan_address(doc, fam, host, sizeof(host))) {
			rpc_fail(c, RPC_CONFLICT, "endpoint", json_object_get(c->params, "endpoint"),
				 "endpoint: the WAN has no IPv%d address now; choose %s or a name",
				 fam, fam == 4 ? "wan6" : "wan4");
			return false;
		}
	} else {
		snprintf(host, sizeof(host), "%s", ep);
	}
	if (!wg_conf_endpoint_text(host, port, out, outlen)) {
		wgs_fail_param(c, "endpoint", json_object_get(c->params, "endpoint"),
			       "is neither wan4, wan6 nor a host name or address");
		return false;
	}
	return true;
}

/* peers' names may hold anything: the file is named with the safe part */
static char *wgs_filename(const char *name)
{
	char *f = xasprintf("%s.conf", name && *name ? name : "peer");

	for (char *p = f; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			*p = '_';
	return f;
}

json_t *wgs_peer_config(struct rpc_call *c)
{
	const json_t *doc = c->env->engine->running, *peer;
	long long id = json_integer_value(json_object_get(c->params, "id"));
	const char *priv, *key = doc_str(doc, "wg_server.private_key");
	unsigned char k[WG_KEY_LEN], pub[WG_KEY_LEN];
	char pubtext[WG_KEY_B64_LEN], endpoint[300], err[256], *text, *svg, *fname;
	json_t *conf, *allowed, *dns, *addrs, *res;
	struct wg_qr qr;

	peer = wgs_peer_by_id(doc, id);
	if (!peer)
		return rpc_fail(c, RPC_NOTFOUND, "id", json_object_get(c->params, "id"),
				"id: no peer %lld is applied (apply a new peer first)", id);
	priv = doc_str(peer, "private_key");
	if (doc_str(peer, "public_key") || !priv)
		return rpc_fail(c, RPC_CONFLICT, "id", json_object_get(c->params, "id"),
				"peer %s made its own keys: its configuration is on its device (the "
				"router has no private key to put in it)", doc_str(peer, "name"));
	if (!key || wg_key_from_base64(k, key) < 0)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "the server has no key yet");
	wg_key_public(pub, k);
	sodium_memzero(k, sizeof(k));
	wg_key_to_base64(pubtext, pub);
	if (!(allowed = wgs_allowed_for(c, doc)))
		return NULL;
	if (!(dns = wgs_dns_for(c, doc))) {
		json_decref(allowed);
		return NULL;
	}
	if (!wgs_endpoint_for(c, doc, endpoint, sizeof(endpoint))) {
		json_decref(allowed);
		json_decref(dns);
		return NULL;
	}
	addrs = json_array();
	if (doc_str(peer, "address"))
		json_array_append_new(addrs, json_sprintf("%s/32", doc_str(peer, "address")));
	if (doc_str(peer, "address6"))
		json_array_append_new(addrs, json_sprintf("%s/128", doc_str(peer, "address6")));
	conf = json_pack("{s:s, s:o, s:o, s:I, s:s, s:o, s:s, s:I}", "private_key", priv,
			 "addresses", addrs, "dns", dns, "mtu",
			 (json_int_t)doc_int(doc, "wg_server.mtu", 1420), "public_key", pubtext,
			 "allowed_ips", allowed, "endpoint", endpoint, "keepalive",
			 (json_int_t)json_integer_value(json_object_get(c->params, "keepalive")));
	if (doc_str(peer, "preshared_key"))
		json_object_set_new(conf, "preshared_key", json_string(doc_str(peer, "preshared_key")));
	text = wg_conf_emit(conf, err, sizeof(err));
	json_decref(conf);
	if (!text)
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot write the configuration: %s", err);
	if (wg_qr_make(text, strlen(text), &qr, err, sizeof(err)) < 0) {
		sodium_memzero(text, strlen(text));
		free(text);
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot draw the QR code: %s", err);
	}
	svg = wg_qr_svg(&qr);
	wg_qr_free(&qr);
	fname = wgs_filename(doc_str(peer, "name"));
	res = json_pack("{s:s?, s:s, s:s, s:s}", "name", doc_str(peer, "name"), "filename", fname,
			"text", text, "svg", svg);
	sodium_memzero(text, strlen(text));
	free(text);
	free(svg);
	free(fname);
	return res;
}
