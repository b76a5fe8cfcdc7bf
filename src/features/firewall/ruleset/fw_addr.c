/* Address lists: CIDR parsing, canonical order, list files. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "features/firewall/ruleset/firewall.h"

bool fw_cidr_parse(const char *s, bool loose, struct net_prefix *out, char *why, size_t whylen)
{
	char net[64];

	switch (net_prefix_parse(s, 0, true, out)) {
	case NET_OK:
		break;
	case NET_BAD_LENGTH:
		snprintf(why, whylen, "has an invalid prefix length (0-%d for IPv%d)",
			 out->family == 4 ? 32 : 128, out->family);
		return false;
	default:
		snprintf(why, whylen, "is not an IPv4 or IPv6 address in CIDR notation");
		return false;
	}
	if (net_prefix_host_bits(out)) {
		struct net_prefix n = *out;

		net_prefix_clear_host(&n);
		if (!loose) {
			net_prefix_text(&n, false, net, sizeof(net));
			snprintf(why, whylen, "has host bits set after /%d (the network is %s)", out->len, net);
			return false;
		}
		*out = n;
	}
	return true;
}

static int cidr_cmp(const void *pa, const void *pb)
{
	const struct net_prefix *a = pa, *b = pb;
	int r;

	if (a->family != b->family)
		return a->family - b->family;
	r = memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
	if (r)
		return r;
	return a->len - b->len; /* the wider one first */
}

/* Does a (earlier in order) contain b? */
static bool cidr_contains(const struct net_prefix *a, const struct net_prefix *b)
{
	struct net_prefix t = *b;

	if (a->family != b->family || a->len > b->len)
		return false;
	t.len = a->len;
	net_prefix_clear_host(&t);
	return !memcmp(t.addr, a->addr, a->family == 4 ? 4 : 16);
}

size_t fw_cidr_canonical(struct net_prefix *v, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cidr_cmp);
	for (size_t i = 0; i < n; i++) {
		/* sorted by address then width: anything inside the last kept
		 * range comes right after it */
		if (out > 0 && cidr_contains(&v[out - 1], &v[i]))
			continue;
		v[out++] = v[i];
	}
	return out;
}

size_t fw_cidr_read_text(const char *text, size_t len, int family, struct net_prefix **v,
			 size_t *skipped)
{
	const char *p = text, *end = text ? text + len : NULL;
	char line[256], why[128];
	size_t n = 0, cap = 0;

	*v = NULL;
	if (skipped)
		*skipped = 0;
	while (p && p < end) {
		char *s = line, *e;
		struct net_prefix c;
		size_t max = (size_t)(end - p) < sizeof(line) - 1 ? (size_t)(end - p) : sizeof(line) - 1;
		const char *nl = memchr(p, '\n', max);
		/* a line at a time, at most 255 bytes, as fgets reads them */
		size_t k = nl ? (size_t)(nl - p) + 1 : max;

		memcpy(line, p, k);
		line[k] = '\0';
		p += k;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strcspn(s, " \t\r\n#");
		*e = '\0';
		if (!*s)
			continue;
		if (!fw_cidr_parse(s, true, &c, why, sizeof(why)) || c.family != family) {
			if (skipped)
				(*skipped)++;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			*v = xrealloc(*v, cap * sizeof(**v));
		}
		(*v)[n++] = c;
	}
	return n;
}

size_t fw_cidr_read_file(const char *path, int family, struct net_prefix **v, size_t *skipped)
{
	size_t len = 0;
	char *text = file_read(path, &len);
	size_t n = fw_cidr_read_text(text, text ? len : 0, family, v, skipped);

	free(text);
	return n;
}
