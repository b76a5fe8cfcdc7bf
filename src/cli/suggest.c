/*
 * difosctl's help with the command line: --json taken wherever it stands,
 * and the nearest command to a mistyped one (by edit distance).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

bool cli_take_flag(int *argc, char **argv, const char *flag)
{
	bool found = false;
	int out = 0;

	for (int i = 0; i < *argc; i++) {
		/* after "--" every word is an argument, even one spelled like the flag */
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], flag))
			found = true;
		else
			argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return found;
}

/* Levenshtein distance, one row at a time (names are short). */
size_t cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row = calloc(lb + 1, sizeof(*row)), d;

	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const char *cli_nearest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(word) / 2 > 2 ? strlen(word) / 2 : 2;

	for (size_t i = 0; i < n; i++) {
		size_t d = cli_edit_distance(word, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	/* farther than half the word is no longer a typo of it */
	return best_d <= limit ? best : NULL;
}
