/*
 * The netlink writer against the real kernel: each op is performed in a
 * network namespace of the test's own (unshare), and the kernel is read
 * back with the netlink reader. Needs root, as `make check` runs; without
 * it the test fails, it never skips.
 */
#include <arpa/inet.h>
#include <nftables/libnftables.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"
#include "net/nl.h"
#include "net/nl_conntrack.h"
#include "net/nl_write.h"
#include "t.h"

static int op(const struct nl_op *o, char **err)
{
	json_t *out = NULL;
	int rc = nl_op_do(o, &out, err);

	json_decref(out);
	return rc;
}

static json_t *find_by(json_t *list, const char *key, const char *value)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		const char *s = json_string_value(json_object_get(v, key));
		if (s && !strcmp(s, value))
			return v;
	}
	return NULL;
}

/* the addresses of family on dev, as "a/len" texts joined by spaces */
static char *addrs_of(const char *dev, int family)
{
	json_t *links = nl_links(), *addrs = nl_addresses(family), *l = find_by(links, "ifname", dev);
	json_int_t index = json_integer_value(json_object_get(l, "ifindex"));
	struct sbuf b;
	size_t i;
	json_t *a;

	sbuf_init(&b);
	json_array_foreach(addrs, i, a) {
		if (json_integer_value(json_object_get(a, "ifindex")) != index)
			continue;
		if (json_string_value(json_object_get(a, "local"))[0] == 'f' &&
		    json_string_value(json_object_get(a, "local"))[1] == 'e')
			continue;   /* the kernel's own link-local */
		sbuf_printf(&b, "%s%s/%lld", b.len ? " " : "",
			    json_string_value(json_object_get(a, "local")),
			    (long long)json_integer_value(json_object_get(a, "prefixlen")));
	}
	json_decref(links);
	json_decref(addrs);
	return sbuf_steal(&b);
}

static void test_text(void)
{
	struct { struct nl_op op; const char *text; } cases[] = {
		{ { .kind = NL_LINK_ADD, .dev = "br0", .link_kind = "bridge" },
		  "ip link add name br0 type bridge" },
		{ { .kind = NL_LINK_MASTER, .dev = "p0", .master = "br0" }, "ip link set dev p0 master br0" },
		{ { .kind = NL_LINK_MASTER, .dev = "p0" }, "ip link set dev p0 nomaster" },
		{ { .kind = NL_LINK_MTU, .dev = "wan0", .mtu = 1508 }, "ip link set dev wan0 mtu 1508" },
		{ { .kind = NL_ADDR_FLUSH, .family = 4, .dev = "br0" }, "ip -4 addr flush dev br0" },
		{ { .kind = NL_ADDR_ADD, .dev = "br0", .addr = "fd00::1/64", .preferred_lft = 0,
		    .valid_lft = 7200 }, "ip addr add fd00::1/64 dev br0 preferred_lft 0 valid_lft 7200" },
		{ { .kind = NL_ROUTE_REPLACE, .family = 4, .via = "192.0.2.1", .dev = "wan0" },
		  "ip -4 route replace default via 192.0.2.1 dev wan0" },
		{ { .kind = NL_ROUTE_REPLACE, .family = 6, .addr = "2001:db8::/48", .table = 254,
		    .metric = 0, .has_metric = 1, .proto = 209 },
		  "ip -6 route replace 2001:db8::/48 table main metric 0 proto 209" },
		{ { .kind = NL_ROUTE_LIST, .family = 4, .proto = 209 },
		  "ip -j -4 route show table all proto 209" },
		{ { .kind = NL_RULE_ADD, .family = 4, .pref = 9002, .mark = 0x200, .mask = 0xff00,
		    .table = 1002 }, "ip -4 rule add pref 9002 fwmark 0x200/0xff00 lookup 1002" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = nl_op_text(&cases[i].op);
		T_CHECK_STR(t, cases[i].text);
		free(t);
	}
}

static void test_links(void)
{
	char *err = NULL;
	json_t *links, *l;

	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_ADD, .dev = "tbr0", .link_kind = "bridge" },
		   &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_ADD, .dev = "tport0", .link_kind = "ifb" },
		   &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_SHOW, .dev = "tbr0" }, NULL) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_SHOW, .dev = "nothere0" }, NULL) == 1);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_MASTER, .dev = "tport0", .master = "tbr0" },
		   &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_UP, .dev = "tbr0" }, &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_MTU, .dev = "tport0", .mtu = 1508 }, &err) == 0);
	links = nl_links();
	l = find_by(links, "ifname", "tport0");
	T_CHECK(json_integer_value(json_object_get(l, "mtu")) == 1508);
	T_CHECK_STR(json_string_value(json_object_get(l, "master")), "tbr0");
	T_CHECK_STR(json_string_value(json_object_get(json_object_get(l, "linkinfo"), "info_kind")),
		    "ifb");
	T_CHECK(nl_link_has_flag(find_by(links, "ifname", "tbr0"), "UP"));
	json_decref(links);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_MASTER, .dev = "tport0" }, &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_DOWN, .dev = "tbr0" }, &err) == 0);
	links = nl_links();
	T_CHECK(!json_object_get(find_by(links, "ifname", "tport0"), "master"));
	T_CHECK(!nl_link_has_flag(find_by(links, "ifname", "tbr0"), "UP"));
	json_decref(links);
	/* a second add of the same name is refused, as ip refuses it */
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_ADD, .dev = "tbr0", .link_kind = "bridge" },
		   &err) == -1);
	T_CHECK(err && strstr(err, "ip link add name tbr0 type bridge: File exists"));
	free(err);
	err = NULL;
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_DEL, .dev = "tport0" }, &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_LINK_SHOW, .dev = "tport0" }, NULL) == 1);
	free(err);
}

static void test_addresses(void)
{
	char *err = NULL, *a;

	op(&(struct nl_op){ .kind = NL_LINK_UP, .dev = "tbr0" }, NULL);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "tbr0", .addr = "10.9.0.1/24" },
		   &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "tbr0", .addr = "10.9.0.1/24" },
		   &err) == -1);
	T_CHECK(err && strstr(err, "ip addr add 10.9.0.1/24 dev tbr0: File exists"));
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_REPLACE, .dev = "tbr0", .addr = "10.9.0.1/24" },
		   &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "tbr0", .addr = "10.8.0.1/16" },
		   &err) == 0);
	a = addrs_of("tbr0", AF_INET);
	T_CHECK_STR(a, "10.9.0.1/24 10.8.0.1/16");
	free(a);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_DEL, .dev = "tbr0", .addr = "10.8.0.1/16" },
		   &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "tbr0", .addr = "fd00:9::1/64",
				    .preferred_lft = 0, .valid_lft = 600 }, &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4, .dev = "tbr0" }, &err) == 0);
	a = addrs_of("tbr0", AF_INET);
	T_CHECK_STR(a, "");
	free(a);
	/* the IPv6 address stayed: a flush takes one family */
	a = addrs_of("tbr0", AF_INET6);
	T_CHECK_STR(a, "fd00:9::1/64");
	free(a);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "nothere0", .addr = "10.9.0.1/24" },
		   &err) == -1);
	T_CHECK(err && strstr(err, "ip addr add 10.9.0.1/24 dev nothere0: Cannot find device"));
	T_CHECK(op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "tbr0", .addr = "10.9.0.300/24" },
		   &err) == -1);
	free(err);
}

static void test_routes_rules(void)
{
	char *err = NULL;
	json_t *routes, *rules, *r;

	op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "tbr0", .addr = "10.9.0.1/24" }, NULL);
	op(&(struct nl_op){ .kind = NL_LINK_UP, .dev = "tbr0" }, NULL);
	/* a bridge without ports has no carrier: the kernel still takes a route
	 * through it when told it is on the link */
	T_CHECK(op(&(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 4, .addr = "10.99.0.0/16",
				    .dev = "tbr0", .table = 1001, .metric = 7, .has_metric = 1,
				    .proto = 209 }, &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = 4, .addr = "10.98.0.0/16",
				    .dev = "tbr0", .metric = 0, .has_metric = 1, .proto = 209 },
		   &err) == 0);
	routes = nl_routes(AF_INET, 209);
	T_CHECK(json_array_size(routes) == 2);
	r = find_by(routes, "dst", "10.99.0.0/16");
	T_CHECK_STR(json_string_value(json_object_get(r, "table")), "1001");
	T_CHECK(json_integer_value(json_object_get(r, "metric")) == 7);
	json_decref(routes);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ROUTE_DEL, .family = 4, .addr = "10.99.0.0/16",
				    .table = 1001, .metric = 7, .has_metric = 1, .proto = 209 },
		   &err) == 0);
	routes = nl_routes(AF_INET, 209);
	T_CHECK(json_array_size(routes) == 1);
	json_decref(routes);
	T_CHECK(op(&(struct nl_op){ .kind = NL_ROUTE_FLUSH, .family = 4, .proto = 209 }, &err) == 0);
	routes = nl_routes(AF_INET, 209);
	T_CHECK(json_array_size(routes) == 0);
	json_decref(routes);
	/* the kernel's own route of the address is not ours: it stays */
	routes = nl_routes(AF_INET, -1);
	T_CHECK(find_by(routes, "dst", "10.9.0.0/24") != NULL);
	json_decref(routes);

	T_CHECK(op(&(struct nl_op){ .kind = NL_RULE_ADD, .family = 4, .pref = 9002, .mark = 0x200,
				    .mask = 0xff00, .table = 1002 }, &err) == 0);
	rules = nl_rules(AF_INET);
	r = NULL;
	for (size_t i = 0; i < json_array_size(rules); i++)
		if (json_integer_value(json_object_get(json_array_get(rules, i), "priority")) == 9002)
			r = json_array_get(rules, i);
	T_CHECK(r != NULL);
	T_CHECK_STR(json_string_value(json_object_get(r, "fwmark")), "0x200");
	T_CHECK_STR(json_string_value(json_object_get(r, "table")), "1002");
	json_decref(rules);
	T_CHECK(op(&(struct nl_op){ .kind = NL_RULE_DEL, .family = 4, .pref = 9002 }, &err) == 0);
	T_CHECK(op(&(struct nl_op){ .kind = NL_RULE_DEL, .family = 4, .pref = 9002 }, &err) == -1);
	free(err);
}

/* a tracked UDP connection from src to dst:9 (conntrack runs: a ruleset asks for it) */
static void udp_from(const char *src, const char *dst)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, b = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, src, &a.sin_addr);
	inet_pton(AF_INET, dst, &b.sin_addr);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	sendto(fd, "x", 1, 0, (struct sockaddr *)&b, sizeof(b));
	close(fd);
}

static void test_conntrack(void)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	unsigned char a1[4], a2[4];

	op(&(struct nl_op){ .kind = NL_LINK_UP, .dev = "lo" }, NULL);
	op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "lo", .addr = "10.7.0.1/32" }, NULL);
	op(&(struct nl_op){ .kind = NL_ADDR_ADD, .dev = "lo", .addr = "10.7.0.2/32" }, NULL);
	T_CHECK(nft_run_cmd_from_buffer(nft, "table ip t { chain o { type filter hook output "
				       "priority 0; ct state new counter accept; }; }") == 0);
	nft_ctx_free(nft);
	/* two connections answered to 10.7.0.1, one to 10.7.0.2 */
	udp_from("10.7.0.1", "127.0.0.1");
	udp_from("10.7.0.1", "127.0.0.2");
	udp_from("10.7.0.2", "127.0.0.1");
	inet_pton(AF_INET, "10.7.0.1", a1);
	inet_pton(AF_INET, "10.7.0.2", a2);
	/* without NAT a reply goes to the source: the 10.7.0.1 ones go, the other stays */
	T_CHECK(nl_ct_forget_nat_to(4, a1) == 2);
	T_CHECK(nl_ct_forget_nat_to(4, a1) == 0);
	T_CHECK(nl_ct_forget_nat_to(4, a2) == 1);
}

int main(void)
{
	T_RUN(test_text);
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "  FAIL: the kernel tests need a network namespace of their own "
				"(run as root)\n");
		return 1;
	}
	T_RUN(test_links);
	T_RUN(test_addresses);
	T_RUN(test_routes_rules);
	T_RUN(test_conntrack);
	return t_done("nl_write");
}
