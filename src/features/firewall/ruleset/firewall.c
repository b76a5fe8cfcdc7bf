/*
 * The firewall feature: zones (LAN -> WAN allowed, WAN -> LAN blocked),
 * aliases, port forwards, traffic rules, NAT rules and hijacked DNS, as
 * one ruleset in the table difos owns ("inet difos"). The renderer writes
 * ruleset.nft plus one element file per alias set; the loader (fw_load.c)
 * applies the smallest change that gets the kernel there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/util.h"
#include "features/firewall/ruleset/firewall.h"
#include "features/firewall/ruleset/fw_lists.h"
#include "store/doc.h"

static const struct sc_field *const firewall_sections[] = { &firewall_section, NULL };

static int firewall_render(struct feature_ctx *ctx, struct render_out *out)
{
	struct fw_sets sets = { 0 };
	char *ruleset = fw_render_ruleset(ctx, &sets);

	render_add(out, "ruleset.nft", 0644, ruleset);
	for (size_t i = 0; i < sets.n; i++) {
		char *name = xasprintf("set.%s", sets.v[i].name);
		render_add(out, name, 0644, sets.v[i].elements);
		sets.v[i].elements = NULL;
		free(name);
	}
	fw_sets_free(&sets);
	return 0;
}

/*
 * nft's own check of the structure, in a table of another name so the
 * check neither touches nor reads the table in force (whose sets may be
 * huge). The elements were parsed by the renderer already.
 *
 * The check has no effect and the same text gets the same answer, so the
 * last structure nft accepted is remembered: a change of set elements
 * alone leaves the structure as it was and needs no second check. Nor
 * does a change confined to the rules of chains, with every declaration
 * as nft accepted it: the loader sends it as one transaction that the
 * kernel takes or refuses whole, and a refusal is an apply failure that
 * puts the previous state back. The kernel's dry run of those chains
 * would cost as much again as loading them (tens of milliseconds for
 * hundreds of rules, and a wait for its cleanup).
 */
static char *checked_ok;

static int firewall_check(struct feature_ctx *ctx)
{
	const char *dir = ctx->dir;
	struct sys *sys = ctx->env->sys;
	char **err = &ctx->err;
	char *path = xasprintf("%s/ruleset.nft", dir);
	char *text = file_read(path, NULL), *script, *out = NULL;
	const char *head = "table inet " FW_TABLE " {";
	bool dry = sys_is_dry(sys);
	int rc;

	free(path);
	if (!text || strncmp(text, head, strlen(head))) {
		free(text);
		*err = xstrdup("ruleset.nft is missing or malformed");
		return -1;
	}
	if (!dry && checked_ok && (!strcmp(checked_ok, text) ||
				   fw_only_chains_differ(text, checked_ok))) {
		free(text);
		return 0;
	}
	script = xasprintf("table inet " FW_TABLE "_check {%s", text + strlen(head));
	rc = sys->nft(sys, script, true, &out);
	if (rc) {
		*err = xasprintf("nft: %s", out && *out ? out : "ruleset rejected");
	} else if (!dry) {
		free(checked_ok);
		checked_ok = text;
		text = NULL;
	}
	free(out);
	free(script);
	free(text);
	return rc ? -1 : 0;
}

static int firewall_apply(struct feature_ctx *ctx)
{
	if (ctx->env->sys->write_proc(ctx->env->sys, "/proc/sys/net/ipv4/ip_forward", "1") < 0) {
		ctx->err = xstrdup("cannot enable IPv4 forwarding");
		return -1;
	}
	/* the IPv6 rules and NAT need forwarding of IPv6 too */
	ctx->env->sys->write_proc(ctx->env->sys, "/proc/sys/net/ipv6/conf/all/forwarding", "1");
	return fw_load(ctx->env->sys, ctx->dir, ctx->boot ? NULL : ctx->old_dir, &ctx->err);
}

static json_t *firewall_status(struct feature_ctx *ctx)
{
	const json_t *doc = ctx->doc;
	json_t *st = json_object();

	json_object_set_new(st, "rules", json_integer((json_int_t)json_array_size(
						 doc_get(doc, "firewall.rules"))));
	json_object_set_new(st, "port_forwards", json_integer((json_int_t)json_array_size(
							 doc_get(doc, "firewall.port_forwards"))));
	json_object_set_new(st, "lists", fw_lists_summary(ctx->env, doc));
	return st;
}

static void firewall_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	fw_metrics_stop();
}

const struct feature feature_firewall = {
	.name = "firewall",
	.title = "Firewall",
	.sections = firewall_sections,
	.render = firewall_render,
	.check = firewall_check,
	.apply = firewall_apply,
	.status = firewall_status,
	.stop = firewall_stop,
	.metrics = fw_metrics,
	.methods = fw_lists_methods,
};
