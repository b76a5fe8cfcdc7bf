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
