/*
 * Paths into the configuration document: "lan.dhcp.start",
 * "dhcp.static_leases[3].ip". A [N] step selects the element of a
 * collection whose "id" is N (ids never change, so paths stay stable
 * while elements are added, removed or reordered).
 */
#ifndef DIFOS_JPATH_H
#define DIFOS_JPATH_H

#include <jansson.h>
#include <stdbool.h>

#define JPATH_MAX_STEPS 16

struct jpath_step {
	char name[64];
	long long id;   /* -1 when the step has no [id] */
};

struct jpath {
	struct jpath_step step[JPATH_MAX_STEPS];
	int n;
};

/* Returns false for a malformed path. The empty path "" is the root. */
bool jpath_parse(const char *text, struct jpath *p);
/* Borrowed reference or NULL. */
json_t *jpath_get(json_t *doc, const struct jpath *p);
/* Sets the value (steals it). Creates missing objects; the collection
 * element must exist. Returns 0 or -1. */
int jpath_set(json_t *doc, const struct jpath *p, json_t *value);
int jpath_delete(json_t *doc, const struct jpath *p);
/* Documents share unchanged subtrees (a staged document is built from the
 * running one). Before a change along p, each object or array on the way
 * (the value at p included) that is also held elsewhere is replaced in
 * doc by a shallow copy of itself, so the change touches doc alone.
 * doc itself must already be doc's own (e.g. json_copy of the base). */
void jpath_unshare(json_t *doc, const struct jpath *p);
/* Element of a collection array by id. */
json_t *jpath_find_id(json_t *arr, long long id, size_t *index_out);
/* Next free id in a collection (max + 1, from 1). */
long long jpath_next_id(const json_t *arr);

#endif
