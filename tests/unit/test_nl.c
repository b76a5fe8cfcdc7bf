/*
 * The rtnetlink reader: messages built here as the kernel sends them are
 * parsed into ip -j's shape; malformed ones are skipped; and the dumps
 * read this machine's loopback.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>

#include "net/nl.h"
#include "net/nl_watch.h"
#include "t.h"
#include "t_json.h"

/* got equals the JSON text want; both printed when not */
#define T_CHECK_JSON(got, want) do { \
	json_t *t_w_ = J(want); \
	if (!json_equal((got), t_w_)) { \
		char *t_g_ = json_dumps((got), JSON_SORT_KEYS | JSON_ENCODE_ANY); \
		fprintf(stderr, "  FAIL %s:%d in %s: %s\n    want %s\n", __FILE__, __LINE__, \
			t_cur, t_g_ ? t_g_ : "(null)", want); \
		free(t_g_); \
		t_cur_failed++; \
	} \
	json_decref(t_w_); } while (0)

static char buf[8192];

static struct nlmsghdr *msg(uint16_t type, const void *hdr, size_t len)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	memcpy(mnl_nlmsg_put_extra_header(nlh, len), hdr, len);
	return nlh;
}

static json_t *parse(void (*fn)(const struct nlmsghdr *, json_t *), const struct nlmsghdr *nlh)
{
	json_t *out = json_array();

	fn(nlh, out);
	return out;
}

static void test_link(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7,
				 .ifi_flags = IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST |
					      IFF_LOWER_UP };
	struct rtnl_link_stats64 st = { .rx_bytes = 5000000000ULL, .tx_bytes = 42, .rx_packets = 9,
					.tx_dropped = 3 };
	unsigned char mac[6] = { 0x02, 0xdf, 0x05, 0, 0, 0x01 };
	struct nlmsghdr *nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	json_t *out, *l;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth9");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UP);
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st), &st);
	out = parse(nl_parse_link, nlh);
	T_CHECK(json_array_size(out) == 1);
	l = json_array_get(out, 0);
	T_CHECK_STR(json_string_value(json_object_get(l, "ifname")), "eth9");
	T_CHECK_STR(json_string_value(json_object_get(l, "address")), "02:df:05:00:00:01");
	T_CHECK_STR(json_string_value(json_object_get(l, "operstate")), "UP");
	T_CHECK(json_integer_value(json_object_get(l, "mtu")) == 1500);
	T_CHECK(json_integer_value(json_object_get(l, "ifindex")) == 7);
	T_CHECK_JSON(json_object_get(l, "flags"), "[\"BROADCAST\", \"MULTICAST\", \"UP\", \"LOWER_UP\"]");
	T_CHECK_JSON(json_object_get(l, "stats64"),
		     "{\"rx\": {\"bytes\": 5000000000, \"packets\": 9, \"errors\": 0, \"dropped\": 0},"
		     " \"tx\": {\"bytes\": 42, \"packets\": 0, \"errors\": 0, \"dropped\": 3}}");
	json_decref(out);

	/* up without carrier; counters cut short are left out, not read past */
	ifi.ifi_flags = IFF_UP;
	nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth9");
	mnl_attr_put(nlh, IFLA_STATS64, 16, &st);
	out = parse(nl_parse_link, nlh);
	l = json_array_get(out, 0);
	T_CHECK_JSON(json_object_get(l, "flags"), "[\"NO-CARRIER\", \"UP\"]");
	T_CHECK(json_object_get(l, "stats64") == NULL);
	json_decref(out);

	/* no name, an unterminated one, or another message: nothing */
	nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	out = parse(nl_parse_link, nlh);
	T_CHECK(json_array_size(out) == 0);
	json_decref(out);
	nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth9");
	out = parse(nl_parse_link, nlh);
	T_CHECK(json_array_size(out) == 0);
	json_decref(out);
	nlh = msg(RTM_NEWADDR, &ifi, sizeof(ifi));
	out = parse(nl_parse_link, nlh);
	T_CHECK(json_array_size(out) == 0);
	json_decref(out);
}

static void test_addr(void)
{
	struct ifaddrmsg a4 = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 7 };
	struct ifaddrmsg a6 = { .ifa_family = AF_INET6, .ifa_prefixlen = 64, .ifa_index = 7,
				.ifa_scope = RT_SCOPE_LINK };
	struct in_addr v4;
	struct in6_addr v6;
	struct nlmsghdr *nlh;
	json_t *out, *links, *joined;

	inet_pton(AF_INET, "192.168.1.1", &v4);
	nlh = msg(RTM_NEWADDR, &a4, sizeof(a4));
	mnl_attr_put(nlh, IFA_LOCAL, 4, &v4);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &v4);
	mnl_attr_put_strz(nlh, IFA_LABEL, "br-lan");
	out = parse(nl_parse_addr, nlh);
	inet_pton(AF_INET6, "fe80::1", &v6);
	nlh = msg(RTM_NEWADDR, &a6, sizeof(a6));
	mnl_attr_put(nlh, IFA_ADDRESS, 16, &v6);
	nl_parse_addr(nlh, out);
	/* an address of the wrong size */
	nlh = msg(RTM_NEWADDR, &a4, sizeof(a4));
	mnl_attr_put(nlh, IFA_LOCAL, 3, &v4);
	nl_parse_addr(nlh, out);
	T_CHECK_JSON(out, "[{\"family\": \"inet\", \"ifindex\": 7, \"local\": \"192.168.1.1\","
		     " \"prefixlen\": 24, \"scope\": \"global\", \"label\": \"br-lan\"},"
		     " {\"family\": \"inet6\", \"ifindex\": 7, \"local\": \"fe80::1\","
		     " \"prefixlen\": 64, \"scope\": \"link\"}]");
	links = json_pack("[{s:i, s:s}, {s:i, s:s}]", "ifindex", 7, "ifname", "br-lan", "ifindex", 8,
			  "ifname", "wan0");
	joined = nl_join_addrs(links, out);
	T_CHECK(json_array_size(json_object_get(json_array_get(joined, 0), "addr_info")) == 2);
	T_CHECK(json_array_size(json_object_get(json_array_get(joined, 1), "addr_info")) == 0);
	T_CHECK(json_object_get(json_array_get(json_object_get(json_array_get(joined, 0),
		"addr_info"), 0), "ifindex") == NULL);
	json_decref(joined);
	json_decref(links);
	json_decref(out);
}

/* the mirror's step: what changed, and the mirror after it */
struct changes {
	int n, links, addrs, removed, up_changed;
};

static void count_change(void *arg, const struct nl_change *ch)
{
	struct changes *c = arg;

	c->n++;
	c->links += ch->kind == NL_CHANGE_LINK;
	c->addrs += ch->kind == NL_CHANGE_ADDRESS;
	c->removed += ch->removed;
	c->up_changed += ch->up_changed;
}

static void test_watch_take(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7,
				 .ifi_flags = IFF_UP | IFF_RUNNING | IFF_LOWER_UP };
	struct ifaddrmsg a4 = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 7 };
	struct rtnl_link_stats64 st = { .rx_bytes = 1 };
	json_t *links = json_array(), *addrs = json_array();
	struct changes c = { 0 };
	struct in_addr v4;
	struct nlmsghdr *nlh;

	nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "wan0");
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st), &st);
	nl_watch_take(links, addrs, nlh, count_change, &c);
	T_CHECK(c.n == 1 && c.links == 1 && c.up_changed == 1);
	/* counters are not kept: the same link said again with others is no change */
	st.rx_bytes = 99;
	nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "wan0");
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st), &st);
	nl_watch_take(links, addrs, nlh, count_change, &c);
	T_CHECK(c.n == 1);
	T_CHECK(json_array_size(links) == 1 &&
		!json_object_get(json_array_get(links, 0), "stats64"));
	/* an address on it, named after its link */
	inet_pton(AF_INET, "198.51.100.2", &v4);
	nlh = msg(RTM_NEWADDR, &a4, sizeof(a4));
	mnl_attr_put(nlh, IFA_LOCAL, 4, &v4);
	nl_watch_take(links, addrs, nlh, count_change, &c);
	T_CHECK(c.n == 2 && c.addrs == 1 && json_array_size(addrs) == 1);
	T_CHECK_STR(json_string_value(json_object_get(json_array_get(addrs, 0), "ifname")), "wan0");
	/* the carrier goes: a change of UP/LOWER_UP */
	ifi.ifi_flags = IFF_UP;
	nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "wan0");
	nl_watch_take(links, addrs, nlh, count_change, &c);
	T_CHECK(c.n == 3 && c.up_changed == 2);
	/* the address removed, then removed again (nothing), then the link */
	nlh = msg(RTM_DELADDR, &a4, sizeof(a4));
	mnl_attr_put(nlh, IFA_LOCAL, 4, &v4);
	nl_watch_take(links, addrs, nlh, count_change, &c);
	nl_watch_take(links, addrs, nlh, count_change, &c);
	T_CHECK(c.n == 4 && c.removed == 1 && json_array_size(addrs) == 0);
	nlh = msg(RTM_NEWADDR, &a4, sizeof(a4));
	mnl_attr_put(nlh, IFA_LOCAL, 4, &v4);
	nl_watch_take(links, addrs, nlh, count_change, &c);
	nlh = msg(RTM_DELLINK, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "wan0");
	nl_watch_take(links, addrs, nlh, count_change, &c);
	/* its addresses went with it */
	T_CHECK(c.n == 6 && c.removed == 2);
	T_CHECK(json_array_size(links) == 0 && json_array_size(addrs) == 0);
	/* malformed: nothing */
	nlh = msg(RTM_NEWLINK, &ifi, 4);
	nl_watch_take(links, addrs, nlh, count_change, &c);
	T_CHECK(c.n == 6 && json_array_size(links) == 0);
	json_decref(links);
	json_decref(addrs);
}

static void test_neigh(void)
{
	struct ndmsg nd = { .ndm_family = AF_INET, .ndm_ifindex = 1,
			    .ndm_state = NUD_REACHABLE, .ndm_flags = NTF_ROUTER };
	unsigned char mac[6] = { 0x02, 0xdf, 0x05, 0, 0, 0x42 };
	struct in_addr v4;
	struct nlmsghdr *nlh;
	json_t *out, *n;

	inet_pton(AF_INET, "192.168.1.100", &v4);
	nlh = msg(RTM_NEWNEIGH, &nd, sizeof(nd));
	mnl_attr_put(nlh, NDA_DST, 4, &v4);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	out = parse(nl_parse_neigh, nlh);
	n = json_array_get(out, 0);
	T_CHECK_STR(json_string_value(json_object_get(n, "dst")), "192.168.1.100");
	T_CHECK_STR(json_string_value(json_object_get(n, "lladdr")), "02:df:05:00:00:42");
	T_CHECK_STR(json_string_value(json_object_get(n, "dev")), "lo");
	T_CHECK(json_is_true(json_object_get(n, "router")));
	T_CHECK_JSON(json_object_get(n, "state"), "[\"REACHABLE\"]");
	json_decref(out);

	/* a bridge's forwarding entry (another family) and one without a destination */
	nd.ndm_family = AF_BRIDGE;
	nlh = msg(RTM_NEWNEIGH, &nd, sizeof(nd));
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	out = parse(nl_parse_neigh, nlh);
	nd.ndm_family = AF_INET;
	nlh = msg(RTM_NEWNEIGH, &nd, sizeof(nd));
	nl_parse_neigh(nlh, out);
	T_CHECK(json_array_size(out) == 0);
	json_decref(out);
}

static void test_route(void)
{
	struct rtmsg rt = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_UNSPEC,
			    .rtm_protocol = 209, .rtm_type = RTN_UNICAST };
	struct in_addr gw, dst;
	struct nlmsghdr *nlh;
	json_t *out;

	inet_pton(AF_INET, "198.51.100.1", &gw);
	nlh = msg(RTM_NEWROUTE, &rt, sizeof(rt));
	mnl_attr_put_u32(nlh, RTA_TABLE, 1001);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, 1);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 0);
	out = parse(nl_parse_route, nlh);
	/* a host route of the main table, the kernel's own */
	rt.rtm_dst_len = 32;
	rt.rtm_table = RT_TABLE_MAIN;
	rt.rtm_protocol = RTPROT_KERNEL;
	rt.rtm_scope = RT_SCOPE_LINK;
	inet_pton(AF_INET, "10.0.0.1", &dst);
	nlh = msg(RTM_NEWROUTE, &rt, sizeof(rt));
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	nl_parse_route(nlh, out);
	/* a network, and a cached clone (left out) */
	rt.rtm_dst_len = 8;
	rt.rtm_protocol = RTPROT_STATIC;
	rt.rtm_scope = RT_SCOPE_UNIVERSE;
	rt.rtm_type = RTN_BLACKHOLE;
	nlh = msg(RTM_NEWROUTE, &rt, sizeof(rt));
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	nl_parse_route(nlh, out);
	rt.rtm_flags = RTM_F_CLONED;
	nlh = msg(RTM_NEWROUTE, &rt, sizeof(rt));
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	nl_parse_route(nlh, out);
	T_CHECK_JSON(out, "[{\"family\": 4, \"dst\": \"default\", \"gateway\": \"198.51.100.1\","
		     " \"dev\": \"lo\", \"table\": \"1001\", \"protocol\": \"209\", \"metric\": 0,"
		     " \"flags\": []},"
		     " {\"family\": 4, \"dst\": \"10.0.0.1\", \"table\": \"main\","
		     " \"protocol\": \"kernel\", \"scope\": \"link\", \"flags\": []},"
		     " {\"family\": 4, \"type\": \"blackhole\", \"dst\": \"10.0.0.1/8\","
		     " \"table\": \"main\", \"protocol\": \"static\", \"flags\": []}]");
	json_decref(out);
}

static void test_rule(void)
{
	struct fib_rule_hdr frh = { .family = AF_INET, .action = FR_ACT_TO_TBL };
	struct nlmsghdr *nlh;
	json_t *out;

	nlh = msg(RTM_NEWRULE, &frh, sizeof(frh));
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 9001);
	mnl_attr_put_u32(nlh, FRA_FWMARK, 0x200);
	mnl_attr_put_u32(nlh, FRA_FWMASK, 0xff00);
	mnl_attr_put_u32(nlh, FRA_TABLE, 1001);
	out = parse(nl_parse_rule, nlh);
	frh.table = RT_TABLE_MAIN;
	nlh = msg(RTM_NEWRULE, &frh, sizeof(frh));
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 32766);
	nl_parse_rule(nlh, out);
	frh.action = FR_ACT_UNREACHABLE;
	nlh = msg(RTM_NEWRULE, &frh, sizeof(frh));
	nl_parse_rule(nlh, out);
	T_CHECK_JSON(out, "[{\"priority\": 9001, \"src\": \"all\", \"fwmark\": \"0x200\","
		     " \"fwmask\": \"0xff00\", \"table\": \"1001\"},"
		     " {\"priority\": 32766, \"src\": \"all\", \"table\": \"main\"},"
		     " {\"priority\": 0, \"src\": \"all\", \"action\": \"unreachable\"}]");
	json_decref(out);
}

static void test_class(void)
{
	struct tcmsg tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = 1,
			    .tcm_handle = 0x0d1f0100, .tcm_parent = TC_H_ROOT };
	struct { uint64_t bytes; uint32_t packets, pad; } basic = { 6000000000ULL, 8, 0 };
	struct gnet_stats_queue q = { .drops = 3, .overlimits = 9 };
	struct nlmsghdr *nlh = msg(RTM_NEWTCLASS, &tc, sizeof(tc));
	struct nlattr *nest;
	json_t *out;

	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	nest = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof(basic), &basic);
	mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof(q), &q);
	mnl_attr_nest_end(nlh, nest);
	out = parse(nl_parse_class, nlh);
	/* counters cut short are left out */
	tc.tcm_handle = 0x0d1f0101;
	tc.tcm_parent = 0x0d1f0001;
	nlh = msg(RTM_NEWTCLASS, &tc, sizeof(tc));
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	nest = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_BASIC, 8, &basic);
	mnl_attr_nest_end(nlh, nest);
	nl_parse_class(nlh, out);
	T_CHECK_JSON(out, "[{\"handle\": \"d1f:100\", \"parent\": \"root\", \"dev\": \"lo\","
		     " \"class\": \"htb\", \"stats\": {\"bytes\": 6000000000, \"packets\": 8,"
		     " \"drops\": 3, \"overlimits\": 9}},"
		     " {\"handle\": \"d1f:101\", \"parent\": \"d1f:1\", \"dev\": \"lo\","
		     " \"class\": \"htb\", \"stats\": {}}]");
	json_decref(out);
	T_CHECK(nl_classes("no-such-device0") == NULL);
}

/* The dumps themselves, on this machine: the loopback is always there. */
static void test_dumps(void)
{
	json_t *links = nl_links(), *addrs = nl_addresses(AF_UNSPEC), *rules = nl_rules(AF_INET);
	json_t *routes = nl_routes(AF_UNSPEC, -1), *neigh = nl_neighbours(AF_UNSPEC), *l;
	bool lo = false, main_rule = false;
	size_t i;

	T_CHECK(json_is_array(links) && json_is_array(addrs) && json_is_array(rules) &&
		json_is_array(routes) && json_is_array(neigh));
	json_array_foreach(links, i, l)
		if (!strcmp(json_string_value(json_object_get(l, "ifname")), "lo"))
			lo = json_is_object(json_object_get(l, "stats64"));
	T_CHECK(lo);
	/* the kernel's rule of the main table is always there */
	json_array_foreach(rules, i, l)
		if (!strcmp(json_string_value(json_object_get(l, "table")) ?: "", "main"))
			main_rule = true;
	T_CHECK(main_rule);
	json_decref(links);
	json_decref(addrs);
	json_decref(rules);
	json_decref(routes);
	json_decref(neigh);
}

int main(void)
{
	T_RUN(test_link);
	T_RUN(test_addr);
	T_RUN(test_watch_take);
	T_RUN(test_neigh);
	T_RUN(test_route);
	T_RUN(test_rule);
	T_RUN(test_class);
	T_RUN(test_dumps);
	return t_done("nl");
}
