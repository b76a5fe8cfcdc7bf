/*
 * The "trunks" section: SIP trunks (PBX › Trunks): where the provider or
 * gateway is, the dial-out prefix that sends a call to it, where its
 * incoming calls go, its gateway authentication and codecs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/trunks/trunks.h"
#include "schema/schema.h"
#include "store/doc.h"

static const char *const trunk_codecs[] = { "ulaw", "alaw", "g722", "opus", "gsm", NULL };
static const char *const trunk_codec_labels[] = { "G.711 µ-law", "G.711 A-law", "G.722", "Opus",
						   "GSM", NULL };
static const char *const trunk_transports[] = { "udp", "tcp", "tls", NULL };
static const char *const trunk_transport_labels[] = { "UDP", "TCP", "TLS", NULL };
static const char *const trunk_auth_on[] = { "true", NULL };

static void trunk_entry_check(const json_t *el, const char *path, const json_t *doc,
			      struct sc_error_list *errs);
static void trunks_section_check(const json_t *sec, const char *path, const json_t *doc,
				 struct sc_error_list *errs);

static const struct sc_field trunk_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .min = 1,
	  .max = 24, .pattern = "[a-z][a-z0-9_-]*",
	  .pattern_says = "is not a trunk name: a lower-case letter, then letters, digits, '_' or '-'",
	  .title = "Name", .help = "An identifier for you to keep track of it." },
	{ .name = "host", .kind = SC_FQDN, .flags = SC_F_REQUIRED, .title = "Host",
	  .help = "The provider's or gateway's address or name, e.g. 10.254.248.2." },
	{ .name = "port", .kind = SC_PORT, .def = "5060", .title = "Port",
	  .help = "Its SIP port: usually 5060 (check with the provider when troubleshooting)." },
	{ .name = "transport", .kind = SC_ENUM, .choices = trunk_transports,
	  .labels = trunk_transport_labels, .def = "\"udp\"", .title = "Transport" },
	{ .name = "dialout_prefix", .kind = SC_STRING, .max = 6, .pattern = "[0-9*#]+",
	  .pattern_says = "is not a dial-out prefix (digits, * or #)",
	  .unique = "pbx-prefix", .unique_says = "is already the dial-out prefix of",
	  .title = "Dial-out prefix",
	  .help = "Dialling it before a number calls the number on this trunk; it is removed "
		  "before sending (8 then 050123456789 sends 050123456789)." },
	{ .name = "default_destination", .kind = SC_STRING, .max = 10, .pattern = "[0-9]+",
	  .pattern_says = "is not a number of the PBX", .title = "Default action",
	  .help = "Where its incoming calls go when no inbound route matches: an extension's "
		  "number; empty: they are refused." },
	{ .name = "authentication", .kind = SC_BOOL, .def = "false", .title = "Gateway authentication",
	  .help = "Register with the provider with a user name and password." },
	{ .name = "username", .kind = SC_STRING, .min = 1, .max = 64, .pattern = "[A-Za-z0-9._+-]+",
	  .pattern_says = "is not a SIP user name (letters, digits, '.', '_', '+', '-')",
	  .title = "Username", .when = { "authentication", trunk_auth_on } },
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_SECRET, .min = 1, .max = 128,
	  .pattern = "[!#-:<-[^-~]+",
	  .pattern_says = "has a space or one of \" ; \\ ] (not allowed in a SIP password here)",
	  .title = "Password", .when = { "authentication", trunk_auth_on } },
	{ .name = "codecs", .kind = SC_LIST, .item = SC_ENUM, .min = 1, .max = 5,
	  .choices = trunk_codecs, .labels = trunk_codec_labels, .def = "[\"ulaw\", \"alaw\"]",
	  .title = "Codecs", .help = "Audio codecs offered, in order of preference." },
	{ .name = "qualify", .kind = SC_BOOL, .def = "true", .title = "Check the trunk",
	  .help = "Ask the provider every minute whether it answers (SIP OPTIONS): its state "
		  "shows, and calls fail at once while it does not answer." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = NULL }
};

static void trunk_entry_check(const json_t *el, const char *path, const json_t *doc,
			      struct sc_error_list *errs)
{
	(void)doc;
	if (!doc_bool(el, "authentication", false))
		return;
	for (const char *const *k = (const char *const[]){ "username", "password", NULL }; *k; k++)
		if (!json_object_get(el, *k)) {
			char *p = xasprintf("%s.%s", path, *k);
			sc_error_add(errs, p, NULL, "is required with gateway authentication");
			free(p);
		}
}

/* A prefix that begins an extension's number would take its calls (or
 * the reverse): the dialplan could not tell them apart. */
static void trunks_section_check(const json_t *sec, const char *path, const json_t *doc,
				 struct sc_error_list *errs)
{
	const json_t *trunks = json_object_get(sec, "list"), *t, *e;
	const json_t *exts = doc_get(doc, "extensions.list");
	size_t i, j;

	json_array_foreach(trunks, i, t) {
		const char *pre = doc_str(t, "dialout_prefix");
		if (!pre)
			continue;
		json_array_foreach(exts, j, e) {
			const char *num = doc_str(e, "number");
			if (num && !strncmp(num, pre, strlen(pre))) {
				char *p = xasprintf("%s.list[%lld].dialout_prefix", path,
						    (long long)doc_int(t, "id", 0));
				sc_error_add(errs, p, pre, "begins the extension number %s", num);
				free(p);
			}
		}
	}
}

static const struct sc_field trunks_section_fields[] = {
	{ .name = "list", .kind = SC_COLLECTION, .fields = trunk_fields, .check = trunk_entry_check,
	  .max = 200, .title = "Trunks", .help = "SIP lines to providers and gateways." },
	{ .name = NULL }
};

static const struct sc_field trunks_section = {
	.name = "trunks", .kind = SC_OBJECT, .fields = trunks_section_fields,
	.check = trunks_section_check, .title = "PBX - Trunks",
	.help = "SIP trunks: calls out with a dial-out prefix, calls in to a default action.",
};

const struct sc_field *const trunks_sections[] = { &trunks_section, NULL };
