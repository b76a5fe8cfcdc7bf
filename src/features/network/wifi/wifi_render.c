/*
 * hostapd's configuration, one file per enabled radio: pure, from the
 * document and the run directory. The file holds the passphrase, so it is
 * written readable by root only (0600); hostapd runs as root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/wifi/wifi_int.h"
#include "store/doc.h"

/* In hostapd's unit of 100 kbit/s. Without 802.11b's 1, 2, 5.5 and 11
 * Mbit/s, clients use OFDM rates, and beacons and broadcasts go out at 6. */
#define RATES_OFDM "60 90 120 180 240 360 480 540"
#define RATES_OFDM_BASIC "60 120 240"
#define RATES_B_OFDM "10 20 55 110 60 90 120 180 240 360 480 540"
#define RATES_B_BASIC "10 20 55 110"

static const char *wifi_get(const json_t *doc, const struct wifi_band *b, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "%s.%s", b->section, key);
	return doc_str(doc, path);
}

static bool wifi_is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* The secondary 20 MHz channel of a 40 MHz one: above ("+") or below. At
 * 2.4 GHz channels 1-7 have one four above; at 5 GHz the pairs start at
 * 36, 44, ... 149, 157 (the odd multiples of four, counted down). ACS
 * takes "+" and places the pair itself. */
static const char *wifi_ht40(const struct wifi_band *b, int ch)
{
	if (!ch)
		return "[HT40+]";
	if (!b->five)
		return ch <= 7 ? "[HT40+]" : "[HT40-]";
	return (ch / 4) % 2 ? "[HT40+]" : "[HT40-]";
}

/* The centre of the 80 MHz block holding ch (36-48: 42, ... 149-161: 155). */
static int wifi_vht80_centre(int ch)
{
	if (ch >= 149)
		return 155;
	return 36 + (ch - 36) / 16 * 16 + 6;
}

static void wifi_render_radio(struct sbuf *o, const json_t *doc, const struct wifi_band *b)
{
	const char *chs = wifi_get(doc, b, "channel"), *w = wifi_get(doc, b, "width");
	int ch = chs && strcmp(chs, "auto") ? atoi(chs) : 0, width = w ? atoi(w) : 20;

	sbuf_printf(o, "country_code=%s\n", wifi_get(doc, b, "country"));
	/* the country in beacons; at 5 GHz DFS and power constraint too (radar channels) */
	sbuf_add(o, "ieee80211d=1\n");
	if (b->five)
		sbuf_add(o, "ieee80211h=1\n");
	sbuf_printf(o, "hw_mode=%s\n", b->five ? "a" : "g");
	/* 0: hostapd picks the least crowded channel at start (ACS) */
	sbuf_printf(o, "channel=%d\n", ch);
	sbuf_add(o, "wmm_enabled=1\nieee80211n=1\n");
	if (width >= 40)
		sbuf_printf(o, "ht_capab=%s\n", wifi_ht40(b, ch));
	if (b->five) {
		sbuf_add(o, "ieee80211ac=1\n");
		sbuf_printf(o, "vht_oper_chwidth=%d\n", width == 80 ? 1 : 0);
		if (width == 80 && ch)
			sbuf_printf(o, "vht_oper_centr_freq_seg0_idx=%d\n", wifi_vht80_centre(ch));
	} else if (doc_bool(doc, "wifi_2g.legacy_rates", false)) {
		sbuf_add(o, "supported_rates=" RATES_B_OFDM "\nbasic_rates=" RATES_B_BASIC "\n");
	} else {
		sbuf_add(o, "supported_rates=" RATES_OFDM "\nbasic_rates=" RATES_OFDM_BASIC "\n");
	}
}

/* Key management per encryption type: SAE requires protected management
 * frames (802.11w); mixed offers them to WPA2 clients that can; WPA2-PSK
 * offers them; WPA-PSK (TKIP) cannot have them. */
static void wifi_render_security(struct sbuf *o, const json_t *doc, const struct wifi_band *b)
{
	const char *enc = wifi_get(doc, b, "encryption"), *pass = wifi_get(doc, b, "passphrase");
	bool hex = pass && strlen(pass) == 64;

	if (!enc)
		enc = "sae";
	sbuf_add(o, "auth_algs=1\n");
	if (!strcmp(enc, "psk")) {
		sbuf_add(o, "wpa=1\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=TKIP\nieee80211w=0\n");
	} else if (!strcmp(enc, "psk2")) {
		sbuf_add(o, "wpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nieee80211w=1\n");
	} else if (!strcmp(enc, "sae-mixed")) {
		sbuf_add(o, "wpa=2\nwpa_key_mgmt=WPA-PSK SAE\nrsn_pairwise=CCMP\nieee80211w=1\n"
			 "sae_require_mfp=1\nsae_pwe=2\n");
	} else {
		/* sae_pwe=2: hash-to-element and hunting-and-pecking both */
		sbuf_add(o, "wpa=2\nwpa_key_mgmt=SAE\nrsn_pairwise=CCMP\nieee80211w=2\n"
			 "sae_require_mfp=1\nsae_pwe=2\n");
		sbuf_printf(o, "sae_password=%s\n", pass);
		return;
	}
	/* a key of 64 hex digits is the PSK itself; otherwise the passphrase */
	sbuf_printf(o, "%s=%s\n", hex ? "wpa_psk" : "wpa_passphrase", pass);
}

char *wifi_hostapd_conf(const json_t *doc, const struct wifi_band *b, const char *run)
{
	char path[64];
	const char *ssid = wifi_get(doc, b, "ssid"), *bridge = doc_str(doc, "lan.device");
	struct sbuf o;

	snprintf(path, sizeof(path), "%s.enabled", b->section);
	/* the schema refuses an enabled radio without these */
	if (!doc_bool(doc, path, false) || !ssid || !wifi_get(doc, b, "passphrase") ||
	    !wifi_get(doc, b, "country"))
		return NULL;
	sbuf_init(&o);
	sbuf_printf(&o, "# hostapd configuration rendered by difos for the %s radio; changes here "
		    "are overwritten\n", b->title);
	sbuf_printf(&o, "interface=%s\n", wifi_device(doc, b));
	if (bridge && *bridge)
		sbuf_printf(&o, "bridge=%s\n", bridge);
	sbuf_add(&o, "driver=nl80211\n");
	sbuf_printf(&o, "ctrl_interface=%s/" WIFI_CTRL_DIR "\nctrl_interface_group=0\n", run);
	sbuf_add(&o, "logger_stdout=-1\nlogger_stdout_level=2\nlogger_syslog=0\n");
	wifi_render_radio(&o, doc, b);
	sbuf_printf(&o, "ssid=%s\n", ssid);
	if (!wifi_is_ascii(ssid))
		sbuf_add(&o, "utf8_ssid=1\n");
	sbuf_add(&o, "ignore_broadcast_ssid=0\n");
	/* everyone but the deny list (kicked clients, added at run time) */
	sbuf_add(&o, "macaddr_acl=0\n");
	wifi_render_security(&o, doc, b);
	return sbuf_steal(&o);
}

int wifi_render(struct feature_ctx *ctx, struct render_out *out)
{
	for (size_t i = 0; i < WIFI_BANDS; i++) {
		char *conf = wifi_hostapd_conf(ctx->doc, &wifi_bands[i], ctx->env->paths.run);
		if (conf)
			render_add(out, wifi_bands[i].conf, 0600, conf);
	}
	return 0;
}
