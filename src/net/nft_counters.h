/*
 * The counters of a table's rules, read by one netlink dump of its rules
 * (never of its sets' elements): for each rule holding a counter
 * statement, its chain, its comment and what the counter says.
 */
#ifndef DIFOS_NET_NFT_COUNTERS_H
#define DIFOS_NET_NFT_COUNTERS_H

#include <jansson.h>

/* [{chain, comment (or null), packets, bytes}] of the rules of table
 * (family inet) with a counter, in the kernel's order; NULL with *err
 * ("nft counters: <strerror>", err may be NULL) when the dump fails. */
json_t *nft_rule_counters(const char *table, char **err);

#endif
