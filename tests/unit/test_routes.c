/*
 * Unit tests of the routes: the rules of their section that the
 * integration tests do not reach, the DNS lines of domain policies, and
 * what the applier asks of the kernel (dry backend).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "t_json.h"
#include "t_schema.h"
#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/util.h"
#include "features/network/routes/routes.h"
#include "schema/schema.h"

static const char uplink2[] =
	"[{\"id\": 1, \"name\": \"uplink2\", \"device\": \"wan1\", \"zone\": \"wan\","
	" \"ipv4_address\": \"203.0.113.2/24\", \"ipv4_gateway\": \"203.0.113.1\"}]";

static void test_static_rules(void)
{
	T_CHECK(valid(doc_with("routes.static4",
			       "[{\"id\": 1, \"target\": \"10.9.0.0/16\", \"gateway\": \"10.0.0.1\"},"
			       " {\"id\": 2, \"target\": \"10.9.0.0/16\", \"gateway\": \"10.0.0.2\","
			       "  \"metric\": 5}]")));
	T_CHECK(has_error(doc_with("routes.static4",
				   "[{\"id\": 1, \"target\": \"10.9.0.0/16\", \"gateway\": \"10.0.0.1\"},"
				   " {\"id\": 3, \"target\": \"10.9.0.0/16\", \"interface\": \"eth2\"}]"),
			  "routes.static4[3].target",
			  "routes.static4[3].target: 10.9.0.0/16 with metric 0 in table 254 is "
			  "already routed by routes.static4[1]"));
	T_CHECK(has_error(doc_with("routes.static4",
				   "[{\"id\": 1, \"target\": \"10.9.0.0/16\", \"gateway\": \"10.0.0.1\","
				   " \"table\": 253}]"),
			  "routes.static4[1].table",
			  "routes.static4[1].table: 253 is the kernel's \"default\" table: use "
			  "1-252, or 254 for the main table"));
	T_CHECK(has_error(doc_with("routes.static4",
				   "[{\"id\": 1, \"target\": \"0.0.0.0/0\", \"gateway\": \"10.0.0.1\"}]"),
			  "routes.static4[1].target",
			  "routes.static4[1].target: 0.0.0.0/0 with metric 0 in the main table would "
			  "replace the WAN's default route: give a metric above 0 or another table"));
	T_CHECK(valid(doc_with("routes.static4",
			       "[{\"id\": 1, \"target\": \"0.0.0.0/0\", \"gateway\": \"10.0.0.1\","
			       " \"metric\": 100}]")));
	T_CHECK(has_error(doc_with("routes.static4",
				   "[{\"id\": 1, \"target\": \"192.168.1.0/24\", \"interface\": \"eth2\"}]"),
			  "routes.static4[1].target",
			  "routes.static4[1].target: 192.168.1.0/24 is the LAN network itself: it is "
			  "reached without a route"));
	T_CHECK(has_error(doc_with("routes.static6",
				   "[{\"id\": 1, \"target\": \"2001:db8::/32\", \"gateway\": \"fe80::1\"}]"),
			  "routes.static6[1].gateway",
			  "routes.static6[1].gateway: fe80::1 is a link-local address: it needs the "
			  "interface it is on"));
	T_CHECK(has_error(doc_with("routes.static6",
				   "[{\"id\": 1, \"target\": \"2001:db8::1/32\", \"interface\": \"eth2\"}]"),
			  "routes.static6[1].target",
			  "routes.static6[1].target: 2001:db8::1/32 has bits set right of the prefix "
			  "length: the network is 2001:db8::/32"));
	T_CHECK(has_error(doc_with("routes.static6",
				   "[{\"id\": 1, \"target\": \"2001:db8::/32\", \"interface\": \"eth2\"},"
				   " {\"id\": 2, \"target\": \"2001:DB8:0::/32\", \"interface\": \"eth3\"}]"),
			  "routes.static6[2].target",
			  "routes.static6[2].target: 2001:DB8:0::/32 with metric 0 in table 254 is "
			  "already routed by routes.static6[1]"));
}

static void test_policy_rules(void)
{
	json_t *d = doc_with("interfaces.custom", uplink2);

	put(d, "routes.policy", "[{\"id\": 4, \"name\": \"p\", \"destination\": [\"10.1.0.0/16\"],"
	    " \"domain_lists\": [\"streaming\"], \"interface\": \"wan1\"}]");
	schema_fill_defaults(d);
	T_CHECK(has_error(d, "routes.policy[4].domain_lists",
			  "routes.policy[4].domain_lists: streaming cannot be combined with "
			  "destination: a destination address and domains together would be "
			  "ambiguous"));
	d = doc_with("routes.policy", "[{\"id\": 1, \"name\": \"p\", \"source\": "
		     "[\"192.168.1.7/24\"], \"interface\": \"wan\"}]");
	T_CHECK(has_error(d, "routes.policy[1].source",
			  "routes.policy[1].source: 192.168.1.7/24 has bits set right of the prefix "
			  "length: the network is 192.168.1.0/24"));
	/* a disabled uplink is still a valid name: its policies wait */
	d = doc_with("interfaces.custom", uplink2);
	put(d, "interfaces.custom[1].enabled", "false");
	put(d, "routes.policy", "[{\"id\": 1, \"name\": \"p\", \"source\": [\"192.168.1.7\"],"
	    " \"interface\": \"wan1\"}]");
	schema_fill_defaults(d);
	T_CHECK(valid(d));
}

/* What every feature's dnsmasq hook adds: the routes feature's lines (nftset=). */
static char *dnsmasq_lines(const json_t *doc)
{
	struct feature_env env = { 0 };
	struct feature_ctx ctx = { .env = &env, .doc = doc };
	struct sbuf b, out;
	char *save = NULL;

	sbuf_init(&b);
	sbuf_init(&out);
	feature_dnsmasq_collect(&ctx, &b);
	for (char *l = strtok_r(b.s ? b.s : (char[]){ 0 }, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "nftset=", 7))
			sbuf_printf(&out, "%s\n", l);
	sbuf_free(&b);
	if (!out.s)
		sbuf_add(&out, "");
	return sbuf_steal(&out);
}

static void test_dnsmasq_lines(void)
{
	json_t *d = doc_with("interfaces.custom", uplink2);
	char *text;

	/* one domain in two policies goes to both sets; a subdomain of another
	 * policy's domain also goes to that policy's set */
	put(d, "routes.policy",
	    "[{\"id\": 1, \"name\": \"a\", \"domains\": [\"example.com\", \"Shared.org\"],"
	    "  \"interface\": \"wan1\"},"
	    " {\"id\": 2, \"name\": \"b\", \"domains\": [\"shared.org\", \"cdn.example.com\"],"
	    "  \"interface\": \"wan\"},"
	    " {\"id\": 3, \"name\": \"c\", \"domains\": [\"off.example\"], \"interface\": \"wan\","
	    "  \"enabled\": false}]");
	schema_fill_defaults(d);
	text = dnsmasq_lines(d);
	T_CHECK_STR(text, "nftset=/example.com/4#inet#difos#dyn_pbr1\n"
			  "nftset=/shared.org/4#inet#difos#dyn_pbr1,4#inet#difos#dyn_pbr2\n"
			  "nftset=/cdn.example.com/4#inet#difos#dyn_pbr2,4#inet#difos#dyn_pbr1\n");
	free(text);
	json_decref(d);
}

static char *sets_text(const json_t *doc)
{
	struct sbuf b;

	sbuf_init(&b);
	routes_nft_sets(doc, &b);
	return sbuf_steal(&b);
}

static char *domains_text(const json_t *doc)
{
	struct sbuf b;

	sbuf_init(&b);
	routes_domains_text(doc, NULL, &b);
	return sbuf_steal(&b);
}

static bool flush_is(const char *old_text, const char *new_text, const char *want)
{
	json_t *got = routes_sets_to_flush(old_text, new_text), *w = J(want);
	bool ok = json_equal(got, w);

	if (!ok) {
		char *g = json_dumps(got, JSON_COMPACT);
		fprintf(stderr, "    flush %s, want %s\n", g, want);
		free(g);
	}
	json_decref(got);
	json_decref(w);
	return ok;
}

/* A set keeps its declaration (and so its addresses) when the domains
 * change; the rendered domains tell which sets lost one. */
static void test_sets_follow_domains(void)
{
	json_t *d = doc_with("routes.policy", "[{\"id\": 7, \"name\": \"a\", \"domains\": "
			     "[\"example.com\"], \"interface\": \"wan\"}]");
	char *before = sets_text(d), *after, *dom_before = domains_text(d), *dom_after;

	T_CHECK(strstr(before, "\tset dyn_pbr7 {\n\t\ttype ipv4_addr\n") == before);
	T_CHECK(strstr(dom_before, "\ndyn_pbr7 example.com\n"));
	put(d, "routes.policy[7].domains", "[\"example.com\", \"example.net\"]");
	after = sets_text(d);
	dom_after = domains_text(d);
	T_CHECK_STR(after, before);
	T_CHECK(strstr(dom_after, "\ndyn_pbr7 example.com example.net\n"));
	/* added: kept; removed: emptied */
	T_CHECK(flush_is(dom_before, dom_after, "[]"));
	T_CHECK(flush_is(dom_after, dom_before, "[\"dyn_pbr7\"]"));
	free(before);
	free(after);
	free(dom_before);
	free(dom_after);
	json_decref(d);

	/* several sets: only the one that lost a domain; a set that is new or
	 * gone is not flushed (the firewall creates or deletes it) */
	T_CHECK(flush_is("# c\ndyn_pbr1 a.com b.com\ndyn_pbr2 c.com\ndyn_pbr3 d.com\n",
			 "# c\ndyn_pbr1 b.com a.com e.com\ndyn_pbr2 x.com\ndyn_pbr4 d.com\n",
			 "[\"dyn_pbr2\"]"));
	/* a name that is a prefix of another set's name is not that set */
	T_CHECK(flush_is("dyn_pbr1 a.com\ndyn_pbr12 b.com\n", "dyn_pbr12 b.com\ndyn_pbr1 z.com\n",
			 "[\"dyn_pbr1\"]"));
	/* nothing in force before (an older generation without the file) */
	T_CHECK(flush_is(NULL, "dyn_pbr1 a.com\n", "[]"));
}

static void test_apply_commands(void)
{
	const struct feature *f = feature_find("routes");
	struct sys *sys = sys_dry_new();
	json_t *d = doc_with("interfaces.custom", uplink2);
	struct feature_env env = { .sys = sys };
	struct feature_ctx ctx = { .env = &env };

	put(d, "routes.static4", "[{\"id\": 1, \"target\": \"10.99.0.0/16\", \"gateway\": "
	    "\"203.0.113.1\", \"metric\": 7}]");
	put(d, "routes.static6", "[{\"id\": 1, \"target\": \"2001:db8:99::/48\", \"gateway\": "
	    "\"fe80::1\", \"interface\": \"wan1\"}]");
	put(d, "routes.policy", "[{\"id\": 1, \"name\": \"a\", \"source\": [\"192.168.1.21\"],"
	    " \"interface\": \"wan1\"}]");
	schema_fill_defaults(d);
	T_CHECK(f != NULL);
	ctx.doc = d;
	ctx.boot = true;
	T_CHECK(f->apply(&ctx) == 0);
	T_CHECK(strstr(sys->journal.s, "net ip -4 route replace 10.99.0.0/16 via 203.0.113.1 "
			"table main metric 7 proto 209\n"));
	T_CHECK(strstr(sys->journal.s, "net ip -6 route replace 2001:db8:99::/48 via fe80::1 "
			"dev wan1 table main metric 1024 proto 209\n"));
	T_CHECK(strstr(sys->journal.s, "net ip -4 route replace default via 203.0.113.1 dev wan1 "
			"table 1002 metric 0 proto 209\n"));
	T_CHECK(strstr(sys->journal.s, "net ip -4 rule add pref 9002 fwmark 0x200/0xff00 "
			"lookup 1002\n"));
	T_CHECK(strstr(sys->journal.s, "write /proc/sys/net/ipv4/conf/wan1/rp_filter 2\n"));
	if (t_cur_failed)
		fprintf(stderr, "%s", sys->journal.s);
	free(ctx.err);
	json_decref(d);
	sys_free(sys);
}

/* A WireGuard client is a way out: its device, no gateway (point to point),
 * an index after the custom interfaces'; a name of no client is refused. */
static void test_policy_through_wg_client(void)
{
	const struct feature *f = feature_find("routes");
	struct sys *sys = sys_dry_new();
	json_t *d = doc_with("wg_clients.clients", "[{\"id\": 1, \"name\": \"site\", "
			     "\"private_key\": \"yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04=\", "
			     "\"addresses\": [\"10.77.0.2/32\"], \"public_key\": "
			     "\"ySvXw64LcpJK5TOaT7J5wDBBglcjrppg9h7yN6bL5x4=\", \"allowed_ips\": "
			     "[\"0.0.0.0/0\"], \"endpoint\": \"198.51.100.1:51820\"}]");
	struct feature_env env = { .sys = sys };
	struct feature_ctx ctx = { .env = &env };

	put(d, "routes.policy", "[{\"id\": 1, \"name\": \"a\", \"source\": [\"192.168.1.20\"],"
	    " \"interface\": \"wgc_site\"}]");
	schema_fill_defaults(d);
	T_CHECK(valid(json_incref(d)));
	ctx.doc = d;
	ctx.boot = true;
	T_CHECK(f->apply(&ctx) == 0);
	T_CHECK(strstr(sys->journal.s, "net ip -4 route replace default dev wgc_site table 1066 "
			"metric 0 proto 209\n"));
	T_CHECK(strstr(sys->journal.s, "net ip -4 rule add pref 9066 fwmark 0x4200/0xff00 "
			"lookup 1066\n"));
	if (t_cur_failed)
		fprintf(stderr, "%s", sys->journal.s);
	free(ctx.err);
	put(d, "routes.policy[1].interface", "\"wgc_other\"");
	T_CHECK(has_error(d, "routes.policy[1].interface", "routes.policy[1].interface: wgc_other "
			  "is neither \"wan\" nor the device of a custom interface in zone wan nor "
			  "a WireGuard client's (wgc_<name>)"));
	sys_free(sys);
}

/* The firewall's table gets the policy sets and marks through the nft hook. */
static void test_nft_hook(void)
{
	json_t *d = doc_with("routes.policy", "[{\"id\": 1, \"name\": \"a\", \"domains\": "
			     "[\"example.com\"], \"interface\": \"wan\"}]");
	struct feature_env env = { 0 };
	struct feature_ctx ctx = { .env = &env, .doc = d };
	struct feature_nft parts;

	feature_nft_collect(&ctx, &parts);
	T_CHECK(strstr(parts.slot[NFT_SETS].s, "\tset dyn_pbr1 {\n") != NULL);
	T_CHECK(strstr(parts.slot[NFT_MARK_PREROUTING].s, "@dyn_pbr1") != NULL);
	feature_nft_free(&parts);
	json_decref(d);
}

/* The policy table of "wan" follows the router of the WAN's DHCP lease,
 * as the lease events tell it; without a lease it stays empty. */
static void test_wan_lease_events(void)
{
	struct sys *sys = sys_dry_new();
	json_t *d = doc_with("routes.policy", "[{\"id\": 1, \"name\": \"a\", \"source\": "
			     "[\"192.168.1.21\"], \"interface\": \"wan\"}]");
	struct engine eng = { .running = d };
	struct feature_env env = { .sys = sys, .engine = &eng };
	json_t *lease = json_pack("{s:s, s:s, s:[s], s:[]}", "interface", "wan0", "ip",
				  "198.51.100.7", "routers", "198.51.100.1", "dns");
	json_t *lost = json_pack("{s:s}", "interface", "wan0");
	const struct feature *f = feature_find("routes");
	struct feature_ctx ctx = { .env = &env, .doc = d };

	feature_emit(&env, EV_WAN_LEASE, lease);
	T_CHECK(strstr(sys->journal.s, "net ip -4 route replace default via 198.51.100.1 dev wan0 "
			"table 1001 metric 0 proto 209\n") != NULL);
	T_CHECK(strstr(sys->journal.s, "lookup 1001\n") != NULL);
	/* the lease ends: an apply leaves the table without a route */
	feature_emit(&env, EV_WAN_LEASE_LOST, lost);
	sys->journal.len = 0;
	sys->journal.s[0] = '\0';
	T_CHECK(f->apply(&ctx) == 0);
	T_CHECK(strstr(sys->journal.s, "via 198.51.100.1") == NULL);
	if (t_cur_failed)
		fprintf(stderr, "%s", sys->journal.s);
	free(ctx.err);
	json_decref(lease);
	json_decref(lost);
	json_decref(d);
	sys_free(sys);
}

/* The status reads what the kernel holds of ours by netlink, every call:
 * nothing of protocol 209 on a machine where difos installed nothing. */
static void test_in_force_by_netlink(void)
{
	json_t *a = routes_in_force(), *r;
	size_t i;

	T_CHECK(a != NULL && json_is_array(json_object_get(a, "routes")) &&
		json_is_array(json_object_get(a, "rules")));
	json_array_foreach(json_object_get(a, "routes"), i, r)
		T_CHECK_STR(json_string_value(json_object_get(r, "protocol")), "209");
	json_decref(a);
}

int main(void)
{
	feature_schema_init();
	T_RUN(test_static_rules);
	T_RUN(test_policy_rules);
	T_RUN(test_dnsmasq_lines);
	T_RUN(test_sets_follow_domains);
	T_RUN(test_apply_commands);
	T_RUN(test_nft_hook);
	T_RUN(test_policy_through_wg_client);
	T_RUN(test_wan_lease_events);
	T_RUN(test_in_force_by_netlink);
	return t_done("routes");
}
