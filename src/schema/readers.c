/* The readers of text, one per way a kind is written (kinds.c names each kind's). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/kind_int.h"

json_t *sc_read_integer(const char *text, char *why, size_t whylen)
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
json_t *sc_read_number(const char *text, char *why, size_t whylen)
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
		return sc_read_integer(text, why, whylen);
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

json_t *sc_read_bool(const char *text, char *why, size_t whylen)
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

json_t *sc_read_json(const char *text, char *why, size_t whylen)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);

	if (!v)
		sc_fail(why, whylen, "is not valid JSON (%s)", err.text);
	return v;
}

/* A string kind: raw text, or the text of a JSON string literal. */
json_t *sc_read_string(const char *text, char *why, size_t whylen)
{
	json_t *v;

	if (text[0] == '"') {
		v = json_loads(text, JSON_DECODE_ANY, NULL);
		if (json_is_string(v))
			return v;
		json_decref(v);
	}
	v = json_string(text);
	if (!v)
		sc_fail(why, whylen, "is not valid UTF-8 text");
	return v;
}

/* A MAC address is kept as aa:bb:cc:dd:ee:ff, whatever was typed. */
json_t *sc_read_mac(const char *text, char *why, size_t whylen)
{
	unsigned char m[6];
	char buf[18];

	if (!sc_mac_parse(text, m))
		return sc_read_string(text, why, whylen);
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return json_string(buf);
}

json_t *sc_read_object(const char *text, char *why, size_t whylen)
{
	json_t *v = sc_read_json(text, why, whylen);

	if (v && !json_is_object(v)) {
		json_decref(v);
		sc_fail(why, whylen, "is not a JSON object");
		return NULL;
	}
	return v;
}

/* JSON text, else the text itself (a parameter of any kind) */
json_t *sc_read_any(const char *text, char *why, size_t whylen)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);

	return v ? v : sc_read_string(text, why, whylen);
}

