/*
 * Which dial patterns difos accepts, and why not. The engine takes almost
 * any text as an extension; difos takes only what means the same in the
 * engine's matcher, in its ordering and in the line of extensions.conf
 * that carries it (see pattern.h for the list).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/pbx/routing/pattern.h"
#include "features/pbx/routing/pattern_int.h"

/* what a scan found wrong; the texts below are in the same order */
enum pat_fault {
	PF_NONE,
	PF_EMPTY,
	PF_LONG,
	PF_SPACE,
	PF_BYTE,
	PF_SYNTAX,
	PF_CHAR,
	PF_LITERAL,
	PF_UNDERSCORE,
	PF_NOTHING,
	PF_CLOSE,
	PF_UNCLOSED,
	PF_EMPTY_SET,
	PF_SET_CHAR,
	PF_SET_DASH,
	PF_RANGE_DIGITS,
	PF_RANGE_REVERSED,
	PF_AFTER_END,
	PF_CATCH_ALL,
};

/* each takes the character (as text) and its position, in that order */
static const char *const pat_fault_text[] = {
	[PF_SPACE] = "%s at position %zu: a dial pattern holds no whitespace",
	[PF_BYTE] = "%s at position %zu is not a character a dial pattern may hold",
	[PF_SYNTAX] = "%s at position %zu is not allowed in a dial pattern: in the PBX's "
		      "dialplan it %s",
	[PF_CHAR] = "%s at position %zu is not allowed: a dial pattern holds digits, '*', '#', "
		    "'+', '-' and, after a leading '_', X Z N [ ] . !",
	[PF_LITERAL] = "%s at position %zu is a pattern character: a pattern begins with '_'",
	[PF_UNDERSCORE] = "%s at position %zu: only the first character may be '_'",
	[PF_CLOSE] = "%s at position %zu closes no '['",
	[PF_UNCLOSED] = "%s at position %zu is not closed by ']'",
	[PF_EMPTY_SET] = "%s at position %zu is an empty set: it matches nothing",
	[PF_SET_CHAR] = "%s at position %zu is not allowed in a set: a set holds digits, '*', "
			"'#', '+' and ranges such as 1-5",
	[PF_SET_DASH] = "%s at position %zu in a set must join two digits, as in [1-5]",
	[PF_RANGE_DIGITS] = "the range %s at position %zu does not join two digits",
	[PF_RANGE_REVERSED] = "the range %s at position %zu is reversed: it matches nothing",
	[PF_AFTER_END] = "%s at position %zu must end the pattern: the PBX ignores what follows",
};

/* characters that mean something else in an extensions.conf line */
static const struct {
	char c;
	const char *meaning;
} pat_syntax[] = {
	{ ',', "separates the fields of an extension line" },
	{ ';', "starts a comment" },
	{ '/', "starts a caller ID match" },
	{ '$', "starts a variable or an expression" },
	{ '\\', "escapes the next character" },
	{ '@', "names a context" },
	{ '(', "opens an application's arguments or a label" },
	{ ')', "closes an application's arguments or a label" },
	{ '"', "quotes text" },
	{ '\'', "quotes text" },
	{ '=', "separates a setting from its value" },
};

static const char pat_digits[] = "0123456789";
/* what a literal may hold ('-' is the separator the engine skips) */
static const char pat_literal_chars[] = "0123456789*#+-";
/* the positions of a pattern beyond a literal's characters */
static const char pat_pattern_chars[] = "XZNxzn[].!_";

struct pat_scan {
	enum pat_fault fault;
	size_t at;      /* 0-based index of the offending character */
	size_t len;     /* how many characters it spans (2 or 3 for a range) */
	const char *why; /* PF_SYNTAX: what the character means */
};

static bool in(const char *chars, char c)
{
	return c && strchr(chars, c);
}

static bool fail(struct pat_scan *s, enum pat_fault f, size_t at, size_t len)
{
	s->fault = f;
	s->at = at;
	s->len = len;
	return false;
}

/* every character on its own: the alphabet */
static bool scan_chars(const char *p, struct pat_scan *s)
{
	for (size_t i = 0; p[i]; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ' ' || (c >= '\t' && c <= '\r'))
			return fail(s, PF_SPACE, i, 1);
		if (c < 0x20 || c >= 0x7f)
			return fail(s, PF_BYTE, i, 1);
		for (size_t k = 0; k < sizeof(pat_syntax) / sizeof(pat_syntax[0]); k++)
			if (c == pat_syntax[k].c) {
				s->why = pat_syntax[k].meaning;
				return fail(s, PF_SYNTAX, i, 1);
			}
		if (!in(pat_literal_chars, c) && !in(pat_pattern_chars, c))
			return fail(s, PF_CHAR, i, 1);
	}
	return true;
}

static bool scan_literal(const char *p, struct pat_scan *s)
{
	size_t digits = 0;

	for (size_t i = 0; p[i]; i++) {
		if (!in(pat_literal_chars, p[i]))
			return fail(s, p[i] == '_' ? PF_UNDERSCORE : PF_LITERAL, i, 1);
		digits += p[i] != '-';
	}
	return digits ? true : fail(s, PF_NOTHING, 0, 0);
}

/* A set from its '[' at p[i]; *next gets the index after its ']'. Items
 * are read as the engine reads them: "a-b" is a range when a character
 * follows the '-' before the ']'. */
static bool scan_set(const char *p, size_t i, size_t *next, struct pat_scan *s)
{
	size_t j = i + 1;

	if (!strchr(p + j, ']'))
		return fail(s, PF_UNCLOSED, i, 1);
	if (p[j] == ']')
		return fail(s, PF_EMPTY_SET, i, 2);
	while (p[j] != ']') {
		char lo = p[j], hi;

		if (lo == '-')
			return fail(s, PF_SET_DASH, j, 1);
		if (!in(pat_literal_chars, lo))
			return fail(s, PF_SET_CHAR, j, 1);
		if (p[j + 1] != '-') {
			j++;
			continue;
		}
		hi = p[j + 2];
		if (hi == ']' || hi == '-')
			return fail(s, PF_SET_DASH, j + 1, 1);
		if (!in(pat_literal_chars, hi))
			return fail(s, PF_SET_CHAR, j + 2, 1);
		if (!in(pat_digits, lo) || !in(pat_digits, hi))
			return fail(s, PF_RANGE_DIGITS, j, 3);
		if (lo > hi)
			return fail(s, PF_RANGE_REVERSED, j, 3);
		j += 3;
	}
	*next = j + 1;
	return true;
}

static bool scan_pattern(const char *p, struct pat_scan *s)
{
	size_t positions = 0, i = 1;

	while (p[i]) {
		char c = p[i];

		if (c == '-') {
			i++;
			continue;
		}
		if (c == '_')
			return fail(s, PF_UNDERSCORE, i, 1);
		if (c == ']')
			return fail(s, PF_CLOSE, i, 1);
		if (c == '[') {
			if (!scan_set(p, i, &i, s))
				return false;
			positions++;
			continue;
		}
		if (c == '.' || c == '!') {
			if (p[i + 1])
				return fail(s, PF_AFTER_END, i, 1);
			/* the engine warns of these two: they catch h, i, t... too */
			if (!positions)
				return fail(s, PF_CATCH_ALL, i, 1);
		}
		positions++;
		i++;
	}
	return positions ? true : fail(s, PF_NOTHING, 0, 0);
}

static bool scan(const char *p, struct pat_scan *s)
{
	size_t len;

	memset(s, 0, sizeof(*s));
	if (!p || !*p)
		return fail(s, PF_EMPTY, 0, 0);
	len = strlen(p);
	if (len > PAT_MAX_LEN)
		return fail(s, PF_LONG, len, 0);
	if (!scan_chars(p, s))
		return false;
	return p[0] == '_' ? scan_pattern(p, s) : scan_literal(p, s);
}

bool pat_valid(const char *pattern)
{
	struct pat_scan s;

	return scan(pattern, &s);
}

/* the offending character(s) as text: 'x', "a tab", byte 0x80, '5-1' */
static void fault_what(const char *p, const struct pat_scan *s, char *out, size_t outlen)
{
	unsigned char c = (unsigned char)p[s->at];

	if (s->fault == PF_SPACE)
		snprintf(out, outlen, "%s", c == ' ' ? "a space" : c == '\t' ? "a tab" :
			 "a line break or other whitespace");
	else if (s->fault == PF_BYTE)
		snprintf(out, outlen, "byte 0x%02x", c);
	else
		snprintf(out, outlen, "'%.*s'", (int)s->len, p + s->at);
}

int pat_check(const char *pattern, char **err)
{
	struct pat_scan s;
	char what[40];

	if (scan(pattern, &s))
		return 0;
	if (!err)
		return -1;
	switch (s.fault) {
	case PF_EMPTY:
		*err = xstrdup("the dial pattern is empty");
		break;
	case PF_LONG:
		*err = xasprintf("the dial pattern is %zu characters long: at most %d are allowed",
				 s.at, PAT_MAX_LEN);
		break;
	case PF_NOTHING:
		*err = xstrdup("the dial pattern has no digit or position to match");
		break;
	case PF_CATCH_ALL:
		*err = xasprintf("'%s' matches every extension, the PBX's own too: use '_X%c'",
				 pattern, pattern[s.at]);
		break;
	case PF_SYNTAX:
		fault_what(pattern, &s, what, sizeof(what));
		*err = xasprintf(pat_fault_text[s.fault], what, s.at + 1, s.why);
		break;
	default:
		fault_what(pattern, &s, what, sizeof(what));
		*err = xasprintf(pat_fault_text[s.fault], what, s.at + 1);
		break;
	}
	return -1;
}
