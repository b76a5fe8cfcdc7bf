/*
 * The router dashboard's quick actions (the manual's "Quick Actions" menu):
 * restart an engine the supervisor keeps, and reboot the router. The
 * engine is restarted by the supervisor (the same argv, a new process);
 * the reboot is `systemctl reboot` as a background job of the system
 * backend, so the answer goes out before the machine goes down, and the
 * dry backend only records it.
 */
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/log.h"
#include "core/util.h"
#include "features/dashboards/router/dashboard.h"

#define REBOOT_TIMEOUT_MS 30000

static void actions_engine_name(void *arg, const char *name, int pid, int restarts)
{
	struct sbuf *b = arg;

	(void)pid;
	(void)restarts;
	sbuf_printf(b, "%s%s", b->len ? ", " : "", name);
}

json_t *dashboard_engine_restart(struct rpc_call *c)
{
	const char *name = json_string_value(json_object_get(c->params, "engine"));
	json_t *sv = sv_status(name), *res;
	int old_pid = (int)json_integer_value(json_object_get(sv, "pid"));

	if (!sv || !json_object_get(sv, "argv")) {
		struct sbuf known;
		sbuf_init(&known);
		sv_each(actions_engine_name, &known);
		rpc_fail(c, RPC_INVALID, "engine", json_object_get(c->params, "engine"),
			 "no engine named \"%s\" is kept by difosd (these are: %s)", name,
			 known.len ? known.s : "none");
		sbuf_free(&known);
		json_decref(sv);
		return NULL;
	}
	json_decref(sv);
	log_info("quick actions: %s restarts %s", c->author, name);
	if (sv_restart(name) < 0)
		return rpc_fail(c, RPC_INTERNAL, "engine", json_object_get(c->params, "engine"),
				"%s could not be started again", name);
	sv = sv_status(name);
	res = json_pack("{s:s, s:i, s:O?}", "engine", name, "old_pid", old_pid, "pid",
			json_object_get(sv, "pid"));
	json_decref(sv);
	return res;
}

static void actions_reboot_done(void *arg, int status)
{
	(void)arg;
	if (status)
		log_err("quick actions: systemctl reboot failed (status %d)", status);
}

json_t *dashboard_reboot(struct rpc_call *c)
{
	static char *const argv[] = { "systemctl", "reboot", NULL };
	struct sys *s = c->env->sys;

	log_warn("quick actions: %s reboots the router", c->author);
	if (s->job(s, c->env->loop, argv, REBOOT_TIMEOUT_MS, actions_reboot_done, NULL) < 0)
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "systemctl reboot could not be started");
	return json_pack("{s:b}", "rebooting", 1);
}
