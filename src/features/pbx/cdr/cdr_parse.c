/*
 * What the call records' methods read from outside (a file name, a date)
 * and from Asterisk's rows (a channel name, the userfield): pure functions.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "features/pbx/cdr/cdr.h"

bool cdr_file_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	/* no '/' and no leading '.': nothing but a file directly in the folder,
	 * and never "." or ".." */
	if (len == 0 || len > 200 || name[0] == '.' || strstr(name, ".."))
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
	       len;
}

/* n digits at *p into *v; advances p */
static bool cdr_digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

static bool cdr_char(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return false;
	(*p)++;
	return true;
}

int cdr_time_parse(const char *text, bool day_end, long long *out)
{
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, s = 0;
	bool date_only;
	struct tm tm = { 0 };
	time_t t;

	if (!text || !*text)
		return -1;
	if (strspn(text, "0123456789") == strlen(text)) {
		if (strlen(text) > 12)
			return -1;
		*out = 0;
		for (; *p; p++)
			*out = *out * 10 + (*p - '0');
		return 0;
	}
	if (!cdr_digits(&p, 4, &y) || !cdr_char(&p, "-") || !cdr_digits(&p, 2, &mo) ||
	    !cdr_char(&p, "-") || !cdr_digits(&p, 2, &d))
		return -1;
	date_only = !*p;
	if (!date_only) {
		if (!cdr_char(&p, "T ") || !cdr_digits(&p, 2, &h) || !cdr_char(&p, ":") ||
		    !cdr_digits(&p, 2, &mi))
			return -1;
		if (*p && (!cdr_char(&p, ":") || !cdr_digits(&p, 2, &s)))
			return -1;
		if (*p)
			return -1;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	/* mktime moves 31 April to 1 May: a day the month has not is refused */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	if (date_only && day_end) {
		struct tm next = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d + 1,
				   .tm_isdst = -1 };
		t = mktime(&next);
	}
	*out = (long long)t;
	return 0;
}

bool cdr_trunk_of(const char *channel, char *out, size_t n)
{
	static const char prefix[] = "PJSIP/trunk-";
	const char *name, *dash;
	size_t len;

	out[0] = '\0';
	if (!channel || strncmp(channel, prefix, sizeof(prefix) - 1))
		return false;
	name = channel + sizeof(prefix) - 1;
	/* the channel's own suffix: the last '-' and 8 hex digits */
	dash = strrchr(name, '-');
	if (!dash || strlen(dash + 1) != 8 || strspn(dash + 1, "0123456789abcdef") != 8)
		return false;
	len = (size_t)(dash - name);
	if (len == 0 || len >= n)
		return false;
	memcpy(out, name, len);
	out[len] = '\0';
	return true;
}

const char *cdr_recording_of(const char *userfield)
{
	static const char key[] = "recording=";

	if (!userfield || strncmp(userfield, key, sizeof(key) - 1))
		return NULL;
	return cdr_file_ok(userfield + sizeof(key) - 1) ? userfield + sizeof(key) - 1 : NULL;
}
