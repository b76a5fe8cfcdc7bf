/*
 * The packets of the connectivity checks: an ICMP echo request and its
 * reply, a DNS query and the header of its answer. Shared by the router
 * dashboard's check and the uplinks' health checks; the parsers read what
 * the network sends back and are fuzzed (tests/fuzz/fuzz_nl.c).
 */
#ifndef DIFOS_NET_PROBE_PKT_H
#define DIFOS_NET_PROBE_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 1071's checksum */
uint16_t probe_checksum(const void *p, size_t len);
/* An ICMP echo request of id and seq (with a 16-byte tag) into buf: its
 * length, or 0 when cap is too small. */
size_t probe_echo_request(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq);
/* Is pkt (an IPv4 packet, as a raw socket reads it) the echo reply of id and seq? */
bool probe_echo_reply(const uint8_t *pkt, size_t n, uint16_t id, uint16_t seq);
/* A DNS query (recursion desired) of id for name's records of qtype
 * (NULL or "" or ".": the root) into buf: its length, or 0 when the name
 * does not fit or has an empty or over-long label. */
size_t probe_dns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype);
/* The answer code of a DNS answer of id, or -1 when pkt is no such answer. */
int probe_dns_rcode(const uint8_t *pkt, size_t n, uint16_t id);

#define PROBE_DNS_A  1
#define PROBE_DNS_NS 2

#endif
