/*
 * Scalar value types of the schema: strict validators for every kind, the
 * CLI text coercion and the canonical parsers used by renderers.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* inet_pton, regcomp, strndup, strcasecmp */
#endif

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/addr.h"
#include "schema/schema.h"

#define SC_DURATION_MAX (10LL * 365 * 86400)	/* ten years */
#define SC_IFNAME_MAX 15			/* IFNAMSIZ - 1 */

static const char *const sc_kind_names[SC__KIND_COUNT] = {
	[SC_OBJECT] = "object",
	[SC_COLLECTION] = "collection",
	[SC_LIST] = "list",
	[SC_BOOL] = "bool",
	[SC_INT] = "int",
	[SC_STRING] = "string",
	[SC_ENUM] = "enum",
	[SC_IPV4] = "ipv4",
	[SC_IPV6] = "ipv6",
	[SC_CIDR4] = "cidr4",
	[SC_CIDR6] = "cidr6",
	[SC_MAC] = "mac",
	[SC_HOSTNAME] = "hostname",
	[SC_FQDN] = "fqdn",
	[SC_PORT] = "port",
	[SC_PORT_RANGE] = "port_range",
	[SC_DURATION] = "duration",
	[SC_RATE] = "rate",
	[SC_REF] = "ref",
	[SC_DUID] = "duid",
	[SC_IPV6_SUFFIX] = "ipv6_suffix",
	[SC_IFNAME] = "ifname",
	[SC_JSON] = "json",
	[SC_TEXT] = "text",
};

const char *sc_kind_name(enum sc_kind k)
{
	if ((unsigned)k >= SC__KIND_COUNT || !sc_kind_names[k])
		return "unknown";
	return sc_kind_names[k];
}

/* ---- small helpers ---- */

static bool sc_fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes the reason (when the caller wants one) and returns false. */
static bool sc_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return false;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return false;
}

static bool sc_is_hex(char c)
{
	return isxdigit((unsigned char)c) != 0;
}

static int sc_hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return tolower((unsigned char)c) - 'a' + 10;
}

/*
 * Strict unsigned decimal of exactly n characters: digits only, no sign,
 * no leading zero (except "0" itself), at most max.
 */
static bool sc_parse_dec(const char *s, size_t n, unsigned long max,
			 unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/*
 * Effective numeric bounds of a field. A lone min (max left at 0 while
 * min > 0) means "no upper bound": {.min = 1} must not collapse the range
 * to [1, 0].
 */
struct sc_range {
	bool has_lo, has_hi;
	long long lo, hi;
};

static struct sc_range sc_field_range(const struct sc_field *f, bool apply)
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

/*
 * Every string kind goes through here: jansson strings may hold NUL bytes,
 * and no control character belongs in anything that ends up in a config
 * file or a command line.
 */
static const char *sc_string_of(const json_t *v, char *why, size_t whylen)
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

/* ---- canonical parsers ---- */

enum sc_dur_status {
	SC_DUR_OK,
	SC_DUR_INFINITE,
	SC_DUR_SYNTAX,
	SC_DUR_ZERO,
	SC_DUR_TOO_LONG,
};

static enum sc_dur_status sc_duration_parse(const char *s, long long *out)
{
	long long v = 0, mult = 1;
	const char *p = s;

	if (!s)
		return SC_DUR_SYNTAX;
	if (strcmp(s, "infinite") == 0)
		return SC_DUR_INFINITE;
	if (*p < '0' || *p > '9')
		return SC_DUR_SYNTAX;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		/* keep counting digits but stop the value from overflowing */
		if (v > SC_DURATION_MAX)
			v = SC_DURATION_MAX + 1;
	}
	switch (*p) {
	case '\0':
		break;
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		return SC_DUR_SYNTAX;
	}
	if (*p && p[1] != '\0')
		return SC_DUR_SYNTAX;
	if (v == 0)
		return SC_DUR_ZERO;
	if (v > SC_DURATION_MAX / mult)
		return SC_DUR_TOO_LONG;
	*out = v * mult;
	return SC_DUR_OK;
}

long long sc_duration_seconds(const char *s)
{
	long long v;

	switch (sc_duration_parse(s, &v)) {
	case SC_DUR_OK:
		return v;
	case SC_DUR_INFINITE:
		return -1;
	default:
		return -2;
	}
}

/* ---- syntax of the string kinds ---- */

/* aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, one separator throughout */
static bool sc_mac_parse(const char *s, unsigned char out[6])
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

/* ---- checkers, one per kind ---- */

static bool sc_check_int(const struct sc_field *f, bool limits, const json_t *v,
			 char *why, size_t whylen)
{
	struct sc_range r = sc_field_range(f, limits);
	long long n;

	if (!json_is_integer(v))
		return sc_fail(why, whylen, "is not an integer");
	n = json_integer_value(v);
	if (r.has_lo && n < r.lo)
		return sc_fail(why, whylen, "is below the minimum %lld", r.lo);
	if (r.has_hi && n > r.hi)
		return sc_fail(why, whylen, "is above the maximum %lld", r.hi);
	return true;
}

static bool sc_check_port(const struct sc_field *f, bool limits, const json_t *v,
			  char *why, size_t whylen)
{
	struct sc_range r = sc_field_range(f, limits);
	long long lo = 1, hi = 65535, n;

	if (!json_is_integer(v))
		return sc_fail(why, whylen, "is not an integer");
	if (r.has_lo && r.lo > lo)
		lo = r.lo;
	if (r.has_hi && r.hi < hi)
		hi = r.hi;
	n = json_integer_value(v);
	if (n < lo)
		return sc_fail(why, whylen, "is below the minimum %lld", lo);
	if (n > hi)
		return sc_fail(why, whylen, "is above the maximum %lld", hi);
	return true;
}

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

static bool sc_match_pattern(const char *pattern, const char *s,
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

/*
 * Lengths are counted in bytes: the limits protect fixed-size fields
 * downstream (an SSID is 32 octets, whatever the script).
 */
static bool sc_check_string(const struct sc_field *f, bool limits, const json_t *v,
			    char *why, size_t whylen)
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
		return false;
	return true;
}

static bool sc_check_enum(const struct sc_field *f, const json_t *v,
			  char *why, size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	const char *const *c;
	size_t off;

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

/* One parse for the four address kinds: an address of one family, with
 * "/len" for the networks; the message tells the address from the length. */
static bool sc_check_address(const json_t *v, int family, bool network, char *why,
			     size_t whylen)
{
	static const char *const bad[2][2] = {
		{ "is not a valid IPv4 address", "is not a valid IPv4 network (a.b.c.d/len)" },
		{ "is not a valid IPv6 address", "is not a valid IPv6 network (x::y/len)" },
	};
	const char *s = sc_string_of(v, why, whylen);
	struct net_prefix p;

	if (!s)
		return false;
	switch (net_prefix_parse(s, family, network, &p)) {
	case NET_OK:
		return true;
	case NET_BAD_LENGTH:
		return sc_fail(why, whylen, "has an invalid prefix length (0-%d)",
			       family == 4 ? 32 : 128);
	default:
		return sc_fail(why, whylen, "%s", bad[family == 6][network]);
	}
}

static bool sc_check_mac(const json_t *v, char *why, size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	static const unsigned char zero[6];
	unsigned char m[6];

	if (!s)
		return false;
	if (!sc_mac_parse(s, m))
		return sc_fail(why, whylen,
			       "is not a valid MAC address (aa:bb:cc:dd:ee:ff)");
	if (memcmp(m, zero, sizeof(m)) == 0)
		return sc_fail(why, whylen, "is the all-zero MAC address");
	return true;
}

static bool sc_check_hostname(const json_t *v, char *why, size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);

	if (!s)
		return false;
	if (!sc_label_ok(s, strlen(s)))
		return sc_fail(why, whylen,
			       "is not a valid host name (1-63 letters, digits or '-', not at either end)");
	return true;
}

static bool sc_check_fqdn(const json_t *v, char *why, size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);

	if (!s)
		return false;
	if (!sc_fqdn_ok(s))
		return sc_fail(why, whylen, "is not a valid domain name");
	return true;
}

static bool sc_check_port_range(const json_t *v, char *why, size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	unsigned long lo, hi;
	const char *dash;
	size_t n;

	if (!s)
		return false;
	dash = strchr(s, '-');
	n = dash ? (size_t)(dash - s) : strlen(s);
	if (!sc_parse_dec(s, n, 65535, &lo) || lo < 1)
		goto bad;
	hi = lo;
	if (dash && (!sc_parse_dec(dash + 1, strlen(dash + 1), 65535, &hi) || hi < 1))
		goto bad;
	if (lo > hi)
		return sc_fail(why, whylen, "has its start above its end");
	return true;
bad:
	return sc_fail(why, whylen, "is not a valid port range (N or N-M, 1-65535)");
}

static bool sc_check_duration(const struct sc_field *f, bool limits, const json_t *v,
			      char *why, size_t whylen)
{
	struct sc_range r = sc_field_range(f, limits);
	const char *s = sc_string_of(v, why, whylen);
	long long secs = 0;

	if (!s)
		return false;
	switch (sc_duration_parse(s, &secs)) {
	case SC_DUR_INFINITE:
		if (!(f->flags & SC_F_INFINITE))
			return sc_fail(why, whylen, "is not allowed here (a finite duration is required)");
		return true;
	case SC_DUR_SYNTAX:
		return sc_fail(why, whylen,
			       "is not a valid duration (e.g. 90s, 30m, 12h, 7d, 2w)");
	case SC_DUR_ZERO:
		return sc_fail(why, whylen, "is not a positive duration");
	case SC_DUR_TOO_LONG:
		return sc_fail(why, whylen, "is longer than 10 years");
	case SC_DUR_OK:
		break;
	}
	if (r.has_lo && secs < r.lo)
		return sc_fail(why, whylen, "is below the minimum %llds", r.lo);
	if (r.has_hi && secs > r.hi)
		return sc_fail(why, whylen, "is above the maximum %llds", r.hi);
	return true;
}

static bool sc_check_rate(const struct sc_field *f, bool limits, const json_t *v,
			  char *why, size_t whylen)
{
	struct sc_range r = sc_field_range(f, limits);
	double d;

	if (!json_is_number(v))
		return sc_fail(why, whylen, "is not a number");
	d = json_number_value(v);
	if (!(d > 0))
		return sc_fail(why, whylen, "is not a positive rate");
	if (r.has_lo && d < (double)r.lo)
		return sc_fail(why, whylen, "is below the minimum %lld", r.lo);
	if (r.has_hi && d > (double)r.hi)
		return sc_fail(why, whylen, "is above the maximum %lld", r.hi);
	return true;
}

static bool sc_check_ref(const json_t *v, char *why, size_t whylen)
{
	if (!json_is_integer(v))
		return sc_fail(why, whylen, "is not an integer");
	if (json_integer_value(v) < 1)
		return sc_fail(why, whylen, "is not a positive integer");
	return true;
}

static bool sc_check_duid(const json_t *v, char *why, size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);

	if (!s)
		return false;
	if (!sc_duid_ok(s))
		return sc_fail(why, whylen,
			       "is not a valid DUID (2-130 hex octets separated by ':')");
	return true;
}

static bool sc_check_ipv6_suffix(const json_t *v, char *why, size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	struct net_prefix a;

	if (!s)
		return false;
	if (net_prefix_parse(s, 6, false, &a) != NET_OK || !net_prefix_zero(&a, 64))
		return sc_fail(why, whylen,
			       "is not a valid IPv6 interface identifier (e.g. ::42)");
	if (net_prefix_zero(&a, 0))
		return sc_fail(why, whylen, "is the all-zero interface identifier");
	return true;
}

static bool sc_check_ifname(const json_t *v, char *why, size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);

	if (!s)
		return false;
	if (!sc_ifname_ok(s))
		return sc_fail(why, whylen,
			       "is not a valid interface name (1-15 characters, no '/', ':' or spaces)");
	return true;
}

bool sc_check_scalar(const struct sc_field *f, enum sc_kind kind, const json_t *v,
		     char *why, size_t whylen)
{
	/* f->min/max belong to the list itself when checking one of its items */
	bool limits = kind == f->kind;

	if (why && whylen)
		why[0] = '\0';
	if (!v)
		return sc_fail(why, whylen, "is missing");
	switch (kind) {
	case SC_OBJECT:
		return json_is_object(v) ? true : sc_fail(why, whylen, "is not an object");
	case SC_COLLECTION:
	case SC_LIST:
		return json_is_array(v) ? true : sc_fail(why, whylen, "is not an array");
	case SC_BOOL:
		return json_is_boolean(v) ? true : sc_fail(why, whylen, "is not true or false");
	case SC_INT:
		return sc_check_int(f, limits, v, why, whylen);
	case SC_STRING:
		return sc_check_string(f, limits, v, why, whylen);
	case SC_ENUM:
		return sc_check_enum(f, v, why, whylen);
	case SC_IPV4:
		return sc_check_address(v, 4, false, why, whylen);
	case SC_IPV6:
		return sc_check_address(v, 6, false, why, whylen);
	case SC_CIDR4:
		return sc_check_address(v, 4, true, why, whylen);
	case SC_CIDR6:
		return sc_check_address(v, 6, true, why, whylen);
	case SC_MAC:
		return sc_check_mac(v, why, whylen);
	case SC_HOSTNAME:
		return sc_check_hostname(v, why, whylen);
	case SC_FQDN:
		return sc_check_fqdn(v, why, whylen);
	case SC_PORT:
		return sc_check_port(f, limits, v, why, whylen);
	case SC_PORT_RANGE:
		return sc_check_port_range(v, why, whylen);
	case SC_DURATION:
		return sc_check_duration(f, limits, v, why, whylen);
	case SC_RATE:
		return sc_check_rate(f, limits, v, why, whylen);
	case SC_REF:
		return sc_check_ref(v, why, whylen);
	case SC_DUID:
		return sc_check_duid(v, why, whylen);
	case SC_IPV6_SUFFIX:
		return sc_check_ipv6_suffix(v, why, whylen);
	case SC_IFNAME:
		return sc_check_ifname(v, why, whylen);
	case SC_JSON:
		return true;
	case SC_TEXT:
		if (!json_is_string(v))
			return sc_fail(why, whylen, "is not a string");
		if (f->max && limits && json_string_length(v) > (size_t)f->max)
			return sc_fail(why, whylen, "is longer than %lld bytes", f->max);
		return true;
	case SC__KIND_COUNT:
		break;
	}
	return sc_fail(why, whylen, "has an unknown type");
}

/* ---- coercion of CLI text ---- */

static json_t *sc_coerce_integer(const char *text, char *why, size_t whylen)
{
	const char *p = text[0] == '-' ? text + 1 : text;
	long long n;
	char *end;

	/* strtoll alone would accept " 12", "+12" and "0x1f" */
	if (*p < '0' || *p > '9') {
		sc_fail(why, whylen, "is not an integer");
		return NULL;
	}
	errno = 0;
	n = strtoll(text, &end, 10);
	if (*end != '\0') {
		sc_fail(why, whylen, "is not an integer");
		return NULL;
	}
	if (errno == ERANGE) {
		sc_fail(why, whylen, "is out of range");
		return NULL;
	}
	return json_integer(n);
}

static size_t sc_digits(const char *s)
{
	return strspn(s, "0123456789");
}

/*
 * Plain decimal: -?digits(.digits)?([eE][+-]?digits)? -- strtod alone
 * would also take "inf", "nan", hex floats and leading blanks.
 */
static json_t *sc_coerce_number(const char *text, char *why, size_t whylen)
{
	const char *p = text + (text[0] == '-');
	bool integral = true;
	size_t n;
	char *end;
	double d;

	n = sc_digits(p);
	if (n == 0)
		goto bad;
	p += n;
	if (*p == '.') {
		integral = false;
		n = sc_digits(++p);
		if (n == 0)
			goto bad;
		p += n;
	}
	if (*p == 'e' || *p == 'E') {
		integral = false;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		n = sc_digits(p);
		if (n == 0)
			goto bad;
		p += n;
	}
	if (*p != '\0')
		goto bad;
	if (integral)
		return sc_coerce_integer(text, why, whylen);
	errno = 0;
	d = strtod(text, &end);
	if (*end != '\0')
		goto bad;
	if (errno == ERANGE) {
		sc_fail(why, whylen, "is out of range");
		return NULL;
	}
	return json_real(d);
bad:
	sc_fail(why, whylen, "is not a number");
	return NULL;
}

static json_t *sc_coerce_bool(const char *text, char *why, size_t whylen)
{
	static const char *const yes[] = { "on", "true", "yes", "1", NULL };
	static const char *const no[] = { "off", "false", "no", "0", NULL };
	int i;

	for (i = 0; yes[i]; i++) {
		if (strcasecmp(text, yes[i]) == 0)
			return json_true();
		if (strcasecmp(text, no[i]) == 0)
			return json_false();
	}
	sc_fail(why, whylen, "is not true or false (on/off, yes/no, 1/0)");
	return NULL;
}

static json_t *sc_coerce_json(const char *text, char *why, size_t whylen)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);

	if (!v)
		sc_fail(why, whylen, "is not valid JSON (%s)", err.text);
	return v;
}

/* A string kind: raw text, or the text of a JSON string literal. */
static json_t *sc_coerce_string(enum sc_kind kind, const char *text)
{
	unsigned char m[6];
	json_t *v;

	if (text[0] == '"') {
		v = json_loads(text, JSON_DECODE_ANY, NULL);
		if (json_is_string(v))
			return v;
		json_decref(v);
	}
	if (kind == SC_MAC && sc_mac_parse(text, m)) {
		char buf[18];

		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
		return json_string(buf);
	}
	return json_string(text);
}

static json_t *sc_coerce_scalar(enum sc_kind kind, const char *text,
				char *why, size_t whylen)
{
	json_t *v;

	switch (kind) {
	case SC_INT:
	case SC_PORT:
	case SC_REF:
		return sc_coerce_integer(text, why, whylen);
	case SC_RATE:
		return sc_coerce_number(text, why, whylen);
	case SC_BOOL:
		return sc_coerce_bool(text, why, whylen);
	case SC_OBJECT:
		v = sc_coerce_json(text, why, whylen);
		if (v && !json_is_object(v)) {
			json_decref(v);
			sc_fail(why, whylen, "is not a JSON object");
			return NULL;
		}
		return v;
	case SC_LIST:
	case SC_COLLECTION:
		/* only reached for a list whose items are lists: take JSON */
		return sc_coerce_json(text, why, whylen);
	case SC_JSON:
		/* JSON text, else the text itself */
		v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
		return v ? v : json_string(text);
	default:
		v = sc_coerce_string(kind, text);
		if (!v)
			sc_fail(why, whylen, "is not valid UTF-8 text");
		return v;
	}
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
		return sc_coerce_json(p, why, whylen);
	if (f->kind == SC_COLLECTION) {
		sc_fail(why, whylen, "is not a JSON array or object");
		return NULL;
	}
	return sc_coerce_list(f, p, why, whylen);
}
