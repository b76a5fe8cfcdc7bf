/*
 * AT commands of 3GPP TS 27.007 and 27.005, as text only: no I/O. The
 * modem's bytes are outside data; everything here is pure so it can be
 * unit-tested and fuzzed (tests/unit/test_wwan.c, tests/fuzz/fuzz_at.c).
 *
 * - at_reader splits what the modem sends into lines (CR, LF or both end
 *   a line; empty lines are skipped). A line is capped at AT_LINE_MAX: a
 *   longer one is dropped whole (counted), and so is a line holding a NUL
 *   or another control character (TAB aside): a modem never sends them in
 *   the answers we read, and they must not reach the status.
 * - at_classify tells a final result code (OK, ERROR, +CME ERROR: n,
 *   +CMS ERROR: n, NO CARRIER...) from an unsolicited one and from an
 *   information line. Whether "+CEREG: ..." answers our AT+CEREG? or is
 *   unsolicited depends on what is waiting: the port (at_port.c) decides
 *   with at_has_prefix.
 * - at_parse_* read one information line each; false when it is not one.
 * - at_cmd_* write commands; a string argument is quoted only when it
 *   holds no quote, backslash or control character (27.007 §4.1 has no
 *   escape the modems agree on), so no value can end the command early or
 *   start another.
 */
#ifndef DIFOS_AT_PARSE_H
#define DIFOS_AT_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define AT_LINE_MAX 512
#define AT_FIELDS_MAX 16
#define AT_TEXT_MAX 64

typedef void (*at_line_fn)(void *arg, const char *line);

struct at_reader {
	char line[AT_LINE_MAX + 1];
	size_t len;
	bool skip;              /* the line under way is dropped (too long, a control byte) */
	unsigned long dropped;  /* lines dropped so far */
};

void at_reader_init(struct at_reader *r);
/* Feeds bytes; fn(arg, line) for each whole line (without its end). */
void at_reader_feed(struct at_reader *r, const char *buf, size_t n, at_line_fn fn, void *arg);

enum at_kind {
	AT_INFO,       /* part of an answer (or text we do not know) */
	AT_OK,
	AT_ERROR,      /* ERROR, NO CARRIER, BUSY, NO ANSWER, NO DIALTONE */
	AT_CME_ERROR,  /* +CME ERROR: <n> (or its words, with AT+CMEE=2) */
	AT_CMS_ERROR,  /* +CMS ERROR: <n> */
	AT_URC,        /* unsolicited when nothing waits for it: +CREG, +CEREG, +CGEV, RING... */
};

/* The kind of a line; *code the error's number (-1: none or words). */
enum at_kind at_classify(const char *line, int *code);
/* Is the kind a final result code (it ends the command)? */
bool at_is_final(enum at_kind k);
/* Does line begin with prefix (as "+CSQ") followed by ':'? */
bool at_has_prefix(const char *line, const char *prefix);

/* The fields after "<prefix>: " split at commas outside quotes; quotes
 * removed. At most AT_FIELDS_MAX, each cut at AT_TEXT_MAX - 1 bytes.
 * Returns the count, -1 when the line does not have the prefix or a quote
 * is not closed. */
struct at_fields {
	int n;
	char v[AT_FIELDS_MAX][AT_TEXT_MAX];
	bool quoted[AT_FIELDS_MAX];
};
int at_fields(const char *line, const char *prefix, struct at_fields *f);

enum at_sim {
	AT_SIM_UNKNOWN,
	AT_SIM_READY,
	AT_SIM_PIN,        /* SIM PIN: the PIN is needed */
	AT_SIM_PUK,        /* SIM PUK: blocked, the PUK is needed */
	AT_SIM_OTHER,      /* PH-SIM PIN, SIM PIN2, ...: a lock difos does not open */
};
/* "+CPIN: READY" ... */
bool at_parse_cpin(const char *line, enum at_sim *sim);
const char *at_sim_name(enum at_sim s);

/* "+CSQ: <rssi>,<ber>": dBm from rssi (0..31; 99 unknown: false) */
bool at_parse_csq(const char *line, int *rssi_dbm);

/* "+CESQ: rxlev,ber,rscp,ecno,rsrq,rsrp": LTE's RSRP in dBm and RSRQ in
 * tenths of a dB when known (false when neither is) */
bool at_parse_cesq(const char *line, int *rsrp_dbm, int *rsrq_tenths, bool *has_rsrq);

/* "+COPS: <mode>[,<format>,<oper>[,<AcT>]]": the operator's name ("" when
 * none) and the access technology (-1 unknown) */
bool at_parse_cops(const char *line, char oper[AT_TEXT_MAX], int *act);
/* the words for an access technology number of 27.007's <AcT> */
const char *at_act_name(int act);

/* +CREG/+CGREG/+CEREG/+C5GREG: the answer to "?" ("+CEREG: <n>,<stat>...")
 * when solicited, the unsolicited form ("+CEREG: <stat>...") otherwise.
 * stat: 0 not registered, 1 home, 2 searching, 3 denied, 4 unknown,
 * 5 roaming; act -1 unknown. */
struct at_reg {
	int stat;
	int act;
	char tac[16], ci[16];
};
bool at_parse_reg(const char *line, bool solicited, struct at_reg *reg);
const char *at_reg_name(int stat);
bool at_reg_registered(int stat);

/* "+CGEV: ...": what happened to the packet domain */
enum at_cgev {
	AT_CGEV_OTHER,
	AT_CGEV_DEACT,   /* NW DEACT, ME DEACT, NW PDN DEACT, ME PDN DEACT */
	AT_CGEV_DETACH,  /* NW DETACH, ME DETACH */
	AT_CGEV_ACT,     /* NW ACT, ME ACT, ME PDN ACT, NW PDN ACT */
};
/* the event and, when given, the context id (-1 otherwise) */
bool at_parse_cgev(const char *line, enum at_cgev *ev, int *cid);

/* "+CGACT: <cid>,<state>" */
bool at_parse_cgact(const char *line, int *cid, int *state);

/* Cleans an identity line (+CGMI, +CGMM, +CGSN answers): printable ASCII
 * kept, at most AT_TEXT_MAX - 1 bytes, a "+CGMI: " style prefix removed. */
void at_identity(const char *line, const char *prefix, char out[AT_TEXT_MAX]);

/* Is s a string a command may quote (no '"', '\\', control or non-ASCII)? */
bool at_quotable(const char *s);
/* AT+CGDCONT=<cid>,"IP"|"IPV4V6","<apn>"; false when the APN is not quotable */
bool at_cmd_cgdcont(char *out, size_t size, int cid, bool ipv6, const char *apn);
/* AT+CPIN="<pin>": 4 to 8 digits, else false */
bool at_cmd_cpin(char *out, size_t size, const char *pin);

#endif
