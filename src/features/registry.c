/* The feature table, in apply order (src/features/meson.build lists it). */
#include <string.h>

#include "apply/feature.h"
#include "core/util.h"

/* feature_list.h: FEATURE(name) for each folder in src/features/meson.build */
#define FEATURE(name) extern const struct feature feature_##name;
#include "feature_list.h"
#undef FEATURE

const struct feature *const feature_table[] = {
#define FEATURE(name) &feature_##name,
#include "feature_list.h"
#undef FEATURE
};

size_t feature_count(void)
{
	return ARRAY_SIZE(feature_table);
}

const struct feature *feature_find(const char *name)
{
	for (size_t i = 0; i < feature_count(); i++)
		if (!strcmp(feature_table[i]->name, name))
			return feature_table[i];
	return NULL;
}

#define FEATURE_MAX_SECTIONS 64

static struct sc_field feature_root_fields[FEATURE_MAX_SECTIONS + 1];
static struct sc_field feature_root = {
	.name = "",
	.kind = SC_OBJECT,
	.fields = feature_root_fields,
	.title = "difos configuration",
};

void feature_schema_init(void)
{
	size_t n = 0;

	for (size_t i = 0; i < feature_count(); i++)
		for (const struct sc_field *const *s = feature_table[i]->sections; s && *s; s++)
			if (n < FEATURE_MAX_SECTIONS)
				feature_root_fields[n++] = **s;
	feature_root_fields[n].name = NULL;
	schema_set_root(&feature_root);
}
