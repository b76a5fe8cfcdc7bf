/*
 * Set elements through netlink (libnftnl + libmnl), one transaction.
 *
 * The nft tool reads every element of an interval set before it adds or
 * deletes one (to merge and check overlaps), which takes seconds when a
 * country alias holds hundreds of thousands of ranges. Our sets hold
 * canonical, non-overlapping ranges (fw_cidr_canonical), so an element
 * change is sent as it is: a range [a, b] is a start element a and an
 * interval-end element b+1 (none when b is the last value), the kernel's
 * own representation. The kernel still refuses an overlap; the caller then
 * falls back to loading the whole set.
 *
 * The verdict maps of point rules ("10.0.0.5 . tcp . 80 : accept") are
 * plain maps with concatenated keys: each part of the key takes a whole
 * number of 32-bit registers (an address its 4 or 16 bytes, a protocol
 * one byte then padding, a port two bytes in network order then padding),
 * and the data is a verdict, or a jump with its chain.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "core/lock.h"
#include "features/firewall/ruleset/firewall.h"

/* elements per netlink message: well under the 64 KiB attribute limit */
#define ELEMS_PER_MSG 256

struct key_range {
	unsigned char start[32], end[32]; /* end: first value after the range */
	size_t len;
	bool end_is_max;                  /* the range reaches the last value */
	bool is_map;                      /* a map element: a point, and a verdict */
	int verdict;                      /* NF_ACCEPT, NF_DROP or NFT_JUMP */
	char chain[64];                   /* of NFT_JUMP */
};

static bool is_map_type(int keytype)
{
	return keytype == FW_KEY_V4_PROTO_PORT || keytype == FW_KEY_V6_PROTO_PORT ||
	       keytype == FW_KEY_PROTO_PORT;
}

/* b = a + 1 over len bytes, big endian; returns true on overflow */
static bool key_increment(unsigned char *k, size_t len)
{
	for (size_t i = len; i-- > 0;)
		if (++k[i] != 0)
			return false;
	return true;
}

/* "tcp" or "udp" (the protocols of rules) */
static bool parse_proto(const char *s, size_t n, unsigned char *out)
{
	if (n == 3 && !strncmp(s, "tcp", 3))
		*out = 6;
	else if (n == 3 && !strncmp(s, "udp", 3))
		*out = 17;
	else
		return false;
	return true;
}

/* "KEY : VERDICT" of a verdict map; the key's parts joined by " . " */
static bool parse_map_elem(const char *text, int keytype, struct key_range *r, char *why,
			   size_t whylen)
{
	const char *colon = strstr(text, " : "), *p = text, *verdict;
	int parts = keytype == FW_KEY_PROTO_PORT ? 2 : 3;
	unsigned char *k = r->start;

	if (!colon)
		goto bad;
	for (int i = 0; i < parts; i++) {
		const char *dot = strstr(p, " . ");
		size_t n = (size_t)((i < parts - 1 ? (dot ? dot : colon) : colon) - p);
		char part[64];

		if ((i < parts - 1 && (!dot || dot > colon)) || n == 0 || n >= sizeof(part))
			goto bad;
		memcpy(part, p, n);
		part[n] = '\0';
		if (i == 0 && parts == 3) { /* the address */
			struct net_prefix c;
			int fam = keytype == FW_KEY_V4_PROTO_PORT ? 4 : 6;

			if (!fw_cidr_parse(part, false, &c, why, whylen) || c.family != fam ||
			    c.len != (fam == 4 ? 32 : 128))
				goto bad;
			memcpy(k, c.addr, fam == 4 ? 4 : 16);
			k += fam == 4 ? 4 : 16;
		} else if (i == parts - 2) { /* the protocol, one byte in a register */
			if (!parse_proto(part, n, k))
				goto bad;
			k += 4;
		} else { /* the port, two bytes in a register */
			char *end;
			long port = strtol(part, &end, 10);

			if (*end || port < 1 || port > 65535)
				goto bad;
			k[0] = (unsigned char)(port >> 8);
			k[1] = (unsigned char)port;
			k += 4;
		}
		p = i < parts - 1 ? dot + 3 : colon;
	}
	r->len = (size_t)(k - r->start);
	r->is_map = true;
	verdict = colon + 3;
	if (!strcmp(verdict, "accept"))
		r->verdict = NF_ACCEPT;
	else if (!strcmp(verdict, "drop"))
		r->verdict = NF_DROP;
	else if (!strncmp(verdict, "jump ", 5) && strlen(verdict + 5) < sizeof(r->chain)) {
		r->verdict = NFT_JUMP;
		strcpy(r->chain, verdict + 5);
	} else {
		goto bad;
	}
	return true;
bad:
	snprintf(why, whylen, "%s is not an element of this map", text);
	return false;
}

static bool parse_key(const char *text, int keytype, struct key_range *r, char *why, size_t whylen)
{
	memset(r, 0, sizeof(*r));
	if (is_map_type(keytype))
		return parse_map_elem(text, keytype, r, why, whylen);
	if (keytype == FW_KEY_PORT) {
		long lo, hi;

		if (!sc_port_range_parse(text, &lo, &hi)) {
			snprintf(why, whylen, "%s is not a port or a port range", text);
			return false;
		}
		r->len = 2;
		r->start[0] = (unsigned char)(lo >> 8);
		r->start[1] = (unsigned char)lo;
		r->end[0] = (unsigned char)(hi >> 8);
		r->end[1] = (unsigned char)hi;
	} else {
		struct net_prefix c;
		size_t bytes = keytype == FW_KEY_V4 ? 4 : 16;

		if (!fw_cidr_parse(text, false, &c, why, whylen) || c.family != keytype) {
			snprintf(why, whylen, "%s is not an IPv%d CIDR", text, keytype);
			return false;
		}
		r->len = bytes;
		memcpy(r->start, c.addr, bytes);
		memcpy(r->end, c.addr, bytes);
		for (size_t bit = (size_t)c.len; bit < bytes * 8; bit++)
			r->end[bit / 8] |= (unsigned char)(0x80 >> (bit % 8));
	}
	r->end_is_max = key_increment(r->end, r->len);
	return true;
}

static void add_elem(struct nftnl_set *s, const unsigned char *key, size_t len, bool interval_end)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, (uint32_t)len);
	if (interval_end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
	nftnl_set_elem_add(s, e);
}

static void add_map_elem(struct nftnl_set *s, const struct key_range *r)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, r->start, (uint32_t)r->len);
	nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)r->verdict);
	if (r->verdict == NFT_JUMP)
		nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, r->chain);
	nftnl_set_elem_add(s, e);
}

struct batch {
	char *buf;
	struct mnl_nlmsg_batch *b;
	uint32_t seq;
	unsigned msgs; /* messages that will be acknowledged */
};

/* Room for the whole batch: every element twice (start and end), each
 * at most 64 bytes encoded, plus headers. */
static size_t batch_size(const struct fw_elem_change *c, size_t n)
{
	size_t elems = 0;

	for (size_t i = 0; i < n; i++)
		elems += c[i].nadd + c[i].ndel;
	return elems * 2 * 64 + (elems / ELEMS_PER_MSG + 2 * n + 4) * 512 + 65536;
}

static void flush_set_msg(struct batch *bt, struct nftnl_set *s, bool add)
{
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b),
				    add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, NFPROTO_INET,
				    (add ? NLM_F_CREATE : 0) | NLM_F_ACK, bt->seq++);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	mnl_nlmsg_batch_next(bt->b);
	bt->msgs++;
}

static struct nftnl_set *new_set(const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	nftnl_set_set_str(s, NFTNL_SET_TABLE, FW_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	return s;
}

/* Adds the messages of one list (add or delete) of one set. */
static int build_list(struct batch *bt, const struct fw_elem_change *c, char **texts, size_t n,
		      bool add, char **err)
{
	struct nftnl_set *s = NULL;
	unsigned in_msg = 0;

	for (size_t i = 0; i < n; i++) {
		struct key_range r;
		char why[160];

		if (!parse_key(texts[i], c->keytype, &r, why, sizeof(why))) {
			*err = xasprintf("set %s: %s", c->set, why);
			if (s)
				nftnl_set_free(s);
			return -1;
		}
		if (!s)
			s = new_set(c->set);
		if (r.is_map) {
			add_map_elem(s, &r);
		} else {
			add_elem(s, r.start, r.len, false);
			if (!r.end_is_max)
				add_elem(s, r.end, r.len, true);
		}
		if (++in_msg >= ELEMS_PER_MSG) {
			flush_set_msg(bt, s, add);
			nftnl_set_free(s);
			s = NULL;
			in_msg = 0;
		}
	}
	if (s) {
		flush_set_msg(bt, s, add);
		nftnl_set_free(s);
	}
	return 0;
}

static int talk(struct mnl_socket *nl, struct batch *bt, char **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned acks = 0;
	int first_error = 0;
	ssize_t n;

	/* the kernel takes its time with large sets: the core answers meanwhile */
	core_outside_begin();
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(bt->b), mnl_nlmsg_batch_size(bt->b)) < 0) {
		core_outside_end();
		*err = xasprintf("netlink send: %s", strerror(errno));
		return -1;
	}
	/* every message is acknowledged (or answered with its error) */
	while (acks < bt->msgs && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		size_t len = (size_t)n;

		for (; mnl_nlmsg_ok(h, (int)len); h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				acks++;
				if (e->error && !first_error)
					first_error = -e->error;
			}
		}
	}
	core_outside_end();
	if (acks < bt->msgs && !first_error) {
		*err = xasprintf("netlink: %u of %u answers (%s)", acks, bt->msgs, strerror(errno));
		return -1;
	}
	if (first_error) {
		*err = xasprintf("netlink: %s", first_error == EEXIST ? "an element overlaps one in the set"
						: strerror(first_error));
		return -1;
	}
	return 0;
}

/*
 * The socket stays open from one change to the next. Closing a netlink
 * socket right after a transaction makes the kernel wait there for the
 * transaction's cleanup (an RCU grace period: about 9 ms on a small
 * machine, as long as the rest of a one-element change). After any error
 * it is closed and a new one opened for the next change, so no answer of
 * a failed transaction is read as one of the next.
 */
static struct mnl_socket *elems_nl;

static struct mnl_socket *elems_socket(char **err)
{
	struct timeval tv = { .tv_sec = 10 };
	int big = 16 << 20;
	struct mnl_socket *nl;

	if (elems_nl)
		return elems_nl;
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl) {
		*err = xasprintf("netlink: %s", strerror(errno));
		return NULL;
	}
	/* a large batch must fit the socket buffers */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = xasprintf("netlink bind: %s", strerror(errno));
		mnl_socket_close(nl);
		return NULL;
	}
	elems_nl = nl;
	return nl;
}

int fw_elems_apply(const struct fw_elem_change *c, size_t n, char **err)
{
	struct batch bt = { 0 };
	struct mnl_socket *nl;
	int rc = -1;
	size_t cap = batch_size(c, n);

	/* libmnl lets the last message pass the limit: twice the room */
	bt.buf = xmalloc(cap * 2);
	bt.b = mnl_nlmsg_batch_start(bt.buf, cap);
	bt.seq = (uint32_t)time(NULL);
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt.b), bt.seq++);
	mnl_nlmsg_batch_next(bt.b);
	for (size_t i = 0; i < n; i++) {
		/* deletions first: a range that replaces smaller ones must not
		 * meet them in the set */
		if (build_list(&bt, &c[i], c[i].del, c[i].ndel, false, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (build_list(&bt, &c[i], c[i].add, c[i].nadd, true, err) < 0)
			goto out;
	nftnl_batch_end(mnl_nlmsg_batch_current(bt.b), bt.seq++);
	mnl_nlmsg_batch_next(bt.b);
	if (bt.msgs == 0) {
		rc = 0;
		goto out;
	}
	nl = elems_socket(err);
	if (!nl)
		goto out;
	rc = talk(nl, &bt, err);
	if (rc < 0) {
		mnl_socket_close(nl);
		elems_nl = NULL;
	}
out:
	mnl_nlmsg_batch_stop(bt.b);
	free(bt.buf);
	return rc;
}
