/* Address lists: CIDR parsing, canonical order, list files. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/firewall/ruleset/firewall.h"

static bool host_bits_clear(const struct fw_cidr *c)
{
	int bytes = c->family == 4 ? 4 : 16;

	for (int bit = c->len; bit < bytes * 8; bit++)
		if (c->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static void clear_host_bits(struct fw_cidr *c)
{
	int bytes = c->family == 4 ? 4 : 16;

	for (int bit = c->len; bit < bytes * 8; bit++)
		c->addr[bit / 8] &= (unsigned char)~(0x80 >> (bit % 8));
}

bool fw_cidr_parse(const char *s, bool loose, struct fw_cidr *out, char *why, size_t whylen)
{
	char text[64], *slash, *end;
	long len;

	memset(out, 0, sizeof(*out));
	if (!s || strlen(s) >= sizeof(text)) {
		snprintf(why, whylen, "is not an IPv4 or IPv6 address in CIDR notation");
		return false;
	}
	strcpy(text, s);
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, text, out->addr) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, text, out->addr) == 1)
		out->family = 6;
	else {
		snprintf(why, whylen, "is not an IPv4 or IPv6 address in CIDR notation");
		return false;
	}
	out->len = out->family == 4 ? 32 : 128;
	if (slash) {
		len = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || len < 0 || len > out->len) {
			snprintf(why, whylen, "has an invalid prefix length (0-%d for IPv%d)", out->len,
				 out->family);
			return false;
		}
		out->len = (int)len;
	}
	if (!host_bits_clear(out)) {
		struct fw_cidr net = *out;
		char t[64];

		clear_host_bits(&net);
		if (!loose) {
			fw_cidr_text(&net, t, sizeof(t));
			snprintf(why, whylen, "has host bits set after /%d (the network is %s)", out->len, t);
			return false;
		}
		*out = net;
	}
	return true;
}

void fw_cidr_text(const struct fw_cidr *c, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof(a));
	if (c->len == (c->family == 4 ? 32 : 128))
		snprintf(out, outlen, "%s", a);
	else
		snprintf(out, outlen, "%s/%d", a, c->len);
}

static int cidr_cmp(const void *pa, const void *pb)
{
	const struct fw_cidr *a = pa, *b = pb;
	int r;

	if (a->family != b->family)
		return a->family - b->family;
	r = memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
	if (r)
		return r;
	return a->len - b->len; /* the wider one first */
}

/* Does a (earlier in order) contain b? */
static bool cidr_contains(const struct fw_cidr *a, const struct fw_cidr *b)
{
	struct fw_cidr t = *b;

	if (a->family != b->family || a->len > b->len)
		return false;
	t.len = a->len;
	clear_host_bits(&t);
	return !memcmp(t.addr, a->addr, a->family == 4 ? 4 : 16);
}

size_t fw_cidr_canonical(struct fw_cidr *v, size_t n)
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

size_t fw_cidr_read_text(const char *text, size_t len, int family, struct fw_cidr **v,
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
		struct fw_cidr c;
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

size_t fw_cidr_read_file(const char *path, int family, struct fw_cidr **v, size_t *skipped)
{
	size_t len = 0;
	char *text = file_read(path, &len);
	size_t n = fw_cidr_read_text(text, text ? len : 0, family, v, skipped);

	free(text);
	return n;
}
