/* Whole files and folders. */
#ifndef DIFOS_FILES_H
#define DIFOS_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

int mkdir_p(const char *path, mode_t mode);
int rm_rf(const char *path);
/* Creates or replaces path in place, not synced: for files rebuilt at will. */
int file_write(const char *path, const char *data, size_t len, mode_t mode);
/* Writes to path.tmp, fsyncs, renames over path. */
int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* Reads a whole file (NUL-terminated); NULL on error with errno set. */
char *file_read(const char *path, size_t *len_out);
/* True when two files hold the same bytes (or are one file). */
bool file_equal(const char *a, const char *b);
/* True when two directories hold the same files with the same bytes (recursive). */
bool dir_equal(const char *a, const char *b);
/* Copies a folder's files into another (made when missing). */
int dir_copy(const char *from, const char *to);

#endif
