/* Reading values of a configuration document by path ("lan.ipv4.address"). */
#ifndef DIFOS_DOC_H
#define DIFOS_DOC_H

#include <jansson.h>
#include <stdbool.h>

/* The value at path (borrowed), or NULL. */
json_t *doc_get(const json_t *doc, const char *path);
/* The string at path, or NULL. */
const char *doc_str(const json_t *doc, const char *path);
/* The integer (boolean) at path, or def when absent or of another type. */
long long doc_int(const json_t *doc, const char *path, long long def);
bool doc_bool(const json_t *doc, const char *path, bool def);

#endif
