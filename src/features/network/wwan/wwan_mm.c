/*
 * ModemManager as WWAN's backend: when it runs and owns the modem, difos
 * does not open the modem's port (two programs talking AT on one port
 * break each other); it asks ModemManager through mmcli, on the apply's
 * path only: connect (Simple.Connect with the APN and IP type) and read
 * the modem's state once for the status. The data path is then the same
 * as with the built-in control (wwan_link.c). The SIM's PIN is never put
 * on mmcli's command line (any local user can read a command line): with
 * ModemManager a SIM with a PIN stays locked and the status says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/system.h"
#include "apply/feature.h"
#include "core/util.h"
#include "features/network/wwan/wwan.h"

#define WWAN_MM_PATH "/org/freedesktop/ModemManager1/Modem/"

int wwan_mm_first_modem(const char *list)
{
	const char *p = list ? strstr(list, WWAN_MM_PATH) : NULL;
	char *end;
	long n;

	if (!p)
		return -1;
	p += strlen(WWAN_MM_PATH);
	if (*p < '0' || *p > '9')
		return -1;
	n = strtol(p, &end, 10);
	return n >= 0 && n < 100000 && (*end == '\0' || *end == ' ' || *end == '\n' ||
					 *end == '\t') ? (int)n : -1;
}

static const char *wwan_mm_text(const json_t *o, const char *a, const char *b)
{
	const char *s = json_string_value(json_object_get(json_object_get(o, a), b));

	return s && *s && strcmp(s, "--") ? s : NULL;
}

json_t *wwan_mm_status(const char *text)
{
	json_t *root = text ? json_loads(text, 0, NULL) : NULL;
	json_t *m = json_object_get(root, "modem"), *o = json_object(), *tech;
	const char *state, *lock;
	char sig[8];

	json_object_set_new(o, "backend", json_string("modemmanager"));
	if (!json_is_object(m)) {
		json_object_set_new(o, "modem", json_string("absent"));
		json_object_set_new(o, "connection", json_string("no modem"));
		json_decref(root);
		return o;
	}
	json_object_set_new(o, "modem", json_string("present"));
	state = wwan_mm_text(m, "generic", "state");
	json_object_set_new(o, "connection", json_string(state ? state : "unknown"));
	if (wwan_mm_text(m, "generic", "manufacturer"))
		json_object_set_new(o, "manufacturer",
				    json_string(wwan_mm_text(m, "generic", "manufacturer")));
	if (wwan_mm_text(m, "generic", "model"))
		json_object_set_new(o, "model", json_string(wwan_mm_text(m, "generic", "model")));
	if (wwan_mm_text(m, "3gpp", "imei"))
		json_object_set_new(o, "imei", json_string(wwan_mm_text(m, "3gpp", "imei")));
	if (wwan_mm_text(m, "3gpp", "operator-name"))
		json_object_set_new(o, "operator",
				    json_string(wwan_mm_text(m, "3gpp", "operator-name")));
	if (wwan_mm_text(m, "3gpp", "registration-state"))
		json_object_set_new(o, "registration",
				    json_string(wwan_mm_text(m, "3gpp", "registration-state")));
	lock = wwan_mm_text(m, "generic", "unlock-required");
	json_object_set_new(o, "sim", json_string(!lock || !strcmp(lock, "none") ? "ready" :
						  !strcmp(lock, "sim-pin") ? "PIN required" :
						  !strcmp(lock, "sim-puk") ? "PUK required" :
						  "locked"));
	tech = json_object_get(json_object_get(m, "generic"), "access-technologies");
	if (json_is_array(tech) && json_string_value(json_array_get(tech, 0)))
		json_object_set_new(o, "technology", json_string(json_string_value(
			json_array_get(tech, 0))));
	snprintf(sig, sizeof(sig), "%s", json_string_value(json_object_get(json_object_get(
		json_object_get(m, "generic"), "signal-quality"), "value")) ?: "");
	json_object_set_new(o, "signal", sig[0] ? json_pack("{s:i}", "quality_percent",
							    atoi(sig)) : json_object());
	json_decref(root);
	return o;
}

int wwan_mm_connect(const struct feature_env *env, int modem, const struct wwan_cfg *cfg,
		    json_t **status, char **err)
{
	struct sys *sys = env->sys;
	char m[16], *connect, *out = NULL;
	int rc;

	snprintf(m, sizeof(m), "%d", modem);
	*status = NULL;
	if (!cfg->enabled || !cfg->data) {
		sys_run_argv(sys, (char *const[]){ "mmcli", "-m", m, "--simple-disconnect", NULL },
			     NULL);
		wwan_link_down(env, cfg->enabled ? "data off" : "disabled");
		*status = json_pack("{s:s, s:s}", "backend", "modemmanager", "connection",
				    cfg->enabled ? "data off" : "disabled");
		return 0;
	}
	/* the APN is letters, digits, '-', '_' and dots (the schema): nothing
	 * in it can add a key to the list */
	connect = cfg->apn && *cfg->apn ?
		xasprintf("--simple-connect=apn=%s,ip-type=%s", cfg->apn,
			  cfg->ipv6 ? "ipv4v6" : "ipv4") :
		xasprintf("--simple-connect=ip-type=%s", cfg->ipv6 ? "ipv4v6" : "ipv4");
	sys_run_argv(sys, (char *const[]){ "mmcli", "-m", m, "--enable", NULL }, NULL);
	rc = sys->run(sys, (char *const[]){ "mmcli", "-m", m, "--timeout=60", connect, NULL }, NULL,
		      70000, &out);
	if (sys_run_argv(sys, (char *const[]){ "mmcli", "-m", m, "-J", NULL }, &out) == 0)
		*status = wwan_mm_status(out);
	else
		*status = wwan_mm_status(NULL);
	free(out);
	free(connect);
	if (rc != 0) {
		*err = xasprintf("ModemManager could not connect modem %d", modem);
		return -1;
	}
	if (wwan_link_start(env, cfg->device, cfg->ipv6, cfg->pd) < 0) {
		*err = xasprintf("cannot start the data path on %s", cfg->device);
		return -1;
	}
	return 0;
}
