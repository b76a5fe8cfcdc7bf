/* The failover's rules, its table's default route, and the connections it forgets. */
#include <string.h>

#include "core/log.h"
#include "features/network/failover/failover.h"
#include "net/nl.h"
#include "net/nl_watch.h"

void failover_rules(struct sys *sys, bool on)
{
	for (int family = 4; family <= 6; family += 2) {
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_RULE_DEL, .family = family,
						    .pref = FAILOVER_PREF_MAIN });
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_RULE_DEL, .family = family,
						    .pref = FAILOVER_PREF_TABLE });
		if (!on)
			continue;
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_RULE_ADD, .family = family,
						    .pref = FAILOVER_PREF_MAIN, .table = 254,
						    .has_suppress = 1, .suppress_prefixlen = 0 });
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_RULE_ADD, .family = family,
						    .pref = FAILOVER_PREF_TABLE,
						    .table = FAILOVER_TABLE });
	}
}

int failover_route(struct sys *sys, const struct failover_uplink *b, char **err)
{
	int rc = 0;

	for (int family = 4; family <= 6; family += 2)
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ROUTE_FLUSH, .family = family,
						    .table = FAILOVER_TABLE });
	if (!b)
		return 0;
	if (b->gw4[0] && sys_net(sys, err, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 4,
							    .via = b->gw4, .dev = b->device,
							    .table = FAILOVER_TABLE }))
		rc = -1;
	/* IPv6 through it too when it has a router (a failed one is no reason
	 * to keep IPv4 on a dead WAN) */
	if (b->gw6[0])
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 6,
						    .via = b->gw6, .dev = b->device,
						    .table = FAILOVER_TABLE });
	return rc;
}

int failover_forget(struct sys *sys, const char *dev)
{
	const json_t *addrs = nl_watch_addresses();
	json_t *dumped = addrs ? NULL : nl_addresses(AF_INET), *a;
	int n = 0;
	size_t i;

	if (!dev || !*dev)
		return 0;
	json_array_foreach(addrs ? addrs : dumped, i, a) {
		const char *name = json_string_value(json_object_get(a, "ifname"));
		const char *local = json_string_value(json_object_get(a, "local"));
		json_t *gone = NULL;

		if (!name || strcmp(name, dev) || !local ||
		    strcmp(json_string_value(json_object_get(a, "family")) ?: "", "inet"))
			continue;
		if (sys->net(sys, &(struct nl_op){ .kind = NL_CT_FORGET, .family = 4, .addr = local },
			     &gone, NULL) == 0)
			n += (int)json_integer_value(gone);
		json_decref(gone);
	}
	json_decref(dumped);
	if (n)
		log_info("failover: forgot %d connection(s) translated to %s's address", n, dev);
	return n;
}
