#include <stdio.h>

#include "features/common/netutil.h"
#include "schema/schema.h"
#include "store/jpath.h"

void net_ntoa(unsigned a, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

unsigned net_mask(int prefix)
{
	return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

void net_cidr_text(unsigned addr, int prefix, char out[20])
{
	char a[16];

	net_ntoa(addr & net_mask(prefix), a);
	snprintf(out, 20, "%s/%d", a, prefix);
}

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

bool net_lan_subnet(const json_t *doc, unsigned *addr, int *prefix)
{
	const char *a = doc_str(doc, "lan.ipv4.address");
	long long p = doc_int(doc, "lan.ipv4.prefix", -1);

	if (!a || p < 1 || p > 32 || !sc_parse_ipv4(a, addr))
		return false;
	*prefix = (int)p;
	return true;
}

const char *facts_path(const json_t *facts, const char *key)
{
	return json_string_value(json_object_get(json_object_get(facts, "paths"), key));
}
