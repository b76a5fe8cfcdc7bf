#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/print.h"
#include "core/util.h"

void print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_SORT_KEYS);

	puts(s ? s : "null");
	free(s);
}

char *print_value_text(const json_t *v)
{
	if (!v)
		return xstrdup("(none)");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

void print_value(const json_t *v)
{
	if (json_is_string(v) || json_is_number(v) || json_is_boolean(v)) {
		char *t = print_value_text(v);
		puts(t);
		free(t);
	} else {
		print_json(v);
	}
}

void print_time(long long t, const char *never, char out[32])
{
	time_t tt = (time_t)t;

	if (!t && never) {
		snprintf(out, 32, "%s", never);
		return;
	}
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", localtime(&tt));
}

void print_utc(long long t, const char *never, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(out, 32, "%s", never ? never : "never");
		return;
	}
	strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&tt, &tm));
}

void print_duration(long long secs, char out[32])
{
	long long d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60;

	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(out, 32, "%lld s", secs);
	else if (secs < 3600)
		snprintf(out, 32, "%lld min", m);
	else if (secs < 86400)
		snprintf(out, 32, "%lld h %lld min", h, m);
	else
		snprintf(out, 32, "%lld d %lld h", d, h);
}
