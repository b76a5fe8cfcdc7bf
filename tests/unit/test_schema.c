/*
 * Unit tests of the document walker (schema.c) on the real schema of all
 * features: defaults, validation messages, lookup, masking, export.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"
#include "t_json.h"
#include "t_schema.h"
#include "apply/feature.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/jpath.h"

static void del(json_t *doc, const char *path)
{
	struct jpath p;

	if (!jpath_parse(path, &p) || jpath_delete(doc, &p) < 0) {
		fprintf(stderr, "    cannot delete %s in the test document\n", path);
		abort();
	}
}

/* Validates doc (taken) and checks the first error's path and message. */
static bool first_error_is(json_t *doc, const char *path, const char *message)
{
	struct sc_error_list e;
	bool ok;

	sc_errors_init(&e);
	schema_validate(doc, &e);
	ok = e.n > 0 && !strcmp(e.v[0].path, path) && !strcmp(e.v[0].message, message);
	if (!ok) {
		fprintf(stderr, "    expected first error %s | %s\n", path, message);
		if (!e.n)
			fprintf(stderr, "    got no error\n");
		print_errors(&e);
	}
	sc_errors_free(&e);
	json_decref(doc);
	return ok;
}

/* ---- defaults ---- */

/* Sections of every registered feature: the document's top-level keys. */
static size_t section_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < feature_count(); i++)
		for (const struct sc_field *const *sec = feature_table[i]->sections; sec && *sec; sec++)
			n++;
	return n;
}

static void test_defaults(void)
{
	json_t *d = schema_defaults();

	T_CHECK(json_is_object(d));
	T_CHECK_STR(json_string_value(at(d, "lan.ipv4.address")), "192.168.1.1");
	T_CHECK(json_integer_value(at(d, "lan.ipv4.prefix")) == 24);
	T_CHECK(json_is_true(at(d, "lan.dhcp.enabled")));
	T_CHECK_STR(json_string_value(at(d, "lan.dhcp.start")), "192.168.1.100");
	T_CHECK(json_integer_value(at(d, "lan.dhcp.size")) == 150);
	T_CHECK_STR(json_string_value(at(d, "lan.device")), "br-lan");
	T_CHECK_STR(json_string_value(at(d, "wan.ipv4.proto")), "dhcp");
	T_CHECK_STR(json_string_value(at(d, "wan.interface")), "wan0");
	T_CHECK_STR(json_string_value(at(d, "system.hostname")), "difos");
	T_CHECK_STR(json_string_value(at(d, "dns.domain")), "lan");
	T_CHECK(json_is_true(at(d, "firewall.wan_ping")));
	/* collections default to empty, optional fields without a default stay absent */
	T_CHECK(json_is_array(at(d, "dhcp.static_leases")) &&
		json_array_size(at(d, "dhcp.static_leases")) == 0);
	T_CHECK(json_is_array(at(d, "dhcp.hostnames")));
	T_CHECK(at(d, "wan.ipv4.address") == NULL);
	T_CHECK(at(d, "wan.ipv4.gateway") == NULL);
	T_CHECK(json_integer_value(at(d, "web.https_port")) == 443);
	T_CHECK(json_integer_value(at(d, "web.http_port")) == 80);
	T_CHECK(!strcmp(json_string_value(at(d, "web.session_idle")), "30m"));
	/* one section per feature section, nothing else */
	T_CHECK(json_object_size(d) == section_count());
	T_CHECK(valid(d));
}

static void test_defaults_interfaces(void)
{
	json_t *d = schema_defaults(), *want = J("[\"lan0\"]");

	T_CHECK(json_equal(at(d, "lan.interfaces"), want));
	json_decref(want);
	json_decref(d);
}

static void test_fill_defaults(void)
{
	json_t *doc = J("{\"lan\": {\"ipv4\": {\"address\": \"10.0.0.1\"}},"
			" \"dhcp\": {\"static_leases\": [{\"id\": 1, \"mac\": \"00:11:22:33:44:55\","
			" \"ip\": \"10.0.0.9\"}]}}");

	schema_fill_defaults(doc);
	/* given values are kept, missing ones are added, in collection elements too */
	T_CHECK_STR(json_string_value(at(doc, "lan.ipv4.address")), "10.0.0.1");
	T_CHECK(json_integer_value(at(doc, "lan.ipv4.prefix")) == 24);
	T_CHECK_STR(json_string_value(at(doc, "dhcp.static_leases[1].lease_time")), "infinite");
	T_CHECK(at(doc, "dhcp.static_leases[1].hostname") == NULL);
	T_CHECK_STR(json_string_value(at(doc, "system.hostname")), "difos");
	/* filling twice changes nothing */
	{
		json_t *copy = json_deep_copy(doc);
		schema_fill_defaults(copy);
		T_CHECK(json_equal(copy, doc));
		json_decref(copy);
	}
	json_decref(doc);
}

/*
 * A traffic rule's zones and action have no default: an empty new rule is
 * refused, naming the field and its choices. A rule stored when they had
 * defaults (WAN to LAN, accept) keeps that meaning when read back.
 */
static void test_rule_needs_zones_and_action(void)
{
	const char *rule = "{\"firewall\": {\"rules\": [{\"id\": 1, \"proto\": \"tcp\","
			   " \"dest_ports\": [\"22\"]}]}}";
	json_t *doc = J(rule), *stored = J(rule);

	schema_fill_defaults(doc);
	T_CHECK(at(doc, "firewall.rules[1].action") == NULL);
	T_CHECK(!schema_has_defaults(doc));
	T_CHECK(first_error_is(doc, "firewall.rules[1].src_zone",
			       "firewall.rules[1].src_zone: is required: one of wan, lan, router, any"));

	schema_upgrade(stored);
	T_CHECK(schema_has_defaults(stored));
	T_CHECK_STR(json_string_value(at(stored, "firewall.rules[1].src_zone")), "wan");
	T_CHECK_STR(json_string_value(at(stored, "firewall.rules[1].dest_zone")), "lan");
	T_CHECK_STR(json_string_value(at(stored, "firewall.rules[1].action")), "accept");
	/* given values are kept */
	json_decref(stored);
	stored = J("{\"firewall\": {\"rules\": [{\"id\": 1, \"src_zone\": \"lan\","
		   " \"dest_zone\": \"wan\", \"action\": \"drop\"}]}}");
	schema_upgrade(stored);
	T_CHECK_STR(json_string_value(at(stored, "firewall.rules[1].src_zone")), "lan");
	T_CHECK_STR(json_string_value(at(stored, "firewall.rules[1].dest_zone")), "wan");
	T_CHECK_STR(json_string_value(at(stored, "firewall.rules[1].action")), "drop");
	{
		struct sc_error_list e;

		sc_errors_init(&e);
		schema_validate(stored, &e);
		T_CHECK(e.n == 0);
		sc_errors_free(&e);
	}
	json_decref(stored);
}

/* Every choice of a labelled enum has its label, and the export carries them. */
static size_t labels_walk(const struct sc_field *of)
{
	size_t bad = 0;

	for (const struct sc_field *f = of->fields; f && f->name; f++) {
		if (f->fields)
			bad += labels_walk(f);
		if (f->kind != SC_ENUM || !f->labels)
			continue;
		for (size_t i = 0; f->choices[i]; i++)
			if (!f->labels[i] || !f->labels[i][0]) {
				fprintf(stderr, "    %s: no label for %s\n", f->name, f->choices[i]);
				bad++;
			}
	}
	return bad;
}

static void test_enum_labels(void)
{
	json_t *s = schema_export();
	const json_t *fwd = json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(json_object_get(s, "properties"), "firewall"), "properties"),
		"port_forwards"), "items"), "properties");
	const json_t *wan = json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(json_object_get(s, "properties"), "wan"), "properties"), "ipv4"),
		"properties"), "proto");

	T_CHECK(labels_walk(schema_root()) == 0);
	T_CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(fwd, "proto"),
						"x-difos-labels"), "tcpudp")), "TCP and UDP");
	T_CHECK_STR(json_string_value(json_object_get(json_object_get(wan, "x-difos-labels"), "dhcp")),
		    "DHCP client");
	json_decref(s);
}

/* ---- validation ---- */

static json_t *defaults_with(const char *path, const char *value)
{
	json_t *d = schema_defaults();

	put(d, path, value);
	return d;
}

static void test_invalid_pool_start(void)
{
	T_CHECK(first_error_is(defaults_with("lan.dhcp.start", "\"192.168.2.10\""),
			       "lan.dhcp.start",
			       "lan.dhcp.start: 192.168.2.10 is outside 192.168.1.0/24"));
}

static void test_invalid_unknown_key(void)
{
	T_CHECK(first_error_is(defaults_with("lan.colour", "\"blue\""),
			       "lan.colour", "lan.colour: is not a known setting"));
	T_CHECK(first_error_is(defaults_with("nosuchsection", "{}"),
			       "nosuchsection", "nosuchsection: is not a known setting"));
	T_CHECK(first_error_is(defaults_with("lan.ipv4.netmask", "\"255.255.255.0\""),
			       "lan.ipv4.netmask", "lan.ipv4.netmask: is not a known setting"));
}

static void test_invalid_type(void)
{
	T_CHECK(first_error_is(defaults_with("lan.ipv4.prefix", "\"twenty\""),
			       "lan.ipv4.prefix", "lan.ipv4.prefix: twenty is not an integer"));
	T_CHECK(first_error_is(defaults_with("lan.dhcp.enabled", "\"yes\""),
			       "lan.dhcp.enabled", "lan.dhcp.enabled: yes is not true or false"));
	T_CHECK(first_error_is(defaults_with("lan.ipv4", "5"),
			       "lan.ipv4", "lan.ipv4: 5 is not an object"));
	T_CHECK(first_error_is(defaults_with("lan.interfaces", "\"lan0\""),
			       "lan.interfaces", "lan.interfaces: lan0 is not a list"));
	T_CHECK(first_error_is(defaults_with("lan.ipv4.prefix", "31"),
			       "lan.ipv4.prefix", "lan.ipv4.prefix: 31 is above the maximum 30"));
	T_CHECK(first_error_is(defaults_with("wan.ipv4.proto", "\"pptp\""),
			       "wan.ipv4.proto",
			       "wan.ipv4.proto: pptp is not one of: dhcp, static, pppoe"));
}

static void test_invalid_required(void)
{
	json_t *d = schema_defaults();

	del(d, "system.hostname");
	T_CHECK(first_error_is(d, "system.hostname", "system.hostname: is required"));
	d = schema_defaults();
	put(d, "dhcp.static_leases", "[{\"id\": 1, \"ip\": \"192.168.1.20\"}]");
	T_CHECK(first_error_is(d, "dhcp.static_leases[1].mac",
			       "dhcp.static_leases[1].mac: is required"));
	d = schema_defaults();
	put(d, "lan.interfaces", "[]");
	T_CHECK(first_error_is(d, "lan.interfaces", "lan.interfaces: needs at least 1 entry"));
}

static void test_invalid_lease_outside_lan(void)
{
	T_CHECK(first_error_is(defaults_with("dhcp.static_leases",
					     "[{\"id\": 1, \"mac\": \"00:11:22:33:44:55\","
					     " \"ip\": \"10.0.0.5\"}]"),
			       "dhcp.static_leases[1].ip",
			       "dhcp.static_leases[1].ip: 10.0.0.5 is outside the LAN 192.168.1.0/24"));
	T_CHECK(first_error_is(defaults_with("dhcp.static_leases",
					     "[{\"id\": 3, \"mac\": \"00:11:22:33:44:55\","
					     " \"ip\": \"192.168.1.1\"}]"),
			       "dhcp.static_leases[3].ip",
			       "dhcp.static_leases[3].ip: 192.168.1.1 is the router's own address"));
	T_CHECK(first_error_is(defaults_with("dhcp.static_leases",
					     "[{\"id\": 3, \"mac\": \"00:11:22:33:44:55\","
					     " \"ip\": \"192.168.1.255\"}]"),
			       "dhcp.static_leases[3].ip",
			       "dhcp.static_leases[3].ip: 192.168.1.255 is not a host address of 192.168.1.0/24"));
	/* inside the LAN and outside the pool is fine */
	T_CHECK(valid(defaults_with("dhcp.static_leases",
				    "[{\"id\": 1, \"mac\": \"00:11:22:33:44:55\", \"ip\": \"192.168.1.20\"}]")));
}

static void test_invalid_duplicate_mac(void)
{
	/* reported on the later element, whatever the case of the hex digits */
	T_CHECK(first_error_is(defaults_with("dhcp.static_leases",
					     "[{\"id\": 1, \"mac\": \"00:11:22:33:44:aa\", \"ip\": \"192.168.1.20\"},"
					     " {\"id\": 2, \"mac\": \"00:11:22:33:44:AA\", \"ip\": \"192.168.1.21\"}]"),
			       "dhcp.static_leases[2].mac",
			       "dhcp.static_leases[2].mac: 00:11:22:33:44:AA is already used by dhcp.static_leases[1]"));
	/* the later one by position, not by id */
	T_CHECK(first_error_is(defaults_with("dhcp.static_leases",
					     "[{\"id\": 9, \"mac\": \"00:11:22:33:44:55\", \"ip\": \"192.168.1.20\"},"
					     " {\"id\": 4, \"mac\": \"00:11:22:33:44:66\", \"ip\": \"192.168.1.22\"},"
					     " {\"id\": 2, \"mac\": \"00:11:22:33:44:55\", \"ip\": \"192.168.1.21\"}]"),
			       "dhcp.static_leases[2].mac",
			       "dhcp.static_leases[2].mac: 00:11:22:33:44:55 is already used by dhcp.static_leases[9]"));
	T_CHECK(first_error_is(defaults_with("dhcp.static_leases",
					     "[{\"id\": 1, \"mac\": \"00:11:22:33:44:55\", \"ip\": \"192.168.1.20\"},"
					     " {\"id\": 2, \"mac\": \"00:11:22:33:44:66\", \"ip\": \"192.168.1.20\"}]"),
			       "dhcp.static_leases[2].ip",
			       "dhcp.static_leases[2].ip: 192.168.1.20 is already used by dhcp.static_leases[1]"));
	T_CHECK(first_error_is(defaults_with("dhcp.hostnames",
					     "[{\"id\": 1, \"name\": \"nas.lan\", \"ip\": \"192.168.1.5\"},"
					     " {\"id\": 2, \"name\": \"NAS.lan\", \"ip\": \"192.168.1.6\"}]"),
			       "dhcp.hostnames[2].name",
			       "dhcp.hostnames[2].name: NAS.lan is already used by dhcp.hostnames[1]"));
	T_CHECK(first_error_is(defaults_with("dhcp.hostnames",
					     "[{\"id\": 1, \"name\": \"a\", \"ip\": \"192.168.1.5\"},"
					     " {\"id\": 1, \"name\": \"b\", \"ip\": \"192.168.1.6\"}]"),
			       "dhcp.hostnames", "dhcp.hostnames: 1 is used as id twice"));
}

/* A unique set shared by two collections (the names of both kinds of
 * firewall alias), and the schema's own keys: names without case. */
static void test_unique_across_collections(void)
{
	json_t *d = defaults_with("firewall.ip_aliases",
				  "[{\"id\": 1, \"name\": \"web\", \"addresses\": [\"10.0.0.0/8\"]}]");

	put(d, "firewall.port_aliases", "[{\"id\": 2, \"name\": \"web\", \"ports\": [\"80\"]}]");
	T_CHECK(first_error_is(d, "firewall.port_aliases[2].name",
			       "firewall.port_aliases[2].name: web is already used by firewall.ip_aliases[1]"));
	T_CHECK(first_error_is(defaults_with("interfaces.custom",
		"[{\"id\": 1, \"name\": \"dmz\", \"device\": \"eth2\", \"zone\": \"lan\"},"
		" {\"id\": 2, \"name\": \"DMZ\", \"device\": \"eth3\", \"zone\": \"lan\"}]"),
		"interfaces.custom[2].name",
		"interfaces.custom[2].name: DMZ is already used by interfaces.custom[1]"));
}

/* Uniqueness the schema declares: a collection's key of several members
 * (a route's target, metric and table; an absent member counts as its
 * default; a bare address is its /32), and a list's items inside a
 * collection's entry (an extension's codecs, never compared across entries). */
static void test_unique_key_and_items(void)
{
	T_CHECK(first_error_is(defaults_with("routes.static4",
		"[{\"id\": 1, \"target\": \"10.98.0.1\", \"gateway\": \"192.168.1.9\", \"metric\": 0},"
		" {\"id\": 2, \"target\": \"10.98.0.1/32\", \"gateway\": \"192.168.1.8\","
		"  \"table\": 254}]"),
		"routes.static4[2].target",
		"routes.static4[2].target: 10.98.0.1/32 with metric 0 in table 254 is already routed "
		"by routes.static4[1]"));
	T_CHECK(valid(defaults_with("routes.static4",
		"[{\"id\": 1, \"target\": \"10.98.0.1\", \"gateway\": \"192.168.1.9\"},"
		" {\"id\": 2, \"target\": \"10.98.0.1\", \"gateway\": \"192.168.1.8\", \"table\": 7}]")));
	T_CHECK(first_error_is(defaults_with("extensions.list",
		"[{\"id\": 1, \"name\": \"A\", \"number\": \"1000\", \"codecs\": [\"ulaw\", \"opus\", \"ulaw\"]}]"),
		"extensions.list[1].codecs", "extensions.list[1].codecs: ulaw is listed twice"));
	T_CHECK(valid(defaults_with("extensions.list",
		"[{\"id\": 1, \"name\": \"A\", \"number\": \"1000\", \"codecs\": [\"ulaw\"],"
		" \"password\": \"Kq7!vTz2#pLw9xRe\"},"
		" {\"id\": 2, \"name\": \"B\", \"number\": \"1001\", \"codecs\": [\"ulaw\"],"
		" \"password\": \"Zm4@rYc8%hNb3sGu\"}]")));
	T_CHECK(first_error_is(defaults_with("pbx.local_subnets", "[\"10.0.0.0/8\", \"10.9.9.9\","
					     " \"10.9.9.9/32\"]"),
			       "pbx.local_subnets", "pbx.local_subnets: 10.9.9.9/32 is listed twice"));
}

static void test_invalid_wan_static(void)
{
	json_t *d = schema_defaults();

	put(d, "wan.ipv4.proto", "\"static\"");
	put(d, "wan.ipv4.address", "\"203.0.113.10\"");
	put(d, "wan.ipv4.prefix", "24");
	T_CHECK(first_error_is(json_incref(d), "wan.ipv4.gateway",
			       "wan.ipv4.gateway: is required when wan.ipv4.proto is static"));
	put(d, "wan.ipv4.gateway", "\"198.51.100.1\"");
	T_CHECK(first_error_is(json_incref(d), "wan.ipv4.gateway",
			       "wan.ipv4.gateway: 198.51.100.1 is outside the WAN network 203.0.113.0/24"));
	put(d, "wan.ipv4.gateway", "\"203.0.113.10\"");
	T_CHECK(first_error_is(json_incref(d), "wan.ipv4.gateway",
			       "wan.ipv4.gateway: 203.0.113.10 is the WAN address itself"));
	put(d, "wan.ipv4.gateway", "\"203.0.113.1\"");
	T_CHECK(valid(d));
	/* every missing part is named */
	d = schema_defaults();
	put(d, "wan.ipv4.proto", "\"static\"");
	{
		struct sc_error_list e;
		sc_errors_init(&e);
		schema_validate(d, &e);
		T_CHECK(e.n == 3);
		if (e.n == 3) {
			T_CHECK_STR(e.v[0].message, "wan.ipv4.address: is required when wan.ipv4.proto is static");
			T_CHECK_STR(e.v[1].message, "wan.ipv4.prefix: is required when wan.ipv4.proto is static");
			T_CHECK_STR(e.v[2].message, "wan.ipv4.gateway: is required when wan.ipv4.proto is static");
		}
		sc_errors_free(&e);
	}
	json_decref(d);
}

static void test_invalid_wan_overlap(void)
{
	json_t *d = schema_defaults();

	put(d, "wan.ipv4.proto", "\"static\"");
	put(d, "wan.ipv4.address", "\"192.168.1.2\"");
	put(d, "wan.ipv4.prefix", "24");
	put(d, "wan.ipv4.gateway", "\"192.168.1.254\"");
	T_CHECK(first_error_is(json_incref(d), "wan.ipv4.address",
			       "wan.ipv4.address: 192.168.1.2 puts the WAN network 192.168.1.0/24 over the LAN network 192.168.1.0/24"));
	/* a wider WAN network that contains the LAN overlaps too */
	put(d, "wan.ipv4.address", "\"192.168.7.2\"");
	put(d, "wan.ipv4.prefix", "16");
	put(d, "wan.ipv4.gateway", "\"192.168.0.1\"");
	T_CHECK(first_error_is(json_incref(d), "wan.ipv4.address",
			       "wan.ipv4.address: 192.168.7.2 puts the WAN network 192.168.0.0/16 over the LAN network 192.168.1.0/24"));
	/* a neighbouring network does not */
	put(d, "wan.ipv4.address", "\"192.168.2.2\"");
	put(d, "wan.ipv4.prefix", "24");
	put(d, "wan.ipv4.gateway", "\"192.168.2.1\"");
	T_CHECK(valid(d));
}

static void test_invalid_lan(void)
{
	json_t *d = defaults_with("wan.interface", "\"lan0\"");

	T_CHECK(first_error_is(d, "wan.interface", "wan.interface: lan0 is also a LAN interface"));
	T_CHECK(first_error_is(defaults_with("lan.interfaces", "[\"lan0\", \"br-lan\"]"),
			       "lan.interfaces", "lan.interfaces: br-lan is the bridge itself"));
	T_CHECK(first_error_is(defaults_with("lan.ipv4.address", "\"192.168.1.0\""),
			       "lan.ipv4.address",
			       "lan.ipv4.address: 192.168.1.0 is the network address of 192.168.1.0/24, not a host address"));
	T_CHECK(first_error_is(defaults_with("lan.dhcp.size", "200"),
			       "lan.dhcp.size",
			       "lan.dhcp.size: 200 addresses from 192.168.1.100 run past 192.168.1.254, the last host of 192.168.1.0/24"));
	T_CHECK(first_error_is(defaults_with("lan.ipv4.address", "\"192.168.1.120\""),
			       "lan.dhcp.start",
			       "lan.dhcp.start: 192.168.1.100 starts a pool of 150 that contains the router's own address 192.168.1.120"));
	/* the pool may end on the last host */
	T_CHECK(valid(defaults_with("lan.dhcp.size", "155")));
}

/*
 * A cross-field check must not crash on a document whose sections are not
 * complete: schema_validate is public and takes any document (the engine
 * validates what it is given, without filling defaults). Run in a child so
 * a crash is one failed check, not the end of the suite.
 */
static bool validate_survives(const char *text)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		json_t *doc = J(text);
		struct sc_error_list e;
		sc_errors_init(&e);
		schema_validate(doc, &e);
		sc_errors_free(&e);
		json_decref(doc);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return false;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "    validating %s: child %s %d\n", text,
			WIFSIGNALED(st) ? "killed by signal" : "exited with",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		return false;
	}
	return true;
}

static void test_validate_partial(void)
{
	json_t *empty = J("{}");

	T_CHECK(valid(empty));
	T_CHECK(validate_survives("{\"lan\": {\"interfaces\": [\"lan0\"]}}"));
	T_CHECK(validate_survives("{\"wan\": {}}"));
	T_CHECK(validate_survives("{\"lan\": {\"interfaces\": [\"lan0\"]}, \"wan\": {}}"));
	T_CHECK(validate_survives("{\"lan\": {\"ipv4\": {\"address\": \"10.0.0.1\", \"prefix\": 24}},"
				  " \"dhcp\": {\"static_leases\": [{\"id\": 1, \"mac\": \"00:11:22:33:44:55\","
				  " \"ip\": \"10.0.0.9\"}]}}"));
	T_CHECK(validate_survives("{\"wan\": {\"ipv4\": {\"proto\": \"static\"}}}"));
	T_CHECK(validate_survives("[]"));
	T_CHECK(first_error_is(J("[]"), "(document)", "(document): [] is not an object"));
}

/* ---- lookup ---- */

static void test_lookup(void)
{
	const struct sc_field *f;

	f = schema_lookup("lan.dhcp.start");
	T_CHECK(f && f->kind == SC_IPV4);
	if (f)
		T_CHECK_STR(f->name, "start");
	f = schema_lookup("dhcp.static_leases[4].mac");
	T_CHECK(f && f->kind == SC_MAC);
	f = schema_lookup("dhcp.static_leases");
	T_CHECK(f && f->kind == SC_COLLECTION);
	f = schema_lookup("dhcp.static_leases[4]");
	T_CHECK(f && f->kind == SC_COLLECTION);
	f = schema_lookup("lan");
	T_CHECK(f && f->kind == SC_OBJECT);
	T_CHECK(schema_lookup("") == schema_root());
	f = schema_lookup("lan.interfaces");
	T_CHECK(f && f->kind == SC_LIST && f->item == SC_IFNAME);

	T_CHECK(schema_lookup("lan.nothing") == NULL);
	T_CHECK(schema_lookup("nothing") == NULL);
	T_CHECK(schema_lookup("lan.dhcp.start.deeper") == NULL);
	T_CHECK(schema_lookup("lan[2].dhcp") == NULL);          /* not a collection */
	T_CHECK(schema_lookup("lan.dhcp.start[1]") == NULL);
	T_CHECK(schema_lookup("dhcp.static_leases[4].nothing") == NULL);
	T_CHECK(schema_lookup("lan..dhcp") == NULL);            /* malformed */
	T_CHECK(schema_lookup("dhcp.static_leases[0].mac") == NULL);
}

static void test_coerce_through_lookup(void)
{
	char why[256];
	json_t *v;

	v = sc_coerce_text(schema_lookup("lan.ipv4.prefix"), "24", why, sizeof(why));
	T_CHECK(json_is_integer(v) && json_integer_value(v) == 24);
	json_decref(v);
	v = sc_coerce_text(schema_lookup("lan.dhcp.enabled"), "off", why, sizeof(why));
	T_CHECK(json_is_false(v));
	json_decref(v);
	v = sc_coerce_text(schema_lookup("lan.interfaces"), "lan0,lan1", why, sizeof(why));
	{
		json_t *want = J("[\"lan0\", \"lan1\"]");
		T_CHECK(v && json_equal(v, want));
		json_decref(want);
	}
	json_decref(v);
	v = sc_coerce_text(schema_lookup("dhcp.static_leases[1].mac"), "AA-BB-CC-DD-EE-01",
			   why, sizeof(why));
	T_CHECK_STR(json_string_value(v), "aa:bb:cc:dd:ee:01");
	json_decref(v);
	v = sc_coerce_text(schema_lookup("lan.dhcp.start"), "192.168.1.50", why, sizeof(why));
	T_CHECK_STR(json_string_value(v), "192.168.1.50");
	json_decref(v);
	v = sc_coerce_text(schema_lookup("lan.ipv4.prefix"), "abc", why, sizeof(why));
	T_CHECK(v == NULL);
	T_CHECK_STR(why, "is not an integer");
}

/* ---- masking ---- */

static void test_mask_no_secrets(void)
{
	json_t *d = schema_defaults(), *m;

	put(d, "dhcp.static_leases", "[{\"id\": 1, \"mac\": \"00:11:22:33:44:55\", \"ip\": \"192.168.1.20\","
	       " \"name\": \"printer\"}]");
	m = schema_mask_secrets(d);
	/* nothing to hide: the document itself, not a copy of it */
	T_CHECK(m == d);
	T_CHECK(json_equal(m, d));
	json_decref(m);
	json_decref(d);
}

/* A schema of our own with a secret in a section and in a collection. */
static const struct sc_field test_auth_fields[] = {
	{ .name = "user", .kind = SC_STRING },
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_SECRET },
	{ .name = NULL }
};
static const struct sc_field test_peer_fields[] = {
	{ .name = "key", .kind = SC_STRING, .flags = SC_F_SECRET },
	{ .name = "host", .kind = SC_STRING },
	{ .name = NULL }
};
static const struct sc_field test_root_fields[] = {
	{ .name = "auth", .kind = SC_OBJECT, .fields = test_auth_fields },
	{ .name = "peers", .kind = SC_COLLECTION, .fields = test_peer_fields },
	{ .name = "peer", .kind = SC_REF, .ref = "peers" },
	{ .name = NULL }
};
static const struct sc_field test_root = {
	.name = "", .kind = SC_OBJECT, .fields = test_root_fields,
};

static void test_mask_secrets(void)
{
	json_t *d = J("{\"auth\": {\"user\": \"u\", \"password\": \"hunter2\"},"
		      " \"peers\": [{\"id\": 1, \"key\": \"k1\", \"host\": \"h1\"}, {\"id\": 2, \"host\": \"h2\"}]}");
	json_t *want = J("{\"auth\": {\"user\": \"u\", \"password\": \"********\"},"
			 " \"peers\": [{\"id\": 1, \"key\": \"********\", \"host\": \"h1\"}, {\"id\": 2, \"host\": \"h2\"}]}");
	json_t *m, *ex;

	schema_set_root(&test_root);
	m = schema_mask_secrets(d);
	T_CHECK(json_equal(m, want));
	/* the original keeps its values */
	T_CHECK_STR(json_string_value(at(d, "auth.password")), "hunter2");
	T_CHECK_STR(json_string_value(at(d, "peers[1].key")), "k1");
	/* only what holds a secret is copied: the element without one is shared */
	T_CHECK(json_array_get(at(m, "peers"), 1) == json_array_get(at(d, "peers"), 1));
	T_CHECK(json_array_get(at(m, "peers"), 0) != json_array_get(at(d, "peers"), 0));
	ex = schema_export();
	T_CHECK(json_is_true(at(ex, "properties.auth.properties.password.writeOnly")));
	T_CHECK(json_is_true(at(ex, "properties.auth.properties.password.x-difos-secret")));
	T_CHECK(at(ex, "properties.auth.properties.user.writeOnly") == NULL);
	json_decref(ex);
	json_decref(m);
	json_decref(want);
	json_decref(d);
	feature_schema_init();
}

/* The real schema has no reference yet: check the walker with ours. */
static void test_ref(void)
{
	schema_set_root(&test_root);
	T_CHECK(valid(J("{\"peers\": [{\"id\": 3, \"host\": \"h\"}], \"peer\": 3}")));
	T_CHECK(first_error_is(J("{\"peers\": [{\"id\": 3, \"host\": \"h\"}], \"peer\": 4}"),
			       "peer", "peer: 4 does not name an existing entry of peers"));
	T_CHECK(first_error_is(J("{\"peer\": 1}"),
			       "peer", "peer: 1 does not name an existing entry of peers"));
	feature_schema_init();
}

/* ---- export ---- */

static void test_export(void)
{
	json_t *ex = schema_export(), *req, *want;

	T_CHECK(json_is_object(ex));
	T_CHECK_STR(json_string_value(json_object_get(ex, "$schema")),
		    "https://json-schema.org/draft/2020-12/schema");
	T_CHECK_STR(json_string_value(json_object_get(ex, "type")), "object");
	T_CHECK(json_is_false(json_object_get(ex, "additionalProperties")));
	T_CHECK_STR(json_string_value(at(ex, "properties.lan.properties.dhcp.properties.start.format")),
		    "ipv4");
	T_CHECK_STR(json_string_value(at(ex, "properties.lan.properties.dhcp.properties.start.default")),
		    "192.168.1.100");
	T_CHECK_STR(json_string_value(at(ex, "properties.lan.properties.dhcp.properties.start.title")),
		    "Pool start");
	T_CHECK_STR(json_string_value(at(ex, "properties.lan.properties.ipv4.properties.prefix.type")),
		    "integer");
	T_CHECK(json_integer_value(at(ex, "properties.lan.properties.ipv4.properties.prefix.minimum")) == 8);
	T_CHECK(json_integer_value(at(ex, "properties.lan.properties.ipv4.properties.prefix.maximum")) == 30);
	T_CHECK(json_integer_value(at(ex, "properties.lan.properties.ipv4.properties.prefix.default")) == 24);

	/* collections: array of objects with a read-only integer id */
	T_CHECK_STR(json_string_value(at(ex, "properties.dhcp.properties.static_leases.type")), "array");
	T_CHECK_STR(json_string_value(at(ex, "properties.dhcp.properties.static_leases.x-difos-kind")),
		    "collection");
	T_CHECK_STR(json_string_value(at(ex, "properties.dhcp.properties.static_leases.items.properties.id.type")),
		    "integer");
	T_CHECK(json_is_true(at(ex, "properties.dhcp.properties.static_leases.items.properties.id.readOnly")));
	T_CHECK(at(ex, "properties.dhcp.properties.hostnames.items.properties.id") != NULL);
	T_CHECK_STR(json_string_value(at(ex, "properties.dhcp.properties.static_leases.items.properties.mac.x-difos-kind")),
		    "mac");

	/* required lists */
	req = at(ex, "properties.dhcp.properties.static_leases.items.required");
	want = J("[\"mac\", \"ip\"]");
	T_CHECK(req && json_equal(req, want));
	json_decref(want);
	req = at(ex, "properties.lan.properties.ipv4.required");
	want = J("[\"address\", \"prefix\"]");
	T_CHECK(req && json_equal(req, want));
	json_decref(want);
	req = at(ex, "properties.system.required");
	want = J("[\"hostname\"]");
	T_CHECK(req && json_equal(req, want));
	json_decref(want);
	/* no empty required list where nothing is required */
	T_CHECK(at(ex, "properties.firewall.required") == NULL);

	/* lists of scalars */
	T_CHECK_STR(json_string_value(at(ex, "properties.lan.properties.interfaces.x-difos-kind")), "list");
	T_CHECK_STR(json_string_value(at(ex, "properties.lan.properties.interfaces.items.x-difos-kind")),
		    "ifname");
	T_CHECK(json_integer_value(at(ex, "properties.lan.properties.interfaces.minItems")) == 1);
	T_CHECK(json_integer_value(at(ex, "properties.lan.properties.interfaces.maxItems")) == 32);
	/* enums */
	want = J("[\"dhcp\", \"static\", \"pppoe\"]");
	T_CHECK(json_equal(at(ex, "properties.wan.properties.ipv4.properties.proto.enum"), want));
	json_decref(want);
	/* every section is exported */
	T_CHECK(json_object_size(json_object_get(ex, "properties")) == section_count());
	json_decref(ex);
}

/* The port_range kind's reader, the one the firewall's port texts use. */
static void test_port_range_parse(void)
{
	static const char *const bad[] = { "0", "65536", "080", "+80", " 80", "80-", "-80",
					   "90-80", "80-0", "1-2-3", "", "x", NULL };
	long lo = -1, hi = -1;

	T_CHECK(sc_port_range_parse("80", &lo, &hi) && lo == 80 && hi == 80);
	T_CHECK(sc_port_range_parse("1-65535", &lo, &hi) && lo == 1 && hi == 65535);
	T_CHECK(sc_port_range_parse("5060-5060", &lo, &hi) && lo == 5060 && hi == 5060);
	for (const char *const *b = bad; *b; b++) {
		if (sc_port_range_parse(*b, &lo, &hi))
			fprintf(stderr, "    \"%s\" read as %ld-%ld\n", *b, lo, hi);
		T_CHECK(!sc_port_range_parse(*b, &lo, &hi));
	}
	T_CHECK(!sc_port_range_parse(NULL, &lo, &hi));
}

int main(void)
{
	feature_schema_init();
	T_RUN(test_defaults);
	T_RUN(test_defaults_interfaces);
	T_RUN(test_fill_defaults);
	T_RUN(test_rule_needs_zones_and_action);
	T_RUN(test_enum_labels);
	T_RUN(test_invalid_pool_start);
	T_RUN(test_invalid_unknown_key);
	T_RUN(test_invalid_type);
	T_RUN(test_invalid_required);
	T_RUN(test_invalid_lease_outside_lan);
	T_RUN(test_invalid_duplicate_mac);
	T_RUN(test_unique_across_collections);
	T_RUN(test_unique_key_and_items);
	T_RUN(test_invalid_wan_static);
	T_RUN(test_invalid_wan_overlap);
	T_RUN(test_invalid_lan);
	T_RUN(test_validate_partial);
	T_RUN(test_lookup);
	T_RUN(test_coerce_through_lookup);
	T_RUN(test_mask_no_secrets);
	T_RUN(test_mask_secrets);
	T_RUN(test_ref);
	T_RUN(test_export);
	T_RUN(test_port_range_parse);
	return t_done("unit-schema");
}
