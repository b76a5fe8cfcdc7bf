/*
 * libFuzzer target: dial patterns (features/pbx/routing). The input is cut
 * at line breaks into three patterns and a number, and what the matcher
 * promises is checked on them:
 *  - pat_check answers with a message exactly when it refuses, and what it
 *    accepts is short and made only of pattern characters (nothing that
 *    could change an extensions.conf line);
 *  - pat_match of an accepted pattern is the same as a POSIX regular
 *    expression written from it (an oracle that shares no code), and false
 *    for a refused one;
 *  - pat_cmp is an order: 0 on itself, antisymmetric, transitive, and
 *    patterns it holds equal match the same numbers;
 *  - pat_pick answers a matching pattern that no other matching one
 *    precedes (the earlier index on a tie), or -1 when none matches.
 */
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/routing/pattern.h"

#define FIELDS 4

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static char *strip_dashes(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	for (; *s; s++)
		if (*s != '-')
			*o++ = *s;
	*o = '\0';
	return out;
}

/* An accepted pattern as an extended regular expression over the number
 * without its '-'. */
static char *to_regex(const char *p)
{
	size_t n = strlen(p);
	char *re = malloc(n * 6 + 8), *o = re;

	*o++ = '^';
	for (p++; *p; p++) {
		switch (*p) {
		case '-':
			break;
		case 'X': case 'x':
			o = stpcpy(o, "[0-9]");
			break;
		case 'Z': case 'z':
			o = stpcpy(o, "[1-9]");
			break;
		case 'N': case 'n':
			o = stpcpy(o, "[2-9]");
			break;
		case '.':
			o = stpcpy(o, ".+");
			break;
		case '!':
			o = stpcpy(o, ".*");
			break;
		case '*':
		case '+':
			*o++ = '\\';
			*o++ = *p;
			break;
		case '[': {
			/* inside a bracket expression '*', '+', '#' stand for themselves */
			const char *end = strchr(p, ']');

			memcpy(o, p, (size_t)(end - p) + 1);
			o += end - p + 1;
			p = end;
			break;
		}
		default:
			*o++ = *p;
			break;
		}
	}
	*o++ = '$';
	*o = '\0';
	return re;
}

static bool oracle_match(const char *pattern, const char *number)
{
	char *num = strip_dashes(number);
	bool m;

	if (pattern[0] != '_') {
		char *lit = strip_dashes(pattern);

		m = !strcmp(lit, num);
		free(lit);
	} else {
		char *re = to_regex(pattern);
		regex_t rx;

		if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
			abort(); /* an accepted pattern makes a valid expression */
		m = regexec(&rx, num, 0, NULL, 0) == 0;
		regfree(&rx);
		free(re);
	}
	free(num);
	return m;
}

static void check_check(const char *p)
{
	char *err = NULL;
	int rc = pat_check(p, &err);

	if (rc == 0) {
		if (err || strlen(p) > PAT_MAX_LEN || strspn(p, "0123456789*#+-_XZNxzn[].!") != strlen(p))
			abort();
	} else if (rc != -1 || !err || !*err) {
		abort();
	}
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *f[FIELDS];
	const char *number;
	size_t k = 0;
	int pick;

	memcpy(buf, data, size);
	buf[size] = '\0';
	f[k++] = buf;
	for (char *s = buf; *s && k < FIELDS; s++)
		if (*s == '\n') {
			*s = '\0';
			f[k++] = s + 1;
		}
	while (k < FIELDS)
		f[k++] = "";
	number = f[FIELDS - 1];

	for (int i = 0; i < FIELDS - 1; i++) {
		check_check(f[i]);
		bool valid = pat_check(f[i], NULL) == 0, m = pat_match(f[i], number);

		/* (a number beginning with '_' is compared as a pattern first) */
		if (!valid ? m : number[0] != '_' && m != oracle_match(f[i], number))
			abort();
		if (pat_cmp(f[i], f[i]) != 0)
			abort();
	}
	check_check(number);

	for (int i = 0; i < FIELDS - 1; i++)
		for (int j = 0; j < FIELDS - 1; j++) {
			int ij = sign(pat_cmp(f[i], f[j]));

			if (ij != -sign(pat_cmp(f[j], f[i])))
				abort();
			if (ij == 0 && pat_match(f[i], number) != pat_match(f[j], number))
				abort();
			for (int l = 0; l < FIELDS - 1; l++) {
				int jl = sign(pat_cmp(f[j], f[l])), il = sign(pat_cmp(f[i], f[l]));

				if (ij <= 0 && jl <= 0 && il > 0)
					abort();
				if (ij == 0 && jl != il)
					abort();
			}
		}

	pick = pat_pick((const char *const *)f, FIELDS - 1, number);
	for (int i = 0; i < FIELDS - 1; i++) {
		bool m = pat_match(f[i], number);

		if (pick < 0 ? m : i == pick ? !m : m && (sign(pat_cmp(f[i], f[pick])) < 0 ||
			(pat_cmp(f[i], f[pick]) == 0 && i < pick)))
			abort();
	}
	free(buf);
	return 0;
}
