/*
 * Intrusion prevention's log parsers (features/services/ips): every message
 * form of sshd (OpenSSH 9), Asterisk's security log and AMI events, the web
 * login's auth log; IPv4 and IPv6; and the injections: attacker text that
 * names another address must never yield it.
 * The Asterisk lines are those the engine root's Asterisk 22 writes
 * (test_asterisk_real) and, for the events a lab cannot easily provoke,
 * lines of the same shape (SecurityEvent first, then the event's fields).
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "features/services/ips/ips_parse.h"

typedef bool (*ips_parser)(const char *, size_t, struct ips_event *);

/* Parses s; on success, its address as text */
static const char *parse(ips_parser fn, const char *s, struct ips_event *ev)
{
	static char text[64];

	memset(ev, 0x5a, sizeof(*ev));
	if (!fn(s, strlen(s), ev))
		return NULL;
	net_prefix_text(&ev->addr, false, text, sizeof(text));
	return text;
}

#define SSHD_OK(line, addr, kind_, reason_) do { \
	struct ips_event ev_; \
	T_CHECK_STR(parse(ips_parse_sshd, line, &ev_), addr); \
	T_CHECK(ev_.kind == (kind_) && ev_.service == IPS_SSH); \
	T_CHECK_STR(ev_.reason, reason_); \
	} while (0)

#define NOT(fn, line) do { \
	struct ips_event ev_; \
	T_CHECK(parse(fn, line, &ev_) == NULL); \
	} while (0)

static void test_sshd_forms(void)
{
	const char *pre = "Nov 30 05:55:00 gw sshd[812]: ";
	struct ips_event ev;

	SSHD_OK("Failed password for root from 192.0.2.66 port 50022 ssh2", "192.0.2.66",
		IPS_FAILURE, "bad password");
	SSHD_OK("Failed password for invalid user oracle from 192.0.2.66 port 50022 ssh2",
		"192.0.2.66", IPS_FAILURE, "invalid user");
	SSHD_OK("Failed publickey for root from 192.0.2.66 port 50022 ssh2: ED25519 "
		"SHA256:Xk3uUQ7tq0bGZ9+0d1vXkV4n8o3Jq0QfN2b4sLmDq1E", "192.0.2.66", IPS_FAILURE,
		"no matching key");
	SSHD_OK("Failed keyboard-interactive/pam for invalid user x from 192.0.2.66 port 1 ssh2",
		"192.0.2.66", IPS_FAILURE, "invalid user");
	SSHD_OK("Failed none for invalid user admin from 192.0.2.66 port 1 ssh2", "192.0.2.66",
		IPS_FAILURE, "invalid user");
	SSHD_OK("Invalid user oracle from 192.0.2.66 port 50022", "192.0.2.66", IPS_CONN_FAILURE,
		"invalid user");
	SSHD_OK("error: maximum authentication attempts exceeded for root from 192.0.2.66 "
		"port 50022 ssh2 [preauth]", "192.0.2.66", IPS_CONN_FAILURE, "too many attempts");
	SSHD_OK("error: maximum authentication attempts exceeded for invalid user x from "
		"192.0.2.66 port 50022 ssh2 [preauth]", "192.0.2.66", IPS_CONN_FAILURE, "invalid user");
	SSHD_OK("Connection closed by invalid user oracle 192.0.2.66 port 50022 [preauth]",
		"192.0.2.66", IPS_CONN_FAILURE, "invalid user");
	SSHD_OK("Connection closed by authenticating user root 192.0.2.66 port 50022 [preauth]",
		"192.0.2.66", IPS_CONN_FAILURE, "closed before auth");
	SSHD_OK("Connection reset by authenticating user root 192.0.2.66 port 50022 [preauth]",
		"192.0.2.66", IPS_CONN_FAILURE, "closed before auth");
	SSHD_OK("Disconnected from authenticating user root 192.0.2.66 port 50022 [preauth]",
		"192.0.2.66", IPS_CONN_FAILURE, "closed before auth");
	SSHD_OK("Disconnected from invalid user x 192.0.2.66 port 50022 [preauth]",
		"192.0.2.66", IPS_CONN_FAILURE, "invalid user");
	SSHD_OK("Accepted password for root from 192.0.2.7 port 50022 ssh2", "192.0.2.7",
		IPS_SUCCESS, "accepted");
	SSHD_OK("Accepted publickey for root from 192.0.2.7 port 50022 ssh2: RSA "
		"SHA256:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde", "192.0.2.7", IPS_SUCCESS,
		"accepted");
	/* the client's port: the connection the reader counts once */
	T_CHECK(parse(ips_parse_sshd, "Connection closed by invalid user x 192.0.2.66 port 50022 "
		      "[preauth]", &ev) && ev.port == 50022);
	T_CHECK(parse(ips_parse_sshd, "Failed password for root from 192.0.2.66 port 7 ssh2", &ev) &&
		ev.port == 7);
	/* a port no socket has: not sshd's line */
	NOT(ips_parse_sshd, "Connection closed by invalid user x 192.0.2.66 port 90942 [preauth]");
	/* an empty user name is logged between two spaces */
	SSHD_OK("Invalid user  from 192.0.2.66 port 5", "192.0.2.66", IPS_CONN_FAILURE, "invalid user");
	/* IPv6 sources */
	SSHD_OK("Failed password for invalid user x from 2001:db8::66 port 50022 ssh2",
		"2001:db8::66", IPS_FAILURE, "invalid user");
	SSHD_OK("Connection closed by invalid user x 2001:db8:1:2::1 port 50022 [preauth]",
		"2001:db8:1:2::1", IPS_CONN_FAILURE, "invalid user");
	/* an IPv4 client of a dual-stack socket is its IPv4 address */
	SSHD_OK("Failed password for root from ::ffff:192.0.2.66 port 1 ssh2", "192.0.2.66",
		IPS_FAILURE, "bad password");
	T_CHECK_STR(parse(ips_parse_asterisk, "Event: InvalidAccountID\nRemoteAddress: "
		    "IPV6/UDP/::ffff:192.0.2.66/5060\n", &ev), "192.0.2.66");
	T_CHECK(ev.addr.family == 4 && ev.addr.len == 32);

	/* the prefixes: syslog, journal's short-iso, an RFC 3339 stamp, a
	 * one-digit day, sshd-session, a trailing newline */
	char buf[512];
	snprintf(buf, sizeof(buf), "%sFailed password for root from 192.0.2.66 port 22 ssh2\n", pre);
	T_CHECK_STR(parse(ips_parse_sshd, buf, &ev), "192.0.2.66");
	T_CHECK(ev.line[strlen(ev.line) - 1] == '2');   /* the newline is not shown */
	T_CHECK_STR(parse(ips_parse_sshd, "2026-11-30T05:55:00.123456+00:00 gw sshd[812]: "
		    "Invalid user a from 2001:db8::9 port 22", &ev), "2001:db8::9");
	T_CHECK_STR(parse(ips_parse_sshd, "Nov  3 05:55:00 gw sshd[1]: Invalid user a from "
		    "192.0.2.9 port 22\r\n", &ev), "192.0.2.9");
	T_CHECK_STR(parse(ips_parse_sshd, "Nov 30 05:55:00 gw sshd-session[1]: Invalid user a "
		    "from 192.0.2.9 port 22", &ev), "192.0.2.9");
	T_CHECK_STR(parse(ips_parse_sshd, "Nov 30 05:55:00 gw sshd: Invalid user a "
		    "from 192.0.2.9 port 22", &ev), "192.0.2.9");
	T_CHECK_STR(ev.line, "Nov 30 05:55:00 gw sshd: Invalid user a from 192.0.2.9 port 22");
}

static void test_sshd_not_auth(void)
{
	NOT(ips_parse_sshd, "Server listening on 0.0.0.0 port 22.");
	NOT(ips_parse_sshd, "Connection closed by 192.0.2.66 port 50022 [preauth]");
	NOT(ips_parse_sshd, "Received disconnect from 192.0.2.66 port 50022:11: Bye Bye [preauth]");
	NOT(ips_parse_sshd, "Disconnected from user root 192.0.2.7 port 50022");
	NOT(ips_parse_sshd, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
	    "tty=ssh ruser= rhost=192.0.2.66  user=root");
	NOT(ips_parse_sshd, "Nov 30 05:55:00 gw CRON[1]: Invalid user a from 192.0.2.9 port 22");
	NOT(ips_parse_sshd, "");
	/* not addresses, bad ports */
	NOT(ips_parse_sshd, "Invalid user a from host.example port 22");
	NOT(ips_parse_sshd, "Invalid user a from 192.0.2.256 port 22");
	NOT(ips_parse_sshd, "Invalid user a from 192.0.2.9/24 port 22");
	NOT(ips_parse_sshd, "Invalid user a from 192.0.2.9 port 123456");
	NOT(ips_parse_sshd, "Invalid user a from 192.0.2.9 port ");
	/* a head with its tail missing */
	NOT(ips_parse_sshd, "Failed password for root from 192.0.2.66 port 22");
	NOT(ips_parse_sshd, "Connection closed by invalid user x 192.0.2.66 port 22");
}

static void test_sshd_injection(void)
{
	struct ips_event ev;

	/* the user name holds a whole "from A port N": the real source is last */
	SSHD_OK("Failed password for invalid user x from 1.2.3.4 port 22 from 192.0.2.66 "
		"port 50022 ssh2", "192.0.2.66", IPS_FAILURE, "invalid user");
	SSHD_OK("Invalid user x from 1.2.3.4 port 22 from 192.0.2.66 port 50022", "192.0.2.66",
		IPS_CONN_FAILURE, "invalid user");
	SSHD_OK("Connection closed by invalid user x from 1.2.3.4 port 22 192.0.2.66 port 50022 "
		"[preauth]", "192.0.2.66", IPS_CONN_FAILURE, "invalid user");
	SSHD_OK("Disconnected from invalid user 1.2.3.4 port 22 [preauth] 192.0.2.66 port 1 "
		"[preauth]", "192.0.2.66", IPS_CONN_FAILURE, "invalid user");
	/* a name that would end the line if it were the end: it is not */
	NOT(ips_parse_sshd, "Failed password for invalid user x from 1.2.3.4 port 22 ssh2 from "
	    "192.0.2.66 port 50022");
	/* a newline in a name: neither part is sshd's line */
	NOT(ips_parse_sshd, "Failed password for invalid user x\nFailed password for root from "
	    "1.2.3.4 port 22 ssh2 from 192.0.2.66 port 50022 ssh2");
	NOT(ips_parse_sshd, "Invalid user a\r from 1.2.3.4 port 22");
	/* a name holding a syslog tag cannot move the message's start: without a
	 * prefix the line starts with the message, so "Accepted" stays a name */
	SSHD_OK("Failed password for invalid user gw sshd[1]: Accepted password for x from "
		"192.0.2.66 port 5 ssh2", "192.0.2.66", IPS_FAILURE, "invalid user");
	/* attacker text after sshd's (a disconnect reason) ends in "[preauth]"
	 * like a real failure, but its head is not one */
	NOT(ips_parse_sshd, "Received disconnect from 192.0.2.66 port 1:11: sshd[1]: error: maximum "
	    "authentication attempts exceeded for root from 1.2.3.4 port 22 ssh2 [preauth]");
	/* a very long name: the address is still found at the end */
	size_t n = 100000;
	char *big = malloc(n + 100);
	strcpy(big, "Failed password for invalid user ");
	memset(big + strlen(big), 'A', n);
	strcpy(big + 33 + n, " from 192.0.2.66 port 22 ssh2");
	T_CHECK_STR(parse(ips_parse_sshd, big, &ev), "192.0.2.66");
	T_CHECK(strlen(ev.line) == IPS_LINE_MAX);
	/* truncated anywhere, the line never names another address */
	for (size_t cut = 0; cut < 33 + n + 29; cut += cut < 40 ? 1 : 997) {
		memset(&ev, 0, sizeof(ev));
		if (ips_parse_sshd(big, cut, &ev))
			T_CHECK(ev.addr.family == 4 && !memcmp(ev.addr.addr, "\xc0\x00\x02\x42", 4));
	}
	T_CHECK(!ips_parse_sshd(big, 33 + n + 28, &ev));   /* "ssh" */
	free(big);
	/* non-printable bytes in the shown line */
	T_CHECK_STR(parse(ips_parse_sshd, "Invalid user \x1b[31m\xc3\xa9 from 192.0.2.66 port 22",
		    &ev), "192.0.2.66");
	T_CHECK_STR(ev.line, "Invalid user ?[31m?? from 192.0.2.66 port 22");
}

#define AST_PRE "[2026-11-30 05:55:00] SECURITY[2211] res_security_log.c: "
#define AST_TAIL_TV ",EventTV=\"2026-11-30T05:55:00.123+0000\",Severity=\"Error\",Service=\"PJSIP\",EventVersion=\"1\""

static void test_asterisk_log(void)
{
	struct ips_event ev;

	T_CHECK_STR(parse(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
		    ",AccountID=\"1000\",SessionID=\"3f2a@192.0.2.66\",LocalAddress=\"IPV4/UDP/192.0.2.1/5060\","
		    "RemoteAddress=\"IPV4/UDP/192.0.2.66/5071\"", &ev), "192.0.2.66");
	T_CHECK(ev.kind == IPS_FAILURE && ev.service == IPS_ASTERISK);
	T_CHECK_STR(ev.reason, "InvalidAccountID");
	T_CHECK_STR(parse(ips_parse_asterisk, AST_PRE "SecurityEvent=\"ChallengeResponseFailed\""
		    AST_TAIL_TV ",AccountID=\"1000\",SessionID=\"x\",LocalAddress=\"IPV4/TCP/192.0.2.1/5060\","
		    "RemoteAddress=\"IPV4/TCP/192.0.2.66/40000\",Challenge=\"1a2b\",Response=\"ff\","
		    "ExpectedResponse=\"\"\n", &ev), "192.0.2.66");
	T_CHECK_STR(ev.reason, "ChallengeResponseFailed");
	T_CHECK_STR(parse(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidPassword\"" AST_TAIL_TV
		    ",AccountID=\"1000\",SessionID=\"x\",LocalAddress=\"IPV6/UDP/2001:db8::1/5060\","
		    "RemoteAddress=\"IPV6/UDP/2001:db8::66/5060\",Challenge=\"1a\",ReceivedChallenge=\"1a\","
		    "ReceivedHash=\"00\"", &ev), "2001:db8::66");
	T_CHECK_STR(ev.reason, "InvalidPassword");
	T_CHECK_STR(parse(ips_parse_asterisk, AST_PRE "SecurityEvent=\"FailedACL\"" AST_TAIL_TV
		    ",AccountID=\"1000\",SessionID=\"x\",LocalAddress=\"IPV6/UDP/[2001:db8::1]/5060\","
		    "RemoteAddress=\"IPV6/UDP/[2001:db8::66]/5060\",ACLName=\"lan\"", &ev), "2001:db8::66");
	T_CHECK_STR(ev.reason, "FailedACL");
	T_CHECK_STR(parse(ips_parse_asterisk, AST_PRE "SecurityEvent=\"SuccessfulAuth\"" AST_TAIL_TV
		    ",AccountID=\"1000\",SessionID=\"x\",LocalAddress=\"IPV4/UDP/192.0.2.1/5060\","
		    "RemoteAddress=\"IPV4/UDP/192.0.2.7/5060\",UsingPassword=\"1\"", &ev), "192.0.2.7");
	T_CHECK(ev.kind == IPS_SUCCESS);

	/* other events, other lines, broken addresses */
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"SessionLimit\"" AST_TAIL_TV
	    ",RemoteAddress=\"IPV4/UDP/192.0.2.66/5060\"");
	NOT(ips_parse_asterisk, "[2026-11-30 05:55:00] NOTICE[2211] res_pjsip: Request 'REGISTER' "
	    "from '<sip:1000@192.0.2.1>' failed for '192.0.2.66:5060'");
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
	    ",RemoteAddress=\"IPV4/UDP/192.0.2.66\"");
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
	    ",RemoteAddress=\"IPV4/UDP/192.0.2.666/5060\"");
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
	    ",RemoteAddress=\"IPV7/UDP/192.0.2.66/5060\"");
	/* truncated before the field's end quote */
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
	    ",RemoteAddress=\"IPV4/UDP/192.0.2.66/50");
}

/* lines written by the engine root's Asterisk 22 (res_security_log, PJSIP
 * REGISTERs from SIPp: a wrong password, an unknown user) */
static void test_asterisk_real(void)
{
	struct ips_event ev;

	/* a REGISTER for an account that does not exist (Asterisk 22.10): its
	 * InvalidAccountID counts, the artificial challenge's failure that
	 * follows for the same request does not */
	T_CHECK_STR(parse(ips_parse_asterisk, "[2026-11-30 07:20:47] SECURITY[25310] "
		    "res_security_log.c: SecurityEvent=\"InvalidAccountID\",EventTV=\"2026-11-30T07:20:"
		    "47.091+0000\",Severity=\"Error\",Service=\"PJSIP\",EventVersion=\"1\",AccountID="
		    "\"1999\",SessionID=\"1-25340@192.168.1.20\",LocalAddress=\"IPV4/UDP/198.51.100.31/"
		    "6067\",RemoteAddress=\"IPV4/UDP/192.168.1.20/5062\"", &ev), "192.168.1.20");
	NOT(ips_parse_asterisk, "[2026-11-30 07:20:47] SECURITY[25310] res_security_log.c: "
	    "SecurityEvent=\"ChallengeResponseFailed\",EventTV=\"2026-11-30T07:20:47.091+0000\","
	    "Severity=\"Error\",Service=\"PJSIP\",EventVersion=\"1\",AccountID=\"<unknown>\","
	    "SessionID=\"1-25340@192.168.1.20\",LocalAddress=\"IPV4/UDP/198.51.100.31/6067\","
	    "RemoteAddress=\"IPV4/UDP/192.168.1.20/5062\",Challenge=\"1796023247/05e37cee8d6e8671c7"
	    "ee49ab55cd5612\",Response=\"cd7751915b06f7c9e297de65bd1c28b6\",ExpectedResponse=\"\"");
	NOT(ips_parse_asterisk, "Event: ChallengeResponseFailed\r\nAccountID: <unknown>\r\n"
	    "RemoteAddress: IPV4/UDP/192.168.1.20/5062\r\n");
	/* ... but an account's own name that starts so is an account's failure */
	T_CHECK_STR(parse(ips_parse_asterisk, "[2026-11-30 07:20:47] SECURITY[25310] "
		    "res_security_log.c: SecurityEvent=\"ChallengeResponseFailed\",EventTV=\"x\","
		    "Severity=\"Error\",Service=\"PJSIP\",EventVersion=\"1\",AccountID=\"<unknown>x\","
		    "SessionID=\"1\",RemoteAddress=\"IPV4/UDP/192.168.1.20/5062\"", &ev), "192.168.1.20");

	T_CHECK_STR(parse(ips_parse_asterisk, "[Nov 30 06:03:44] SECURITY[27637] res_security_log.c: "
		    "SecurityEvent=\"ChallengeResponseFailed\",EventTV=\"2026-11-30T06:03:44.819+0000\","
		    "Severity=\"Error\",Service=\"PJSIP\",EventVersion=\"1\",AccountID=\"100\","
		    "SessionID=\"1-27638@10.201.0.2\",LocalAddress=\"IPV4/UDP/10.201.0.1/6067\","
		    "RemoteAddress=\"IPV4/UDP/10.201.0.2/5071\",Challenge=\"1796018624/"
		    "da573358d1be19402e68e36a0322100a\",Response=\"6fa919b75461833b54aa80c42fca8803\","
		    "ExpectedResponse=\"\"\n", &ev), "10.201.0.2");
	T_CHECK_STR(ev.reason, "ChallengeResponseFailed");
	T_CHECK_STR(parse(ips_parse_asterisk, "[Nov 30 06:03:44] SECURITY[27637] res_security_log.c: "
		    "SecurityEvent=\"InvalidAccountID\",EventTV=\"2026-11-30T06:03:44.933+0000\","
		    "Severity=\"Error\",Service=\"PJSIP\",EventVersion=\"1\",AccountID=\"999\","
		    "SessionID=\"1-27639@10.201.0.2\",LocalAddress=\"IPV4/UDP/10.201.0.1/6067\","
		    "RemoteAddress=\"IPV4/UDP/10.201.0.2/5071\"", &ev), "10.201.0.2");
	T_CHECK_STR(ev.reason, "InvalidAccountID");
	/* a challenge sent is no failure; the logger's banner no event */
	NOT(ips_parse_asterisk, "[Nov 30 06:03:44] SECURITY[27637] res_security_log.c: "
	    "SecurityEvent=\"ChallengeSent\",EventTV=\"2026-11-30T06:03:44.817+0000\","
	    "Severity=\"Informational\",Service=\"PJSIP\",EventVersion=\"1\",AccountID=\"100\","
	    "SessionID=\"1-27638@10.201.0.2\",LocalAddress=\"IPV4/UDP/10.201.0.1/6067\","
	    "RemoteAddress=\"IPV4/UDP/10.201.0.2/5071\",Challenge=\"\"");
	NOT(ips_parse_asterisk, "[Nov 30 06:03:44] Asterisk 22.10.1+dfsg+~cs6.17.60671434-1 built by "
	    "nobody @ buildd.debian.org on a unknown running Linux on 2026-07-20 21:35:32 UTC");
}

static void test_asterisk_injection(void)
{
	struct ips_event ev;

	/* a quote and a comma inside AccountID do not shift the fields */
	T_CHECK_STR(parse(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
		    ",AccountID=\"a\",\"b,=\",SessionID=\"x\",LocalAddress=\"IPV4/UDP/192.0.2.1/5060\","
		    "RemoteAddress=\"IPV4/UDP/192.0.2.66/5060\"", &ev), "192.0.2.66");
	/* an AccountID holding a whole RemoteAddress field of another address */
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
	    ",AccountID=\"x\",RemoteAddress=\"IPV4/UDP/1.2.3.4/5060\",SessionID=\"x\","
	    "LocalAddress=\"IPV4/UDP/192.0.2.1/5060\",RemoteAddress=\"IPV4/UDP/192.0.2.66/5060\"");
	/* ... or after it, in a hash the caller sent */
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidPassword\"" AST_TAIL_TV
	    ",AccountID=\"x\",SessionID=\"x\",LocalAddress=\"IPV4/UDP/192.0.2.1/5060\","
	    "RemoteAddress=\"IPV4/UDP/192.0.2.66/5060\",ReceivedHash=\"a\",RemoteAddress=\"IPV4/UDP/"
	    "1.2.3.4/5060\"");
	/* an injected field of the caller's own address changes nothing */
	T_CHECK_STR(parse(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
		    ",AccountID=\"x\",RemoteAddress=\"IPV4/UDP/192.0.2.66/1\",SessionID=\"x\","
		    "RemoteAddress=\"IPV4/UDP/192.0.2.66/5060\"", &ev), "192.0.2.66");
	/* an injection that is not a whole field is no field */
	T_CHECK_STR(parse(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
		    ",AccountID=\"x\",RemoteAddress=\"IPV4/UDP/1.2.3.4/5060\"\",SessionID=\"x\","
		    "RemoteAddress=\"IPV4/UDP/192.0.2.66/5060\"", &ev), "192.0.2.66");
	/* the event name itself is read from the first SecurityEvent only */
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"SessionLimit\"" AST_TAIL_TV
	    ",AccountID=\"SecurityEvent=\"InvalidAccountID\",\",RemoteAddress=\"IPV4/UDP/192.0.2.66/5060\"");
	/* a newline in an AccountID: the line is not Asterisk's */
	NOT(ips_parse_asterisk, AST_PRE "SecurityEvent=\"InvalidAccountID\"" AST_TAIL_TV
	    ",AccountID=\"x\n\",RemoteAddress=\"IPV4/UDP/192.0.2.66/5060\"");
}

static void test_asterisk_ami(void)
{
	struct ips_event ev;

	T_CHECK_STR(parse(ips_parse_asterisk, "Event: InvalidAccountID\r\nPrivilege: security,all\r\n"
		    "EventTV: 2026-11-30T05:55:00.123+0000\r\nSeverity: Error\r\nService: PJSIP\r\n"
		    "EventVersion: 1\r\nAccountID: 1000\r\nSessionID: x\r\n"
		    "LocalAddress: IPV4/UDP/192.0.2.1/5060\r\nRemoteAddress: IPV4/UDP/192.0.2.66/5060\r\n"
		    "\r\n", &ev), "192.0.2.66");
	T_CHECK_STR(ev.reason, "InvalidAccountID");
	T_CHECK(strchr(ev.line, '\n') == NULL && strchr(ev.line, '\r') == NULL);
	T_CHECK_STR(parse(ips_parse_asterisk, "Event: ChallengeResponseFailed\nAccountID: a\n"
		    "RemoteAddress: IPV6/UDP/2001:db8::66/5060\n", &ev), "2001:db8::66");
	/* a value of another key holding "RemoteAddress: " is no RemoteAddress line */
	T_CHECK_STR(parse(ips_parse_asterisk, "Event: InvalidAccountID\r\nAccountID: RemoteAddress: "
		    "IPV4/UDP/1.2.3.4/5060\r\nRemoteAddress: IPV4/UDP/192.0.2.66/5060\r\n", &ev),
		    "192.0.2.66");
	/* two RemoteAddress lines that differ: refused */
	NOT(ips_parse_asterisk, "Event: InvalidAccountID\r\nAccountID: x\r\nRemoteAddress: IPV4/UDP/"
	    "1.2.3.4/5060\r\nRemoteAddress: IPV4/UDP/192.0.2.66/5060\r\n");
	/* fields after the blank line belong to the next event */
	NOT(ips_parse_asterisk, "Event: InvalidAccountID\r\nAccountID: x\r\n\r\n"
	    "RemoteAddress: IPV4/UDP/192.0.2.66/5060\r\n");
	NOT(ips_parse_asterisk, "Event: Newchannel\r\nRemoteAddress: IPV4/UDP/192.0.2.66/5060\r\n");
	NOT(ips_parse_asterisk, "Event: InvalidAccountID\r\nAccountID: x\r\n");
}

static void test_gui(void)
{
	struct ips_event ev;

	T_CHECK_STR(parse(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=192.0.2.7 "
		    "user=admin\n", &ev), "192.0.2.7");
	T_CHECK(ev.kind == IPS_FAILURE && ev.service == IPS_GUI);
	T_CHECK_STR(ev.reason, "bad password");
	T_CHECK_STR(ev.line, "2026-11-21T10:00:00Z login-failed peer=192.0.2.7 user=admin");
	T_CHECK_STR(parse(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=2001:db8::7 user=-",
		    &ev), "2001:db8::7");
	T_CHECK_STR(parse(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=192.0.2.7 "
		    "user=x?from?1.2.3.4", &ev), "192.0.2.7");
	/* what the writer never writes: a peer that is not an address, a
	 * second peer field, spaces in a name, another event, a cut line */
	NOT(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=? user=admin");
	NOT(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=192.0.2.7 user=x peer=1.2.3.4");
	NOT(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=192.0.2.7 user=x from 1.2.3.4");
	NOT(ips_parse_gui, "2026-11-21T10:00:00Z login-ok peer=192.0.2.7 user=admin");
	NOT(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=192.0.2.7 user=");
	NOT(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=192.0.2.7");
	NOT(ips_parse_gui, "2026-11-21 login-failed peer=192.0.2.7 user=admin");
	NOT(ips_parse_gui, "2026-11-21T10:00:00Z login-failed peer=192.0.2.7 user=a\nb");
	NOT(ips_parse_gui, "");
}

int main(void)
{
	T_RUN(test_sshd_forms);
	T_RUN(test_sshd_not_auth);
	T_RUN(test_sshd_injection);
	T_RUN(test_asterisk_log);
	T_RUN(test_asterisk_real);
	T_RUN(test_asterisk_injection);
	T_RUN(test_asterisk_ami);
	T_RUN(test_gui);
	return t_done("ips_parse");
}
