/*
 * The WireGuard clients' applier on the dry backend: what it asks of the
 * device (wg sync, never a key in the journal), the kernel (MTU, link,
 * addresses, routes above the WANs' metric) and what goes when a client is
 * removed or changed. And the section's rules the integration test does
 * not reach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "t_json.h"
#include "t_schema.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/util.h"
#include "features/vpn/wg_clients/wgc_int.h"
#include "schema/schema.h"

#define PIA "{\"id\": 1, \"name\": \"PIA\", \"private_key\": " \
	"\"yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04=\", \"addresses\": [\"172.19.210.3/32\", " \
	"\"fc00:deeb:2a4e::3/128\"], \"mtu\": 1280, \"public_key\": " \
	"\"ySvXw64LcpJK5TOaT7J5wDBBglcjrppg9h7yN6bL5x4=\", \"allowed_ips\": [\"0.0.0.0/0\", " \
	"\"::/0\", \"10.254.248.0/24\"], \"endpoint\": \"192.0.2.9:46170\"}"

static char *apply(const json_t *old, const json_t *doc)
{
	const struct feature *f = feature_find("wg_clients");
	struct sys *sys = sys_dry_new();
	struct feature_env env = { .sys = sys, .paths = { .run = "/run/difos",
							  .libexec = "/usr/libexec/difos" } };
	struct feature_ctx ctx = { .env = &env, .doc = doc, .old_doc = old, .boot = !old };
	char *journal;

	T_CHECK(f && f->apply(&ctx) == 0);
	if (ctx.err)
		fprintf(stderr, "    %s\n", ctx.err);
	free(ctx.err);
	journal = xstrdup(sys->journal.s ? sys->journal.s : "");
	sys_free(sys);
	return journal;
}

static void test_apply(void)
{
	json_t *d = doc_with("wg_clients.clients", "[" PIA "]"), *d2;
	char *j;

	schema_fill_defaults(d);
	T_CHECK(valid(json_incref(d)));
	j = apply(NULL, d);
	T_CHECK_STR(j, "net ip link show dev wgc_PIA\n"
		    "wg sync wgc_PIA port=0 peers=1\n"
		    "net ip link set dev wgc_PIA mtu 1280\n"
		    "net ip link set dev wgc_PIA up\n"
		    "net ip addr replace 172.19.210.3/32 dev wgc_PIA\n"
		    "net ip addr replace fc00:deeb:2a4e::3/128 dev wgc_PIA\n"
		    "net ip -4 route replace default dev wgc_PIA metric 2048\n"
		    "net ip -6 route replace default dev wgc_PIA metric 2048\n"
		    "net ip -4 route replace 10.254.248.0/24 dev wgc_PIA metric 2048\n");
	/* the private key is nowhere in what was done */
	T_CHECK(!strstr(j, "yM+D"));
	free(j);

	/* a range and an address fewer, a static port: those go, the rest stays */
	d2 = json_deep_copy(d);
	put(d2, "wg_clients.clients[1].allowed_ips", "[\"0.0.0.0/0\", \"::/0\"]");
	put(d2, "wg_clients.clients[1].addresses", "[\"172.19.210.3/32\"]");
	put(d2, "wg_clients.clients[1].static_port", "true");
	put(d2, "wg_clients.clients[1].listen_port", "51900");
	j = apply(d, d2);
	T_CHECK(strstr(j, "wg sync wgc_PIA port=51900 peers=1\n") != NULL);
	T_CHECK(strstr(j, "net ip addr del fc00:deeb:2a4e::3/128 dev wgc_PIA\n") != NULL);
	T_CHECK(strstr(j, "net ip -4 route del 10.254.248.0/24 dev wgc_PIA metric 2048\n") != NULL);
	if (t_cur_failed)
		fprintf(stderr, "%s", j);
	free(j);

	/* disabled: its device goes */
	put(d2, "wg_clients.clients[1].enabled", "false");
	j = apply(d, d2);
	T_CHECK_STR(j, "net ip link del dev wgc_PIA\n");
	free(j);
	json_decref(d2);
	json_decref(d);
}

static void test_rules(void)
{
	json_t *d = doc_with("wg_clients.clients", "[" PIA "]");

	put(d, "wg_clients.clients[1].allowed_ips", "[\"172.19.210.1/24\"]");
	put(d, "wg_clients.clients[1].dns", "[\"1.1.1.0/24\"]");
	schema_fill_defaults(d);
	T_CHECK(has_error(json_incref(d), "wg_clients.clients[1].allowed_ips[0]",
			  "wg_clients.clients[1].allowed_ips[0]: 172.19.210.1/24 has host bits: "
			  "the network is 172.19.210.0/24"));
	T_CHECK(has_error(json_incref(d), "wg_clients.clients[1].dns[0]",
			  "wg_clients.clients[1].dns[0]: 1.1.1.0/24 is a network: a DNS server is "
			  "an address"));
	put(d, "wg_clients.clients[1].static_port", "true");
	T_CHECK(has_error(d, "wg_clients.clients[1].listen_port",
			  "wg_clients.clients[1].listen_port: is missing: a static port needs it"));
}

/* wg-quick's reresolve-dns: names only, when the handshake is stale or never was */
static void test_needs_resolve(void)
{
	long long now = 1800000000;

	T_CHECK(wgc_needs_resolve("vpn.example:51820", 0, now));
	T_CHECK(wgc_needs_resolve("vpn.example:51820", now - 136, now));
	T_CHECK(!wgc_needs_resolve("vpn.example:51820", now - 135, now));
	T_CHECK(!wgc_needs_resolve("vpn.example:51820", now - 10, now));
	T_CHECK(!wgc_needs_resolve("192.0.2.9:51820", 0, now));
	T_CHECK(!wgc_needs_resolve("[2001:db8::1]:51820", 0, now));
	T_CHECK(!wgc_needs_resolve(NULL, 0, now));
}

int main(void)
{
	feature_schema_init();
	T_RUN(test_apply);
	T_RUN(test_rules);
	T_RUN(test_needs_resolve);
	return t_done("wg_clients");
}
