/*
 * Bandwidth control, the feature: renders QoS and SQM as two tc batch
 * files, checks that the kernel can run SQM before anything changes, and
 * applies each part whose file changed: what difos installed before is
 * taken away, then the new batch is loaded.
 */
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "apply/system.h"
#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"
#include "store/doc.h"

/* One part: a batch file shaping through one ifb device. */
struct qos_part {
	const char *file;
	const char *enabled;   /* document path of its switch */
	const char *root;      /* document path of the device that gets the root qdisc */
	const char *ports;     /* ... of the device(s) whose ingress goes to the ifb */
	const char *ifb;
	bool cake;
};

static const struct qos_part qos_parts[] = {
	{ "qos.tc", "qos.enabled", "lan.device", "lan.interfaces", QOS_IFB_UP, false },
	{ "sqm.tc", "sqm.enabled", "wan.interface", "wan.interface", SQM_IFB_DOWN, true },
};

static int qos_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;

	render_add(out, "qos.tc", 0644, qos_tc_render(doc));
	render_add(out, "sqm.tc", 0644, sqm_tc_render(doc));
	return 0;
}

/* Before the switch: a batch that needs cake fails here, nothing changed yet. */
static int qos_check(struct feature_ctx *ctx)
{
	const char *dir = ctx->dir;
	struct sys *sys = ctx->env->sys;
	char **err = &ctx->err;
	char *path = xasprintf("%s/sqm.tc", dir), *text = file_read(path, NULL);
	const char *why = NULL;

	if (text && strstr(text, " cake "))
		why = sqm_cake_missing(sys, true);
	if (why)
		*err = xstrdup(why);
	free(text);
	free(path);
	return why ? -1 : 0;
}

/* Adds the device name(s) at path of doc (a name or a list) to set. */
static void qos_devices(json_t *set, const json_t *doc, const char *path)
{
	json_t *v = doc ? doc_get(doc, path) : NULL, *el;
	size_t i;

	if (json_is_string(v))
		json_object_set_new(set, json_string_value(v), json_true());
	json_array_foreach(v, i, el)
		if (json_is_string(el))
			json_object_set_new(set, json_string_value(el), json_true());
}

static json_t *qos_device_list(const json_t *set)
{
	json_t *list = json_array(), *v;
	const char *name;

	json_object_foreach((json_t *)set, name, v)
		json_array_append_new(list, json_string(name));
	return list;
}

/* Takes away what this part installed, for the old and the new document
 * (a renamed bridge or a port that left the LAN still carries it). */
static int qos_clear_part(struct feature_ctx *ctx, const struct qos_part *p, char **err)
{
	json_t *roots = json_object(), *ports = json_object(), *rl, *pl;
	int rc;

	qos_devices(roots, ctx->old_doc, p->root);
	qos_devices(roots, ctx->doc, p->root);
	qos_devices(ports, ctx->old_doc, p->ports);
	qos_devices(ports, ctx->doc, p->ports);
	rl = qos_device_list(roots);
	pl = qos_device_list(ports);
	rc = qos_tc_clear(ctx->env->sys, rl, pl, p->ifb, err);
	json_decref(roots);
	json_decref(ports);
	json_decref(rl);
	json_decref(pl);
	return rc;
}

static int qos_apply_part(struct feature_ctx *ctx, const struct qos_part *p)
{
	bool on = doc_bool(ctx->doc, p->enabled, false);
	char *batch;
	int rc;

	if (on && p->cake) {
		const char *why = sqm_cake_missing(ctx->env->sys, true);
		if (why) {
			ctx->err = xstrdup(why);
			return -1;
		}
	}
	if (qos_clear_part(ctx, p, &ctx->err))
		return -1;
	if (!on)
		return 0;
	batch = xasprintf("%s/%s", ctx->dir, p->file);
	rc = qos_tc_load(ctx->env->sys, p->ifb, batch, &ctx->err);
	free(batch);
	/* half a batch shapes some clients and not others: take it all away */
	if (rc)
		qos_clear_part(ctx, p, NULL);
	return rc;
}

static int qos_apply(struct feature_ctx *ctx)
{
	for (size_t i = 0; i < ARRAY_SIZE(qos_parts); i++)
		if (apply_file_changed(ctx, qos_parts[i].file) &&
		    qos_apply_part(ctx, &qos_parts[i]) < 0)
			return -1;
	return 0;
}

static json_t *qos_status(struct feature_ctx *ctx)
{
	const json_t *doc = ctx->doc;
	const char *why = sqm_cake_missing(ctx->env->sys, false);
	bool on = doc_bool(doc, "qos.enabled", false);
	json_t *o = json_pack("{s:{s:b, s:I, s:I, s:I}, s:{s:b, s:b, s:s?}}",
		"qos", "enabled", on,
		"by_ip", (json_int_t)json_array_size(doc_get(doc, "qos.by_ip")),
		"by_mac", (json_int_t)json_array_size(doc_get(doc, "qos.by_mac")),
		"whitelisted", (json_int_t)(json_array_size(doc_get(doc, "qos.whitelist_ips")) +
					    json_array_size(doc_get(doc, "qos.whitelist_macs"))),
		"sqm", "enabled", doc_bool(doc, "sqm.enabled", false), "available", why == NULL,
		"reason", why);

	if (on)
		json_object_set_new(json_object_get(o, "qos"), "clients", qos_counters(ctx->env->sys, doc));
	return o;
}

const struct feature feature_qos = {
	.name = "qos",
	.title = "Bandwidth control",
	.sections = qos_sections,
	.render = qos_render,
	.check = qos_check,
	.apply = qos_apply,
	.status = qos_status,
	.methods = qos_methods,
};
