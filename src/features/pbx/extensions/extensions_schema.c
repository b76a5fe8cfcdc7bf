/*
 * The "extensions" section: one entry per SIP account (PBX › Extensions):
 * its number, password, outbound caller ID, recording, codecs and media
 * encryption.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "features/pbx/extensions/extensions.h"
#include "features/pbx/extensions/extensions_int.h"
#include "schema/schema.h"
#include "store/doc.h"

static const char *const ext_codecs[] = { "ulaw", "alaw", "g722", "opus", "gsm", NULL };
static const char *const ext_codec_labels[] = { "G.711 µ-law", "G.711 A-law", "G.722", "Opus",
						 "GSM", NULL };
static const char *const ext_srtp[] = { "off", "optional", "required", NULL };
static const char *const ext_srtp_labels[] = { "Off", "Optional (SRTP when the phone offers it)",
						"Required", NULL };

static void ext_entry_check(const json_t *el, const char *path, const json_t *doc,
			    struct sc_error_list *errs);

static const struct sc_field ext_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1, .max = 40,
	  .pattern = "[A-Za-z0-9][A-Za-z0-9 ._-]*",
	  .pattern_says = "is not a name of letters, digits, spaces, '.', '_' and '-'",
	  .title = "Name", .help = "Shown as the caller's name on internal calls." },
	{ .name = "number", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .min = 2,
	  .max = 10, .pattern = "[0-9]+", .pattern_says = "is not an extension number (2 to 10 digits)",
	  .unique = "pbx-number", .unique_says = "is already the number of",
	  .title = "Extension", .help = "The number dialled to reach it; its SIP user name." },
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET, .min = 12,
	  .max = 128, .pattern = "[!#-:<-[^-~]+",
	  .pattern_says = "has a space or one of \" ; \\ ] (not allowed in a SIP password here)",
	  .title = "Password",
	  .help = "12 or more characters, hard to guess: the extension's SIP password." },
	{ .name = "outbound_cid", .kind = SC_STRING, .max = 20, .pattern = "[+]?[0-9]+",
	  .pattern_says = "is not a phone number (digits, with an optional leading +)",
	  .title = "Outbound caller ID",
	  .help = "The number shown on calls out through a trunk with DIDs (ignored by "
		  "analogue lines)." },
	{ .name = "recording", .kind = SC_BOOL, .def = "false", .title = "Recording",
	  .help = "Record its calls; recordings show on the Call Detail Records page." },
	{ .name = "codecs", .kind = SC_LIST, .item = SC_ENUM, .flags = SC_F_UNIQUE, .min = 1,
	  .max = 5, .choices = ext_codecs, .labels = ext_codec_labels,
	  .def = "[\"ulaw\", \"alaw\"]", .title = "Codecs",
	  .help = "Audio codecs offered, in order of preference." },
	{ .name = "srtp", .kind = SC_ENUM, .choices = ext_srtp, .labels = ext_srtp_labels,
	  .def = "\"optional\"", .title = "Media encryption (SRTP)",
	  .help = "Encrypt the call's audio; its keys travel in SIP, so use it with TLS." },
	{ .name = "qualify", .kind = SC_BOOL, .def = "true", .title = "Check the phone",
	  .help = "Ask the phone every minute whether it answers (SIP OPTIONS): its state and "
		  "round-trip time show on this page, and a phone that stops answering is not "
		  "rung until it answers again." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = NULL }
};

/* the password: libpwquality's verdict, as for the router's own (the
 * manual asks for strong SIP passwords: scanners try them all day), each
 * password checked once (extensions_strength.c) */
static void ext_entry_check(const json_t *el, const char *path, const json_t *doc,
			    struct sc_error_list *errs)
{
	const char *pw = doc_str(el, "password");
	struct auth_strength st;

	(void)doc;
	if (!pw)
		return;
	ext_password_strength(pw, doc_str(el, "number"), &st);
	if (!st.ok) {
		char *p = xasprintf("%s.password", path);
		sc_error_add(errs, p, NULL, "the password %s", st.why);
		free(p);
	}
}

static const struct sc_field ext_section_fields[] = {
	{ .name = "list", .kind = SC_COLLECTION, .fields = ext_fields, .check = ext_entry_check,
	  .max = 2000, .title = "Extensions",
	  .help = "SIP accounts for phones and softphones." },
	{ .name = NULL }
};

static const struct sc_field extensions_section = {
	.name = "extensions", .kind = SC_OBJECT, .fields = ext_section_fields,
	.title = "PBX - Extensions",
	.help = "Extensions: the PBX's SIP accounts. Trunks, queues and IVRs forward calls to them.",
};

const struct sc_field *const extensions_sections[] = { &extensions_section, NULL };
