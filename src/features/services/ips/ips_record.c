/*
 * The reader's records, read strictly. The reader process parses what
 * attackers write; if one ever took it over, all it could say is records,
 * and each is checked here field by field before difosd acts on it: a
 * known service and kind, an address by the one parser, a reason of
 * letters and '_', a line of printable ASCII.
 */
#include <string.h>

#include "features/services/ips/ips_int.h"

static const char *const ips_svc_names[] = { "ssh", "asterisk", "gui", "manual" };

const char *ips_svc_name(int svc)
{
	return svc >= 0 && svc <= IPS_SVC_MANUAL ? ips_svc_names[svc] : "?";
}

int ips_svc_of(const char *name, size_t len)
{
	for (int i = 0; i < IPS_SERVICES; i++)
		if (strlen(ips_svc_names[i]) == len && !memcmp(ips_svc_names[i], name, len))
			return i;
	return -1;
}

/* The next space-ended field of [*p, end): its start and length. */
static bool ips_field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *sp = memchr(*p, ' ', (size_t)(end - *p));

	if (!sp || sp == *p)
		return false;
	*f = *p;
	*n = (size_t)(sp - *p);
	*p = sp + 1;
	return true;
}

bool ips_record_parse(const char *text, size_t len, struct ips_record *r)
{
	const char *p = text, *end = text + len, *f;
	char addr[64];
	size_t n;

	memset(r, 0, sizeof(*r));
	if (!ips_field(&p, end, &f, &n) || n != 3 || memcmp(f, "ips", 3))
		return false;
	if (!ips_field(&p, end, &f, &n) || (r->service = ips_svc_of(f, n)) < 0)
		return false;
	if (!ips_field(&p, end, &f, &n))
		return false;
	if (n == 7 && !memcmp(f, "failure", 7))
		r->failure = true;
	else if (!(n == 7 && !memcmp(f, "success", 7)))
		return false;
	if (!ips_field(&p, end, &f, &n) || n >= sizeof(addr))
		return false;
	memcpy(addr, f, n);
	addr[n] = '\0';
	if (net_prefix_parse(addr, 0, false, &r->addr) != NET_OK)
		return false;
	if (!ips_field(&p, end, &f, &n) || n >= sizeof(r->reason))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = f[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
			return false;
		r->reason[i] = c == '_' ? ' ' : c;
	}
	n = (size_t)(end - p);
	if (n == 0 || n >= sizeof(r->line))
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	memcpy(r->line, p, n);
	return true;
}
