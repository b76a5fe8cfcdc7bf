/*
 * Each peer's traffic, kept across restarts of difosd and of the device
 * (wg-easy's most asked-for feature): once a minute the device's counters
 * are read; what they grew by since the last reading is added to the
 * peer's totals. A device made again (a restarted difosd stops
 * wireguard-go and starts a new one; the kernel's device may live on) is
 * told by its interface index: its counters began at 0, and all they hold
 * is new. A counter that went down on the same device belongs to a peer
 * removed and added again: all of it is new too. A history of
 * 5-minute points covers the last day. All of it is written to
 * <state>/wg_server/traffic.json after each reading that changed it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <uv.h>

#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/vpn/wg_link.h"
#include "features/vpn/wg_server/wg_server_int.h"

#define WGS_SAMPLE_MS (60 * 1000)
#define WGS_POINT_SECS 300
#define WGS_POINTS 288   /* a day of 5-minute points */

static uv_timer_t wgs_timer;
static bool wgs_timer_on;
static json_t *wgs_data;   /* {peers: {pub: {rx_total, tx_total, rx_seen, tx_seen, history}}} */
static char *wgs_file, *wgs_sockdir;

const json_t *wgs_traffic(void)
{
	return wgs_data ? json_object_get(wgs_data, "peers") : NULL;
}

static json_int_t wgs_get(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Adds what a counter grew by; returns the growth. */
static json_int_t wgs_grow(json_t *peer, const char *total, const char *seen, json_int_t now)
{
	json_int_t last = wgs_get(peer, seen);
	json_int_t delta = now >= last ? now - last : now;

	json_object_set_new(peer, seen, json_integer(now));
	json_object_set_new(peer, total, json_integer(wgs_get(peer, total) + delta));
	return delta;
}

static void wgs_point(json_t *peer, time_t now, json_int_t rx, json_int_t tx)
{
	json_t *h = json_object_get(peer, "history"), *last;
	time_t slot = now - now % WGS_POINT_SECS;

	if (!json_is_array(h)) {
		h = json_array();
		json_object_set_new(peer, "history", h);
	}
	last = json_array_get(h, json_array_size(h) - 1);
	if (last && json_integer_value(json_array_get(last, 0)) == slot) {
		json_array_set_new(last, 1, json_integer(json_integer_value(json_array_get(last, 1)) + rx));
		json_array_set_new(last, 2, json_integer(json_integer_value(json_array_get(last, 2)) + tx));
	} else {
		json_array_append_new(h, json_pack("[I, I, I]", (json_int_t)slot, rx, tx));
	}
	while (json_array_size(h) > WGS_POINTS)
		json_array_remove(h, 0);
}

/* One reading of the device; public so a test or a status may force it. */
void wgs_traffic_sample(void)
{
	struct wg_device d;
	char why[128];
	json_t *peers;
	bool changed = false;
	time_t now = time(NULL);

	unsigned ifindex = if_nametoindex(WGS_DEV);

	if (!ifindex || wg_get(wgs_sockdir, WGS_DEV, &d, why, sizeof(why)) < 0)
		return;
	peers = json_object_get(wgs_data, "peers");
	if (wgs_get(wgs_data, "ifindex") != (json_int_t)ifindex) {
		const char *k;
		json_t *p;

		/* another device: what was seen of the last one is counted */
		json_object_foreach(peers, k, p) {
			json_object_set_new(p, "rx_seen", json_integer(0));
			json_object_set_new(p, "tx_seen", json_integer(0));
		}
		json_object_set_new(wgs_data, "ifindex", json_integer(ifindex));
		changed = true;
	}
	for (size_t i = 0; i < d.n_peers; i++) {
		char pub[WG_KEY_B64_LEN];
		json_t *p;
		json_int_t rx, tx;

		wg_key_to_base64(pub, d.peers[i].public_key);
		p = json_object_get(peers, pub);
		if (!p) {
			p = json_object();
			json_object_set_new(peers, pub, p);
		}
		rx = wgs_grow(p, "rx_total", "rx_seen", (json_int_t)d.peers[i].rx_bytes);
		tx = wgs_grow(p, "tx_total", "tx_seen", (json_int_t)d.peers[i].tx_bytes);
		if (rx || tx) {
			wgs_point(p, now, rx, tx);
			changed = true;
		}
	}
	wg_device_free(&d);
	if (changed) {
		char *text = json_dumps(wgs_data, JSON_COMPACT);
		if (!text || file_write_atomic(wgs_file, text, strlen(text), 0600) < 0)
			log_warn("wg_server: cannot keep the peers' traffic in %s", wgs_file);
		free(text);
	}
}

static void wgs_tick(uv_timer_t *t)
{
	(void)t;
	core_enter();
	wgs_traffic_sample();
	core_leave();
}

void wgs_traffic_init(const struct feature_env *env)
{
	char *dir = xasprintf("%s/wg_server", env->paths.state);

	mkdir_p(dir, 0700);
	wgs_file = xasprintf("%s/traffic.json", dir);
	wgs_sockdir = wg_sockdir(env);
	free(dir);
	wgs_data = json_load_file(wgs_file, 0, NULL);
	if (!json_is_object(json_object_get(wgs_data, "peers"))) {
		json_decref(wgs_data);
		wgs_data = json_pack("{s:{}}", "peers");
	}
	if (!env->loop)
		return;
	uv_timer_init(env->loop, &wgs_timer);
	uv_timer_start(&wgs_timer, wgs_tick, WGS_SAMPLE_MS, WGS_SAMPLE_MS);
	uv_unref((uv_handle_t *)&wgs_timer);
	wgs_timer_on = true;
}

void wgs_traffic_stop(void)
{
	if (wgs_timer_on) {
		/* the last minute's traffic counts too */
		wgs_traffic_sample();
		uv_timer_stop(&wgs_timer);
		uv_close((uv_handle_t *)&wgs_timer, NULL);
		wgs_timer_on = false;
	}
	json_decref(wgs_data);
	wgs_data = NULL;
	free(wgs_file);
	free(wgs_sockdir);
	wgs_file = wgs_sockdir = NULL;
}
