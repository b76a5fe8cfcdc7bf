/* The upstream DNS servers the WAN learned, as a resolv file dnsmasq reads. */
#include <stdlib.h>

#include "apply/feature.h"
#include "core/files.h"
#include "core/util.h"
#include "features/network/wan/wan.h"

char *wan_resolv_path(const struct feature_env *env)
{
	return xasprintf("%s/wan/resolv.conf", env->paths.run);
}

int wan_write_resolv(const struct feature_env *env, const json_t *servers)
{
	struct sbuf b;
	char *path = wan_resolv_path(env), *dir = xasprintf("%s/wan", env->paths.run);
	size_t i;
	json_t *s;
	int rc;

	mkdir_p(dir, 0755);
	sbuf_init(&b);
	sbuf_add(&b, "# upstream DNS learned on the WAN, written by difos\n");
	json_array_foreach(servers, i, s)
		sbuf_printf(&b, "nameserver %s\n", json_string_value(s));
	rc = file_write_atomic(path, b.s, b.len, 0644);
	sbuf_free(&b);
	free(path);
	free(dir);
	return rc;
}
