/* What every check of a value uses: the reason, the string, the limits, digits. */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

#include "schema/kind_int.h"

/* Writes the reason (when the caller wants one) and returns false. */
bool sc_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return false;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return false;
}

/*
 * Every string kind goes through here: jansson strings may hold NUL bytes,
 * and no control character belongs in anything that ends up in a config
 * file or a command line.
 */
const char *sc_string_of(const json_t *v, char *why, size_t whylen)
{
	const char *s;
	size_t n, i;

	if (!json_is_string(v)) {
		sc_fail(why, whylen, "is not a string");
		return NULL;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			sc_fail(why, whylen, "contains a control character");
			return NULL;
		}
	}
	return s;
}

bool sc_is_hex(char c)
{
	return isxdigit((unsigned char)c) != 0;
}

int sc_hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return tolower((unsigned char)c) - 'a' + 10;
}

struct sc_range sc_field_range(const struct sc_field *f, bool apply)
{
	struct sc_range r = { 0 };

	if (!apply || (f->min == 0 && f->max == 0))
		return r;
	r.has_lo = true;
	r.lo = f->min;
	if (!(f->max == 0 && f->min > 0)) {
		r.has_hi = true;
		r.hi = f->max;
	}
	return r;
}
