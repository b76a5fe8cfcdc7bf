/*
 * Active leases from dnsmasq's lease file: one line a lease,
 * "<expiry> <mac> <ip> <hostname|*> <client-id|*>". The file is written by
 * dnsmasq from what clients sent, so each field is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/util.h"
#include "features/network/dns_dhcp/dhcp.h"
#include "schema/schema.h"
#include "store/doc.h"

json_t *dhcp_read_leases(const char *path)
{
	json_t *arr = json_array();
	char *text = file_read(path, NULL), *save = NULL;

	if (!text)
		return arr;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *s2 = NULL;
		int n = 0;
		unsigned ip;

		for (char *t = strtok_r(line, " ", &s2); t && n < 5; t = strtok_r(NULL, " ", &s2))
			f[n++] = t;
		if (n < 4 || !sc_parse_ipv4(f[2], &ip))
			continue; /* IPv6 lines ("duid ...") and malformed ones */
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s?}",
			"expires", (json_int_t)atoll(f[0]), "mac", f[1], "ip", f[2],
			"hostname", strcmp(f[3], "*") ? f[3] : NULL));
	}
	free(text);
	return arr;
}

static json_t *dhcp_leases_method(struct rpc_call *c)
{
	char *path = xasprintf("%s/dnsmasq.leases", c->env->paths.state);
	json_t *active = dhcp_read_leases(path);
	json_t *statics = json_deep_copy(doc_get(c->env->engine->running, "dhcp.static_leases"));

	free(path);
	return json_pack("{s:o, s:o}", "active", active, "static", statics ? statics : json_array());
}

const struct rpc_method dhcp_methods[] = {
	{ "leases", dhcp_leases_method, "active DHCP leases and the static ones" },
	{ NULL, NULL, NULL }
};
