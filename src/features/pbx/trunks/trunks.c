/*
 * PBX › Trunks. Each enabled trunk becomes PJSIP objects named
 * "trunk-<name>" (endpoint, aor with the provider's contact, identify by
 * its host, and with gateway authentication an auth and a registration),
 * a dial-out prefix in difos-outbound (removed before the number is
 * sent), and the contexts its incoming calls go through: the block lists'
 * check, the inbound routes, then its default action.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/trunks/trunks.h"
#include "net/addr.h"
#include "store/doc.h"

/*
 * The auth object's name carries a digest of the credentials: a reload
 * keeps a registration whose own lines did not change until it is due
 * (a new password would show an hour later), while one naming another
 * auth object is made again and registers at once.
 */
static char *trunk_auth_name(const json_t *t)
{
	const char *parts[] = { doc_str(t, "username"), doc_str(t, "password") };
	uint32_t h = 2166136261u;   /* FNV-1a */

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		for (const char *p = parts[i] ? parts[i] : ""; ; p++) {
			h = (h ^ (unsigned char)*p) * 16777619u;
			if (!*p)
				break;
		}
	return xasprintf("trunk-%s-auth-%08x", doc_str(t, "name"), h);
}

static void trunk_pjsip(struct sbuf *b, const json_t *t)
{
	const char *name = doc_str(t, "name"), *host = doc_str(t, "host");
	const char *transport = doc_str(t, "transport");
	long long port = doc_int(t, "port", 5060);
	bool auth = doc_bool(t, "authentication", false);
	const json_t *codecs = json_object_get(t, "codecs"), *c;
	char *auth_name = auth ? trunk_auth_name(t) : NULL;
	size_t i;

	sbuf_printf(b, "[trunk-%s]\ntype = endpoint\ncontext = difos-from-trunk-%s\n", name, name);
	sbuf_printf(b, "transport = transport-%s\n", transport ? transport : "udp");
	sbuf_add(b, "disallow = all\nallow = ");
	json_array_foreach(codecs, i, c)
		sbuf_printf(b, "%s%s", i ? "," : "", json_string_value(c));
	sbuf_printf(b, "\naors = trunk-%s\n", name);
	sbuf_add(b, "dtmf_mode = rfc4733\ndirect_media = no\nrtp_symmetric = yes\n"
		    "force_rport = yes\nrewrite_contact = yes\nsend_rpid = yes\n"
		    "trust_id_inbound = yes\n"
		    /* no re-INVITE to tell a provider who answered: many refuse them */
		    "send_connected_line = no\n");
	if (auth)
		sbuf_printf(b, "outbound_auth = %s\nfrom_user = %s\n", auth_name,
			    doc_str(t, "username"));
	sbuf_printf(b, "\n[trunk-%s]\ntype = aor\ncontact = sip:%s:%lld\nqualify_frequency = %d\n\n",
		    name, host, port, doc_bool(t, "qualify", true) ? 60 : 0);
	sbuf_printf(b, "[trunk-%s]\ntype = identify\nendpoint = trunk-%s\nmatch = %s\n\n",
		    name, name, host);
	if (!auth)
		return;
	sbuf_printf(b, "[%s]\ntype = auth\nauth_type = userpass\nusername = %s\n"
		    "password = %s\n\n", auth_name, doc_str(t, "username"), doc_str(t, "password"));
	sbuf_printf(b, "[trunk-%s-reg]\ntype = registration\ntransport = transport-%s\n"
		    "outbound_auth = %s\nserver_uri = sip:%s:%lld\n"
		    "client_uri = sip:%s@%s:%lld\ncontact_user = %s\nendpoint = trunk-%s\nline = yes\n"
		    "retry_interval = 30\nforbidden_retry_interval = 300\nmax_retries = 10000\n"
		    "expiration = 600\n\n",
		    name, transport ? transport : "udp", auth_name, host, port, doc_str(t, "username"),
		    host, port, doc_str(t, "username"), name);
	free(auth_name);
}

/* what a trunk's incoming call may be dialled to: a number (national or
 * +international), or nothing ("s": a line without DIDs) */
static const char *const trunk_dids[] = { "_X.", "_+X.", "s" };

static void trunk_dialplan(struct sbuf *b, const json_t *t)
{
	const char *name = doc_str(t, "name"), *pre = doc_str(t, "dialout_prefix");
	const char *dest = doc_str(t, "default_destination");

	if (pre)
		sbuf_printf(b, "[difos-outbound]\nexten => _%s.,1,Gosub(difos-dial-trunk,s,1(trunk-%s,"
			    "${EXTEN:%zu}))\n same => n,Hangup()\n\n", pre, name, strlen(pre));
	/* incoming: the block lists first, then the inbound routes, then the
	 * trunk's own default (an included context: a context's own
	 * extensions would be tried before its includes) */
	sbuf_printf(b, "[difos-from-trunk-%s]\n", name);
	for (size_t i = 0; i < ARRAY_SIZE(trunk_dids); i++)
		sbuf_printf(b, "exten => %s,1,Gosub(difos-blocklist-check,s,1)\n"
			    " same => n,Goto(difos-route-trunk-%s,${EXTEN},1)\n", trunk_dids[i], name);
	sbuf_add(b, "\n");
	sbuf_printf(b, "[difos-route-trunk-%s]\ninclude => difos-inbound\n"
		    "include => difos-default-trunk-%s\n\n", name, name);
	sbuf_printf(b, "[difos-default-trunk-%s]\n", name);
	for (size_t i = 0; i < ARRAY_SIZE(trunk_dids); i++)
		if (dest)
			sbuf_printf(b, "exten => %s,1,Goto(difos-extensions,%s,1)\n", trunk_dids[i], dest);
		else
			sbuf_printf(b, "exten => %s,1,Hangup(21)\n", trunk_dids[i]);
	sbuf_add(b, "\n");
}

static void trunks_asterisk(struct feature_ctx *ctx, struct feature_asterisk *out)
{
	const json_t *list = doc_get(ctx->doc, "trunks.list"), *t;
	size_t i;

	json_array_foreach(list, i, t) {
		if (!doc_bool(t, "enabled", true))
			continue;
		trunk_pjsip(&out->slot[AST_PJSIP], t);
		trunk_dialplan(&out->slot[AST_DIALPLAN], t);
	}
}

/* A trunk given by its address may reach the PBX from the WAN: its calls
 * in, its audio. (One given by name is reached only by the flows the PBX
 * opens to it: registrations and calls out.) */
static void trunks_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	const json_t *doc = ctx->doc, *t;
	size_t i;

	if (!doc_bool(doc, "pbx.enabled", true))
		return;
	json_array_foreach(doc_get(doc, "trunks.list"), i, t) {
		const char *host = doc_str(t, "host");
		struct net_prefix a;
		if (!doc_bool(t, "enabled", true) || net_prefix_parse(host, 4, false, &a) != NET_OK)
			continue;
		sbuf_printf(&out->slot[NFT_INPUT_WAN],
			    "\t\tip saddr %s udp dport { %lld, %lld-%lld } accept comment \"PBX trunk %s\"\n"
			    "\t\tip saddr %s tcp dport { %lld, %lld } accept comment \"PBX trunk %s\"\n",
			    host, doc_int(doc, "pbx.udp_port", 6067), doc_int(doc, "pbx.rtp_start", 20000),
			    doc_int(doc, "pbx.rtp_end", 30000), doc_str(t, "name"),
			    host, doc_int(doc, "pbx.tcp_port", 6068), doc_int(doc, "pbx.tls_port", 6069),
			    doc_str(t, "name"));
	}
}

const struct feature feature_trunks = {
	.name = "trunks",
	.title = "Trunks",
	.sections = trunks_sections,
	.asterisk = trunks_asterisk,
	.nft = trunks_nft,
};
