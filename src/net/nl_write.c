/*
 * nl_op_do: each op is one rtnetlink request (a flush: one dump, then a
 * request per entry) on a socket of its own, answered by the kernel's
 * acknowledgement, whose error number becomes the message. Links and
 * addresses here; routes and rules in nl_write_route.c.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/util.h"
#include "net/addr.h"
#include "net/nl.h"
#include "net/nl_conntrack.h"
#include "net/nl_int.h"
#include "net/nl_write.h"
#include "net/nl_write_int.h"

static struct nlmsghdr *nl_link_msg(char *buf, uint16_t type, uint16_t flags, unsigned ifindex,
				    struct ifinfomsg **ifm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	*ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(**ifm));
	(*ifm)->ifi_family = AF_UNSPEC;
	(*ifm)->ifi_index = (int)ifindex;
	return nlh;
}

static int nl_link_add(const struct nl_op *op, char **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, &ifm);
	struct nlattr *info;
	int rc;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, op->dev);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, op->link_kind);
	mnl_attr_nest_end(nlh, info);
	rc = nl_request(nlh);
	return rc ? nl_fail(op, rc, rc == -EOPNOTSUPP ? "Unknown device type." : NULL, err) : 0;
}

static int nl_link_change(const struct nl_op *op, char **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifm;
	unsigned ifindex = nl_dev_index(op, op->dev, err), master = 0;
	struct nlmsghdr *nlh;
	int rc;

	if (!ifindex)
		return -1;
	if (op->kind == NL_LINK_MASTER && op->master &&
	    !(master = nl_dev_index(op, op->master, err)))
		return -1;
	nlh = nl_link_msg(buf, op->kind == NL_LINK_DEL ? RTM_DELLINK : RTM_NEWLINK, 0, ifindex,
			  &ifm);
	if (op->kind == NL_LINK_UP || op->kind == NL_LINK_DOWN) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = op->kind == NL_LINK_UP ? IFF_UP : 0;
	} else if (op->kind == NL_LINK_MASTER) {
		mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	} else if (op->kind == NL_LINK_MTU) {
		mnl_attr_put_u32(nlh, IFLA_MTU, op->mtu);
	}
	rc = nl_request(nlh);
	return rc ? nl_fail(op, rc, NULL, err) : 0;
}

static int nl_link_show(const struct nl_op *op)
{
	return op->dev && if_nametoindex(op->dev) ? 0 : 1;
}

/* An address message for op->addr on ifindex; -1 when the text is no address. */
static int nl_addr_msg(char *buf, const struct nl_op *op, uint16_t type, uint16_t flags,
		       unsigned ifindex, struct nlmsghdr **out)
{
	struct net_prefix p;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	size_t alen;

	if (!op->addr || net_prefix_parse(op->addr, op->family, true, &p) != NET_OK)
		return -1;
	alen = p.family == 4 ? 4 : 16;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = p.family == 4 ? AF_INET : AF_INET6;
	ifa->ifa_prefixlen = (unsigned char)p.len;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, alen, p.addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, p.addr);
	if (type == RTM_NEWADDR && (op->preferred_lft || op->valid_lft)) {
		struct ifa_cacheinfo ci = { .ifa_prefered = op->preferred_lft,
					    .ifa_valid = op->valid_lft };
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	}
	*out = nlh;
	return 0;
}

static int nl_addr_change(const struct nl_op *op, char **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned ifindex = nl_dev_index(op, op->dev, err);
	struct nlmsghdr *nlh;
	uint16_t flags = op->kind == NL_ADDR_ADD ? NLM_F_CREATE | NLM_F_EXCL :
			 op->kind == NL_ADDR_REPLACE ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	int rc;

	if (!ifindex)
		return -1;
	if (nl_addr_msg(buf, op, op->kind == NL_ADDR_DEL ? RTM_DELADDR : RTM_NEWADDR, flags,
			ifindex, &nlh) < 0)
		return nl_fail(op, -EINVAL, "not an address with its prefix length", err);
	rc = nl_request(nlh);
	return rc ? nl_fail(op, rc, NULL, err) : 0;
}

/* the addresses of one device and family, as dumped */
struct nl_flush_arg {
	unsigned ifindex;
	int family;
	struct nlmsghdr *msgs[256];
	size_t n;
};

static void nl_flush_collect(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_flush_arg *f = arg;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_index != f->ifindex || ifa->ifa_family != f->family ||
	    f->n >= ARRAY_SIZE(f->msgs))
		return;
	f->msgs[f->n] = xmalloc(nlh->nlmsg_len);
	memcpy(f->msgs[f->n++], nlh, nlh->nlmsg_len);
}

/* Each address of the family on the device is deleted with the very
 * attributes the kernel gave it, as ip's flush does. */
static int nl_addr_flush(const struct nl_op *op, char **err)
{
	struct nl_flush_arg f = { .family = op->family == 6 ? AF_INET6 : AF_INET };
	struct ifaddrmsg hdr = { .ifa_family = (unsigned char)f.family };
	int rc = 0;

	if (!(f.ifindex = nl_dev_index(op, op->dev, err)))
		return -1;
	hdr.ifa_index = f.ifindex;
	if (nl_dump(RTM_GETADDR, &hdr, sizeof(hdr), true, nl_flush_collect, &f) < 0)
		return nl_fail(op, -errno ? -errno : -EIO, NULL, err);
	for (size_t i = 0; i < f.n; i++) {
		struct nlmsghdr *nlh = f.msgs[i];
		int r;
		nlh->nlmsg_type = RTM_DELADDR;
		nlh->nlmsg_flags = 0;
		r = nl_request(nlh);
		/* deleting a primary takes its secondaries with it */
		if (r && r != -EADDRNOTAVAIL && !rc)
			rc = nl_fail(op, r, NULL, err);
		free(nlh);
	}
	return rc;
}

int nl_op_do(const struct nl_op *op, json_t **out, char **err)
{
	switch (op->kind) {
	case NL_LINK_SHOW:
		return nl_link_show(op);
	case NL_LINK_LIST:
		*out = nl_links();
		return *out ? 0 : nl_fail(op, -EIO, "cannot read the links", err);
	case NL_LINK_ADD:
		return nl_link_add(op, err);
	case NL_LINK_DEL:
	case NL_LINK_UP:
	case NL_LINK_DOWN:
	case NL_LINK_MASTER:
	case NL_LINK_MTU:
		return nl_link_change(op, err);
	case NL_ADDR_ADD:
	case NL_ADDR_REPLACE:
	case NL_ADDR_DEL:
		return nl_addr_change(op, err);
	case NL_ADDR_FLUSH:
		return nl_addr_flush(op, err);
	case NL_CT_FORGET: {
		struct net_prefix p;
		int n;
		if (!op->addr || net_prefix_parse(op->addr, op->family == 6 ? 6 : 4, false, &p) != NET_OK)
			return nl_fail(op, -EINVAL, "not an address of this family", err);
		n = nl_ct_forget_nat_to(p.family, p.addr);
		if (n < 0)
			return nl_fail(op, -EIO, "cannot ask the connection tracking", err);
		if (out)
			*out = json_integer(n);
		return 0;
	}
	default:
		return nl_route_op(op, out, err);
	}
}
