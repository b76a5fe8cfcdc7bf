/* Host routes by rtnetlink (see r6_route.h). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "r6_route.h"

struct r6_rt {
	struct mnl_socket *nl;
	unsigned seq;
};

struct r6_rt *r6_rt_open(void)
{
	struct r6_rt *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return NULL;
	rt->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!rt->nl || mnl_socket_bind(rt->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (rt->nl)
			mnl_socket_close(rt->nl);
		free(rt);
		return NULL;
	}
	rt->seq = (unsigned)time(NULL);
	return rt;
}

void r6_rt_close(struct r6_rt *rt)
{
	if (!rt)
		return;
	mnl_socket_close(rt->nl);
	free(rt);
}

/* sends nlh and reads until its answer (ACK or error); cb sees dump parts */
static int talk(struct r6_rt *rt, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned portid = mnl_socket_get_portid(rt->nl);
	int r;

	nlh->nlmsg_seq = ++rt->seq;
	if (mnl_socket_sendto(rt->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(rt->nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
	} while (r > 0);
	return r < 0 ? -errno : 0;
}

static struct nlmsghdr *route_msg(char *buf, int type, unsigned flags, const struct in6_addr *dst,
				  int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = R6_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, 16, dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nlh;
}

int r6_rt_host(struct r6_rt *rt, int add, const struct in6_addr *dst, int ifindex)
{
	char buf[512];
	struct nlmsghdr *nlh = route_msg(buf, add ? RTM_NEWROUTE : RTM_DELROUTE,
					 add ? NLM_F_CREATE | NLM_F_REPLACE : 0, dst, ifindex);

	return talk(rt, nlh, NULL, NULL);
}

struct dump {
	int ifindex;
	struct in6_addr found[256];
	int n;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type <= RTA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };

	if (rtm->rtm_family != AF_INET6 || rtm->rtm_protocol != R6_RTPROT || rtm->rtm_dst_len != 128)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	if (!tb[RTA_DST] || mnl_attr_get_payload_len(tb[RTA_DST]) != 16 || !tb[RTA_OIF] ||
	    mnl_attr_get_u32(tb[RTA_OIF]) != (uint32_t)d->ifindex)
		return MNL_CB_OK;
	if (d->n < (int)(sizeof(d->found) / sizeof(d->found[0])))
		memcpy(&d->found[d->n++], mnl_attr_get_payload(tb[RTA_DST]), 16);
	return MNL_CB_OK;
}

int r6_rt_flush(struct r6_rt *rt, int ifindex)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct dump *d = calloc(1, sizeof(*d));
	int i, removed = 0;

	if (!d)
		return 0;
	d->ifindex = ifindex;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	if (talk(rt, nlh, dump_cb, d) == 0)
		for (i = 0; i < d->n; i++)
			if (r6_rt_host(rt, 0, &d->found[i], ifindex) == 0)
				removed++;
	free(d);
	return removed;
}
