/*
 * VPN › IPsec: site-to-site tunnels with pre-shared keys, by strongSwan's
 * charon (supervised as "charon"), configured over its vici socket
 * (ipsec_apply.c); the firewall's openings and forwards through the nft
 * hook (ipsec_render.c); the status and the quick commands
 * (ipsec_status.c), from the SAs read off the loop (ipsec_watch.c).
 *
 * A charon that restarts (it died and the supervisor started it again, or
 * ipsec.restart) has no connection loaded: once its socket answers, the
 * connections in force are loaded again, from the loop, a try every
 * 200 ms for 10 s at most.
 */
#include <stdlib.h>
#include <string.h>

#include "apply/supervisor.h"
#include "core/lock.h"
#include "core/log.h"
#include "features/vpn/ipsec/ipsec_int.h"
#include "features/vpn/ipsec/vici_conn.h"

#define RELOAD_EVERY_MS 200
#define RELOAD_TRIES 50

static struct {
	const struct feature_env *env;
	uv_timer_t timer;
	bool timer_init;
	int tries;
} reload;

/* Loads what charon lacks; true when done (or nothing to do). */
static bool reload_once(void)
{
	char *path = xasprintf("%s/ipsec/" IPSEC_VICI_JSON, reload.env->paths.active), *err = NULL;
	json_t *vd = json_load_file(path, 0, NULL);
	struct vici_conn *c;
	bool done = true;

	free(path);
	if (!vd)
		return true;
	/* is the socket there yet? (a charon starting has not opened it) */
	path = ipsec_vici_path(reload.env);
	c = vici_open(path, IPSEC_VICI_MS, &err);
	free(path);
	if (!c) {
		done = false;
	} else {
		vici_close(c);
		if (ipsec_load(reload.env, vd, NULL, &err) < 0)
			log_warn("ipsec: loading the connections into the restarted charon: %s",
				 err ? err : "?");
	}
	free(err);
	json_decref(vd);
	return done;
}

static void reload_cb(uv_timer_t *t)
{
	(void)t;
	core_enter();
	if (!sv_running(IPSEC_ENGINE) || reload_once() || ++reload.tries >= RELOAD_TRIES)
		uv_timer_stop(&reload.timer);
	core_leave();
}

static void ipsec_event(const struct feature_env *env, const struct feature_event *ev)
{
	const char *engine = json_string_value(json_object_get(ev->data, "engine"));

	if (ev->kind != EV_ENGINE || !engine || strcmp(engine, IPSEC_ENGINE) || !env->loop)
		return;
	/* the SAs read before belong to the charon that was */
	ipsec_watch_forget();
	if (!json_is_true(json_object_get(ev->data, "running")))
		return;
	reload.env = env;
	reload.tries = 0;
	if (!reload.timer_init) {
		uv_timer_init(env->loop, &reload.timer);
		reload.timer_init = true;
	}
	uv_timer_start(&reload.timer, reload_cb, RELOAD_EVERY_MS, RELOAD_EVERY_MS);
}

static int ipsec_init(const struct feature_env *env)
{
	ipsec_watch_start(env);
	return 0;
}

static void ipsec_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	ipsec_watch_stop();
	if (reload.timer_init) {
		uv_timer_stop(&reload.timer);
		uv_close((uv_handle_t *)&reload.timer, NULL);
		reload.timer_init = false;
	}
}

const struct feature feature_ipsec = {
	.name = "ipsec",
	.title = "IPsec",
	.sections = ipsec_sections,
	.init = ipsec_init,
	.render = ipsec_render,
	.apply = ipsec_apply,
	.health = ipsec_health,
	.status = ipsec_status,
	.stop = ipsec_stop,
	.event = ipsec_event,
	.nft = ipsec_nft,
	.engines = (const struct feature_engine[]){ { IPSEC_ENGINE, "engine" }, { NULL } },
	.methods = ipsec_methods,
};
