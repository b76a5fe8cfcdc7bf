/*
 * Documents as the store keeps them: zlib-compressed JSON text behind a
 * 4-byte big-endian length of the text (a configuration's JSON shrinks
 * tenfold or more). Rows written before compression hold the plain text;
 * the store tells them apart by SQLite's storage class (BLOB or TEXT).
 */
#ifndef DIFOS_ZDOC_H
#define DIFOS_ZDOC_H

#include <stddef.h>

/* The stored form of len bytes of text (malloc'd, *out_len set), or NULL. */
void *zdoc_pack(const char *text, size_t len, size_t *out_len);
/* The text of a stored form (malloc'd, NUL-terminated), or NULL when damaged. */
char *zdoc_unpack(const void *blob, size_t len);

#endif
