/* Small helpers: strings, paths under the root prefix, files. */
#ifndef DIFOS_UTIL_H
#define DIFOS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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

/* The root prefix (--root): every path difosd touches is made with root_path. */
void root_set(const char *dir);
const char *root_get(void);
char *root_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int mkdir_p(const char *path, mode_t mode);
int rm_rf(const char *path);
/* Writes to path.tmp, fsyncs, renames over path. */
/* Creates or replaces path in place, not synced: for files rebuilt at will. */
int file_write(const char *path, const char *data, size_t len, mode_t mode);
int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* Reads a whole file (NUL-terminated); NULL on error with errno set. */
char *file_read(const char *path, size_t *len_out);
bool file_equal(const char *a, const char *b);
/* True when two directories hold the same files with the same bytes (recursive). */
bool dir_equal(const char *a, const char *b);
int dir_copy(const char *from, const char *to);

/* Monotonic milliseconds. */
long long now_ms(void);

#endif
