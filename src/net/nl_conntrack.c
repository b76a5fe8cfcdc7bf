/*
 * ctnetlink: one dump of the family's connections, then one delete per
 * connection whose reply tuple is addressed to the given address (a
 * masqueraded connection's reply goes to the uplink's address), each
 * named by its original tuple as the kernel gave it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/util.h"
#include "net/nl_conntrack.h"

#define CT_ATTRS 32
/* what the kernel fills at most per read of a dump */
#define CT_DUMP_BUF 32768

static int ct_attr_table(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type < CT_ATTRS)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* the nested attribute type of nest, or NULL */
static const struct nlattr *ct_nested(const struct nlattr *nest, unsigned type)
{
	const struct nlattr *tb[CT_ATTRS] = { NULL };

	if (!nest || mnl_attr_parse_nested(nest, ct_attr_table, tb) < 0 || type >= CT_ATTRS)
		return NULL;
	return tb[type];
}

bool nl_ct_reply_to(const struct nlmsghdr *nlh, int family, const unsigned char *addr)
{
	const struct nlattr *tb[CT_ATTRS] = { NULL }, *ip, *dst;
	const struct nfgenmsg *nfg;
	size_t len = family == 6 ? 16 : 4;

	if ((nlh->nlmsg_type & 0xff) != IPCTNL_MSG_CT_NEW ||
	    (nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg))
		return false;
	nfg = mnl_nlmsg_get_payload(nlh);
	if (nfg->nfgen_family != (family == 6 ? AF_INET6 : AF_INET))
		return false;
	if (mnl_attr_parse(nlh, sizeof(*nfg), ct_attr_table, tb) < 0)
		return false;
	ip = ct_nested(tb[CTA_TUPLE_REPLY], CTA_TUPLE_IP);
	dst = ct_nested(ip, family == 6 ? CTA_IP_V6_DST : CTA_IP_V4_DST);
	return dst && mnl_attr_get_payload_len(dst) == len &&
	       !memcmp(mnl_attr_get_payload(dst), addr, len);
}

struct ct_collect {
	int family;
	const unsigned char *addr;
	struct nlmsghdr **del;
	size_t n, cap;
};

/* The delete request for the connection nlh tells of: its original tuple
 * (and its zone) copied as they came. */
static struct nlmsghdr *ct_delete_msg(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[CT_ATTRS] = { NULL };
	const struct nfgenmsg *in = mnl_nlmsg_get_payload(nlh);
	struct nlmsghdr *d;
	struct nfgenmsg *out;

	mnl_attr_parse(nlh, sizeof(*in), ct_attr_table, tb);
	if (!tb[CTA_TUPLE_ORIG])
		return NULL;
	d = xcalloc(1, MNL_SOCKET_BUFFER_SIZE);
	mnl_nlmsg_put_header(d);
	d->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	d->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	out = mnl_nlmsg_put_extra_header(d, sizeof(*out));
	*out = *in;
	mnl_attr_put(d, CTA_TUPLE_ORIG | NLA_F_NESTED, mnl_attr_get_payload_len(tb[CTA_TUPLE_ORIG]),
		     mnl_attr_get_payload(tb[CTA_TUPLE_ORIG]));
	if (tb[CTA_ZONE] && mnl_attr_get_payload_len(tb[CTA_ZONE]) == 2)
		mnl_attr_put_u16(d, CTA_ZONE, mnl_attr_get_u16(tb[CTA_ZONE]));
	return d;
}

static int ct_collect_one(const struct nlmsghdr *nlh, void *data)
{
	struct ct_collect *c = data;
	struct nlmsghdr *d;

	if (!nl_ct_reply_to(nlh, c->family, c->addr) || !(d = ct_delete_msg(nlh)))
		return MNL_CB_OK;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->del = xrealloc(c->del, c->cap * sizeof(*c->del));
	}
	c->del[c->n++] = d;
	return MNL_CB_OK;
}

/* Sends msg on nl and reads until the answer of seq ends (an ack, or a
 * dump's done), calling fn for each message of a dump. */
static int ct_talk(struct mnl_socket *nl, struct nlmsghdr *msg, mnl_cb_t fn, void *arg)
{
	static unsigned seq_next;
	char *buf = xmalloc(CT_DUMP_BUF);
	unsigned portid = mnl_socket_get_portid(nl);
	int rc = -1;
	ssize_t n;

	msg->nlmsg_seq = (unsigned)time(NULL) + ++seq_next;
	if (mnl_socket_sendto(nl, msg, msg->nlmsg_len) < 0)
		goto out;
	while ((n = mnl_socket_recvfrom(nl, buf, CT_DUMP_BUF)) > 0) {
		int r = mnl_cb_run(buf, (size_t)n, msg->nlmsg_seq, portid, fn, arg);
		if (r <= MNL_CB_STOP) {
			rc = r == MNL_CB_STOP ? 0 : -errno;
			break;
		}
	}
out:
	free(buf);
	return rc;
}

int nl_ct_forget_nat_to(int family, const unsigned char *addr)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	struct ct_collect c = { .family = family, .addr = addr };
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int gone = 0;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (nl)
			mnl_socket_close(nl);
		return -1;
	}
	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family == 6 ? AF_INET6 : AF_INET;
	nfg->version = NFNETLINK_V0;
	if (ct_talk(nl, nlh, ct_collect_one, &c) < 0)
		gone = -1;
	for (size_t i = 0; i < c.n; i++) {
		/* one that ended meanwhile is gone already (ENOENT) */
		if (gone >= 0 && ct_talk(nl, c.del[i], NULL, NULL) == 0)
			gone++;
		free(c.del[i]);
	}
	free(c.del);
	mnl_socket_close(nl);
	return gone;
}
