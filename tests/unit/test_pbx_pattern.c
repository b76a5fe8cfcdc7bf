/* The dial-pattern matcher: what difos accepts, what a pattern matches,
 * the engine's order of patterns and the pick among a context's. */
#include <stdlib.h>

#include "features/pbx/routing/pattern.h"
#include "t.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* err of pat_check, or "ok" */
static char last[256];
static const char *check(const char *p)
{
	char *err = NULL;

	if (pat_check(p, &err) == 0) {
		snprintf(last, sizeof(last), "%s", err ? "ok, but an error was set" : "ok");
		return last;
	}
	snprintf(last, sizeof(last), "%s", err ? err : "(refused without a message)");
	free(err);
	return last;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_manual_examples(void)
{
	/* inbound route: the DID 042142050 arrives as 2142050 */
	T_CHECK_STR(check("_2142050"), "ok");
	T_CHECK(pat_match("_2142050", "2142050"));
	T_CHECK(!pat_match("_2142050", "21420501"));
	T_CHECK(!pat_match("_2142050", "214205"));
	T_CHECK(!pat_match("_2142050", "042142050"));
	/* outbound route: four digits beginning with 20 */
	T_CHECK_STR(check("_20XX"), "ok");
	T_CHECK(pat_match("_20XX", "2012"));
	T_CHECK(pat_match("_20XX", "2099"));
	T_CHECK(!pat_match("_20XX", "201"));
	T_CHECK(!pat_match("_20XX", "20123"));
	T_CHECK(!pat_match("_20XX", "2112"));
	T_CHECK(!pat_match("_20XX", "20A2"));
	/* a trunk's dial-out prefix 8: 8 then at least one more */
	T_CHECK_STR(check("_8."), "ok");
	T_CHECK(pat_match("_8.", "8050123456789"));
	T_CHECK(!pat_match("_8.", "8"));
	T_CHECK(!pat_match("_8.", "9050"));
	/* the trunk's own context in the manual */
	T_CHECK(pat_match("_050XXXXXXXXX", "050123456789"));
	T_CHECK(!pat_match("_050XXXXXXXXX", "05012345678"));
}

static void test_classes(void)
{
	static const struct {
		const char *pattern, *number;
		bool match;
	} cases[] = {
		{ "_X", "0", true }, { "_X", "9", true }, { "_X", "a", false }, { "_X", "*", false },
		{ "_Z", "1", true }, { "_Z", "9", true }, { "_Z", "0", false },
		{ "_N", "2", true }, { "_N", "9", true }, { "_N", "1", false }, { "_N", "0", false },
		{ "_x", "5", true }, { "_z", "0", false }, { "_n", "2", true },
		{ "_[135]", "3", true }, { "_[135]", "2", false },
		{ "_[1-5]", "1", true }, { "_[1-5]", "5", true }, { "_[1-5]", "6", false },
		{ "_[1-35]", "2", true }, { "_[1-35]", "4", false }, { "_[1-35]", "5", true },
		{ "_[*#]", "#", true }, { "_[*#]", "*", true }, { "_[*#]", "0", false },
		{ "_*72", "*72", true }, { "_#1", "#1", true }, { "_+971X.", "+97145551234", true },
		{ "_+971X.", "97145551234", false },
		/* '.' wants one more character or more, '!' zero or more */
		{ "_1.", "1", false }, { "_1.", "12", true }, { "_1.", "1abc", true },
		{ "_1!", "1", true }, { "_1!", "12345", true }, { "_1!", "2", false },
		{ "_1X!", "1", false }, { "_1X!", "12", true },
		/* '-' is a separator on both sides */
		{ "_NXX-XXXX", "555-1234", true }, { "_NXXXXXX", "555-1234", true },
		{ "_NXX-XXXX", "5551234", true }, { "_NXX-XXXX", "555123", false },
		/* literals */
		{ "2142050", "2142050", true }, { "214-2050", "2142050", true },
		{ "2142050", "214-20-50", true }, { "2142050", "214205", false },
		{ "2142050", "21420500", false }, { "+971", "+971", true }, { "*72", "*72", true },
		/* the number is the whole number: no partial match */
		{ "_1XX", "1", false }, { "_1XX", "1000", false }, { "_1XX", "", false },
		/* a pattern refused by pat_check matches nothing */
		{ "_1[2", "12", false }, { "", "", false }, { "_.", "1", false },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		bool got = pat_match(cases[i].pattern, cases[i].number);

		if (got != cases[i].match)
			fprintf(stderr, "  pat_match(\"%s\", \"%s\") = %d\n", cases[i].pattern,
				cases[i].number, got);
		T_CHECK(got == cases[i].match);
	}
	T_CHECK(!pat_match("_X", NULL));
	T_CHECK(!pat_match(NULL, "1"));
}

/* each row in the engine's order: a before b */
static void test_order(void)
{
	static const char *const before[][2] = {
		/* a literal before any pattern, even one that is all digits */
		{ "123", "_123" }, { "999999", "_1" }, { "2142050", "_X." },
		/* literals: character by character, a prefix first */
		{ "12", "123" }, { "123", "13" }, { "#", "*" }, { "*", "0" },
		/* fewer characters first at the first position that differs */
		{ "_1XX", "_1X." }, { "_1X.", "_1!" }, { "_1XX", "_1!" },
		{ "_NXX", "_X." }, { "_NXX", "_XXX" }, { "_N", "_Z" }, { "_Z", "_X" },
		{ "_[1-5]", "_N" }, { "_[12]", "_[1-3]" }, { "_9", "_[12]" },
		/* same count: the lower first character first */
		{ "_[19]", "_[23]" }, { "_1", "_2" }, { "_#", "_*" }, { "_*", "_+" },
		{ "_+", "_0" },
		/* same count and first character: the lower set first */
		{ "_[13]", "_[14]" }, { "_[1-3]", "_[124]" },
		/* '.' after any set, '!' after '.', the end after both: a longer
		 * pattern before its own prefix */
		{ "_1.", "_1!" }, { "_12", "_1" }, { "_1.", "_1" }, { "_1!", "_1" },
		{ "_X.", "_X!" }, { "_1X", "_1." },
		/* a refused pattern after every accepted one */
		{ "_X!", "_[" }, { "_X!", "" },
	};
	static const char *const same[][2] = {
		{ "_12", "_1-2" }, { "_1X", "_1x" }, { "_[12]", "_[21]" }, { "_[1-3]", "_[123]" },
		{ "214-2050", "2142050" }, { "_N", "_[2-9]" },
		{ "_X", "_[0-9]" }, { "_Z", "_[1-9]" }, { "_1", "_[1]" }, { "_[11]", "_1" },
	};

	for (size_t i = 0; i < N_OF(before); i++) {
		int ab = pat_cmp(before[i][0], before[i][1]), ba = pat_cmp(before[i][1], before[i][0]);

		if (ab >= 0 || ba <= 0)
			fprintf(stderr, "  pat_cmp(\"%s\", \"%s\") = %d, reversed %d\n", before[i][0],
				before[i][1], ab, ba);
		T_CHECK(ab < 0 && ba > 0);
	}
	for (size_t i = 0; i < N_OF(same); i++) {
		int ab = pat_cmp(same[i][0], same[i][1]);

		if (ab != 0)
			fprintf(stderr, "  pat_cmp(\"%s\", \"%s\") = %d\n", same[i][0], same[i][1], ab);
		T_CHECK(ab == 0);
	}
	T_CHECK(pat_cmp("_X.", "_X.") == 0);
	T_CHECK(sign(pat_cmp(NULL, "_X")) == 1);
}

/* A list already in the engine's order: each before all that follow. */
static void test_order_chain(void)
{
	static const char *const chain[] = {
		"100", "1000", "_100", "_1[0-1]0", "_1ZX", "_1XX", "_1X.", "_1X!", "_1!", "_[1-5]X.",
		"_NXX.", "_NXX", "_ZXX", "_X.", "_X!",
	};

	for (size_t i = 0; i < N_OF(chain); i++)
		for (size_t j = 0; j < N_OF(chain); j++) {
			int c = sign(pat_cmp(chain[i], chain[j]));
			int want = (i > j) - (i < j);

			if (c != want)
				fprintf(stderr, "  pat_cmp(\"%s\", \"%s\") = %d\n", chain[i], chain[j], c);
			T_CHECK(c == want);
		}
}

static void test_pick(void)
{
	static const char *const ctx[] = {
		"_X.", "_NXX", "_1XX", "_1X.", "_1!", "100", "_[1-5]XX", "_1x",
	};
	static const struct {
		const char *number;
		int pick;
	} cases[] = {
		{ "100", 5 },  /* the literal */
		{ "150", 2 },  /* _1XX: 3 characters, before [1-5]XX (5) and NXX (8) */
		{ "1500", 3 }, /* _1X. */
		{ "1", 4 },    /* _1! */
		{ "15", 7 },   /* _1x, before _1! and _X. */
		{ "250", 6 },  /* [1-5] (5 characters) before N (8) */
		{ "650", 1 },  /* _NXX */
		{ "2500", 0 }, /* _X. */
		{ "", -1 },
		{ "abc", -1 },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		int got = pat_pick(ctx, N_OF(ctx), cases[i].number);

		if (got != cases[i].pick)
			fprintf(stderr, "  pat_pick(\"%s\") = %d\n", cases[i].number, got);
		T_CHECK(got == cases[i].pick);
	}
	T_CHECK(pat_pick(ctx, 0, "100") == -1);
}

/* Two patterns the engine holds for the same extension: the first
 * defined is the one kept, whichever text it has. */
static void test_pick_ties(void)
{
	static const char *const ctx[] = { "_1x", "_[2-9]", "_1X", "_N", "2-1", "21" };

	T_CHECK(pat_pick(ctx, N_OF(ctx), "15") == 0);
	T_CHECK(pat_pick(ctx, N_OF(ctx), "5") == 1);
	T_CHECK(pat_pick(ctx, N_OF(ctx), "21") == 4);
	T_CHECK(pat_pick(ctx + 2, N_OF(ctx) - 2, "15") == 0);
	T_CHECK(pat_pick(ctx + 2, N_OF(ctx) - 2, "5") == 1);
}

static void test_accepted(void)
{
	static const char *const ok[] = {
		"2142050", "+97145551234", "*72", "#", "800-555-1234", "-5", "_X.", "_X!", "_1!",
		"_NXX-XXXX", "_[1-5]", "_[135]", "_[1-35]", "_[*#]", "_[+0]X", "_x.", "_z!", "_n",
		"_+971X.", "_[11]", "_-1",
	};
	char longest[PAT_MAX_LEN + 1];

	for (size_t i = 0; i < N_OF(ok); i++)
		T_CHECK_STR(check(ok[i]), "ok");
	/* '_' and 79 X: 80 characters */
	memset(longest, 'X', PAT_MAX_LEN);
	longest[0] = '_';
	longest[PAT_MAX_LEN] = '\0';
	T_CHECK_STR(check(longest), "ok");
	T_CHECK(pat_check("_X.", NULL) == 0);
	T_CHECK(pat_check("_X,", NULL) == -1);
}

static void test_refused(void)
{
	static const char *const bad[][2] = {
		{ "", "the dial pattern is empty" },
		{ "_1[23", "'[' at position 3 is not closed by ']'" },
		{ "_1[]2", "'[]' at position 3 is an empty set: it matches nothing" },
		{ "_1]", "']' at position 3 closes no '['" },
		{ "_[5-1]", "the range '5-1' at position 3 is reversed: it matches nothing" },
		{ "_[#-5]", "the range '#-5' at position 3 does not join two digits" },
		{ "_[-5]", "'-' at position 3 in a set must join two digits, as in [1-5]" },
		{ "_[5-]", "'-' at position 4 in a set must join two digits, as in [1-5]" },
		{ "_[1-2-3]", "'-' at position 6 in a set must join two digits, as in [1-5]" },
		{ "_[1X]", "'X' at position 4 is not allowed in a set: a set holds digits, '*', '#', "
			   "'+' and ranges such as 1-5" },
		{ "_[1[2]", "'[' at position 4 is not allowed in a set: a set holds digits, '*', "
			    "'#', '+' and ranges such as 1-5" },
		{ "_1.2", "'.' at position 3 must end the pattern: the PBX ignores what follows" },
		{ "_1!-", "'!' at position 3 must end the pattern: the PBX ignores what follows" },
		{ "_.", "'_.' matches every extension, the PBX's own too: use '_X.'" },
		{ "_!", "'_!' matches every extension, the PBX's own too: use '_X!'" },
		{ "_", "the dial pattern has no digit or position to match" },
		{ "--", "the dial pattern has no digit or position to match" },
		{ "_1_2", "'_' at position 3: only the first character may be '_'" },
		{ "12_", "'_' at position 3: only the first character may be '_'" },
		{ "20XX", "'X' at position 3 is a pattern character: a pattern begins with '_'" },
		{ "8.", "'.' at position 2 is a pattern character: a pattern begins with '_'" },
		{ "_20 XX", "a space at position 4: a dial pattern holds no whitespace" },
		{ "\t1", "a tab at position 1: a dial pattern holds no whitespace" },
		{ "_1\n", "a line break or other whitespace at position 3: a dial pattern holds no "
			  "whitespace" },
		{ "_1\x01", "byte 0x01 at position 3 is not a character a dial pattern may hold" },
		{ "_1\xc3\xa9", "byte 0xc3 at position 3 is not a character a dial pattern may hold" },
		{ "_1,2", "',' at position 3 is not allowed in a dial pattern: in the PBX's dialplan "
			  "it separates the fields of an extension line" },
		{ "_1;2", "';' at position 3 is not allowed in a dial pattern: in the PBX's dialplan "
			  "it starts a comment" },
		{ "100/200", "'/' at position 4 is not allowed in a dial pattern: in the PBX's "
			     "dialplan it starts a caller ID match" },
		{ "_${X}", "'$' at position 2 is not allowed in a dial pattern: in the PBX's dialplan "
			   "it starts a variable or an expression" },
		{ "1@ctx", "'@' at position 2 is not allowed in a dial pattern: in the PBX's dialplan "
			   "it names a context" },
		{ "_1A", "'A' at position 3 is not allowed: a dial pattern holds digits, '*', '#', "
			 "'+', '-' and, after a leading '_', X Z N [ ] . !" },
		{ "s", "'s' at position 1 is not allowed: a dial pattern holds digits, '*', '#', "
		       "'+', '-' and, after a leading '_', X Z N [ ] . !" },
	};
	char too_long[PAT_MAX_LEN + 2];

	for (size_t i = 0; i < N_OF(bad); i++)
		T_CHECK_STR(check(bad[i][0]), bad[i][1]);
	memset(too_long, 'X', PAT_MAX_LEN + 1);
	too_long[0] = '_';
	too_long[PAT_MAX_LEN + 1] = '\0';
	T_CHECK_STR(check(too_long), "the dial pattern is 81 characters long: at most 80 are allowed");
	T_CHECK_STR(check(NULL), "the dial pattern is empty");
}

int main(void)
{
	T_RUN(test_manual_examples);
	T_RUN(test_classes);
	T_RUN(test_order);
	T_RUN(test_order_chain);
	T_RUN(test_pick);
	T_RUN(test_pick_ties);
	T_RUN(test_accepted);
	T_RUN(test_refused);
	return t_done("pbx_pattern");
}
