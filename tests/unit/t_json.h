/* JSON helpers shared by the unit tests: literal documents and paths. */
#ifndef DIFOS_T_JSON_H
#define DIFOS_T_JSON_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/jpath.h"

/* Parses test JSON text; a typo in a test aborts loudly. */
static inline json_t *J(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);

	if (!v) {
		fprintf(stderr, "    bad test JSON %s: %s\n", text, err.text);
		abort();
	}
	return v;
}

/* Borrowed value at path, or NULL. */
static inline json_t *at(const json_t *doc, const char *path)
{
	struct jpath p;

	if (!jpath_parse(path, &p))
		return NULL;
	return jpath_get((json_t *)doc, &p);
}

/* Sets path (JSON text value) in doc; aborts on a bad test path. */
static inline void put(json_t *doc, const char *path, const char *value)
{
	struct jpath p;

	if (!jpath_parse(path, &p) || jpath_set(doc, &p, J(value)) < 0) {
		fprintf(stderr, "    cannot set %s in the test document\n", path);
		abort();
	}
}

#endif
