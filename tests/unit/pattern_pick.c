/*
 * pat_pick for many numbers at once, for the differential test against
 * the PBX engine (not a test itself). Reads the patterns of one context,
 * one a line, then a line holding only "--", then numbers, one a line;
 * prints for each number the index of the pattern it takes, or -1.
 * A pattern pat_check refuses ends it (exit 2): routes hold none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/pbx/routing/pattern.h"

int main(void)
{
	char **patterns = NULL, *line = NULL;
	size_t n = 0, cap = 0, linecap = 0;
	bool numbers = false;
	ssize_t len;
	int rc = 0;

	while (rc == 0 && (len = getline(&line, &linecap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!numbers && !strcmp(line, "--")) {
			numbers = true;
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
			printf("%d\n", pat_pick((const char *const *)patterns, n, line));
		}
	}
	for (size_t i = 0; i < n; i++)
		free(patterns[i]);
	free(patterns);
	free(line);
	return rc;
}
