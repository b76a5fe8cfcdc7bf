/*
 * libFuzzer target: the document/validation path. The input is taken as
 * a configuration document (what `difosctl check`, config.set and the
 * web API accept), filled with defaults, validated, diffed against the
 * defaults; and as a config path, parsed and looked up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "schema/schema.h"
#include "store/diff.h"
#include "store/jpath.h"

static json_t *fuzz_defaults;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc, *d;
	struct sc_error_list errs;
	struct jpath p;
	char *path;

	if (!fuzz_defaults) {
		feature_schema_init();
		fuzz_defaults = schema_defaults();
	}
	path = malloc(size + 1);
	memcpy(path, data, size);
	path[size] = '\0';
	if (jpath_parse(path, &p)) {
		schema_lookup(path);
		jpath_get(fuzz_defaults, &p);
	}
	free(path);

	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!doc)
		return 0;
	if (json_is_object(doc))
		schema_fill_defaults(doc);
	sc_errors_init(&errs);
	schema_validate(doc, &errs);
	d = sc_errors_to_json(&errs);
	json_decref(d);
	sc_errors_free(&errs);
	d = diff_docs(fuzz_defaults, doc);
	json_decref(d);
	d = schema_mask_secrets(doc);
	json_decref(d);
	json_decref(doc);
	return 0;
}
