/*
 * What VPN › IPsec renders: charon's strongswan.conf (one for a kernel
 * with ESP, one with userspace ESP: the applier starts charon on the one
 * the kernel allows), the connections and secrets as the vici messages
 * the applier loads (vici.json), the same as swanctl.conf for whoever
 * reads or checks them by hand (`swanctl --load-all --file`), and the
 * firewall's rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/vpn/ipsec/ipsec_int.h"
#include "store/doc.h"

/*
 * Only what PSK tunnels need: the crypto the proposal table offers
 * (ipsec_proposal.c), the kernel's routes and policies (kernel-netlink),
 * IKE's sockets and vici. kernel-libipsec comes first when it is loaded:
 * its ESP takes the SAs the kernel cannot.
 */
#define IPSEC_PLUGINS "random nonce aes sha1 sha2 md5 hmac gmp curve25519 chapoly openssl gcrypt " \
	"ctr ccm cmac xcbc kdf kernel-netlink socket-default vici"

static char *strongswan_conf(const struct feature_env *env, bool libipsec)
{
	return xasprintf(
		"# rendered by difosd: charon for VPN › IPsec%s\n"
		"charon {\n"
		"\tload = %s" IPSEC_PLUGINS "\n"
		"\tinstall_virtual_ip = no\n"
		"\tplugins {\n"
		"\t\tvici {\n"
		"\t\t\tsocket = unix://%s/" IPSEC_VICI "\n"
		"\t\t}\n"
		"\t}\n"
		"\tfilelog {\n"
		"\t\tdifos {\n"
		"\t\t\tpath = %s/" IPSEC_LOG "\n"
		"\t\t\tappend = no\n"
		"\t\t\tflush_line = yes\n"
		"\t\t\ttime_format = %%F %%T\n"
		"\t\t\tike_name = yes\n"
		"\t\t\tdefault = 1\n"
		"\t\t}\n"
		"\t\tstderr {\n"
		"\t\t\tdefault = 0\n"
		"\t\t\tike = 1\n"
		"\t\t\tcfg = 1\n"
		"\t\t\tike_name = yes\n"
		"\t\t}\n"
		"\t}\n"
		"}\n",
		libipsec ? " (userspace ESP: the kernel has none)" : "",
		libipsec ? "kernel-libipsec " : "", env->paths.run, env->paths.run);
}

static json_t *str_list(const json_t *list)
{
	json_t *a = json_array(), *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (json_is_string(v))
			json_array_append_new(a, json_string(json_string_value(v)));
	return a;
}

/* one peer's load-conn message: {name: {...}} */
static json_t *conn_msg(const json_t *p)
{
	const char *name = doc_str(p, "name"), *lid = doc_str(p, "local_id");
	const char *pid = doc_str(p, "peer_id"), *lip = doc_str(p, "local_ip");
	const char *ver = doc_str(p, "version");
	json_t *conn = json_object(), *local = json_object(), *remote = json_object();
	json_t *child = json_object(), *children = json_object();

	json_object_set_new(conn, "version", json_string(ver && !strcmp(ver, "ikev1") ? "1" : "2"));
	if (lip && *lip)
		json_object_set_new(conn, "local_addrs", json_pack("[s]", lip));
	json_object_set_new(conn, "remote_addrs", json_pack("[s]", doc_str(p, "remote_gateway")));
	json_object_set_new(conn, "proposals", str_list(json_object_get(p, "ike_proposals")));
	json_object_set_new(conn, "keyingtries",
			    json_sprintf("%lld", doc_int(p, "keying_tries", 3)));
	/* a dead peer is noticed, its SAs closed and, with "always start", tried again */
	json_object_set_new(conn, "dpd_delay", json_string("30s"));
	json_object_set_new(local, "auth", json_string("psk"));
	if (lid && *lid)
		json_object_set_new(local, "id", json_string(lid));
	json_object_set_new(remote, "auth", json_string("psk"));
	if (pid && *pid)
		json_object_set_new(remote, "id", json_string(pid));
	json_object_set_new(conn, "local", local);
	json_object_set_new(conn, "remote", remote);
	json_object_set_new(child, "local_ts", str_list(json_object_get(p, "local_networks")));
	json_object_set_new(child, "remote_ts", str_list(json_object_get(p, "remote_networks")));
	json_object_set_new(child, "esp_proposals", str_list(json_object_get(p, "esp_proposals")));
	json_object_set_new(child, "start_action",
			    json_string(doc_str(p, "start_action") ? doc_str(p, "start_action")
								   : "start"));
	json_object_set_new(child, "dpd_action",
			    json_string(doc_str(p, "start_action") &&
						    strcmp(doc_str(p, "start_action"), "start")
					    ? "clear" : "restart"));
	json_object_set_new(children, name, child);
	json_object_set_new(conn, "children", children);
	return json_pack("{s:o}", name, conn);
}

/* one peer's load-shared message: the PSK for the peer's identity */
static json_t *secret_msg(const json_t *p)
{
	const char *pid = doc_str(p, "peer_id");
	/* the peer authenticates as its ID, by default its address */
	const char *owner = pid && *pid ? pid : doc_str(p, "remote_gateway");

	return json_pack("{s:s+, s:s, s:s, s:[s]}", "id", "difos-", doc_str(p, "name"), "type",
			 "IKE", "data", doc_str(p, "psk"), "owners", owner);
}

json_t *ipsec_vici_doc(const json_t *doc)
{
	json_t *conns = json_object(), *secrets = json_object(), *p;
	size_t i;

	json_array_foreach(doc_get(doc, "ipsec.peers"), i, p) {
		if (!doc_bool(p, "enabled", true) || !doc_str(p, "name"))
			continue;
		json_object_set_new(conns, doc_str(p, "name"), conn_msg(p));
		json_object_set_new(secrets, doc_str(p, "name"), secret_msg(p));
	}
	return json_pack("{s:o, s:o}", "conns", conns, "secrets", secrets);
}

/* ---- swanctl.conf: the same tree in swanctl's syntax ---- */

static void swanctl_value(struct sbuf *b, const json_t *v)
{
	/* values are checked by the schema (no quotes, no line breaks) */
	if (json_is_array(v)) {
		const json_t *item;
		size_t i;

		json_array_foreach(v, i, item)
			sbuf_printf(b, "%s%s", i ? "," : "", json_string_value(item));
	} else {
		sbuf_printf(b, "%s", json_string_value(v));
	}
}

static void swanctl_section(struct sbuf *b, const json_t *obj, int depth)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		for (int i = 0; i < depth; i++)
			sbuf_add(b, "\t");
		if (json_is_object(v)) {
			sbuf_printf(b, "%s {\n", key);
			swanctl_section(b, v, depth + 1);
			for (int i = 0; i < depth; i++)
				sbuf_add(b, "\t");
			sbuf_add(b, "}\n");
		} else {
			sbuf_printf(b, "%s = ", key);
			swanctl_value(b, v);
			sbuf_add(b, "\n");
		}
	}
}

static char *swanctl_conf(const json_t *vd)
{
	struct sbuf b;
	const char *name;
	const json_t *m;

	sbuf_init(&b);
	sbuf_add(&b, "# rendered by difosd: VPN › IPsec (difosd loads the same through vici)\n"
		     "connections {\n");
	json_object_foreach(json_object_get(vd, "conns"), name, m)
		swanctl_section(&b, m, 1);
	sbuf_add(&b, "}\nsecrets {\n");
	json_object_foreach(json_object_get(vd, "secrets"), name, m) {
		const char *id = json_string_value(json_object_get(m, "id"));

		sbuf_printf(&b, "\tike-%s {\n\t\tsecret = \"", id);
		/* the key may hold any character: quotes and backslashes escaped */
		for (const char *k = json_string_value(json_object_get(m, "data")); k && *k; k++) {
			if (*k == '"' || *k == '\\')
				sbuf_add(&b, "\\");
			sbuf_addn(&b, k, 1);
		}
		sbuf_add(&b, "\"\n");
		sbuf_add(&b, "\t\tid = ");
		swanctl_value(&b, json_object_get(m, "owners"));
		sbuf_add(&b, "\n\t}\n");
	}
	sbuf_add(&b, "}\n");
	return sbuf_steal(&b);
}

int ipsec_render(struct feature_ctx *ctx, struct render_out *out)
{
	json_t *vd;

	if (!json_array_size(doc_get(ctx->doc, "ipsec.peers")))
		return 0;
	vd = ipsec_vici_doc(ctx->doc);
	render_add(out, IPSEC_CONF_KERNEL, 0644, strongswan_conf(ctx->env, false));
	render_add(out, IPSEC_CONF_LIBIPSEC, 0644, strongswan_conf(ctx->env, true));
	/* both hold the keys */
	render_add(out, IPSEC_VICI_JSON, 0600,
		   json_dumps(vd, JSON_INDENT(1) | JSON_PRESERVE_ORDER));
	render_add(out, IPSEC_SWANCTL, 0600, swanctl_conf(vd));
	json_decref(vd);
	return 0;
}

/* ---- the firewall ---- */

/* "{ a, b }" of one family's networks of a list, or NULL when none */
static char *nets_set(const json_t *list, bool v6)
{
	struct sbuf b;
	const json_t *v;
	size_t i, n = 0;

	sbuf_init(&b);
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);

		if (!s || (strchr(s, ':') != NULL) != v6)
			continue;
		sbuf_printf(&b, "%s%s", n++ ? ", " : "{ ", s);
	}
	if (!n) {
		sbuf_free(&b);
		return NULL;
	}
	sbuf_add(&b, " }");
	return sbuf_steal(&b);
}

/*
 * Decrypted traffic arrives, and traffic for the tunnel leaves, by the
 * userspace ESP's device (kernel-libipsec) or, with kernel ESP, by the
 * WAN with the policy's mark on it: "meta ipsec exists" in, "rt ipsec
 * exists" out. Both forms are written; the one of the other engine
 * matches nothing.
 */
static const char *const tunnel_in[] = { "iifname \"" IPSEC_TUN "\"", "meta ipsec exists" };
static const char *const tunnel_out[] = { "oifname \"" IPSEC_TUN "\"", "rt ipsec exists" };

static void peer_forward(struct sbuf *b, const json_t *p, const char *lan, const char *wan)
{
	const char *name = doc_str(p, "name");

	for (int v6 = 0; v6 < 2; v6++) {
		const char *fam = v6 ? "ip6" : "ip";
		char *rem = nets_set(json_object_get(p, "remote_networks"), v6);
		char *loc = nets_set(json_object_get(p, "local_networks"), v6);

		for (int k = 0; rem && k < 2; k++) {
			if (doc_bool(p, "allow_lan", true) && lan) {
				sbuf_printf(b, "\t\t%s %s saddr %s oifname \"%s\" accept comment "
					    "\"IPsec %s to LAN\"\n", tunnel_in[k], fam, rem, lan, name);
				if (loc)
					sbuf_printf(b, "\t\tiifname \"%s\" %s saddr %s %s daddr %s %s "
						    "accept comment \"IPsec LAN to %s\"\n", lan, fam,
						    loc, fam, rem, tunnel_out[k], name);
			}
			if (doc_bool(p, "allow_wan", true) && wan)
				sbuf_printf(b, "\t\t%s %s saddr %s oifname \"%s\" accept comment "
					    "\"IPsec %s to WAN\"\n", tunnel_in[k], fam, rem, wan, name);
		}
		free(rem);
		free(loc);
	}
}

void ipsec_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	const json_t *p;
	const char *lan = doc_str(ctx->doc, "lan.device"), *wan = doc_str(ctx->doc, "wan.interface");
	bool any = false;
	size_t i;

	json_array_foreach(doc_get(ctx->doc, "ipsec.peers"), i, p) {
		char *rem;

		if (!doc_bool(p, "enabled", true))
			continue;
		any = true;
		peer_forward(&out->slot[NFT_FORWARD], p, lan, wan);
		/* the tunnel's traffic keeps the LAN's addresses: the peer's
		 * policy expects them, and the masquerade would hide them */
		rem = nets_set(json_object_get(p, "remote_networks"), false);
		if (rem)
			sbuf_printf(&out->slot[NFT_NAT_POSTROUTING], "\t\tip daddr %s accept comment "
				    "\"IPsec %s: not masqueraded\"\n", rem, doc_str(p, "name"));
		free(rem);
	}
	if (!any)
		return;
	/* IKE and NAT traversal (always used by the userspace ESP), and ESP */
	sbuf_add(&out->slot[NFT_INPUT_WAN],
		 "\t\tudp dport { 500, 4500 } accept comment \"IPsec IKE\"\n"
		 "\t\tmeta l4proto esp accept comment \"IPsec ESP\"\n");
}
