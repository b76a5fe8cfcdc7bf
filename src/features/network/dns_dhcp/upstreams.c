/*
 * The upstream DNS servers in force, as dnsmasq reads them: the server=
 * lines of the dnsmasq.conf in force, or else the nameservers of the
 * resolv file it names (the WAN's, written from its lease or settings).
 * Read from the files on each call: a status read, no process.
 */
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "core/files.h"
#include "core/util.h"
#include "features/network/dns_dhcp/dhcp.h"
#include "net/addr.h"

/* each line starting with key: its value, if it is a plain address */
static void dhcp_lines_addrs(const char *text, const char *key, json_t *out, char **file)
{
	size_t klen = strlen(key);
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct net_prefix p;
		char *v = l + klen;

		if (strncmp(l, key, klen))
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		if (file) {
			free(*file);
			*file = xstrdup(v);
		} else if (net_prefix_parse(v, 0, false, &p) == NET_OK) {
			json_array_append_new(out, json_string(v));
		}
	}
	free(copy);
}

json_t *dhcp_upstreams(const struct feature_env *env)
{
	char *conf_path = xasprintf("%s/dhcp/dnsmasq.conf", env->paths.active);
	char *conf = file_read(conf_path, NULL), *resolv = NULL, *text;
	json_t *servers = json_array();
	const char *source = "configured";

	dhcp_lines_addrs(conf, "server=", servers, NULL);
	if (!json_array_size(servers)) {
		dhcp_lines_addrs(conf, "resolv-file=", NULL, &resolv);
		source = "wan";
		text = resolv ? file_read(resolv, NULL) : NULL;
		dhcp_lines_addrs(text, "nameserver", servers, NULL);
		free(text);
	}
	free(resolv);
	free(conf);
	free(conf_path);
	return json_pack("{s:s, s:o}", "source", conf ? source : "none", "servers", servers);
}
