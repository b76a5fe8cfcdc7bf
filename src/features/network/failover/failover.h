/*
 * Network Settings › WAN & WWAN: "the WWAN connection is only used when
 * the WAN connection is down". The failover moves the router's traffic to
 * the LTE uplink when the WAN's link or health fails, and back when the WAN
 * has been healthy for a while (hysteresis), forgetting in the same step
 * the connections translated to the address of the uplink traffic leaves:
 * their next packet starts them again on the uplink in use. (The kernel
 * forgets a masqueraded connection whose way out changed by itself, but
 * only at its next packet, which it drops; a translation that is no
 * masquerade it keeps, and the connection stays stuck.)
 *
 * How traffic is moved: two rules stand while the failover is on —
 *   pref 29990: lookup main suppress_prefixlength 0 (every route of main
 *               but its default ones)
 *   pref 29991: lookup 201 (the failover's table)
 * — and switching is putting a default route through the backup into
 * table 201, or taking it out. The main table is never touched, so the
 * WAN's DHCP client renewing its default route changes nothing while
 * failed over, and the WAN's own health probes (bound to its device) still
 * find their way out through it.
 */
#ifndef DIFOS_FEATURES_FAILOVER_H
#define DIFOS_FEATURES_FAILOVER_H

#include <jansson.h>
#include <stdbool.h>

#include "apply/system.h"

#define FAILOVER_TABLE 201
#define FAILOVER_PREF_MAIN 29990
#define FAILOVER_PREF_TABLE 29991

/* the backup uplink as its owner published it (EV_WWAN_UP) */
struct failover_uplink {
	char device[32];
	char gw4[16];        /* "" none */
	char gw6[46];
	char addr4[16];      /* its address, which its connections are translated to */
};

/* failover_switch.c: the kernel's side */
/* The two rules, there (on) or not. */
void failover_rules(struct sys *sys, bool on);
/* Traffic through the backup (b) or back to the main table (b NULL). */
int failover_route(struct sys *sys, const struct failover_uplink *b, char **err);
/* Forgets the connections translated to the IPv4 addresses of dev; how many. */
int failover_forget(struct sys *sys, const char *dev);

#endif
