/*
 * Routes: static IPv4/IPv6 routes and policy-based routes (the manual's
 * Network Settings - Routes). This file is the feature: its rendered
 * state, its applier, its status and its methods.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "features/network/routes/routes.h"
#include "rpc/rpc.h"
#include "schema/schema.h"
#include "store/doc.h"

static const struct sc_field *const routes_sections[] = { &routes_section, NULL };

static void routes_render_route(struct sbuf *b, const json_t *r)
{
	sbuf_printf(b, "route -%lld %s", doc_int(r, "family", 4), doc_str(r, "dst"));
	if (doc_str(r, "via"))
		sbuf_printf(b, " via %s", doc_str(r, "via"));
	if (doc_str(r, "dev"))
		sbuf_printf(b, " dev %s", doc_str(r, "dev"));
	sbuf_printf(b, " table %lld metric %lld\n", doc_int(r, "table", ROUTES_TABLE_MAIN),
		    doc_int(r, "metric", 0));
}

static int routes_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;
	json_t *want = routes_wanted_text(doc), *v;
	struct sbuf b;
	size_t i;

	sbuf_init(&b);
	sbuf_add(&b, "# routes rendered by difos\n");
	json_array_foreach(json_object_get(want, "routes"), i, v)
		routes_render_route(&b, v);
	json_array_foreach(json_object_get(want, "rules"), i, v)
		sbuf_printf(&b, "rule pref %lld fwmark 0x%llx/0x%x lookup %lld interface %s\n",
			    doc_int(v, "pref", 0), doc_int(v, "mark", 0), ROUTES_MARK_MASK,
			    doc_int(v, "table", 0), doc_str(v, "interface"));
	json_decref(want);
	render_add(out, "routes.state", 0644, sbuf_steal(&b));
	sbuf_init(&b);
	routes_domains_text(doc, ctx->env, &b);
	render_add(out, "domains", 0644, sbuf_steal(&b));
	return 0;
}

/* A policy that lost a domain: the addresses its set holds may be the
 * removed domain's, so the set is emptied (dnsmasq, restarted with the new
 * domains, fills it again as clients look names up). One that only gained
 * domains keeps its addresses. A failure here costs lookups, not routes:
 * it is logged, not fatal. */
static void routes_flush_sets(struct feature_ctx *ctx)
{
	char *old_path = xasprintf("%s/domains", ctx->old_dir);
	char *new_path = xasprintf("%s/domains", ctx->dir);
	char *old_text = file_read(old_path, NULL), *new_text = file_read(new_path, NULL);
	json_t *flush = routes_sets_to_flush(old_text, new_text), *s;
	size_t i;

	json_array_foreach(flush, i, s) {
		char *script = xasprintf("flush set inet difos %s\n", json_string_value(s));
		char *out = NULL;

		if (ctx->env->sys->nft(ctx->env->sys, script, false, &out))
			log_warn("routes: cannot empty %s: %s", json_string_value(s),
				 out ? out : "nft failed");
		else
			log_info("routes: %s emptied: its policy lost a domain",
				 json_string_value(s));
		free(out);
		free(script);
	}
	json_decref(flush);
	free(old_text);
	free(new_text);
	free(old_path);
	free(new_path);
}

/* Anything the appliers of lan, wan and ifaces can undo: they reset
 * the addresses of devices, and the kernel drops the routes through a
 * device that loses its addresses, so the routes are put back after them. */
static bool routes_in_place(const json_t *doc)
{
	json_t *want = routes_wanted_text(doc);
	bool any = json_array_size(json_object_get(want, "routes")) ||
		   json_array_size(json_object_get(want, "rules"));

	json_decref(want);
	return any;
}

static int routes_apply(struct feature_ctx *ctx)
{
	int rc;

	if (ctx->old_dir && apply_file_changed(ctx, "domains"))
		routes_flush_sets(ctx);
	rc = routes_sync(ctx->env->sys, ctx->doc, &ctx->err);

	if (rc == 0 || !ctx->boot || strcmp(doc_str(ctx->doc, "wan.ipv4.proto"), "dhcp"))
		return rc;
	/* at start the WAN has no DHCP address yet, so a gateway on its network
	 * is unreachable: the lease, when it comes, installs what failed */
	if (!routes_wan_leased()) {
		log_warn("routes: %s (tried again when the WAN gets its DHCP lease)", ctx->err);
		free(ctx->err);
		ctx->err = NULL;
		rc = 0;
	}
	return rc;
}

static void routes_status_policy(const json_t *pol, const struct routes_iface *ifc, void *arg)
{
	json_t *a = arg;
	char mark[16];

	snprintf(mark, sizeof(mark), "0x%x", routes_mark(ifc->index));
	json_array_append_new(a, json_pack("{s:I, s:s?, s:s, s:s, s:s, s:i}", "id",
		(json_int_t)doc_int(pol, "id", 0), "name", doc_str(pol, "name"), "interface",
		ifc->name, "device", ifc->dev, "mark", mark, "table", routes_table(ifc->index)));
}

static json_t *routes_status(struct feature_ctx *ctx)
{
	const json_t *doc = ctx->doc;
	json_t *policies = json_array();
	json_t *o;

	routes_policy_foreach(doc, routes_status_policy, policies);
	o = json_pack("{s:I, s:I, s:o}", "static4",
		      (json_int_t)json_array_size(doc_get(doc, "routes.static4")), "static6",
		      (json_int_t)json_array_size(doc_get(doc, "routes.static6")), "policy",
		      policies);
	/* the dry backend has nothing in force to read */
	if (!sys_is_dry(ctx->env->sys))
		json_object_set_new(o, "in_force", routes_in_force());
	return o;
}

static json_t *routes_domain_lists(struct rpc_call *c)
{
	char *dir = domain_lists_dir(c->env);
	json_t *lists = domain_lists_index(dir);

	free(dir);
	return json_pack("{s:o}", "lists", lists);
}

static void routes_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	routes_nft_sets(ctx->doc, &out->slot[NFT_SETS]);
	routes_nft_marks(ctx->doc, &out->slot[NFT_MARK_PREROUTING]);
}

static void routes_dnsmasq_lines(struct feature_ctx *ctx, struct sbuf *out)
{
	routes_dnsmasq(ctx->doc, ctx->env, out);
}

/* The policy table of "wan" goes through the router the WAN's lease names;
 * the routes through a device that came up again are put back. */
static void routes_event(const struct feature_env *env, const struct feature_event *ev)
{
	if (ev->kind == EV_WAN_LEASE) {
		routes_wan_lease(true, json_string_value(json_array_get(
			json_object_get(ev->data, "routers"), 0)));
		if (env->engine)
			routes_follow_wan(env->sys, env->engine->running);
	} else if (ev->kind == EV_WAN_LEASE_LOST) {
		routes_wan_lease(false, NULL);
	} else if (ev->kind == EV_LINK && env->engine &&
		   !json_is_true(json_object_get(ev->data, "removed")) &&
		   json_is_true(json_object_get(ev->data, "up"))) {
		routes_follow_link(env->sys, env->engine->running,
				   json_string_value(json_object_get(ev->data, "interface")));
	}
}

static void routes_print_domain_lists(const json_t *res)
{
	const json_t *lists = json_object_get(res, "lists"), *e;
	size_t i;

	if (!json_array_size(lists)) {
		puts("no premade domain lists are installed");
		return;
	}
	printf("%-20s %8s  %s\n", "LIST", "DOMAINS", "DESCRIPTION");
	json_array_foreach(lists, i, e)
		printf("%-20s %8lld  %s\n", json_string_value(json_object_get(e, "name")),
		       (long long)json_integer_value(json_object_get(e, "domains")),
		       json_string_value(json_object_get(e, "description")));
}

static const struct rpc_method routes_methods[] = {
	{ "routes.domain_lists", routes_domain_lists, "premade domain lists for policy routes: "
	  "name, number of domains, description", "Routes", NULL,
	  "{lists: [{name, domains, description}]}", RPC_READ,
	  .rest = { { "GET", "/routes/domain-lists" } },
	  .cli = { "domain-lists", .help = "premade domain lists for policy routes",
		   .print = routes_print_domain_lists } },
	{ NULL }
};

const struct feature feature_routes = {
	.name = "routes",
	.title = "Routes",
	.sections = routes_sections,
	.render = routes_render,
	.apply = routes_apply,
	.status = routes_status,
	.nft = routes_nft,
	.dnsmasq = routes_dnsmasq_lines,
	.event = routes_event,
	/* what its applier reads: the routes, and the uplinks they go through */
	.reads = (const char *const[]){ "routes", "interfaces.custom", "wan.interface",
					"wan.ipv4.proto", "wan.ipv4.gateway", "wg_clients", NULL },
	.after = (const char *const[]){ "lan", "wan", "ifaces", "wg_clients", NULL },
	.after_needed = routes_in_place,
	.methods = routes_methods,
};
