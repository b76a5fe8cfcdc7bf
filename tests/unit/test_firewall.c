/*
 * Unit tests of the firewall's loader helpers: which part of a changed
 * structure nft is asked to check.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "core/util.h"
#include "features/firewall/firewall.h"

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

static void test_reduce_changed_chain_only(void)
{
	char *now = edited("tcp dport 22 accept", "tcp dport 2222 accept");
	char *part = fw_check_reduce(now, base);

	T_CHECK(part != NULL);
	if (part) {
		/* the changed chain whole, the declarations it uses */
		T_CHECK(strstr(part, "ip saddr @a4_office tcp dport 2222 accept") != NULL);
		T_CHECK(strstr(part, "\tset a4_office {\n\t\ttype ipv4_addr\n") != NULL);
		T_CHECK(strstr(part, "\tmap v_forward_wan_lan_1 {\n") != NULL);
		/* unchanged chains declared empty; a base chain keeps its hook */
		T_CHECK(strstr(part, "\tchain reject_packet {\n\t}\n") != NULL);
		T_CHECK(strstr(part, "\tchain forward {\n\t\ttype filter hook forward priority filter;"
				     " policy drop;\n\t}\n") != NULL);
		T_CHECK(strstr(part, "jump forward_wan_lan") == NULL);
		T_CHECK(strstr(part, "admin-prohibited") == NULL);
		T_CHECK(!strncmp(part, "table inet difos {\n", 19));
	}
	free(part);
	free(now);
}

static void test_reduce_refuses_other_changes(void)
{
	char *set_changed = edited("flags interval", "flags interval,timeout");
	char *chain_added = edited("}\n", "\n\tchain extra {\n\t}\n}\n");
	char *chain_gone = edited("\n\tchain reject_packet {\n\t\treject with icmpx admin-prohibited\n\t}\n",
				  "");

	/* a declaration changed: every chain using it must be checked */
	T_CHECK(fw_check_reduce(set_changed, base) == NULL);
	T_CHECK(fw_check_reduce(chain_gone, base) == NULL);
	T_CHECK(fw_check_reduce(chain_added, base) == NULL);
	T_CHECK(fw_check_reduce(base, NULL) == NULL);
	free(set_changed);
	free(chain_added);
	free(chain_gone);
}

static void test_reduce_identical(void)
{
	char *part = fw_check_reduce(base, base);

	/* nothing changed: declarations and empty chains only */
	T_CHECK(part && !strstr(part, "tcp dport 22"));
	free(part);
}

int main(void)
{
	T_RUN(test_reduce_changed_chain_only);
	T_RUN(test_reduce_refuses_other_changes);
	T_RUN(test_reduce_identical);
	return t_done("unit-firewall");
}
