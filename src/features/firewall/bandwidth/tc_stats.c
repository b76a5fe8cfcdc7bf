/*
 * The counters of a device's traffic classes, from one netlink dump
 * (RTM_GETTCLASS) instead of `tc -s class show`: the QoS status and the
 * per-client counters are reads, and a read never starts a process.
 */
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"

struct tc_counts {
	unsigned long long bytes, packets, drops;
	bool basic, queue;
};

static int tc_stats2_attr(const struct nlattr *a, void *data)
{
	struct tc_counts *c = data;

	switch (mnl_attr_get_type(a)) {
	case TCA_STATS_BASIC:
		if (mnl_attr_get_payload_len(a) >= sizeof(struct gnet_stats_basic)) {
			struct gnet_stats_basic b;
			memcpy(&b, mnl_attr_get_payload(a), sizeof(b));
			c->bytes = b.bytes;
			c->packets = b.packets;
			c->basic = true;
		}
		break;
	case TCA_STATS_QUEUE:
		if (mnl_attr_get_payload_len(a) >= sizeof(struct gnet_stats_queue)) {
			struct gnet_stats_queue q;
			memcpy(&q, mnl_attr_get_payload(a), sizeof(q));
			c->drops = q.drops;
			c->queue = true;
		}
		break;
	}
	return MNL_CB_OK;
}

struct tc_class_seen {
	const char *kind;
	struct tc_counts counts;
	bool legacy;
};

static int tc_class_attr(const struct nlattr *a, void *data)
{
	struct tc_class_seen *s = data;

	switch (mnl_attr_get_type(a)) {
	case TCA_KIND:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			s->kind = mnl_attr_get_str(a);
		break;
	case TCA_STATS2:
		mnl_attr_parse_nested(a, tc_stats2_attr, &s->counts);
		break;
	case TCA_STATS:   /* older kernels: one struct with all three */
		if (mnl_attr_get_payload_len(a) >= sizeof(struct tc_stats)) {
			struct tc_stats st;
			memcpy(&st, mnl_attr_get_payload(a), sizeof(st));
			if (!s->counts.basic) {
				s->counts.bytes = st.bytes;
				s->counts.packets = st.packets;
			}
			if (!s->counts.queue)
				s->counts.drops = st.drops;
			s->legacy = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int tc_class_msg(const struct nlmsghdr *nlh, void *data)
{
	json_t *out = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct tc_class_seen s = { 0 };
	char handle[24];

	mnl_attr_parse(nlh, sizeof(*tcm), tc_class_attr, &s);
	if (!s.kind || strcmp(s.kind, "htb") || (!s.counts.basic && !s.legacy))
		return MNL_CB_OK;
	/* as tc prints it: "d1f:100" */
	snprintf(handle, sizeof(handle), "%x:%x", tcm->tcm_handle >> 16, tcm->tcm_handle & 0xffff);
	json_object_set_new(out, handle, json_pack("{s:I, s:I, s:I}", "bytes",
		(json_int_t)s.counts.bytes, "packets", (json_int_t)s.counts.packets, "drops",
		(json_int_t)s.counts.drops));
	return MNL_CB_OK;
}

json_t *qos_class_stats(const char *dev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	json_t *out = json_object();
	unsigned ifindex = dev ? if_nametoindex(dev) : 0;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	unsigned seq = (unsigned)time(NULL), port;
	ssize_t n;
	int rc = MNL_CB_OK;

	if (!ifindex)   /* no such device (QoS off, or not yet set up) */
		return out;
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (nl)
			mnl_socket_close(nl);
		return out;
	}
	port = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETTCLASS;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		mnl_socket_close(nl);
		return out;
	}
	while (rc > MNL_CB_STOP && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		rc = mnl_cb_run(buf, (size_t)n, seq, port, tc_class_msg, out);
	mnl_socket_close(nl);
	return out;
}
