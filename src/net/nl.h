/*
 * The kernel's network state read through rtnetlink (libmnl): links with
 * their counters, addresses, neighbours, routes of every table, rules.
 * Each read is one dump of one kind on a socket of its own (microseconds,
 * no process), answered as JSON in the shape `ip -j` prints, so readers
 * that knew iproute2's output read these unchanged:
 *
 *   nl_links      [{ifindex, ifname, flags: [..], mtu, operstate, address?,
 *                   master?, linkinfo?: {info_kind}, stats64: {rx: {bytes, packets,
 *                   errors, dropped},
 *                   tx: {..}}}]
 *   nl_addresses  [{family: "inet"|"inet6", ifindex, local, prefixlen, scope,
 *                   label?}]  (join with nl_links by ifindex: nl_join_addrs)
 *   nl_neighbours [{dst, dev, lladdr?, state: ["REACHABLE", ..], router?}]
 *   nl_routes     [{family, type?, dst, gateway?, dev?, table, protocol, scope?,
 *                   prefsrc?, metric?, flags: [..]}]
 *   nl_rules      [{priority, src, dst?, fwmark?, fwmask?, iif?, oif?, not?,
 *                   table?, action?}]
 *   nl_classes    [{class: "htb", handle: "d1f:100", parent, dev, stats: {bytes,
 *                   packets, drops, overlimits}}]  (tc -j -s class show dev DEV)
 *
 * Names differ from ip's in one way only: a route's table is always given
 * ("main" too). Each returns NULL when the kernel could not be asked.
 */
#ifndef DIFOS_NET_NL_H
#define DIFOS_NET_NL_H

#include <jansson.h>
#include <stdbool.h>

struct nlmsghdr;

/* family: AF_UNSPEC (0), AF_INET or AF_INET6 */
json_t *nl_links(void);
json_t *nl_addresses(int family);
json_t *nl_neighbours(int family);
/* protocol: a route's rtm_protocol (e.g. 209), or -1 for any */
json_t *nl_routes(int family, int protocol);
json_t *nl_rules(int family);
/* the traffic-control classes of dev (NULL: no such device) */
json_t *nl_classes(const char *dev);

/* Does a link (as nl_links gives it) carry the flag ("UP", "LOWER_UP")? */
bool nl_link_has_flag(const json_t *link, const char *flag);

/* ip -j addr's shape: each link of links with addr_info, its addresses */
json_t *nl_join_addrs(const json_t *links, const json_t *addrs);

/* One message of a dump, appended to out (an array) when it is of the
 * kind asked; malformed ones are skipped. What the dumps use; the unit
 * tests feed them messages they build. */
void nl_parse_link(const struct nlmsghdr *nlh, json_t *out);
void nl_parse_addr(const struct nlmsghdr *nlh, json_t *out);
void nl_parse_neigh(const struct nlmsghdr *nlh, json_t *out);
void nl_parse_route(const struct nlmsghdr *nlh, json_t *out);
void nl_parse_rule(const struct nlmsghdr *nlh, json_t *out);
void nl_parse_class(const struct nlmsghdr *nlh, json_t *out);

#endif
