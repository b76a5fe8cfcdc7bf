/*
 * What the intrusion prevention parsers share: the display copy of a line,
 * the strict address reader, and literal matches on a counted (not
 * '\0'-ended) line. Nothing here allocates.
 */
#include <string.h>

#include "features/services/ips/ips_parse.h"

void ips_sanitise(const char *line, size_t len, struct ips_event *ev)
{
	size_t n = len < IPS_LINE_MAX ? len : IPS_LINE_MAX;

	/* control characters and bytes above 0x7e are shown as '?': the line
	 * reaches a browser and a terminal */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		ev->line[i] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
	}
	ev->line[n] = '\0';
}

/* A character of an address's text (ranges, not strchr: every failure
 * line's address is read here). */
static bool ips_addr_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') || c == ':' ||
	       c == '.';
}

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool ips_addr(const char *s, size_t len, struct net_prefix *out)
{
	char buf[48];   /* the longest IPv6 text is 45 bytes */

	if (len == 0 || len >= sizeof(buf))
		return false;
	/* only address characters: net_prefix_parse must not see "/len" */
	for (size_t i = 0; i < len; i++)
		if (!ips_addr_char((unsigned char)s[i]))
			return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (net_prefix_parse(buf, 0, false, out) != NET_OK)
		return false;
	/* an IPv4 client of a dual-stack socket (::ffff:a.b.c.d) is banned as
	 * the IPv4 address it is */
	if (out->family == 6 && !memcmp(out->addr, v4_mapped, sizeof(v4_mapped))) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = 4;
		out->len = 32;
	}
	return true;
}

size_t ips_trim(const char *line, size_t len)
{
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	return len;
}

bool ips_has_break(const char *s, size_t len)
{
	return memchr(s, '\n', len) || memchr(s, '\r', len) || memchr(s, '\0', len);
}
