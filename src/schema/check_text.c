/*
 * Checks of the text kinds: strings (length, pattern), enums, host and
 * domain names, interface names, MAC addresses and DUIDs. Every string
 * kind goes through sc_string_of first.
 */

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/kind_int.h"

static bool sc_is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/*
 * Compiled patterns, by the schema's own pattern string (they live as
 * long as the program): a document holds thousands of values of a few
 * patterns, and compiling is what costs.
 */
struct sc_compiled {
	const char *pattern;
	regex_t re;
	bool ok;
};

static struct sc_compiled *sc_pattern_cache;
static size_t sc_pattern_n;

static const struct sc_compiled *sc_compiled_pattern(const char *pattern)
{
	struct sc_compiled *c;
	size_t n = strlen(pattern) + 5;
	char *anchored;

	for (size_t i = 0; i < sc_pattern_n; i++)
		if (sc_pattern_cache[i].pattern == pattern)
			return &sc_pattern_cache[i];
	anchored = malloc(n);
	if (!anchored)
		return NULL;
	c = realloc(sc_pattern_cache, (sc_pattern_n + 1) * sizeof(*c));
	if (!c) {
		free(anchored);
		return NULL;
	}
	sc_pattern_cache = c;
	c = &sc_pattern_cache[sc_pattern_n++];
	snprintf(anchored, n, "^(%s)$", pattern);
	c->pattern = pattern;
	c->ok = regcomp(&c->re, anchored, REG_EXTENDED | REG_NOSUB) == 0;
	free(anchored);
	return c;
}

bool sc_match_pattern(const char *pattern, const char *s,
			     char *why, size_t whylen)
{
	const struct sc_compiled *c = sc_compiled_pattern(pattern);

	if (!c)
		return sc_fail(why, whylen, "cannot be checked (out of memory)");
	if (!c->ok)
		return sc_fail(why, whylen,
			       "cannot be checked (invalid pattern in the schema)");
	if (regexec(&c->re, s, 0, NULL, 0) != 0)
		return sc_fail(why, whylen, "does not match the pattern %s", pattern);
	return true;
}

/* aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, one separator throughout */
bool sc_mac_parse(const char *s, unsigned char out[6])
{
	char sep;
	int i;

	if (strlen(s) != 17)
		return false;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return false;
	for (i = 0; i < 6; i++) {
		const char *o = s + i * 3;

		if (!sc_is_hex(o[0]) || !sc_is_hex(o[1]))
			return false;
		if (i < 5 && o[2] != sep)
			return false;
		out[i] = (unsigned char)(sc_hex_val(o[0]) << 4 | sc_hex_val(o[1]));
	}
	return true;
}

static bool sc_label_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-')
			return false;
	}
	return true;
}

static bool sc_fqdn_ok(const char *s)
{
	size_t total = strlen(s);
	const char *p = s;

	if (total < 1 || total > 253)
		return false;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (!sc_label_ok(p, n))
			return false;
		if (!dot)
			return true;
		p = dot + 1;
	}
}

bool sc_domain_ok(const char *s)
{
	const char *last = strrchr(s, '.');

	/* "1.2.3.256" is no name: the last label has a letter or '-' */
	last = last ? last + 1 : s;
	return sc_fqdn_ok(s) && strspn(last, "0123456789") != strlen(last);
}

static bool sc_duid_ok(const char *s)
{
	size_t n = strlen(s), i;

	/* n octets take 3n - 1 characters */
	if ((n + 1) % 3 != 0 || (n + 1) / 3 < 2 || (n + 1) / 3 > 130)
		return false;
	for (i = 0; i < n; i++) {
		if (i % 3 == 2) {
			if (s[i] != ':')
				return false;
		} else if (!sc_is_hex(s[i])) {
			return false;
		}
	}
	return true;
}

static bool sc_ifname_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > SC_IFNAME_MAX)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || c == ':' || isspace(c) || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

/*
 * Lengths are counted in bytes: the limits protect fixed-size fields
 * downstream (an SSID is 32 octets, whatever the script).
 */
bool sc_check_string(const struct sc_field *f, bool limits, const json_t *v, char *why,
                     size_t whylen)
{
	struct sc_range r = sc_field_range(f, limits);
	const char *s = sc_string_of(v, why, whylen);
	const char *unit;
	long long n;

	if (!s)
		return false;
	n = (long long)strlen(s);
	unit = sc_is_ascii(s) ? "characters" : "bytes";
	if (r.has_lo && n < r.lo)
		return sc_fail(why, whylen, "is shorter than %lld %s", r.lo, unit);
	if (r.has_hi && n > r.hi)
		return sc_fail(why, whylen, "is longer than %lld %s", r.hi, unit);
	if (f->pattern && !sc_match_pattern(f->pattern, s, why, whylen))
		return f->pattern_says ? sc_fail(why, whylen, "%s", f->pattern_says) : false;
	return true;
}

bool sc_check_enum(const struct sc_field *f, bool limits, const json_t *v, char *why,
                   size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	const char *const *c;
	size_t off;

	(void)limits;
	if (!s)
		return false;
	for (c = f->choices; c && *c; c++)
		if (strcmp(s, *c) == 0)
			return true;
	if (!why || !whylen)
		return false;
	if (!f->choices || !f->choices[0])
		return sc_fail(why, whylen, "is not an allowed value");
	off = (size_t)snprintf(why, whylen, "is not one of: ");
	for (c = f->choices; *c && off < whylen; c++)
		off += (size_t)snprintf(why + off, whylen - off, "%s%s",
					c == f->choices ? "" : ", ", *c);
	return false;
}

bool sc_check_mac(const struct sc_field *f, bool limits, const json_t *v, char *why,
                  size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	static const unsigned char zero[6];
	unsigned char m[6];

	(void)f;
	(void)limits;
	if (!s)
		return false;
	if (!sc_mac_parse(s, m))
		return sc_fail(why, whylen,
			       "is not a valid MAC address (aa:bb:cc:dd:ee:ff)");
	if (memcmp(m, zero, sizeof(m)) == 0)
		return sc_fail(why, whylen, "is the all-zero MAC address");
	return true;
}

/* A string the predicate accepts; otherwise why = says. */
static bool sc_text_is(const json_t *v, char *why, size_t whylen, bool (*ok)(const char *),
		       const char *says)
{
	const char *s = sc_string_of(v, why, whylen);

	if (!s)
		return false;
	return ok(s) ? true : sc_fail(why, whylen, "%s", says);
}

static bool sc_hostname_ok(const char *s)
{
	return sc_label_ok(s, strlen(s));
}

bool sc_check_hostname(const struct sc_field *f, bool limits, const json_t *v, char *why,
		       size_t whylen)
{
	(void)f;
	(void)limits;
	return sc_text_is(v, why, whylen, sc_hostname_ok,
			  "is not a valid host name (1-63 letters, digits or '-', not at either end)");
}

bool sc_check_fqdn(const struct sc_field *f, bool limits, const json_t *v, char *why,
		   size_t whylen)
{
	(void)f;
	(void)limits;
	return sc_text_is(v, why, whylen, sc_fqdn_ok, "is not a valid domain name");
}

bool sc_check_duid(const struct sc_field *f, bool limits, const json_t *v, char *why,
		   size_t whylen)
{
	(void)f;
	(void)limits;
	return sc_text_is(v, why, whylen, sc_duid_ok,
			  "is not a valid DUID (2-130 hex octets separated by ':')");
}

bool sc_check_ifname(const struct sc_field *f, bool limits, const json_t *v, char *why,
		     size_t whylen)
{
	(void)f;
	(void)limits;
	return sc_text_is(v, why, whylen, sc_ifname_ok,
			  "is not a valid interface name (1-15 characters, no '/', ':' or spaces)");
}

bool sc_check_text(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen)
{
	if (!json_is_string(v))
		return sc_fail(why, whylen, "is not a string");
	if (f->max && limits && json_string_length(v) > (size_t)f->max)
		return sc_fail(why, whylen, "is longer than %lld bytes", f->max);
	return true;
}
