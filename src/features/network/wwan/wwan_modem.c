/*
 * The modem over AT commands (3GPP TS 27.007), on the loop: open the
 * control port, the start-up sequence (a table of steps), wait for the
 * registration, define and activate the data context, then hand over to
 * the data path (wwan_link.c). A context the network drops (+CGEV: NW
 * DEACT, or AT+CGACT? read as inactive) or a port that goes brings the
 * data path down and starts again after a back-off (1 s doubling to 60 s).
 * With data off (wwan.data) the sequence ends once registered, with any
 * context deactivated: the modem stays on the network for calls and SMS,
 * and its signal and operator are still read.
 *
 * The SIM's PIN is sent once per PIN setting: a PIN the SIM refused is
 * never sent again until the setting changes (a SIM blocks after three
 * wrong ones), and no log line holds it.
 */
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/feature.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wwan/at_port.h"
#include "features/network/wwan/wwan.h"

#define WM_BACKOFF_MIN_MS 1000
#define WM_BACKOFF_MAX_MS 60000
#define WM_POLL_MS 15000          /* signal, operator, context while connected */
#define WM_SEARCH_MS 3000         /* registration while searching */
#define WM_DEVICE_WAIT_MS 30000   /* the network device after the activation */
#define WM_CME_SIM_NOT_INSERTED 10
#define WM_CME_SIM_PUK 12
#define WM_CME_SIM_BUSY 14
#define WM_CME_WRONG_PASSWORD 16

enum wm_state {
	WM_OFF, WM_NO_MODEM, WM_INIT, WM_SIM_PIN, WM_PIN_WRONG, WM_SIM_PUK, WM_SIM_ABSENT,
	WM_SIM_LOCKED, WM_SEARCHING, WM_CONNECTING, WM_WAIT_DEVICE, WM_CONNECTED, WM_RETRY,
	WM_DATA_OFF,
};

static const char *const wm_state_names[] = {
	[WM_OFF] = "disabled", [WM_NO_MODEM] = "no modem", [WM_INIT] = "starting",
	[WM_SIM_PIN] = "SIM PIN required", [WM_PIN_WRONG] = "SIM PIN wrong",
	[WM_SIM_PUK] = "SIM PUK required", [WM_SIM_ABSENT] = "no SIM",
	[WM_SIM_LOCKED] = "SIM locked", [WM_SEARCHING] = "searching",
	[WM_CONNECTING] = "connecting", [WM_WAIT_DEVICE] = "connecting",
	[WM_CONNECTED] = "connected", [WM_RETRY] = "waiting to retry",
	[WM_DATA_OFF] = "data off",
};

static struct {
	const struct feature_env *env;
	struct wwan_cfg cfg;
	struct at_port *port;
	enum wm_state state;
	size_t step;
	unsigned gen;            /* a step's answer counts only in the run it was sent in */
	bool busy;               /* a step waits for its answer */
	uv_timer_t timer;
	bool timer_ready;
	unsigned backoff_ms;
	bool pin_rejected;       /* the configured PIN was refused: never sent again */
	bool pin_sent;
	unsigned pin_attempts;
	long long device_deadline;
	long long connected_since;
	unsigned reconnects;
	char error[160];
	/* what the modem said */
	bool present;
	char manufacturer[AT_TEXT_MAX], model[AT_TEXT_MAX], imei[AT_TEXT_MAX];
	char oper[AT_TEXT_MAX];
	enum at_sim sim;
	int reg, act;
	bool has_rssi, has_rsrp, has_rsrq;
	int rssi_dbm, rsrp_dbm, rsrq_tenths;
} wm = { .reg = -1, .act = -1 };

static void wm_run_step(void);
static void wm_open(void);

static long long wm_now(void)
{
	return (long long)time(NULL);
}

static void wm_set(enum wm_state s, const char *error)
{
	if (wm.state != s)
		log_info("wwan: %s%s%s", wm_state_names[s], error ? ": " : "", error ? error : "");
	wm.state = s;
	snprintf(wm.error, sizeof(wm.error), "%s", error ? error : "");
	core_state_changed();
}

static void wm_timer_cb(uv_timer_t *t);

static void wm_after(unsigned ms)
{
	if (!wm.timer_ready)
		return;
	uv_timer_start(&wm.timer, wm_timer_cb, ms, 0);
}

static void wm_close_port(void)
{
	at_port_close(wm.port);
	wm.port = NULL;
	wm.present = false;
}

/* the data path goes and everything starts again after the back-off:
 * from the port when it went, else from the registration */
static void wm_retry(const char *why, bool reopen)
{
	bool was_up = wm.state == WM_CONNECTED || wm.state == WM_WAIT_DEVICE;

	wm.gen++;
	wm.busy = false;
	wwan_link_down(wm.env, why);
	if (was_up)
		wm.reconnects++;
	if (wm.connected_since && wm_now() - wm.connected_since >= 60)
		wm.backoff_ms = 0;
	wm.connected_since = 0;
	wm.backoff_ms = wm.backoff_ms ? wm.backoff_ms * 2 : WM_BACKOFF_MIN_MS;
	if (wm.backoff_ms > WM_BACKOFF_MAX_MS)
		wm.backoff_ms = WM_BACKOFF_MAX_MS;
	if (reopen)
		wm_close_port();
	wm_set(reopen && !wm.port ? WM_NO_MODEM : WM_RETRY, why);
	wm.step = (size_t)-1;   /* the timer decides where to begin */
	wm_after(wm.backoff_ms);
}

/* ---- the steps ---- */

enum wm_next { WM_NEXT, WM_STAY, WM_JUMP };

struct wm_step {
	const char *name;
	const char *cmd;          /* NULL: built by make */
	const char *prefix;
	unsigned timeout_ms;
	bool (*make)(char *out, size_t size);
	/* the answer: next step, stay (the handler set a state and a timer), or
	 * jump (the handler set wm.step) */
	enum wm_next (*done)(const struct at_answer *a);
};

static enum wm_next wm_need_ok(const struct at_answer *a)
{
	if (!a->err && a->final == AT_OK)
		return WM_NEXT;
	wm_retry(a->err ? "the modem does not answer AT commands" : "the modem refused ATE0", true);
	return WM_STAY;
}

static enum wm_next wm_any(const struct at_answer *a)
{
	(void)a;
	return WM_NEXT;
}

#define WM_STEP_PIN 3
#define WM_STEP_CPIN 2
#define WM_STEP_OPERATOR 9
#define WM_STEP_REG 12

static enum wm_next wm_cpin(const struct at_answer *a)
{
	enum at_sim sim = AT_SIM_UNKNOWN;

	if (!a->err && a->final == AT_CME_ERROR && a->code == WM_CME_SIM_NOT_INSERTED) {
		wm.sim = AT_SIM_UNKNOWN;
		wm_set(WM_SIM_ABSENT, "no SIM card in the modem");
		wm_after(30000);
		wm.step = WM_STEP_CPIN;
		return WM_STAY;
	}
	for (size_t i = 0; i < a->n_lines; i++)
		if (at_parse_cpin(a->lines[i], &sim))
			break;
	if (a->err || a->final != AT_OK || sim == AT_SIM_UNKNOWN) {
		/* SIM busy just after power-up, or a modem slow to answer */
		wm.step = WM_STEP_CPIN;
		wm_set(WM_INIT, "the SIM is not ready yet");
		wm_after(2000);
		return WM_STAY;
	}
	wm.sim = sim;
	switch (sim) {
	case AT_SIM_READY:
		wm.step = WM_STEP_PIN + 1;
		return WM_JUMP;
	case AT_SIM_PIN:
		if (wm.pin_rejected) {
			wm_set(WM_PIN_WRONG, "the SIM refused the PIN; it is not tried again until "
			       "the PIN setting changes");
			return WM_STAY;
		}
		if (!wm.cfg.pin) {
			wm_set(WM_SIM_PIN, "the SIM needs a PIN: set wwan.pin");
			return WM_STAY;
		}
		if (wm.pin_sent) {
			/* sent and accepted, yet the SIM still asks: never twice */
			wm.pin_rejected = true;
			wwan_pin_remember(wm.env, wm.cfg.pin);
			wm_set(WM_PIN_WRONG, "the SIM still asks for the PIN after it was sent");
			return WM_STAY;
		}
		return WM_NEXT;
	case AT_SIM_PUK:
		wm_set(WM_SIM_PUK, "the SIM is blocked: it needs its PUK (in a phone)");
		return WM_STAY;
	default:
		wm_set(WM_SIM_LOCKED, "the SIM is locked in a way difos does not unlock");
		return WM_STAY;
	}
}

static bool wm_make_cpin(char *out, size_t size)
{
	return at_cmd_cpin(out, size, wm.cfg.pin);
}

static enum wm_next wm_pin(const struct at_answer *a)
{
	wm.pin_sent = true;
	wm.pin_attempts++;
	if (!a->err && a->final == AT_OK) {
		wwan_pin_forget(wm.env);
		/* the SIM starts; ask again whether it is ready */
		wm.step = WM_STEP_CPIN;
		wm_after(1000);
		return WM_STAY;
	}
	wwan_pin_remember(wm.env, wm.cfg.pin);
	if (a->err) {
		/* no answer: whether it counted is unknown, so it is not sent again */
		wm.pin_rejected = true;
		wm_set(WM_PIN_WRONG, "the modem did not answer the PIN; it is not tried again");
		return WM_STAY;
	}
	wm.pin_rejected = true;
	if (a->final == AT_CME_ERROR && a->code == WM_CME_SIM_PUK)
		wm_set(WM_SIM_PUK, "the SIM refused the PIN and is blocked: it needs its PUK");
	else
		wm_set(WM_PIN_WRONG, a->final == AT_CME_ERROR && a->code == WM_CME_WRONG_PASSWORD ?
		       "the SIM refused the PIN (incorrect password); it is not tried again" :
		       "the SIM refused the PIN; it is not tried again");
	wm.sim = AT_SIM_PIN;
	return WM_STAY;
}

static enum wm_next wm_ident(const struct at_answer *a, const char *prefix, char *into)
{
	if (!a->err && a->final == AT_OK && a->n_lines)
		at_identity(a->lines[0], prefix, into);
	return WM_NEXT;
}

static enum wm_next wm_cgmi(const struct at_answer *a)
{
	return wm_ident(a, "+CGMI", wm.manufacturer);
}

static enum wm_next wm_cgmm(const struct at_answer *a)
{
	return wm_ident(a, "+CGMM", wm.model);
}

static enum wm_next wm_cgsn(const struct at_answer *a)
{
	wm_ident(a, "+CGSN", wm.imei);
	/* an IMEI is digits: anything else is not shown */
	for (const char *s = wm.imei; *s; s++)
		if (*s < '0' || *s > '9') {
			wm.imei[0] = '\0';
			break;
		}
	return WM_NEXT;
}

static enum wm_next wm_cops(const struct at_answer *a)
{
	for (size_t i = 0; !a->err && i < a->n_lines; i++) {
		int act;
		if (at_parse_cops(a->lines[i], wm.oper, &act) && act >= 0)
			wm.act = act;
	}
	return WM_NEXT;
}

static enum wm_next wm_csq(const struct at_answer *a)
{
	for (size_t i = 0; !a->err && i < a->n_lines; i++)
		wm.has_rssi = at_parse_csq(a->lines[i], &wm.rssi_dbm);
	return WM_NEXT;
}

static enum wm_next wm_cesq(const struct at_answer *a)
{
	for (size_t i = 0; !a->err && i < a->n_lines; i++)
		wm.has_rsrp = at_parse_cesq(a->lines[i], &wm.rsrp_dbm, &wm.rsrq_tenths,
					    &wm.has_rsrq);
	return WM_NEXT;
}

static enum wm_next wm_cereg(const struct at_answer *a)
{
	struct at_reg reg;

	for (size_t i = 0; !a->err && i < a->n_lines; i++)
		if (at_parse_reg(a->lines[i], true, &reg)) {
			wm.reg = reg.stat;
			if (reg.act >= 0)
				wm.act = reg.act;
		}
	if (at_reg_registered(wm.reg))
		return WM_NEXT;
	wm_set(WM_SEARCHING, wm.reg == 3 ? "the network denied the registration" : NULL);
	wm.step = WM_STEP_OPERATOR;
	wm_after(WM_SEARCH_MS);
	return WM_STAY;
}

/* the old context is off: with data off, that is where the sequence ends */
static enum wm_next wm_old_context_off(const struct at_answer *a)
{
	(void)a;
	if (wm.cfg.data)
		return WM_NEXT;
	wm_set(WM_DATA_OFF, NULL);
	wm_after(WM_POLL_MS);
	return WM_STAY;
}

static bool wm_make_cgdcont(char *out, size_t size)
{
	return at_cmd_cgdcont(out, size, 1, wm.cfg.ipv6, wm.cfg.apn);
}

static enum wm_next wm_cgdcont(const struct at_answer *a)
{
	if (!a->err && a->final == AT_OK) {
		wm_set(WM_CONNECTING, NULL);
		return WM_NEXT;
	}
	wm_retry(a->err ? "no answer to AT+CGDCONT" : "the modem refused the data context "
		 "(AT+CGDCONT)", false);
	return WM_STAY;
}

static enum wm_next wm_cgact(const struct at_answer *a)
{
	if (a->err || a->final != AT_OK) {
		wm_retry(a->err ? "no answer to AT+CGACT" : "the network refused the data "
			 "connection (AT+CGACT)", false);
		return WM_STAY;
	}
	wm.device_deadline = wm_now() * 1000 + WM_DEVICE_WAIT_MS;
	wm_set(WM_WAIT_DEVICE, NULL);
	wm_after(0);
	return WM_STAY;
}

static const struct wm_step wm_steps[] = {
	{ "echo off", "ATE0", NULL, 3000, NULL, wm_need_ok },
	{ "numeric errors", "AT+CMEE=1", NULL, 3000, NULL, wm_any },
	[WM_STEP_CPIN] = { "SIM state", "AT+CPIN?", "+CPIN", 10000, NULL, wm_cpin },
	[WM_STEP_PIN] = { "SIM PIN", NULL, NULL, 20000, wm_make_cpin, wm_pin },
	{ "manufacturer", "AT+CGMI", "+CGMI", 3000, NULL, wm_cgmi },
	{ "model", "AT+CGMM", "+CGMM", 3000, NULL, wm_cgmm },
	{ "IMEI", "AT+CGSN", "+CGSN", 3000, NULL, wm_cgsn },
	{ "registration events", "AT+CEREG=2", NULL, 3000, NULL, wm_any },
	{ "packet domain events", "AT+CGEREP=2,1", NULL, 3000, NULL, wm_any },
	[WM_STEP_OPERATOR] = { "operator", "AT+COPS?", "+COPS", 10000, NULL, wm_cops },
	{ "signal", "AT+CSQ", "+CSQ", 3000, NULL, wm_csq },
	{ "LTE signal", "AT+CESQ", "+CESQ", 3000, NULL, wm_cesq },
	[WM_STEP_REG] = { "registration", "AT+CEREG?", "+CEREG", 3000, NULL, wm_cereg },
	/* a context still active (from before a settings change or a restart
	 * of difosd) cannot be defined again: modems refuse AT+CGDCONT on it */
	{ "old context off", "AT+CGACT=0,1", NULL, 40000, NULL, wm_old_context_off },
	{ "data context", NULL, NULL, 10000, wm_make_cgdcont, wm_cgdcont },
	{ "activation", "AT+CGACT=1,1", NULL, 150000, NULL, wm_cgact },
};

static void wm_step_done(void *arg, const struct at_answer *a)
{
	const struct wm_step *s;
	enum wm_next next;

	/* an answer from before a retry, or to a port since closed */
	if ((unsigned)(uintptr_t)arg != wm.gen || (a->err && !strcmp(a->err, "port closed")) ||
	    wm.step >= ARRAY_SIZE(wm_steps))
		return;
	wm.busy = false;
	s = &wm_steps[wm.step];
	next = s->done(a);
	if (next == WM_NEXT)
		wm.step++;
	if (next != WM_STAY)
		wm_run_step();
}

static void wm_run_step(void)
{
	const struct wm_step *s;
	char cmd[160];

	if (!wm.port || wm.busy || wm.step >= ARRAY_SIZE(wm_steps))
		return;
	s = &wm_steps[wm.step];
	if (s->make) {
		if (!s->make(cmd, sizeof(cmd))) {
			wm_set(WM_RETRY, "a setting cannot be sent to the modem");
			return;
		}
	} else {
		snprintf(cmd, sizeof(cmd), "%s", s->cmd);
	}
	if (at_port_send(wm.port, cmd, s->prefix, s->timeout_ms, wm.step == WM_STEP_PIN,
			 wm_step_done, (void *)(uintptr_t)wm.gen) < 0)
		wm_retry("the control port is busy", true);
	else
		wm.busy = true;
}

/* ---- while connected: the context, signal and operator now and then ---- */

static void wm_poll_done(void *arg, const struct at_answer *a)
{
	const char *what = arg;

	if (a->err)
		return;
	if (!strcmp(what, "+CGACT")) {
		bool active = false;
		for (size_t i = 0; i < a->n_lines; i++) {
			int cid, st;
			if (at_parse_cgact(a->lines[i], &cid, &st) && cid == 1 && st == 1)
				active = true;
		}
		if (!active && a->final == AT_OK &&
		    (wm.state == WM_CONNECTED || wm.state == WM_WAIT_DEVICE))
			wm_retry("the data context is no longer active", false);
		return;
	}
	if (!strcmp(what, "+CSQ"))
		wm_csq(a);
	else if (!strcmp(what, "+CESQ"))
		wm_cesq(a);
	else if (!strcmp(what, "+COPS"))
		wm_cops(a);
	core_state_changed();
}

static void wm_poll(void)
{
	static const char *const cmds[][2] = {
		{ "AT+CGACT?", "+CGACT" }, { "AT+CSQ", "+CSQ" }, { "AT+CESQ", "+CESQ" },
		{ "AT+COPS?", "+COPS" },
	};

	/* with data off there is no context to watch */
	for (size_t i = wm.state == WM_DATA_OFF ? 1 : 0; i < ARRAY_SIZE(cmds) && wm.port; i++)
		at_port_send(wm.port, cmds[i][0], cmds[i][1], 5000, false, wm_poll_done,
			     (void *)cmds[i][1]);
	wm_after(WM_POLL_MS);
}

static void wm_wait_device(void)
{
	if (if_nametoindex(wm.cfg.device)) {
		if (wwan_link_start(wm.env, wm.cfg.device, wm.cfg.ipv6, wm.cfg.pd) < 0) {
			wm_retry("cannot start the data path on the network device", false);
			return;
		}
		wm.connected_since = wm_now();
		wm_set(WM_CONNECTED, NULL);
		wm_after(WM_POLL_MS);
		return;
	}
	if (wm_now() * 1000 >= wm.device_deadline) {
		char why[128];
		snprintf(why, sizeof(why), "the modem brought up no network device %s",
			 wm.cfg.device);
		if (wm.port)
			at_port_send(wm.port, "AT+CGACT=0,1", NULL, 10000, false, wm_poll_done,
				     (void *)"deact");
		wm_retry(why, false);
		return;
	}
	wm_after(250);
}

static void wm_timer_cb(uv_timer_t *t)
{
	(void)t;
	core_enter();
	switch (wm.state) {
	case WM_OFF:
		break;
	case WM_WAIT_DEVICE:
		wm_wait_device();
		break;
	case WM_CONNECTED:
	case WM_DATA_OFF:
		wm_poll();
		break;
	default:
		if (!wm.port) {
			wm_open();
		} else {
			if (wm.step == (size_t)-1)
				wm.step = WM_STEP_OPERATOR;
			if (wm.state == WM_RETRY)
				wm_set(WM_SEARCHING, NULL);
			wm_run_step();
		}
		break;
	}
	core_leave();
}

/* ---- unsolicited result codes ---- */

static void wm_urc(void *arg, const char *line)
{
	struct at_reg reg;
	enum at_cgev ev;
	int cid;

	(void)arg;
	if (at_parse_reg(line, false, &reg)) {
		bool was = at_reg_registered(wm.reg);
		wm.reg = reg.stat;
		if (reg.act >= 0)
			wm.act = reg.act;
		core_state_changed();
		/* registered while waiting for it: on at once */
		if (!was && at_reg_registered(reg.stat) && wm.state == WM_SEARCHING) {
			wm.step = WM_STEP_OPERATOR;
			wm_after(0);
		}
		return;
	}
	if (at_parse_cgev(line, &ev, &cid)) {
		log_info("wwan: %s", line);
		if ((ev == AT_CGEV_DEACT && (cid < 0 || cid == 1)) || ev == AT_CGEV_DETACH) {
			if (wm.state == WM_CONNECTED || wm.state == WM_WAIT_DEVICE ||
			    wm.state == WM_CONNECTING)
				wm_retry(ev == AT_CGEV_DETACH ? "the network detached the modem" :
					 "the network ended the data connection", false);
		}
		return;
	}
	/* RING, SMS, vendor "^..." codes: not ours */
	log_debug("wwan: ignored %s", line);
}

static void wm_gone(void *arg, const char *why)
{
	char text[160];

	(void)arg;
	snprintf(text, sizeof(text), "the control port went (%s)", why);
	wm_retry(text, true);
}

static void wm_open(void)
{
	char *err = NULL;

	wm.port = at_port_open(wm.env->loop, wm.cfg.port, wm_urc, wm_gone, NULL, &err);
	if (!wm.port) {
		wm.backoff_ms = wm.backoff_ms ? wm.backoff_ms * 2 : WM_BACKOFF_MIN_MS;
		if (wm.backoff_ms > 30000)
			wm.backoff_ms = 30000;
		wm_set(WM_NO_MODEM, err);
		free(err);
		wm_after(wm.backoff_ms);
		return;
	}
	wm.present = true;
	wm.pin_sent = false;
	wm.gen++;
	wm.busy = false;
	wm.step = 0;
	wm_set(WM_INIT, NULL);
	wm_run_step();
}

/* ---- configuration ---- */

static void wm_cfg_free(struct wwan_cfg *c)
{
	free(c->port);
	free(c->device);
	free(c->apn);
	free(c->pin);
	memset(c, 0, sizeof(*c));
}

static bool wm_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

void wwan_modem_configure(const struct feature_env *env, const struct wwan_cfg *cfg)
{
	bool same = wm.cfg.enabled == cfg->enabled && wm.cfg.data == cfg->data &&
		    wm_str_eq(wm.cfg.port, cfg->port) &&
		    wm_str_eq(wm.cfg.device, cfg->device) && wm_str_eq(wm.cfg.apn, cfg->apn) &&
		    wm_str_eq(wm.cfg.pin, cfg->pin) && wm.cfg.ipv6 == cfg->ipv6 &&
		    wm.cfg.pd == cfg->pd;

	wm.env = env;
	if (!env->loop)
		return;
	if (!wm.timer_ready) {
		/* closed with the loop's other handles when difosd ends */
		uv_timer_init(env->loop, &wm.timer);
		wm.timer_ready = true;
	}
	if (same && wm.state != WM_OFF)
		return;
	if (!wm_str_eq(wm.cfg.pin, cfg->pin) || wm.state == WM_OFF) {
		/* a PIN refused before, even by an earlier difosd, stays refused */
		wm.pin_rejected = cfg->pin && wwan_pin_refused(env, cfg->pin);
		wm.pin_attempts = 0;
	}
	uv_timer_stop(&wm.timer);
	if (wm.state == WM_CONNECTED || wm.state == WM_WAIT_DEVICE)
		wwan_link_down(env, "the WWAN settings changed");
	wm_close_port();
	wm_cfg_free(&wm.cfg);
	wm.cfg.enabled = cfg->enabled;
	wm.cfg.data = cfg->data;
	wm.cfg.port = xstrdup(cfg->port);
	wm.cfg.device = xstrdup(cfg->device);
	wm.cfg.apn = xstrdup(cfg->apn ? cfg->apn : "");
	wm.cfg.pin = cfg->pin ? xstrdup(cfg->pin) : NULL;
	wm.cfg.ipv6 = cfg->ipv6;
	wm.cfg.pd = cfg->pd;
	wm.backoff_ms = 0;
	wm.sim = AT_SIM_UNKNOWN;
	wm.reg = wm.act = -1;
	wm.oper[0] = '\0';
	wm.has_rssi = wm.has_rsrp = wm.has_rsrq = false;
	if (!cfg->enabled) {
		wm_set(WM_OFF, NULL);
		return;
	}
	wm_open();
}

void wwan_modem_stop(void)
{
	if (wm.timer_ready)
		uv_timer_stop(&wm.timer);
	wm_close_port();
	if (wm.env && (wm.state == WM_CONNECTED || wm.state == WM_WAIT_DEVICE))
		wwan_link_down(wm.env, "stopped");
	wm.state = WM_OFF;
	wm_cfg_free(&wm.cfg);
}

bool wwan_modem_connected(void)
{
	return wm.state == WM_CONNECTED;
}

json_t *wwan_modem_status(void)
{
	static const char *const sims[] = { "unknown", "ready", "PIN required", "PUK required",
					    "locked" };
	json_t *o = json_object(), *sig = json_object();
	const char *sim = sims[wm.sim];

	if (wm.state == WM_SIM_ABSENT)
		sim = "absent";
	else if (wm.state == WM_PIN_WRONG)
		sim = "PIN wrong";
	json_object_set_new(o, "backend", json_string("at"));
	json_object_set_new(o, "modem", json_string(wm.present ? "present" : "absent"));
	json_object_set_new(o, "port", json_string(wm.cfg.port ? wm.cfg.port : ""));
	json_object_set_new(o, "connection", json_string(wm_state_names[wm.state]));
	if (wm.error[0])
		json_object_set_new(o, "error", json_string(wm.error));
	if (wm.manufacturer[0])
		json_object_set_new(o, "manufacturer", json_string(wm.manufacturer));
	if (wm.model[0])
		json_object_set_new(o, "model", json_string(wm.model));
	if (wm.imei[0])
		json_object_set_new(o, "imei", json_string(wm.imei));
	if (wm.present)
		json_object_set_new(o, "sim", json_string(sim));
	json_object_set_new(o, "pin_attempts", json_integer(wm.pin_attempts));
	if (wm.oper[0])
		json_object_set_new(o, "operator", json_string(wm.oper));
	if (wm.reg >= 0)
		json_object_set_new(o, "registration", json_string(at_reg_name(wm.reg)));
	if (at_act_name(wm.act))
		json_object_set_new(o, "technology", json_string(at_act_name(wm.act)));
	if (wm.has_rssi) {
		json_object_set_new(sig, "rssi_dbm", json_integer(wm.rssi_dbm));
		json_object_set_new(sig, "quality_percent",
				    json_integer((wm.rssi_dbm + 113) * 100 / 62));
	}
	if (wm.has_rsrp)
		json_object_set_new(sig, "rsrp_dbm", json_integer(wm.rsrp_dbm));
	if (wm.has_rsrq)
		json_object_set_new(sig, "rsrq_db", json_real(wm.rsrq_tenths / 10.0));
	json_object_set_new(o, "signal", sig);
	json_object_set_new(o, "reconnects", json_integer(wm.reconnects));
	if (wm.connected_since)
		json_object_set_new(o, "connected_since", json_integer(wm.connected_since));
	return o;
}
