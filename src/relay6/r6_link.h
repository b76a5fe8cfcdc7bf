/*
 * One link of the relay (upstream or downstream): what the kernel says of
 * the interface, and the sockets on it. Neighbor Discovery is read and
 * written as whole IPv6 packets on a packet socket (all multicast let in,
 * a filter keeping ICMPv6 types 133-136), so the relay hears solicitations
 * for addresses that are not its own and answers from the source address
 * and to the link-layer address it chooses, whatever the routing table
 * says. DHCPv6 goes through a UDP socket bound to the interface.
 */
#ifndef DIFOS_R6_LINK_H
#define DIFOS_R6_LINK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define R6_MAX_ADDRS 16

struct r6_link {
	const char *name;
	int ifindex;
	uint8_t mac[6];
	unsigned mtu;
	int has_ll;
	struct in6_addr ll;                   /* its link-local address */
	struct in6_addr addrs[R6_MAX_ADDRS];  /* its other addresses */
	int n_addrs;
	int pkt_fd, dh_fd;                    /* -1 when not open */
};

/* ifindex, MAC, MTU and addresses, read again; 0 or -1 (gone) */
int r6_link_refresh(struct r6_link *l);
/* the packet socket for NDP; 0 or -errno */
int r6_link_open_nd(struct r6_link *l);
/* the DHCPv6 socket on port 547, in ff02::1:2 when join; 0 or -errno */
int r6_link_open_dh(struct r6_link *l, int join);
void r6_link_close(struct r6_link *l);

/* Sends the ICMPv6 message msg to dst at Ethernet address mac (NULL: the
 * multicast one of dst), from the link-local address; 0 or -errno. */
int r6_link_send_nd(struct r6_link *l, const struct in6_addr *dst, const uint8_t *mac,
		    const uint8_t *msg, size_t len);

/* One packet from the packet socket: its length (0: one to ignore, sent by
 * this host), the sender's Ethernet address into mac; -errno on error. */
ssize_t r6_link_recv_nd(struct r6_link *l, uint8_t *buf, size_t cap, uint8_t mac[6]);

/* whether a is one of l's addresses */
int r6_link_has(const struct r6_link *l, const struct in6_addr *a);

#endif
