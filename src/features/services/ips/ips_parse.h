/*
 * Intrusion prevention's log parsers: one line (or one AMI event) of an
 * outside source in, one authentication event out. Each parser takes the
 * address only from the part of its source that the service itself writes
 * (the end of an sshd message, Asterisk's RemoteAddress field, the GUI
 * log's peer field), never from text an attacker chose (a user name, a SIP
 * header), so a name like "x from 1.2.3.4 port 22" cannot get 1.2.3.4
 * banned. The parsers neither allocate nor keep state: they are called for
 * every line a log writes.
 */
#ifndef DIFOS_IPS_PARSE_H
#define DIFOS_IPS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "net/addr.h"

#define IPS_LINE_MAX 512   /* the displayed line: printable ASCII, at most this (an
			    * Asterisk security line with its challenge is some 450) */

enum ips_kind {
	IPS_FAILURE,       /* an attempt that failed (a wrong password): each counts */
	IPS_CONN_FAILURE,  /* a connection that failed, said apart from its attempts (sshd's
			    * "Invalid user", "Connection closed by ... [preauth]"): counts
			    * once per connection, and not besides its attempts (the reader
			    * keeps which connections it counted, ipr_frame.c) */
	IPS_SUCCESS,       /* a login that worked */
};

enum ips_service {
	IPS_SSH,
	IPS_ASTERISK,
	IPS_GUI,
};

struct ips_event {
	enum ips_kind kind;
	enum ips_service service;
	struct net_prefix addr;          /* /32 or /128 */
	unsigned port;                   /* the client's port when the line gives it (sshd), or 0 */
	const char *reason;              /* static: "invalid user", "InvalidAccountID", ... */
	char line[IPS_LINE_MAX + 1];     /* the line sanitised for display */
};

/* true and *ev filled for an authentication event; false for any other line
 * (then *ev is left in an unspecified state). The line need not end in
 * '\0'; one trailing "\n" or "\r\n" is ignored. */
bool ips_parse_sshd(const char *line, size_t len, struct ips_event *ev);
/* A security log line (res_security_log) or one AMI event block
 * ("Event: InvalidAccountID\r\n...RemoteAddress: IPV4/UDP/...\r\n"). */
bool ips_parse_asterisk(const char *line, size_t len, struct ips_event *ev);
/* A line of the web login's auth log (auth/throttle.c). */
bool ips_parse_gui(const char *line, size_t len, struct ips_event *ev);

/* Shared by the parsers (ips_common.c). */
/* Copies printable ASCII of line into ev->line ('?' for the rest), cut at IPS_LINE_MAX. */
void ips_sanitise(const char *line, size_t len, struct ips_event *ev);
/* A bare IPv4 or IPv6 address of exactly len bytes into *out (/32 or /128);
 * an IPv4-mapped IPv6 address gives its IPv4 address. */
bool ips_addr(const char *s, size_t len, struct net_prefix *out);
/* len without one trailing "\n" or "\r\n". */
size_t ips_trim(const char *line, size_t len);
/* Does s[0..len) hold a '\0', '\r' or '\n'? (a line holds none) */
bool ips_has_break(const char *s, size_t len);
/* Does s[0..len) start / end with the literal lit? Inline: every line
 * meets several of these, and the compiler then knows a literal's length. */
static inline bool ips_starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && !memcmp(s, lit, n);
}

static inline bool ips_ends(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && !memcmp(s + len - n, lit, n);
}

#endif
