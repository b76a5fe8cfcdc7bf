/*
 * DHCPv6 relay messages (RFC 8415 §9, §19): pure functions over byte
 * buffers, every length checked, no I/O.
 */
#ifndef DIFOS_R6_DHCP_H
#define DIFOS_R6_DHCP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	R6_DH_SOLICIT = 1, R6_DH_ADVERTISE = 2, R6_DH_REQUEST = 3, R6_DH_CONFIRM = 4,
	R6_DH_RENEW = 5, R6_DH_REBIND = 6, R6_DH_REPLY = 7, R6_DH_RELEASE = 8,
	R6_DH_DECLINE = 9, R6_DH_RECONFIGURE = 10, R6_DH_INFO_REQUEST = 11,
	R6_DH_RELAY_FORW = 12, R6_DH_RELAY_REPL = 13,
	R6_DHO_CLIENTID = 1, R6_DHO_SERVERID = 2, R6_DHO_IA_NA = 3, R6_DHO_IA_TA = 4,
	R6_DHO_RELAY_MSG = 9, R6_DHO_INTERFACE_ID = 18, R6_DHO_DNS = 23,
	R6_DHO_DOMAINS = 24, R6_DHO_IA_PD = 25,
};

#define R6_DH_CLIENT_PORT 546
#define R6_DH_SERVER_PORT 547
#define R6_DH_HOP_LIMIT 8        /* RFC 8415 §7.6 HOP_COUNT_LIMIT */
#define R6_DH_RELAY_HLEN 34      /* msg-type, hop-count, link-address, peer-address */

struct r6_dhopt {
	uint16_t code;
	const uint8_t *data;
	uint16_t len;
};

/* a Relay-Reply, unwrapped one level */
struct r6_relay_reply {
	uint8_t hop_count;
	struct in6_addr link, peer;
	const uint8_t *ifid;     /* NULL without an Interface-ID option */
	size_t ifid_len;
	const uint8_t *msg;      /* the Relay Message option's contents */
	size_t msg_len;
};

/* The next option at *off of p[0..len): 1, 0 at the end, -1 when malformed. */
int r6_dh_opt_next(const uint8_t *p, size_t len, size_t *off, struct r6_dhopt *o);

/*
 * Whether a message that came from the downstream link is one the relay
 * sends on: a client's message (RFC 8415 §7.3, the ones a client sends)
 * or a Relay-Forward below the hop limit. 1 yes, 0 no.
 */
int r6_dh_relayable(const uint8_t *m, size_t n);

/*
 * The Relay-Forward carrying msg (RFC 8415 §19.1.1): hop-count 0 for a
 * client's message, one more than an inner Relay-Forward's; link and peer
 * as given; an Interface-ID option with ifid. Length, or -1.
 */
ssize_t r6_dh_relay_forward(const uint8_t *msg, size_t n, const struct in6_addr *link,
			    const struct in6_addr *peer, const uint8_t *ifid, size_t ifid_len,
			    uint8_t *out, size_t cap);

/* A Relay-Reply (RFC 8415 §19.2): 0, or -1 when it is not one, is
 * malformed, or has no Relay Message option. */
int r6_dh_relay_reply_parse(const uint8_t *p, size_t n, struct r6_relay_reply *r);

/*
 * Hybrid mode's own answer to an Information-request (RFC 8415 §18.3.6):
 * a Reply with the same transaction id, the client's Client Identifier,
 * our Server Identifier (duid), the DNS servers and the search list.
 * -1 when req is not an Information-request we should answer (another
 * message type, one naming another server, or malformed) or cap is small.
 */
ssize_t r6_dh_info_reply(const uint8_t *req, size_t n, const uint8_t *duid, size_t duid_len,
			 const struct in6_addr *dns, int n_dns, const uint8_t *domains,
			 size_t domains_len, uint8_t *out, size_t cap);

/* DUID-LL (RFC 8415 §11.4) of an Ethernet address: 10 bytes into out. */
size_t r6_dh_duid_ll(const uint8_t mac[6], uint8_t out[10]);

#endif
