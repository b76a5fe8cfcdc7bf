/* A set's elements now, read by a dump (nft_set_list), and the parser of
 * the dump's messages. */
#include <netinet/in.h> /* before the kernel headers, which then leave its types alone */
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "net/nft_set.h"
#include "net/nft_set_int.h"

/* dumps of one listing before it takes what it has */
#define LIST_TRIES 6

struct list_out {
	struct nft_set_elem *elems;
	size_t n, cap;
};

/*
 * The elements of one NEWSETELEM message, read with libmnl's validation:
 * libnftnl's parser ends the whole process (exit) on an attribute it does
 * not expect ("kernel ABI is broken"), so a malformed message is refused
 * here instead. Only what a ban set holds is read: the key (4 or 16
 * bytes) and the time left.
 */
struct elem_attrs {
	const struct nlattr *key, *expiration;
};

static int elem_attr_cb(const struct nlattr *a, void *data)
{
	struct elem_attrs *e = data;

	switch (mnl_attr_get_type(a)) {
	case NFTA_SET_ELEM_KEY:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		e->key = a;
		break;
	case NFTA_SET_ELEM_EXPIRATION:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		e->expiration = a;
		break;
	}
	return MNL_CB_OK;
}

static int key_value_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NFTA_DATA_VALUE)
		*(const struct nlattr **)data = a;
	return MNL_CB_OK;
}

struct elems_ctx {
	struct nft_set_elem **elems;
	size_t *n, *cap;
};

static int list_elem_cb(const struct nlattr *a, void *data)
{
	struct elems_ctx *c = data;
	struct elem_attrs e = { 0 };
	const struct nlattr *value = NULL;
	struct nft_set_elem *out;
	uint16_t len;

	if (mnl_attr_get_type(a) != NFTA_LIST_ELEM)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(a, elem_attr_cb, &e) < 0)
		return MNL_CB_ERROR;
	if (!e.key || mnl_attr_parse_nested(e.key, key_value_cb, &value) < 0 || !value)
		return MNL_CB_OK;   /* no key: no element of ours */
	len = mnl_attr_get_payload_len(value);
	if (len != 4 && len != 16)
		return MNL_CB_OK;
	if (*c->n == *c->cap) {
		*c->cap = *c->cap ? *c->cap * 2 : 256;
		*c->elems = xrealloc(*c->elems, *c->cap * sizeof(**c->elems));
	}
	out = &(*c->elems)[(*c->n)++];
	memset(out, 0, sizeof(*out));
	out->addr.family = len == 4 ? 4 : 6;
	out->addr.len = len == 4 ? 32 : 128;
	memcpy(out->addr.addr, mnl_attr_get_payload(value), len);
	if (e.expiration)
		out->timeout_ms = be64toh(mnl_attr_get_u64(e.expiration));
	return MNL_CB_OK;
}

static int list_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	return mnl_attr_parse_nested(a, list_elem_cb, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int nft_set_parse_elems(const struct nlmsghdr *nlh, struct nft_set_elem **elems, size_t *n,
			size_t *cap)
{
	struct elems_ctx c = { elems, n, cap };

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return -1;
	return mnl_attr_parse(nlh, sizeof(struct nfgenmsg), list_attr_cb, &c) < 0 ? -1 : 0;
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_out *o = data;

	return nft_set_parse_elems(nlh, &o->elems, &o->n, &o->cap) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int list_locked(const char *table, const char *set, struct list_out *o, char **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = (uint32_t)time(NULL);
	struct mnl_socket *nl = nft_set_sock(err, set);
	struct nlmsghdr *nlh;
	ssize_t n;
	int rc = MNL_CB_OK;

	if (!nl)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, seq);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	while (rc > MNL_CB_STOP && (n = mnl_socket_recvfrom(nl, nft_set_rbuf, sizeof(nft_set_rbuf))) > 0)
		rc = mnl_cb_run(nft_set_rbuf, (size_t)n, seq, mnl_socket_get_portid(nl), list_cb, o);
	if (rc == MNL_CB_STOP)
		return 0;
fail:
	nft_set_err(err, set, strerror(errno));
	nft_set_sock_drop();
	return -1;
}

static int elem_cmp(const void *a, const void *b)
{
	const struct nft_set_elem *x = a, *y = b;

	if (x->addr.family != y->addr.family)
		return x->addr.family - y->addr.family;
	return memcmp(x->addr.addr, y->addr.addr, sizeof(x->addr.addr));
}

/* Sorts the elements and drops repeated ones; true when there were some. */
static bool elems_dedup(struct list_out *o)
{
	size_t w = 0;

	if (o->n == 0)
		return false;
	qsort(o->elems, o->n, sizeof(*o->elems), elem_cmp);
	for (size_t r = 1; r < o->n; r++)
		if (elem_cmp(&o->elems[w], &o->elems[r]))
			o->elems[++w] = o->elems[r];
	if (w + 1 == o->n)
		return false;
	o->n = w + 1;
	return true;
}

/*
 * A large set is dumped in many parts, and the kernel resumes each part by
 * counting elements of its hash table from the start. When the table is
 * resized between two parts (it grows in the background after many adds)
 * the count lands elsewhere: some elements come twice and as many are
 * missed. So a dump with an element twice is taken again.
 */
int nft_set_list(const char *table, const char *set, struct nft_set_elem **out, size_t *n,
		 char **err)
{
	struct list_out o = { 0 };
	int rc = 0;

	pthread_mutex_lock(&nft_set_mutex);
	for (int tries = 0; tries < LIST_TRIES; tries++) {
		o.n = 0;
		rc = list_locked(table, set, &o, err);
		if (rc < 0 || !elems_dedup(&o))
			break;
	}
	pthread_mutex_unlock(&nft_set_mutex);
	if (rc < 0) {
		free(o.elems);
		*out = NULL;
		*n = 0;
		return -1;
	}
	*out = o.elems;
	*n = o.n;
	return 0;
}
