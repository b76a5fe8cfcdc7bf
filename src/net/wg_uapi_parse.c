/*
 * The answer of wireguard-go to "get=1" (the cross-platform UAPI):
 * key=value lines, the device's first, then each peer's from its
 * public_key line on, closed by "errno=N". Keys are lowercase hex. Pure
 * (no socket, no allocation but the device's): fuzzed by fuzz_wg_uapi.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/wg.h"
#include "net/wg_int.h"

struct uapi_state {
	struct wg_device *d;
	struct wg_peer *peer;     /* the peer the lines are about, NULL: the device */
	int64_t hs_sec;
	bool ended;               /* errno= seen */
	long errno_value;
};

/* decimal, no sign, no leading zero, at most max */
static bool u64_parse(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool hex_key(const char *s, size_t n, unsigned char key[WG_KEY_LEN])
{
	size_t got = 0;
	const char *end = NULL;

	if (n != 2 * WG_KEY_LEN)
		return false;
	return sodium_hex2bin(key, WG_KEY_LEN, s, n, NULL, &got, &end) == 0 &&
	       got == WG_KEY_LEN && end == s + n;
}

static bool is_zero(const unsigned char *k, size_t n)
{
	return sodium_is_zero(k, n) == 1;
}

/* a.b.c.d:port or [v6]:port or [v6%zone]:port */
static bool endpoint_parse(const char *s, size_t n, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *colon;
	uint64_t port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	colon = memrchr(s, ':', n);
	if (!colon || !u64_parse(colon + 1, (size_t)(s + n - colon - 1), 65535, &port))
		return false;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		char *zone;

		if (hl - 2 >= sizeof(host))
			return false;
		memcpy(host, s + 1, hl - 2);
		host[hl - 2] = '\0';
		if ((zone = strchr(host, '%'))) {
			uint64_t idx;
			*zone++ = '\0';
			if (u64_parse(zone, strlen(zone), UINT32_MAX, &idx))
				s6->sin6_scope_id = (uint32_t)idx;
			else if (!(s6->sin6_scope_id = if_nametoindex(zone)))
				return false;
		}
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return false;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return true;
	}
	if (hl >= sizeof(host))
		return false;
	memcpy(host, s, hl);
	host[hl] = '\0';
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return false;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
	}
	return true;
}

static bool allowed_ip_parse(const char *s, size_t n, struct wg_allowed_ip *a)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = memchr(s, '/', n);
	uint64_t prefix;
	size_t hl;

	if (!slash || (hl = (size_t)(slash - s)) >= sizeof(host))
		return false;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->addr) == 1)
		a->family = AF_INET6;
	else
		return false;
	if (!u64_parse(slash + 1, (size_t)(s + n - slash - 1), a->family == AF_INET ? 32 : 128,
		       &prefix))
		return false;
	a->prefix = (unsigned)prefix;
	return true;
}

/* one key=value line; false with err naming the line */
static bool line(struct uapi_state *st, const char *k, size_t kl, const char *v, size_t vl)
{
	struct wg_device *d = st->d;
	struct wg_peer *p = st->peer;
	uint64_t num;

#define KEY(name) (kl == sizeof(name) - 1 && !memcmp(k, name, kl))
	if (KEY("errno")) {
		/* wireguard-go says a failure as a negative number (-22) */
		bool neg = vl > 1 && v[0] == '-';
		if (!u64_parse(v + neg, vl - neg, INT32_MAX, &num) || (neg && num == 0))
			return false;
		st->errno_value = neg ? -(long)num : (long)num;
		st->ended = true;
		return true;
	}
	if (KEY("public_key")) {
		unsigned char key[WG_KEY_LEN];
		if (!hex_key(v, vl, key))
			return false;
		st->peer = p = wg_peer_append(d);
		memcpy(p->public_key, key, WG_KEY_LEN);
		return true;
	}
	if (!p) {   /* the device's lines */
		if (KEY("private_key")) {
			if (!hex_key(v, vl, d->private_key))
				return false;
			d->has_private_key = !is_zero(d->private_key, WG_KEY_LEN);
			if (d->has_private_key)
				wg_key_public(d->public_key, d->private_key);
			return true;
		}
		if (KEY("listen_port")) {
			if (!u64_parse(v, vl, 65535, &num))
				return false;
			d->listen_port = (unsigned)num;
			return true;
		}
		if (KEY("fwmark")) {
			if (!u64_parse(v, vl, UINT32_MAX, &num))
				return false;
			d->fwmark = (unsigned)num;
			return true;
		}
		return true;   /* a key of a newer engine: not ours to refuse */
	}
	if (KEY("preshared_key")) {
		if (!hex_key(v, vl, p->preshared_key))
			return false;
		p->has_preshared_key = !is_zero(p->preshared_key, WG_KEY_LEN);
		return true;
	}
	if (KEY("endpoint"))
		return endpoint_parse(v, vl, &p->endpoint);
	if (KEY("last_handshake_time_sec")) {
		if (!u64_parse(v, vl, INT64_MAX, &num))
			return false;
		p->last_handshake = (int64_t)num;
		return true;
	}
	if (KEY("rx_bytes"))
		return u64_parse(v, vl, UINT64_MAX, &p->rx_bytes);
	if (KEY("tx_bytes"))
		return u64_parse(v, vl, UINT64_MAX, &p->tx_bytes);
	if (KEY("persistent_keepalive_interval")) {
		if (!u64_parse(v, vl, 65535, &num))
			return false;
		p->keepalive = (unsigned)num;
		return true;
	}
	if (KEY("allowed_ip"))
		return allowed_ip_parse(v, vl, wg_allowed_ip_append(p)) ||
		       (p->n_allowed_ips--, false);
	/* protocol_version, last_handshake_time_nsec, and keys of newer engines */
	return true;
#undef KEY
}

int wg_uapi_parse(const char *text, size_t len, struct wg_device *out, char *err,
		  size_t errlen)
{
	struct uapi_state st = { .d = out };
	const char *p = text, *end = text + len;
	unsigned lineno = 0;

	memset(out, 0, sizeof(*out));
	while (p < end && !st.ended) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *eq;

		lineno++;
		if (eol == p) {
			snprintf(err, errlen, "wireguard-go's answer: line %u: empty before errno=",
				 lineno);
			return -1;
		}
		eq = memchr(p, '=', (size_t)(eol - p));
		if (!eq || eq == p) {
			snprintf(err, errlen, "wireguard-go's answer: line %u: not key=value", lineno);
			return -1;
		}
		/* the value is never repeated: it may be a key */
		if (!line(&st, p, (size_t)(eq - p), eq + 1, (size_t)(eol - eq - 1))) {
			snprintf(err, errlen, "wireguard-go's answer: line %u: bad value of %.*s",
				 lineno, (int)((eq - p) > 40 ? 40 : (eq - p)), p);
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	if (!st.ended) {
		snprintf(err, errlen, "wireguard-go's answer: ends without errno=");
		return -1;
	}
	if (st.errno_value) {
		snprintf(err, errlen, "wireguard-go refused: errno=%ld (%s)", st.errno_value,
			 strerror((int)labs(st.errno_value)));
		return -1;
	}
	return 0;
}
