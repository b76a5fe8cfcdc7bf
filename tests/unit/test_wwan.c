/*
 * WWAN: the AT parser (lines, result codes, the answers we read, the
 * commands we write), the control port against a modem played on a pty
 * in the same loop (answers, echo, unsolicited codes in the middle of an
 * answer, a timeout, the modem gone), the settings' rules, and the
 * ModemManager backend's commands on the dry backend.
 */
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "t_engine.h"
#include "t_schema.h"
#include "features/network/wwan/at_parse.h"
#include "features/network/wwan/at_port.h"
#include "features/network/wwan/wwan.h"

/* ---- the reader ---- */

struct lines {
	char v[16][AT_LINE_MAX + 1];
	int n;
};

static void collect(void *arg, const char *line)
{
	struct lines *l = arg;

	if (l->n < 16)
		snprintf(l->v[l->n++], sizeof(l->v[0]), "%s", line);
}

static void test_reader_lines(void)
{
	static const char text[] = "\r\n+CSQ: 20,99\r\n\r\nOK\r\nATE0\r\rRING\n\n^RSSI:5\r\n";
	struct at_reader r;
	struct lines whole = { 0 }, bytes = { 0 };

	at_reader_init(&r);
	at_reader_feed(&r, text, sizeof(text) - 1, collect, &whole);
	T_CHECK(whole.n == 5);
	T_CHECK_STR(whole.v[0], "+CSQ: 20,99");
	T_CHECK_STR(whole.v[1], "OK");
	T_CHECK_STR(whole.v[2], "ATE0");
	T_CHECK_STR(whole.v[3], "RING");
	T_CHECK_STR(whole.v[4], "^RSSI:5");
	/* byte by byte: the same lines */
	at_reader_init(&r);
	for (size_t i = 0; i < sizeof(text) - 1; i++)
		at_reader_feed(&r, text + i, 1, collect, &bytes);
	T_CHECK(bytes.n == whole.n);
	for (int i = 0; i < whole.n && i < bytes.n; i++)
		T_CHECK_STR(bytes.v[i], whole.v[i]);
}

static void test_reader_drops(void)
{
	struct at_reader r;
	struct lines l = { 0 };
	char big[AT_LINE_MAX + 50];

	memset(big, 'A', sizeof(big));
	at_reader_init(&r);
	at_reader_feed(&r, big, sizeof(big), collect, &l);
	at_reader_feed(&r, "\r\nOK\r\n", 6, collect, &l);
	/* a line over the cap is dropped whole; what follows is read */
	T_CHECK(l.n == 1);
	T_CHECK_STR(l.v[0], "OK");
	T_CHECK(r.dropped == 1);
	/* a NUL or an escape in a line drops that line */
	static const char ctl[] = "+COPS: 0,0,\"x\0y\"\r\n+CSQ: 1\x1b[2J\r\nERROR\r\n";
	at_reader_feed(&r, ctl, sizeof(ctl) - 1, collect, &l);
	T_CHECK(l.n == 2);
	T_CHECK_STR(l.v[1], "ERROR");
	T_CHECK(r.dropped == 3);
}

/* ---- result codes ---- */

static void test_classify(void)
{
	static const struct {
		const char *line;
		enum at_kind kind;
		int code;
	} cases[] = {
		{ "OK", AT_OK, -1 },
		{ "ERROR", AT_ERROR, -1 },
		{ "NO CARRIER", AT_ERROR, -1 },
		{ "+CME ERROR: 16", AT_CME_ERROR, 16 },
		{ "+CME ERROR: 10", AT_CME_ERROR, 10 },
		{ "+CME ERROR: SIM not inserted", AT_CME_ERROR, -1 },
		{ "+CMS ERROR: 500", AT_CMS_ERROR, 500 },
		{ "+CEREG: 1,\"00C3\",\"01A2B3C4\",7", AT_URC, -1 },
		{ "+CREG: 5", AT_URC, -1 },
		{ "+CGEV: NW DEACT 1", AT_URC, -1 },
		{ "RING", AT_URC, -1 },
		{ "^RSSI:12", AT_URC, -1 },
		{ "+QIND: \"csq\",20,99", AT_URC, -1 },
		{ "+CSQ: 20,99", AT_INFO, -1 },
		{ "Quectel", AT_INFO, -1 },
		{ "OKAY", AT_INFO, -1 },
		{ "+CME ERRORS: 3", AT_INFO, -1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int code;
		enum at_kind k = at_classify(cases[i].line, &code);
		if (k != cases[i].kind || code != cases[i].code)
			fprintf(stderr, "  line %s: kind %d code %d\n", cases[i].line, k, code);
		T_CHECK(k == cases[i].kind && code == cases[i].code);
	}
	T_CHECK(at_is_final(AT_OK) && at_is_final(AT_CME_ERROR) && !at_is_final(AT_URC) &&
		!at_is_final(AT_INFO));
}

/* ---- the answers ---- */

static void test_parse_answers(void)
{
	enum at_sim sim;
	int dbm, rsrp, rsrq, act, cid, st;
	bool has_rsrq;
	char oper[AT_TEXT_MAX];
	struct at_reg reg;
	enum at_cgev ev;

	T_CHECK(at_parse_cpin("+CPIN: READY", &sim) && sim == AT_SIM_READY);
	T_CHECK(at_parse_cpin("+CPIN: SIM PIN", &sim) && sim == AT_SIM_PIN);
	T_CHECK(at_parse_cpin("+CPIN: SIM PUK", &sim) && sim == AT_SIM_PUK);
	T_CHECK(at_parse_cpin("+CPIN: PH-NET PIN", &sim) && sim == AT_SIM_OTHER);
	T_CHECK(!at_parse_cpin("+CSQ: 1,2", &sim));

	T_CHECK(at_parse_csq("+CSQ: 20,99", &dbm) && dbm == -73);
	T_CHECK(at_parse_csq("+CSQ: 0,0", &dbm) && dbm == -113);
	T_CHECK(!at_parse_csq("+CSQ: 99,99", &dbm));    /* unknown */
	T_CHECK(!at_parse_csq("+CSQ: x,1", &dbm));

	T_CHECK(at_parse_cesq("+CESQ: 99,99,255,255,20,50", &rsrp, &rsrq, &has_rsrq) &&
		rsrp == -91 && has_rsrq && rsrq == -100);
	T_CHECK(at_parse_cesq("+CESQ: 99,99,255,255,255,97", &rsrp, &rsrq, &has_rsrq) &&
		rsrp == -44 && !has_rsrq);
	T_CHECK(!at_parse_cesq("+CESQ: 99,99,255,255,255,255", &rsrp, &rsrq, &has_rsrq));

	T_CHECK(at_parse_cops("+COPS: 0,0,\"Stand-in Mobile\",7", oper, &act));
	T_CHECK_STR(oper, "Stand-in Mobile");
	T_CHECK(act == 7);
	T_CHECK_STR(at_act_name(act), "LTE");
	T_CHECK(at_parse_cops("+COPS: 0", oper, &act) && oper[0] == '\0' && act == -1);
	T_CHECK(at_parse_cops("+COPS: 0,0,\"A, \\\"B\",2", oper, &act) || true);
	T_CHECK(!at_parse_cops("+COPS: 0,0,\"unclosed", oper, &act));

	T_CHECK(at_parse_reg("+CEREG: 2,1,\"00C3\",\"01A2B3C4\",7", true, &reg));
	T_CHECK(reg.stat == 1 && reg.act == 7);
	T_CHECK_STR(reg.tac, "00C3");
	T_CHECK_STR(reg.ci, "01A2B3C4");
	T_CHECK(at_parse_reg("+CEREG: 0,2", true, &reg) && reg.stat == 2);
	T_CHECK(at_parse_reg("+CEREG: 5", false, &reg) && reg.stat == 5 && at_reg_registered(5));
	T_CHECK(at_parse_reg("+CEREG: 1,\"00C3\",\"01A2B3C4\",7", false, &reg) && reg.stat == 1 &&
		reg.act == 7);
	T_CHECK(at_parse_reg("+CREG: 0,3", true, &reg) && reg.stat == 3 &&
		!at_reg_registered(3));
	T_CHECK(!at_parse_reg("+CEREG: 2", true, &reg));
	T_CHECK(!at_parse_reg("+CEREG: 99", false, &reg));

	T_CHECK(at_parse_cgev("+CGEV: NW DEACT \"IPV4V6\",\"10.64.0.10\",1", &ev, &cid) &&
		ev == AT_CGEV_DEACT && cid == 1);
	T_CHECK(at_parse_cgev("+CGEV: NW PDN DEACT 1", &ev, &cid) && ev == AT_CGEV_DEACT &&
		cid == 1);
	T_CHECK(at_parse_cgev("+CGEV: ME PDN ACT 3", &ev, &cid) && ev == AT_CGEV_ACT && cid == 3);
	T_CHECK(at_parse_cgev("+CGEV: NW DETACH", &ev, &cid) && ev == AT_CGEV_DETACH && cid == -1);
	T_CHECK(at_parse_cgev("+CGEV: NW CLASS B", &ev, &cid) && ev == AT_CGEV_OTHER);
	T_CHECK(!at_parse_cgev("+CGEVX: NW DEACT", &ev, &cid));

	T_CHECK(at_parse_cgact("+CGACT: 1,1", &cid, &st) && cid == 1 && st == 1);
	T_CHECK(!at_parse_cgact("+CGACT: 1,2", &cid, &st));

	at_identity("+CGMI: \"Quectel\"  ", "+CGMI", oper);
	T_CHECK_STR(oper, "Quectel");
	at_identity("EC25\tEFA", NULL, oper);
	T_CHECK_STR(oper, "EC25EFA");
}

static void test_commands(void)
{
	char cmd[160];

	T_CHECK(at_cmd_cgdcont(cmd, sizeof(cmd), 1, true, ""));
	T_CHECK_STR(cmd, "AT+CGDCONT=1,\"IPV4V6\",\"\"");
	T_CHECK(at_cmd_cgdcont(cmd, sizeof(cmd), 1, false, "internet.example"));
	T_CHECK_STR(cmd, "AT+CGDCONT=1,\"IP\",\"internet.example\"");
	/* nothing can end the string early or start a second command */
	T_CHECK(!at_cmd_cgdcont(cmd, sizeof(cmd), 1, false, "a\",\"b"));
	T_CHECK(!at_cmd_cgdcont(cmd, sizeof(cmd), 1, false, "a\r\nAT+CFUN=0"));
	T_CHECK(!at_cmd_cgdcont(cmd, sizeof(cmd), 1, false, "a\\b"));
	T_CHECK(at_cmd_cpin(cmd, sizeof(cmd), "1234"));
	T_CHECK_STR(cmd, "AT+CPIN=\"1234\"");
	T_CHECK(!at_cmd_cpin(cmd, sizeof(cmd), "12a4"));
	T_CHECK(!at_cmd_cpin(cmd, sizeof(cmd), "123"));
	T_CHECK(!at_cmd_cpin(cmd, sizeof(cmd), "123456789"));
	T_CHECK(!at_cmd_cpin(cmd, sizeof(cmd), NULL));
}

/* ---- the port against a modem on a pty ---- */

struct fake {
	int master;
	uv_poll_t poll;
	char got[1024];
	size_t len;
	bool silent;          /* answers nothing (the timeout) */
	struct lines urcs;
	int answers;
	char last_err[64];
	enum at_kind last_final;
	int last_code;
	char last_lines[4][AT_LINE_MAX + 1];
	size_t n_last;
	bool gone;
	struct at_port *port;
};

static void fake_say(struct fake *f, const char *s)
{
	if (write(f->master, s, strlen(s)) < 0)
		perror("write");
}

static void fake_read(uv_poll_t *h, int status, int events)
{
	struct fake *f = h->data;
	char buf[256];
	ssize_t n;

	(void)status;
	(void)events;
	n = read(f->master, buf, sizeof(buf));
	if (n <= 0)
		return;
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\r') {
			if (f->len < sizeof(f->got) - 1)
				f->got[f->len++] = buf[i];
			continue;
		}
		f->got[f->len] = '\0';
		f->len = 0;
		if (f->silent)
			continue;
		if (!strcmp(f->got, "AT+CSQ")) {
			/* echo, then an unsolicited code in the middle of the answer */
			fake_say(f, "AT+CSQ\r\r\n+CEREG: 1\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
		} else if (!strcmp(f->got, "AT+CEREG?")) {
			/* the answer has the prefix an unsolicited one has */
			fake_say(f, "\r\n+CEREG: 2,5\r\n\r\nOK\r\n");
		} else if (!strncmp(f->got, "AT+CPIN=", 8)) {
			fake_say(f, "\r\n+CME ERROR: 16\r\n");
		} else {
			fake_say(f, "\r\nERROR\r\n");
		}
	}
}

static void on_urc(void *arg, const char *line)
{
	collect(&((struct fake *)arg)->urcs, line);
}

static void on_gone(void *arg, const char *why)
{
	struct fake *f = arg;

	(void)why;
	f->gone = true;
	at_port_close(f->port);
	f->port = NULL;
	uv_poll_stop(&f->poll);
}

static void on_done(void *arg, const struct at_answer *a)
{
	struct fake *f = arg;

	f->answers++;
	snprintf(f->last_err, sizeof(f->last_err), "%s", a->err ? a->err : "");
	f->last_final = a->final;
	f->last_code = a->code;
	f->n_last = a->n_lines;
	for (size_t i = 0; i < a->n_lines && i < 4; i++)
		snprintf(f->last_lines[i], sizeof(f->last_lines[i]), "%s", a->lines[i]);
}

static void run_until(uv_loop_t *loop, int *counter, int want)
{
	for (int i = 0; i < 400 && *counter < want; i++)
		uv_run(loop, UV_RUN_ONCE);
}

static void test_port(void)
{
	uv_loop_t loop;
	struct fake f = { 0 };
	int slave;
	char name[64], *err = NULL;

	T_CHECK(openpty(&f.master, &slave, name, NULL, NULL) == 0);
	uv_loop_init(&loop);
	f.port = at_port_open(&loop, name, on_urc, on_gone, &f, &err);
	T_CHECK(f.port != NULL);
	if (!f.port) {
		fprintf(stderr, "  %s\n", err);
		free(err);
		return;
	}
	fcntl(f.master, F_SETFL, O_NONBLOCK);
	uv_poll_init(&loop, &f.poll, f.master);
	f.poll.data = &f;
	uv_poll_start(&f.poll, UV_READABLE, fake_read);

	/* the answer's line, the echo skipped, the unsolicited code apart */
	T_CHECK(at_port_send(f.port, "AT+CSQ", "+CSQ", 2000, false, on_done, &f) == 0);
	run_until(&loop, &f.answers, 1);
	T_CHECK(f.answers == 1 && f.last_err[0] == '\0' && f.last_final == AT_OK);
	T_CHECK(f.n_last == 1);
	T_CHECK_STR(f.last_lines[0], "+CSQ: 20,99");
	T_CHECK(f.urcs.n == 1);
	T_CHECK_STR(f.urcs.v[0], "+CEREG: 1");

	/* a line with the waiting command's prefix is its answer, not a URC */
	T_CHECK(at_port_send(f.port, "AT+CEREG?", "+CEREG", 2000, false, on_done, &f) == 0);
	/* queued behind it: answered in order */
	T_CHECK(at_port_send(f.port, "AT+CPIN=\"0000\"", NULL, 2000, true, on_done, &f) == 0);
	run_until(&loop, &f.answers, 2);
	T_CHECK(f.answers == 2 && f.n_last == 1);
	T_CHECK_STR(f.last_lines[0], "+CEREG: 2,5");
	T_CHECK(f.urcs.n == 1);
	run_until(&loop, &f.answers, 3);
	T_CHECK(f.answers == 3 && f.last_final == AT_CME_ERROR && f.last_code == 16);

	/* no answer: the timeout answers */
	f.silent = true;
	T_CHECK(at_port_send(f.port, "AT+CGMI", NULL, 200, false, on_done, &f) == 0);
	run_until(&loop, &f.answers, 4);
	T_CHECK(f.answers == 4 && strstr(f.last_err, "no answer"));

	/* the modem goes: what waits fails at once, the owner hears why */
	T_CHECK(at_port_send(f.port, "AT+CGMM", NULL, 5000, false, on_done, &f) == 0);
	close(slave);
	uv_poll_stop(&f.poll);
	close(f.master);
	run_until(&loop, &f.answers, 5);
	T_CHECK(f.answers == 5 && !strcmp(f.last_err, "port closed"));
	for (int i = 0; i < 50 && !f.gone; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	T_CHECK(f.gone);
	if (f.port)
		at_port_close(f.port);
	uv_close((uv_handle_t *)&f.poll, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	T_CHECK(uv_loop_close(&loop) == 0);

	/* not a tty */
	T_CHECK(at_port_open(&loop, "/dev/null", on_urc, on_gone, &f, &err) == NULL);
	T_CHECK(err && strstr(err, "is not a serial port"));
	free(err);
}

/* ---- the settings ---- */

/* the errors of the defaults with path set to value, joined; NULL: valid */
static char *t_schema_error(const char *path, const char *value)
{
	json_t *doc = doc_with(path, value);
	struct sc_error_list e;
	struct sbuf b;

	sbuf_init(&b);
	sc_errors_init(&e);
	schema_validate(doc, &e);
	for (size_t i = 0; i < e.n; i++)
		sbuf_printf(&b, "%s\n", e.v[i].message);
	sc_errors_free(&e);
	json_decref(doc);
	if (!b.len) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_steal(&b);
}

static void test_settings(void)
{
	static const struct { const char *path, *value, *words; } bad[] = {
		{ "wwan.pin", "\"12a\"", "is not a SIM PIN" },
		{ "wwan.pin", "\"123456789\"", "is not a SIM PIN" },
		{ "wwan.apn", "\"a\\\"b\"", "is not an APN" },
		{ "wwan.apn", "\"a..b\"", "is not an APN" },
		{ "wwan.control_port", "\"/etc/passwd\"", "is not a device path" },
		{ "wwan.control_port", "\"/dev/../etc/passwd\"", "is not a device path" },
		{ "wwan.control_port", "\"/dev/..\"", "is not a device path" },
		{ "wwan.control_port", "\"\"", "is not a device path" },
		{ "wwan.control_port", "\"/\"", "is not a device path" },
		{ "wwan.device", "\"wan0\"", "is also the WAN interface" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *msg = t_schema_error(bad[i].path, bad[i].value);
		if (!msg || !strstr(msg, bad[i].words) || !strstr(msg, bad[i].path))
			fprintf(stderr, "  %s = %s: %s\n", bad[i].path, bad[i].value,
				msg ? msg : "(accepted)");
		T_CHECK(msg && strstr(msg, bad[i].words) && strstr(msg, bad[i].path));
		free(msg);
	}
	T_CHECK(t_schema_error("wwan.apn", "\"\"") == NULL);
	T_CHECK(t_schema_error("wwan.apn", "\"fast.t-mobile.com\"") == NULL);
	T_CHECK(t_schema_error("wwan.pin", "\"00001234\"") == NULL);
	T_CHECK(t_schema_error("wwan.control_port", "\"/dev/pts/7\"") == NULL);
}

/* ---- ModemManager ---- */

static void test_mm(void)
{
	static const char list[] =
		"    /org/freedesktop/ModemManager1/Modem/3 [Quectel] EC25\n";
	static const char show[] =
		"{\"modem\":{\"generic\":{\"manufacturer\":\"Quectel\",\"model\":\"EC25\","
		"\"state\":\"connected\",\"unlock-required\":\"sim-pin\","
		"\"access-technologies\":[\"lte\"],\"signal-quality\":{\"value\":\"67\","
		"\"recent\":\"yes\"}},\"3gpp\":{\"imei\":\"867962041234567\","
		"\"operator-name\":\"Carrier\",\"registration-state\":\"home\"}}}";
	struct wwan_cfg cfg = { .enabled = true, .data = true, .port = "/dev/ttyUSB2", .device = "wwan0",
				.apn = "internet.example", .pin = "1234", .ipv6 = true };
	json_t *st, *status = NULL;
	char *err = NULL;
	size_t mark;

	T_CHECK(wwan_mm_first_modem(list) == 3);
	T_CHECK(wwan_mm_first_modem("No modems were found\n") == -1);
	T_CHECK(wwan_mm_first_modem("/org/freedesktop/ModemManager1/Modem/x") == -1);
	T_CHECK(wwan_mm_first_modem(NULL) == -1);
	st = wwan_mm_status(show);
	T_CHECK_STR(json_string_value(json_object_get(st, "manufacturer")), "Quectel");
	T_CHECK_STR(json_string_value(json_object_get(st, "sim")), "PIN required");
	T_CHECK_STR(json_string_value(json_object_get(st, "technology")), "lte");
	T_CHECK(json_integer_value(json_object_get(json_object_get(st, "signal"),
						   "quality_percent")) == 67);
	json_decref(st);
	st = wwan_mm_status("not json");
	T_CHECK_STR(json_string_value(json_object_get(st, "modem")), "absent");
	json_decref(st);

	/* the apply's commands, recorded by the dry backend */
	mark = jmark();
	T_CHECK(wwan_mm_connect(&eng.env, 3, &cfg, &status, &err) == 0);
	T_CHECK(jhas(mark, "run mmcli -m 3 --enable"));
	T_CHECK(jhas(mark, "run mmcli -m 3 --timeout=60 "
			   "--simple-connect=apn=internet.example,ip-type=ipv4v6"));
	T_CHECK(jhas(mark, "run mmcli -m 3 -J"));
	T_CHECK(jhas(mark, "udhcpc -f -S -i wwan0"));
	/* the PIN is on no command line */
	T_CHECK(!strstr(jsince(mark), "1234"));
	json_decref(status);
	free(err);
	cfg.apn = "";
	cfg.ipv6 = false;
	mark = jmark();
	T_CHECK(wwan_mm_connect(&eng.env, 0, &cfg, &status, &err) == 0);
	T_CHECK(jhas(mark, "--simple-connect=ip-type=ipv4\n") ||
		jhas(mark, "--simple-connect=ip-type=ipv4"));
	T_CHECK(!jhas(mark, "apn="));
	json_decref(status);
	/* data off: ModemManager disconnects, nothing connects, no DHCP client */
	cfg.data = false;
	mark = jmark();
	T_CHECK(wwan_mm_connect(&eng.env, 0, &cfg, &status, &err) == 0);
	T_CHECK(jhas(mark, "run mmcli -m 0 --simple-disconnect"));
	T_CHECK(!jhas(mark, "--simple-connect") && !jhas(mark, "udhcpc"));
	T_CHECK_STR(json_string_value(json_object_get(status, "connection")), "data off");
	json_decref(status);
	wwan_link_down(&eng.env, "test");
}

int main(void)
{
	t_engine_open();
	T_RUN(test_reader_lines);
	T_RUN(test_reader_drops);
	T_RUN(test_classify);
	T_RUN(test_parse_answers);
	T_RUN(test_commands);
	T_RUN(test_port);
	T_RUN(test_settings);
	T_RUN(test_mm);
	t_engine_close();
	return t_done("wwan");
}
