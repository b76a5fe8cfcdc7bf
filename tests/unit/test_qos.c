/*
 * Unit tests of bandwidth control: the qos/sqm rules of the schema, the
 * tc batch renderer, and the applier against the dry system backend
 * (what it runs, in which order, and how it fails).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/feature.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"
#include "schema/schema.h"
#include "t.h"
#include "t_json.h"

static char dir[] = "/tmp/difos-test-qos-XXXXXX";

/* Defaults with the qos section replaced by the JSON text given. */
static json_t *doc_with(const char *section, const char *text)
{
	json_t *d = json_object();

	json_object_set_new(d, section, J(text));
	schema_fill_defaults(d);
	return d;
}

/* The first validation error's message, or "" (owned by the caller). */
static char *first_error(const json_t *doc)
{
	struct sc_error_list errs;
	char *msg;

	sc_errors_init(&errs);
	schema_validate(doc, &errs);
	msg = xstrdup(errs.n ? errs.v[0].message : "");
	sc_errors_free(&errs);
	return msg;
}

static void check_error(const char *section, const char *text, const char *want)
{
	json_t *d = doc_with(section, text);
	char *msg = first_error(d);

	if (!strstr(msg, want))
		fprintf(stderr, "    got \"%s\"\n", msg);
	T_CHECK(strstr(msg, want) != NULL);
	free(msg);
	json_decref(d);
}

static void test_schema_accepts(void)
{
	json_t *d = doc_with("qos", "{\"enabled\": true, \"by_ip\": [{\"id\": 1, \"ip\": "
			     "\"192.168.1.20\", \"download\": 8}], \"by_mac\": [{\"id\": 2, \"mac\": "
			     "\"02:df:05:00:00:01\"}], \"whitelist_ips\": [\"192.168.1.5\"]}");
	char *msg = first_error(d);

	T_CHECK_STR(msg, "");
	T_CHECK(json_number_value(at(d, "qos.download")) == 10);
	T_CHECK(json_is_false(at(d, "sqm.enabled")));
	free(msg);
	json_decref(d);
}

static void test_schema_rejects(void)
{
	check_error("qos", "{\"by_ip\": [{\"id\": 3, \"ip\": \"192.168.1.20\", \"upload\": 0}]}",
		    "qos.by_ip[3].upload: 0 is not a positive rate");
	check_error("qos", "{\"by_ip\": [{\"id\": 3, \"ip\": \"192.168.1.20\", \"upload\": -5}]}",
		    "qos.by_ip[3].upload: -5 is not a positive rate");
	check_error("qos", "{\"download\": 0.001}",
		    "qos.download: 0.001 is below the smallest rate, 0.01 Mbps");
	check_error("qos", "{\"by_ip\": [{\"id\": 2, \"ip\": \"192.168.1.20\"}], "
		    "\"whitelist_ips\": [\"192.168.1.20\"]}",
		    "qos.by_ip[2].ip: 192.168.1.20 is also in qos.whitelist_ips");
	check_error("qos", "{\"by_mac\": [{\"id\": 1, \"mac\": \"02:df:05:00:00:01\"}], "
		    "\"whitelist_macs\": [\"02:df:05:00:00:01\"]}",
		    "qos.by_mac[1].mac: 02:df:05:00:00:01 is also in qos.whitelist_macs");
	check_error("qos", "{\"by_ip\": [{\"id\": 1, \"ip\": \"192.168.1.20\"}, {\"id\": 4, "
		    "\"ip\": \"192.168.1.20\"}]}",
		    "qos.by_ip[4].ip: 192.168.1.20 is already limited by qos.by_ip[1]");
	check_error("qos", "{\"by_ip\": [{\"id\": 1, \"ip\": \"10.0.0.5\"}]}",
		    "qos.by_ip[1].ip: 10.0.0.5 is outside the LAN 192.168.1.0/24");
	check_error("qos", "{\"whitelist_macs\": [\"02:df:05:00:00:01\", \"02-DF-05-00-00-01\"]}",
		    "qos.whitelist_macs: 02-DF-05-00-00-01 is listed twice");
	check_error("qos", "{\"by_mac\": [{\"id\": 1, \"mac\": \"02:df:05:00:00:01\"}], "
		    "\"whitelist_macs\": [\"02-DF-05-00-00-01\"]}",
		    "qos.by_mac[1].mac: 02:df:05:00:00:01 is also in qos.whitelist_macs");
	check_error("sqm", "{\"enabled\": true, \"download\": 92}",
		    "sqm.upload: is required when sqm.enabled is true");
	check_error("sqm", "{\"enabled\": false, \"upload\": \"fast\"}",
		    "sqm.upload: fast is not a number");
}

static void test_render(void)
{
	json_t *d = doc_with("qos", "{\"enabled\": true, \"download\": 20, \"upload\": 5, "
			     "\"by_ip\": [{\"id\": 1, \"ip\": \"192.168.1.20\", \"upload\": 2.5, "
			     "\"description\": \"two\\nlines\"}]}");
	char *tc = qos_tc_render(d);

	/* the entry's own upload; the default download */
	T_CHECK(strstr(tc, "classid d1f:100 htb rate 20000kbit ceil 20000kbit") != NULL);
	T_CHECK(strstr(tc, "classid d1f:100 htb rate 2500kbit ceil 2500kbit") != NULL);
	/* a description cannot start a line of its own in the batch */
	T_CHECK(strstr(tc, "# IP 192.168.1.20: two lines\n") != NULL);
	T_CHECK(strstr(tc, "\nlines") == NULL);
	T_CHECK(strstr(tc, "qdisc add dev lan0 handle ffff: ingress\n") != NULL);
	free(tc);
	json_decref(d);

	/* a MAC in capitals with dashes matches the same bytes */
	d = doc_with("qos", "{\"enabled\": true, \"by_mac\": [{\"id\": 1, \"mac\": "
		     "\"02-DF-05-00-00-0A\"}]}");
	tc = qos_tc_render(d);
	T_CHECK(strstr(tc, "match u16 0x02df 0xffff at -14 match u32 0x0500000a 0xffffffff at -12")
		!= NULL);
	T_CHECK(strstr(tc, "match u32 0x02df0500 0xffffffff at -8 match u16 0x000a 0xffff at -4")
		!= NULL);
	free(tc);
	json_decref(d);

	d = doc_with("qos", "{\"enabled\": false, \"by_ip\": [{\"id\": 1, \"ip\": \"192.168.1.20\"}]}");
	tc = qos_tc_render(d);
	T_CHECK(strstr(tc, "qdisc") == NULL);
	free(tc);
	json_decref(d);
}

/* Renders doc into dir and runs the feature's apply (old_doc: what was in force). */
static int apply(struct sys *sys, const json_t *doc, const json_t *old_doc, char **err)
{
	const struct feature *f = feature_find("qos");
	struct render_out out = { 0 };
	struct feature_env env = { .sys = sys };
	struct feature_ctx ctx = { .env = &env, .doc = doc, .old_doc = old_doc, .dir = dir };
	int rc;

	T_CHECK(f->render(&ctx, &out) == 0);
	for (size_t i = 0; i < out.n; i++) {
		char *p = xasprintf("%s/%s", dir, out.v[i].name);
		file_write_atomic(p, out.v[i].data, strlen(out.v[i].data), 0644);
		free(p);
	}
	render_out_free(&out);
	rc = f->apply(&ctx);
	*err = ctx.err;
	return rc;
}

static void test_apply(void)
{
	struct sys *sys = sys_dry_new();
	json_t *on = doc_with("qos", "{\"enabled\": true, \"by_ip\": [{\"id\": 1, \"ip\": "
			      "\"192.168.1.20\"}]}");
	json_t *off = doc_with("qos", "{\"enabled\": false}");
	char *err = NULL, *batch = xasprintf("run tc -batch %s/qos.tc", dir);
	const char *j, *load;

	/* on: what difos owned is looked for and cleared first, then loaded */
	T_CHECK(apply(sys, on, NULL, &err) == 0);
	j = sys->journal.s;
	load = strstr(j, batch);
	T_CHECK(strstr(j, "run tc qdisc show dev br-lan\n") != NULL);
	T_CHECK(strstr(j, "run tc qdisc show dev lan0\n") != NULL);
	T_CHECK(strstr(j, "net ip link add name ifb-lanup type ifb\n") != NULL);
	T_CHECK(load && strstr(j, "net ip link add name ifb-lanup") < load);
	/* SQM is off: nothing is loaded on the WAN */
	T_CHECK(strstr(j, "sqm.tc") == NULL);
	free(err);
	err = NULL;

	/* off: nothing is loaded */
	sbuf_free(&sys->journal);
	sbuf_init(&sys->journal);
	T_CHECK(apply(sys, off, on, &err) == 0);
	T_CHECK(strstr(sys->journal.s, "tc -batch") == NULL);
	free(err);
	err = NULL;

	/* a batch the kernel refuses fails the apply with tc's words */
	sys->fail_match = xstrdup("tc -batch");
	T_CHECK(apply(sys, on, off, &err) == -1);
	T_CHECK(err && strstr(err, "tc -batch") != NULL);
	free(err);
	err = NULL;
	free(sys->fail_match);

	/* SQM on a kernel without cake: refused before anything is touched */
	json_decref(off);
	off = doc_with("sqm", "{\"enabled\": true, \"download\": 92, \"upload\": 18.4}");
	sys->fail_match = xstrdup("root cake");
	sbuf_free(&sys->journal);
	sbuf_init(&sys->journal);
	T_CHECK(apply(sys, off, NULL, &err) == -1);
	T_CHECK_STR(err, SQM_CAKE_MISSING);
	T_CHECK(strstr(sys->journal.s, "sqm.tc") == NULL);
	T_CHECK(strstr(sys->journal.s, "dev wan0") == NULL);
	free(err);
	err = NULL;

	/* with cake the WAN gets its batch */
	free(sys->fail_match);
	sys->fail_match = NULL;
	T_CHECK(apply(sys, off, NULL, &err) == 0);
	T_CHECK(strstr(sys->journal.s, "sqm.tc") != NULL);
	T_CHECK(strstr(sys->journal.s, "net ip link add name ifb-wandown type ifb") != NULL);
	free(err);

	free(batch);
	json_decref(on);
	json_decref(off);
	sys_free(sys);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	feature_schema_init();
	T_RUN(test_schema_accepts);
	T_RUN(test_schema_rejects);
	T_RUN(test_render);
	T_RUN(test_apply);
	rm_rf(dir);
	return t_done("unit-qos");
}
