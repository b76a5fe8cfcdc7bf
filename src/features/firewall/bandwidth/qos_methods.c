/*
 * The bandwidth-control methods: SQM's availability and its auto fill,
 * and the per-client counters read back from the kernel's HTB classes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/system.h"
#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"
#include "net/nl.h"
#include "store/doc.h"

static json_t *qos_sqm_status(struct rpc_call *c)
{
	const json_t *doc = c->env->engine->running;
	const char *why = sqm_cake_missing(c->env->sys, false);
	json_t *o = json_pack("{s:b, s:b, s:s?}", "available", why == NULL, "enabled",
			      doc_bool(doc, "sqm.enabled", false), "interface",
			      doc_str(doc, "wan.interface"));

	(void)c;
	if (why)
		json_object_set_new(o, "reason", json_string(why));
	json_object_set(o, "download", doc_get(doc, "sqm.download") ?
			doc_get(doc, "sqm.download") : json_null());
	json_object_set(o, "upload", doc_get(doc, "sqm.upload") ?
			doc_get(doc, "sqm.upload") : json_null());
	json_object_set_new(o, "autofill_factor", json_real(SQM_AUTOFILL_FACTOR));
	return o;
}

/* A speed parameter: a number, or decimal text (REST query values are text). */
static bool qos_speed_param(struct rpc_call *c, const char *key, double *out)
{
	static const struct sc_field speed = { .name = "speed", .kind = SC_RATE,
					       .max = QOS_RATE_MAX };
	json_t *v = json_object_get(c->params, key), *num;
	char why[256];

	if (!v) {
		rpc_fail(c, RPC_INVALID, key, NULL, "%s: is required (Mbps)", key);
		return false;
	}
	num = json_is_string(v) ? sc_coerce_text(&speed, json_string_value(v), why, sizeof(why)) :
				  json_incref(v);
	if (num && sc_check_scalar(&speed, SC_RATE, num, why, sizeof(why))) {
		*out = json_number_value(num);
		json_decref(num);
		return true;
	}
	json_decref(num);
	if (json_is_string(v))
		rpc_fail(c, RPC_INVALID, key, v, "%s: %s %s", key, json_string_value(v), why);
	else {
		char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		rpc_fail(c, RPC_INVALID, key, v, "%s: %s %s", key, text ? text : "?", why);
		free(text);
	}
	return false;
}

/* To a tenth of a Mbps: the step the GUI shows. */
static double qos_autofill(double advertised)
{
	return (double)(long long)(advertised * SQM_AUTOFILL_FACTOR * 10.0 + 0.5) / 10.0;
}

static json_t *qos_sqm_autofill(struct rpc_call *c)
{
	double down, up;

	if (!qos_speed_param(c, "advertised_download", &down) ||
	    !qos_speed_param(c, "advertised_upload", &up))
		return NULL;
	return json_pack("{s:f, s:f, s:f}", "download", qos_autofill(down), "upload",
			 qos_autofill(up), "factor", SQM_AUTOFILL_FACTOR);
}

/*
 * Bytes, packets and drops per HTB class of dev, read by netlink (what
 * `tc -s class show` prints, without running it). The dry backend has no
 * classes to read.
 */
static json_t *qos_class_stats(struct sys *sys, const char *dev)
{
	json_t *o = json_object(), *classes = sys_is_dry(sys) || !dev ? NULL : nl_classes(dev), *c;
	size_t i;

	json_array_foreach(classes, i, c) {
		const json_t *st = json_object_get(c, "stats");
		const char *kind = json_string_value(json_object_get(c, "class"));

		if (!kind || strcmp(kind, "htb") || !json_object_get(st, "bytes"))
			continue;
		json_object_set_new(o, json_string_value(json_object_get(c, "handle")),
			json_pack("{s:O, s:O, s:O?}", "bytes", json_object_get(st, "bytes"),
				  "packets", json_object_get(st, "packets"), "drops",
				  json_object_get(st, "drops")));
	}
	json_decref(classes);
	return o;
}

json_t *qos_counters(struct sys *sys, const json_t *doc)
{
	static const char *const colls[] = { "by_mac", "by_ip" };
	const json_t *qos = doc_get(doc, "qos");
	json_t *down = qos_class_stats(sys, doc_str(doc, "lan.device"));
	json_t *up = qos_class_stats(sys, QOS_IFB_UP);
	json_t *list = json_array();

	for (size_t k = 0; k < ARRAY_SIZE(colls); k++) {
		size_t i;
		json_t *el;
		json_array_foreach(json_object_get(qos, colls[k]), i, el) {
			char h[32];
			snprintf(h, sizeof(h), "%s:%x", QOS_HANDLE, qos_class_minor(qos, colls[k], i));
			json_array_append_new(list, json_pack("{s:s, s:O, s:s?, s:O?, s:O?}",
				"entry", colls[k], "id", json_object_get(el, "id"), "client",
				json_string_value(json_object_get(el, k ? "ip" : "mac")),
				"download", json_object_get(down, h), "upload",
				json_object_get(up, h)));
		}
	}
	json_decref(down);
	json_decref(up);
	return list;
}

static json_t *qos_counters_method(struct rpc_call *c)
{
	const json_t *doc = c->env->engine->running;

	if (!doc_bool(doc, "qos.enabled", false))
		return json_array();
	return qos_counters(c->env->sys, doc);
}

static const struct sc_field autofill_params[] = {
	{ .name = "advertised_download", .kind = SC_RATE, .max = QOS_RATE_MAX,
	  .help = "the line's advertised download speed (Mbps)" },
	{ .name = "advertised_upload", .kind = SC_RATE, .max = QOS_RATE_MAX,
	  .help = "the line's advertised upload speed (Mbps)" },
	{ .name = NULL }
};

#define BANDWIDTH "Bandwidth control"

const struct rpc_method qos_methods[] = {
	{ "qos.sqm_status", qos_sqm_status, "SQM: whether this kernel provides cake (and why not), "
	  "the speeds set", BANDWIDTH, NULL,
	  "{available, reason?, enabled, interface, download, upload, autofill_factor}", RPC_READ,
	  .rest = { { "GET", "/qos/sqm" } },
	  .cli = { "sqm-status", .help = "whether SQM can run here (cake), its speeds",
		   .print = qos_print_sqm_status } },
	{ "qos.sqm_autofill", qos_sqm_autofill, "SQM speeds from the advertised ones: 92 %, to "
	  "0.1 Mbps", BANDWIDTH, autofill_params, "{download, upload, factor}", RPC_READ,
	  .rest = { { "GET", "/qos/sqm/autofill" } },
	  .cli = { "sqm-autofill", "advertised_download advertised_upload", .usage = "DOWN UP",
		   .help = "SQM speeds from the advertised ones (Mbps)", .print = qos_print_autofill } },
	{ "qos.counters", qos_counters_method, "bytes, packets and drops of each limited client, "
	  "per direction", BANDWIDTH, NULL,
	  "[{entry, id, client, download: {bytes, packets, drops}, upload}]", RPC_READ,
	  .rest = { { "GET", "/qos/counters" } },
	  .cli = { "qos-counters", .help = "traffic and drops of each limited client",
		   .print = qos_print_counters } },
	{ NULL }
};
