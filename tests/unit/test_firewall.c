/*
 * Unit tests of the firewall's loader helpers: which changes of the
 * structure need nft's check before the load; and the country list update
 * as a background job of the system backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/util.h"
#include "features/firewall/ruleset/firewall.h"
#include "rpc/rpc.h"
#include "schema/schema.h"
#include "t.h"
#include "t_json.h"
#include "t_schema.h"

static const char base[] =
	"table inet difos {\n"
	"\tset a4_office {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n"
	"\tmap v_forward_wan_lan_1 {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t}\n"
	"\n\tchain reject_packet {\n\t\treject with icmpx admin-prohibited\n\t}\n"
	"\n\tchain forward_wan_lan {\n\t\tip saddr @a4_office tcp dport 22 accept\n"
	"\t\tip daddr . meta l4proto . th dport vmap @v_forward_wan_lan_1\n\t}\n"
	"\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n"
	"\t\tiifname . oifname vmap { \"wan0\" . \"br-lan\" : jump forward_wan_lan }\n\t}\n"
	"}\n";

/* base with one substitution */
static char *edited(const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t n = (size_t)(at - base);

	return xasprintf("%.*s%s%s", (int)n, base, to, at + strlen(from));
}

static void test_chain_rules_only(void)
{
	char *now = edited("tcp dport 22 accept", "tcp dport 2222 accept");
	char *dispatch = edited("jump forward_wan_lan }", "jump forward_wan_lan, \"wan1\" . \"br-lan\" : jump forward_wan_lan }");

	/* rules of a chain, even of a base chain: the load is checked whole by the kernel */
	T_CHECK(fw_only_chains_differ(now, base));
	T_CHECK(fw_only_chains_differ(dispatch, base));
	T_CHECK(fw_only_chains_differ(base, base));
	free(now);
	free(dispatch);
}

static void test_other_changes_need_the_check(void)
{
	char *set_changed = edited("flags interval", "flags interval,timeout");
	char *map_changed = edited("inet_proto . inet_service : verdict", "inet_service : verdict");
	char *chain_added = edited("\t}\n}\n", "\t}\n\n\tchain extra {\n\t\taccept\n\t}\n}\n");
	char *chain_gone = edited("\n\tchain reject_packet {\n\t\treject with icmpx admin-prohibited\n\t}\n",
				  "");
	char *hook_changed = edited("policy drop;", "policy accept;");

	T_CHECK(!fw_only_chains_differ(set_changed, base));
	T_CHECK(!fw_only_chains_differ(map_changed, base));
	T_CHECK(!fw_only_chains_differ(chain_added, base));
	T_CHECK(!fw_only_chains_differ(chain_gone, base));
	T_CHECK(!fw_only_chains_differ(hook_changed, base));
	/* nothing accepted yet: everything is checked */
	T_CHECK(!fw_only_chains_differ(base, NULL));
	free(set_changed);
	free(map_changed);
	free(chain_added);
	free(chain_gone);
	free(hook_changed);
}

/* The download runs through the backend's job, so the dry backend sees it
 * (and, downloading nothing, the update reports every list missing). */
static void test_update_lists_job(void)
{
	char state[] = "/tmp/difos-test-firewall-XXXXXX";
	struct sys *sys = sys_dry_new();
	json_t *d = schema_defaults(), *res, *err = NULL;
	struct engine eng = { 0 };
	struct feature_env env = { .sys = sys, .loop = uv_default_loop(), .engine = &eng };
	char *want;

	T_CHECK(mkdtemp(state) != NULL);
	env.paths.state = state;
	put(d, "firewall.ip_aliases", "[{\"id\": 1, \"name\": \"geo\", \"type\": \"automated\","
	    " \"countries\": [\"br\"]}]");
	schema_fill_defaults(d);
	eng.running = d;
	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->methods)
			rpc_register(feature_table[i]->methods);
	rpc_set_env(&env);
	res = rpc_invoke("firewall.update_lists", NULL, "tester", &err);
	T_CHECK(res != NULL && err == NULL);
	want = xasprintf("job curl -fsSL --max-time 60 --max-filesize 33554432 --proto =https,http "
			 "--parallel --parallel-max 8 -o %s/lists/countries/.br.v4.new "
			 "https://www.ipdeny.com/ipblocks/data/aggregated/br-aggregated.zone", state);
	T_CHECK(strstr(sys->journal.s, want) != NULL);
	T_CHECK(json_is_false(json_object_get(res, "running")));
	T_CHECK(json_array_size(json_object_get(res, "failed")) == 2);
	T_CHECK(json_is_false(json_object_get(res, "applied")));
	if (t_cur_failed)
		fprintf(stderr, "%s\n", sys->journal.s);
	rpc_set_env(NULL);
	free(want);
	json_decref(res);
	json_decref(err);
	json_decref(d);
	sys_free(sys);
	rm_rf(state);
}

/* A forward goes to a host of a LAN network: the LAN's or an enabled
 * custom interface's in zone lan; not the router, a network's broadcast,
 * or elsewhere. */
static json_t *forward_to(const char *ip)
{
	json_t *d = doc_with("interfaces.custom",
			     "[{\"id\": 1, \"name\": \"guests\", \"device\": \"eth2\", \"zone\": \"lan\","
			     " \"ipv4_address\": \"10.9.0.1/24\"},"
			     " {\"id\": 2, \"name\": \"off\", \"device\": \"eth3\", \"zone\": \"lan\","
			     " \"enabled\": false, \"ipv4_address\": \"10.8.0.1/24\"},"
			     " {\"id\": 3, \"name\": \"up2\", \"device\": \"eth4\", \"zone\": \"wan\","
			     " \"ipv4_address\": \"203.0.113.2/24\"}]");
	char *v = xasprintf("[{\"id\": 7, \"proto\": \"tcp\", \"wan_port\": \"2222\","
			    " \"lan_ip\": \"%s\"}]", ip);

	put(d, "firewall.port_forwards", v);
	free(v);
	schema_fill_defaults(d);
	return d;
}

static void test_forward_target(void)
{
	const char *p = "firewall.port_forwards[7].lan_ip";

	T_CHECK(valid(forward_to("192.168.1.143")));
	T_CHECK(valid(forward_to("10.9.0.7")));
	T_CHECK(has_error(forward_to("192.168.1.1"), p, "firewall.port_forwards[7].lan_ip: 192.168.1.1 "
			  "is the router's own address: a forward goes to a LAN host (open a port of the "
			  "router with a traffic rule to the router)"));
	T_CHECK(has_error(forward_to("10.9.0.1"), p, "firewall.port_forwards[7].lan_ip: 10.9.0.1 "
			  "is the router's own address: a forward goes to a LAN host (open a port of the "
			  "router with a traffic rule to the router)"));
	T_CHECK(has_error(forward_to("10.9.0.255"), p, "firewall.port_forwards[7].lan_ip: 10.9.0.255 "
			  "is not a host address of 10.9.0.0/24"));
	T_CHECK(has_error(forward_to("10.8.0.5"), p, "firewall.port_forwards[7].lan_ip: 10.8.0.5 "
			  "is outside the LAN 192.168.1.0/24 and the LAN interfaces: a forward goes to "
			  "a LAN host"));
	T_CHECK(has_error(forward_to("203.0.113.9"), p, "firewall.port_forwards[7].lan_ip: 203.0.113.9 "
			  "is outside the LAN 192.168.1.0/24 and the LAN interfaces: a forward goes to "
			  "a LAN host"));
}

int main(void)
{
	feature_schema_init();
	T_RUN(test_chain_rules_only);
	T_RUN(test_other_changes_need_the_check);
	T_RUN(test_update_lists_job);
	T_RUN(test_forward_target);
	return t_done("unit-firewall");
}
