/*
 * Asterisk's security events, in its two forms:
 *  - a security log line: `[date] SECURITY[pid] res_security_log.c:
 *    SecurityEvent="InvalidAccountID",...,AccountID="100",...,
 *    RemoteAddress="IPV4/UDP/192.0.2.66/5060",...`;
 *  - an AMI event block: "Event: InvalidAccountID\r\n" then "Key: value"
 *    lines, among them "RemoteAddress: IPV4/UDP/192.0.2.66/5060".
 * Asterisk writes the log's values without escaping their quotes, so an
 * AccountID (the caller's user name) can hold `",RemoteAddress="...`. The
 * address is read only from a RemoteAddress field in its strict shape
 * (IPV4|IPV6 / transport / address / port, then a field's end); when the
 * line holds more than one and they differ, the line is refused: a forged
 * field can never name an address (its sender then goes uncounted for
 * that line, which is the lesser harm than a third party banned).
 *
 * A request for an account that does not exist is said twice: its
 * InvalidAccountID, then the failure of the artificial challenge Asterisk
 * answered it with (ChallengeResponseFailed for AccountID "<unknown>").
 * Only the first counts, so each refused request counts once. The first
 * AccountID field is Asterisk's (the fields before it are its own), and an
 * attacker's text can only ever be an unknown account's name.
 */
#include <string.h>

#include "core/util.h"
#include "features/services/ips/ips_parse.h"

static const struct {
	const char *name;
	enum ips_kind kind;
} ast_events[] = {
	{ "InvalidAccountID", IPS_FAILURE },
	{ "ChallengeResponseFailed", IPS_FAILURE },
	{ "InvalidPassword", IPS_FAILURE },
	{ "FailedACL", IPS_FAILURE },
	{ "SuccessfulAuth", IPS_SUCCESS },
};

static bool ast_event(const char *s, size_t n, struct ips_event *ev)
{
	for (size_t i = 0; i < ARRAY_SIZE(ast_events); i++)
		if (strlen(ast_events[i].name) == n && !memcmp(s, ast_events[i].name, n)) {
			ev->kind = ast_events[i].kind;
			ev->port = 0;
			ev->reason = ast_events[i].name;
			return true;
		}
	return false;
}

/* "IPV4/UDP/192.0.2.66/5060" (IPv6 possibly in brackets) of exactly n bytes */
static bool ast_remote(const char *s, size_t n, struct net_prefix *out)
{
	const char *slash, *last;
	size_t i;

	if (!ips_starts(s, n, "IPV4/") && !ips_starts(s, n, "IPV6/"))
		return false;
	slash = memchr(s + 5, '/', n - 5);   /* after the transport */
	if (!slash || slash == s + 5)
		return false;
	for (const char *t = s + 5; t < slash; t++)
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9')))
			return false;
	/* the port: digits after the last '/' */
	last = s + n;
	for (i = 0; last > slash + 1 && last[-1] >= '0' && last[-1] <= '9' && i < 5; i++)
		last--;
	if (!i || last <= slash + 1 || last[-1] != '/')
		return false;
	s = slash + 1;
	n = (size_t)(last - 1 - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	return ips_addr(s, n, out);
}

/* One more RemoteAddress value: false when it differs from one seen before. */
static bool ast_take(const char *s, size_t n, int *found, struct ips_event *ev)
{
	struct net_prefix a;

	if (!ast_remote(s, n, &a))
		return true;   /* not the shape Asterisk writes: not its field */
	if (*found && (a.family != ev->addr.family || memcmp(a.addr, ev->addr.addr, 16)))
		return false;
	ev->addr = a;
	(*found)++;
	return true;
}

/* ChallengeResponseFailed whose first AccountID is "<unknown>"? (event:
 * [p, q) the event's name; the fields follow q) */
static bool ast_unknown_challenge(const char *p, const char *q, const char *end)
{
	static const char ev[] = "ChallengeResponseFailed", acc[] = ",AccountID=\"";
	static const char unknown[] = "<unknown>\",";
	const char *a;

	if ((size_t)(q - p) != strlen(ev) || memcmp(p, ev, strlen(ev)))
		return false;
	a = memmem(q, (size_t)(end - q), acc, strlen(acc));
	return a && ips_starts(a + strlen(acc), (size_t)(end - a - strlen(acc)), unknown);
}

static bool ast_log_line(const char *line, size_t n, struct ips_event *ev)
{
	static const char key[] = "SecurityEvent=\"", rkey[] = ",RemoteAddress=\"";
	const char *p, *end = line + n, *q;
	int found = 0;

	if (ips_has_break(line, n))
		return false;
	/* the first one: the prefix before it is Asterisk's logger's own */
	p = memmem(line, n, key, strlen(key));
	if (!p)
		return false;
	p += strlen(key);
	q = memchr(p, '"', (size_t)(end - p));
	if (!q || q + 1 >= end || q[1] != ',' || !ast_event(p, (size_t)(q - p), ev))
		return false;
	if (ast_unknown_challenge(p, q, end))
		return false;
	for (p = q; (p = memmem(p, (size_t)(end - p), rkey, strlen(rkey))); ) {
		p += strlen(rkey);
		q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			break;
		/* a field ends at a quote before a comma or the line's end */
		if ((q + 1 == end || q[1] == ',') && !ast_take(p, (size_t)(q - p), &found, ev))
			return false;
	}
	return found > 0;
}

static bool ast_ami(const char *s, size_t n, struct ips_event *ev)
{
	const char *end = s + n, *eol;
	int found = 0;
	bool first = true;

	for (; s < end; s = eol + 1, first = false) {
		size_t l;

		eol = memchr(s, '\n', (size_t)(end - s));
		if (!eol)
			eol = end;
		l = (size_t)(eol - s);
		if (l && s[l - 1] == '\r')
			l--;
		if (l == 0)
			break;   /* the blank line ends the event */
		if (memchr(s, '\0', l) || memchr(s, '\r', l))
			return false;
		if (first) {
			if (!ips_starts(s, l, "Event: ") || !ast_event(s + 7, l - 7, ev))
				return false;
		} else if (ips_starts(s, l, "AccountID: ") && l == 20 &&
			   ips_starts(s + 11, l - 11, "<unknown>") && ev->reason &&
			   !strcmp(ev->reason, "ChallengeResponseFailed")) {
			return false;   /* as in the log: the artificial challenge's failure */
		} else if (ips_starts(s, l, "RemoteAddress: ")) {
			if (!ast_take(s + 15, l - 15, &found, ev))
				return false;
		}
	}
	return found > 0;
}

bool ips_parse_asterisk(const char *line, size_t len, struct ips_event *ev)
{
	size_t n = ips_trim(line, len);
	bool ok;

	ok = ips_starts(line, n, "Event: ") ? ast_ami(line, n, ev) : ast_log_line(line, n, ev);
	if (!ok)
		return false;
	ev->service = IPS_ASTERISK;
	ips_sanitise(line, n, ev);
	return true;
}
