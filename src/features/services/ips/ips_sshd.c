/*
 * sshd's authentication messages (OpenSSH 9), from the journal, auth.log
 * or `sshd -E`. A user name is the attacker's text in the middle of the
 * line, so each message is matched by its fixed head and read backwards
 * from its fixed tail: the address is the one nearest the end, where only
 * sshd writes ("... from <addr> port <n> ssh2"). The head only names the
 * kind of event; the middle (the user name) is never looked into.
 *
 * The syslog prefix ("Nov 30 05:55:00 host sshd[123]: " or an RFC 3339
 * stamp) is read by its strict shape from the start of the line, never
 * searched for, so a name holding "sshd[1]: " cannot move the message.
 */
#include <ctype.h>
#include <string.h>

#include "core/util.h"
#include "features/services/ips/ips_parse.h"

enum sshd_tail {
	TAIL_SSH2,          /* " from A port N ssh2", or with ": TYPE SHA256:..." after */
	TAIL_PORT,          /* " from A port N" */
	TAIL_SSH2_PREAUTH,  /* " from A port N ssh2 [preauth]" */
	TAIL_BARE_PREAUTH,  /* " A port N [preauth]" (no "from") */
};

/* a head and its length: the table is walked for every line of the log */
#define HEAD(lit) lit, sizeof(lit) - 1

static const struct sshd_form {
	const char *head;
	size_t head_len;
	enum sshd_tail tail;
	enum ips_kind kind;
	const char *reason;
} sshd_forms[] = {
	/* "invalid user" heads before their shorter forms */
	{ HEAD("Failed password for invalid user "), TAIL_SSH2, IPS_FAILURE, "invalid user" },
	{ HEAD("Failed password for "), TAIL_SSH2, IPS_FAILURE, "bad password" },
	{ HEAD("Failed keyboard-interactive/pam for invalid user "), TAIL_SSH2, IPS_FAILURE,
	  "invalid user" },
	{ HEAD("Failed keyboard-interactive/pam for "), TAIL_SSH2, IPS_FAILURE, "bad password" },
	{ HEAD("Failed publickey for invalid user "), TAIL_SSH2, IPS_FAILURE, "invalid user" },
	{ HEAD("Failed publickey for "), TAIL_SSH2, IPS_FAILURE, "no matching key" },
	{ HEAD("Failed none for invalid user "), TAIL_SSH2, IPS_FAILURE, "invalid user" },
	{ HEAD("Invalid user "), TAIL_PORT, IPS_CONN_FAILURE, "invalid user" },
	{ HEAD("error: maximum authentication attempts exceeded for invalid user "),
	  TAIL_SSH2_PREAUTH, IPS_CONN_FAILURE, "invalid user" },
	{ HEAD("error: maximum authentication attempts exceeded for "), TAIL_SSH2_PREAUTH,
	  IPS_CONN_FAILURE, "too many attempts" },
	{ HEAD("Connection closed by invalid user "), TAIL_BARE_PREAUTH, IPS_CONN_FAILURE,
	  "invalid user" },
	{ HEAD("Connection closed by authenticating user "), TAIL_BARE_PREAUTH, IPS_CONN_FAILURE,
	  "closed before auth" },
	{ HEAD("Connection reset by invalid user "), TAIL_BARE_PREAUTH, IPS_CONN_FAILURE,
	  "invalid user" },
	{ HEAD("Connection reset by authenticating user "), TAIL_BARE_PREAUTH, IPS_CONN_FAILURE,
	  "closed before auth" },
	{ HEAD("Disconnected from invalid user "), TAIL_BARE_PREAUTH, IPS_CONN_FAILURE,
	  "invalid user" },
	{ HEAD("Disconnected from authenticating user "), TAIL_BARE_PREAUTH, IPS_CONN_FAILURE,
	  "closed before auth" },
	{ HEAD("Accepted password for "), TAIL_SSH2, IPS_SUCCESS, "accepted" },
	{ HEAD("Accepted publickey for "), TAIL_SSH2, IPS_SUCCESS, "accepted" },
	{ HEAD("Accepted keyboard-interactive/pam for "), TAIL_SSH2, IPS_SUCCESS, "accepted" },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* s[i..) holds n digits (min..max of them)? returns the index after, or 0 */
static size_t digits(const char *s, size_t len, size_t i, size_t min, size_t max)
{
	size_t start = i;

	while (i < len && is_digit(s[i]) && i - start < max)
		i++;
	return i - start >= min ? i : 0;
}

/* The length of a syslog or journal prefix ending in "sshd[pid]: ", or 0
 * when the line does not start with one (then it is the bare message). */
static size_t sshd_prefix(const char *s, size_t len)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t i = 0;

	bool month = false;

	for (size_t k = 0; k + 3 <= strlen(months) && len > 4; k += 3)
		month |= !memcmp(s, months + k, 3) && s[3] == ' ';
	if (month) {
		/* "Nov 30 05:55:00 " or "Nov  3 05:55:00 " */
		i = 4;
		if (i < len && s[i] == ' ')
			i++;
		if (!(i = digits(s, len, i, 1, 2)) || i >= len || s[i++] != ' ')
			return 0;
		for (int k = 0; k < 8; k++, i++)
			if (i >= len || (k == 2 || k == 5 ? s[i] != ':' : !is_digit(s[i])))
				return 0;
	} else if (len > 0 && is_digit(s[0])) {
		/* RFC 3339: "2026-11-30T05:55:00.123456+00:00" */
		while (i < len && s[i] != ' ' && (is_digit(s[i]) || strchr("-T:.+Z", s[i])))
			i++;
		if (i < 19)
			return 0;
	} else {
		return 0;
	}
	if (i >= len || s[i++] != ' ')
		return 0;
	/* the host: one token */
	size_t host = i;
	while (i < len && s[i] != ' ' && s[i] != '\0')
		i++;
	if (i == host || i >= len || s[i++] != ' ')
		return 0;
	if (ips_starts(s + i, len - i, "sshd-session"))
		i += strlen("sshd-session");
	else if (ips_starts(s + i, len - i, "sshd"))
		i += strlen("sshd");
	else
		return 0;
	if (i < len && s[i] == '[') {
		if (!(i = digits(s, len, i + 1, 1, 10)) || i >= len || s[i++] != ']')
			return 0;
	}
	if (!ips_starts(s + i, len - i, ": "))
		return 0;
	return i + 2;
}

/* From the end of m[0..n): "[from ]A port N"; *mid_end is where the text
 * before " from" (or before " A") ends. */
static bool port_tail(const char *m, size_t n, bool with_from, size_t *mid_end,
		      struct net_prefix *addr, unsigned *port)
{
	size_t i = n, a_end;

	while (i > 0 && is_digit(m[i - 1]) && n - i < 5)
		i--;
	if (i == n || (i > 0 && is_digit(m[i - 1])))
		return false;
	*port = 0;
	for (size_t k = i; k < n; k++)
		*port = *port * 10 + (unsigned)(m[k] - '0');
	if (*port > 65535)
		return false;   /* no port sshd writes */
	if (!ips_ends(m, i, " port "))
		return false;
	a_end = i -= strlen(" port ");
	while (i > 0 && m[i - 1] != ' ' && a_end - i < 46)
		i--;
	if (i == 0 || m[i - 1] != ' ' || !ips_addr(m + i, a_end - i, addr))
		return false;
	i--;   /* the space before the address */
	if (with_from) {
		if (!ips_ends(m, i + 1, " from "))
			return false;
		i -= strlen(" from ") - 1;
	}
	*mid_end = i;
	return true;
}

/* A character of "SHA256:base64" (ranges, not the locale's ctype and
 * strchr: the fingerprint of every accepted key is read here). */
static bool fp_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' ||
	       c == '/' || c == '=' || c == ':';
}

/* ": ED25519 SHA256:base64" after "ssh2": the key's type and fingerprint,
 * both written by sshd. Returns the length without it, or n. */
static size_t key_suffix(const char *m, size_t n)
{
	size_t i = n, fp;

	if (ips_ends(m, n, " ssh2"))
		return n;   /* none (every failed password) */
	while (i > 0 && fp_char(m[i - 1]))
		i--;
	if (i == n || !ips_starts(m + i, n - i, "SHA256:") || i == 0 || m[i - 1] != ' ')
		return n;
	fp = --i;
	while (i > 0 && (isupper((unsigned char)m[i - 1]) || is_digit(m[i - 1]) || m[i - 1] == '-'))
		i--;
	if (i == fp || !ips_ends(m, i, "ssh2: "))
		return n;
	return i - 2;
}

static bool sshd_tail(const char *m, size_t n, enum sshd_tail t, size_t *mid_end,
		      struct net_prefix *addr, unsigned *port)
{
	switch (t) {
	case TAIL_SSH2:
		n = key_suffix(m, n);
		return ips_ends(m, n, " ssh2") && port_tail(m, n - 5, true, mid_end, addr, port);
	case TAIL_PORT:
		return port_tail(m, n, true, mid_end, addr, port);
	case TAIL_SSH2_PREAUTH:
		return ips_ends(m, n, " ssh2 [preauth]") &&
		       port_tail(m, n - strlen(" ssh2 [preauth]"), true, mid_end, addr, port);
	case TAIL_BARE_PREAUTH:
		return ips_ends(m, n, " [preauth]") &&
		       port_tail(m, n - strlen(" [preauth]"), false, mid_end, addr, port);
	}
	return false;
}

bool ips_parse_sshd(const char *line, size_t len, struct ips_event *ev)
{
	size_t n = ips_trim(line, len), p, mid_end;
	const char *m;

	/* sshd writes a name's control characters escaped: a break inside is
	 * not sshd's line */
	if (ips_has_break(line, n))
		return false;
	p = sshd_prefix(line, n);
	m = line + p;
	n -= p;
	for (size_t f = 0; f < ARRAY_SIZE(sshd_forms); f++) {
		const struct sshd_form *sf = &sshd_forms[f];
		size_t h = sf->head_len;

		if (n < h || m[0] != sf->head[0] || memcmp(m, sf->head, h))
			continue;
		/* the first head that matches decides: a longer one was tried first */
		if (!sshd_tail(m, n, sf->tail, &mid_end, &ev->addr, &ev->port) || mid_end < h)
			return false;
		ev->kind = sf->kind;
		ev->service = IPS_SSH;
		ev->reason = sf->reason;
		ips_sanitise(line, ips_trim(line, len), ev);
		return true;
	}
	return false;
}
