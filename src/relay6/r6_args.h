/*
 * difos-relay6's command line:
 *
 *   difos-relay6 --upstream DEV --downstream DEV [--ra] [--dhcpv6] [--ndp]
 *                [--hybrid] [--neigh-refresh SECONDS] [--help]
 *
 * --ra      relay Router Advertisements from DEV upstream to the downstream,
 *           answer Router Solicitations there
 * --dhcpv6  relay DHCPv6 (Relay-Forward / Relay-Reply)
 * --ndp     proxy Neighbor Discovery both ways, with host routes
 * --hybrid  DHCPv6 relayed for addresses, Information-requests answered by
 *           the relay itself (implies --dhcpv6; the relayed RAs get the O flag)
 * --neigh-refresh  how often a proxied neighbour is probed again (30 s)
 * At least one of --ra, --dhcpv6, --ndp, --hybrid.
 */
#ifndef DIFOS_R6_ARGS_H
#define DIFOS_R6_ARGS_H

#include <stddef.h>

struct r6_args {
	const char *up, *down;
	int ra, dhcpv6, ndp, hybrid, help;
	unsigned refresh_s;
};

extern const char r6_usage[];

/* 0, or -1 with err naming the argument and its value */
int r6_parse_args(int argc, char **argv, struct r6_args *a, char *err, size_t errlen);

#endif
