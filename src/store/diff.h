/*
 * Path-level difference of two configuration documents: a list of
 * {op: "added"|"removed"|"modified", path, old, new}. Objects recurse,
 * collections match their elements by id, everything else (scalars and
 * lists of scalars) compares as a whole value.
 */
#ifndef DIFOS_DIFF_H
#define DIFOS_DIFF_H

#include <jansson.h>

json_t *diff_docs(const json_t *from, const json_t *to);

#endif
