/*
 * Links (with their 64-bit counters), addresses and neighbours, as ip -j
 * prints them. Every value comes from the kernel; an attribute of the
 * wrong size is left out, never read past.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "core/util.h"
#include "net/nl.h"
#include "net/nl_int.h"

/* the order ip prints a link's flags in */
static const struct {
	unsigned flag;
	const char *name;
} nl_link_flags[] = {
	{ IFF_LOOPBACK, "LOOPBACK" }, { IFF_BROADCAST, "BROADCAST" },
	{ IFF_POINTOPOINT, "POINTOPOINT" }, { IFF_MULTICAST, "MULTICAST" },
	{ IFF_NOARP, "NOARP" }, { IFF_ALLMULTI, "ALLMULTI" }, { IFF_PROMISC, "PROMISC" },
	{ IFF_MASTER, "MASTER" }, { IFF_SLAVE, "SLAVE" }, { IFF_DEBUG, "DEBUG" },
	{ IFF_DYNAMIC, "DYNAMIC" }, { IFF_AUTOMEDIA, "AUTOMEDIA" }, { IFF_PORTSEL, "PORTSEL" },
	{ IFF_NOTRAILERS, "NOTRAILERS" }, { IFF_UP, "UP" }, { IFF_LOWER_UP, "LOWER_UP" },
	{ IFF_DORMANT, "DORMANT" }, { IFF_ECHO, "ECHO" },
};

/* IF_OPER_* */
static const char *const nl_operstates[] = {
	"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP",
};

/* NUD_* bit by bit */
static const char *const nl_nud_names[] = {
	"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT",
};

static json_t *nl_stats_dir(uint64_t bytes, uint64_t packets, uint64_t errors, uint64_t dropped)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "bytes", (json_int_t)bytes, "packets",
			 (json_int_t)packets, "errors", (json_int_t)errors, "dropped",
			 (json_int_t)dropped);
}

void nl_parse_link(const struct nlmsghdr *nlh, json_t *out)
{
	const struct nlattr *tb[64] = { NULL };
	const struct ifinfomsg *ifi;
	json_t *o, *flags;
	unsigned f;
	uint32_t v;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return;
	ifi = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifi), nl_attr_table, tb);
	if (!tb[IFLA_IFNAME])
		return;
	o = json_pack("{s:i}", "ifindex", ifi->ifi_index);
	nl_set_str(o, "ifname", tb[IFLA_IFNAME]);
	if (!json_object_get(o, "ifname")) {
		json_decref(o);
		return;
	}
	flags = json_array();
	f = ifi->ifi_flags;
	if ((f & IFF_UP) && !(f & IFF_RUNNING))
		json_array_append_new(flags, json_string("NO-CARRIER"));
	for (size_t i = 0; i < ARRAY_SIZE(nl_link_flags); i++)
		if (f & nl_link_flags[i].flag)
			json_array_append_new(flags, json_string(nl_link_flags[i].name));
	json_object_set_new(o, "flags", flags);
	if (nl_attr_u32(tb[IFLA_MTU], &v))
		json_object_set_new(o, "mtu", json_integer(v));
	if (tb[IFLA_MASTER] && nl_attr_u32(tb[IFLA_MASTER], &v))
		json_object_set_new(o, "master", nl_ifname(v));
	if (tb[IFLA_OPERSTATE] && mnl_attr_get_payload_len(tb[IFLA_OPERSTATE]) >= 1) {
		unsigned st = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
		json_object_set_new(o, "operstate", st < ARRAY_SIZE(nl_operstates) ?
				    json_string(nl_operstates[st]) : json_integer(st));
	}
	if (tb[IFLA_ADDRESS]) {
		json_t *mac = nl_lladdr(mnl_attr_get_payload(tb[IFLA_ADDRESS]),
					mnl_attr_get_payload_len(tb[IFLA_ADDRESS]));
		if (mac)
			json_object_set_new(o, "address", mac);
	}
	if (tb[IFLA_LINKINFO]) {
		/* the kind (bridge, ifb, veth), as ip -d prints it */
		const struct nlattr *info[64] = { NULL };
		json_t *kind = json_object();
		if (mnl_attr_parse_nested(tb[IFLA_LINKINFO], nl_attr_table, info) >= 0)
			nl_set_str(kind, "info_kind", info[IFLA_INFO_KIND]);
		if (json_object_size(kind))
			json_object_set_new(o, "linkinfo", kind);
		else
			json_decref(kind);
	}
	if (tb[IFLA_STATS64] &&
	    mnl_attr_get_payload_len(tb[IFLA_STATS64]) >= sizeof(struct rtnl_link_stats64)) {
		struct rtnl_link_stats64 s;
		/* the payload is only 4-byte aligned */
		memcpy(&s, mnl_attr_get_payload(tb[IFLA_STATS64]), sizeof(s));
		json_object_set_new(o, "stats64", json_pack("{s:o, s:o}",
			"rx", nl_stats_dir(s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped),
			"tx", nl_stats_dir(s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped)));
	}
	json_array_append_new(out, o);
}

void nl_parse_addr(const struct nlmsghdr *nlh, json_t *out)
{
	const struct nlattr *tb[64] = { NULL };
	const struct ifaddrmsg *ifa;
	const struct nlattr *local, *peer;
	json_t *o, *addr;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return;
	ifa = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifa), nl_attr_table, tb);
	/* IFA_LOCAL is the address; IFA_ADDRESS the peer's on point-to-point links */
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	peer = tb[IFA_LOCAL] ? tb[IFA_ADDRESS] : NULL;
	if (!local)
		return;
	addr = nl_inaddr(ifa->ifa_family, mnl_attr_get_payload(local),
			 mnl_attr_get_payload_len(local));
	if (!addr)
		return;
	o = json_pack("{s:s, s:i, s:o, s:i, s:o}", "family",
		      ifa->ifa_family == AF_INET ? "inet" : "inet6", "ifindex", (int)ifa->ifa_index,
		      "local", addr, "prefixlen", ifa->ifa_prefixlen, "scope",
		      nl_scope_name(ifa->ifa_scope));
	if (peer && mnl_attr_get_payload_len(peer) == mnl_attr_get_payload_len(local) &&
	    memcmp(mnl_attr_get_payload(peer), mnl_attr_get_payload(local),
		   mnl_attr_get_payload_len(local))) {
		json_t *p = nl_inaddr(ifa->ifa_family, mnl_attr_get_payload(peer),
				      mnl_attr_get_payload_len(peer));
		if (p)
			json_object_set_new(o, "address", p);
	}
	nl_set_str(o, "label", tb[IFA_LABEL]);
	json_array_append_new(out, o);
}

void nl_parse_neigh(const struct nlmsghdr *nlh, json_t *out)
{
	const struct nlattr *tb[64] = { NULL };
	const struct ndmsg *nd;
	json_t *o, *dst;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(nlh) < sizeof(*nd))
		return;
	nd = mnl_nlmsg_get_payload(nlh);
	if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6)
		return;
	mnl_attr_parse(nlh, sizeof(*nd), nl_attr_table, tb);
	if (!tb[NDA_DST] || !(dst = nl_inaddr(nd->ndm_family, mnl_attr_get_payload(tb[NDA_DST]),
					       mnl_attr_get_payload_len(tb[NDA_DST]))))
		return;
	o = json_pack("{s:o, s:o, s:i}", "dst", dst, "dev", nl_ifname((unsigned)nd->ndm_ifindex),
		      "ifindex", nd->ndm_ifindex);
	if (tb[NDA_LLADDR]) {
		json_t *mac = nl_lladdr(mnl_attr_get_payload(tb[NDA_LLADDR]),
					mnl_attr_get_payload_len(tb[NDA_LLADDR]));
		if (mac)
			json_object_set_new(o, "lladdr", mac);
	}
	if (nd->ndm_flags & NTF_ROUTER)
		json_object_set_new(o, "router", json_true());
	json_object_set_new(o, "state", nl_flag_names(nd->ndm_state, nl_nud_names,
						      ARRAY_SIZE(nl_nud_names)));
	json_array_append_new(out, o);
}

json_t *nl_links(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

	return nl_dump_parse(RTM_GETLINK, &ifi, sizeof(ifi), false, nl_parse_link);
}

json_t *nl_addresses(int family)
{
	struct ifaddrmsg ifa = { .ifa_family = (unsigned char)family };

	return nl_dump_parse(RTM_GETADDR, &ifa, sizeof(ifa), false, nl_parse_addr);
}

json_t *nl_neighbours(int family)
{
	struct ndmsg nd = { .ndm_family = (unsigned char)family };

	return nl_dump_parse(RTM_GETNEIGH, &nd, sizeof(nd), false, nl_parse_neigh);
}

json_t *nl_join_addrs(const json_t *links, const json_t *addrs)
{
	json_t *out = json_array(), *link, *a;
	size_t i, j;

	json_array_foreach(links, i, link) {
		json_t *l = json_copy(link), *info = json_array();
		json_int_t idx = json_integer_value(json_object_get(link, "ifindex"));

		json_array_foreach(addrs, j, a) {
			if (json_integer_value(json_object_get(a, "ifindex")) != idx)
				continue;
			a = json_copy(a);
			json_object_del(a, "ifindex");
			json_array_append_new(info, a);
		}
		json_object_set_new(l, "addr_info", info);
		json_array_append_new(out, l);
	}
	return out;
}

bool nl_link_has_flag(const json_t *link, const char *flag)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(link, "flags"), i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), flag))
			return true;
	return false;
}
