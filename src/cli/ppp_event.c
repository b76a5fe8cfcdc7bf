/*
 * difos-ppp-up and difos-ppp-down: pppd's ip-up and ip-down scripts for
 * the WAN's PPPoE session (one program, told which by its name). They do
 * nothing themselves: they forward what pppd gives its scripts to difosd
 * as "wan.ppp_event", and difosd sets the route and the upstream DNS.
 *
 * pppd runs them as `script ifname tty speed local remote ipparam` with
 * IFNAME, DEVICE, IPLOCAL, IPREMOTE and (usepeerdns) DNS1, DNS2 in an
 * environment of its own, where the options' `set DIFOS_SOCKET=...` says
 * where difosd listens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "core/util.h"

int main(int argc, char **argv)
{
	static const struct {
		const char *var, *key;
	} vars[] = {
		{ "IFNAME", "interface" }, { "DEVICE", "device" }, { "IPLOCAL", "local" },
		{ "IPREMOTE", "remote" }, { "DNS1", "dns1" }, { "DNS2", "dns2" },
	};
	const char *sock = getenv("DIFOS_SOCKET");
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *event = !strcmp(name, "difos-ppp-up") ? "up" :
			    !strcmp(name, "difos-ppp-down") ? "down" : NULL;
	json_t *params;

	if (!event || !sock) {
		fprintf(stderr, "%s: run by pppd as difos-ppp-up or difos-ppp-down, "
			"with DIFOS_SOCKET set\n", name);
		return 2;
	}
	params = json_pack("{s:s}", "event", event);
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		if (getenv(vars[i].var))
			json_object_set_new(params, vars[i].key, json_string(getenv(vars[i].var)));
	/* the arguments say the same when the variables are missing */
	if (!json_object_get(params, "interface") && argc > 1)
		json_object_set_new(params, "interface", json_string(argv[1]));
	if (!json_object_get(params, "local") && argc > 4)
		json_object_set_new(params, "local", json_string(argv[4]));
	if (!json_object_get(params, "remote") && argc > 5)
		json_object_set_new(params, "remote", json_string(argv[5]));
	/* difosd may be busy booting: it is tried for a while */
	return client_hook_call(name, sock, 5000, "wan.ppp_event", params);
}
