/*
 * Checks of the VPN kinds: a WireGuard key (the base64 of 32 bytes, as
 * `wg` prints it), a network of either family (a WireGuard peer's allowed
 * IPs mix them in one list), and a "host:port" endpoint (an IPv4 address,
 * an IPv6 address in brackets or a domain name).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "net/addr.h"
#include "schema/kind_int.h"

bool sc_wg_key_ok(const char *s)
{
	unsigned char k[32];
	char back[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	size_t n = 0;
	bool ok;

	if (strlen(s) != 44 ||
	    sodium_base642bin(k, sizeof(k), s, 44, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    n != 32)
		return false;
	/* one text per key: the unused low bits of the last character are 0 */
	sodium_bin2base64(back, sizeof(back), k, 32, sodium_base64_VARIANT_ORIGINAL);
	ok = strcmp(back, s) == 0;
	sodium_memzero(k, sizeof(k));
	sodium_memzero(back, sizeof(back));
	return ok;
}

bool sc_endpoint_split(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon, *h = s, *end;
	struct net_prefix a;
	unsigned long p;
	size_t n;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			return false;
		h = s + 1;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		end = colon;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= hostlen || !dec_parse(colon + 1, strlen(colon + 1), 65535, &p) || p == 0)
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	if (s[0] == '[')
		return net_prefix_parse(host, 6, false, &a) == NET_OK && (*port = (unsigned)p, true);
	if (net_prefix_parse(host, 4, false, &a) != NET_OK && !sc_domain_ok(host))
		return false;
	*port = (unsigned)p;
	return true;
}

bool sc_check_wg_key(const struct sc_field *f, bool limits, const json_t *v, char *why,
		     size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);

	(void)f;
	(void)limits;
	if (!s)
		return false;
	return sc_wg_key_ok(s) ? true :
	       sc_fail(why, whylen, "is not a WireGuard key (44 characters of base64, 32 bytes)");
}

bool sc_check_cidr(const struct sc_field *f, bool limits, const json_t *v, char *why,
		   size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	struct net_prefix p;

	(void)f;
	(void)limits;
	if (!s)
		return false;
	switch (net_prefix_parse(s, 0, true, &p)) {
	case NET_OK:
		return true;
	case NET_BAD_LENGTH:
		return sc_fail(why, whylen, "has an invalid prefix length (0-%d)",
			       p.family == 4 ? 32 : 128);
	default:
		return sc_fail(why, whylen, "is not a valid IPv4 or IPv6 network (a.b.c.d/len or "
			       "x::y/len)");
	}
}

bool sc_check_endpoint(const struct sc_field *f, bool limits, const json_t *v, char *why,
		       size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	char host[256];
	unsigned port;

	(void)f;
	(void)limits;
	if (!s)
		return false;
	return sc_endpoint_split(s, host, sizeof(host), &port) ? true :
	       sc_fail(why, whylen, "is not host:port (an IPv4 address, [IPv6] or a domain name; "
		       "port 1-65535)");
}
