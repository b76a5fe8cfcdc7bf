/*
 * WiFi: hostapd's replies read (stations, key=value lines), the radios'
 * rules, hostapd's check read as a verdict, and the applier on the dry
 * backend (a radio started only when its device exists).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/wifi/hapd_parse.h"
#include "features/network/wifi/wifi_int.h"
#include "t.h"
#include "t_engine.h"
#include "t_json.h"
#include "t_schema.h"

/* What hostapd 2.10 answers STA-FIRST for an associated 802.11ac client. */
static const char sta_reply[] =
	"02:00:00:AA:bb:01\n"
	"flags=[AUTH][ASSOC][AUTHORIZED][WMM][MFP][HT][VHT]\n"
	"aid=1\ncapability=0x1431\nlisten_interval=10\n"
	"supported_rates=8c 12 98 24 b0 48 60 6c\ntimeout_next=NULLFUNC POLL\n"
	"dot11RSNAStatsSTAAddress=02:00:00:aa:bb:01\ndot11RSNAStatsVersion=1\n"
	"wpa=2\nAKMSuiteSelector=00-0f-ac-8\nhostapdWPAPTKState=11\n"
	"rx_packets=1200\ntx_packets=900\nrx_bytes=123456\ntx_bytes=654321\n"
	"inactive_msec=120\nsignal=-52\n"
	"rx_rate_info=8667 mcs 9 vhtmcs 9 vhtnss 2 shortGI\n"
	"tx_rate_info=6500 vhtmcs 7 vhtnss 2\n"
	"rx_vht_mcs_map=fffa\ntx_vht_mcs_map=fffa\nht_mcs_bitmask=ffff0000000000000000\n"
	"connected_time=3605\nsae_group=19\n";

static void test_station(void)
{
	json_t *s = NULL;

	T_CHECK(hapd_parse_sta(sta_reply, strlen(sta_reply), &s) == HAPD_STA_ONE);
	T_CHECK_STR(json_string_value(json_object_get(s, "mac")), "02:00:00:aa:bb:01");
	T_CHECK(json_integer_value(json_object_get(s, "signal")) == -52);
	T_CHECK(json_real_value(json_object_get(s, "rx_rate")) == 866.7);
	T_CHECK(json_real_value(json_object_get(s, "tx_rate")) == 650.0);
	T_CHECK(json_integer_value(json_object_get(s, "rx_mcs")) == 9);
	T_CHECK(!json_object_get(s, "tx_mcs"));   /* " vhtmcs" is not " mcs" */
	T_CHECK(json_integer_value(json_object_get(s, "connected_time")) == 3605);
	T_CHECK(json_integer_value(json_object_get(s, "inactive_ms")) == 120);
	T_CHECK(json_integer_value(json_object_get(s, "rx_bytes")) == 123456);
	T_CHECK(json_array_size(json_object_get(s, "flags")) == 7);
	T_CHECK(json_is_true(json_object_get(s, "authorized")));
	json_decref(s);

	/* an HT client: its MCS; a value out of range or not a number is left out */
	T_CHECK(hapd_parse_sta("02:00:00:00:00:02\nflags=[AUTH][ASSOC]\nsignal=-999\n"
			       "rx_rate_info=1444 mcs 15 shortGI\ntx_rate_info=x\n"
			       "connected_time=-5\n", 104, &s) == HAPD_STA_ONE);
	T_CHECK(json_integer_value(json_object_get(s, "rx_mcs")) == 15);
	T_CHECK(json_real_value(json_object_get(s, "rx_rate")) == 144.4);
	T_CHECK(!json_object_get(s, "signal") && !json_object_get(s, "tx_rate"));
	T_CHECK(!json_object_get(s, "connected_time"));
	T_CHECK(json_is_false(json_object_get(s, "authorized")));
	json_decref(s);
}

static void test_not_a_station(void)
{
	json_t *s = (json_t *)1;

	T_CHECK(hapd_parse_sta("", 0, &s) == HAPD_STA_END && !s);
	T_CHECK(hapd_parse_sta("FAIL\n", 5, &s) == HAPD_STA_BAD && !s);
	T_CHECK(hapd_parse_sta("02:00:00:00:00:0\nsignal=-1\n", 26, &s) == HAPD_STA_BAD);
	T_CHECK(hapd_parse_sta("02-00-00-00-00-01\n", 18, &s) == HAPD_STA_BAD);
	/* a NUL byte anywhere refuses the reply */
	T_CHECK(hapd_parse_sta("02:00:00:00:00:01\nsig\0nal=-1\n", 29, &s) == HAPD_STA_BAD);
	/* no newline at all: a MAC alone is a station without details */
	T_CHECK(hapd_parse_sta("02:00:00:00:00:01", 17, &s) == HAPD_STA_ONE);
	T_CHECK(json_array_size(json_object_get(s, "flags")) == 0);
	json_decref(s);
	/* broken flags keep the words before the break */
	T_CHECK(hapd_parse_sta("02:00:00:00:00:01\nflags=[AUTH][AS SOC][X]\n", 42, &s) ==
		HAPD_STA_ONE);
	T_CHECK(json_array_size(json_object_get(s, "flags")) == 1);
	json_decref(s);
}

static void test_kv(void)
{
	static const char status[] = "state=ENABLED\nphy=phy0\nfreq=2412\nchannel=1\n"
				     "ssid[0]=Office\nnum_sta[0]=2\n";
	char v[16];

	T_CHECK(hapd_kv(status, strlen(status), "state", v, sizeof(v)));
	T_CHECK_STR(v, "ENABLED");
	T_CHECK(hapd_kv(status, strlen(status), "num_sta[0]", v, sizeof(v)));
	T_CHECK_STR(v, "2");
	T_CHECK(!hapd_kv(status, strlen(status), "stat", v, sizeof(v)));
	/* cut to the buffer */
	T_CHECK(hapd_kv("ssid[0]=a long network name\n", 28, "ssid[0]", v, 5));
	T_CHECK_STR(v, "a lo");
}

static void test_acl(void)
{
	static const char show[] = "02:00:00:00:01:02 VLAN_ID=0\n02:00:00:AA:00:03 VLAN_ID=7\n";
	json_t *a = hapd_parse_acl(show, strlen(show));

	T_CHECK(json_array_size(a) == 2);
	T_CHECK_STR(json_string_value(json_array_get(a, 1)), "02:00:00:aa:00:03");
	json_decref(a);
	a = hapd_parse_acl("", 0);
	T_CHECK(a && json_array_size(a) == 0);
	json_decref(a);
	T_CHECK(!hapd_parse_acl("FAIL\n", 5));
	T_CHECK(!hapd_parse_acl("02:00:00:00:01:02X\n", 19));
	T_CHECK(!hapd_parse_acl("02:00:00:00:01:02\0\n", 19));
}

/* hostapd 2.10's words, as seen on this machine (no nl80211). */
static void test_check_verdict(void)
{
	char *v;

	T_CHECK(!wifi_check_verdict("nl80211: 'nl80211' generic netlink not found\n"
				    "Failed to initialize driver 'nl80211'\n"
				    "difoschk0: interface state UNINITIALIZED->DISABLED\n"));
	T_CHECK(!wifi_check_verdict(NULL));
	v = wifi_check_verdict("Line 3: unknown hw_mode 'q'\n"
			       "Line 8: invalid WPA passphrase length 5 (expected 8..63)\n"
			       "2 errors found in configuration file 'x.conf'\n"
			       "Failed to set up interface with x.conf\n"
			       "Failed to initialize interface\n");
	T_CHECK_STR(v, "Line 3: unknown hw_mode 'q'; Line 8: invalid WPA passphrase length 5 "
		    "(expected 8..63); 2 errors found in configuration file 'x.conf'");
	free(v);
}

#define RADIO_ON "{\"enabled\": true, \"ssid\": \"Office\", \"passphrase\": \"correct horse\"," \
	" \"country\": \"DE\"}"

static void test_radio_rules(void)
{
	T_CHECK(valid(doc_with("wifi_2g", RADIO_ON)));
	T_CHECK(valid(doc_with("wifi_5g", "{\"channel\": \"149\", \"width\": \"80\"}")));
	T_CHECK(has_error(doc_with("wifi_2g", "{\"enabled\": true}"), "wifi_2g.ssid",
			  "wifi_2g.ssid: is required while the 2.4 GHz radio is enabled"));
	T_CHECK(has_error(doc_with("wifi_2g", "{\"country\": \"00\"}"), "wifi_2g.country",
			  "wifi_2g.country: 00 (World) is not accepted: it restricts the radio to the "
			  "few channels legal everywhere; pick the country the router is in"));
	T_CHECK(has_error(doc_with("wifi_5g", "{\"country\": \"de\"}"), "wifi_5g.country",
			  "wifi_5g.country: de is not a country code: two capital letters (ISO 3166, "
			  "e.g. DE)"));
	T_CHECK(has_error(doc_with("wifi_2g", "{\"channel\": \"14\"}"), "wifi_2g.channel",
			  "wifi_2g.channel: 14 is not a 2.4 GHz channel (1-13) or auto"));
	T_CHECK(has_error(doc_with("wifi_5g", "{\"channel\": \"165\"}"), "wifi_5g.channel",
			  "wifi_5g.channel: 165 cannot carry 80 MHz: choose 20 MHz or another channel"));
	T_CHECK(valid(doc_with("wifi_5g", "{\"channel\": \"165\", \"width\": \"20\"}")));
	T_CHECK(has_error(doc_with("wifi_5g", "{\"channel\": \"38\"}"), "wifi_5g.channel",
			  "wifi_5g.channel: 38 is not a 5 GHz channel (36-64, 100-144, 149-165 in "
			  "steps of 4) or auto"));
	/* the secret is named, never quoted */
	T_CHECK(has_error(doc_with("wifi_2g", "{\"passphrase\": \"1234567\"}"),
			  "wifi_2g.passphrase", "wifi_2g.passphrase: is shorter than 8 characters"));
	T_CHECK(has_error(doc_with("wifi_2g", "{\"passphrase\": \"" "0123456789abcdef0123456789abcdef"
				   "0123456789abcdef0123456789abcdef\"}"),
			  "wifi_2g.passphrase", "wifi_2g.passphrase: is a key of 64 hex digits, which "
			  "WPA3 (SAE) cannot use: give a passphrase of 8 to 63 characters"));
	T_CHECK(valid(doc_with("wifi_2g", "{\"encryption\": \"psk2\", \"passphrase\": \""
			       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}")));
	T_CHECK(has_error(doc_with("wifi_2g", "{\"passphrase\": \"caf\\u00e9 au lait\"}"),
			  "wifi_2g.passphrase", "wifi_2g.passphrase: may hold only printable ASCII "
			  "characters (letters, digits, punctuation, spaces)"));
	T_CHECK(has_error(doc_with("wifi_2g", "{\"ssid\": \"a\\nb\"}"), "wifi_2g.ssid",
			  "wifi_2g.ssid: a\\nb contains a control character"));
	/* one country for the router; one radio per device */
	{
		json_t *d = doc_with("wifi_2g", RADIO_ON);
		put(d, "wifi_5g", "{\"enabled\": true, \"ssid\": \"O5\", \"passphrase\": \"correct "
		    "horse\", \"country\": \"FR\", \"device\": \"wlan0\"}");
		schema_fill_defaults(d);
		json_incref(d);
		T_CHECK(has_error(d, "wifi_5g.country", "wifi_5g.country: FR differs from the 2.4 "
				  "GHz radio's DE: the router is in one country"));
		T_CHECK(has_error(d, "wifi_5g.device", "wifi_5g.device: wlan0 is the 2.4 GHz radio's "
				  "device too"));
	}
}

/* Applies the running document with one change; the journal mark before it. */
static size_t apply_with(const char *path, const char *value)
{
	json_t *d = json_deep_copy(eng.running);
	struct apply_result res;
	size_t m = jmark();

	put(d, path, value);
	T_CHECK(engine_apply(&eng, d, "test", NULL, 0, &res) == 0);
	if (res.message)
		fprintf(stderr, "    apply: %s\n", res.message);
	apply_result_free(&res);
	json_decref(d);
	return m;
}

static void test_apply(void)
{
	size_t m;

	T_CHECK(engine_boot(&eng) == 0);
	/* no such device: checked by hostapd, not started, the apply goes on */
	m = apply_with("wifi_2g", "{\"enabled\": true, \"ssid\": \"Office\", \"passphrase\": "
		       "\"correct horse\", \"country\": \"DE\", \"device\": \"wlan9\"}");
	T_CHECK(jhas(m, "run hostapd -i difoschk0 "));
	T_CHECK(!jhas(m, "start hostapd"));
	T_CHECK(!sv_running("hostapd-2g"));
	/* a device that exists: started on the file in force */
	m = apply_with("wifi_2g.device", "\"lo\"");
	T_CHECK(jhas(m, "start hostapd "));
	T_CHECK(jhas(m, "/active/wifi/hostapd-2g.conf"));
	T_CHECK(sv_running("hostapd-2g"));
	/* a change of its file restarts it; disabled, it stops */
	m = apply_with("wifi_2g.channel", "\"6\"");
	T_CHECK(jhas(m, "start hostapd "));
	m = apply_with("wifi_2g.enabled", "false");
	T_CHECK(!sv_running("hostapd-2g"));
	if (t_cur_failed)
		dump_journal(0);
}

int main(void)
{
	t_engine_open();
	T_RUN(test_station);
	T_RUN(test_not_a_station);
	T_RUN(test_kv);
	T_RUN(test_acl);
	T_RUN(test_check_verdict);
	T_RUN(test_radio_rules);
	T_RUN(test_apply);
	t_engine_close();
	return t_done("wifi");
}
