/*
 * PBX › Block List: named lists of numbers. An incoming call whose caller
 * ID contains a listed number is refused (the manual: +971507654321 is
 * blocked by 7654321, 0507654321 is not blocked by +971507654321).
 *
 * The check is the context difos-blocklist-check, which every trunk's
 * incoming calls pass first; it is rendered even with no list, so that
 * context always exists. The caller ID is what the caller says: it is
 * reduced to digits and '+' (FILTER) before anything reads it, so no
 * character of it reaches the dialplan's expression parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "schema/schema.h"
#include "store/doc.h"

static const struct sc_field bl_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .min = 1,
	  .max = 40, .pattern = "[A-Za-z0-9][A-Za-z0-9 ._-]*",
	  .pattern_says = "is not a name of letters, digits, spaces, '.', '_' and '-'",
	  .title = "Name", .help = "An identifier for you to know the list by." },
	{ .name = "numbers", .kind = SC_LIST, .item = SC_STRING, .min = 1, .max = 1000,
	  .pattern = "[+]?[0-9]{3,20}",
	  .pattern_says = "is not a phone number (3 to 20 digits, with an optional leading +)",
	  .title = "Numbers",
	  .help = "A caller whose number contains one of these is refused: 7654321 blocks "
		  "+971507654321 and 0507654321." },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = NULL }
};

static const struct sc_field bl_section_fields[] = {
	{ .name = "list", .kind = SC_COLLECTION, .fields = bl_fields, .max = 100,
	  .title = "Block lists", .help = "Numbers whose calls are refused." },
	{ .name = NULL }
};

static const struct sc_field bl_section = {
	.name = "block_lists", .kind = SC_OBJECT, .fields = bl_section_fields,
	.title = "PBX - Block List",
	.help = "Callers refused on every trunk: simple numbers, matched anywhere in the caller ID.",
};

static const struct sc_field *const bl_sections[] = { &bl_section, NULL };

static void bl_asterisk(struct feature_ctx *ctx, struct feature_asterisk *out)
{
	const json_t *lists = doc_get(ctx->doc, "block_lists.list"), *l, *n;
	struct sbuf *b = &out->slot[AST_DIALPLAN];
	size_t i, j;

	sbuf_add(b, "[difos-blocklist-check]\n"
		    "exten => s,1,Set(DIFOS_CID=${FILTER(0123456789+,${CALLERID(num)})})\n");
	json_array_foreach(lists, i, l) {
		if (!doc_bool(l, "enabled", true))
			continue;
		json_array_foreach(json_object_get(l, "numbers"), j, n)
			sbuf_printf(b, " same => n,GotoIf($[\"${DIFOS_CID}\" =~ \"%s%s\"]?blocked)\n",
				    json_string_value(n)[0] == '+' ? "[+]" : "",
				    json_string_value(n) + (json_string_value(n)[0] == '+'));
	}
	sbuf_add(b, " same => n,Return()\n"
		    " same => n(blocked),Verbose(1,blocked caller ${DIFOS_CID})\n"
		    " same => n,Set(CDR(userfield)=blocked)\n"
		    " same => n,Hangup(21)\n\n");
}

const struct feature feature_blocklist = {
	.name = "blocklist",
	.title = "Block List",
	.sections = bl_sections,
	.asterisk = bl_asterisk,
};
