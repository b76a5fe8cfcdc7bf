/*
 * The "ipsec" section: the peers of VPN › IPsec, each a PSK tunnel
 * between local and remote networks, and the rules between their fields.
 *
 * Defaults are the safe ones: IKEv2 (IKEv1 only for peers that know
 * nothing newer), AES-256 with SHA-256 and a 2048-bit group for both IKE
 * and ESP (ESP with perfect forward secrecy), three keying tries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/vpn/ipsec/ipsec_int.h"
#include "net/addr.h"
#include "store/doc.h"

static void ipsec_peer_check(const json_t *el, const char *path, const json_t *doc,
			     struct sc_error_list *errs);

static const char *const versions[] = { "ikev2", "ikev1", NULL };
static const char *const version_labels[] = { "IKEv2", "IKEv1", NULL };
static const char *const starts[] = { "start", "trap", "none", NULL };
static const char *const start_labels[] = { "Always start", "On traffic", "Wait for peer",
					    NULL };

#define IPSEC_ID_HELP "An IP address, a name (example.com, @name) or an email address; " \
	"empty: the address the tunnel uses."
/*
 * A short PSK falls to an offline dictionary search: whoever sees one
 * IKEv1 aggressive-mode exchange, or answers an IKEv2 initiator as a
 * responder, can try guesses at leisure.
 */
#define IPSEC_PSK_HELP "16 to 256 characters, long and random: a short key can be guessed " \
	"offline by anyone who sees one exchange."
#define IPSEC_PROPOSAL_HELP "strongSwan proposals, algorithms joined by '-' " \
	"(aes256-sha256-modp2048, aes256ccm16-prfsha256-curve25519); the first the peer takes " \
	"is used."

static const struct sc_field ipsec_peer_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .min = 1,
	  .max = 32, .pattern = "[A-Za-z0-9_-]{1,32}",
	  .pattern_says = "is not a peer name: 1 to 32 letters, digits, '_' or '-'",
	  .title = "Peer name", .help = "Names the tunnel in the status and the logs." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = "local_id", .kind = SC_STRING, .min = 0, .max = 128,
	  .pattern = "@?[A-Za-z0-9._:-]*(@[A-Za-z0-9._-]+)?",
	  .pattern_says = "is not an identity: an address, a name or an email address",
	  .title = "Local ID", .help = IPSEC_ID_HELP },
	{ .name = "peer_id", .kind = SC_STRING, .min = 0, .max = 128,
	  .pattern = "@?[A-Za-z0-9._:-]*(@[A-Za-z0-9._-]+)?",
	  .pattern_says = "is not an identity: an address, a name or an email address",
	  .title = "Peer ID", .help = IPSEC_ID_HELP },
	{ .name = "version", .kind = SC_ENUM, .choices = versions, .labels = version_labels,
	  .def = "\"ikev2\"", .title = "Key exchange version",
	  .help = "IKEv2 unless the peer knows only IKEv1." },
	{ .name = "local_ip", .kind = SC_STRING, .min = 0, .max = 45, .title = "Local IP",
	  .help = "An address of the router the tunnel uses; empty: the WAN's." },
	{ .name = "remote_gateway", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1,
	  .max = 253, .title = "Remote gateway",
	  .help = "The peer's IPv4 or IPv6 address, or its DNS name." },
	{ .name = "local_networks", .kind = SC_LIST, .item = SC_STRING, .flags = SC_F_REQUIRED,
	  .min = 1, .max = 32, .title = "Local networks",
	  .help = "Networks behind this router the tunnel carries (10.1.0.0/24, 2001:db8:1::/64)." },
	{ .name = "remote_networks", .kind = SC_LIST, .item = SC_STRING, .flags = SC_F_REQUIRED,
	  .min = 1, .max = 32, .title = "Remote networks",
	  .help = "Networks behind the peer." },
	{ .name = "ike_proposals", .kind = SC_LIST, .item = SC_STRING, .min = 1, .max = 16,
	  .def = "[\"aes256-sha256-modp2048\"]", .title = "IKE algorithms",
	  .help = IPSEC_PROPOSAL_HELP },
	{ .name = "esp_proposals", .kind = SC_LIST, .item = SC_STRING, .min = 1, .max = 16,
	  .def = "[\"aes256-sha256-modp2048\"]", .title = "ESP algorithms",
	  .help = IPSEC_PROPOSAL_HELP " A group here is perfect forward secrecy." },
	{ .name = "psk", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET, .min = 16,
	  .max = 256, .title = "Pre-shared key", .help = IPSEC_PSK_HELP },
	{ .name = "keying_tries", .kind = SC_INT, .min = 0, .max = 100, .def = "3",
	  .title = "Keying retries",
	  .help = "How many times to try to establish the tunnel before giving up; 0: forever." },
	{ .name = "start_action", .kind = SC_ENUM, .choices = starts, .labels = start_labels,
	  .def = "\"start\"", .title = "Start",
	  .help = "Always start: at once and again when it closes. On traffic: when a packet "
		  "for the remote networks comes. Wait for peer: only the peer starts it." },
	{ .name = "allow_lan", .kind = SC_BOOL, .def = "true", .title = "Allow forward to LAN",
	  .help = "The remote networks may reach the LAN, and the LAN them." },
	{ .name = "allow_wan", .kind = SC_BOOL, .def = "true", .title = "Allow forward to WAN",
	  .help = "The remote networks may reach the internet through this router." },
	{ .name = NULL }
};

static const struct sc_field ipsec_fields[] = {
	{ .name = "peers", .kind = SC_COLLECTION, .fields = ipsec_peer_fields, .max = 64,
	  .def = "[]", .check = ipsec_peer_check, .title = "Peers",
	  .help = "PSK tunnels to other gateways." },
	{ .name = NULL }
};

static const struct sc_field ipsec_section = {
	.name = "ipsec", .kind = SC_OBJECT, .fields = ipsec_fields, .title = "IPsec",
	.help = "Site-to-site tunnels with pre-shared keys (strongSwan).",
};

const struct sc_field *const ipsec_sections[] = { &ipsec_section, NULL };

static void err_at(struct sc_error_list *errs, const char *path, const char *key,
		   const char *value, const char *fmt, const char *arg)
{
	char *p = xasprintf("%s.%s", path, key);

	sc_error_add(errs, p, value, fmt, arg);
	free(p);
}

/* A name as DNS has it: dotted labels of letters, digits and hyphens. */
static bool is_fqdn(const char *s)
{
	size_t label = 0, n = strlen(s);

	if (!n || n > 253 || s[n - 1] == '.' || s[0] == '.')
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!label)
				return false;
			label = 0;
		} else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			   (*s >= '0' && *s <= '9') || *s == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* The networks of a list, parsed (at most 32); n the count, false on an error. */
static bool nets_read(const json_t *el, const char *path, const char *key,
		      struct net_prefix *out, size_t *n, struct sc_error_list *errs)
{
	const json_t *list = json_object_get(el, key), *v;
	size_t i;
	bool ok = true;

	*n = 0;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		char *p = xasprintf("%s.%s[%zu]", path, key, i);

		if (!s || net_prefix_parse(s, 0, true, &out[*n]) != NET_OK) {
			sc_error_add(errs, p, s, "is not a network (an IPv4 or IPv6 address with "
				     "/length)");
			ok = false;
		} else if (net_prefix_host_bits(&out[*n])) {
			struct net_prefix c = out[*n];
			char t[64];

			net_prefix_clear_host(&c);
			net_prefix_text(&c, true, t, sizeof(t));
			sc_error_add(errs, p, s, "has bits set right of its length: the network is %s",
				     t);
			ok = false;
		} else if (*n < 32) {
			(*n)++;
		}
		free(p);
	}
	return ok;
}

/* Do two prefixes of one family share an address? */
static bool overlap(const struct net_prefix *a, const struct net_prefix *b)
{
	int len = a->len < b->len ? a->len : b->len;

	if (a->family != b->family)
		return false;
	for (int i = 0; i < len; i++) {
		int byte = i / 8, bit = 7 - i % 8;

		if (((a->addr[byte] >> bit) & 1) != ((b->addr[byte] >> bit) & 1))
			return false;
	}
	return true;
}

static void proposals_check(const json_t *el, const char *path, const char *key, bool esp,
			    struct sc_error_list *errs)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(el, key), i, v) {
		const char *s = json_string_value(v);
		char why[200], *p;

		if (!s || ipsec_proposal_check(s, esp, why, sizeof(why)))
			continue;
		p = xasprintf("%s.%s[%zu]", path, key, i);
		sc_error_add(errs, p, s, "%s", why);
		free(p);
	}
}

static void ipsec_peer_check(const json_t *el, const char *path, const json_t *doc,
			     struct sc_error_list *errs)
{
	struct net_prefix local[32], remote[32], addr, lan;
	size_t nl, nr;
	const char *gw = doc_str(el, "remote_gateway"), *lip = doc_str(el, "local_ip");
	const char *ver = doc_str(el, "version"), *lan_addr = doc_str(doc, "lan.ipv4.address");
	bool ok_l = nets_read(el, path, "local_networks", local, &nl, errs);
	bool ok_r = nets_read(el, path, "remote_networks", remote, &nr, errs);

	if (gw && net_prefix_parse(gw, 0, false, &addr) != NET_OK && !is_fqdn(gw))
		err_at(errs, path, "remote_gateway", gw, "%s",
		       "is neither an IPv4 or IPv6 address nor a DNS name");
	if (gw && net_prefix_parse(gw, 0, false, &addr) != NET_OK && is_fqdn(gw) &&
	    !(doc_str(el, "peer_id") && *doc_str(el, "peer_id")))
		err_at(errs, path, "peer_id", NULL, "%s",
		       "is needed with a DNS name as the remote gateway (the name the peer "
		       "authenticates as, often the same name)");
	if (lip && *lip && net_prefix_parse(lip, 0, false, &addr) != NET_OK)
		err_at(errs, path, "local_ip", lip, "%s", "is not an IPv4 or IPv6 address");
	/* IKEv1 negotiates one pair of networks per tunnel */
	if (ver && !strcmp(ver, "ikev1") && (nl > 1 || nr > 1))
		err_at(errs, path, "version", ver, "%s",
		       "negotiates one local and one remote network per tunnel: use IKEv2 for "
		       "several");
	if (ok_l && ok_r) {
		for (size_t i = 0; i < nl; i++)
			for (size_t j = 0; j < nr; j++) {
				char a[64], b[64], *p;

				if (!overlap(&local[i], &remote[j]))
					continue;
				net_prefix_text(&local[i], true, a, sizeof(a));
				net_prefix_text(&remote[j], true, b, sizeof(b));
				p = xasprintf("%s.remote_networks[%zu]", path, j);
				sc_error_add(errs, p, b, "overlaps the local network %s", a);
				free(p);
			}
	}
	if (ok_r && lan_addr && net_prefix_parse(lan_addr, 4, false, &lan) == NET_OK) {
		lan.len = (int)doc_int(doc, "lan.ipv4.prefix", 24);
		net_prefix_clear_host(&lan);
		for (size_t j = 0; j < nr; j++) {
			char a[64], b[64], *p;

			if (!overlap(&lan, &remote[j]))
				continue;
			net_prefix_text(&lan, true, a, sizeof(a));
			net_prefix_text(&remote[j], true, b, sizeof(b));
			p = xasprintf("%s.remote_networks[%zu]", path, j);
			sc_error_add(errs, p, b, "overlaps the LAN %s", a);
			free(p);
		}
	}
	proposals_check(el, path, "ike_proposals", false, errs);
	/* charon loads it, but an IKEv1 SA cannot be negotiated with one */
	if (ver && !strcmp(ver, "ikev1")) {
		const json_t *v;
		size_t i;

		json_array_foreach(json_object_get(el, "ike_proposals"), i, v) {
			char *p;

			if (!json_is_string(v) || !ipsec_proposal_has_aead(json_string_value(v)))
				continue;
			p = xasprintf("%s.ike_proposals[%zu]", path, i);
			sc_error_add(errs, p, json_string_value(v), "%s",
				     "has a combined-mode (AEAD) cipher, which IKEv1 has not for IKE");
			free(p);
		}
	}
	proposals_check(el, path, "esp_proposals", true, errs);
}
