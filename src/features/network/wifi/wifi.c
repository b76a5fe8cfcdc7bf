/*
 * Network Settings › WiFi: hostapd, one process per enabled radio, each
 * on its rendered file (wifi_render.c), supervised as "hostapd-2g" and
 * "hostapd-5g".
 *
 * A radio whose device does not exist is not started and the status says
 * "no radio device"; the apply goes on. An appliance model without a 5 GHz
 * radio, a configuration restored from another model, or a USB radio not
 * plugged in yet must not stop the LAN, the firewall and everything else
 * from being applied: the WiFi page shows the radio's state instead, and
 * the radio starts at the next apply once its device is there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "apply/supervisor.h"
#include "core/files.h"
#include "core/log.h"
#include "features/network/wifi/wifi_int.h"
#include "store/doc.h"

/* The interface= line of a rendered file (malloc'd), or NULL. */
static char *wifi_conf_device(const char *path)
{
	char *text = file_read(path, NULL), *line, *dev = NULL;

	if (!text)
		return NULL;
	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, "interface=", 10)) {
			dev = xstrdup(line + 10);
			dev[strcspn(dev, "\n")] = '\0';
			break;
		}
	}
	free(text);
	return dev;
}

/* The radios this apply started (again), for its health check. */
static bool wifi_started[WIFI_BANDS];

static int wifi_apply(struct feature_ctx *ctx)
{
	for (size_t i = 0; i < WIFI_BANDS; i++) {
		const struct wifi_band *b = &wifi_bands[i];
		char *path = xasprintf("%s/%s", ctx->dir, b->conf);
		char *dev = wifi_conf_device(path);
		char *conf = xasprintf("%s/wifi/%s", ctx->env->paths.active, b->conf);
		char *const argv[] = { "hostapd", conf, NULL };

		free(path);
		wifi_started[i] = false;
		wifi_clients_radio(i, dev);
		if (!dev || !wifi_device_exists(dev)) {
			if (dev)
				log_warn("wifi: %s radio: no device %s, not started", b->title, dev);
			if (sv_running(b->engine))
				sv_stop(b->engine);
		} else {
			/* hostapd reads its file at start */
			if (sv_running(b->engine) && apply_file_changed(ctx, b->conf))
				sv_stop(b->engine);
			wifi_started[i] = !sv_running(b->engine);
			if (sv_ensure(b->engine, argv, NULL) < 0 && !ctx->err)
				ctx->err = xasprintf("cannot start hostapd for the %s radio", b->title);
		}
		free(dev);
		free(conf);
	}
	return ctx->err ? -1 : 0;
}

/* A hostapd that exits at once (a channel the radio refuses, a device
 * that is no radio) fails the apply with its own last words. */
#define WIFI_ALIVE_MS 1000

static int wifi_health(struct feature_ctx *ctx)
{
	/* both radios started together: one wait covers them */
	int wait = WIFI_ALIVE_MS;

	for (size_t i = 0; i < WIFI_BANDS; i++) {
		const struct wifi_band *b = &wifi_bands[i];
		char *why = NULL;
		bool alive;

		if (!wifi_started[i])
			continue;
		wifi_started[i] = false;
		alive = sv_wait_alive(b->engine, wait, &why);
		wait = 0;
		if (!alive) {
			ctx->err = xasprintf("hostapd of the %s radio exited: %s", b->title,
					     why ? why : "no output");
			free(why);
			return -1;
		}
		free(why);
	}
	return 0;
}

static json_t *wifi_status(struct feature_ctx *ctx)
{
	(void)ctx;
	return json_pack("{s:o}", "radios", wifi_clients_status());
}

static int wifi_init(const struct feature_env *env)
{
	wifi_clients_init(env);
	return 0;
}

static void wifi_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	wifi_clients_stop();
}

static void wifi_event(const struct feature_env *env, const struct feature_event *ev)
{
	const char *engine = json_string_value(json_object_get(ev->data, "engine"));

	(void)env;
	if (ev->kind == EV_ENGINE && engine && json_is_true(json_object_get(ev->data, "running")))
		wifi_clients_engine_started(engine);
}

/* the radios enabled, for the overview of interfaces */
static void wifi_devices(struct feature_ctx *ctx, json_t *out)
{
	for (size_t i = 0; i < WIFI_BANDS; i++) {
		const struct wifi_band *b = &wifi_bands[i];
		char *p = xasprintf("%s.enabled", b->section), *d = xasprintf("%s.device", b->section);
		const char *dev = doc_str(ctx->doc, d) ? doc_str(ctx->doc, d) : b->def_device;

		if (doc_bool(ctx->doc, p, false))
			json_object_set_new(out, dev, json_pack("{s:s, s:s+}", "role", "wifi", "title",
								"WiFi ", b->title));
		free(p);
		free(d);
	}
}

const struct feature feature_wifi = {
	.name = "wifi",
	.title = "WiFi",
	.sections = wifi_sections,
	.init = wifi_init,
	.render = wifi_render,
	.check = wifi_check,
	.apply = wifi_apply,
	.health = wifi_health,
	.status = wifi_status,
	.stop = wifi_stop,
	.event = wifi_event,
	.devices = wifi_devices,
	.engines = (const struct feature_engine[]){ { "hostapd-2g", "engine_2g" },
						    { "hostapd-5g", "engine_5g" }, { NULL } },
	.methods = wifi_methods,
};
