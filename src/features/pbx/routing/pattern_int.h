/* Shared by the pattern files only: the validity test without its message,
 * and the reader of one pattern position as the engine sees it. */
#ifndef DIFOS_PBX_PATTERN_INT_H
#define DIFOS_PBX_PATTERN_INT_H

#include <stdbool.h>
#include <stdint.h>

/* pat_check without the message */
bool pat_valid(const char *pattern);

/* The weight the engine gives a position: a set of n characters whose
 * lowest is c weighs n << 8 | c (a single character is a set of one);
 * the wildcards and the end weigh more than any set, in this order. */
enum {
	PAT_W_DOT = 0x18000,  /* '.': one or more of anything */
	PAT_W_BANG = 0x28000, /* '!': zero or more of anything */
	PAT_W_END = 0x30000,  /* no position left */
	PAT_W_BAD = 0x40000,  /* a '[' without ']' */
};

/* the characters one position accepts, bit c of the 256 */
struct pat_set {
	uint64_t bits[4];
};

static inline bool pat_set_has(const struct pat_set *s, unsigned char c)
{
	return s->bits[c >> 6] >> (c & 63) & 1;
}

/* Reads the position at *p (the text after the '_'), fills *set and
 * returns its weight. Follows the engine for any text, valid or not:
 * '-' outside a set is skipped, an empty or reversed set is skipped (the
 * next position is read instead), a range needs a character on each side
 * of its '-'. *p is set to NULL at the end (weight PAT_W_END) and always
 * moves on otherwise, so a loop over the positions ends. */
int pat_pos_next(const char **p, struct pat_set *set);

/* The engine's order of two patterns' positions (texts after the '_'),
 * for any text */
int pat_cmp_positions(const char *a, const char *b);

#endif
