/*
 * libFuzzer target: what the call records' methods read from outside
 * (features/pbx/cdr/cdr_parse.c). The input is cut at the first line break
 * into a text and the rest; each reader is given both, and what it
 * promises is checked:
 *  - cdr_file_ok accepts only a plain name of one folder: no '/', no "..",
 *    no leading '.', only letters, digits, '.', '_' and '-', 1-200 bytes;
 *  - cdr_time_parse answers 0 or -1, leaves its output alone on -1, and a
 *    date it accepts reads the same with day_end one day (or an hour's
 *    change of time) later, never earlier;
 *  - cdr_trunk_of gives a name that is the text after "PJSIP/trunk-" up to
 *    its last '-', or nothing;
 *  - cdr_recording_of gives the text after "recording=", and only a name
 *    cdr_file_ok accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/cdr/cdr.h"

static void check_one(const char *s)
{
	long long t = 42, t_end = 42;
	char trunk[32];
	const char *rec;

	if (cdr_file_ok(s)) {
		size_t len = strlen(s);
		if (len == 0 || len > 200 || strchr(s, '/') || strstr(s, "..") || s[0] == '.')
			abort();
		for (const char *p = s; *p; p++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789._-", *p))
				abort();
	}
	if (cdr_time_parse(s, false, &t) < 0) {
		if (t != 42)
			abort();
	} else if (cdr_time_parse(s, true, &t_end) < 0 || t_end < t) {
		abort();
	}
	if (cdr_trunk_of(s, trunk, sizeof(trunk))) {
		size_t n = strlen(trunk);
		if (n == 0 || strncmp(s, "PJSIP/trunk-", 12) || strncmp(s + 12, trunk, n) ||
		    s[12 + n] != '-' || strlen(s + 13 + n) != 8)
			abort();
	} else if (trunk[0]) {
		abort();
	}
	rec = cdr_recording_of(s);
	if (rec && (strncmp(s, "recording=", 10) || rec != s + 10 || !cdr_file_ok(rec)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nl;

	memcpy(s, data, size);
	s[size] = '\0';
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		check_one(nl + 1);
	}
	check_one(s);
	free(s);
	return 0;
}
