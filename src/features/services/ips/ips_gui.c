/*
 * The web login's auth log (auth/throttle.c writes it), one failure a line:
 *
 *   2026-11-21T10:00:00Z login-failed peer=192.0.2.7 user=admin
 *
 * The peer is the socket's address; the user name was reduced to
 * [A-Za-z0-9._-] ('?' for the rest) and comes last. The whole line is read
 * by that exact shape, so nothing in a name can be taken for the peer.
 * Successful logins are not written to this log.
 */
#include <string.h>

#include "features/services/ips/ips_parse.h"

static bool gui_stamp(const char *s, size_t n)
{
	/* "YYYY-MM-DDTHH:MM:SSZ" */
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	if (n != strlen(shape))
		return false;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	return true;
}

static bool gui_user(const char *s, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-?",
				     s[i]))
			return false;
	return true;
}

bool ips_parse_gui(const char *line, size_t len, struct ips_event *ev)
{
	static const char mid[] = " login-failed peer=", ukey[] = " user=";
	size_t n = ips_trim(line, len), stamp, a, a_end, u;
	const char *sp;

	sp = memchr(line, ' ', n);
	if (!sp)
		return false;
	stamp = (size_t)(sp - line);
	if (!gui_stamp(line, stamp) || !ips_starts(line + stamp, n - stamp, mid))
		return false;
	a = stamp + strlen(mid);
	sp = memchr(line + a, ' ', n - a);
	if (!sp)
		return false;
	a_end = (size_t)(sp - line);
	if (!ips_starts(line + a_end, n - a_end, ukey))
		return false;
	u = a_end + strlen(ukey);
	if (!gui_user(line + u, n - u) || !ips_addr(line + a, a_end - a, &ev->addr))
		return false;
	ev->kind = IPS_FAILURE;
	ev->port = 0;
	ev->service = IPS_GUI;
	ev->reason = "bad password";
	ips_sanitise(line, n, ev);
	return true;
}
