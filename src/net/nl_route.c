/*
 * Routes of every table and the policy rules, as ip -j prints them
 * ("ip -j route show table all", "ip -j rule show"), with one difference:
 * a route's table is named even when it is main.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "core/util.h"
#include "net/nl.h"
#include "net/nl_int.h"

/* RTN_* by number; unicast is what a route is unless it says */
static const char *const nl_route_types[] = {
	[RTN_LOCAL] = "local", [RTN_BROADCAST] = "broadcast", [RTN_ANYCAST] = "anycast",
	[RTN_MULTICAST] = "multicast", [RTN_BLACKHOLE] = "blackhole",
	[RTN_UNREACHABLE] = "unreachable", [RTN_PROHIBIT] = "prohibit", [RTN_THROW] = "throw",
	[RTN_NAT] = "nat",
};

/* RTPROT_* that iproute2 names out of the box */
static const char *const nl_protocols[] = {
	[RTPROT_REDIRECT] = "redirect", [RTPROT_KERNEL] = "kernel", [RTPROT_BOOT] = "boot",
	[RTPROT_STATIC] = "static", [RTPROT_RA] = "ra", [RTPROT_DHCP] = "dhcp",
};

/* FR_ACT_* other than "look up a table" */
static const char *const nl_rule_actions[] = {
	[FR_ACT_GOTO] = "goto", [FR_ACT_NOP] = "nop", [FR_ACT_BLACKHOLE] = "blackhole",
	[FR_ACT_UNREACHABLE] = "unreachable", [FR_ACT_PROHIBIT] = "prohibit",
};

static json_t *nl_named(unsigned v, const char *const *names, size_t n)
{
	if (v < n && names[v])
		return json_string(names[v]);
	return json_sprintf("%u", v);
}

static json_t *nl_route_protocol(unsigned proto)
{
	return nl_named(proto, nl_protocols, ARRAY_SIZE(nl_protocols));
}

/* "default", the address alone when it is a host, or address/len */
static json_t *nl_prefix(int family, const struct nlattr *a, unsigned len)
{
	json_t *addr, *text;
	unsigned full = family == AF_INET ? 32 : 128;

	if (!a || len == 0)
		return len == 0 ? json_string("default") : NULL;
	addr = nl_inaddr(family, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	if (!addr || len >= full)
		return addr;
	text = json_sprintf("%s/%u", json_string_value(addr), len);
	json_decref(addr);
	return text;
}

static void nl_set_addr(json_t *o, const char *key, int family, const struct nlattr *a)
{
	json_t *v;

	if (a && (v = nl_inaddr(family, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a))))
		json_object_set_new(o, key, v);
}

void nl_parse_route(const struct nlmsghdr *nlh, json_t *out)
{
	const struct nlattr *tb[64] = { NULL };
	const struct rtmsg *rt;
	json_t *o, *dst, *flags;
	uint32_t table, v;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rt))
		return;
	rt = mnl_nlmsg_get_payload(nlh);
	/* cached clones are not routes anyone set (ip leaves them out too) */
	if ((rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6) ||
	    (rt->rtm_flags & RTM_F_CLONED))
		return;
	mnl_attr_parse(nlh, sizeof(*rt), nl_attr_table, tb);
	dst = nl_prefix(rt->rtm_family, tb[RTA_DST], rt->rtm_dst_len);
	if (!dst)
		return;
	o = json_pack("{s:i}", "family", rt->rtm_family == AF_INET ? 4 : 6);
	if (rt->rtm_type != RTN_UNICAST)
		json_object_set_new(o, "type", nl_named(rt->rtm_type, nl_route_types,
							ARRAY_SIZE(nl_route_types)));
	json_object_set_new(o, "dst", dst);
	nl_set_addr(o, "gateway", rt->rtm_family, tb[RTA_GATEWAY]);
	if (nl_attr_u32(tb[RTA_OIF], &v))
		json_object_set_new(o, "dev", nl_ifname(v));
	table = nl_attr_u32(tb[RTA_TABLE], &v) ? v : rt->rtm_table;
	json_object_set_new(o, "table", nl_table_name(table));
	json_object_set_new(o, "protocol", nl_route_protocol(rt->rtm_protocol));
	if (rt->rtm_scope != RT_SCOPE_UNIVERSE)
		json_object_set_new(o, "scope", nl_scope_name(rt->rtm_scope));
	nl_set_addr(o, "prefsrc", rt->rtm_family, tb[RTA_PREFSRC]);
	if (nl_attr_u32(tb[RTA_PRIORITY], &v))
		json_object_set_new(o, "metric", json_integer(v));
	flags = json_array();
	if (rt->rtm_flags & RTNH_F_ONLINK)
		json_array_append_new(flags, json_string("onlink"));
	if (rt->rtm_flags & RTNH_F_LINKDOWN)
		json_array_append_new(flags, json_string("linkdown"));
	json_object_set_new(o, "flags", flags);
	json_array_append_new(out, o);
}

void nl_parse_rule(const struct nlmsghdr *nlh, json_t *out)
{
	const struct nlattr *tb[64] = { NULL };
	const struct fib_rule_hdr *frh;
	json_t *o;
	uint32_t v, table;

	if (nlh->nlmsg_type != RTM_NEWRULE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*frh))
		return;
	frh = mnl_nlmsg_get_payload(nlh);
	if (frh->family != AF_INET && frh->family != AF_INET6)
		return;
	mnl_attr_parse(nlh, sizeof(*frh), nl_attr_table, tb);
	o = json_pack("{s:I}", "priority", (json_int_t)(nl_attr_u32(tb[FRA_PRIORITY], &v) ? v : 0));
	if (frh->flags & FIB_RULE_INVERT)
		json_object_set_new(o, "not", json_true());
	if (frh->src_len) {
		nl_set_addr(o, "src", frh->family, tb[FRA_SRC]);
		json_object_set_new(o, "srclen", json_integer(frh->src_len));
	} else {
		json_object_set_new(o, "src", json_string("all"));
	}
	if (frh->dst_len) {
		nl_set_addr(o, "dst", frh->family, tb[FRA_DST]);
		json_object_set_new(o, "dstlen", json_integer(frh->dst_len));
	}
	if (nl_attr_u32(tb[FRA_FWMARK], &v) && (v || tb[FRA_FWMASK])) {
		json_object_set_new(o, "fwmark", json_sprintf("0x%x", v));
		if (nl_attr_u32(tb[FRA_FWMASK], &v) && v != 0xffffffffu)
			json_object_set_new(o, "fwmask", json_sprintf("0x%x", v));
	}
	nl_set_str(o, "iif", tb[FRA_IIFNAME]);
	nl_set_str(o, "oif", tb[FRA_OIFNAME]);
	table = nl_attr_u32(tb[FRA_TABLE], &v) ? v : frh->table;
	if (frh->action == FR_ACT_TO_TBL)
		json_object_set_new(o, "table", nl_table_name(table));
	else
		json_object_set_new(o, "action", nl_named(frh->action, nl_rule_actions,
							  ARRAY_SIZE(nl_rule_actions)));
	json_array_append_new(out, o);
}

json_t *nl_routes(int family, int protocol)
{
	struct rtmsg rt = { .rtm_family = (unsigned char)family,
			    .rtm_protocol = protocol > 0 ? (unsigned char)protocol : 0 };
	json_t *all = nl_dump_parse(RTM_GETROUTE, &rt, sizeof(rt), protocol > 0, nl_parse_route);
	json_t *want, *r;
	size_t i;

	if (!all || protocol < 0)
		return all;
	want = nl_route_protocol((unsigned)protocol);
	for (i = json_array_size(all); i-- > 0;) {
		r = json_array_get(all, i);
		if (!json_equal(json_object_get(r, "protocol"), want))
			json_array_remove(all, i);
	}
	json_decref(want);
	return all;
}

json_t *nl_rules(int family)
{
	struct fib_rule_hdr frh = { .family = (unsigned char)family };

	return nl_dump_parse(RTM_GETRULE, &frh, sizeof(frh), false, nl_parse_rule);
}
