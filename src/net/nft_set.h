/*
 * Elements of plain nft sets (addresses, with a timeout each) by netlink,
 * one transaction per call on one socket kept open: what intrusion
 * prevention's bans need, at the cost of one system call, whatever the
 * size of the set. The kernel expires an element itself when its timeout
 * runs out.
 *
 * Semantics a caller relies on:
 *  - ADD of an element already in the set leaves it with the new timeout
 *    (it is deleted and added again in the same transaction);
 *  - DEL of an element not in the set (it may have expired) is no error;
 *  - FLUSH empties the set; all ops of one call are one transaction, so
 *    FLUSH then ADD of many is seen by packets all at once or not at all.
 */
#ifndef DIFOS_NET_NFT_SET_H
#define DIFOS_NET_NFT_SET_H

#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

struct nft_set_elem {
	struct net_prefix addr; /* family and bytes: the key (4 or 16 bytes); len unused */
	uint64_t timeout_ms;    /* 0: none; nft_set_list: the time left */
};

enum nft_set_op_kind { NFT_SET_ADD, NFT_SET_DEL, NFT_SET_FLUSH };

struct nft_set_op {
	enum nft_set_op_kind kind;
	const char *table; /* of family inet */
	const char *set;
	const struct nft_set_elem *elems; /* ADD and DEL */
	size_t n;
};

/* All ops, in order, as one transaction: 0, or -1 with *err ("nft set
 * dyn_ips4: <strerror>"; err may be NULL) and the sets left as they were. */
int nft_set_apply(const struct nft_set_op *ops, size_t nops, char **err);

/* The set's elements now (*out to free; sorted by family, then address),
 * each with the time it has left (0: no timeout): 0, or -1 with *err. */
int nft_set_list(const char *table, const char *set, struct nft_set_elem **out, size_t *n,
		 char **err);

/* One message of the kernel's dump of a set's elements (what
 * nft_set_list reads), appended to *elems (*n of them, *cap allocated):
 * 0, or -1 when it is no such message. Elements of another key size are
 * left out. */
struct nlmsghdr;
int nft_set_parse_elems(const struct nlmsghdr *nlh, struct nft_set_elem **elems, size_t *n,
			size_t *cap);

/* The batches the last nft_set_apply sent: 1; more when something changed
 * between the question and the batch (one replay each); 0 when nothing
 * was left to send (deletes of absent elements). For tests and the bench. */
unsigned nft_set_last_rounds(void);

/* Text of one op in nft's words, for journals ("add element inet difos
 * dyn_ips4 { 192.0.2.7 timeout 3600s }", at most 20 elements then ", ...
 * (N in all)"; "flush set inet difos dyn_ips4"); to free. */
char *nft_set_op_text(const struct nft_set_op *op);

#endif
