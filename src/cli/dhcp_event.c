/*
 * difos-dhcp-event: the script busybox udhcpc runs on each lease event.
 * It does nothing itself: it forwards the event and udhcpc's variables to
 * difosd, which configures the WAN (wan.dhcp_event) or, with
 * DIFOS_DHCP_METHOD=wwan.dhcp_event, the LTE modem's device. ISC dhclient
 * (DHCPv6 prefix delegation) runs it too: it gives the event as $reason
 * rather than as the argument, and the variables as -e sets them.
 */
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/client.h"
#include "core/util.h"

int main(int argc, char **argv)
{
	static const char *const vars[] = { "interface", "ip", "subnet", "mask", "router", "dns",
					    "lease", "serverid", "broadcast", "domain",
					    /* dhclient -6 -P */
					    "new_ip6_prefix", "new_max_life", "new_preferred_life",
					    NULL };
	const char *event = argc >= 2 ? argv[1] : getenv("reason");
	const char *sock = getenv("DIFOS_SOCKET");
	const char *method = getenv("DIFOS_DHCP_METHOD");
	json_t *params;

	if (!event || !sock) {
		fprintf(stderr, "difos-dhcp-event: run by udhcpc with DIFOS_SOCKET set\n");
		return 2;
	}
	/* only a DHCP client's event method (the hook door takes no other) */
	if (!method)
		method = "wan.dhcp_event";
	if (strlen(method) < 12 || strcmp(method + strlen(method) - 11, ".dhcp_event")) {
		fprintf(stderr, "difos-dhcp-event: DIFOS_DHCP_METHOD=%s is no DHCP event method\n",
			method);
		return 2;
	}
	params = json_pack("{s:s}", "event", event);
	for (size_t i = 0; vars[i]; i++)
		if (getenv(vars[i]))
			json_object_set_new(params, vars[i], json_string(getenv(vars[i])));
	/* difosd may be busy booting: it is tried for a while */
	return client_hook_call("difos-dhcp-event", sock, 10000, method, params);
}
