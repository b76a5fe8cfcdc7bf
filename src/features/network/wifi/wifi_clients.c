/*
 * WiFi › Clients: the stations of each radio, read from its hostapd's
 * control socket every few seconds on the loop (STA-FIRST, then STA-NEXT
 * <mac> until the empty answer) and kept, so a request only looks them up
 * and never waits on hostapd; and kicking a client off for some minutes:
 * DENY_ACL ADD_MAC then DEAUTHENTICATE on every radio (a client kicked
 * from one band would otherwise come back on the other), and DENY_ACL
 * DEL_MAC when the time is up, by a timer of the loop. The kicks are kept
 * in <state>/wifi/kicks.json with their end (wall-clock seconds), so a
 * restart of difosd keeps them. hostapd keeps its deny list in memory only
 * (a hostapd that starts again has none): after each read of its stations
 * it is asked for it (DENY_ACL SHOW) and the list is made the kicks'.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/supervisor.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/print.h"
#include "features/network/wifi/hapd_ctrl.h"
#include "features/network/wifi/hapd_parse.h"
#include "features/network/wifi/wifi_int.h"
#include "store/doc.h"

#define WIFI_POLL_MS 3000
#define WIFI_REPLY_MS 2000
#define WIFI_STATIONS_MAX 2048
#define WIFI_KICK_MAX_MIN 1440

struct wifi_radio {
	/* set by the apply: the device of the radio in force (NULL: disabled) */
	char *device;
	struct hapd_ctrl *ctrl;
	json_t *stations;     /* kept: the last complete walk */
	json_t *walk;         /* the walk under way */
	bool walking;
	bool reachable;       /* the last walk ended with an answer */
	char *why;            /* why the last walk failed */
};

static struct {
	const struct feature_env *env;
	bool timers;
	uv_timer_t poll;
	uv_timer_t expiry;
	struct wifi_radio r[WIFI_BANDS];
	json_t *kicks;        /* {mac: until (wall-clock seconds)} */
} w;

static void wifi_walk_reply(void *arg, const char *err, const char *reply, size_t len);
static void wifi_acl_reply(void *arg, const char *err, const char *reply, size_t len);

static char *wifi_kicks_path(void)
{
	return xasprintf("%s/wifi/kicks.json", w.env->paths.state);
}

static void wifi_kicks_save(void)
{
	char *path = wifi_kicks_path(), *dir = xasprintf("%s/wifi", w.env->paths.state);
	char *text = json_dumps(w.kicks, JSON_SORT_KEYS | JSON_INDENT(1));

	mkdir_p(dir, 0700);
	if (file_write_atomic(path, text, strlen(text), 0600) < 0)
		log_warn("wifi: cannot keep the kicks in %s", path);
	free(text);
	free(dir);
	free(path);
}

/* Kicks whose time is not up, from the file (others are dropped). */
static void wifi_kicks_load(void)
{
	char *path = wifi_kicks_path();
	json_t *old = json_load_file(path, 0, NULL), *v;
	const char *mac;
	long long now = (long long)time(NULL);

	w.kicks = json_object();
	json_object_foreach(old, mac, v) {
		if (hapd_mac_ok(mac, strlen(mac)) && json_is_integer(v) && json_integer_value(v) > now)
			json_object_set(w.kicks, mac, v);
	}
	json_decref(old);
	free(path);
}

/* A request whose answer only goes to the log (kicks, their end). */
static void wifi_logged_reply(void *arg, const char *err, const char *reply, size_t len)
{
	char *cmd = arg;

	(void)len;
	if (err)
		log_warn("wifi: %s: %s", cmd, err);
	else if (strncmp(reply, "OK", 2))
		log_warn("wifi: %s: hostapd answered %.40s", cmd, reply);
	free(cmd);
}

static void wifi_send_logged(struct wifi_radio *r, const char *fmt, const char *mac)
{
	char *cmd = xasprintf(fmt, mac);

	if (!r->ctrl || hapd_ctrl_send(r->ctrl, cmd, WIFI_REPLY_MS, wifi_logged_reply, cmd) < 0)
		free(cmd);
}

static void wifi_deny(struct wifi_radio *r, const char *mac, bool deauth)
{
	wifi_send_logged(r, "DENY_ACL ADD_MAC %s", mac);
	if (deauth)
		wifi_send_logged(r, "DEAUTHENTICATE %s", mac);
}

static void wifi_on_expiry(uv_timer_t *t);

/* The timer for the next kick to end. */
static void wifi_expiry_arm(void)
{
	long long next = 0, now = (long long)time(NULL);
	const char *mac;
	json_t *v;

	if (!w.timers)
		return;
	json_object_foreach(w.kicks, mac, v)
		if (!next || json_integer_value(v) < next)
			next = json_integer_value(v);
	uv_timer_stop(&w.expiry);
	if (next)
		uv_timer_start(&w.expiry, wifi_on_expiry,
			       next > now ? (uint64_t)(next - now) * 1000 : 0, 0);
}

static void wifi_lift(const char *mac)
{
	for (size_t i = 0; i < WIFI_BANDS; i++)
		wifi_send_logged(&w.r[i], "DENY_ACL DEL_MAC %s", mac);
	log_info("wifi: %s may connect again", mac);
}

static void wifi_on_expiry(uv_timer_t *t)
{
	long long now = (long long)time(NULL);
	const char *mac;
	json_t *v;
	void *tmp;
	bool changed = false;

	(void)t;
	core_enter();
	json_object_foreach_safe(w.kicks, tmp, mac, v) {
		if (json_integer_value(v) <= now) {
			wifi_lift(mac);
			json_object_del(w.kicks, mac);
			changed = true;
		}
	}
	if (changed) {
		wifi_kicks_save();
		core_state_changed();
	}
	wifi_expiry_arm();
	core_leave();
}

static void wifi_walk_end(struct wifi_radio *r, const char *why)
{
	r->walking = false;
	free(r->why);
	r->why = why ? xstrdup(why) : NULL;
	if (why) {
		json_decref(r->walk);
		r->walk = NULL;
		if (r->reachable || json_array_size(r->stations))
			core_state_changed();
		r->reachable = false;
		json_decref(r->stations);
		r->stations = json_array();
		return;
	}
	if (!json_equal(r->stations, r->walk) || !r->reachable)
		core_state_changed();
	json_decref(r->stations);
	r->stations = r->walk;
	r->walk = NULL;
	r->reachable = true;
	/* hostapd's deny list made the kicks': a hostapd that started again
	 * has lost it, a lift it missed is done now */
	if (hapd_ctrl_send(r->ctrl, "DENY_ACL SHOW", WIFI_REPLY_MS, wifi_acl_reply, r) < 0)
		log_warn("wifi: cannot ask hostapd for its deny list");
}

/* DENY_ACL SHOW's answer: the kicks running are added, others removed. */
static void wifi_acl_reply(void *arg, const char *err, const char *reply, size_t len)
{
	struct wifi_radio *r = arg;
	json_t *listed = err ? NULL : hapd_parse_acl(reply, len), *v;
	const char *mac;
	size_t i;

	if (!listed) {
		if (!err || strcmp(err, "client stopped"))
			log_warn("wifi: hostapd's deny list: %s", err ? err : "not understood");
		return;
	}
	json_object_foreach(w.kicks, mac, v) {
		bool there = false;
		json_t *m;
		json_array_foreach(listed, i, m)
			there |= !strcmp(json_string_value(m), mac);
		if (!there)
			wifi_deny(r, mac, false);
	}
	json_array_foreach(listed, i, v)
		if (!json_object_get(w.kicks, json_string_value(v)))
			wifi_send_logged(r, "DENY_ACL DEL_MAC %s", json_string_value(v));
	json_decref(listed);
}

static void wifi_walk_reply(void *arg, const char *err, const char *reply, size_t len)
{
	struct wifi_radio *r = arg;
	json_t *sta;
	char cmd[40];

	if (err) {
		wifi_walk_end(r, err);
		return;
	}
	switch (hapd_parse_sta(reply, len, &sta)) {
	case HAPD_STA_END:
		wifi_walk_end(r, NULL);
		return;
	case HAPD_STA_BAD:
		/* FAIL: the station before went meanwhile; the next round reads again */
		wifi_walk_end(r, len >= 4 && !strncmp(reply, "FAIL", 4) ? NULL :
			      "hostapd's answer is no station");
		return;
	case HAPD_STA_ONE:
		break;
	}
	snprintf(cmd, sizeof(cmd), "STA-NEXT %s", json_string_value(json_object_get(sta, "mac")));
	json_array_append_new(r->walk, sta);
	if (json_array_size(r->walk) >= WIFI_STATIONS_MAX ||
	    hapd_ctrl_send(r->ctrl, cmd, WIFI_REPLY_MS, wifi_walk_reply, r) < 0)
		wifi_walk_end(r, NULL);
}

static char *wifi_ctrl_path(const char *device)
{
	return xasprintf("%s/" WIFI_CTRL_DIR "/%s", w.env->paths.run, device);
}

/* One round: every radio in force whose hostapd runs is read again. */
static void wifi_poll_radio(size_t i)
{
	struct wifi_radio *r = &w.r[i];
	bool on = r->device && sv_running(wifi_bands[i].engine);
	char *path = on ? wifi_ctrl_path(r->device) : NULL;

	if (r->ctrl && (!on || strcmp(hapd_ctrl_path(r->ctrl), path))) {
		hapd_ctrl_free(r->ctrl);
		r->ctrl = NULL;
		/* the walk's callback has run ("client stopped") */
	}
	if (!on) {
		if (r->reachable || json_array_size(r->stations))
			core_state_changed();
		r->reachable = false;
		json_decref(r->stations);
		r->stations = json_array();
		free(path);
		return;
	}
	if (!r->ctrl)
		r->ctrl = hapd_ctrl_new(w.env->loop, path);
	free(path);
	if (r->walking)
		return;
	r->walking = true;
	r->walk = json_array();
	if (hapd_ctrl_send(r->ctrl, "STA-FIRST", WIFI_REPLY_MS, wifi_walk_reply, r) < 0)
		wifi_walk_end(r, "too many requests wait");
}

static void wifi_on_poll(uv_timer_t *t)
{
	(void)t;
	core_enter();
	for (size_t i = 0; i < WIFI_BANDS; i++)
		wifi_poll_radio(i);
	core_leave();
}

void wifi_clients_init(const struct feature_env *env)
{
	w.env = env;
	for (size_t i = 0; i < WIFI_BANDS; i++)
		w.r[i].stations = json_array();
	wifi_kicks_load();
	if (!env->loop)
		return;
	w.timers = true;
	uv_timer_init(env->loop, &w.poll);
	uv_timer_init(env->loop, &w.expiry);
	uv_timer_start(&w.poll, wifi_on_poll, WIFI_POLL_MS, WIFI_POLL_MS);
	wifi_expiry_arm();
}

void wifi_clients_stop(void)
{
	for (size_t i = 0; i < WIFI_BANDS; i++) {
		hapd_ctrl_free(w.r[i].ctrl);
		w.r[i].ctrl = NULL;
	}
	if (w.timers) {
		uv_timer_stop(&w.poll);
		uv_timer_stop(&w.expiry);
		uv_close((uv_handle_t *)&w.poll, NULL);
		uv_close((uv_handle_t *)&w.expiry, NULL);
		w.timers = false;
	}
}

void wifi_clients_radio(size_t band, const char *device)
{
	struct wifi_radio *r = &w.r[band];

	if (r->device && device && !strcmp(r->device, device))
		return;
	free(r->device);
	r->device = device ? xstrdup(device) : NULL;
}

/* Its socket is up within moments: the next round comes soon, not after
 * a whole period, so a kick is in force again at once. */
#define WIFI_SOON_MS 300

void wifi_clients_engine_started(const char *engine)
{
	for (size_t i = 0; i < WIFI_BANDS; i++) {
		if (strcmp(wifi_bands[i].engine, engine))
			continue;
		if (w.timers)
			uv_timer_start(&w.poll, wifi_on_poll, WIFI_SOON_MS, WIFI_POLL_MS);
	}
}

bool wifi_device_exists(const char *device)
{
	return device && if_nametoindex(device) != 0;
}

json_t *wifi_clients_status(void)
{
	json_t *o = json_object();

	for (size_t i = 0; i < WIFI_BANDS; i++) {
		const struct wifi_radio *r = &w.r[i];
		const char *state = !r->device ? "disabled" :
				    !wifi_device_exists(r->device) ? "no radio device" :
				    !sv_running(wifi_bands[i].engine) ? "not running" :
				    r->reachable ? "running" : "starting";
		json_t *b = json_pack("{s:s, s:s?, s:I}", "state", state, "device", r->device,
				      "stations", (json_int_t)json_array_size(r->stations));
		if (r->device && r->why && !r->reachable)
			json_object_set_new(b, "control", json_string(r->why));
		json_object_set_new(o, wifi_bands[i].id, b);
	}
	return o;
}

/* ---- methods ---- */

static const char *wifi_name_of(const json_t *doc, const char *mac)
{
	size_t i;
	json_t *el;

	json_array_foreach(doc_get(doc, "wifi.clients"), i, el)
		if (!strcasecmp(json_string_value(json_object_get(el, "mac")), mac))
			return json_string_value(json_object_get(el, "name"));
	return NULL;
}

static json_t *wifi_clients_method(struct rpc_call *c)
{
	const json_t *doc = c->env->engine ? c->env->engine->running : NULL;
	json_t *list = json_array(), *kicks = json_array(), *v;
	const char *mac;

	for (size_t i = 0; i < WIFI_BANDS; i++) {
		size_t k;
		json_t *sta;
		json_array_foreach(w.r[i].stations, k, sta) {
			json_t *e = json_deep_copy(sta);
			const char *name = wifi_name_of(doc, json_string_value(json_object_get(sta,
										      "mac")));
			json_object_set_new(e, "band", json_string(wifi_bands[i].id));
			json_object_set_new(e, "device", json_string(w.r[i].device));
			if (name)
				json_object_set_new(e, "name", json_string(name));
			json_array_append_new(list, e);
		}
	}
	json_object_foreach(w.kicks, mac, v) {
		const char *name = wifi_name_of(doc, mac);
		json_array_append_new(kicks, json_pack("{s:s, s:O, s:s?}", "mac", mac, "until", v,
						       "name", name));
	}
	return json_pack("{s:o, s:o, s:o}", "clients", list, "kicks", kicks, "radios",
			 wifi_clients_status());
}

/* MACs as stored: lower case (the schema's kind checked the shape). */
static char *wifi_mac_param(struct rpc_call *c)
{
	char *mac = xstrdup(rpc_str(c, "mac"));

	for (char *p = mac; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	return mac;
}

/* Kicks need the state difosd keeps from its start (never missing in difosd). */
static bool wifi_kicks_ready(struct rpc_call *c)
{
	if (w.kicks)
		return true;
	rpc_fail(c, RPC_CONFLICT, NULL, NULL, "WiFi clients are not followed in this process");
	return false;
}

static json_t *wifi_kick_method(struct rpc_call *c)
{
	json_t *m = json_object_get(c->params, "minutes"), *sent, *res;
	long long minutes = m ? json_integer_value(m) : 10;
	long long until = (long long)time(NULL) + minutes * 60;
	char *mac;

	if (!wifi_kicks_ready(c))
		return NULL;
	mac = wifi_mac_param(c);
	sent = json_array();

	json_object_set_new(w.kicks, mac, json_integer(until));
	wifi_kicks_save();
	for (size_t i = 0; i < WIFI_BANDS; i++) {
		if (!w.r[i].ctrl)
			continue;
		wifi_deny(&w.r[i], mac, true);
		json_array_append_new(sent, json_string(wifi_bands[i].id));
	}
	wifi_expiry_arm();
	log_info("wifi: %s kicked off for %lld min by %s", mac, minutes, c->author);
	res = json_pack("{s:s, s:I, s:I, s:o}", "mac", mac, "minutes", (json_int_t)minutes,
			"until", (json_int_t)until, "radios", sent);
	free(mac);
	return res;
}

static json_t *wifi_unkick_method(struct rpc_call *c)
{
	char *mac;
	json_t *r;

	if (!wifi_kicks_ready(c))
		return NULL;
	mac = wifi_mac_param(c);
	if (!json_object_get(w.kicks, mac)) {
		rpc_fail(c, RPC_NOTFOUND, "mac", json_object_get(c->params, "mac"),
			 "mac: %s is not kicked off", mac);
		free(mac);
		return NULL;
	}
	json_object_del(w.kicks, mac);
	wifi_kicks_save();
	wifi_lift(mac);
	wifi_expiry_arm();
	r = json_pack("{s:s}", "mac", mac);
	free(mac);
	return r;
}

static json_t *wifi_countries_method(struct rpc_call *c)
{
	json_t *a = json_array();

	(void)c;
	for (const char *const *cc = wifi_countries; *cc; cc++)
		json_array_append_new(a, json_string(*cc));
	return a;
}

static void wifi_print_clients(const json_t *res)
{
	size_t i;
	json_t *e;

	printf("%-4s %-17s %-20s %7s %9s %9s %10s\n", "BAND", "MAC", "NAME", "SIGNAL", "RX Mbit/s",
	       "TX Mbit/s", "CONNECTED");
	json_array_foreach(json_object_get(res, "clients"), i, e) {
		char since[32];
		print_duration(json_integer_value(json_object_get(e, "connected_time")), since);
		printf("%-4s %-17s %-20s %7lld %9.1f %9.1f %10s\n",
		       json_string_value(json_object_get(e, "band")),
		       json_string_value(json_object_get(e, "mac")),
		       json_string_value(json_object_get(e, "name")) ?
		       json_string_value(json_object_get(e, "name")) : "-",
		       json_integer_value(json_object_get(e, "signal")),
		       json_number_value(json_object_get(e, "rx_rate")),
		       json_number_value(json_object_get(e, "tx_rate")), since);
	}
	json_array_foreach(json_object_get(res, "kicks"), i, e) {
		char until[32];
		print_time(json_integer_value(json_object_get(e, "until")), "-", until);
		printf("kicked off: %s until %s\n", json_string_value(json_object_get(e, "mac")),
		       until);
	}
}

static void wifi_print_kick(const json_t *res)
{
	char until[32];

	print_time(json_integer_value(json_object_get(res, "until")), "-", until);
	printf("%s kicked off until %s\n", json_string_value(json_object_get(res, "mac")), until);
}

static const struct sc_field kick_params[] = {
	{ .name = "mac", .kind = SC_MAC, .flags = SC_F_REQUIRED,
	  .help = "the client's MAC address" },
	{ .name = "minutes", .kind = SC_INT, .min = 1, .max = WIFI_KICK_MAX_MIN, .def = "10",
	  .help = "how long it may not connect, 1 to 1440 minutes (default 10)" },
	{ .name = NULL }
};

static const struct sc_field unkick_params[] = {
	{ .name = "mac", .kind = SC_MAC, .flags = SC_F_REQUIRED,
	  .help = "the client's MAC address" },
	{ .name = NULL }
};

#define WIFI_GROUP "WiFi"

const struct rpc_method wifi_methods[] = {
	{ "wifi.clients", wifi_clients_method, "the WiFi clients connected to each radio, with "
	  "their names, signal and rates; the clients kicked off", WIFI_GROUP, NULL,
	  "{clients: [{band, device, mac, name?, signal, rx_rate, tx_rate, connected_time, "
	  "inactive_ms, rx_bytes, tx_bytes, flags, authorized}], kicks: [{mac, until, name?}], "
	  "radios: {2g, 5g: {state, device, stations}}}", RPC_READ,
	  .rest = { { "GET", "/wifi/clients" } },
	  .cli = { "wifi-clients", .help = "WiFi clients connected, and those kicked off",
		   .print = wifi_print_clients } },
	{ "wifi.kick", wifi_kick_method, "disconnects a client and keeps it off every radio for "
	  "some minutes (kept across restarts)", WIFI_GROUP, kick_params,
	  "{mac, minutes, until, radios}",
	  .rest = { { "POST", "/wifi/kick" } },
	  .cli = { "wifi-kick", "mac minutes?", .usage = "MAC [MINUTES]", .print = wifi_print_kick } },
	{ "wifi.unkick", wifi_unkick_method, "lets a kicked-off client connect again now",
	  WIFI_GROUP, unkick_params, "{mac}",
	  .rest = { { "POST", "/wifi/unkick" } },
	  .cli = { "wifi-unkick", "mac", .usage = "MAC" } },
	{ "wifi.countries", wifi_countries_method, "the country codes a radio accepts (ISO 3166; "
	  "never 00)", WIFI_GROUP, NULL, "[code]", RPC_READ,
	  .rest = { { "GET", "/wifi/countries" } },
	  .cli = { "wifi-countries" } },
	{ NULL }
};
