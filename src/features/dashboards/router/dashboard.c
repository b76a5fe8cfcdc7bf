/*
 * The router dashboard (the manual's Dashboards - Router): one call
 * gathering what the page shows, and the live feed. difosd-web tells how
 * many WebSocket clients watch; while any do, the core pushes the
 * dashboard to it every DASHBOARD_PERIOD_MS, and at once when an engine
 * starts or stops or an address changes. Nothing here spawns a process:
 * the kernel is read by netlink, the traffic and the connectivity check
 * by timers of the core (traffic.c, probe.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/lock.h"
#include "core/print.h"
#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "net/nl.h"
#include "net/nl_watch.h"
#include "rpc/control.h"
#include "rpc/rpc.h"
#include "store/doc.h"

#define DASHBOARD_PERIOD_MS 2000

static const struct feature_env *dash_env;
static uv_timer_t events_timer;
static bool events_timer_ready;
static bool events_stopped;     /* shutting down: the timer is closed for good */
static int events_watchers;

static json_t *dashboard_call(const char *method)
{
	json_t *err, *res = rpc_invoke(method, NULL, "dashboard", &err);

	json_decref(err);
	return res ? res : json_null();
}

/* One netlink dump of each kind (links, addresses, neighbours) and no
 * process: the page's every fact, read in microseconds. */
static json_t *dashboard_gather(const struct feature_env *env)
{
	struct engine *eng = env->engine;
	const json_t *doc = eng->running;
	json_t *leases = dashboard_call("leases"), *changes = dashboard_call("config.changes");
	/* the addresses from the watch's mirror (no dump); the links dumped for
	 * their counters, which change without a notification */
	const json_t *mirror = nl_watch_addresses();
	json_t *links = nl_links(), *neigh = nl_neighbours(AF_UNSPEC);
	json_t *addrs = mirror ? json_incref((json_t *)mirror) : nl_addresses(AF_UNSPEC);
	json_t *devices = dashboard_devices(env);
	json_t *ifaces = dashboard_interfaces_of(devices, links, addrs);
	json_t *clients = dashboard_clients(json_object_get(leases, "active"), neigh,
					    doc_str(doc, "lan.device"),
					    doc_get(doc, "dhcp.static_leases"));
	json_t *d;

	d = json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:I, s:I}",
		      "version", DIFOS_VERSION, "system", dashboard_call("system"),
		      "interfaces", ifaces, "leases", leases, "clients", clients,
		      "lan_clients", (json_int_t)json_array_size(clients),
		      "wan", dashboard_wan(env, ifaces), "features", dashboard_features(env),
		      "traffic", traffic_series(),
		      "revision", (json_int_t)eng->running_rev,
		      "pending_changes", (json_int_t)json_array_size(changes));
	if (eng->confirm_rev)
		json_object_set_new(d, "confirm", json_pack("{s:I, s:I}", "revision",
			(json_int_t)eng->confirm_rev, "deadline",
			(json_int_t)eng->confirm_deadline));
	json_decref(changes);
	json_decref(devices);
	json_decref(links);
	json_decref(addrs);
	json_decref(neigh);
	return d;
}

/*
 * What the dashboard gathers is kept while the core's state version stands
 * still, for a second at most (as status's details): fifty open dashboards
 * cost one gathering a second, and the core keeps answering the rest.
 */
#define DASHBOARD_KEEP_MS 1000

static struct {
	json_t *d;
	unsigned long version;
	long long at;
} dash_kept;

static json_t *dashboard_kept(const struct feature_env *env)
{
	long long now = now_ms();

	if (!dash_kept.d || dash_kept.version != core_state_version() ||
	    now - dash_kept.at >= DASHBOARD_KEEP_MS || now < dash_kept.at) {
		json_decref(dash_kept.d);
		dash_kept.d = rpc_kept(dashboard_gather(env));
		dash_kept.version = core_state_version();
		dash_kept.at = now;
	}
	/* shared: an answer is only ever read */
	return json_incref(dash_kept.d);
}

static void events_tick(uv_timer_t *t)
{
	json_t *data;

	(void)t;
	if (events_watchers <= 0)
		return;
	core_enter();
	data = json_pack("{s:s, s:o}", "topic", "dashboard", "data", dashboard_kept(dash_env));
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
	traffic_stop();
	probe_stop();
	events_stopped = true;
	if (events_timer_ready) {
		uv_timer_stop(&events_timer);
		uv_close((uv_handle_t *)&events_timer, NULL);
		events_timer_ready = false;
	}
}

static json_t *dashboard_method(struct rpc_call *c)
{
	return dashboard_kept(c->env);
}

static json_t *dashboard_traffic(struct rpc_call *c)
{
	(void)c;
	return traffic_series();
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
	/* off the request path: the counters every few seconds, the check
	 * every half minute */
	traffic_start(env->loop);
	probe_start(env->loop, dashboard_probe_targets, (void *)env);
	return 0;
}

/* What the page shows changed: the watchers see it now, not at the next tick. */
static void dashboard_event(const struct feature_env *env, const struct feature_event *ev)
{
	(void)env;
	/* a new lease: is the internet up through it? */
	if (ev->kind == EV_WAN_LEASE)
		probe_run();
	if ((ev->kind == EV_ENGINE || ev->kind == EV_ADDRESS || ev->kind == EV_LINK) &&
	    events_watchers > 0 &&
	    events_timer_ready && !events_stopped)
		uv_timer_start(&events_timer, events_tick, 0, DASHBOARD_PERIOD_MS);
}

static void dashboard_metrics(struct feature_ctx *ctx, struct sbuf *out)
{
	(void)ctx;
	traffic_metrics(out);
}

static const struct sc_field subscribe_params[] = {
	{ .name = "watchers", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 0, .max = 1000000,
	  .help = "how many WebSocket clients watch now" },
	{ .name = NULL }
};

static const struct sc_field restart_params[] = {
	{ .name = "engine", .kind = SC_TEXT, .flags = SC_F_REQUIRED,
	  .help = "the engine's name as the status shows it: dnsmasq, asterisk, hostapd-<radio>, "
		  "udhcpc, difosd-web..." },
	{ .name = NULL }
};

#define DASH "Dashboards"

static const struct rpc_method dashboard_methods[] = {
	{ "dashboard", dashboard_method, "everything the router dashboard shows", DASH, NULL,
	  "{version, system, interfaces, leases, clients: [{mac, name, ip, kind, online, expires?}], "
	  "lan_clients (the length of clients), wan: {interface, proto, state, address, addresses, "
	  "gateway, dns, upstreams, lease: {seconds, obtained, expires, left}, up_since, uptime, "
	  "check: {gateway, dns, at}, health: {state, loss, rtt_ms, since, device}|null}, features: [{name, title, state, message, engines}], "
	  "traffic (as dashboard.traffic), revision, pending_changes, confirm?}", RPC_READ,
	  .rest = { { "GET", "/dashboard" } } },
	{ "dashboard.traffic", dashboard_traffic, "bytes per second received and sent by each "
	  "interface over the last minutes, sampled by the core every 3 s", DASH, NULL,
	  "{period_ms, samples, times: [ms], interfaces: {name: {rx: [B/s], tx: [B/s], rx_bytes, "
	  "tx_bytes}}}", RPC_READ,
	  .rest = { { "GET", "/dashboard/traffic" } } },
	{ "interfaces", dashboard_interfaces, "network interfaces with addresses and MAC", DASH, NULL,
	  "[{name, mac, state (the kernel's: UP, DOWN..), mtu, flags, addresses: [{family, address, "
	  "prefix}], stats?: {rx_bytes, tx_bytes, rx_packets, tx_packets}, kind? (bridge, veth, "
	  "ifb..), role? (lan, wan, wwan, "
	  "wifi, custom: the feature owning it), title?, uplink_state? (standby, failed over: what "
	  "the failover says of an uplink)}]",
	  RPC_READ,
	  .rest = { { "GET", "/interfaces", .summary = "interfaces with addresses and MAC" } },
	  .cli = { "interfaces", .print = dashboard_print_interfaces } },
	{ "system", dashboard_system, "hostname, uptime, load, memory", DASH, NULL,
	  "{hostname, kernel_hostname, uptime, load: [1, 5, 15], memory: {total, free, buffers}, "
	  "daemon_uptime, revision}", RPC_READ,
	  .rest = { { "GET", "/system" } },
	  .cli = { "system", .print = dashboard_print_system } },
	{ "engine.restart", dashboard_engine_restart, "restarts an engine difosd keeps running "
	  "(the dashboard's quick actions): the same command, a new process", DASH,
	  restart_params, "{engine, old_pid, pid}", RPC_ADMIN,
	  .rest = { { "POST", "/engine/restart" } },
	  .cli = { "engine-restart", "engine", .print = print_json } },
	{ "system.reboot", dashboard_reboot, "reboots the router (systemctl reboot, in the "
	  "background: the answer comes first)", DASH, NULL, "{rebooting: true}", RPC_ADMIN,
	  .rest = { { "POST", "/system/reboot" } },
	  .cli = { "reboot", .print = print_json } },
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
	.metrics = dashboard_metrics,
	.methods = dashboard_methods,
};
