/*
 * difos-dhcp6-event: the script dhclient -6 runs on each event (once per
 * address and once per delegated prefix). It does nothing itself: it
 * forwards dhclient's variables to difosd ("wan.dhcp6_event"), which
 * configures the WAN and hands the prefixes to the LAN.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/client.h"
#include "core/util.h"

int main(void)
{
	static const char *const vars[] = {
		"reason", "interface", "new_ip6_address", "new_ip6_prefixlen", "new_ip6_prefix",
		"new_preferred_life", "new_max_life", "new_dhcp6_name_servers",
		"new_dhcp6_domain_search", "cur_ip6_address", "cur_ip6_prefix", "old_ip6_address",
		"old_ip6_prefix", NULL
	};
	const char *sock = getenv("DIFOS_SOCKET");
	json_t *params;

	if (!sock || !getenv("reason")) {
		fprintf(stderr, "difos-dhcp6-event: run by dhclient -6 with DIFOS_SOCKET set\n");
		return 2;
	}
	params = json_object();
	for (size_t i = 0; vars[i]; i++)
		if (getenv(vars[i]))
			json_object_set_new(params, vars[i], json_string(getenv(vars[i])));
	/* difosd may be busy booting: it is tried for a while */
	return client_hook_call("difos-dhcp6-event", sock, 10000, "wan.dhcp6_event", params);
}
