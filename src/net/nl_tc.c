/*
 * Traffic-control classes of a device with their counters, as
 * `tc -s class show dev DEV` reads them: one RTM_GETTCLASS dump.
 */
#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "core/util.h"
#include "net/nl.h"
#include "net/nl_int.h"

static json_t *nl_tc_handle(uint32_t h)
{
	if (h == TC_H_ROOT)
		return json_string("root");
	return json_sprintf("%x:%x", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
}

static json_t *nl_tc_stats(const struct nlattr *stats2)
{
	const struct nlattr *tb[64] = { NULL };
	json_t *o = json_object();

	if (mnl_attr_parse_nested(stats2, nl_attr_table, tb) < 0)
		return o;
	/* { u64 bytes; u32 packets; } padded to 16 on 64-bit machines */
	if (tb[TCA_STATS_BASIC] && mnl_attr_get_payload_len(tb[TCA_STATS_BASIC]) >= 12) {
		uint64_t bytes;
		uint32_t packets;
		const char *p = mnl_attr_get_payload(tb[TCA_STATS_BASIC]);

		memcpy(&bytes, p, sizeof(bytes));
		memcpy(&packets, p + 8, sizeof(packets));
		json_object_set_new(o, "bytes", json_integer((json_int_t)bytes));
		json_object_set_new(o, "packets", json_integer(packets));
	}
	if (tb[TCA_STATS_QUEUE] &&
	    mnl_attr_get_payload_len(tb[TCA_STATS_QUEUE]) >= sizeof(struct gnet_stats_queue)) {
		struct gnet_stats_queue q;

		memcpy(&q, mnl_attr_get_payload(tb[TCA_STATS_QUEUE]), sizeof(q));
		json_object_set_new(o, "drops", json_integer(q.drops));
		json_object_set_new(o, "overlimits", json_integer(q.overlimits));
	}
	return o;
}

void nl_parse_class(const struct nlmsghdr *nlh, json_t *out)
{
	const struct nlattr *tb[64] = { NULL };
	const struct tcmsg *tc;
	json_t *o;

	if (nlh->nlmsg_type != RTM_NEWTCLASS || mnl_nlmsg_get_payload_len(nlh) < sizeof(*tc))
		return;
	tc = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*tc), nl_attr_table, tb);
	o = json_pack("{s:o, s:o, s:o}", "handle", nl_tc_handle(tc->tcm_handle), "parent",
		      nl_tc_handle(tc->tcm_parent), "dev", nl_ifname((unsigned)tc->tcm_ifindex));
	nl_set_str(o, "class", tb[TCA_KIND]);
	json_object_set_new(o, "stats", tb[TCA_STATS2] ? nl_tc_stats(tb[TCA_STATS2]) : json_object());
	json_array_append_new(out, o);
}

json_t *nl_classes(const char *dev)
{
	struct tcmsg tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = (int)if_nametoindex(dev) };

	if (!tc.tcm_ifindex)
		return NULL;
	return nl_dump_parse(RTM_GETTCLASS, &tc, sizeof(tc), false, nl_parse_class);
}
