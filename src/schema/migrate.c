/*
 * Documents of older schema versions (a backup made before an upgrade):
 * one step per version, each carrying a document of version v to v + 1.
 * Version 1 is the first, so there is no step yet; the next change that
 * cannot be read as it is adds its step here and raises SCHEMA_VERSION.
 */
#include "schema/schema.h"

typedef int (*migrate_step)(json_t *doc);

/* steps[v - 1] carries version v to v + 1 */
static const migrate_step steps[SCHEMA_VERSION > 1 ? SCHEMA_VERSION - 1 : 1] = { NULL };

int schema_migrate(json_t *doc, int from)
{
	if (from < 1 || from > SCHEMA_VERSION)
		return -1;
	for (int v = from; v < SCHEMA_VERSION; v++)
		if (!steps[v - 1] || steps[v - 1](doc) < 0)
			return -1;
	schema_upgrade(doc);
	return 0;
}
