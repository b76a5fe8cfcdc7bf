/*
 * Set elements with timeouts through netlink: one nf_tables transaction
 * (a batch) per call, built with libmnl, on one socket kept open.
 *
 * (Why one socket: nft_set_sock.c.)
 *
 * Replies: the kernel handles a batch while our send is in progress, so
 * when send returns every answer is already queued. Messages ask for no
 * acknowledgement; an error is reported anyway, with the failing message's
 * sequence number, and the kernel goes on through the rest of the batch
 * (reporting every error) before it drops the whole transaction.
 *
 * Re-adding an element must give it the new timeout. The kernel of Debian
 * 12 (6.1) keeps the old one on a plain re-add and has no "destroy" that
 * ignores an absent element. So before the batch the kernel is asked which
 * of the call's elements are there (one GET each, all in one send; not for
 * a set the call flushes first): an element there is sent as delete+add,
 * a delete of one not there is dropped. A refused transaction costs the
 * kernel an RCU grace period (milliseconds), which asking first avoids.
 * Adds are exclusive (NLM_F_EXCL), so whatever changed since the question
 * (an element expired, one added twice in the call) makes the batch fail
 * rather than keep an old timeout: the call is then replayed with one
 * element per message, which tells which ones, and each such element is
 * fixed the same way (EEXIST: delete+add; ENOENT of a delete: dropped).
 * Each fix leaves the set in the state the failed message left it in, so
 * the later messages meet the same set and pass or fail as before. This
 * relies only on what 6.1 and every later kernel do.
 */
#include <endian.h>
#include <netinet/in.h> /* before the kernel headers, which then leave its types alone */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "core/lock.h"
#include "core/util.h"
#include "net/nft_set.h"
#include "net/nft_set_int.h"

/* elements per message: their nest stays well under netlink's 64 KiB */
#define ELEMS_PER_MSG 512
/* the largest message: headers, two names, ELEMS_PER_MSG elements */
#define MSG_ROOM (1024 + ELEMS_PER_MSG * 64)
#define NAME_MAX_LEN 64
/* a batch this large lets the core go while the kernel works on it */
#define OUTSIDE_BYTES (64 * 1024)
/* replays of one call before it gives up (each fixes what the last found) */
#define MAX_ROUNDS 6

enum act { ACT_ADD, ACT_DEL, ACT_REPLACE, ACT_SKIP, ACT_FLUSH };

/* one element of one op (or a flush), and what is sent for it */
struct item {
	size_t op, elem;
	enum act act;
};

/* one message of the batch: its first item, how many, and (for a replace)
 * whether it is the delete half */
struct msg {
	size_t item, n;
	bool del_half;
};

struct plan {
	struct item *items;
	size_t n;
	struct msg *msgs;
	size_t nmsgs, msgs_cap;
	char *buf;
	size_t len, cap;
	uint32_t seq0; /* sequence number of msgs[0] */
};

/* a failed message: its index and the kernel's errno */
struct fail {
	size_t msg;
	int err;
};

static unsigned set_rounds;


static void plan_room(struct plan *p, size_t room)
{
	if (p->len + room <= p->cap)
		return;
	p->cap = (p->len + room) * 2;
	p->buf = xrealloc(p->buf, p->cap);
}

static struct nlmsghdr *plan_msg_start(struct plan *p, uint16_t type, uint16_t flags,
				       const struct nft_set_op *op)
{
	struct nlmsghdr *nlh;

	plan_room(p, MSG_ROOM);
	nlh = nftnl_nlmsg_build_hdr(p->buf + p->len, type, NFPROTO_INET, flags,
				    p->seq0 + (uint32_t)p->nmsgs);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, op->table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, op->set);
	return nlh;
}

static void plan_msg_end(struct plan *p, struct nlmsghdr *nlh, size_t item, size_t n,
			 bool del_half)
{
	if (p->nmsgs == p->msgs_cap) {
		p->msgs_cap = p->msgs_cap ? p->msgs_cap * 2 : 64;
		p->msgs = xrealloc(p->msgs, p->msgs_cap * sizeof(*p->msgs));
	}
	p->msgs[p->nmsgs++] = (struct msg){ .item = item, .n = n, .del_half = del_half };
	p->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_elem(struct nlmsghdr *nlh, const struct nft_set_elem *e, bool with_timeout)
{
	struct nlattr *el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	struct nlattr *key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, e->addr.family == 4 ? 4 : 16, e->addr.addr);
	mnl_attr_nest_end(nlh, key);
	if (with_timeout && e->timeout_ms)
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_TIMEOUT, htobe64(e->timeout_ms));
	mnl_attr_nest_end(nlh, el);
}

/* Items [i, j) of one op with the same act in one message: adds (of
 * ACT_ADD, or ACT_REPLACE's second half) or deletes (ACT_DEL, or
 * ACT_REPLACE's first half: del_half). */
static void plan_elems(struct plan *p, const struct nft_set_op *ops, size_t i, size_t j,
		       bool add, bool del_half)
{
	const struct nft_set_op *op = &ops[p->items[i].op];
	struct nlmsghdr *nlh =
		plan_msg_start(p, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
			       add ? NLM_F_CREATE | NLM_F_EXCL : 0, op);
	struct nlattr *list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);

	for (size_t k = i; k < j; k++)
		put_elem(nlh, &op->elems[p->items[k].elem], add);
	mnl_attr_nest_end(nlh, list);
	plan_msg_end(p, nlh, i, j - i, del_half);
}

/* The batch of the items as they stand; single: one element per message. */
static void plan_build(struct plan *p, const struct nft_set_op *ops, bool single)
{
	size_t i = 0;

	p->len = 0;
	p->nmsgs = 0;
	plan_room(p, MSG_ROOM);
	nftnl_batch_begin(p->buf, p->seq0 - 1);
	p->len += NLMSG_ALIGN(((struct nlmsghdr *)p->buf)->nlmsg_len);
	while (i < p->n) {
		struct item *it = &p->items[i];
		size_t j = i + 1;

		switch (it->act) {
		case ACT_SKIP:
			break;
		case ACT_FLUSH: {
			struct nlmsghdr *nlh =
				plan_msg_start(p, NFT_MSG_DELSETELEM, 0, &ops[it->op]);
			plan_msg_end(p, nlh, i, 1, false);
			break;
		}
		case ACT_REPLACE:
			/* the deletes of a run of them, then their adds */
			while (!single && j < p->n && j - i < ELEMS_PER_MSG &&
			       p->items[j].op == it->op && p->items[j].act == ACT_REPLACE)
				j++;
			plan_elems(p, ops, i, j, false, true);
			plan_elems(p, ops, i, j, true, false);
			break;
		case ACT_ADD:
		case ACT_DEL:
			while (!single && j < p->n && j - i < ELEMS_PER_MSG &&
			       p->items[j].op == it->op && p->items[j].act == it->act)
				j++;
			plan_elems(p, ops, i, j, it->act == ACT_ADD, false);
			break;
		}
		i = j;
	}
	plan_room(p, MSG_ROOM);
	nftnl_batch_end(p->buf + p->len, p->seq0 + (uint32_t)p->nmsgs);
	p->len += NLMSG_ALIGN(((struct nlmsghdr *)(p->buf + p->len))->nlmsg_len);
}

/*
 * Sends the batch and reads every error it caused (none: committed):
 * 0, or -1 when the socket failed (*err set, the socket dropped). The
 * socket is ours alone meanwhile (nft_set_mutex); everything is read before
 * the mutex is let go, so calls may interleave between rounds.
 *
 * A large batch takes the kernel a while (100,000 elements: a fifth of a
 * second), so the core is let go meanwhile, before the mutex is taken:
 * no thread ever waits for the core holding the mutex, so one that holds
 * the core and waits for the mutex (the loop thread) never blocks us.
 */
static int plan_send(struct plan *p, struct fail **fails, size_t *nfails, const char *set,
		     char **err)
{
	bool outside = p->len > OUTSIDE_BYTES;
	struct mnl_socket *nl;
	size_t cap = 0;
	ssize_t n = 0;
	int rc = -1;

	*nfails = 0;
	if (outside)
		core_outside_begin();
	pthread_mutex_lock(&nft_set_mutex);
	nl = nft_set_sock(err, set);
	if (!nl)
		goto out;
	if (mnl_socket_sendto(nl, p->buf, p->len) < 0) {
		nft_set_err(err, set, strerror(errno));
		goto out;
	}
	while ((n = recv(mnl_socket_get_fd(nl), nft_set_rbuf, sizeof(nft_set_rbuf), MSG_DONTWAIT)) > 0) {
		int len = (int)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)nft_set_rbuf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			uint32_t at = h->nlmsg_seq - p->seq0;

			if (h->nlmsg_type != NLMSG_ERROR || e->error == 0)
				continue;
			if (*nfails == cap) {
				cap = cap ? cap * 2 : 16;
				*fails = xrealloc(*fails, cap * sizeof(**fails));
			}
			/* the batch's own header (a failed commit) has no message */
			(*fails)[(*nfails)++] = (struct fail){
				.msg = at < p->nmsgs ? at : SIZE_MAX, .err = -e->error
			};
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		/* ENOBUFS: answers were lost, nothing can be told of the batch */
		nft_set_err(err, set, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		nft_set_sock_drop();
	pthread_mutex_unlock(&nft_set_mutex);
	if (outside)
		core_outside_end();
	return rc;
}

enum fix { FIX_DONE, FIX_SINGLE, FIX_ERROR };

/* What a failure tells, item by item: FIX_DONE (the items now say what to
 * send instead), FIX_SINGLE (a message of several elements failed: replay
 * one by one to learn which) or FIX_ERROR (a real error, *err set). */
static enum fix plan_fix(struct plan *p, const struct nft_set_op *ops, struct mnl_socket *nl,
			 const struct fail *f, size_t nf, char **err)
{
	enum fix r = FIX_DONE;
	size_t set_known = SIZE_MAX; /* the op whose set was found to exist */

	for (size_t k = 0; k < nf; k++) {
		const struct msg *m = f[k].msg == SIZE_MAX ? NULL : &p->msgs[f[k].msg];
		const struct item *it = m ? &p->items[m->item] : NULL;
		const char *set = it ? ops[it->op].set : ops[0].set;
		int e = f[k].err;

		if (it && e == ENOENT && it->act != ACT_FLUSH) {
			/* an absent element, or an absent set? */
			int ex = set_known == it->op ? 1 : nft_set_exists(nl, ops[it->op].table, set);

			if (ex != 1) {
				e = ex == 0 ? ENOENT : errno;
				goto error;
			}
			set_known = it->op;
		} else if (!it || e != EEXIST) {
			goto error;
		}
		/* the kernel stops at the first element it refuses: which one
		 * it was, a replay one by one tells */
		if (m->n > 1) {
			r = FIX_SINGLE;
			continue;
		}
		if (e == EEXIST && it->act == ACT_ADD)
			continue;
		if (e == ENOENT && (it->act == ACT_DEL || m->del_half))
			continue;
error:
		nft_set_err(err, set, strerror(e));
		return FIX_ERROR;
	}
	if (r == FIX_SINGLE)
		return r;
	for (size_t k = 0; k < nf; k++) {
		const struct msg *m = &p->msgs[f[k].msg];
		struct item *it = &p->items[m->item];

		if (m->del_half)
			it->act = ACT_ADD; /* expired meanwhile: a plain add */
		else if (it->act == ACT_ADD)
			it->act = ACT_REPLACE;
		else if (it->act == ACT_DEL)
			it->act = ACT_SKIP;
	}
	return FIX_DONE;
}

/* The items of the ops, or false with *err for a bad op. */
static bool plan_items(struct plan *p, const struct nft_set_op *ops, size_t nops, char **err)
{
	size_t n = 0;

	for (size_t i = 0; i < nops; i++) {
		const struct nft_set_op *op = &ops[i];

		if (!op->table || !*op->table || strlen(op->table) > NAME_MAX_LEN ||
		    !op->set || !*op->set || strlen(op->set) > NAME_MAX_LEN) {
			char *why = xasprintf("table \"%s\" and set: names of 1 to %d characters",
					      op->table ? op->table : "", NAME_MAX_LEN);
			nft_set_err(err, op->set ? op->set : "", why);
			free(why);
			return false;
		}
		if (op->kind == NFT_SET_FLUSH) {
			n++;
			continue;
		}
		for (size_t k = 0; k < op->n; k++)
			if (op->elems[k].addr.family != 4 && op->elems[k].addr.family != 6) {
				char *why = xasprintf("element %zu: family %d is not 4 or 6", k,
						      op->elems[k].addr.family);
				nft_set_err(err, op->set, why);
				free(why);
				return false;
			}
		n += op->n;
	}
	p->items = xcalloc(n ? n : 1, sizeof(*p->items));
	for (size_t i = 0; i < nops; i++) {
		if (ops[i].kind == NFT_SET_FLUSH) {
			p->items[p->n++] = (struct item){ .op = i, .act = ACT_FLUSH };
			continue;
		}
		for (size_t k = 0; k < ops[i].n; k++)
			p->items[p->n++] = (struct item){
				.op = i, .elem = k, .act = ops[i].kind == NFT_SET_ADD ? ACT_ADD : ACT_DEL
			};
	}
	return true;
}

/* Was op i's set flushed by an earlier op of the call? */
static bool flushed_before(const struct nft_set_op *ops, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (ops[j].kind == NFT_SET_FLUSH && !strcmp(ops[j].table, ops[i].table) &&
		    !strcmp(ops[j].set, ops[i].set))
			return true;
	return false;
}

/* Asks for items [from, to) one GET each, in one send; each is answered
 * by the element or by an error. present[k - from]: 1 there, 0 not, -1
 * unknown (another error: the batch will tell). */
static int query_chunk(struct mnl_socket *nl, struct plan *p, const struct nft_set_op *ops,
		       size_t from, size_t to, signed char *present)
{
	uint32_t seq0 = p->seq0;
	size_t answered = 0, len = 0;
	char *buf = xmalloc((to - from) * 256);
	ssize_t n;

	for (size_t k = from; k < to; k++) {
		const struct nft_set_op *op = &ops[p->items[k].op];
		struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf + len, NFT_MSG_GETSETELEM,
							     NFPROTO_INET, 0,
							     seq0 + (uint32_t)(k - from));
		struct nlattr *list;

		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, op->table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, op->set);
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		put_elem(nlh, &op->elems[p->items[k].elem], false);
		mnl_attr_nest_end(nlh, list);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
		present[k - from] = -1;
	}
	if (mnl_socket_sendto(nl, buf, len) < 0) {
		free(buf);
		return -1;
	}
	free(buf);
	while (answered < to - from &&
	       (n = mnl_socket_recvfrom(nl, nft_set_rbuf, sizeof(nft_set_rbuf))) > 0) {
		int rlen = (int)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)nft_set_rbuf; mnl_nlmsg_ok(h, rlen);
		     h = mnl_nlmsg_next(h, &rlen)) {
			size_t at = h->nlmsg_seq - seq0;

			if (at >= to - from)
				continue;
			answered++;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				present[at] = e->error == -ENOENT ? 0 : -1;
			} else {
				present[at] = 1;
			}
		}
	}
	return answered == to - from ? 0 : -1;
}

/*
 * What is there before the first batch, so a re-add or a delete of an
 * expired element costs no failed transaction (the kernel waits out an RCU
 * grace period to drop one: milliseconds). Items after a flush of their
 * set are known absent and not asked. An ADD of an element there becomes
 * delete+add, a DEL of one not there is dropped. Something changing
 * between the question and the batch is caught by the replays.
 */
static int plan_query(struct mnl_socket *nl, struct plan *p, const struct nft_set_op *ops,
		      size_t nops, const char *set, char **err)
{
	/* GETs per send: their answers (a buffer each, about 1 KiB) stay well
	 * within the socket's */
	enum { QUERY_CHUNK = 2048 };
	bool *skip = xcalloc(nops, sizeof(bool));
	signed char *present = xmalloc(QUERY_CHUNK);
	size_t k = 0;
	int rc = 0;

	for (size_t i = 0; i < nops; i++)
		skip[i] = ops[i].kind == NFT_SET_FLUSH || flushed_before(ops, i);
	while (k < p->n && rc == 0) {
		size_t to = k;

		while (to < p->n && to - k < QUERY_CHUNK && !skip[p->items[to].op])
			to++;
		if (to == k) {
			k++;
			continue;
		}
		p->seq0 += QUERY_CHUNK;
		if (query_chunk(nl, p, ops, k, to, present) < 0) {
			nft_set_err(err, set, strerror(errno));
			rc = -1;
			break;
		}
		for (size_t j = k; j < to; j++) {
			struct item *it = &p->items[j];

			if (it->act == ACT_ADD && present[j - k] == 1)
				it->act = ACT_REPLACE;
			else if (it->act == ACT_DEL && present[j - k] == 0)
				it->act = ACT_SKIP;
		}
		k = to;
	}
	free(present);
	free(skip);
	return rc;
}

/* A DEL op all of whose elements were dropped sends nothing: its set must
 * still exist, or the caller hears of it. */
static int check_skipped_sets(struct mnl_socket *nl, struct plan *p,
			      const struct nft_set_op *ops, size_t nops, char **err)
{
	for (size_t i = 0, k = 0; i < nops; i++) {
		bool all_skipped = ops[i].kind == NFT_SET_DEL && ops[i].n > 0;
		size_t end = k + (ops[i].kind == NFT_SET_FLUSH ? 1 : ops[i].n);

		for (; k < end; k++)
			if (p->items[k].act != ACT_SKIP)
				all_skipped = false;
		if (all_skipped) {
			int ex = nft_set_exists(nl, ops[i].table, ops[i].set);
			if (ex != 1) {
				nft_set_err(err, ops[i].set, strerror(ex == 0 ? ENOENT : errno));
				return -1;
			}
		}
	}
	return 0;
}

/* plan_query and check_skipped_sets, the socket ours alone */
static int plan_ask(struct plan *p, const struct nft_set_op *ops, size_t nops, char **err)
{
	struct mnl_socket *nl;
	int rc = -1;

	pthread_mutex_lock(&nft_set_mutex);
	nl = nft_set_sock(err, ops[0].set);
	if (nl && plan_query(nl, p, ops, nops, ops[0].set, err) == 0 &&
	    check_skipped_sets(nl, p, ops, nops, err) == 0)
		rc = 0;
	else
		nft_set_sock_drop();
	pthread_mutex_unlock(&nft_set_mutex);
	return rc;
}

/* plan_fix, the socket ours alone (it may ask whether a set exists) */
static enum fix plan_fix_locked(struct plan *p, const struct nft_set_op *ops,
				const struct fail *f, size_t nf, char **err)
{
	struct mnl_socket *nl;
	enum fix r = FIX_ERROR;

	pthread_mutex_lock(&nft_set_mutex);
	nl = nft_set_sock(err, ops[0].set);
	if (nl)
		r = plan_fix(p, ops, nl, f, nf, err);
	if (r == FIX_ERROR)
		nft_set_sock_drop();
	pthread_mutex_unlock(&nft_set_mutex);
	return r;
}

int nft_set_apply(const struct nft_set_op *ops, size_t nops, char **err)
{
	struct plan p = { .seq0 = (uint32_t)time(NULL) };
	struct fail *fails = NULL;
	bool single = false;
	int rc = -1, round = 0;
	unsigned sent = 0;

	if (!plan_items(&p, ops, nops, err))
		goto out;
	if (p.n == 0) {
		rc = 0;
		goto out;
	}
	if (plan_ask(&p, ops, nops, err) < 0)
		goto out;
	for (; round < MAX_ROUNDS; round++) {
		size_t nf;

		p.seq0 += (uint32_t)p.nmsgs + 2;
		plan_build(&p, ops, single);
		if (p.nmsgs == 0) { /* only deletes of absent elements */
			rc = 0;
			break;
		}
		sent++;
		if (plan_send(&p, &fails, &nf, ops[0].set, err) < 0)
			break;
		if (nf == 0) {
			rc = 0;
			break;
		}
		if (plan_fix_locked(&p, ops, fails, nf, err) == FIX_ERROR)
			break;
		single = true; /* from now on each failure names its element */
	}
	if (round == MAX_ROUNDS)
		nft_set_err(err, ops[0].set, "the set kept changing under the transaction");
out:
	pthread_mutex_lock(&nft_set_mutex);
	set_rounds = sent;
	pthread_mutex_unlock(&nft_set_mutex);
	free(fails);
	free(p.items);
	free(p.msgs);
	free(p.buf);
	return rc;
}

unsigned nft_set_last_rounds(void)
{
	unsigned r;

	pthread_mutex_lock(&nft_set_mutex);
	r = set_rounds;
	pthread_mutex_unlock(&nft_set_mutex);
	return r;
}

