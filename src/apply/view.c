/*
 * What an applier may read of the document: the paths its feature
 * declares (feature.h, reads), nothing else. The view shares the values
 * of the document (it is as read-only as the document).
 */
#include <stdio.h>
#include <string.h>

#include "apply/feature.h"
#include "store/doc.h"

json_t *feature_doc_view(const json_t *doc, const char *const *reads)
{
	json_t *view;

	if (!doc)
		return NULL;
	view = json_object();
	for (const char *const *p = reads; p && *p; p++) {
		json_t *v = doc_get(doc, *p), *at = view;
		const char *seg = *p, *dot;

		if (!v)
			continue;
		/* the objects on the way, then the value itself */
		while ((dot = strchr(seg, '.'))) {
			char key[64];
			json_t *next;

			snprintf(key, sizeof(key), "%.*s", (int)(dot - seg), seg);
			next = json_object_get(at, key);
			if (!next) {
				next = json_object();
				json_object_set_new(at, key, next);
			}
			at = next;
			seg = dot + 1;
		}
		json_object_set(at, seg, v);
	}
	return view;
}

bool feature_reads_changed(const struct feature *f, const json_t *old_doc, const json_t *doc)
{
	if (!old_doc || !doc)
		return f->reads != NULL;
	for (const char *const *p = f->reads; p && *p; p++) {
		json_t *a = doc_get(old_doc, *p), *b = doc_get(doc, *p);
		if ((a || b) && !json_equal(a, b))
			return true;
	}
	return false;
}
