/*
 * The failover's decision (failover.h says how traffic is moved). It
 * follows events only: the WAN's link (EV_LINK: a carrier lost is a WAN
 * down at once), the WAN's health (EV_UPLINK_HEALTH: a silent blackhole),
 * and the backup's publication (EV_WWAN_UP/DOWN). Which device is the WAN
 * and which the WWAN, the features owning them say (the devices hook).
 *
 *   WAN fails, the backup is up      -> to the backup, now
 *   WAN healthy again for return_after seconds -> back to the WAN
 *   the backup goes while in use     -> back to the WAN, now
 */
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/failover/failover.h"
#include "store/doc.h"

static const struct sc_field failover_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Failover to WWAN",
	  .help = "Move the router's traffic to the LTE uplink when the WAN's link or its "
		  "health checks fail, and back when the WAN is healthy again." },
	{ .name = "return_after", .kind = SC_INT, .min = 0, .max = 3600, .def = "10",
	  .title = "Return after (seconds)",
	  .help = "How long the WAN must stay healthy before traffic goes back to it: a link "
		  "that comes and goes does not take every connection with it each time." },
	{ .name = "forget_connections", .kind = SC_BOOL, .def = "true",
	  .title = "Move existing connections",
	  .help = "Forget, at the switch, the connections translated to the address of the "
		  "uplink traffic leaves: their next packet starts them again on the one in use. "
		  "(The kernel forgets a masqueraded one itself, dropping its next packet; "
		  "other translations would stay stuck on the old uplink.)" },
	{ .name = NULL }
};

static const struct sc_field failover_section = {
	.name = "failover", .kind = SC_OBJECT, .fields = failover_fields, .title = "Failover",
	.help = "WAN to WWAN (LTE) and back.",
};

static const struct sc_field *const failover_sections[] = { &failover_section, NULL };

static struct {
	const struct feature_env *env;
	bool enabled, forget;
	long long return_after_ms;
	bool rules_on;
	/* the WAN */
	bool wan_carrier;          /* its link's carrier, as the kernel said */
	bool wan_healthy;          /* its health checks (up or degraded), or not yet known */
	long long wan_ok_since;    /* when it last became usable (ms, monotonic) */
	char wan_why[96];
	/* the backup */
	bool have_backup;
	bool backup_healthy;       /* its own health checks (not down), or none configured */
	struct failover_uplink backup;
	/* the decision */
	bool on_backup;
	long long since;           /* wall clock ms of the last switch */
	unsigned switches;
	json_t *last;              /* {at, to, reason, forgotten} */
	uv_timer_t timer;
	bool timer_ready;
} fo = { .wan_carrier = true, .wan_healthy = true, .backup_healthy = true };

static long long failover_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* the device a feature names with role (the WAN's, the WWAN's), or NULL */
static const char *failover_device(json_t *devs, const char *role)
{
	const char *name;
	json_t *v;

	json_object_foreach(devs, name, v)
		if (!strcmp(json_string_value(json_object_get(v, "role")) ?: "", role))
			return name;
	return NULL;
}

/* What the features say of their devices now; from within the devices
 * hook (the collection asks the failover too) it is the WAN last seen. */
static char failover_wan_dev[32];

static json_t *failover_devices_now(void)
{
	static bool collecting;
	struct feature_ctx ctx = { .env = fo.env,
				   .doc = fo.env && fo.env->engine ? fo.env->engine->running : NULL };
	json_t *devs;
	const char *wan;

	if (collecting || !ctx.doc)
		return json_pack("{s:{s:s}}", failover_wan_dev, "role", "wan");
	collecting = true;
	devs = feature_devices_collect(&ctx);
	collecting = false;
	wan = failover_device(devs, "wan");
	snprintf(failover_wan_dev, sizeof(failover_wan_dev), "%s", wan ? wan : "");
	return devs;
}

static bool failover_wan_usable(void)
{
	return fo.wan_carrier && fo.wan_healthy;
}

static void failover_switch(bool to_backup, const char *reason)
{
	struct sys *sys = fo.env->sys;
	json_t *devs = failover_devices_now();
	const char *left = to_backup ? failover_device(devs, "wan") : fo.backup.device;
	char *err = NULL;
	int forgotten = 0;

	if (failover_route(sys, to_backup ? &fo.backup : NULL, &err) < 0) {
		log_err("failover: cannot move traffic to %s: %s", to_backup ? fo.backup.device : "the WAN",
			err ? err : "failed");
		free(err);
		json_decref(devs);
		return;
	}
	fo.on_backup = to_backup;
	fo.since = failover_wall_ms();
	fo.switches++;
	if (fo.forget && left)
		forgotten = failover_forget(sys, left);
	log_info("failover: traffic now through %s (%s)", to_backup ? fo.backup.device : "the WAN",
		 reason);
	json_decref(fo.last);
	fo.last = json_pack("{s:I, s:s, s:s, s:i}", "at", (json_int_t)fo.since, "to",
			    to_backup ? "wwan" : "wan", "reason", reason, "forgotten", forgotten);
	{
		json_t *data = json_pack("{s:s, s:s}", "uplink", to_backup ? "wwan" : "wan", "reason",
					 reason);
		feature_emit(fo.env, EV_UPLINK_ACTIVE, data);
		json_decref(data);
	}
	json_decref(devs);
}

static void failover_decide(void);

static void failover_timer_cb(uv_timer_t *t)
{
	(void)t;
	core_enter();
	failover_decide();
	core_leave();
}

/* What should carry traffic now, and the move if it is not what does. */
static void failover_decide(void)
{
	bool want_backup;

	if (!fo.env)
		return;
	want_backup = fo.enabled && fo.have_backup && fo.backup_healthy && !failover_wan_usable();
	if (want_backup && !fo.on_backup) {
		failover_switch(true, fo.wan_why[0] ? fo.wan_why : "the WAN failed");
		return;
	}
	if (!want_backup && fo.on_backup) {
		long long wait = fo.wan_ok_since + fo.return_after_ms - now_ms();
		/* the backup gone, or the failover off: no reason to wait */
		if (!fo.have_backup || !fo.backup_healthy || !fo.enabled || wait <= 0) {
			failover_switch(false, !fo.have_backup ? "the WWAN uplink went" :
					       !fo.backup_healthy ? "the WWAN's health checks fail" :
					       !fo.enabled ? "the failover was turned off" :
					       "the WAN is healthy again");
		} else if (fo.env->loop) {
			if (!fo.timer_ready) {
				uv_timer_init(fo.env->loop, &fo.timer);
				uv_unref((uv_handle_t *)&fo.timer);
				fo.timer_ready = true;
			}
			uv_timer_start(&fo.timer, failover_timer_cb, (uint64_t)wait, 0);
		}
	}
}

static void failover_wan_state(bool carrier, bool healthy, const char *why)
{
	bool was = failover_wan_usable();

	fo.wan_carrier = carrier;
	fo.wan_healthy = healthy;
	if (!failover_wan_usable())
		snprintf(fo.wan_why, sizeof(fo.wan_why), "%s", why);
	else if (!was)
		fo.wan_ok_since = now_ms();
	failover_decide();
}

static void failover_backup_up(const json_t *d)
{
	const json_t *v4 = json_object_get(d, "ipv4"), *v6 = json_object_get(d, "ipv6");

	memset(&fo.backup, 0, sizeof(fo.backup));
	snprintf(fo.backup.device, sizeof(fo.backup.device), "%s", doc_str(d, "device") ?: "");
	snprintf(fo.backup.gw4, sizeof(fo.backup.gw4), "%s", doc_str(v4, "gateway") ?: "");
	snprintf(fo.backup.addr4, sizeof(fo.backup.addr4), "%s", doc_str(v4, "address") ?: "");
	snprintf(fo.backup.gw6, sizeof(fo.backup.gw6), "%s", doc_str(v6, "gateway") ?: "");
	fo.have_backup = fo.backup.device[0] && (fo.backup.gw4[0] || fo.backup.gw6[0]);
	/* a renewed lease through a new gateway: the table follows it */
	if (fo.on_backup && fo.have_backup)
		failover_route(fo.env->sys, &fo.backup, NULL);
	failover_decide();
}

static void failover_event(const struct feature_env *env, const struct feature_event *ev)
{
	const json_t *d = ev->data;

	fo.env = env;
	switch (ev->kind) {
	case EV_LINK: {
		json_t *devs = failover_devices_now();
		const char *wan = failover_device(devs, "wan");
		if (wan && !strcmp(doc_str(d, "interface") ?: "", wan)) {
			bool carrier = json_is_true(json_object_get(d, "carrier")) &&
				       !json_is_true(json_object_get(d, "removed"));
			if (carrier != fo.wan_carrier)
				failover_wan_state(carrier, fo.wan_healthy, carrier ? "" :
						   "the WAN's link is down");
		}
		json_decref(devs);
		break;
	}
	case EV_UPLINK_HEALTH:
		if (!strcmp(doc_str(d, "uplink") ?: "", "wwan")) {
			fo.backup_healthy = strcmp(doc_str(d, "state") ?: "unknown", "down") != 0;
			failover_decide();
		} else if (!strcmp(doc_str(d, "uplink") ?: "", "wan")) {
			const char *st = doc_str(d, "state") ?: "unknown";
			bool healthy = strcmp(st, "down") != 0;
			if (healthy != fo.wan_healthy)
				failover_wan_state(fo.wan_carrier, healthy, healthy ? "" :
						   "the WAN's health checks fail");
		}
		break;
	case EV_WWAN_UP:
		failover_backup_up(d);
		break;
	case EV_WWAN_DOWN:
		fo.have_backup = false;
		fo.backup_healthy = true;     /* its checks start again with it */
		failover_decide();
		break;
	default:
		break;
	}
}

static int failover_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;

	render_add(out, "failover.conf", 0644, xasprintf(
		"enabled %s\nreturn-after %lld\nforget-connections %s\ntable %d\nrules %d %d\n",
		doc_bool(doc, "failover.enabled", true) ? "yes" : "no",
		doc_int(doc, "failover.return_after", 10),
		doc_bool(doc, "failover.forget_connections", true) ? "yes" : "no", FAILOVER_TABLE,
		FAILOVER_PREF_MAIN, FAILOVER_PREF_TABLE));
	return 0;
}

static int failover_apply(struct feature_ctx *ctx)
{
	fo.env = ctx->env;
	fo.enabled = doc_bool(ctx->doc, "failover.enabled", true);
	fo.forget = doc_bool(ctx->doc, "failover.forget_connections", true);
	fo.return_after_ms = doc_int(ctx->doc, "failover.return_after", 10) * 1000;
	if (fo.enabled != fo.rules_on || ctx->boot) {
		failover_rules(ctx->env->sys, fo.enabled);
		fo.rules_on = fo.enabled;
	}
	if (ctx->boot)
		failover_route(ctx->env->sys, NULL, NULL);
	failover_decide();
	return 0;
}

/* the WAN failed over, the WWAN standing by: said over the kernel's words */
static void failover_devices(struct feature_ctx *ctx, json_t *out)
{
	json_t *devs;
	const char *wan;

	if (!fo.enabled || !fo.have_backup)
		return;
	(void)ctx;
	devs = failover_devices_now();
	wan = failover_device(devs, "wan");
	if (fo.on_backup && wan)
		json_object_set_new(out, wan, json_pack("{s:s}", "state", "failed over"));
	if (!fo.on_backup)
		json_object_set_new(out, fo.backup.device, json_pack("{s:s}", "state", "standby"));
	json_decref(devs);
}

static json_t *failover_status(struct feature_ctx *ctx)
{
	(void)ctx;
	return json_pack("{s:b, s:s, s:{s:b, s:b, s:s?}, s:{s:b, s:s?}, s:I, s:i, s:O?}",
		"enabled", fo.enabled, "active", fo.on_backup ? "wwan" : "wan",
		"wan", "link", fo.wan_carrier, "healthy", fo.wan_healthy, "why",
		failover_wan_usable() ? NULL : fo.wan_why,
		"wwan", "available", fo.have_backup && fo.backup_healthy, "device",
		fo.have_backup ? fo.backup.device : NULL,
		"since", (json_int_t)fo.since, "switches", (int)fo.switches, "last", fo.last);
}

static void failover_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	if (fo.timer_ready) {
		uv_timer_stop(&fo.timer);
		uv_close((uv_handle_t *)&fo.timer, NULL);
		fo.timer_ready = false;
	}
}

const struct feature feature_failover = {
	.name = "failover",
	.title = "Failover",
	.sections = failover_sections,
	.render = failover_render,
	.apply = failover_apply,
	.status = failover_status,
	.stop = failover_stop,
	.event = failover_event,
	.devices = failover_devices,
	.reads = (const char *const[]){ "failover", NULL },
};
