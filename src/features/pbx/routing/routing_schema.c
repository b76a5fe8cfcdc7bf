/*
 * The "call_routing" section: inbound routes (a pattern of the number a
 * trunk's call is for, its DID, to a destination inside the PBX) and
 * outbound routes (a pattern of dialled numbers to a trunk, with an
 * optional caller ID). Patterns are Asterisk's (pattern.h): checked here
 * with the reason and position of what is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/routing/pattern.h"
#include "features/pbx/routing/routing.h"
#include "schema/schema.h"
#include "store/doc.h"

#define ROUTE_PATTERN_HELP \
	"Asterisk's syntax: a number as it is, or _ then X (0-9), Z (1-9), N (2-9), [1-5], and " \
	"at the end . (one or more) or ! (zero or more)."

static void route_check(const json_t *el, const char *path, const json_t *doc,
			struct sc_error_list *errs);

static const struct sc_field inbound_fields[] = {
	{ .name = "name", .kind = SC_STRING, .max = 40, .title = "Name",
	  .help = "For you to know the route by." },
	{ .name = "pattern", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1, .max = PAT_MAX_LEN,
	  .title = "Pattern", .help = "The number called (the DID), e.g. _2142050. "
	  ROUTE_PATTERN_HELP },
	{ .name = "destination", .kind = SC_STRING, .flags = SC_F_REQUIRED, .max = 10,
	  .pattern = "[0-9]+", .pattern_says = "is not a number of the PBX", .title = "Destination",
	  .help = "Where the call goes: an extension's number." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = NULL }
};

static const struct sc_field outbound_fields[] = {
	{ .name = "name", .kind = SC_STRING, .max = 40, .title = "Name",
	  .help = "For you to know the route by." },
	{ .name = "pattern", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1, .max = PAT_MAX_LEN,
	  .title = "Pattern", .help = "The numbers dialled that take this route, e.g. _20XX. "
	  ROUTE_PATTERN_HELP },
	{ .name = "trunk", .kind = SC_REF, .flags = SC_F_REQUIRED, .ref = "trunks.list",
	  .title = "Trunk", .help = "The trunk the call goes out on (the number is sent as dialled)." },
	{ .name = "caller_id", .kind = SC_STRING, .max = 20, .pattern = "[+]?[0-9]+",
	  .pattern_says = "is not a phone number (digits, with an optional leading +)",
	  .title = "Caller ID",
	  .help = "Shown to the called party instead of the caller's own (or the extension's "
		  "outbound caller ID)." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = NULL }
};

static void route_check(const json_t *el, const char *path, const json_t *doc,
			struct sc_error_list *errs)
{
	const char *pat = doc_str(el, "pattern");
	char *err = NULL;

	(void)doc;
	if (pat && pat_check(pat, &err) < 0) {
		char *p = xasprintf("%s.pattern", path);
		sc_error_add(errs, p, pat, "%s", err);
		free(p);
		free(err);
	}
}

/* Two patterns the engine holds for the same extension: the second would
 * never be taken. */
static void routes_same_check(const json_t *sec, const char *path, const char *coll,
			      struct sc_error_list *errs)
{
	const json_t *list = json_object_get(sec, coll), *a, *b;
	size_t i, j;

	json_array_foreach(list, i, a) {
		for (j = 0; j < i; j++) {
			const char *pa = doc_str(a, "pattern");
			b = json_array_get(list, j);
			if (pa && doc_str(b, "pattern") && pat_check(pa, NULL) == 0 &&
			    pat_cmp(pa, doc_str(b, "pattern")) == 0) {
				char *p = xasprintf("%s.%s[%lld].pattern", path, coll,
						    (long long)doc_int(a, "id", 0));
				sc_error_add(errs, p, pa, "is the same pattern as %s[%lld]'s (%s): it "
					     "would never be taken", coll, (long long)doc_int(b, "id", 0),
					     doc_str(b, "pattern"));
				free(p);
				break;
			}
		}
	}
}

static void routing_section_check(const json_t *sec, const char *path, const json_t *doc,
				  struct sc_error_list *errs)
{
	(void)doc;
	routes_same_check(sec, path, "inbound", errs);
	routes_same_check(sec, path, "outbound", errs);
}

static const struct sc_field routing_fields[] = {
	{ .name = "inbound", .kind = SC_COLLECTION, .fields = inbound_fields, .check = route_check,
	  .max = 1000, .title = "Inbound routes",
	  .help = "Calls in from a trunk, by the number called, to a destination." },
	{ .name = "outbound", .kind = SC_COLLECTION, .fields = outbound_fields, .check = route_check,
	  .max = 1000, .title = "Outbound routes",
	  .help = "Numbers dialled by the extensions, by pattern, to a trunk." },
	{ .name = NULL }
};

static const struct sc_field routing_section = {
	.name = "call_routing", .kind = SC_OBJECT, .fields = routing_fields,
	.check = routing_section_check, .title = "PBX - Call Routing",
	.help = "Inbound and outbound routes, tried in Asterisk's order of patterns "
		"(the route preview tells which one a number takes).",
};

const struct sc_field *const routing_sections[] = { &routing_section, NULL };
