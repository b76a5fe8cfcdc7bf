/*
 * Routes: static IPv4/IPv6 routes and policy-based routes. Policy routes
 * mark packets in the firewall's ruleset and send marked packets through
 * their own routing table; routes by domain name use sets that the
 * router's DNS (dnsmasq nftset) fills with the addresses it resolves.
 */
#ifndef DIFOS_ROUTES_H
#define DIFOS_ROUTES_H

#include <jansson.h>

#include "core/util.h"

struct sys;

/*
 * Bits of the packet mark (and conntrack mark) that policy routes use: the
 * index of the interface a packet leaves through, shifted left by 8. Other
 * bits are left alone for other features (QoS).
 */
#define ROUTES_MARK_MASK 0xff00u

/*
 * Set declarations for the "inet difos" table, in the nested syntax with
 * one tab of indent ("\tset dyn_pbr3 {\n\t\ttype ipv4_addr\n\t}\n"). Sets
 * named "dyn_*" are filled at run time (by dnsmasq): the firewall keeps
 * their elements across applies as long as their declaration is unchanged.
 */
void routes_nft_sets(const json_t *doc, struct sbuf *out);

/* Rule lines (two tabs of indent, one per line) of the chain
 * "mark_prerouting" (type filter hook prerouting priority mangle). */
void routes_nft_marks(const json_t *doc, struct sbuf *out);

/* Lines for dnsmasq.conf (nftset=...) that fill the dyn_* sets. */
void routes_dnsmasq(const json_t *doc, const json_t *facts, struct sbuf *out);

/* The WAN got or renewed its DHCP lease (perhaps a new address or router):
 * the routes through the WAN and the policy table of "wan" follow it. When
 * the lease ends the kernel drops those routes with the address. */
void routes_follow_wan(struct sys *sys, const json_t *doc);

#endif
