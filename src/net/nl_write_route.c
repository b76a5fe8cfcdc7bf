/*
 * Routes and rules of nl_op_do. A route is replaced (created or changed
 * in place, as `ip route replace`), deleted by its keys (destination,
 * table, metric, protocol), or flushed by protocol across every table: the
 * protocol is how difos knows its own routes from everyone else's.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/util.h"
#include "net/addr.h"
#include "net/nl.h"
#include "net/nl_int.h"
#include "net/nl_write_int.h"

static int nl_family(const struct nl_op *op)
{
	return op->family == 6 ? AF_INET6 : AF_INET;
}

/* The request for op's route; -1 with err said when a text is no address. */
static int nl_route_msg(char *buf, const struct nl_op *op, struct nlmsghdr **out, char **err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct net_prefix dst = { 0 }, via;
	struct rtmsg *rtm;
	int family = op->family == 6 ? 6 : 4;
	bool deflt = !op->addr || !strcmp(op->addr, "default");
	unsigned oif = 0;

	if (!deflt && net_prefix_parse(op->addr, family, true, &dst) != NET_OK)
		return nl_fail(op, -EINVAL, "not a destination of this family", err);
	if (op->via && (net_prefix_parse(op->via, family, false, &via) != NET_OK || via.has_len))
		return nl_fail(op, -EINVAL, "the gateway is not an address of this family", err);
	if (op->dev && !(oif = nl_dev_index(op, op->dev, err)))
		return -1;
	nlh->nlmsg_type = op->kind == NL_ROUTE_DEL ? RTM_DELROUTE : RTM_NEWROUTE;
	nlh->nlmsg_flags = op->kind == NL_ROUTE_DEL ? 0 : NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)(family == 6 ? AF_INET6 : AF_INET);
	rtm->rtm_dst_len = deflt ? 0 : (unsigned char)dst.len;
	rtm->rtm_protocol = (unsigned char)(op->proto ? op->proto : RTPROT_BOOT);
	rtm->rtm_type = RTN_UNICAST;
	/* a route without a gateway is on the link, as ip decides it; a delete
	 * matches whatever scope the route has */
	rtm->rtm_scope = op->kind == NL_ROUTE_DEL ? RT_SCOPE_NOWHERE :
			 op->via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (op->kind == NL_ROUTE_DEL && !op->proto)
		rtm->rtm_protocol = 0;
	{
		unsigned table = op->table ? op->table : RT_TABLE_MAIN;
		rtm->rtm_table = (unsigned char)(table < 256 ? table : RT_TABLE_UNSPEC);
		mnl_attr_put_u32(nlh, RTA_TABLE, table);
	}
	if (!deflt)
		mnl_attr_put(nlh, RTA_DST, family == 6 ? 16 : 4, dst.addr);
	if (op->via)
		mnl_attr_put(nlh, RTA_GATEWAY, family == 6 ? 16 : 4, via.addr);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, oif);
	if (op->has_metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, (uint32_t)op->metric);
	*out = nlh;
	return 0;
}

static int nl_route_change(const struct nl_op *op, char **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = NULL;
	int rc;

	if (nl_route_msg(buf, op, &nlh, err) < 0)
		return -1;
	rc = nl_request(nlh);
	return rc ? nl_fail(op, rc, NULL, err) : 0;
}

/* the routes of one protocol or table, as dumped: each is deleted as it was given */
struct nl_route_collect {
	int proto;
	unsigned table;
	struct nlmsghdr **msgs;
	size_t n, cap;
};

static void nl_route_collect_one(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_route_collect *c = arg;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[64] = { NULL };
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) ||
	    (c->proto && rtm->rtm_protocol != c->proto))
		return;
	mnl_attr_parse(nlh, sizeof(*rtm), nl_attr_table, tb);
	if (!nl_attr_u32(tb[RTA_TABLE], &table))
		table = rtm->rtm_table;
	/* the kernel's own routes (local, broadcast) are never flushed by table */
	if (c->table && (table != c->table || rtm->rtm_type != RTN_UNICAST))
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->msgs = xrealloc(c->msgs, c->cap * sizeof(*c->msgs));
	}
	c->msgs[c->n] = xmalloc(nlh->nlmsg_len);
	memcpy(c->msgs[c->n++], nlh, nlh->nlmsg_len);
}

static int nl_route_flush(const struct nl_op *op, char **err)
{
	struct nl_route_collect c = { .proto = op->proto, .table = op->table };
	struct rtmsg hdr = { .rtm_family = (unsigned char)nl_family(op),
			     .rtm_protocol = (unsigned char)op->proto };
	int rc = 0;

	if (nl_dump(RTM_GETROUTE, &hdr, sizeof(hdr), op->proto != 0, nl_route_collect_one, &c) < 0)
		rc = nl_fail(op, -EIO, "cannot list the routes", err);
	for (size_t i = 0; i < c.n; i++) {
		int r;
		c.msgs[i]->nlmsg_type = RTM_DELROUTE;
		c.msgs[i]->nlmsg_flags = 0;
		r = nl_request(c.msgs[i]);
		if (r && r != -ESRCH && !rc)
			rc = nl_fail(op, r, NULL, err);
		free(c.msgs[i]);
	}
	free(c.msgs);
	return rc;
}

static int nl_rule_change(const struct nl_op *op, char **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;
	int rc;

	nlh->nlmsg_type = op->kind == NL_RULE_DEL ? RTM_DELRULE : RTM_NEWRULE;
	nlh->nlmsg_flags = op->kind == NL_RULE_DEL ? 0 : NLM_F_CREATE | NLM_F_EXCL;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (unsigned char)nl_family(op);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, op->pref);
	if (op->kind == NL_RULE_ADD) {
		frh->action = FR_ACT_TO_TBL;
		frh->table = (unsigned char)(op->table < 256 ? op->table : RT_TABLE_UNSPEC);
		mnl_attr_put_u32(nlh, FRA_TABLE, op->table);
		if (op->src) {
			struct net_prefix p;
			if (net_prefix_parse(op->src, op->family == 6 ? 6 : 4, true, &p) != NET_OK)
				return nl_fail(op, -EINVAL, "the source is not an address of this family",
					       err);
			frh->src_len = (unsigned char)p.len;
			mnl_attr_put(nlh, FRA_SRC, p.family == 6 ? 16 : 4, p.addr);
		} else if (op->mark || op->mask) {
			mnl_attr_put_u32(nlh, FRA_FWMARK, op->mark);
			mnl_attr_put_u32(nlh, FRA_FWMASK, op->mask);
		}
		if (op->has_suppress)
			mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, op->suppress_prefixlen);
	}
	rc = nl_request(nlh);
	return rc ? nl_fail(op, rc, NULL, err) : 0;
}

int nl_route_op(const struct nl_op *op, json_t **out, char **err)
{
	switch (op->kind) {
	case NL_ROUTE_REPLACE:
	case NL_ROUTE_DEL:
		return nl_route_change(op, err);
	case NL_ROUTE_FLUSH:
		return nl_route_flush(op, err);
	case NL_ROUTE_LIST:
		*out = nl_routes(nl_family(op), op->proto ? op->proto : -1);
		return *out ? 0 : nl_fail(op, -EIO, "cannot list the routes", err);
	case NL_RULE_ADD:
	case NL_RULE_DEL:
		return nl_rule_change(op, err);
	case NL_RULE_LIST:
		*out = nl_rules(nl_family(op));
		return *out ? 0 : nl_fail(op, -EIO, "cannot list the rules", err);
	default:
		return nl_fail(op, -EINVAL, "not a route or rule operation", err);
	}
}
