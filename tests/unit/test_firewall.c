/*
 * Unit tests of the firewall's loader helpers: which changes of the
 * structure need nft's check before the load.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "core/util.h"
#include "features/firewall/ruleset/firewall.h"

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

int main(void)
{
	T_RUN(test_chain_rules_only);
	T_RUN(test_other_changes_need_the_check);
	return t_done("unit-firewall");
}
