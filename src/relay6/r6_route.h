/*
 * Host routes (/128) to proxied downstream neighbours, by rtnetlink
 * (libmnl). Ours carry their own protocol number, so a restart finds and
 * removes the ones a killed relay left behind.
 */
#ifndef DIFOS_R6_ROUTE_H
#define DIFOS_R6_ROUTE_H

#include <netinet/in.h>

/* rtm_protocol of our routes (not one of /etc/iproute2/rt_protos) */
#define R6_RTPROT 0x6d

struct r6_rt;

struct r6_rt *r6_rt_open(void);
void r6_rt_close(struct r6_rt *rt);
/* add (or replace) / delete dst/128 on ifindex; 0 or -errno */
int r6_rt_host(struct r6_rt *rt, int add, const struct in6_addr *dst, int ifindex);
/* delete every IPv6 route with our protocol on ifindex; the number removed */
int r6_rt_flush(struct r6_rt *rt, int ifindex);

#endif
