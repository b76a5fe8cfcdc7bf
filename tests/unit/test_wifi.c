/*
 * WiFi: hostapd's replies read (stations, key=value lines, the deny list),
 * the control-socket client on a loop, the radios' rules, hostapd's check
 * read as a verdict, and the applier on the dry backend (a radio started
 * only when its device exists).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include "features/network/wifi/hapd_ctrl.h"
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

/*
 * The control-socket client against a hostapd of our own on the same
 * loop: PING answered, an event before an answer skipped, a request not
 * answered in time (its late answer, sent afterwards to the address it
 * came from, reaches nobody: the next request gets its own answer), an
 * answer over the cap, no socket at all, and the client freed from a
 * callback with a request still waiting.
 */
static struct {
	int fd;
	uv_poll_t poll;
	struct sockaddr_un slow_peer;
	socklen_t slow_len;
} srv;

struct got {
	char text[64];
	int calls;
};

static void srv_on_request(uv_poll_t *p, int status, int events)
{
	char buf[256];
	struct sockaddr_un peer;
	socklen_t len = sizeof(peer);
	ssize_t n;

	(void)p;
	(void)status;
	(void)events;
	while ((n = recvfrom(srv.fd, buf, sizeof(buf) - 1, MSG_DONTWAIT, (struct sockaddr *)&peer,
			     &len)) >= 0) {
		buf[n] = '\0';
		if (!strcmp(buf, "SLOW")) {
			srv.slow_peer = peer;
			srv.slow_len = len;
		} else if (!strcmp(buf, "PING")) {
			if (srv.slow_len)   /* the late answer, to where SLOW came from */
				sendto(srv.fd, "LATE\n", 5, 0, (struct sockaddr *)&srv.slow_peer,
				       srv.slow_len);
			srv.slow_len = 0;
			sendto(srv.fd, "PONG\n", 5, 0, (struct sockaddr *)&peer, len);
		} else if (!strcmp(buf, "EVENT")) {
			sendto(srv.fd, "<3>AP-STA-CONNECTED 02:00:00:00:00:01", 37, 0,
			       (struct sockaddr *)&peer, len);
			sendto(srv.fd, "OK\n", 3, 0, (struct sockaddr *)&peer, len);
		} else if (!strcmp(buf, "BIG")) {
			static char big[HAPD_REPLY_MAX + 100];
			memset(big, 'x', sizeof(big));
			sendto(srv.fd, big, sizeof(big), 0, (struct sockaddr *)&peer, len);
		}
		len = sizeof(peer);
	}
}

static void got_reply(void *arg, const char *err, const char *reply, size_t len)
{
	struct got *g = arg;

	g->calls++;
	snprintf(g->text, sizeof(g->text), "%s%.*s", err ? "ERR " : "", err ? (int)strlen(err) :
		 (int)len, err ? err : reply);
}

static struct hapd_ctrl *freed_in_cb;

static void free_in_reply(void *arg, const char *err, const char *reply, size_t len)
{
	got_reply(arg, err, reply, len);
	hapd_ctrl_free(freed_in_cb);
}

static void guard_tick(uv_timer_t *t)
{
	(void)t;   /* wakes the loop: a test that waits on nothing fails, never hangs */
}

/* Runs the loop until the callbacks of g[from..to) ran once each, 3 s at most. */
static void run_until(uv_loop_t *loop, struct got *g, int from, int to)
{
	long long end = now_ms() + 3000;

	for (;;) {
		int done = 0;
		for (int i = from; i < to; i++)
			done += g[i].calls > 0;
		if (done == to - from || now_ms() > end)
			return;
		uv_run(loop, UV_RUN_ONCE);
	}
}

static void test_ctrl_client(void)
{
	uv_loop_t loop;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char *path = xasprintf("%s/hapd-test", t_root);
	struct got g[8] = { 0 };
	struct hapd_ctrl *c;
	uv_timer_t guard;

	uv_loop_init(&loop);
	uv_timer_init(&loop, &guard);
	uv_timer_start(&guard, guard_tick, 100, 100);
	srv.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	T_CHECK(bind(srv.fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	uv_poll_init(&loop, &srv.poll, srv.fd);
	uv_poll_start(&srv.poll, UV_READABLE, srv_on_request);

	c = hapd_ctrl_new(&loop, path);
	T_CHECK(hapd_ctrl_send(c, "EVENT", 500, got_reply, &g[0]) == 0);
	T_CHECK(hapd_ctrl_send(c, "SLOW", 200, got_reply, &g[1]) == 0);
	T_CHECK(hapd_ctrl_send(c, "PING", 500, got_reply, &g[2]) == 0);
	T_CHECK(hapd_ctrl_send(c, "BIG", 500, got_reply, &g[3]) == 0);
	T_CHECK(hapd_ctrl_send(c, "PING", 500, got_reply, &g[4]) == 0);
	run_until(&loop, g, 0, 5);
	T_CHECK_STR(g[0].text, "OK\n");
	T_CHECK_STR(g[1].text, "ERR no answer from hostapd in 200 ms");
	T_CHECK_STR(g[2].text, "PONG\n");
	T_CHECK_STR(g[3].text, "ERR hostapd's answer is too long");
	T_CHECK_STR(g[4].text, "PONG\n");
	for (int i = 0; i < 5; i++)
		T_CHECK(g[i].calls == 1);

	/* freed from a callback: the waiting request is told, once */
	freed_in_cb = c;
	T_CHECK(hapd_ctrl_send(c, "PING", 500, free_in_reply, &g[5]) == 0);
	T_CHECK(hapd_ctrl_send(c, "PING", 500, got_reply, &g[6]) == 0);
	run_until(&loop, g, 5, 7);
	T_CHECK_STR(g[5].text, "PONG\n");
	T_CHECK_STR(g[6].text, "ERR client stopped");
	T_CHECK(g[5].calls == 1 && g[6].calls == 1);

	/* nobody listening */
	c = hapd_ctrl_new(&loop, "/nonexistent/hostapd/wlan0");
	T_CHECK(hapd_ctrl_send(c, "PING", 500, got_reply, &g[7]) == 0);
	run_until(&loop, g, 7, 8);
	T_CHECK(strstr(g[7].text, "ERR no hostapd control socket at /nonexistent/hostapd/wlan0") == g[7].text);
	hapd_ctrl_free(c);

	uv_close((uv_handle_t *)&guard, NULL);
	uv_close((uv_handle_t *)&srv.poll, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	T_CHECK(uv_loop_close(&loop) == 0);
	close(srv.fd);
	unlink(path);
	free(path);
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
	T_RUN(test_ctrl_client);
	T_RUN(test_check_verdict);
	T_RUN(test_radio_rules);
	T_RUN(test_apply);
	t_engine_close();
	return t_done("wifi");
}
