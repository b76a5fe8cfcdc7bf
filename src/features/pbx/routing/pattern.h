/*
 * Dial patterns as the PBX engine (Asterisk 22, pbx_config) reads them in
 * one context: which ones difos accepts, which numbers a pattern matches,
 * in which order the engine tries them and so which one a number takes.
 * Pure functions, no I/O: route validation and the route preview use them.
 * The order is that of the engine's default matcher, which walks the
 * context's sorted list (extenpatternmatchnew = no in extensions.conf);
 * the engine's other matcher, a trie, is not modelled.
 *
 * A pattern is a literal extension ("2142050", "+97145551234", "*72",
 * "800-555-1234": '-' is a separator the engine ignores) or, when it
 * begins with '_', a sequence of positions: a digit, '*', '#', '+';
 * X (0-9), Z (1-9), N (2-9) (lower case too); a set "[135]" or "[1-5]"
 * or both "[1-35]"; and at the very end '.' (one or more characters) or
 * '!' (zero or more).
 */
#ifndef DIFOS_PBX_PATTERN_H
#define DIFOS_PBX_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

/* the longest pattern difos accepts, in characters */
#define PAT_MAX_LEN 80

/* 0 when difos accepts the pattern; -1 and *err (to free) naming the
 * problem and its position (1 = the first character) otherwise. err may
 * be NULL. Refused although the engine would take them: the empty text,
 * more than PAT_MAX_LEN characters, whitespace, any character outside
 * the alphabet above (',' ';' '/' '$' quotes... would change the meaning
 * of the line in extensions.conf), letters in a literal, "[]" and
 * reversed ranges (the engine skips them when ordering but fails them
 * when matching), '-' in a set other than between two digits, anything
 * after '.' or '!' (the engine ignores it when matching), and the bare
 * "_." and "_!" (they also catch the engine's own h, i, t extensions). */
int pat_check(const char *pattern, char **err);

/* Does the engine's exact match (E_MATCH) take this number? '-' in the
 * number is ignored, as the engine ignores it. False for a pattern that
 * pat_check refuses. */
bool pat_match(const char *pattern, const char *number);

/* The engine's order of two extensions in one context: negative when a is
 * tried before b, 0 when the engine holds them for the same extension
 * (the one defined first is kept), positive otherwise. Literals come
 * before patterns; patterns compare position by position, fewer accepted
 * characters first, then the lowest character; '.' then '!' then the end
 * come after any character. Patterns pat_check refuses come after every
 * accepted one, in strcmp order, so the order is total for any text. */
int pat_cmp(const char *a, const char *b);

/* The index of the pattern the engine takes for this number among n
 * patterns of one context (defined in index order), or -1 when none
 * matches. */
int pat_pick(const char *const *patterns, size_t n, const char *number);

#endif
