/*
 * PBX › Call Routing: the routes' dialplan and the route preview.
 * Inbound routes fill difos-inbound, which every trunk's calls pass before
 * the trunk's default; outbound routes fill difos-outbound, next to the
 * trunks' dial-out prefixes. Asterisk orders them by pattern (pattern.h),
 * so the order of the list changes nothing, as the preview shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "core/print.h"
#include "features/pbx/routing/pattern.h"
#include "features/pbx/routing/routing.h"
#include "store/doc.h"
#include "store/store.h"

static const char *routing_trunk_name(const json_t *doc, const json_t *id)
{
	const json_t *t;
	size_t i;

	json_array_foreach(doc_get(doc, "trunks.list"), i, t)
		if (json_equal(json_object_get(t, "id"), id))
			return doc_bool(t, "enabled", true) ? doc_str(t, "name") : NULL;
	return NULL;
}

static void routing_asterisk(struct feature_ctx *ctx, struct feature_asterisk *out)
{
	const json_t *doc = ctx->doc, *r;
	struct sbuf *b = &out->slot[AST_DIALPLAN];
	size_t i;

	sbuf_add(b, "[difos-inbound]\n");
	json_array_foreach(doc_get(doc, "call_routing.inbound"), i, r)
		if (doc_bool(r, "enabled", true))
			sbuf_printf(b, "exten => %s,1,Goto(difos-extensions,%s,1)\n",
				    doc_str(r, "pattern"), doc_str(r, "destination"));
	sbuf_add(b, "\n[difos-outbound]\n");
	json_array_foreach(doc_get(doc, "call_routing.outbound"), i, r) {
		const char *trunk = routing_trunk_name(doc, json_object_get(r, "trunk"));
		const char *pat = doc_str(r, "pattern");
		if (!doc_bool(r, "enabled", true) || !trunk)
			continue;
		if (doc_str(r, "caller_id"))
			sbuf_printf(b, "exten => %s,1,Set(DIFOS_ROUTE_CID=%s)\n same => n,", pat,
				    doc_str(r, "caller_id"));
		else
			sbuf_printf(b, "exten => %s,1,", pat);
		sbuf_printf(b, "Gosub(difos-dial-trunk,s,1(trunk-%s,${EXTEN}))\n same => n,Hangup()\n",
			    trunk);
	}
	sbuf_add(b, "\n");
}

/* what a preview reads: the staged configuration if there is one (what
 * an apply would put in force), else the running one */
static const json_t *routing_doc(struct rpc_call *c)
{
	const json_t *staged = store_staged_peek(c->env->engine->store);

	return staged ? staged : c->env->engine->running;
}

static json_t *routing_preview_method(struct rpc_call *c)
{
	const char *number = json_string_value(json_object_get(c->params, "number"));
	const char *trunk = json_string_value(json_object_get(c->params, "trunk"));
	json_t *o;

	if (!number || !*number || strlen(number) > PAT_MAX_LEN ||
	    strspn(number, "0123456789*#+") != strlen(number)) {
		rpc_fail(c, RPC_INVALID, "number", json_object_get(c->params, "number"),
			 "number: %s is not a number that can be dialled (digits, *, #, +)",
			 number ? number : "");
		return NULL;
	}
	o = trunk ? routing_preview_inbound(routing_doc(c), trunk, number)
		  : routing_preview_outbound(routing_doc(c), number);
	json_object_set_new(o, "number", json_string(number));
	json_object_set_new(o, "staged", json_boolean(store_staged_peek(c->env->engine->store)));
	return o;
}

static void routing_print_preview(const json_t *r)
{
	const char *kind = json_string_value(json_object_get(r, "kind"));
	const char *num = json_string_value(json_object_get(r, "number"));
	const json_t *route = json_object_get(r, "route");

	if (!strcmp(kind, "extension"))
		printf("%s: the extension %s\n", num, json_string_value(json_object_get(r, "name")));
	else if (!strcmp(kind, "prefix"))
		printf("%s: the dial-out prefix of trunk %s (%s): %s is sent\n", num,
		       json_string_value(json_object_get(r, "trunk")),
		       json_string_value(json_object_get(r, "pattern")),
		       json_string_value(json_object_get(r, "sent")));
	else if (!strcmp(kind, "route") && json_object_get(r, "trunk"))
		printf("%s: outbound route %s (%s) to trunk %s\n", num,
		       json_string_value(json_object_get(route, "name")) ?
		       json_string_value(json_object_get(route, "name")) : "",
		       json_string_value(json_object_get(route, "pattern")),
		       json_string_value(json_object_get(r, "trunk")));
	else if (!strcmp(kind, "route"))
		printf("%s: inbound route %s to %s\n", num,
		       json_string_value(json_object_get(route, "pattern")),
		       json_string_value(json_object_get(r, "destination")));
	else if (!strcmp(kind, "default"))
		printf("%s: no inbound route: the trunk's default, %s\n", num,
		       json_string_value(json_object_get(r, "destination")));
	else if (!strcmp(kind, "refused"))
		printf("%s: no inbound route and no default: refused\n", num);
	else if (!strcmp(kind, "no_trunk"))
		printf("%s: there is no such trunk\n", num);
	else
		printf("%s: no route: the call fails\n", num);
}

static const struct sc_field preview_params[] = {
	{ .name = "number", .kind = SC_STRING, .flags = SC_F_REQUIRED, .max = PAT_MAX_LEN,
	  .help = "the number dialled (or, with trunk, the number called on that trunk)" },
	{ .name = "trunk", .kind = SC_STRING, .max = 24,
	  .help = "a trunk's name: where a call in on it for number goes" },
	{ .name = NULL }
};

const struct rpc_method routing_methods[] = {
	{ "pbx.route_preview", routing_preview_method, "where a number goes: an extension, a "
	  "trunk's dial-out prefix or an outbound route (dialled by an extension), or an inbound "
	  "route or the trunk's default (called on a trunk); in the staged configuration if any",
	  "PBX", preview_params,
	  "{number, kind: extension|prefix|route|none|default|refused|no_trunk, route?, trunk?, "
	  "sent?, caller_id?, destination?, staged}", RPC_READ,
	  .rest = { { "GET", "/pbx/route-preview" } },
	  .cli = { "route-preview", "number trunk?", .usage = "NUMBER [TRUNK]",
		   .help = "where a dialled number goes (with TRUNK: a call in on it)",
		   .print = routing_print_preview } },
	{ NULL }
};

const struct feature feature_routing = {
	.name = "routing",
	.title = "Call Routing",
	.sections = routing_sections,
	.asterisk = routing_asterisk,
	.methods = routing_methods,
};
