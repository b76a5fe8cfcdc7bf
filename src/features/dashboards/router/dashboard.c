/*
 * The router dashboard (the manual's Dashboards - Router): one call
 * gathering what the page shows, and the live feed. difosd-web tells how
 * many WebSocket clients watch; while any do, the core pushes the
 * dashboard to it every DASHBOARD_PERIOD_MS, and at once when an engine
 * starts or stops or an address changes.
 */
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/lock.h"
#include "core/spawn.h"
#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "rpc/control.h"
#include "store/doc.h"

#define DASHBOARD_PERIOD_MS 2000

static const struct feature_env *dash_env;
static uv_timer_t events_timer;
static bool events_timer_ready;
static bool events_stopped;     /* shutting down: the timer is closed for good */
static int events_watchers;

/* Devices seen on the LAN: neighbours of the LAN bridge with a MAC. */
static json_t *dashboard_lan_macs(const char *dev)
{
	struct spawn_result r;
	json_t *raw, *n, *macs = json_object();
	size_t i;

	if (!dev || spawn_run((char *const[]){ "ip", "-j", "neigh", "show", "dev", (char *)dev, NULL },
			      NULL, 5000, &r) < 0)
		return macs;
	raw = r.status == 0 ? json_loads(r.output, 0, NULL) : NULL;
	spawn_result_free(&r);
	json_array_foreach(raw, i, n) {
		const char *mac = json_string_value(json_object_get(n, "lladdr"));
		json_t *state = json_object_get(n, "state");
		const char *st = json_string_value(json_array_get(state, 0));
		if (mac && (!st || (strcmp(st, "FAILED") && strcmp(st, "INCOMPLETE"))))
			json_object_set_new(macs, mac, json_true());
	}
	json_decref(raw);
	return macs;
}

static json_t *dashboard_call(const char *method)
{
	json_t *err, *res = rpc_invoke(method, NULL, "dashboard", &err);

	json_decref(err);
	return res ? res : json_null();
}

static json_t *dashboard_gather(const struct feature_env *env)
{
	struct engine *eng = env->engine;
	json_t *leases = dashboard_call("leases"), *changes = dashboard_call("config.changes");
	json_t *macs = dashboard_lan_macs(doc_str(eng->running, "lan.device")), *l;
	size_t i;

	json_array_foreach(json_object_get(leases, "active"), i, l) {
		const char *mac = json_string_value(json_object_get(l, "mac"));
		if (mac)
			json_object_set_new(macs, mac, json_true());
	}
	l = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I}", "system", dashboard_call("system"),
		      "interfaces", dashboard_call("interfaces"), "leases", leases,
		      "lan_clients", (json_int_t)json_object_size(macs),
		      "revision", (json_int_t)eng->running_rev,
		      "pending_changes", (json_int_t)json_array_size(changes));
	if (eng->confirm_rev)
		json_object_set_new(l, "confirm", json_pack("{s:I, s:I}", "revision",
			(json_int_t)eng->confirm_rev, "deadline",
			(json_int_t)eng->confirm_deadline));
	json_decref(changes);
	json_decref(macs);
	return l;
}

static void events_tick(uv_timer_t *t)
{
	json_t *data;

	(void)t;
	if (events_watchers <= 0)
		return;
	core_enter();
	data = json_pack("{s:s, s:o}", "topic", "dashboard", "data", dashboard_gather(dash_env));
	control_web_notify("event", data);
	core_leave();
	json_decref(data);
}

static void events_set_watchers(int n)
{
	events_watchers = n;
	/* at shutdown the web connection closes after the timer did: nothing
	 * may touch the closed handle again */
	if (events_stopped || (!events_timer_ready && n <= 0))
		return;
	if (!events_timer_ready) {
		uv_timer_init(dash_env->loop, &events_timer);
		uv_unref((uv_handle_t *)&events_timer);
		events_timer_ready = true;
	}
	if (n > 0 && !uv_is_active((uv_handle_t *)&events_timer))
		uv_timer_start(&events_timer, events_tick, 0, DASHBOARD_PERIOD_MS);
	else if (n <= 0)
		uv_timer_stop(&events_timer);
}

static void events_web_gone(void)
{
	events_set_watchers(0);
}

static void dashboard_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	events_stopped = true;
	if (events_timer_ready) {
		uv_timer_stop(&events_timer);
		uv_close((uv_handle_t *)&events_timer, NULL);
		events_timer_ready = false;
	}
}

static json_t *dashboard_method(struct rpc_call *c)
{
	return dashboard_gather(c->env);
}

static json_t *events_subscribe(struct rpc_call *c)
{
	json_t *n = json_object_get(c->params, "watchers");

	events_set_watchers((int)json_integer_value(n));
	return json_pack("{s:i}", "watchers", events_watchers);
}

static json_t *events_check(struct rpc_call *c)
{
	(void)c;
	return json_pack("{s:[s]}", "topics", "dashboard");
}

static int dashboard_init(const struct feature_env *env)
{
	dash_env = env;
	control_on_web_gone(events_web_gone);
	return 0;
}

/* What the page shows changed: the watchers see it now, not at the next tick. */
static void dashboard_event(const struct feature_env *env, const struct feature_event *ev)
{
	(void)env;
	if ((ev->kind == EV_ENGINE || ev->kind == EV_ADDRESS) && events_watchers > 0 &&
	    events_timer_ready && !events_stopped)
		uv_timer_start(&events_timer, events_tick, 0, DASHBOARD_PERIOD_MS);
}

static const struct sc_field subscribe_params[] = {
	{ .name = "watchers", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 0, .max = 1000000,
	  .help = "how many WebSocket clients watch now" },
	{ .name = NULL }
};

#define DASH "Dashboards"

static const struct rpc_method dashboard_methods[] = {
	{ "dashboard", dashboard_method, "everything the router dashboard shows", DASH, NULL,
	  "{system, interfaces, leases, lan_clients, revision, pending_changes, confirm?}",
	  RPC_READ,
	  .rest = { { "GET", "/dashboard" } } },
	{ "interfaces", dashboard_interfaces, "network interfaces with addresses and MAC", DASH, NULL,
	  "[{name, mac, state, mtu, flags, addresses: [{family, address, prefix}], role}]",
	  RPC_READ,
	  .rest = { { "GET", "/interfaces", .summary = "interfaces with addresses and MAC" } },
	  .cli = { "interfaces", .print = dashboard_print_interfaces } },
	{ "system", dashboard_system, "hostname, uptime, load, memory", DASH, NULL,
	  "{hostname, kernel_hostname, uptime, load: [1, 5, 15], memory: {total, free, buffers}, "
	  "daemon_uptime, revision}", RPC_READ,
	  .rest = { { "GET", "/system" } },
	  .cli = { "system", .print = dashboard_print_system } },
	{ "events.subscribe", events_subscribe, "how many web clients watch the event feed", DASH,
	  subscribe_params, "{watchers}", RPC_WEB, .flags = RPC_F_ANYTIME },
	{ "events.check", events_check, "the topics the event feed carries", DASH, NULL,
	  "{topics: [\"dashboard\"]}", RPC_READ,
	  .rest = { { "GET", "/events", .flags = REST_WS,
		      .summary = "WebSocket (subprotocol difos-events): dashboard updates every 2 s" } } },
	{ NULL }
};

const struct feature feature_dashboard = {
	.name = "dashboard",
	.title = "Router dashboard",
	.init = dashboard_init,
	.stop = dashboard_stop,
	.event = dashboard_event,
	.methods = dashboard_methods,
};
