/*
 * WAN by PPPoE on the dry backend: its rules (what pppd's options cannot
 * carry, what is required), and what its applier does: pppd started with
 * the options file, the password only in the 0600 secrets file, the port's
 * MTU for RFC 4638 and back, pppd stopped and the port's MTU restored when
 * the WAN turns to DHCP again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/root.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/store.h"
#include "t.h"
#include "t_engine.h"
#include "t_json.h"

static json_t *with_wan(const char *ipv4)
{
	json_t *d = json_deep_copy(eng.running);

	put(d, "wan.ipv4", ipv4);
	return d;
}

/* the first error's message of doc, or "" */
static char *first_error(const json_t *doc)
{
	struct sc_error_list errs;
	char *m;

	sc_errors_init(&errs);
	schema_validate(doc, &errs);
	m = xstrdup(errs.n ? errs.v[0].message : "");
	sc_errors_free(&errs);
	return m;
}

static void test_rules(void)
{
	static const struct {
		const char *ipv4, *says;
	} bad[] = {
		{ "{\"proto\": \"pppoe\", \"password\": \"pw\"}",
		  "wan.ipv4.username: is required when wan.ipv4.proto is pppoe" },
		{ "{\"proto\": \"pppoe\", \"username\": \"\", \"password\": \"pw\"}",
		  "wan.ipv4.username: \"\" is required when wan.ipv4.proto is pppoe" },
		{ "{\"proto\": \"pppoe\", \"username\": \"al\\\"ice\", \"password\": \"pw\"}",
		  "wan.ipv4.username: al\"ice holds a double quote, which pppd's options cannot carry" },
		{ "{\"proto\": \"pppoe\", \"username\": \"a\\\\b\", \"password\": \"pw\"}",
		  "wan.ipv4.username: a\\b holds a backslash, which pppd's options cannot carry" },
		{ "{\"proto\": \"pppoe\", \"username\": \"alice\"}",
		  "wan.ipv4.password: is required when wan.ipv4.proto is pppoe" },
		{ "{\"proto\": \"pppoe\", \"username\": \"alice\", \"password\": \"pw\", \"mtu\": 1000000}",
		  "wan.ipv4.mtu: 1000000 is above the maximum 1500" },
		{ "{\"proto\": \"pppoe\", \"username\": \"alice\", \"password\": \"pw\", \"mtu\": 1279}",
		  "wan.ipv4.mtu: 1279 is below the minimum 1280" },
		{ "{\"proto\": \"pppoe\", \"username\": \"alice\", \"password\": \"pw\", "
		  "\"ac_name\": \"x\\\"y\"}",
		  "wan.ipv4.ac_name: x\"y holds a double quote, which pppd's options cannot carry" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *d = with_wan(bad[i].ipv4);
		char *m = first_error(d);

		T_CHECK_STR(m, bad[i].says);
		free(m);
		json_decref(d);
	}
}

static char *active(const char *name, unsigned *mode)
{
	char *p = xasprintf("%s/run/difos/active/wan/%s", t_root, name), *text;
	struct stat sb;

	text = file_read(p, NULL);
	*mode = stat(p, &sb) == 0 ? (unsigned)(sb.st_mode & 07777) : 0;
	free(p);
	return text;
}

static void test_apply(void)
{
	json_t *doc = with_wan("{\"proto\": \"pppoe\", \"username\": \"alice\", "
			       "\"password\": \"correct horse\", \"mtu\": 1500}");
	struct apply_result res;
	size_t m = jmark();
	unsigned mode;
	char *want, *text;

	T_CHECK(engine_apply(&eng, doc, "tester", "pppoe", 0, &res) == 0);
	apply_result_free(&res);
	want = xasprintf("start pppd file %s/run/difos/active/wan/pppoe.options", t_root);
	T_CHECK(jhas_line_start(m, want));
	free(want);
	T_CHECK(jhas_line_start(m, "net ip link set dev wan0 mtu 1508\n"));
	T_CHECK(!jhas(m, "correct horse"));
	text = active("pppoe.secrets", &mode);
	T_CHECK_STR(text, "alice\ncorrect horse\n");
	T_CHECK(mode == 0600);
	free(text);
	text = active("pppoe.options", &mode);
	T_CHECK(text && !strstr(text, "correct horse") && strstr(text, "\nuser \"alice\"\n"));
	free(text);
	json_decref(doc);

	/* DHCP again: pppd goes, udhcpc comes, the port is Ethernet's again */
	doc = with_wan("{\"proto\": \"dhcp\"}");
	m = jmark();
	T_CHECK(engine_apply(&eng, doc, "tester", "dhcp", 0, &res) == 0);
	apply_result_free(&res);
	T_CHECK(jhas_line_start(m, "net ip link set dev wan0 mtu 1500\n"));
	T_CHECK(jhas_line_start(m, "start busybox udhcpc "));
	T_CHECK(!sv_running("pppd"));
	if (t_cur_failed)
		dump_journal(m);
	json_decref(doc);
}

int main(void)
{
	t_engine_open();
	if (engine_boot(&eng) < 0) {
		fprintf(stderr, "the engine does not boot\n");
		return 1;
	}
	T_RUN(test_rules);
	T_RUN(test_apply);
	t_engine_close();
	return t_done("wan_pppoe");
}
