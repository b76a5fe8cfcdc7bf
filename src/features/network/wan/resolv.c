/*
 * The upstream DNS servers the WAN learned, as a resolv file dnsmasq
 * reads: those of IPv4 (the DHCP lease, the static settings) and those of
 * IPv6 (DHCPv6, the static IPv6 settings), each kept by its own writer.
 */
#include <stdlib.h>

#include "apply/feature.h"
#include "core/files.h"
#include "core/util.h"
#include "features/network/wan/wan.h"

static json_t *resolv_v4, *resolv_v6;

char *wan_resolv_path(const struct feature_env *env)
{
	return xstrdup(env->paths.resolv);
}

static int wan_resolv_write(const struct feature_env *env)
{
	struct sbuf b;
	char *path = wan_resolv_path(env), *dir = xasprintf("%s/wan", env->paths.run);
	const json_t *lists[] = { resolv_v4, resolv_v6 };
	size_t i;
	json_t *s;
	int rc;

	mkdir_p(dir, 0755);
	sbuf_init(&b);
	sbuf_add(&b, "# upstream DNS learned on the WAN, written by difos\n");
	for (size_t l = 0; l < 2; l++)
		json_array_foreach(lists[l], i, s)
			sbuf_printf(&b, "nameserver %s\n", json_string_value(s));
	rc = file_write_atomic(path, b.s ? b.s : "", b.len, 0644);
	sbuf_free(&b);
	free(path);
	free(dir);
	return rc;
}

static void wan_resolv_keep(json_t **slot, const json_t *servers)
{
	json_decref(*slot);
	*slot = servers ? json_deep_copy(servers) : NULL;
}

int wan_write_resolv(const struct feature_env *env, const json_t *servers)
{
	wan_resolv_keep(&resolv_v4, servers);
	return wan_resolv_write(env);
}

int wan_write_resolv6(const struct feature_env *env, const json_t *servers)
{
	wan_resolv_keep(&resolv_v6, servers);
	return wan_resolv_write(env);
}
