/*
 * The WAN card and the list of features: what the WAN and DNS features
 * say in their status (the DHCP lease, the static settings, the upstream
 * servers in force; a PPPoE session as a lease), the WAN link as the kernel
 * and the traffic sampler see it, the last connectivity check and the
 * uplink's health (the uplinks feature's status); then every feature's state
 * with its engines'. Features are asked through their status hook, never
 * called.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "store/doc.h"

static const struct feature *dash_feature(const char *name)
{
	for (size_t i = 0; i < feature_count(); i++)
		if (!strcmp(feature_table[i]->name, name))
			return feature_table[i];
	return NULL;
}

/* a feature's status detail, or NULL */
static json_t *dash_detail(const struct feature_env *env, const char *name)
{
	const struct feature *f = dash_feature(name);
	struct feature_ctx ctx = { .env = env, .doc = env->engine ? env->engine->running : NULL };

	return f && ctx.doc ? feature_status(f, &ctx) : NULL;
}

json_t *dashboard_wan_facts(const struct feature_env *env)
{
	json_t *wan = dash_detail(env, "wan"), *dns = dash_detail(env, "dhcp");
	const json_t *lease = json_object_get(wan, "dhcp"), *st = json_object_get(wan, "static");
	const json_t *ppp = json_object_get(wan, "pppoe");
	json_t *o = json_pack("{s:s?, s:s?, s:n, s:n, s:[], s:n, s:n}",
			      "interface", doc_str(wan, "interface"), "proto", doc_str(wan, "proto"),
			      "address", "gateway", "dns", "upstreams", "lease");

	/* a PPPoE session up is the WAN's lease, on its PPP device */
	if (ppp && json_object_get(ppp, "ip"))
		lease = ppp;
	if (lease) {
		json_int_t secs = json_integer_value(json_object_get(lease, "lease"));
		json_int_t since = json_integer_value(json_object_get(lease, "since"));
		json_int_t left = since + secs - (json_int_t)time(NULL);

		json_object_set(o, "gateway", json_array_get(json_object_get(lease, "routers"), 0));
		json_object_set(o, "dns", json_object_get(lease, "dns"));
		json_object_set_new(o, "address", json_sprintf("%s/%lld",
			doc_str(lease, "ip"), (long long)json_integer_value(json_object_get(lease,
									      "prefix"))));
		if (lease == ppp)
			json_object_set(o, "interface", json_object_get(ppp, "interface"));
		else
			json_object_set_new(o, "lease", json_pack("{s:I, s:I, s:I, s:I}", "seconds",
				secs, "obtained", since, "expires", since + secs, "left",
				left > 0 ? left : 0));
	} else if (st) {
		json_object_set_new(o, "address", json_sprintf("%s/%lld", doc_str(st, "address"),
			(long long)json_integer_value(json_object_get(st, "prefix"))));
		json_object_set(o, "gateway", json_object_get(st, "gateway"));
		json_object_set(o, "dns", json_object_get(st, "dns"));
	}
	json_object_set(o, "upstreams", json_object_get(dns, "upstreams"));
	json_decref(wan);
	json_decref(dns);
	return o;
}

/* The probe's targets: the gateway and the first upstream in use. */
void dashboard_probe_targets(void *arg, char **gw, char **dns, char **dev)
{
	json_t *f = dashboard_wan_facts(arg);
	const char *g = json_string_value(json_object_get(f, "gateway"));
	const char *d = json_string_value(json_array_get(json_object_get(json_object_get(f,
		"upstreams"), "servers"), 0));

	*gw = g ? xstrdup(g) : NULL;
	*dns = d ? xstrdup(d) : NULL;
	*dev = doc_str(f, "interface") ? xstrdup(doc_str(f, "interface")) : NULL;
	json_decref(f);
}

/* the uplink's health as the uplinks feature's status says: {state, loss,
 * rtt_ms, since, device}, or null when nobody checks it */
json_t *dashboard_health(const struct feature_env *env, const char *uplink)
{
	json_t *st = dash_detail(env, "uplinks"), *h = json_object_get(st, uplink), *o;

	o = h ? json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "state", json_object_get(h, "state"),
			  "loss", json_object_get(h, "loss"), "rtt_ms",
			  json_object_get(h, "rtt_ms"), "since", json_object_get(h, "since"),
			  "device", json_object_get(h, "device")) : json_null();
	json_decref(st);
	return o;
}

json_t *dashboard_wan(const struct feature_env *env, const json_t *interfaces)
{
	json_t *o = dashboard_wan_facts(env), *ifc;
	const char *dev = doc_str(o, "interface");
	long long up = traffic_up_since(dev);
	size_t i;

	json_object_set_new(o, "state", json_null());
	json_object_set_new(o, "addresses", json_array());
	json_array_foreach(interfaces, i, ifc) {
		if (!dev || strcmp(doc_str(ifc, "name") ? doc_str(ifc, "name") : "", dev))
			continue;
		json_object_set(o, "state", json_object_get(ifc, "state"));
		json_object_set(o, "addresses", json_object_get(ifc, "addresses"));
	}
	json_object_set_new(o, "up_since", up ? json_integer(up) : json_null());
	json_object_set_new(o, "uptime", up ? json_integer(time(NULL) - up) : json_null());
	json_object_set_new(o, "check", probe_result());
	json_object_set_new(o, "health", dashboard_health(env, "wan"));
	return o;
}

/* an engine's state: running, stopped (never started or stopped on
 * purpose) or failed (it exited on its own) */
static json_t *dash_engine(const char *name)
{
	json_t *sv = sv_status(name), *log;
	const char *state;

	if (!sv)
		return NULL;
	log = json_object_get(sv, "log");
	state = json_is_true(json_object_get(sv, "running")) ? "running" :
		json_integer_value(json_object_get(sv, "restarts")) > 0 ||
		json_integer_value(json_object_get(sv, "last_status")) != 0 ? "failed" : "stopped";
	json_object_set_new(sv, "name", json_string(name));
	json_object_set_new(sv, "state", json_string(state));
	json_object_set_new(sv, "message", json_array_size(log) ?
			    json_incref(json_array_get(log, json_array_size(log) - 1)) :
			    json_string(""));
	json_object_del(sv, "argv");
	json_object_del(sv, "log");
	return sv;
}

json_t *dashboard_features(const struct feature_env *env)
{
	json_t *list = json_array();
	const json_t *states = env->engine ? env->engine->features : NULL;

	for (size_t i = 0; i < feature_count(); i++) {
		const struct feature *f = feature_table[i];
		const json_t *st = json_object_get(states, f->name);
		json_t *engines = json_array(), *o;

		if (!st)
			continue;
		for (const struct feature_engine *e = f->engines; e && e->name; e++) {
			json_t *en = dash_engine(e->name);
			if (en)
				json_array_append_new(engines, en);
		}
		o = json_pack("{s:s, s:s?, s:O?, s:O?, s:O?, s:o}", "name", f->name, "title", f->title,
			      "state", json_object_get(st, "state"), "message",
			      json_object_get(st, "message"), "revision",
			      json_object_get(st, "revision"), "engines", engines);
		json_array_append_new(list, o);
	}
	return list;
}
