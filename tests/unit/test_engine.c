/*
 * Unit tests of the apply engine (engine.c) with the dry system backend
 * and no event loop, under a temporary root. The tests run in order on
 * one engine: each starts from the state the previous one left.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/root.h"
#include "core/util.h"
#include "rpc/rpc.h"
#include "schema/schema.h"
#include "store/doc.h"
#include "store/jpath.h"
#include "store/store.h"
#include "t.h"
#include "t_engine.h"
#include "t_json.h"

/* ---- helpers ---- */

/* The running document with one change. */
static json_t *running_with(const char *path, const char *value)
{
	json_t *d = json_deep_copy(eng.running);

	put(d, path, value);
	return d;
}

static void set_fail(const char *match)
{
	free(sys->fail_match);
	sys->fail_match = match ? xstrdup(match) : NULL;
}

static bool is_kill(const char *line, const void *sig)
{
	int pid, got;
	char end;

	return sscanf(line, "kill %d %d%c", &pid, &got, &end) == 3 && got == *(const int *)sig &&
	       end == '\n';
}

/* A line "kill <pid> <sig>" at or after from. */
static bool jhas_kill(size_t from, int sig)
{
	return jany_line(from, is_kill, &sig);
}

static bool touched_is(const struct apply_result *r, const char *want_text)
{
	json_t *want = J(want_text);
	bool eq = r->touched && json_equal(r->touched, want);

	if (!eq) {
		char *g = r->touched ? json_dumps(r->touched, JSON_COMPACT) : NULL;
		fprintf(stderr, "    touched %s, expected %s\n", g ? g : "(null)", want_text);
		free(g);
	}
	json_decref(want);
	return eq;
}

static const char *rev_state(long long rev)
{
	static char buf[32];
	json_t *info = store_revision_info(st, rev);
	const char *s = json_string_value(json_object_get(info, "state"));

	snprintf(buf, sizeof(buf), "%s", s ? s : "(none)");
	json_decref(info);
	return buf;
}

static char *rev_comment(long long rev)
{
	json_t *info = store_revision_info(st, rev);
	char *c = xstrdup(json_string_value(json_object_get(info, "comment")));

	json_decref(info);
	return c;
}

static char *active_target(void)
{
	char *link = root_path("/run/difos/active"), buf[4096];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);

	free(link);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/* A file of the active generation, e.g. "lan/lan.state". */
static char *active_file(const char *name)
{
	char *target = active_target(), *path, *text;

	if (!target)
		return NULL;
	path = xasprintf("%s/%s", target, name);
	text = file_read(path, NULL);
	free(path);
	free(target);
	return text;
}

static int gen_count(void)
{
	char *dir = root_path("/var/lib/difos/gen");
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	free(dir);
	return n;
}

static const char *feature_state(const char *name)
{
	return json_string_value(json_object_get(json_object_get(eng.features, name), "state"));
}

/* ---- tests ---- */

static void test_boot(void)
{
	size_t m = jmark();
	char *hostname_path = root_path("/etc/hostname"), *text, *target, *gen;
	char *want;

	/* a fresh machine: the bridge does not exist yet (the dry backend
	 * answers every probe with success otherwise) */
	set_fail("ip link show");
	T_CHECK(engine_boot(&eng) == 0);
	set_fail(NULL);
	T_CHECK(eng.running_rev == 0);
	T_CHECK(eng.running != NULL);
	T_CHECK(eng.confirm_rev == 0);

	T_CHECK(jhas(m, "net ip link show dev br-lan"));
	T_CHECK(jhas_line_start(m, "net ip link add name br-lan type bridge\n"));
	T_CHECK(jhas_line_start(m, "net ip link set dev lan0 master br-lan\n"));
	T_CHECK(jhas_line_start(m, "net ip addr add 192.168.1.1/24 dev br-lan\n"));
	T_CHECK(jhas_line_start(m, "net ip link set dev wan0 up\n"));
	T_CHECK(jhas_line_start(m, "start busybox udhcpc -f -S -i wan0 -s "
				   "/usr/libexec/difos/difos-dhcp-event -x hostname:difos"));
	T_CHECK(jhas_line_start(m, "write /proc/sys/net/ipv4/ip_forward 1\n"));
	T_CHECK(jhas_line_start(m, "nft ("));
	/* boot applies without a dry run of the checker */
	T_CHECK(!jhas(m, "--check"));
	want = xasprintf("start dnsmasq --keep-in-foreground --conf-file=%s/run/difos/active/dhcp/dnsmasq.conf\n",
			 t_root);
	T_CHECK(jhas_line_start(m, want));
	free(want);
	/* apply order follows the feature table: lan before firewall before dhcp */
	T_CHECK(jfind(m, "ip link add name br-lan") < jfind(m, "nft ("));
	T_CHECK(jfind(m, "nft (") < jfind(m, "start dnsmasq"));
	if (t_cur_failed)
		dump_journal(m);

	for (size_t i = 0; i < feature_count(); i++)
		T_CHECK_STR(feature_state(feature_table[i]->name), "ok");
	T_CHECK(sv_running("dnsmasq"));
	T_CHECK(sv_running("udhcpc"));

	text = file_read(hostname_path, NULL);
	T_CHECK_STR(text, "difos\n");
	free(text);
	free(hostname_path);

	/* the active link points into the state directory, which holds one generation */
	target = active_target();
	gen = root_path("/var/lib/difos/gen/");
	T_CHECK(target && !strncmp(target, gen, strlen(gen)));
	free(target);
	free(gen);
	T_CHECK(gen_count() == 1);
	text = active_file("lan/lan.state");
	T_CHECK_STR(text, "# LAN state rendered by difos\nbridge br-lan\nmember lan0\n"
			  "address 192.168.1.1/24\nipv6-mode slaac_dhcpv6\ndelegated-subnet 0\n");
	free(text);
	text = active_file("system/hostname");
	T_CHECK_STR(text, "difos\n");
	free(text);
	text = active_file("firewall/ruleset.nft");
	T_CHECK(text && strstr(text, "table inet difos {"));
	free(text);
}

static void test_apply_hostnames_only(void)
{
	json_t *doc = running_with("dhcp.hostnames",
				   "[{\"id\": 1, \"name\": \"nas\", \"ip\": \"192.168.1.5\"}]");
	struct apply_result res;
	size_t m = jmark();
	char *hosts;

	T_CHECK(engine_apply(&eng, doc, "tester", "add nas", 0, &res) == 0);
	T_CHECK(res.revision == 1);
	T_CHECK(res.reason == NULL);
	T_CHECK(touched_is(&res, "[\"dhcp\"]"));
	/* the checker ran on the new files, dnsmasq re-read them on SIGHUP */
	T_CHECK(jhas_line_start(m, "run dnsmasq --test --conf-file="));
	T_CHECK(jhas_kill(m, 1));
	T_CHECK(!jhas_kill(m, 15));
	T_CHECK(!jhas_line_start(m, "start "));
	T_CHECK(!jhas_line_start(m, "net ip "));
	T_CHECK(!jhas_line_start(m, "nft"));
	T_CHECK(!jhas_line_start(m, "write "));
	if (t_cur_failed)
		dump_journal(m);

	T_CHECK(store_running(st) == 1);
	T_CHECK(eng.running_rev == 1);
	T_CHECK(json_equal(eng.running, doc));
	T_CHECK_STR(rev_state(1), REV_APPLIED);
	hosts = active_file("dhcp/hosts");
	{
		/* the health check's marker first, named in "generation" */
		char *gen = active_file("dhcp/generation");
		char *want = xasprintf("# hostnames rendered by difos\n192.0.2.1 %.*s\n"
				       "192.168.1.5 nas nas.lan\n", gen ? (int)strcspn(gen, "\n") : 0,
				       gen ? gen : "");
		T_CHECK(gen && strstr(gen, "._difos-generation.invalid\n"));
		T_CHECK_STR(hosts, want);
		free(want);
		free(gen);
	}
	free(hosts);
	/* the previous generation is kept for the next comparison, older ones go */
	T_CHECK(gen_count() == 2);
	apply_result_free(&res);
	json_decref(doc);
}

static void test_apply_lan_address(void)
{
	json_t *doc = running_with("lan.ipv4.address", "\"192.168.1.2\"");
	struct apply_result res;
	size_t m = jmark();
	char *conf;

	T_CHECK(engine_apply(&eng, doc, "tester", "move the router", 0, &res) == 0);
	T_CHECK(res.revision == 2);
	/* the firewall names devices, not addresses: it is not touched; the
	 * web's factory certificate names the LAN address */
	T_CHECK(touched_is(&res, "[\"lan\", \"dhcp\", \"web\"]"));
	T_CHECK(jhas_line_start(m, "net ip addr add 192.168.1.2/24 dev br-lan\n"));
	T_CHECK(!jhas_line_start(m, "nft"));
	T_CHECK(!jhas(m, "udhcpc"));
	/* dnsmasq reads its main file only at start: it is restarted */
	T_CHECK(jhas_kill(m, 15));
	T_CHECK(jhas_line_start(m, "start dnsmasq "));
	T_CHECK(jfind(m, "ip addr add") < jfind(m, "start dnsmasq"));
	if (t_cur_failed)
		dump_journal(m);
	conf = active_file("dhcp/dnsmasq.conf");
	T_CHECK(conf && strstr(conf, "dhcp-option=tag:lan,option:router,192.168.1.2\n"));
	T_CHECK(conf && strstr(conf, "host-record=difos,difos.lan,192.168.1.2\n"));
	free(conf);
	T_CHECK(store_running(st) == 2);
	apply_result_free(&res);
	json_decref(doc);
}

static void test_apply_invalid(void)
{
	json_t *doc = running_with("lan.dhcp.start", "\"10.0.0.5\"");
	/* another document found valid when staged: this one is still checked */
	json_t *other = running_with("lan.dhcp.start", "\"192.168.1.50\"");
	struct apply_result res;
	size_t m = jmark();
	long long latest = store_latest(st), running = store_running(st);
	char *before = active_target(), *after;
	int gens = gen_count();

	engine_note_valid(&eng, other);
	json_decref(other);
	T_CHECK(engine_apply(&eng, doc, "tester", "bad", 0, &res) == -1);
	T_CHECK_STR(res.reason, "invalid");
	T_CHECK(res.revision == -1);
	T_CHECK(res.feature == NULL);
	T_CHECK(json_is_array(res.errors) && json_array_size(res.errors) > 0);
	T_CHECK_STR(json_string_value(json_object_get(json_array_get(res.errors, 0), "message")),
		    "lan.dhcp.start: 10.0.0.5 is outside 192.168.1.0/24");
	T_CHECK_STR(res.message, "lan.dhcp.start: 10.0.0.5 is outside 192.168.1.0/24");
	T_CHECK(touched_is(&res, "[]"));
	T_CHECK(store_running(st) == running);
	T_CHECK(eng.running_rev == running);
	T_CHECK(store_latest(st) == latest);
	/* nothing ran, no files moved */
	T_CHECK(*jsince(m) == '\0');
	after = active_target();
	T_CHECK(before && after && !strcmp(before, after));
	T_CHECK(gen_count() == gens);
	free(before);
	free(after);
	apply_result_free(&res);
	json_decref(doc);
}

/* The failing action names lan1 only: putting lan0 back works. */
static void test_apply_failure_restored(void)
{
	json_t *doc = running_with("lan.interfaces", "[\"lan1\"]"), *old = json_deep_copy(eng.running);
	struct apply_result res;
	size_t m = jmark();
	long long latest = store_latest(st), running = store_running(st);
	char *before = active_target(), *after, *state;
	long fail_at;

	set_fail("dev lan1 master br-lan");
	T_CHECK(engine_apply(&eng, doc, "tester", "swap ports", 0, &res) == -1);
	set_fail(NULL);
	T_CHECK_STR(res.reason, "apply");
	T_CHECK_STR(res.feature, "lan");
	T_CHECK_STR(res.message, "lan: ip link set dev lan1 master br-lan: dry backend: injected failure");
	T_CHECK(touched_is(&res, "[\"lan\"]"));
	T_CHECK(res.revision == -1);
	T_CHECK(store_running(st) == running);
	T_CHECK(store_latest(st) == latest);
	T_CHECK(eng.running_rev == running);
	T_CHECK(json_equal(eng.running, old));

	fail_at = jfind(m, "net ip link set dev lan1 master br-lan");
	T_CHECK(fail_at >= 0);
	if (fail_at >= 0) {
		/* restored: lan1 released, lan0 back in the bridge, the address set again */
		T_CHECK(jhas_line_start((size_t)fail_at, "net ip link set dev lan1 nomaster\n"));
		T_CHECK(jhas_line_start((size_t)fail_at, "net ip link set dev lan0 master br-lan\n"));
		T_CHECK(jhas_line_start((size_t)fail_at, "net ip addr add 192.168.1.2/24 dev br-lan\n"));
	}
	/* only lan was touched: nothing else re-applied */
	T_CHECK(!jhas_line_start(m, "nft"));
	T_CHECK(!jhas(m, "dnsmasq"));
	if (t_cur_failed)
		dump_journal(m);

	after = active_target();
	T_CHECK(before && after && !strcmp(before, after));
	state = active_file("lan/lan.state");
	T_CHECK(state && strstr(state, "member lan0\n") && !strstr(state, "lan1"));
	free(state);
	T_CHECK_STR(feature_state("lan"), "ok");
	free(before);
	free(after);
	apply_result_free(&res);
	json_decref(doc);
	json_decref(old);
}

/* Every "master br-lan" fails: the re-apply of lan0 is tried and fails too. */
static void test_apply_failure(void)
{
	json_t *doc = running_with("lan.interfaces", "[\"lan1\"]");
	struct apply_result res;
	size_t m = jmark();
	long long latest = store_latest(st), running = store_running(st);
	char *before = active_target(), *after, *state;
	int gens = gen_count();
	long fail_at;

	set_fail("master br-lan");
	T_CHECK(engine_apply(&eng, doc, "tester", "swap ports", 0, &res) == -1);
	set_fail(NULL);
	T_CHECK_STR(res.reason, "apply");
	T_CHECK_STR(res.feature, "lan");
	T_CHECK(res.message && strstr(res.message, "lan:"));
	T_CHECK(store_running(st) == running);
	T_CHECK(store_latest(st) == latest);
	T_CHECK(eng.running_rev == running);

	fail_at = jfind(m, "net ip link set dev lan1 master br-lan");
	T_CHECK(fail_at >= 0);
	if (fail_at >= 0)
		T_CHECK(jhas_line_start((size_t)fail_at, "net ip link set dev lan0 master br-lan\n"));
	if (t_cur_failed)
		dump_journal(m);
	/* the files of the running revision are active again; the failed generation is gone */
	after = active_target();
	T_CHECK(before && after && !strcmp(before, after));
	state = active_file("lan/lan.state");
	T_CHECK(state && strstr(state, "member lan0\n") && !strstr(state, "lan1"));
	free(state);
	T_CHECK(gen_count() == gens);
	/* the restore failed: the status says so */
	T_CHECK_STR(feature_state("lan"), "failed");
	free(before);
	free(after);
	apply_result_free(&res);
	json_decref(doc);
}

static void test_check_failure(void)
{
	json_t *doc = running_with("firewall.wan_ping", "false");
	struct apply_result res;
	size_t m = jmark();
	long long latest = store_latest(st);
	char *before = active_target(), *after, *rules;
	int gens = gen_count();
	long check_at;

	set_fail("nft --check");
	T_CHECK(engine_apply(&eng, doc, "tester", "no ping", 0, &res) == -1);
	set_fail(NULL);
	T_CHECK_STR(res.reason, "check");
	T_CHECK_STR(res.feature, "firewall");
	T_CHECK_STR(res.message, "firewall: nft: dry backend: injected failure");
	T_CHECK(touched_is(&res, "[]"));
	T_CHECK(store_latest(st) == latest);

	check_at = jfind(m, "nft --check (");
	T_CHECK(check_at >= 0);
	if (check_at >= 0) {
		/* the check is the last action: nothing was loaded or started */
		const char *rest = strchr(sys->journal.s + check_at, '\n');
		T_CHECK(rest && rest[1] == '\0');
		T_CHECK(!jhas_line_start((size_t)check_at, "nft ("));
	}
	T_CHECK(!jhas(m, "write "));
	if (t_cur_failed)
		dump_journal(m);
	after = active_target();
	T_CHECK(before && after && !strcmp(before, after));
	T_CHECK(gen_count() == gens);
	rules = active_file("firewall/ruleset.nft");
	T_CHECK(rules && strstr(rules, "echo-request"));
	free(rules);
	free(before);
	free(after);
	apply_result_free(&res);
	json_decref(doc);
}

static void test_check_failure_dnsmasq(void)
{
	json_t *doc = running_with("dns.cache_size", "500");
	struct apply_result res;
	size_t m = jmark();

	set_fail("dnsmasq --test");
	T_CHECK(engine_apply(&eng, doc, "tester", "", 0, &res) == -1);
	set_fail(NULL);
	T_CHECK_STR(res.reason, "check");
	T_CHECK_STR(res.feature, "dhcp");
	T_CHECK(res.message && !strncmp(res.message, "dhcp: dnsmasq --test --conf-file=", 33) &&
		strstr(res.message, "/dhcp/dnsmasq.conf: dry backend: injected failure"));
	T_CHECK(!jhas_kill(m, 15) && !jhas_line_start(m, "start "));
	apply_result_free(&res);
	json_decref(doc);
}

static void test_confirm(void)
{
	json_t *doc = running_with("dhcp.hostnames",
				   "[{\"id\": 1, \"name\": \"nas\", \"ip\": \"192.168.1.6\"}]");
	json_t *doc2 = running_with("system.hostname", "\"gw\""), *status;
	struct apply_result res;
	long long rev, now = (long long)time(NULL);

	T_CHECK(engine_confirm(&eng, "tester") == -1);
	T_CHECK(engine_revert_pending(&eng, "test") == -1);

	T_CHECK(engine_apply(&eng, doc, "tester", "with confirm", 30, &res) == 0);
	rev = res.revision;
	T_CHECK(rev > 0);
	T_CHECK_STR(rev_state(rev), REV_PENDING);
	T_CHECK(eng.confirm_rev == rev);
	T_CHECK(eng.confirm_deadline >= now + 30 && eng.confirm_deadline <= now + 32);
	T_CHECK(store_running(st) == rev);
	status = engine_status(&eng);
	T_CHECK(json_integer_value(at(status, "confirm.revision")) == rev);
	T_CHECK(json_integer_value(at(status, "running")) == rev);
	json_decref(status);
	apply_result_free(&res);

	/* nothing else is applied while a revision waits */
	T_CHECK(engine_apply(&eng, doc2, "tester", "", 0, &res) == -1);
	T_CHECK_STR(res.reason, "pending");
	T_CHECK(store_latest(st) == rev);
	apply_result_free(&res);

	T_CHECK(engine_confirm(&eng, "tester") == 0);
	T_CHECK_STR(rev_state(rev), REV_APPLIED);
	T_CHECK(eng.confirm_rev == 0 && eng.confirm_deadline == 0);
	T_CHECK(engine_confirm(&eng, "tester") == -1);
	status = engine_status(&eng);
	T_CHECK(json_object_get(status, "confirm") == NULL);
	json_decref(status);
	json_decref(doc);
	json_decref(doc2);
}

static void test_revert_pending(void)
{
	json_t *before = json_deep_copy(eng.running);
	json_t *doc = running_with("system.hostname", "\"gw\""), *staged, *rdoc;
	long long before_rev = eng.running_rev, rev, latest;
	struct apply_result res;
	char *comment, *host;
	size_t m;

	T_CHECK(engine_apply(&eng, doc, "tester", "rename", 30, &res) == 0);
	rev = res.revision;
	apply_result_free(&res);
	T_CHECK_STR(rev_state(rev), REV_PENDING);
	host = active_file("system/hostname");
	T_CHECK_STR(host, "gw\n");
	free(host);

	m = jmark();
	T_CHECK(engine_revert_pending(&eng, "test") == 0);
	latest = store_latest(st);
	T_CHECK(latest == rev + 1);
	T_CHECK(store_running(st) == latest);
	T_CHECK(eng.running_rev == latest);
	T_CHECK(eng.confirm_rev == 0);
	T_CHECK_STR(rev_state(rev), REV_REVERTED);
	T_CHECK_STR(rev_state(latest), REV_APPLIED);
	comment = rev_comment(latest);
	T_CHECK(!strncmp(comment, "rollback", 8));
	free(comment);
	comment = xasprintf("rollback: revision %lld test", rev);
	{
		char *got = rev_comment(latest);
		T_CHECK_STR(got, comment);
		free(got);
	}
	free(comment);
	/* the configuration in force is the one before, and the same as revision before_rev */
	T_CHECK(json_equal(eng.running, before));
	rdoc = store_revision_doc(st, before_rev);
	T_CHECK(rdoc && json_equal(rdoc, before));
	json_decref(rdoc);
	host = active_file("system/hostname");
	T_CHECK_STR(host, "difos\n");
	free(host);
	/* the hostname is named by the DHCP client and dnsmasq: both restarted */
	T_CHECK(jhas_line_start(m, "start busybox udhcpc -f -S -i wan0 -s "
				   "/usr/libexec/difos/difos-dhcp-event -x hostname:difos "));
	/* the user's unconfirmed work is staged again */
	staged = store_staged(st);
	T_CHECK(staged && json_equal(staged, doc));
	json_decref(staged);
	json_decref(before);
	json_decref(doc);
}

/* A revision still pending when difosd stopped is rolled back at the next start. */
static void test_boot_after_pending(void)
{
	json_t *doc = running_with("system.hostname", "\"left\"");
	json_t *applied_doc = json_deep_copy(eng.running);
	long long applied = eng.running_rev, pending;
	size_t m;
	char *host;

	pending = store_commit(st, doc, "tester", "left pending", REV_PENDING);
	T_CHECK(pending == applied + 1);
	T_CHECK(store_running(st) == pending);

	engine_free(&eng);
	t_engine_setup(&eng);
	m = jmark();
	T_CHECK(engine_boot(&eng) == 0);
	T_CHECK(eng.running_rev == applied);
	T_CHECK(store_running(st) == applied);
	T_CHECK_STR(rev_state(pending), REV_REVERTED);
	T_CHECK_STR(rev_state(applied), REV_APPLIED);
	T_CHECK(store_latest(st) == pending);
	T_CHECK(json_equal(eng.running, applied_doc));
	host = active_file("system/hostname");
	T_CHECK_STR(host, "difos\n");
	free(host);
	/* boot applies every feature again */
	T_CHECK(jhas_line_start(m, "net ip addr add 192.168.1.2/24 dev br-lan\n"));
	T_CHECK(jhas_line_start(m, "nft ("));
	T_CHECK(jhas_line_start(m, "start dnsmasq "));
	for (size_t i = 0; i < feature_count(); i++)
		T_CHECK_STR(feature_state(feature_table[i]->name), "ok");
	T_CHECK(gen_count() == 1);
	json_decref(doc);
	json_decref(applied_doc);
}

/* After all that, a plain apply works again on the rebooted engine. The
 * custom interfaces re-apply too: they read the LAN's members (a released
 * device that the LAN took over keeps its link up). */
static void test_apply_after_reboot(void)
{
	json_t *doc = running_with("lan.interfaces", "[\"lan0\", \"lan1\"]");
	struct apply_result res;
	size_t m = jmark();

	T_CHECK(engine_apply(&eng, doc, "tester", "second port", 0, &res) == 0);
	T_CHECK(touched_is(&res, "[\"lan\", \"ifaces\"]"));
	T_CHECK(res.revision == store_latest(st));
	T_CHECK(jhas_line_start(m, "net ip link set dev lan1 master br-lan\n"));
	T_CHECK(!jhas(m, "nomaster"));
	apply_result_free(&res);
	json_decref(doc);
}

/* An applier sees the paths its feature reads and nothing else; a change
 * of one of them applies the feature, a change elsewhere does not. */
static void test_reads_view(void)
{
	static const char *const reads[] = { "lan.ipv4", "system.hostname", NULL };
	const struct feature f = { .name = "probe", .reads = reads };
	json_t *doc = json_deep_copy(eng.running), *view = feature_doc_view(doc, f.reads), *other;
	json_t *system = json_pack("{s:s}", "hostname", doc_str(doc, "system.hostname"));

	T_CHECK(json_equal(json_object_get(view, "system"), system));
	json_decref(system);
	T_CHECK(json_equal(doc_get(view, "lan.ipv4"), doc_get(doc, "lan.ipv4")));
	T_CHECK(doc_get(view, "lan.device") == NULL);
	T_CHECK(json_object_get(view, "dhcp") == NULL && json_object_get(view, "firewall") == NULL);
	T_CHECK(feature_doc_view(NULL, f.reads) == NULL);

	other = json_deep_copy(doc);
	json_object_set_new(json_object_get(other, "lan"), "device", json_string("br-other"));
	T_CHECK(!feature_reads_changed(&f, doc, other));
	json_object_set_new(json_object_get(json_object_get(other, "lan"), "ipv4"), "prefix",
			    json_integer(16));
	T_CHECK(feature_reads_changed(&f, doc, other));
	T_CHECK(feature_reads_changed(&f, NULL, other));
	json_decref(other);
	json_decref(view);
	json_decref(doc);
}

static bool touched_has(const struct apply_result *res, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(res->touched, i, v)
		if (!strcmp(json_string_value(v), name))
			return true;
	return false;
}

/* The LAN's applier resets the addresses the kernel's routes go through:
 * the routes follow it (struct feature's after), when there are any. */
static void test_after_lan_routes_put_back(void)
{
	json_t *with = running_with("routes.static4", "[{\"id\": 1, \"target\": \"10.99.0.0/16\","
				    " \"gateway\": \"192.168.1.254\"}]");
	json_t *moved = json_deep_copy(with), *bare;
	struct apply_result res;
	size_t m;

	put(moved, "lan.ipv4.address", "\"192.168.1.3\"");
	bare = json_deep_copy(moved);
	put(bare, "routes.static4", "[]");
	T_CHECK(engine_apply(&eng, with, "tester", "a route", 0, &res) == 0);
	apply_result_free(&res);

	m = jmark();
	T_CHECK(engine_apply(&eng, moved, "tester", "move the router", 0, &res) == 0);
	T_CHECK(touched_has(&res, "lan") && touched_has(&res, "routes"));
	T_CHECK(jfind(m, "ip addr add 192.168.1.3/24") >= 0);
	T_CHECK(jfind(m, "ip addr add 192.168.1.3/24") < jfind(m, "10.99.0.0/16"));
	if (t_cur_failed)
		dump_journal(m);
	apply_result_free(&res);

	/* without routes, a LAN change leaves them alone */
	T_CHECK(engine_apply(&eng, bare, "tester", "no route", 0, &res) == 0);
	apply_result_free(&res);
	put(bare, "lan.ipv4.address", "\"192.168.1.4\"");
	T_CHECK(engine_apply(&eng, bare, "tester", "move again", 0, &res) == 0);
	T_CHECK(touched_has(&res, "lan") && !touched_has(&res, "routes"));
	apply_result_free(&res);
	json_decref(with);
	json_decref(moved);
	json_decref(bare);
}

/* A feature follows only features applied before it. */
static void test_after_names_earlier_features(void)
{
	for (size_t i = 0; i < feature_count(); i++)
		for (const char *const *a = feature_table[i]->after; a && *a; a++) {
			const struct feature *g = feature_find(*a);
			size_t k = 0;

			while (k < feature_count() && feature_table[k] != g)
				k++;
			if (!g || k >= i)
				fprintf(stderr, "    %s follows %s, not a feature before it\n",
					feature_table[i]->name, *a);
			T_CHECK(g && k < i);
		}
}

/* The web's certificate is made and read with openssl through the system
 * backend: the dry journal shows every run, the key only as its size. */
/* the features' methods, registered once, called with the engine's env */
static void t_methods(void)
{
	static bool done;

	if (!done)
		for (size_t i = 0; i < feature_count(); i++)
			if (feature_table[i]->methods)
				rpc_register(feature_table[i]->methods);
	done = true;
	rpc_set_env(&eng.env);
}

/* The dashboard's quick actions on the dry backend: the reboot is a
 * background job of systemctl (recorded, never run); an engine restarts
 * through the supervisor as a new process; an unknown one is refused
 * naming it and the ones there are. */
static void test_quick_actions(void)
{
	char *const argv[] = { "/bin/true", "engine", NULL };
	json_t *res, *err = NULL, *params;
	size_t m = jmark();
	const char *msg;

	t_methods();
	res = rpc_invoke("system.reboot", NULL, "tester", &err);
	T_CHECK(res && !err && json_is_true(json_object_get(res, "rebooting")));
	T_CHECK(jhas_line_start(m, "job systemctl reboot\n"));
	json_decref(res);

	T_CHECK(sv_ensure("standin", argv, NULL) == 0);
	m = jmark();
	params = json_pack("{s:s}", "engine", "standin");
	res = rpc_invoke("engine.restart", params, "tester", &err);
	json_decref(params);
	T_CHECK(res && !err);
	T_CHECK(json_integer_value(json_object_get(res, "old_pid")) > 0);
	T_CHECK(json_integer_value(json_object_get(res, "pid")) !=
		json_integer_value(json_object_get(res, "old_pid")));
	T_CHECK(jhas(m, "start /bin/true engine"));
	json_decref(res);

	params = json_pack("{s:s}", "engine", "nosuch");
	res = rpc_invoke("engine.restart", params, "tester", &err);
	json_decref(params);
	msg = json_string_value(json_object_get(err, "message"));
	T_CHECK(!res && msg && strstr(msg, "no engine named \"nosuch\"") &&
		strstr(msg, "standin"));
	json_decref(err);
	sv_stop("standin");
	rpc_set_env(NULL);
}

static void test_web_tls_through_backend(void)
{
	static const char cert[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	static const char key[] = "-----BEGIN PRIVATE KEY-----\nSECRETKEY\n-----END PRIVATE KEY-----\n";
	json_t *doc = running_with("system.hostname", "\"tlsname\""), *res, *err = NULL, *params;
	struct apply_result ar;
	size_t m = jmark();
	char *want;

	T_CHECK(engine_apply(&eng, doc, "tester", "a new name", 0, &ar) == 0);
	T_CHECK(jhas(m, "run openssl req -x509 "));
	T_CHECK(jhas(m, "-subj /CN=tlsname/O=difos factory certificate"));
	T_CHECK(jhas(m, "run openssl x509 -in "));
	apply_result_free(&ar);

	t_methods();
	m = jmark();
	params = json_pack("{s:s, s:s}", "cert", cert, "key", key);
	res = rpc_invoke("web.certificate", params, "tester", &err);
	json_decref(params);
	T_CHECK(res && !err);
	want = xasprintf("run openssl x509 -noout -pubkey < (%zu bytes)\n", strlen(cert));
	T_CHECK(jhas_line_start(m, want));
	free(want);
	want = xasprintf("run openssl pkey -pubout < (%zu bytes)\n", strlen(key));
	T_CHECK(jhas_line_start(m, want));
	free(want);
	T_CHECK(!jhas(m, "SECRETKEY"));
	if (t_cur_failed)
		dump_journal(m);
	rpc_set_env(NULL);
	json_decref(res);
	json_decref(err);
	json_decref(doc);
}

int main(void)
{
	t_engine_open();

	T_RUN(test_boot);
	T_RUN(test_apply_hostnames_only);
	T_RUN(test_apply_lan_address);
	T_RUN(test_apply_invalid);
	T_RUN(test_apply_failure_restored);
	T_RUN(test_apply_failure);
	T_RUN(test_check_failure);
	T_RUN(test_check_failure_dnsmasq);
	T_RUN(test_confirm);
	T_RUN(test_revert_pending);
	T_RUN(test_boot_after_pending);
	T_RUN(test_apply_after_reboot);
	T_RUN(test_reads_view);
	T_RUN(test_after_lan_routes_put_back);
	T_RUN(test_after_names_earlier_features);
	T_RUN(test_web_tls_through_backend);
	T_RUN(test_quick_actions);

	t_engine_close();
	return t_done("unit-engine");
}
