/* Documents for unit tests of a section's rules: defaults plus a change,
 * validated, with the errors compared. */
#ifndef DIFOS_T_SCHEMA_H
#define DIFOS_T_SCHEMA_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "schema/schema.h"
#include "t_json.h"

/* The defaults with path set to the JSON text value (path NULL: none). */
static inline json_t *doc_with(const char *path, const char *value)
{
	json_t *d = schema_defaults();

	if (path)
		put(d, path, value);
	schema_fill_defaults(d);
	return d;
}

static inline void print_errors(const struct sc_error_list *e)
{
	for (size_t i = 0; i < e->n; i++)
		fprintf(stderr, "    error %zu: %s\n", i, e->v[i].message);
}

/* Validates doc (taken): true when it has no error. */
static inline bool valid(json_t *doc)
{
	struct sc_error_list e;
	bool ok;

	sc_errors_init(&e);
	schema_validate(doc, &e);
	ok = e.n == 0;
	if (!ok)
		print_errors(&e);
	sc_errors_free(&e);
	json_decref(doc);
	return ok;
}

/* Validates doc (taken): true when some error has this path and message. */
static inline bool has_error(json_t *doc, const char *path, const char *message)
{
	struct sc_error_list e;
	bool ok = false;

	sc_errors_init(&e);
	schema_validate(doc, &e);
	for (size_t i = 0; i < e.n; i++)
		ok |= !strcmp(e.v[i].path, path) && !strcmp(e.v[i].message, message);
	if (!ok) {
		fprintf(stderr, "    expected %s | %s\n", path, message);
		print_errors(&e);
	}
	sc_errors_free(&e);
	json_decref(doc);
	return ok;
}

#endif
