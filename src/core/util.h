/* Small helpers: memory, strings, the clock (files: core/files.h, the root prefix: core/root.h). */
#ifndef DIFOS_UTIL_H
#define DIFOS_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* growable string */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sbuf_init(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_addn(struct sbuf *b, const char *s, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sbuf_steal(struct sbuf *b);
void sbuf_free(struct sbuf *b);

/* Strict unsigned decimal of exactly n characters of s: digits only, no
 * sign, no leading zero (but "0"), at most max. */
bool dec_parse(const char *s, size_t n, unsigned long max, unsigned long *out);

/* Monotonic milliseconds. */
long long now_ms(void);

#endif
