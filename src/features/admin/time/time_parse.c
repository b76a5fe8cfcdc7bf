/*
 * chronyc's CSV answers (-c, -n: addresses, never names) as the status
 * shows them. chronyc is a companion process of chronyd that difosd keeps
 * talking to (time_chrony.c); each line it writes is parsed here, bounded
 * by its length, without trusting any field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "features/admin/time/time.h"

#define FIELDS_MAX 16
#define FIELD_LEN 64

/* Cuts line into at most FIELDS_MAX fields of at most FIELD_LEN-1 bytes;
 * the count, or -1 when a field is too long or there are too many or a
 * control byte shows up. */
static int split(const char *line, size_t len, char f[FIELDS_MAX][FIELD_LEN])
{
	int n = 0;
	size_t k = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == ',') {
			if (n == FIELDS_MAX)
				return -1;
			f[n][k] = '\0';
			n++;
			k = 0;
			continue;
		}
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f || k == FIELD_LEN - 1)
			return -1;
		if (n == FIELDS_MAX)
			return -1;
		f[n][k++] = line[i];
	}
	return n;
}

static bool num(const char *s, double *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !*end && errno == 0 && *out == *out && *out < 1e300 && *out > -1e300;
}

static bool whole(const char *s, int base, unsigned long long max, long long *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end || errno || v > max)
		return false;
	*out = (long long)v;
	return true;
}

/* chronyc's words for a source's mode and state (its "sources" legend) */
static const char *const source_modes[][2] = {
	{ "^", "server" }, { "=", "peer" }, { "#", "local clock" },
};
static const char *const source_states[][2] = {
	{ "*", "selected" }, { "+", "combined" }, { "-", "not combined" },
	{ "?", "unreachable" }, { "x", "falseticker" }, { "~", "too variable" },
};

static const char *word(const char *const table[][2], size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i][0], key))
			return table[i][1];
	return NULL;
}

json_t *time_parse_source(const char *line, size_t len)
{
	char f[FIELDS_MAX][FIELD_LEN];
	const char *mode, *state;
	long long stratum, poll, reach, last_rx;
	double offset, measured, error;

	if (split(line, len, f) != 10)
		return NULL;
	mode = word(source_modes, sizeof(source_modes) / sizeof(*source_modes), f[0]);
	state = word(source_states, sizeof(source_states) / sizeof(*source_states), f[1]);
	/* poll is a signed power of two; reach the octal register of the last 8 polls */
	if (!mode || !state || !f[2][0] || !whole(f[3], 10, 16, &stratum) ||
	    !whole(f[5], 8, 0377, &reach) || !whole(f[6], 10, 0xffffffffULL, &last_rx) ||
	    !num(f[7], &offset) || !num(f[8], &measured) || !num(f[9], &error))
		return NULL;
	if (f[4][0] == '-' ? !whole(f[4] + 1, 10, 64, &poll) : !whole(f[4], 10, 64, &poll))
		return NULL;
	if (f[4][0] == '-')
		poll = -poll;
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:f, s:f, s:f}", "mode", mode,
			 "state", state, "address", f[2], "stratum", (json_int_t)stratum,
			 "poll", (json_int_t)poll, "reach", (json_int_t)reach, "last_rx",
			 last_rx == 0xffffffffLL ? json_null() : json_integer(last_rx),
			 "offset", offset, "measured", measured, "error", error);
}

json_t *time_parse_tracking(const char *line, size_t len)
{
	char f[FIELDS_MAX][FIELD_LEN];
	long long refid, stratum;
	double v[10];

	if (split(line, len, f) != 14 || strlen(f[0]) != 8 ||
	    !whole(f[0], 16, 0xffffffffULL, &refid) || !whole(f[2], 10, 16, &stratum) || !f[13][0])
		return NULL;
	for (int i = 0; i < 10; i++)
		if (!num(f[3 + i], &v[i]))
			return NULL;
	return json_pack("{s:s, s:s?, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s, s:b}",
			 "reference_id", f[0], "reference", f[1][0] ? f[1] : NULL,
			 "stratum", (json_int_t)stratum, "ref_time", v[0], "system_offset", v[1],
			 "last_offset", v[2], "rms_offset", v[3], "frequency", v[4], "skew", v[6],
			 "root_delay", v[7], "root_dispersion", v[8], "leap", f[13],
			 "synchronised", refid != 0 && strcmp(f[13], "Not synchronised") != 0);
}
