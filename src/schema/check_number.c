/*
 * Checks of the numeric kinds: booleans, integers with limits, ports and
 * port ranges, rates (Mbps), durations, references by id.
 */
#include <string.h>

#include "core/util.h"
#include "schema/kind_int.h"

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

bool sc_check_bool(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen)
{
	(void)f;
	(void)limits;
	return json_is_boolean(v) ? true : sc_fail(why, whylen, "is not true or false");
}

bool sc_check_int(const struct sc_field *f, bool limits, const json_t *v, char *why,
                  size_t whylen)
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

bool sc_check_port(const struct sc_field *f, bool limits, const json_t *v, char *why,
                   size_t whylen)
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

/* "N" or "N-M", each 1-65535 in plain decimal; *lo may be above *hi. */
static bool sc_port_range_split(const char *s, unsigned long *lo, unsigned long *hi)
{
	const char *dash = s ? strchr(s, '-') : NULL;
	size_t n;

	if (!s)
		return false;
	n = dash ? (size_t)(dash - s) : strlen(s);
	if (!dec_parse(s, n, 65535, lo) || *lo < 1)
		return false;
	*hi = *lo;
	return !dash || (dec_parse(dash + 1, strlen(dash + 1), 65535, hi) && *hi >= 1);
}

bool sc_port_range_parse(const char *s, long *lo, long *hi)
{
	unsigned long l, h;

	if (!sc_port_range_split(s, &l, &h) || l > h)
		return false;
	*lo = (long)l;
	*hi = (long)h;
	return true;
}

bool sc_check_port_range(const struct sc_field *f, bool limits, const json_t *v, char *why,
                         size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	unsigned long lo, hi;

	(void)f;
	(void)limits;
	if (!s)
		return false;
	if (!sc_port_range_split(s, &lo, &hi))
		return sc_fail(why, whylen, "is not a valid port range (N or N-M, 1-65535)");
	if (lo > hi)
		return sc_fail(why, whylen, "has its start above its end");
	return true;
}

bool sc_check_duration(const struct sc_field *f, bool limits, const json_t *v, char *why,
                       size_t whylen)
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

bool sc_check_rate(const struct sc_field *f, bool limits, const json_t *v, char *why,
                   size_t whylen)
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

bool sc_check_ref(const struct sc_field *f, bool limits, const json_t *v, char *why,
                  size_t whylen)
{
	(void)f;
	(void)limits;
	if (!json_is_integer(v))
		return sc_fail(why, whylen, "is not an integer");
	if (json_integer_value(v) < 1)
		return sc_fail(why, whylen, "is not a positive integer");
	return true;
}

