/*
 * What VPN › IPsec shows: each peer's SAs as charon lists them (list-sas
 * over vici: IKE and CHILD states, bytes and packets, rekey and reauth
 * times), what the log says of a peer that is not up, and the quick
 * commands of the manual (restart, status, interfaces, routes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/supervisor.h"
#include "core/files.h"
#include "core/print.h"
#include "features/vpn/ipsec/ipsec_int.h"
#include "features/vpn/ipsec/vici_conn.h"
#include "net/nl.h"
#include "store/doc.h"

#define IPSEC_GROUP "VPN"
/* the log's last part read for the peers' problems */
#define IPSEC_LOG_TAIL (64 * 1024)

/* a vici number ("1234") as an integer, or null */
static json_t *num(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	unsigned long v;

	if (!s || !dec_parse(s, strlen(s), ~0UL >> 1, &v))
		return json_null();
	return json_integer((json_int_t)v);
}

static json_t *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? json_string(s) : json_null();
}

/* What was negotiated (charon leaves out what the proposal has none of:
 * no integrity with AES-GCM, no group without PFS): null then. */
static json_t *algorithms(json_t *view, const json_t *sa)
{
	json_object_set_new(view, "integrity", str(sa, "integ-alg"));
	json_object_set_new(view, "dh_group", str(sa, "dh-group"));
	return view;
}

static json_t *child_view(const json_t *c)
{
	json_t *lts = json_object_get(c, "local-ts"), *rts = json_object_get(c, "remote-ts");

	return algorithms(json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:O, s:O}",
			 "name", str(c, "name"), "uniqueid", num(c, "uniqueid"),
			 "state", str(c, "state"), "bytes_in", num(c, "bytes-in"),
			 "packets_in", num(c, "packets-in"), "bytes_out", num(c, "bytes-out"),
			 "packets_out", num(c, "packets-out"), "rekey_in", num(c, "rekey-time"),
			 "life_in", num(c, "life-time"), "installed_ago", num(c, "install-time"),
			 "encryption", str(c, "encr-alg"), "encryption_keysize", num(c, "encr-keysize"),
			 "local_ts", lts ? lts : json_null(), "remote_ts", rts ? rts : json_null()),
			  c);
}

static json_t *ike_view(const json_t *ike)
{
	json_t *children = json_array(), *c;
	const char *k;

	json_object_foreach(json_object_get(ike, "child-sas"), k, c)
		json_array_append_new(children, child_view(c));
	json_t *v = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "uniqueid", num(ike, "uniqueid"), "version", num(ike, "version"),
			 "state", str(ike, "state"), "local_host", str(ike, "local-host"),
			 "remote_host", str(ike, "remote-host"), "local_id", str(ike, "local-id"),
			 "remote_id", str(ike, "remote-id"),
			 "established_ago", num(ike, "established"),
			 "rekey_in", num(ike, "rekey-time"), "reauth_in", num(ike, "reauth-time"),
			 "children", children);

	json_object_set_new(v, "encryption", str(ike, "encr-alg"));
	json_object_set_new(v, "encryption_keysize", num(ike, "encr-keysize"));
	json_object_set_new(v, "prf", str(ike, "prf-alg"));
	return algorithms(v, ike);
}

json_t *ipsec_sas(const struct feature_env *env, const json_t *doc, char **err)
{
	char *path = ipsec_vici_path(env), *logp = xasprintf("%s/" IPSEC_LOG, env->paths.run);
	const json_t *watched = ipsec_watch_sas(err);
	json_t *events, *r, *peers = json_array(), *p, *ev;
	char *log = NULL;
	size_t i, loglen = 0;

	if (watched) {
		events = json_incref((json_t *)watched);
	} else {
		/* no loop, no watch: asked now */
		events = json_array();
		r = sv_running(IPSEC_ENGINE) ? vici_request(path, IPSEC_STATUS_MS, "list-sas", NULL,
							    "list-sa", events, err)
					     : NULL;
		json_decref(r);
	}
	log = file_read(logp, &loglen);
	json_array_foreach(doc_get(doc, "ipsec.peers"), i, p) {
		const char *name = doc_str(p, "name"), *ver = doc_str(p, "version");
		json_t *sas = json_array(), *e;
		const char *state = "down", *problem = NULL;
		size_t j;

		if (!name)
			continue;
		json_array_foreach(events, j, ev) {
			json_t *ike = json_object_get(ev, name);

			if (!ike)
				continue;
			json_array_append_new(sas, ike_view(ike));
			if (!strcmp(json_string_value(json_object_get(ike, "state")) ?: "",
				    "ESTABLISHED"))
				state = "up";
			else if (strcmp(state, "up"))
				state = "connecting";
		}
		if (!doc_bool(p, "enabled", true))
			state = "disabled";
		else if (strcmp(state, "up") && log) {
			size_t off = loglen > IPSEC_LOG_TAIL ? loglen - IPSEC_LOG_TAIL : 0;

			problem = ipsec_log_problem(log + off, loglen - off, name,
						    ver && !strcmp(ver, "ikev1"));
		}
		e = json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", name, "version",
			      ver ? ver : "ikev2", "state", state, "problem",
			      problem ? json_string(problem) : json_null(), "sas", sas);
		json_array_append_new(peers, e);
	}
	free(log);
	free(logp);
	free(path);
	json_decref(events);
	return peers;
}

json_t *ipsec_status(struct feature_ctx *ctx)
{
	char *err = NULL;
	json_t *peers, *out;
	size_t i;
	json_t *p;

	if (!json_array_size(doc_get(ctx->doc, "ipsec.peers")))
		return json_pack("{s:[]}", "peers");
	peers = ipsec_sas(ctx->env, ctx->doc, &err);
	/* the summary: the state and the problem; ipsec.status has the rest */
	json_array_foreach(peers, i, p)
		json_object_del(p, "sas");
	out = json_pack("{s:o, s:s}", "peers", peers, "esp",
			ipsec_kernel_esp(ctx->env) ? "kernel" : "userspace (kernel-libipsec)");
	if (err)
		json_object_set_new(out, "error", json_string(err));
	free(err);
	return out;
}

/* ---- the quick commands ---- */

static json_t *ipsec_status_method(struct rpc_call *c)
{
	char *err = NULL, *path = ipsec_vici_path(c->env);
	const json_t *doc = c->env->engine ? c->env->engine->running : NULL;
	json_t *peers = ipsec_sas(c->env, doc, &err), *ver = NULL, *out;

	if (sv_running(IPSEC_ENGINE)) {
		char *e2 = NULL;

		ver = vici_request(path, IPSEC_STATUS_MS, "version", NULL, NULL, NULL, &e2);
		free(e2);
	}
	out = json_pack("{s:b, s:s, s:o, s:o}", "running", sv_running(IPSEC_ENGINE), "esp",
			ipsec_kernel_esp(c->env) ? "kernel" : "userspace (kernel-libipsec)",
			"version", ver && json_object_get(ver, "version")
					   ? json_incref(json_object_get(ver, "version"))
					   : json_null(),
			"peers", peers);
	if (err)
		json_object_set_new(out, "error", json_string(err));
	json_decref(ver);
	free(err);
	free(path);
	return out;
}

static json_t *ipsec_restart_method(struct rpc_call *c)
{
	if (!sv_running(IPSEC_ENGINE))
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL,
				"charon is not running: no IPsec peer is configured");
	if (sv_restart(IPSEC_ENGINE) < 0)
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot restart charon");
	/* its connections are loaded again once its socket answers (ipsec.c) */
	return json_pack("{s:b}", "restarted", true);
}

static json_t *ipsec_interfaces_method(struct rpc_call *c)
{
	json_t *links = nl_links(), *addrs = nl_addresses(0), *out = json_array(), *joined, *l;
	size_t i;

	(void)c;
	joined = links && addrs ? nl_join_addrs(links, addrs) : json_array();
	json_array_foreach(joined, i, l) {
		json_t *a = json_array(), *ai;
		size_t j;

		json_array_foreach(json_object_get(l, "addr_info"), j, ai)
			json_array_append_new(a, json_sprintf("%s/%lld",
				json_string_value(json_object_get(ai, "local")),
				(long long)json_integer_value(json_object_get(ai, "prefixlen"))));
		json_array_append_new(out, json_pack("{s:O, s:O, s:O, s:b, s:o}",
			"name", json_object_get(l, "ifname"), "state", json_object_get(l, "operstate"),
			"mtu", json_object_get(l, "mtu"), "up", nl_link_has_flag(l, "UP"),
			"addresses", a));
	}
	json_decref(joined);
	json_decref(links);
	json_decref(addrs);
	return out;
}

static json_t *ipsec_routes_method(struct rpc_call *c)
{
	json_t *routes = nl_routes(0, -1), *out = json_array(), *r;
	size_t i;

	(void)c;
	json_array_foreach(routes, i, r) {
		const char *t = json_string_value(json_object_get(r, "table"));

		/* the kernel's own table of local and broadcast addresses says nothing here */
		if (t && !strcmp(t, "local"))
			continue;
		json_array_append(out, r);
	}
	json_decref(routes);
	return out;
}

static void print_peers(const json_t *res)
{
	const json_t *p;
	size_t i;

	json_array_foreach(json_object_get(res, "peers"), i, p) {
		const json_t *sa, *ch;
		size_t j, k;

		printf("%s (%s): %s", json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "version")),
		       json_string_value(json_object_get(p, "state")));
		if (json_is_string(json_object_get(p, "problem")))
			printf(": %s", json_string_value(json_object_get(p, "problem")));
		printf("\n");
		json_array_foreach(json_object_get(p, "sas"), j, sa) {
			printf("  IKE %s %s <-> %s, established %llds ago, rekey in %llds\n",
			       json_string_value(json_object_get(sa, "state")) ?: "?",
			       json_string_value(json_object_get(sa, "local_host")) ?: "?",
			       json_string_value(json_object_get(sa, "remote_host")) ?: "?",
			       (long long)json_integer_value(json_object_get(sa, "established_ago")),
			       (long long)json_integer_value(json_object_get(sa, "rekey_in")));
			json_array_foreach(json_object_get(sa, "children"), k, ch)
				printf("  CHILD %s %s: in %lld bytes %lld packets, out %lld bytes "
				       "%lld packets, rekey in %llds\n",
				       json_string_value(json_object_get(ch, "name")) ?: "?",
				       json_string_value(json_object_get(ch, "state")) ?: "?",
				       (long long)json_integer_value(json_object_get(ch, "bytes_in")),
				       (long long)json_integer_value(json_object_get(ch, "packets_in")),
				       (long long)json_integer_value(json_object_get(ch, "bytes_out")),
				       (long long)json_integer_value(json_object_get(ch, "packets_out")),
				       (long long)json_integer_value(json_object_get(ch, "rekey_in")));
		}
	}
}

static void print_interfaces(const json_t *res)
{
	const json_t *l, *a;
	size_t i, j;

	json_array_foreach(res, i, l) {
		printf("%s %s", json_string_value(json_object_get(l, "name")),
		       json_string_value(json_object_get(l, "state")) ?: "");
		json_array_foreach(json_object_get(l, "addresses"), j, a)
			printf(" %s", json_string_value(a));
		printf("\n");
	}
}

static void print_routes(const json_t *res)
{
	const json_t *r;
	size_t i;

	json_array_foreach(res, i, r) {
		printf("%s", json_string_value(json_object_get(r, "dst")) ?: "?");
		if (json_is_string(json_object_get(r, "gateway")))
			printf(" via %s", json_string_value(json_object_get(r, "gateway")));
		if (json_is_string(json_object_get(r, "dev")))
			printf(" dev %s", json_string_value(json_object_get(r, "dev")));
		printf(" table %s\n", json_string_value(json_object_get(r, "table")) ?: "?");
	}
}

const struct rpc_method ipsec_methods[] = {
	{ "ipsec.status", ipsec_status_method, "each IPsec peer's SAs as charon has them: IKE and "
	  "CHILD states, bytes and packets in and out, rekey and reauthentication times; why a "
	  "peer is not up (authentication failed, no answer)", IPSEC_GROUP, NULL,
	  "{running, esp, version, peers: [{name, version, state (up|connecting|down|disabled), "
	  "problem, sas: [{uniqueid, state, local_host, remote_host, established_ago, rekey_in, "
	  "reauth_in, children: [{name, uniqueid, state, bytes_in, packets_in, bytes_out, "
	  "packets_out, rekey_in, life_in, installed_ago, encryption, encryption_keysize, local_ts, "
	  "remote_ts}]}]}]}", RPC_READ,
	  .rest = { { "GET", "/ipsec/status" } },
	  .cli = { "ipsec-status", .print = print_peers } },
	{ "ipsec.restart", ipsec_restart_method, "restarts charon; the tunnels are set up again",
	  IPSEC_GROUP, NULL, "{restarted}",
	  .rest = { { "POST", "/ipsec/restart" } }, .cli = { "ipsec-restart" } },
	{ "ipsec.interfaces", ipsec_interfaces_method, "the router's interfaces and their "
	  "addresses", IPSEC_GROUP, NULL, "[{name, state, mtu, up, addresses: [address/len]}]",
	  RPC_READ, .rest = { { "GET", "/ipsec/interfaces" } },
	  .cli = { "ipsec-interfaces", .print = print_interfaces } },
	{ "ipsec.routes", ipsec_routes_method, "the router's routes of every table, with those "
	  "charon installs for the tunnels (table 220)", IPSEC_GROUP, NULL,
	  "[{family, dst, gateway?, dev?, table, protocol, ...}]", RPC_READ,
	  .rest = { { "GET", "/ipsec/routes" } },
	  .cli = { "ipsec-routes", .print = print_routes } },
	{ NULL }
};
