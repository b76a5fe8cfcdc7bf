/*
 * libFuzzer target: what a modem sends (features/network/wwan/at_parse.h).
 * The input is fed to the line reader whole and again in pieces cut where
 * its first byte says; both must give the same lines, each without a line
 * end or control byte and within the cap. Every line goes through the
 * classifier and every answer parser, whose results must stay in their
 * ranges (a dBm a modem can report, a registration state 27.007 defines,
 * text without control bytes). And the input taken as an APN: when the
 * command writer accepts it, the command reads back as exactly one line
 * whose quoted field is that APN. And the input as mmcli's answers
 * (ModemManager's modem list, a modem's JSON): a modem number or none, and
 * a status object that always names its backend.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/wwan/at_parse.h"
#include "features/network/wwan/wwan.h"

struct got {
	char **v;
	size_t n;
};

static void keep(void *arg, const char *line)
{
	struct got *g = arg;
	size_t len = strlen(line);

	if (len == 0 || len > AT_LINE_MAX)
		abort();
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
			abort();
	g->v = realloc(g->v, (g->n + 1) * sizeof(*g->v));
	g->v[g->n++] = strdup(line);
}

static void clean_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

static void parse_all(const char *line)
{
	int code, dbm, rsrp, rsrq, act, cid, st;
	bool has_rsrq;
	enum at_kind k = at_classify(line, &code);
	enum at_sim sim;
	char oper[AT_TEXT_MAX];
	struct at_reg reg;
	enum at_cgev ev;
	struct at_fields f;

	if (code < -1 || code > 65535 || (code >= 0 && k != AT_CME_ERROR && k != AT_CMS_ERROR))
		abort();
	if (at_parse_cpin(line, &sim) && (sim < AT_SIM_UNKNOWN || sim > AT_SIM_OTHER))
		abort();
	if (at_parse_csq(line, &dbm) && (dbm < -113 || dbm > -51))
		abort();
	if (at_parse_cesq(line, &rsrp, &rsrq, &has_rsrq) &&
	    (rsrp < -141 || rsrp > -44 || (has_rsrq && (rsrq < -200 || rsrq > -30))))
		abort();
	if (at_parse_cops(line, oper, &act)) {
		clean_text(oper);
		if (strchr(oper, '"') || strlen(oper) >= AT_TEXT_MAX)
			abort();
		(void)at_act_name(act);
	}
	for (int sol = 0; sol < 2; sol++)
		if (at_parse_reg(line, sol, &reg)) {
			if (reg.stat < 0 || reg.stat > 11 || !at_reg_name(reg.stat))
				abort();
			clean_text(reg.tac);
			clean_text(reg.ci);
		}
	if (at_parse_cgev(line, &ev, &cid) && (cid < -1 || cid > 255))
		abort();
	if (at_parse_cgact(line, &cid, &st) && (cid < 0 || (st != 0 && st != 1)))
		abort();
	at_identity(line, "+CGMI", oper);
	clean_text(oper);
	if (at_fields(line, "+COPS", &f) > AT_FIELDS_MAX)
		abort();
}

static void as_apn(const uint8_t *data, size_t size)
{
	char *apn = malloc(size + 1), cmd[256], *answer;
	struct at_reader r;
	struct got g = { 0 };
	struct at_fields f;

	memcpy(apn, data, size);
	apn[size] = '\0';
	if (strlen(apn) == size && at_cmd_cgdcont(cmd, sizeof(cmd), 1, size & 1, apn)) {
		/* nothing in it ends the command or starts another */
		char line[260];
		snprintf(line, sizeof(line), "%s\r", cmd);
		at_reader_init(&r);
		at_reader_feed(&r, line, strlen(line), keep, &g);
		if (g.n != 1 || strcmp(g.v[0], cmd))
			abort();
		/* the modem's +CGDCONT answer holds the same APN in one field */
		answer = malloc(strlen(cmd) + 8);
		sprintf(answer, "+CGDCONT: %s", cmd + strlen("AT+CGDCONT="));
		if (at_fields(answer, "+CGDCONT", &f) != 3)
			abort();
		if (strlen(apn) < AT_TEXT_MAX && strcmp(f.v[2], apn))
			abort();
		free(answer);
		free(g.v[0]);
		free(g.v);
	}
	free(apn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct at_reader r;
	struct got whole = { 0 }, cut = { 0 };
	size_t step = size ? (data[0] % 7) + 1 : 1;

	at_reader_init(&r);
	at_reader_feed(&r, (const char *)data, size, keep, &whole);
	at_reader_init(&r);
	for (size_t i = 0; i < size; i += step)
		at_reader_feed(&r, (const char *)data + i, size - i < step ? size - i : step, keep,
			       &cut);
	if (whole.n != cut.n)
		abort();
	for (size_t i = 0; i < whole.n; i++) {
		if (strcmp(whole.v[i], cut.v[i]))
			abort();
		parse_all(whole.v[i]);
		free(whole.v[i]);
		free(cut.v[i]);
	}
	free(whole.v);
	free(cut.v);
	as_apn(data, size);
	{
		char *text = malloc(size + 1);
		json_t *st;
		int n;

		memcpy(text, data, size);
		text[size] = '\0';
		n = wwan_mm_first_modem(text);
		if (n < -1 || n >= 100000)
			abort();
		st = wwan_mm_status(text);
		if (!json_is_object(st) || !json_is_string(json_object_get(st, "backend")))
			abort();
		json_decref(st);
		free(text);
	}
	return 0;
}
