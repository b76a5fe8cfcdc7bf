/*
 * Text read as a kind: a command-line argument or a query value becomes
 * the typed JSON value its field takes ("24" -> 24, "on" -> true, "a,b"
 * -> ["a","b"] for lists, JSON text accepted too), each by its kind's
 * reader. The result is checked afterwards like any value.
 */

#include <stdlib.h>
#include <string.h>

#include "schema/kind_int.h"

static json_t *sc_coerce_scalar(enum sc_kind kind, const char *text, char *why, size_t whylen)
{
	return sc_kind_def(kind)->read(text, why, whylen);
}

static bool sc_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static json_t *sc_coerce_list(const struct sc_field *f, const char *text,
			      char *why, size_t whylen)
{
	json_t *arr = json_array();
	const char *p = text;

	while (sc_is_space(*p))
		p++;
	if (*p == '\0')
		return arr;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		char item_why[256];
		char *item;
		json_t *v;

		while (p < end && sc_is_space(*p))
			p++;
		while (end > p && sc_is_space(end[-1]))
			end--;
		if (end == p) {
			sc_fail(why, whylen, "has an empty item");
			goto fail;
		}
		item = strndup(p, (size_t)(end - p));
		if (!item) {
			sc_fail(why, whylen, "cannot be read (out of memory)");
			goto fail;
		}
		v = sc_coerce_scalar(f->item, item, item_why, sizeof(item_why));
		if (!v) {
			sc_fail(why, whylen, "has an invalid item: %s %s", item, item_why);
			free(item);
			goto fail;
		}
		free(item);
		json_array_append_new(arr, v);
		if (!comma)
			return arr;
		p = comma + 1;
	}
fail:
	json_decref(arr);
	return NULL;
}

json_t *sc_coerce_text(const struct sc_field *f, const char *text, char *why, size_t whylen)
{
	const char *p;

	if (why && whylen)
		why[0] = '\0';
	if (!text) {
		sc_fail(why, whylen, "is missing");
		return NULL;
	}
	if (f->kind != SC_LIST && f->kind != SC_COLLECTION)
		return sc_coerce_scalar(f->kind, text, why, whylen);
	for (p = text; sc_is_space(*p); p++)
		;
	if (*p == '[' || *p == '{')
		return sc_read_json(p, why, whylen);
	if (f->kind == SC_COLLECTION) {
		sc_fail(why, whylen, "is not a JSON array or object");
		return NULL;
	}
	return sc_coerce_list(f, p, why, whylen);
}

