#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/diff.h"
#include "store/jpath.h"

static void diff_add(json_t *out, const char *op, const char *path, const json_t *a,
		     const json_t *b)
{
	json_t *e = json_pack("{s:s, s:s}", "op", op, "path", path);

	if (a)
		json_object_set(e, "old", (json_t *)a);
	if (b)
		json_object_set(e, "new", (json_t *)b);
	json_array_append_new(out, e);
}

static bool diff_is_collection(const json_t *v)
{
	size_t i;
	json_t *el;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	json_array_foreach(v, i, el)
		if (!json_is_object(el) || !json_is_integer(json_object_get(el, "id")))
			return false;
	return true;
}

static void diff_value(json_t *out, const char *path, const json_t *a, const json_t *b);

static void diff_object(json_t *out, const char *path, const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;
	/* iterate in key order so the change list is stable */
	json_t *keys = json_array();
	size_t i;

	json_object_foreach((json_t *)a, k, v)
		json_array_append_new(keys, json_string(k));
	json_object_foreach((json_t *)b, k, v)
		if (!json_object_get(a, k))
			json_array_append_new(keys, json_string(k));
	for (i = 0; i < json_array_size(keys); i++) {
		for (size_t j = i + 1; j < json_array_size(keys); j++) {
			const char *x = json_string_value(json_array_get(keys, i));
			const char *y = json_string_value(json_array_get(keys, j));
			if (strcmp(x, y) > 0) {
				json_t *t = json_incref(json_array_get(keys, i));
				json_array_set(keys, i, json_array_get(keys, j));
				json_array_set_new(keys, j, t);
			}
		}
	}
	json_array_foreach(keys, i, v) {
		const char *key = json_string_value(v);
		char *sub = path[0] ? xasprintf("%s.%s", path, key) : xstrdup(key);
		diff_value(out, sub, json_object_get(a, key), json_object_get(b, key));
		free(sub);
	}
	json_decref(keys);
}

/* Elements of a collection by id ("7" -> element), so that matching two
 * collections of thousands of entries is not quadratic. */
static json_t *diff_index(const json_t *arr)
{
	json_t *idx = json_object(), *el;
	size_t i;
	char key[24];

	json_array_foreach(arr, i, el) {
		snprintf(key, sizeof(key), "%lld", json_integer_value(json_object_get(el, "id")));
		if (!json_object_get(idx, key))    /* the first of a repeated id, as before */
			json_object_set(idx, key, el);
	}
	return idx;
}

static json_t *diff_lookup(json_t *idx, const json_t *el)
{
	char key[24];

	snprintf(key, sizeof(key), "%lld", json_integer_value(json_object_get(el, "id")));
	return json_object_get(idx, key);
}

static void diff_collection(json_t *out, const char *path, const json_t *a, const json_t *b)
{
	json_t *ia = diff_index(a), *ib = diff_index(b), *el;
	size_t i;

	json_array_foreach(a, i, el) {
		long long id = json_integer_value(json_object_get(el, "id"));
		json_t *other = diff_lookup(ib, el);
		char *sub = xasprintf("%s[%lld]", path, id);
		if (!other)
			diff_add(out, "removed", sub, el, NULL);
		else if (other != el)
			diff_object(out, sub, el, other);
		free(sub);
	}
	json_array_foreach(b, i, el) {
		long long id = json_integer_value(json_object_get(el, "id"));
		if (!diff_lookup(ia, el)) {
			char *sub = xasprintf("%s[%lld]", path, id);
			diff_add(out, "added", sub, NULL, el);
			free(sub);
		}
	}
	json_decref(ia);
	json_decref(ib);
}

static void diff_value(json_t *out, const char *path, const json_t *a, const json_t *b)
{
	/* documents share what a change did not touch (and !a && !b) */
	if (a == b)
		return;
	if (!a) {
		diff_add(out, "added", path, NULL, b);
		return;
	}
	if (!b) {
		diff_add(out, "removed", path, a, NULL);
		return;
	}
	if (json_is_object(a) && json_is_object(b)) {
		diff_object(out, path, a, b);
		return;
	}
	if (json_is_array(a) && json_is_array(b) &&
	    (diff_is_collection(a) || diff_is_collection(b)) &&
	    (diff_is_collection(a) || json_array_size(a) == 0) &&
	    (diff_is_collection(b) || json_array_size(b) == 0)) {
		diff_collection(out, path, a, b);
		return;
	}
	if (!json_equal((json_t *)a, (json_t *)b))
		diff_add(out, "modified", path, a, b);
}

json_t *diff_docs(const json_t *from, const json_t *to)
{
	json_t *out = json_array();

	diff_value(out, "", from, to);
	return out;
}
