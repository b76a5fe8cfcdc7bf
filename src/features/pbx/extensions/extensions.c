/*
 * PBX › Extensions. Each enabled extension becomes three PJSIP objects
 * (endpoint, auth, aor, named after its number) and one line of the
 * dialplan context every internal call is dialled in. The values written
 * are limited by the schema's patterns to characters Asterisk's
 * configuration reader takes as they are (no ';', '"', '\' or line break).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/extensions/extensions.h"
#include "store/doc.h"

/* the SRTP choice as PJSIP says it */
static const struct {
	const char *srtp;
	const char *lines;
} ext_srtp_lines[] = {
	{ "off", "media_encryption = no\n" },
	{ "optional", "media_encryption = sdes\nmedia_encryption_optimistic = yes\n" },
	{ "required", "media_encryption = sdes\nmedia_encryption_optimistic = no\n" },
};

static void ext_codecs(struct sbuf *b, const json_t *codecs)
{
	size_t i;
	json_t *c;

	sbuf_add(b, "disallow = all\nallow = ");
	json_array_foreach(codecs, i, c)
		sbuf_printf(b, "%s%s", i ? "," : "", json_string_value(c));
	sbuf_add(b, "\n");
}

static void ext_pjsip(struct sbuf *b, const json_t *e)
{
	const char *num = doc_str(e, "number"), *srtp = doc_str(e, "srtp");
	const char *cid = doc_str(e, "outbound_cid");

	sbuf_printf(b, "[%s]\ntype = endpoint\ncontext = difos-internal\n", num);
	sbuf_printf(b, "callerid = \"%s\" <%s>\n", doc_str(e, "name"), num);
	ext_codecs(b, json_object_get(e, "codecs"));
	sbuf_printf(b, "auth = %s-auth\naors = %s\n", num, num);
	sbuf_add(b, "dtmf_mode = rfc4733\ndirect_media = no\nrtp_symmetric = yes\n"
		    "force_rport = yes\nrewrite_contact = yes\n");
	for (size_t i = 0; i < ARRAY_SIZE(ext_srtp_lines); i++)
		if (srtp && !strcmp(srtp, ext_srtp_lines[i].srtp))
			sbuf_add(b, ext_srtp_lines[i].lines);
	/* read by the dialplan: who records, which number goes out on a trunk */
	sbuf_printf(b, "set_var = DIFOS_EXTEN=%s\n", num);
	if (doc_bool(e, "recording", false))
		sbuf_add(b, "set_var = DIFOS_RECORD=1\n");
	if (cid)
		sbuf_printf(b, "set_var = DIFOS_OUTBOUND_CID=%s\n", cid);
	sbuf_printf(b, "\n[%s-auth]\ntype = auth\nauth_type = userpass\nusername = %s\n"
		    "password = %s\n\n", num, num, doc_str(e, "password"));
	sbuf_printf(b, "[%s]\ntype = aor\nmax_contacts = 5\nremove_existing = yes\n"
		    "qualify_frequency = %d\n\n", num, doc_bool(e, "qualify", true) ? 60 : 0);
}

static void ext_asterisk(struct feature_ctx *ctx, struct feature_asterisk *out)
{
	const json_t *list = doc_get(ctx->doc, "extensions.list"), *e;
	struct sbuf *plan = &out->slot[AST_DIALPLAN];
	size_t i;

	sbuf_add(plan, "[difos-extensions]\n");
	json_array_foreach(list, i, e) {
		if (!doc_bool(e, "enabled", true))
			continue;
		ext_pjsip(&out->slot[AST_PJSIP], e);
		/* the callee's recording switch goes with the call */
		sbuf_printf(plan, "exten => %s,1,Gosub(difos-dial-extension,s,1(%s,%d))\n",
			    doc_str(e, "number"), doc_str(e, "number"),
			    doc_bool(e, "recording", false) ? 1 : 0);
		sbuf_printf(plan, " same => n,Hangup()\n");
	}
	sbuf_add(plan, "\n");
}

const struct feature feature_extensions = {
	.name = "extensions",
	.title = "Extensions",
	.sections = extensions_sections,
	.asterisk = ext_asterisk,
};
