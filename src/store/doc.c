#include "store/doc.h"
#include "store/jpath.h"

json_t *doc_get(const json_t *doc, const char *path)
{
	struct jpath p;

	if (!jpath_parse(path, &p))
		return NULL;
	return jpath_get((json_t *)doc, &p);
}

const char *doc_str(const json_t *doc, const char *path)
{
	return json_string_value(doc_get(doc, path));
}

long long doc_int(const json_t *doc, const char *path, long long def)
{
	json_t *v = doc_get(doc, path);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

bool doc_bool(const json_t *doc, const char *path, bool def)
{
	json_t *v = doc_get(doc, path);

	return json_is_boolean(v) ? json_is_true(v) : def;
}
