/*
 * Which number a dial pattern matches, and which of a context's patterns
 * a number takes: the engine's exact match (what it does before it runs
 * an extension) and its "first in the context's order" rule.
 */
#include <string.h>

#include "features/pbx/routing/pattern.h"
#include "features/pbx/routing/pattern_int.h"

/* a literal matches the same characters, '-' skipped on both sides */
static bool literal_match(const char *lit, const char *number)
{
	for (;;) {
		while (*lit == '-')
			lit++;
		while (*number == '-')
			number++;
		if (*lit != *number)
			return false;
		if (!*lit)
			return true;
		lit++;
		number++;
	}
}

bool pat_match(const char *pattern, const char *number)
{
	const char *p;

	if (!number)
		number = "";
	if (!pat_valid(pattern))
		return false;
	if (pattern[0] != '_')
		return literal_match(pattern, number);
	/* The engine, given a "number" that is a pattern itself, first asks
	 * whether the two are the same pattern. */
	if (number[0] == '_' && pat_cmp_positions(pattern + 1, number + 1) == 0)
		return true;
	p = pattern + 1;
	for (;;) {
		struct pat_set set;
		int w;

		while (*number == '-')
			number++;
		w = pat_pos_next(&p, &set);
		switch (w) {
		case PAT_W_END:
			return !*number;
		case PAT_W_DOT:
			return *number != '\0';
		case PAT_W_BANG:
			return true;
		default:
			if (!*number || !pat_set_has(&set, (unsigned char)*number))
				return false;
			number++;
			break;
		}
	}
}

int pat_pick(const char *const *patterns, size_t n, const char *number)
{
	int best = -1;

	/* The engine keeps only the first of patterns it holds for the same
	 * extension (pat_cmp 0): the earlier index wins a tie. */
	for (size_t i = 0; i < n; i++)
		if (pat_match(patterns[i], number) &&
		    (best < 0 || pat_cmp(patterns[i], patterns[best]) < 0))
			best = (int)i;
	return best;
}
