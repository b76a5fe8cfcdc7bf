/*
 * What every intrusion prevention parser promises, checked by its libFuzzer
 * target (fuzz_ips_sshd.c, fuzz_ips_asterisk.c, fuzz_ips_gui.c). The input
 * is given in a buffer of its exact size (no '\0' after it: a read past
 * the end is caught), and again with "\n" after it:
 *  - an event has family 4 (/32) or 6 (/128), a reason, and a shown line of
 *    printable ASCII of at most IPS_LINE_MAX bytes;
 *  - the trailing newline changes nothing: the same answer, the same address.
 */
#ifndef DIFOS_FUZZ_IPS_H
#define DIFOS_FUZZ_IPS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/services/ips/ips_parse.h"

static void fuzz_ips_check(const struct ips_event *ev)
{
	size_t n = strnlen(ev->line, sizeof(ev->line));

	if (!((ev->addr.family == 4 && ev->addr.len == 32) ||
	      (ev->addr.family == 6 && ev->addr.len == 128)))
		abort();
	if (!ev->reason || !ev->reason[0] || n > IPS_LINE_MAX || n == sizeof(ev->line))
		abort();
	for (size_t i = 0; i < n; i++)
		if (ev->line[i] < 0x20 || ev->line[i] > 0x7e)
			abort();
	if (ev->kind != IPS_FAILURE && ev->kind != IPS_CONN_FAILURE && ev->kind != IPS_SUCCESS)
		abort();
	if (ev->port > 65535)
		abort();
}

static int fuzz_ips(bool (*fn)(const char *, size_t, struct ips_event *),
		    enum ips_service service, const uint8_t *data, size_t size)
{
	struct ips_event a, b;
	char *s = malloc(size + 1);
	bool ok, ok_nl;

	if (!s)
		return 0;
	memcpy(s, data, size);
	ok = fn(s, size, &a);
	s[size] = '\n';
	ok_nl = fn(s, size + 1, &b);
	/* with a newline already there, the added one makes a blank line: an
	 * AMI block ends at it, a log line is refused; only the plain input
	 * is compared */
	if (!(size && (s[size - 1] == '\n' || s[size - 1] == '\r')) && ok != ok_nl)
		abort();
	if (ok) {
		fuzz_ips_check(&a);
		if (a.service != service)
			abort();
	}
	if (ok && ok_nl && (a.kind != b.kind || a.addr.family != b.addr.family ||
			    memcmp(a.addr.addr, b.addr.addr, 16) || strcmp(a.reason, b.reason)))
		abort();
	free(s);
	return 0;
}

#endif
