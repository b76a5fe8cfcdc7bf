/*
 * The kernel's connection tracking, by ctnetlink (libmnl): forgetting the
 * connections that leave through a given address. When traffic moves from
 * one uplink to another, a connection masqueraded to the old uplink's
 * address keeps its translation (and its route, by its mark) for as long
 * as it lives: it stays stuck on a dead link, or on the backup long after
 * the main uplink is back. Forgetting them makes the next packet of each a
 * new connection on the uplink in force.
 */
#ifndef DIFOS_NET_NL_CONNTRACK_H
#define DIFOS_NET_NL_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>

struct nlmsghdr;

/* Deletes every tracked connection whose reply is addressed to addr (the
 * address it was translated to: family 4 or 6, 4 or 16 bytes). Returns how
 * many were deleted, or -1 when the kernel could not be asked. */
int nl_ct_forget_nat_to(int family, const unsigned char *addr);

/* Is this ctnetlink message a connection whose reply goes to addr? The
 * step of the above, on a message as the kernel sends it (tested and
 * fuzzed without a kernel). */
bool nl_ct_reply_to(const struct nlmsghdr *nlh, int family, const unsigned char *addr);

#endif
