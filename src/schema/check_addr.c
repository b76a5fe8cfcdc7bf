/*
 * Checks of the address kinds, all through the one address parser
 * (net/addr.h): IPv4 and IPv6 addresses and networks, IPv6 interface
 * identifiers.
 */
#include <ctype.h>

#include "net/addr.h"
#include "schema/kind_int.h"

/* One parse for the four address kinds: an address of one family, with
 * "/len" for the networks; the message tells the address from the length. */
static bool sc_check_address(const json_t *v, int family, bool network, char *why,
			     size_t whylen)
{
	static const char *const bad[2][2] = {
		{ "is not a valid IPv4 address", "is not a valid IPv4 network (a.b.c.d/len)" },
		{ "is not a valid IPv6 address", "is not a valid IPv6 network (x::y/len)" },
	};
	const char *s = sc_string_of(v, why, whylen);
	struct net_prefix p;

	if (!s)
		return false;
	switch (net_prefix_parse(s, family, network, &p)) {
	case NET_OK:
		return true;
	case NET_BAD_LENGTH:
		return sc_fail(why, whylen, "has an invalid prefix length (0-%d)",
			       family == 4 ? 32 : 128);
	default:
		return sc_fail(why, whylen, "%s", bad[family == 6][network]);
	}
}

bool sc_check_ipv4(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen)
{
	(void)f;
	(void)limits;
	return sc_check_address(v, 4, false, why, whylen);
}

bool sc_check_ipv6(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen)
{
	(void)f;
	(void)limits;
	return sc_check_address(v, 6, false, why, whylen);
}

bool sc_check_cidr4(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen)
{
	(void)f;
	(void)limits;
	return sc_check_address(v, 4, true, why, whylen);
}

bool sc_check_cidr6(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen)
{
	(void)f;
	(void)limits;
	return sc_check_address(v, 6, true, why, whylen);
}

bool sc_check_ipv6_suffix(const struct sc_field *f, bool limits, const json_t *v, char *why,
                          size_t whylen)
{
	const char *s = sc_string_of(v, why, whylen);
	struct net_prefix a;

	(void)f;
	(void)limits;
	if (!s)
		return false;
	if (net_prefix_parse(s, 6, false, &a) != NET_OK || !net_prefix_zero(&a, 64))
		return sc_fail(why, whylen,
			       "is not a valid IPv6 interface identifier (e.g. ::42)");
	if (net_prefix_zero(&a, 0))
		return sc_fail(why, whylen, "is the all-zero interface identifier");
	return true;
}

/* A network of a CIDR kind: a bare address is its whole-length network. */
void sc_key_network(const char *s, char *out, size_t outlen)
{
	struct net_prefix p;

	if (net_prefix_parse(s, 0, true, &p) == NET_OK)
		net_prefix_text(&p, true, out, outlen);
	else
		sc_key_address(s, out, outlen);
}

void sc_key_address(const char *s, char *out, size_t outlen)
{
	struct net_prefix p;
	size_t i;

	if (net_prefix_parse(s, 0, true, &p) == NET_OK) {
		net_prefix_text(&p, p.has_len, out, outlen);
		return;
	}
	for (i = 0; s[i] && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}
