/*
 * Unit tests of the custom interfaces (Network Settings › Interfaces): the
 * rules of their section, and what the applier asks of the kernel through
 * the engine on the dry backend, one apply after another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "t_engine.h"
#include "t_json.h"
#include "t_schema.h"

static const char uplink2[] =
	"[{\"id\": 1, \"name\": \"uplink2\", \"device\": \"wan1\", \"zone\": \"wan\","
	" \"ipv4_address\": \"203.0.113.2/24\", \"ipv4_gateway\": \"203.0.113.1\"}]";

static const char dmz[] =
	"[{\"id\": 1, \"name\": \"dmz\", \"device\": \"eth5\", \"zone\": \"lan\","
	" \"ipv4_address\": \"10.5.0.1/24\"}]";

/* The rules of the section that the integration tests do not reach. */
static void test_interface_rules(void)
{
	T_CHECK(valid(doc_with("interfaces.custom", uplink2)));
	T_CHECK(has_error(doc_with("interfaces.custom",
				   "[{\"id\": 1, \"name\": \"a\", \"device\": \"eth2\", \"zone\": \"wan\","
				   " \"ipv4_address\": \"203.0.113.2/24\", \"ipv4_gateway\": \"203.0.114.1\"}]"),
			  "interfaces.custom[1].ipv4_gateway",
			  "interfaces.custom[1].ipv4_gateway: 203.0.114.1 is outside the interface's "
			  "network 203.0.113.0/24"));
	T_CHECK(has_error(doc_with("interfaces.custom",
				   "[{\"id\": 1, \"name\": \"a\", \"device\": \"eth2\", \"zone\": \"wan\","
				   " \"ipv4_address\": \"203.0.113.0/24\"}]"),
			  "interfaces.custom[1].ipv4_address",
			  "interfaces.custom[1].ipv4_address: 203.0.113.0/24 is the network address of "
			  "203.0.113.0/24, not a host address"));
	T_CHECK(has_error(doc_with("interfaces.custom",
				   "[{\"id\": 1, \"name\": \"a\", \"device\": \"eth2\", \"zone\": \"lan\","
				   " \"ipv4_address\": \"192.168.1.7/16\"}]"),
			  "interfaces.custom[1].ipv4_address",
			  "interfaces.custom[1].ipv4_address: 192.168.1.7/16 overlaps the LAN network "
			  "192.168.1.0/24"));
	T_CHECK(has_error(doc_with("interfaces.custom",
				   "[{\"id\": 1, \"name\": \"a\", \"device\": \"lan0\", \"zone\": \"lan\"}]"),
			  "interfaces.custom[1].device",
			  "interfaces.custom[1].device: lan0 is already a device of the LAN"));
	T_CHECK(has_error(doc_with("interfaces.custom",
				   "[{\"id\": 1, \"name\": \"Trunk\", \"device\": \"eth2\", \"zone\": \"wan\"},"
				   " {\"id\": 2, \"name\": \"trunk\", \"device\": \"eth2\", \"zone\": \"wan\"}]"),
			  "interfaces.custom[2].name",
			  "interfaces.custom[2].name: trunk is already used by interfaces.custom[1]"));
	T_CHECK(has_error(doc_with("interfaces.custom",
				   "[{\"id\": 1, \"name\": \"a\", \"device\": \"eth2\", \"zone\": \"wan\"},"
				   " {\"id\": 2, \"name\": \"b\", \"device\": \"eth2\", \"zone\": \"wan\"}]"),
			  "interfaces.custom[2].device",
			  "interfaces.custom[2].device: eth2 is already used by interfaces.custom[1]"));
}

/* Applies the running document with one change; the journal mark before it. */
static size_t apply_with(const char *path, const char *value)
{
	json_t *d = json_deep_copy(eng.running);
	struct apply_result res;
	size_t m = jmark();

	put(d, path, value);
	T_CHECK(engine_apply(&eng, d, "test", NULL, 0, &res) == 0);
	if (res.message)
		fprintf(stderr, "    apply: %s\n", res.message);
	apply_result_free(&res);
	json_decref(d);
	return m;
}

/* A new interface: link up, no address but its own. */
static void test_add(void)
{
	size_t m;

	T_CHECK(engine_boot(&eng) == 0);
	m = apply_with("interfaces.custom", dmz);
	T_CHECK(jhas_line_start(m, "net ip link set dev eth5 up\n"));
	T_CHECK(jhas_line_start(m, "net ip -4 addr flush dev eth5\n"));
	T_CHECK(jhas_line_start(m, "net ip addr replace 10.5.0.1/24 dev eth5\n"));
	T_CHECK(jfind(m, "addr flush dev eth5") < jfind(m, "addr replace 10.5.0.1/24"));
	if (t_cur_failed)
		dump_journal(m);
}

/* A new address: set before the old one goes, so the device is never
 * without one; the kernel keeps the new one when the old primary goes. */
static void test_readdress(void)
{
	size_t m = apply_with("interfaces.custom[1].ipv4_address", "\"10.5.0.2/24\"");

	T_CHECK(jhas_line_start(m, "write /proc/sys/net/ipv4/conf/eth5/promote_secondaries 1\n"));
	T_CHECK(jhas_line_start(m, "net ip addr replace 10.5.0.2/24 dev eth5\n"));
	T_CHECK(jhas_line_start(m, "net ip addr del 10.5.0.1/24 dev eth5\n"));
	T_CHECK(jfind(m, "addr replace 10.5.0.2/24") < jfind(m, "addr del 10.5.0.1/24"));
	T_CHECK(!jhas(m, "addr flush"));
	if (t_cur_failed)
		dump_journal(m);
}

/* Disabled: its address goes and its link goes down. */
static void test_disable(void)
{
	size_t m = apply_with("interfaces.custom[1].enabled", "false");

	T_CHECK(jhas_line_start(m, "net ip addr del 10.5.0.2/24 dev eth5\n"));
	T_CHECK(jhas_line_start(m, "net ip link set dev eth5 down\n"));
	if (t_cur_failed)
		dump_journal(m);
	apply_with("interfaces.custom[1].enabled", "true");
}

/* The LAN takes the device over in the same change: the interface's
 * address goes, but the link stays up (it is a bridge member now). */
static void test_lan_takes_device(void)
{
	json_t *d = json_deep_copy(eng.running);
	struct apply_result res;
	size_t m = jmark();

	put(d, "interfaces.custom", "[]");
	put(d, "lan.interfaces", "[\"lan0\", \"eth5\"]");
	T_CHECK(engine_apply(&eng, d, "test", NULL, 0, &res) == 0);
	apply_result_free(&res);
	json_decref(d);
	T_CHECK(jhas_line_start(m, "net ip link set dev eth5 master br-lan\n"));
	T_CHECK(jhas_line_start(m, "net ip addr del 10.5.0.2/24 dev eth5\n"));
	T_CHECK(!jhas(m, "dev eth5 down"));
	if (t_cur_failed)
		dump_journal(m);
}

int main(void)
{
	t_engine_open();
	T_RUN(test_interface_rules);
	T_RUN(test_add);
	T_RUN(test_readdress);
	T_RUN(test_disable);
	T_RUN(test_lan_takes_device);
	t_engine_close();
	return t_done("interfaces");
}
