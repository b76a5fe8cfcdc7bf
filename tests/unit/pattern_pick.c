/*
 * pat_pick for many numbers at once, for the differential test against
 * the PBX engine (not a test itself). Reads the patterns of one context,
 * one a line, then a line holding only "--", then numbers, one a line.
 * Prints a line for each number: the index pat_pick answers (-1 for
 * none), then the indexes of all the patterns that match it in pat_cmp
 * order, a pattern held equal to one defined before it left out (the
 * engine keeps only the first), the list the engine shows for the number.
 * A pattern pat_check refuses ends it (exit 2): routes hold none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/pbx/routing/pattern.h"

static char **patterns;

/* pat_cmp order, the earlier definition first on a tie */
static int by_order(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = pat_cmp(patterns[i], patterns[j]);

	return c ? c : (i > j) - (i < j);
}

static void print_matches(size_t n, const char *number, size_t *idx)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (pat_match(patterns[i], number))
			idx[m++] = i;
	qsort(idx, m, sizeof(*idx), by_order);
	printf("%d", pat_pick((const char *const *)patterns, n, number));
	for (size_t k = 0; k < m; k++)
		if (k == 0 || pat_cmp(patterns[idx[k - 1]], patterns[idx[k]]) != 0)
			printf(" %zu", idx[k]);
	putchar('\n');
}

int main(void)
{
	char *line = NULL;
	size_t n = 0, cap = 0, linecap = 0, *idx = NULL;
	bool numbers = false;
	ssize_t len;
	int rc = 0;

	while (rc == 0 && (len = getline(&line, &linecap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!numbers && !strcmp(line, "--")) {
			numbers = true;
			idx = xmalloc((n ? n : 1) * sizeof(*idx));
		} else if (!numbers) {
			char *err = NULL;

			if (pat_check(line, &err) < 0) {
				fprintf(stderr, "pattern %zu \"%s\": %s\n", n, line, err);
				free(err);
				rc = 2;
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				patterns = realloc(patterns, cap * sizeof(*patterns));
				if (!patterns)
					return 2;
			}
			patterns[n++] = xstrdup(line);
		} else {
			print_matches(n, line, idx);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(patterns[i]);
	free(patterns);
	free(idx);
	free(line);
	return rc;
}
