/*
 * difos-dhcp6-event: the script dhclient -6 runs on each event (once per
 * address and once per delegated prefix). It does nothing itself: it
 * forwards dhclient's variables to difosd ("wan.dhcp6_event"), which
 * configures the WAN and hands the prefixes to the LAN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
	json_t *params, *resp;
	int fd = -1;

	if (!sock || !getenv("reason")) {
		fprintf(stderr, "difos-dhcp6-event: run by dhclient -6 with DIFOS_SOCKET set\n");
		return 2;
	}
	params = json_object();
	for (size_t i = 0; vars[i]; i++)
		if (getenv(vars[i]))
			json_object_set_new(params, vars[i], json_string(getenv(vars[i])));
	/* difosd may be busy booting: retry for a while */
	for (int tries = 0; tries < 100 && fd < 0; tries++) {
		fd = client_connect(sock);
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0) {
		fprintf(stderr, "difos-dhcp6-event: cannot reach difosd at %s\n", sock);
		json_decref(params);
		return 1;
	}
	resp = client_call(fd, "wan.dhcp6_event", params);
	close(fd);
	if (!resp || json_object_get(resp, "error")) {
		char *t = resp ? json_dumps(json_object_get(resp, "error"), JSON_COMPACT) : NULL;
		fprintf(stderr, "difos-dhcp6-event: %s\n", t ? t : "no answer");
		free(t);
		json_decref(resp);
		return 1;
	}
	json_decref(resp);
	return 0;
}
