/*
 * Rule counters by netlink (nft_counters.h): one NFT_MSG_GETRULE dump of
 * the table on a socket of its own, each rule parsed by libnftnl; its
 * comment is in the rule's user data, its counter is an expression.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "net/nft_counters.h"

static int counters_udata_cb(const struct nftnl_udata *attr, void *data)
{
	const struct nftnl_udata **comment = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		*comment = attr;
	return MNL_CB_OK;
}

/* the comment's text (it is NUL-terminated within its length), or NULL */
static json_t *counters_comment(struct nftnl_rule *r)
{
	const struct nftnl_udata *attr = NULL;
	uint32_t len = 0;
	const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	const char *s;
	uint8_t n;

	if (!ud || nftnl_udata_parse(ud, len, counters_udata_cb, &attr) < 0 || !attr)
		return json_null();
	s = nftnl_udata_get(attr);
	n = nftnl_udata_len(attr);
	return n ? json_stringn(s, strnlen(s, n)) : json_null();
}

static int counters_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	json_t *out = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	it = nftnl_expr_iter_create(r);
	while (it && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		json_t *chain;
		if (!name || strcmp(name, "counter"))
			continue;
		chain = json_string(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		json_array_append_new(out, json_pack("{s:o, s:o, s:I, s:I}",
			"chain", chain ? chain : json_null(), "comment", counters_comment(r),
			"packets", (json_int_t)nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS),
			"bytes", (json_int_t)nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES)));
		break;   /* one counter a rule: the first */
	}
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

json_t *nft_rule_counters(const char *table, char **err)
{
	/* on the loop thread only */
	static char buf[65536];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	uint32_t seq = (uint32_t)time(NULL), portid;
	struct nlmsghdr *nlh;
	struct nftnl_rule *r;
	json_t *out = json_array();
	int rc = MNL_CB_OK;
	ssize_t n = 0;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	portid = mnl_socket_get_portid(nl);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, seq);
	if (!(r = nftnl_rule_alloc()))
		goto fail;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	while (rc > MNL_CB_STOP && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, counters_rule_cb, out);
	if (rc != MNL_CB_STOP)
		goto fail;
	mnl_socket_close(nl);
	return out;
fail:
	if (err)
		*err = xasprintf("nft counters: %s", strerror(errno ? errno : EIO));
	if (nl)
		mnl_socket_close(nl);
	json_decref(out);
	return NULL;
}
