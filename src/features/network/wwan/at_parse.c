/* AT commands as text (at_parse.h): no I/O, no allocation. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "features/network/wwan/at_parse.h"

void at_reader_init(struct at_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void at_reader_feed(struct at_reader *r, const char *buf, size_t n, at_line_fn fn, void *arg)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\r' || ch == '\n') {
			if (r->skip)
				r->dropped++;
			else if (r->len) {
				r->line[r->len] = '\0';
				fn(arg, r->line);
			}
			r->len = 0;
			r->skip = false;
			continue;
		}
		if (r->skip)
			continue;
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f || r->len >= AT_LINE_MAX) {
			r->skip = true;
			continue;
		}
		r->line[r->len++] = (char)ch;
	}
}

/* The final result codes besides OK and the two errors with a number. */
static const char *const at_errors[] = { "ERROR", "NO CARRIER", "BUSY", "NO ANSWER",
					 "NO DIALTONE", NULL };
/* Unsolicited result codes: the registration and packet domain ones we
 * follow, and those a modem may send at any time that we only ignore. */
static const char *const at_urcs[] = { "+CREG", "+CGREG", "+CEREG", "+C5GREG", "+CGEV",
				       "+CRING", "+CMTI", "+CMT", "+CDS", "+CBM", "+CUSD",
				       "+CIEV", "+CLIP", "+CCWA", "+CTZV", "+CTZE", "+QIND",
				       "+QUSIM", "+CPIN", NULL };

bool at_has_prefix(const char *line, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncasecmp(line, prefix, n) && line[n] == ':';
}

static int at_code(const char *s)
{
	char *end;
	long v;

	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	return v >= 0 && v <= 65535 ? (int)v : -1;
}

enum at_kind at_classify(const char *line, int *code)
{
	*code = -1;
	if (!strcmp(line, "OK"))
		return AT_OK;
	for (size_t i = 0; at_errors[i]; i++)
		if (!strcmp(line, at_errors[i]))
			return AT_ERROR;
	if (at_has_prefix(line, "+CME ERROR")) {
		*code = at_code(line + strlen("+CME ERROR:"));
		return AT_CME_ERROR;
	}
	if (at_has_prefix(line, "+CMS ERROR")) {
		*code = at_code(line + strlen("+CMS ERROR:"));
		return AT_CMS_ERROR;
	}
	if (!strcmp(line, "RING") || line[0] == '^')
		return AT_URC;
	for (size_t i = 0; at_urcs[i]; i++)
		if (at_has_prefix(line, at_urcs[i]))
			return AT_URC;
	return AT_INFO;
}

bool at_is_final(enum at_kind k)
{
	return k == AT_OK || k == AT_ERROR || k == AT_CME_ERROR || k == AT_CMS_ERROR;
}

int at_fields(const char *line, const char *prefix, struct at_fields *f)
{
	const char *p;
	size_t len = 0;
	bool in_quote = false, started = false;

	memset(f, 0, sizeof(*f));
	if (!at_has_prefix(line, prefix))
		return -1;
	p = line + strlen(prefix) + 1;
	while (*p == ' ')
		p++;
	f->n = 1;
	for (; *p; p++) {
		char ch = *p;

		if (ch == '"') {
			in_quote = !in_quote;
			f->quoted[f->n - 1] = true;
			started = true;
			continue;
		}
		if (ch == ',' && !in_quote) {
			if (f->n == AT_FIELDS_MAX)
				break;
			f->n++;
			len = 0;
			started = false;
			continue;
		}
		if (ch == ' ' && !in_quote && !started)
			continue;
		started = true;
		if (len < AT_TEXT_MAX - 1)
			f->v[f->n - 1][len++] = ch;
	}
	if (in_quote)
		return -1;
	/* an unquoted field loses its trailing spaces */
	for (int i = 0; i < f->n; i++) {
		size_t l = strlen(f->v[i]);
		while (!f->quoted[i] && l && f->v[i][l - 1] == ' ')
			f->v[i][--l] = '\0';
	}
	return f->n;
}

/* an unquoted whole number field, or -1 */
static int at_num(const struct at_fields *f, int i)
{
	char *end;
	long v;

	if (i >= f->n || f->quoted[i] || !isdigit((unsigned char)f->v[i][0]))
		return -1;
	v = strtol(f->v[i], &end, 10);
	return *end || v > 65535 ? -1 : (int)v;
}

static const struct {
	const char *text;
	enum at_sim sim;
} at_sims[] = {
	{ "READY", AT_SIM_READY },
	{ "SIM PIN", AT_SIM_PIN },
	{ "SIM PUK", AT_SIM_PUK },
};

bool at_parse_cpin(const char *line, enum at_sim *sim)
{
	struct at_fields f;

	if (at_fields(line, "+CPIN", &f) < 1)
		return false;
	*sim = AT_SIM_OTHER;
	for (size_t i = 0; i < ARRAY_SIZE(at_sims); i++)
		if (!strcasecmp(f.v[0], at_sims[i].text))
			*sim = at_sims[i].sim;
	return true;
}

const char *at_sim_name(enum at_sim s)
{
	static const char *const names[] = {
		[AT_SIM_UNKNOWN] = "unknown", [AT_SIM_READY] = "ready",
		[AT_SIM_PIN] = "PIN required", [AT_SIM_PUK] = "PUK required",
		[AT_SIM_OTHER] = "locked",
	};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

bool at_parse_csq(const char *line, int *rssi_dbm)
{
	struct at_fields f;
	int rssi;

	if (at_fields(line, "+CSQ", &f) < 1 || (rssi = at_num(&f, 0)) < 0 || rssi > 31)
		return false;
	*rssi_dbm = -113 + 2 * rssi;
	return true;
}

bool at_parse_cesq(const char *line, int *rsrp_dbm, int *rsrq_tenths, bool *has_rsrq)
{
	struct at_fields f;
	int rsrq, rsrp;

	if (at_fields(line, "+CESQ", &f) < 6)
		return false;
	rsrq = at_num(&f, 4);
	rsrp = at_num(&f, 5);
	/* 27.007 §8.69: rsrp 0..97 from -140 dBm up, rsrq 0..34 from -19.5 dB up */
	if (rsrp < 0 || rsrp > 97)
		return false;
	*rsrp_dbm = -141 + rsrp;
	*has_rsrq = rsrq >= 0 && rsrq <= 34;
	*rsrq_tenths = *has_rsrq ? -200 + 5 * rsrq : 0;
	return true;
}

bool at_parse_cops(const char *line, char oper[AT_TEXT_MAX], int *act)
{
	struct at_fields f;

	if (at_fields(line, "+COPS", &f) < 1 || at_num(&f, 0) < 0)
		return false;
	oper[0] = '\0';
	*act = -1;
	if (f.n >= 3) {
		at_identity(f.v[2], NULL, oper);
		*act = at_num(&f, 3);
	}
	return true;
}

const char *at_act_name(int act)
{
	static const char *const names[] = {
		[0] = "GSM", [1] = "GSM Compact", [2] = "UTRAN", [3] = "EDGE", [4] = "HSDPA",
		[5] = "HSUPA", [6] = "HSPA", [7] = "LTE", [8] = "EC-GSM-IoT", [9] = "LTE Cat-M",
		[10] = "E-UTRA-5GCN", [11] = "NR-5GCN", [12] = "NG-RAN", [13] = "E-UTRA-NR",
	};
	return act >= 0 && (unsigned)act < ARRAY_SIZE(names) ? names[act] : NULL;
}

static const char *const at_reg_prefixes[] = { "+CREG", "+CGREG", "+CEREG", "+C5GREG", NULL };

bool at_parse_reg(const char *line, bool solicited, struct at_reg *reg)
{
	struct at_fields f;
	int first = -1, i;

	for (size_t p = 0; at_reg_prefixes[p] && first < 0; p++)
		if (at_fields(line, at_reg_prefixes[p], &f) >= 1)
			first = 0;
	if (first < 0)
		return false;
	/* solicited: <n>,<stat>,...; unsolicited: <stat>,... */
	i = solicited ? 1 : 0;
	reg->stat = at_num(&f, i);
	if (reg->stat < 0 || reg->stat > 11)
		return false;
	reg->tac[0] = reg->ci[0] = '\0';
	reg->act = -1;
	if (f.n > i + 2 && f.quoted[i + 1] && f.quoted[i + 2]) {
		snprintf(reg->tac, sizeof(reg->tac), "%s", f.v[i + 1]);
		snprintf(reg->ci, sizeof(reg->ci), "%s", f.v[i + 2]);
		reg->act = at_num(&f, i + 3);
	}
	for (char *s = reg->tac; *s; s++)
		if (!isxdigit((unsigned char)*s))
			*s = '?';
	for (char *s = reg->ci; *s; s++)
		if (!isxdigit((unsigned char)*s))
			*s = '?';
	return true;
}

const char *at_reg_name(int stat)
{
	static const char *const names[] = {
		[0] = "not registered", [1] = "home", [2] = "searching", [3] = "denied",
		[4] = "unknown", [5] = "roaming", [6] = "home (SMS only)",
		[7] = "roaming (SMS only)", [8] = "emergency only", [9] = "home (CSFB not preferred)",
		[10] = "roaming (CSFB not preferred)", [11] = "emergency only",
	};
	return stat >= 0 && (unsigned)stat < ARRAY_SIZE(names) ? names[stat] : "unknown";
}

bool at_reg_registered(int stat)
{
	return stat == 1 || stat == 5 || stat == 9 || stat == 10;
}

static const struct {
	const char *words;
	enum at_cgev ev;
} at_cgevs[] = {
	{ "NW PDN DEACT", AT_CGEV_DEACT }, { "ME PDN DEACT", AT_CGEV_DEACT },
	{ "NW DEACT", AT_CGEV_DEACT },     { "ME DEACT", AT_CGEV_DEACT },
	{ "NW DETACH", AT_CGEV_DETACH },   { "ME DETACH", AT_CGEV_DETACH },
	{ "NW PDN ACT", AT_CGEV_ACT },     { "ME PDN ACT", AT_CGEV_ACT },
	{ "NW ACT", AT_CGEV_ACT },         { "ME ACT", AT_CGEV_ACT },
};

bool at_parse_cgev(const char *line, enum at_cgev *ev, int *cid)
{
	const char *p;

	if (!at_has_prefix(line, "+CGEV"))
		return false;
	p = line + strlen("+CGEV:");
	while (*p == ' ')
		p++;
	*ev = AT_CGEV_OTHER;
	*cid = -1;
	for (size_t i = 0; i < ARRAY_SIZE(at_cgevs); i++) {
		size_t n = strlen(at_cgevs[i].words);
		if (!strncasecmp(p, at_cgevs[i].words, n) && (p[n] == ' ' || p[n] == '\0')) {
			const char *q = p + n;
			*ev = at_cgevs[i].ev;
			while (*q == ' ')
				q++;
			/* "<PDP_type>, <PDP_addr>[,<cid>]" (old form) or "<cid>" */
			if (isdigit((unsigned char)*q)) {
				char *end;
				long v = strtol(q, &end, 10);
				if ((*end == '\0' || *end == ',' || *end == ' ') && v >= 0 && v < 256)
					*cid = (int)v;
			} else {
				const char *last = strrchr(q, ',');
				if (last) {
					char *end;
					long v;
					last++;
					while (*last == ' ')
						last++;
					v = strtol(last, &end, 10);
					if (end != last && *end == '\0' && v >= 0 && v < 256)
						*cid = (int)v;
				}
			}
			break;
		}
	}
	return true;
}

bool at_parse_cgact(const char *line, int *cid, int *state)
{
	struct at_fields f;

	if (at_fields(line, "+CGACT", &f) < 2)
		return false;
	*cid = at_num(&f, 0);
	*state = at_num(&f, 1);
	return *cid >= 0 && (*state == 0 || *state == 1);
}

void at_identity(const char *line, const char *prefix, char out[AT_TEXT_MAX])
{
	size_t n = 0;

	if (prefix && at_has_prefix(line, prefix)) {
		line += strlen(prefix) + 1;
		while (*line == ' ')
			line++;
	}
	for (; *line && n < AT_TEXT_MAX - 1; line++)
		if ((unsigned char)*line >= 0x20 && (unsigned char)*line < 0x7f && *line != '"')
			out[n++] = *line;
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

bool at_quotable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '"' || *s == '\\')
			return false;
	return true;
}

bool at_cmd_cgdcont(char *out, size_t size, int cid, bool ipv6, const char *apn)
{
	int n;

	if (!apn || !at_quotable(apn) || strlen(apn) > 100 || cid < 1 || cid > 24)
		return false;
	n = snprintf(out, size, "AT+CGDCONT=%d,\"%s\",\"%s\"", cid, ipv6 ? "IPV4V6" : "IP", apn);
	return n > 0 && (size_t)n < size;
}

bool at_cmd_cpin(char *out, size_t size, const char *pin)
{
	size_t len = pin ? strlen(pin) : 0;
	int n;

	if (len < 4 || len > 8)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)pin[i]))
			return false;
	n = snprintf(out, size, "AT+CPIN=\"%s\"", pin);
	return n > 0 && (size_t)n < size;
}
