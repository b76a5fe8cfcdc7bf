/*
 * Minimal unit test harness: T_CHECK records a failure and goes on,
 * T_RUN runs one test function, t_done prints the closing line
 * "N passed, N failed" and returns the exit status.
 */
#ifndef DIFOS_T_H
#define DIFOS_T_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed, t_cur_failed;
static const char *t_cur;

#define T_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "  FAIL %s:%d in %s: %s\n", __FILE__, __LINE__, t_cur, #cond); \
		t_cur_failed++; \
	} } while (0)

#define T_CHECK_STR(a, b) do { \
	const char *t_a_ = (a), *t_b_ = (b); \
	if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) { \
		fprintf(stderr, "  FAIL %s:%d in %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
			t_cur, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); \
		t_cur_failed++; \
	} } while (0)

#define T_RUN(fn) do { \
	t_cur = #fn; t_cur_failed = 0; \
	fn(); \
	if (t_cur_failed) { t_failed++; fprintf(stderr, "not ok %s\n", #fn); } \
	else { t_passed++; printf("ok %s\n", #fn); } \
	} while (0)

static inline int t_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif
