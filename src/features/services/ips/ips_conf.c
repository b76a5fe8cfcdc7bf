/*
 * Intrusion prevention's settings in force (the apply takes them from the
 * document) and who is never banned: loopback, the allowed list, the
 * router's own addresses.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/services/ips/ips_int.h"
#include "net/nl_watch.h"
#include "schema/schema.h"
#include "store/doc.h"

static struct ips_conf ips_c = { .ban_time = 3600, .find_time = 600, .max_retries = 5,
				 .prefix6 = 64 };

const struct ips_conf *ips_conf(void)
{
	return &ips_c;
}

static bool ips_inside(const struct net_prefix *net, const struct net_prefix *a)
{
	int full, bits;

	if (net->family != a->family)
		return false;
	full = net->len / 8;
	bits = net->len % 8;
	if (memcmp(net->addr, a->addr, (size_t)full))
		return false;
	return !bits || ((net->addr[full] ^ a->addr[full]) & (0xff00 >> bits)) == 0;
}

/* One of the router's own addresses? */
static bool ips_own(const struct net_prefix *a)
{
	const json_t *mirror = nl_watch_addresses(), *x;
	size_t i;

	json_array_foreach(mirror, i, x) {
		const char *local = json_string_value(json_object_get(x, "local"));
		struct net_prefix p;

		if (local && net_prefix_parse(local, a->family, false, &p) == NET_OK &&
		    !memcmp(p.addr, a->addr, a->family == 4 ? 4 : 16))
			return true;
	}
	return false;
}

const char *ips_exempt(const struct net_prefix *a)
{
	static const unsigned char v6_loop[16] = { [15] = 1 };

	if ((a->family == 4 && a->addr[0] == 127) || (a->family == 6 && !memcmp(a->addr, v6_loop, 16)))
		return "is loopback";
	for (size_t i = 0; i < ips_c.n_allowed; i++)
		if (ips_inside(&ips_c.allowed[i], a))
			return "is on the allowed list";
	if (ips_own(a))
		return "is the router's own address";
	return NULL;
}

/* Does the network p hold an allowed address or network, or one of the
 * router's own addresses? */
static bool ips_shared(const struct net_prefix *p)
{
	const json_t *mirror = nl_watch_addresses(), *x;
	size_t i;

	for (i = 0; i < ips_c.n_allowed; i++)
		if (ips_inside(p, &ips_c.allowed[i]) || ips_inside(&ips_c.allowed[i], p))
			return true;
	json_array_foreach(mirror, i, x) {
		const char *local = json_string_value(json_object_get(x, "local"));
		struct net_prefix a;

		if (local && net_prefix_parse(local, p->family, false, &a) == NET_OK &&
		    ips_inside(p, &a))
			return true;
	}
	return false;
}

void ips_ban_key(const struct net_prefix *addr, struct net_prefix *key)
{
	*key = *addr;
	key->len = addr->family == 4 ? 32 : ips_c.prefix6;
	key->has_len = true;
	net_prefix_clear_host(key);
	if (addr->family == 6 && key->len < 128 && ips_shared(key)) {
		*key = *addr;
		key->len = 128;
		key->has_len = true;
	}
}

/* A duration setting in seconds (def when absent or not one). */
static long long ips_seconds(const json_t *doc, const char *path, long long def)
{
	const char *text = doc_str(doc, path);
	long long s = text ? sc_duration_seconds(text) : -2;

	return s > 0 ? s : def;
}

void ips_conf_read(const json_t *doc)
{
	const json_t *v;
	size_t i;

	ips_c.services = 0;
	json_array_foreach(doc_get(doc, "ips.services"), i, v) {
		const char *s = json_string_value(v);
		int svc = s ? ips_svc_of(s, strlen(s)) : -1;
		if (svc >= 0)
			ips_c.services |= 1u << svc;
	}
	ips_c.ban_time = ips_seconds(doc, "ips.ban_time", 3600);
	ips_c.find_time = ips_seconds(doc, "ips.find_time", 600);
	ips_c.max_retries = (int)doc_int(doc, "ips.max_retries", 5);
	ips_c.prefix6 = (int)doc_int(doc, "ips.ipv6_prefix", 64);
	free(ips_c.allowed);
	ips_c.allowed = NULL;
	ips_c.n_allowed = 0;
	json_array_foreach(doc_get(doc, "ips.allowed"), i, v) {
		const char *a = doc_str(v, "address");
		struct net_prefix p;

		if (!a || net_prefix_parse(a, 0, true, &p) != NET_OK)
			continue;
		net_prefix_clear_host(&p);
		ips_c.allowed = xrealloc(ips_c.allowed, (ips_c.n_allowed + 1) * sizeof(p));
		ips_c.allowed[ips_c.n_allowed++] = p;
	}
}

void ips_conf_free(void)
{
	free(ips_c.allowed);
	ips_c.allowed = NULL;
	ips_c.n_allowed = 0;
}
