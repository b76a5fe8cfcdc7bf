/*
 * The LAN's and the WAN's IPv6 on the dry backend: the prefix arithmetic
 * (ULA, the /64 of a delegated prefix), the settings' refusals, the
 * appliers' commands, the generated ULA's revision, and the delegated
 * prefix followed by the LAN with RFC 9096's deprecation (also after a
 * restart).
 */
#include <time.h>

#include "config/methods.h"
#include "features/network/lan/lan6.h"
#include "store/doc.h"
#include "store/jpath.h"
#include "t.h"
#include "t_engine.h"

static void test_ula_text_and_checks(void)
{
	const unsigned char g[5] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	char text[64];

	lan6_ula_text(g, text, sizeof(text));
	T_CHECK_STR(text, "fd12:3456:789a::/48");
	T_CHECK(lan6_ula_problem(text) == NULL);
	T_CHECK(lan6_ula_problem("fc00:1:2::/48") == NULL);
	T_CHECK(lan6_ula_problem("fd00:1:2:3::/64") == NULL);
	T_CHECK(strstr(lan6_ula_problem("2001:db8::/48"), "outside fc00::/7"));
	T_CHECK(strstr(lan6_ula_problem("fe80::/48"), "outside fc00::/7"));
	T_CHECK(strstr(lan6_ula_problem("fd12::/40"), "48 to 64"));
	T_CHECK(strstr(lan6_ula_problem("fd12::/72"), "48 to 64"));
	T_CHECK(strstr(lan6_ula_problem("fd12::1/48"), "bits set"));
	T_CHECK(strstr(lan6_ula_problem("fd12::"), "48 to 64"));
	T_CHECK(strstr(lan6_ula_problem("banana"), "not an IPv6 prefix"));
	T_CHECK(strstr(lan6_ula_problem("192.168.1.0/24"), "not an IPv6 prefix"));
}

static void test_generated_ula_is_random_and_local(void)
{
	char *a = lan6_ula_generate(), *b = lan6_ula_generate();

	/* JSON text of an fd00::/8 /48; two in a row differ (40 random bits) */
	T_CHECK(a[0] == '"' && !strncmp(a + 1, "fd", 2) && strstr(a, "::/48\""));
	T_CHECK(strcmp(a, b) != 0);
	a[strlen(a) - 1] = '\0';
	T_CHECK(lan6_ula_problem(a + 1) == NULL);
	free(a);
	free(b);
}

static char *sub64(const char *prefix, unsigned long subnet)
{
	struct net_prefix p, out;
	char text[64];

	if (net_prefix_parse(prefix, 6, true, &p) != NET_OK || !lan6_subnet64(&p, subnet, &out))
		return xstrdup("none");
	net_prefix_text(&out, true, text, sizeof(text));
	return xstrdup(text);
}

static void test_subnet64(void)
{
	char *t;
	struct net_prefix p;
	char addr[64];

#define SUB(prefix, n, want) t = sub64(prefix, n); T_CHECK_STR(t, want); free(t)
	SUB("2001:db8:100::/56", 0, "2001:db8:100::/64");
	SUB("2001:db8:100::/56", 5, "2001:db8:100:5::/64");
	SUB("2001:db8:100::/56", 255, "2001:db8:100:ff::/64");
	SUB("2001:db8:100::/56", 256, "none");          /* 8 bits only */
	SUB("2001:db8:100::/48", 0xabcd, "2001:db8:100:abcd::/64");
	SUB("2001:db8:100:10::/60", 3, "2001:db8:100:13::/64");
	SUB("2001:db8:100:10::/60", 16, "none");
	SUB("2001:db8:1:2::/64", 0, "2001:db8:1:2::/64");
	SUB("2001:db8:1:2::/64", 1, "none");
	SUB("2001:db8:1:2::/80", 0, "none");            /* longer than a /64 */
	/* host bits of the delegated text are cleared */
	SUB("2001:db8:100::99/56", 1, "2001:db8:100:1::/64");
#undef SUB
	net_prefix_parse("2001:db8:100:5::/64", 6, true, &p);
	lan6_router_addr(&p, addr, sizeof(addr));
	T_CHECK_STR(addr, "2001:db8:100:5::1/64");
	T_CHECK(lan6_deprecated_valid(600) == 600);
	T_CHECK(lan6_deprecated_valid(86400) == LAN6_VALID_LIMIT);
}

/* The messages of a document with one value changed. */
static char *errors_of(const char *path, const char *json_value)
{
	json_t *doc = schema_defaults(), *v = json_loads(json_value, JSON_DECODE_ANY, NULL);
	struct sc_error_list errs;
	struct jpath jp;
	struct sbuf b;

	jpath_parse(path, &jp);
	jpath_set(doc, &jp, v);
	sc_errors_init(&errs);
	schema_validate(doc, &errs);
	sbuf_init(&b);
	for (size_t i = 0; i < errs.n; i++)
		sbuf_printf(&b, "%s\n", errs.v[i].message);
	sbuf_add(&b, "");
	sc_errors_free(&errs);
	json_decref(doc);
	return sbuf_steal(&b);
}

static void test_settings_refused_naming_field_and_value(void)
{
	char *e;

	e = errors_of("lan.ipv6.ula", "\"2001:db8::/48\"");
	T_CHECK(strstr(e, "lan.ipv6.ula: 2001:db8::/48 is outside fc00::/7"));
	free(e);
	e = errors_of("wan.ipv6.pd_length", "65");
	T_CHECK(strstr(e, "wan.ipv6.pd_length") && strstr(e, "65"));
	free(e);
	e = errors_of("wan.ipv6.pd_length", "47");
	T_CHECK(strstr(e, "wan.ipv6.pd_length: 47 must be 48 to 64"));
	free(e);
	e = errors_of("wan.ipv6.pd_length", "0");
	T_CHECK_STR(e, "");
	free(e);
	e = errors_of("lan.ipv6.mode", "\"stateful\"");
	T_CHECK(strstr(e, "lan.ipv6.mode") && strstr(e, "stateful"));
	free(e);
	e = errors_of("wan.ipv6.proto", "\"static\"");
	T_CHECK(strstr(e, "wan.ipv6.address: is required when wan.ipv6.proto is static"));
	T_CHECK(strstr(e, "wan.ipv6.gateway: is required"));
	free(e);
}

static void test_ula_made_once_as_revision_1(void)
{
	long long rev = store_running(st);
	json_t *doc, *info;
	char *meta;

	T_CHECK(rev == 0);
	T_CHECK(config_generated_init(st) == 0);
	T_CHECK(store_running(st) == 1);
	info = store_revision_info(st, 1);
	T_CHECK_STR(doc_str(info, "comment"), "generated at first start: lan.ipv6.ula, wg_server.private_key");
	json_decref(info);
	doc = store_revision_doc(st, 1);
	meta = store_meta_get(st, "generated:lan.ipv6.ula");
	T_CHECK(meta && doc_str(doc, "lan.ipv6.ula") && strstr(meta, doc_str(doc, "lan.ipv6.ula")));
	json_decref(doc);
	/* again (a restart): nothing new */
	T_CHECK(config_generated_init(st) == 0);
	T_CHECK(store_latest(st) == 1);
	/* it is the field's default now: revision 0 read back, a reset section */
	doc = schema_defaults();
	T_CHECK(meta && strstr(meta, doc_str(doc, "lan.ipv6.ula")));
	json_decref(doc);
	free(meta);
}

static void test_apply_by_mode(void)
{
	size_t m;
	json_t *doc;

	T_CHECK(engine_boot(&eng) == 0);
	doc = json_deep_copy(eng.running);
	/* the default mode: RA with M and O, the ULA on the LAN, DHCPv6 client on the WAN */
	T_CHECK(jhas(0, "difos-ra6 --interface br-lan --managed --other --rdnss fd"));
	T_CHECK(jhas(0, "write /proc/sys/net/ipv6/conf/br-lan/accept_ra 0"));
	T_CHECK(jhas(0, "write /proc/sys/net/ipv6/conf/wan0/accept_ra 2"));
	T_CHECK(jhas(0, "dhclient -6 -d -N --dad-wait-time 10 -P --prefix-len-hint 56"));
	T_CHECK(jhas(0, "-sf /usr/libexec/difos/difos-dhcp6-event -e DIFOS_SOCKET=/run/difos/control.sock wan0"));
	T_CHECK(jhas(0, "::1/64 dev br-lan"));

	/* relay: difos-relay6 instead of difos-ra6, the ULA off the LAN, the
	 * relay's replies let in */
	m = jmark();
	json_object_set_new(json_object_get(json_object_get(doc, "lan"), "ipv6"), "mode",
			    json_string("hybrid"));
	{
		struct apply_result res;
		T_CHECK(engine_apply(&eng, doc, "test", NULL, 0, &res) == 0);
		apply_result_free(&res);
	}
	T_CHECK(jhas(m, "difos-relay6 --upstream wan0 --downstream br-lan --ra --ndp --hybrid"));
	T_CHECK(jhas(m, "ip addr del fd"));
	{
		char *path = root_path("/run/difos/active/firewall/ruleset.nft");
		char *text = file_read(path, NULL);
		T_CHECK(text && strstr(text, "udp sport 547 udp dport 547 accept"));
		free(text);
		free(path);
	}
	/* back to the default for what follows */
	m = jmark();
	json_object_set_new(json_object_get(json_object_get(doc, "lan"), "ipv6"), "mode",
			    json_string("slaac_dhcpv6"));
	{
		struct apply_result res;
		T_CHECK(engine_apply(&eng, doc, "test", NULL, 0, &res) == 0);
		apply_result_free(&res);
	}
	T_CHECK(jhas(m, "difos-ra6 --interface br-lan"));
	json_decref(doc);
}

static json_t *prefix_event(const char *prefix, int len, long long preferred, long long valid)
{
	return json_pack("{s:s, s:[{s:s, s:i, s:I, s:I}], s:[], s:[]}", "interface", "wan0",
			 "prefixes", "prefix", prefix, "length", len, "preferred",
			 (json_int_t)preferred, "valid", (json_int_t)valid, "addresses", "dns");
}

static void test_delegated_prefix_followed_and_deprecated(void)
{
	json_t *ev;
	size_t m = jmark();

	ev = prefix_event("2001:db8:100::", 56, 300, 600);
	feature_emit(&eng.env, EV_WAN_PREFIX, ev);
	json_decref(ev);
	T_CHECK(jhas(m, "ip addr replace 2001:db8:100::1/64 dev br-lan preferred_lft 300 valid_lft 600"));

	/* another prefix: the new /64 added, the old one deprecated (preferred 0,
	 * what it has left) in the same step */
	m = jmark();
	ev = prefix_event("2001:db8:200::", 56, 300, 600);
	feature_emit(&eng.env, EV_WAN_PREFIX, ev);
	json_decref(ev);
	T_CHECK(jhas(m, "ip addr replace 2001:db8:200::1/64 dev br-lan preferred_lft 300 valid_lft 600"));
	T_CHECK(jhas(m, "ip addr replace 2001:db8:100::1/64 dev br-lan preferred_lft 0 valid_lft 60"));

	/* lost: the current one deprecated too */
	m = jmark();
	ev = json_pack("{s:s}", "interface", "wan0");
	feature_emit(&eng.env, EV_WAN_PREFIX_LOST, ev);
	json_decref(ev);
	T_CHECK(jhas(m, "ip addr replace 2001:db8:200::1/64 dev br-lan preferred_lft 0 valid_lft 60"));
	T_CHECK(!jhas(m, "2001:db8:100::1/64"));   /* already deprecated: left alone */

	/* kept under the state directory for the next start */
	{
		char *path = root_path("/var/lib/difos/lan/prefix6.json");
		char *text = file_read(path, NULL);
		T_CHECK(text && strstr(text, "2001:db8:200::/64") && strstr(text, "deprecated"));
		free(text);
		free(path);
	}
}

static void test_prefix_of_the_ra(void)
{
	json_t *st6 = lan6_pd_status();

	T_CHECK(json_array_size(st6) == 2);
	json_decref(st6);
}

int main(void)
{
	t_engine_open();
	T_RUN(test_ula_text_and_checks);
	T_RUN(test_generated_ula_is_random_and_local);
	T_RUN(test_subnet64);
	T_RUN(test_settings_refused_naming_field_and_value);
	T_RUN(test_ula_made_once_as_revision_1);
	T_RUN(test_apply_by_mode);
	T_RUN(test_delegated_prefix_followed_and_deprecated);
	T_RUN(test_prefix_of_the_ra);
	t_engine_close();
	return t_done("ipv6");
}
