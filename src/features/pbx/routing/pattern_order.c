/*
 * The engine's order of the extensions of one context. Asterisk keeps a
 * context's extensions in a list sorted by this order and tries them in
 * it, so the first that matches a number is the one the number takes.
 * Literals come first; patterns compare position by position by the
 * weight of each position (how many characters it accepts, then its
 * lowest one); equal weights compare the sets themselves.
 */
#include <string.h>

#include "features/pbx/routing/pattern.h"
#include "features/pbx/routing/pattern_int.h"

/* the classes a pattern position may name, upper or lower case */
static const struct {
	char name;
	char first; /* the class is first..'9' */
} pat_classes[] = {
	{ 'X', '0' },
	{ 'Z', '1' },
	{ 'N', '2' },
};

/* the first digit of the class c names, 0 when c names none */
static int class_first(unsigned char c)
{
	for (size_t i = 0; i < sizeof(pat_classes) / sizeof(pat_classes[0]); i++)
		if (c == pat_classes[i].name || c == (pat_classes[i].name | 0x20))
			return pat_classes[i].first;
	return 0;
}

static void set_add(struct pat_set *s, int c)
{
	s->bits[c >> 6] |= (uint64_t)1 << (c & 63);
}

static int set_count(const struct pat_set *s)
{
	int n = 0;

	for (int w = 0; w < 4; w++)
		n += __builtin_popcountll(s->bits[w]);
	return n;
}

/* Fills *set from the set text [s, end) and returns the lowest character
 * the engine notes for its weight: the first character of every item,
 * even of a reversed range that adds nothing (the engine does the same;
 * only patterns pat_check refuses have such ranges). */
static int set_read(const char *s, const char *end, struct pat_set *set)
{
	int low = 256;

	while (s < end) {
		int lo = (unsigned char)s[0], hi = lo;

		/* a '-' joins two characters only with one on each side */
		if (s + 2 < end && s[1] == '-') {
			hi = (unsigned char)s[2];
			s += 2;
		}
		if (lo < low)
			low = lo;
		for (int c = lo; c <= hi; c++)
			set_add(set, c);
		s++;
	}
	return low;
}

int pat_pos_next(const char **p, struct pat_set *set)
{
	for (;;) {
		const char *s = *p, *end;
		unsigned char c;
		int low;

		memset(set, 0, sizeof(*set));
		while (*s == '-')
			s++;
		c = (unsigned char)*s++;
		*p = s;
		switch (c) {
		case '\0':
			*p = NULL;
			return PAT_W_END;
		case '.':
			return PAT_W_DOT;
		case '!':
			return PAT_W_BANG;
		case '[':
			end = strchr(s, ']');
			if (!end)
				return PAT_W_BAD;
			low = set_read(s, end, set);
			*p = end + 1;
			break;
		default:
			low = class_first(c);
			if (low) {
				for (int d = low; d <= '9'; d++)
					set_add(set, d);
			} else {
				low = c;
				set_add(set, c);
			}
			break;
		}
		/* an empty set is no position at all: read the next one */
		if (set_count(set))
			return set_count(set) << 8 | low;
	}
}

/* Two sets of the same weight: the one holding the lowest character the
 * other lacks comes first. */
static int set_cmp(const struct pat_set *a, const struct pat_set *b)
{
	for (int w = 0; w < 4; w++) {
		uint64_t x = a->bits[w] ^ b->bits[w];

		if (x)
			return a->bits[w] & (x & -x) ? -1 : 1;
	}
	return 0;
}

int pat_cmp_positions(const char *a, const char *b)
{
	for (;;) {
		struct pat_set sa, sb;
		int wa = pat_pos_next(&a, &sa), wb = pat_pos_next(&b, &sb), c;

		if (wa != wb)
			return wa < wb ? -1 : 1;
		c = set_cmp(&sa, &sb);
		if (c)
			return c;
		if (!a)
			return 0; /* both ended together */
	}
}

/* Literals compare character by character, '-' skipped; a literal that
 * is the start of another comes first. */
static int literal_cmp(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-')
			a++;
		while (*b == '-')
			b++;
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		if (!*a)
			return 0;
		a++;
		b++;
	}
}

int pat_cmp(const char *a, const char *b)
{
	bool va, vb, la, lb;
	int c;

	a = a ? a : "";
	b = b ? b : "";
	va = pat_valid(a);
	vb = pat_valid(b);
	if (va != vb)
		return va ? -1 : 1;
	if (!va) {
		c = strcmp(a, b);
		return (c > 0) - (c < 0);
	}
	la = a[0] != '_';
	lb = b[0] != '_';
	if (la != lb)
		return la ? -1 : 1;
	return la ? literal_cmp(a, b) : pat_cmp_positions(a + 1, b + 1);
}
