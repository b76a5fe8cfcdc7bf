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
#include "core/files.h"
#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"
#include "store/doc.h"

/* One part: a batch file shaping through one ifb device. */
struct qos_part {
	const char *file;
	const char *ifb;
	bool cake;
};

static const struct qos_part qos_parts[] = {
	{ "qos.tc", QOS_IFB_UP, false },
	{ "sqm.tc", SQM_IFB_DOWN, true },
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

/*
 * The devices a batch installs on, read from the batch itself: a root
 * qdisc ("qdisc add dev br-lan root ...") or an ingress one ("qdisc add
 * dev lan0 handle ffff: ingress"). The applier acts on what was rendered;
 * true when the batch installs anything at all.
 */
static bool qos_batch_devices(const char *dir, const struct qos_part *p, json_t *roots,
			      json_t *ports)
{
	char *path = dir ? xasprintf("%s/%s", dir, p->file) : NULL;
	char *text = path ? file_read(path, NULL) : NULL, *save = NULL;
	bool any = false;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char dev[64], rest[128];

		if (*l && *l != '#')
			any = true;
		if (sscanf(l, "qdisc add dev %63s %127[^\n]", dev, rest) != 2 || !strcmp(dev, p->ifb))
			continue;
		if (!strncmp(rest, "root", 4))
			json_object_set_new(roots, dev, json_true());
		else if (strstr(rest, "ingress"))
			json_object_set_new(ports, dev, json_true());
	}
	free(text);
	free(path);
	return any;
}

static json_t *qos_device_list(const json_t *set)
{
	json_t *list = json_array(), *v;
	const char *name;

	json_object_foreach((json_t *)set, name, v)
		json_array_append_new(list, json_string(name));
	return list;
}

/* Takes away what this part installed: on the devices of the batch in
 * force and of the new one (a renamed bridge or a port that left the LAN
 * still carries it); at start, where an earlier run may have left it: on
 * every device. Only what is difos' own is touched. */
static int qos_clear_part(struct feature_ctx *ctx, const struct qos_part *p, char **err)
{
	json_t *roots = json_object(), *ports = json_object(), *rl, *pl;
	int rc;

	qos_batch_devices(ctx->old_dir, p, roots, ports);
	qos_batch_devices(ctx->dir, p, roots, ports);
	if (!ctx->old_dir)
		qos_links(ctx->env->sys, roots, ports);
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
	json_t *none = json_object();
	bool on = qos_batch_devices(ctx->dir, p, none, none);
	char *batch;
	int rc;

	json_decref(none);
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

/* Is cake there? Asked once at start, so that status reads never run the probe. */
static int qos_init(const struct feature_env *env)
{
	sqm_cake_missing(env->sys, true);
	return 0;
}

const struct feature feature_qos = {
	.name = "qos",
	.init = qos_init,
	.title = "Bandwidth control",
	.sections = qos_sections,
	.render = qos_render,
	.check = qos_check,
	.apply = qos_apply,
	.status = qos_status,
	.methods = qos_methods,
};
