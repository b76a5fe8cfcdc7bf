/*
 * DHCPv6 relay messages: wrap, unwrap and the stateless answer of hybrid
 * mode (see r6_dhcp.h).
 */
#include <string.h>

#include "r6_dhcp.h"

int r6_dh_opt_next(const uint8_t *p, size_t len, size_t *off, struct r6_dhopt *o)
{
	size_t dlen;

	if (*off >= len)
		return 0;
	if (len - *off < 4)
		return -1;
	dlen = (size_t)p[*off + 2] << 8 | p[*off + 3];
	if (dlen > len - *off - 4)
		return -1;
	o->code = (uint16_t)(p[*off] << 8 | p[*off + 1]);
	o->data = p + *off + 4;
	o->len = (uint16_t)dlen;
	*off += 4 + dlen;
	return 1;
}

static int opts_ok(const uint8_t *p, size_t len)
{
	struct r6_dhopt o;
	size_t off = 0;
	int r;

	while ((r = r6_dh_opt_next(p, len, &off, &o)) > 0)
		;
	return r;
}

int r6_dh_relayable(const uint8_t *m, size_t n)
{
	/* the messages a client sends, by type (RFC 8415 §7.3) */
	static const uint8_t from_client[14] = {
		[R6_DH_SOLICIT] = 1, [R6_DH_REQUEST] = 1, [R6_DH_CONFIRM] = 1,
		[R6_DH_RENEW] = 1, [R6_DH_REBIND] = 1, [R6_DH_RELEASE] = 1,
		[R6_DH_DECLINE] = 1, [R6_DH_INFO_REQUEST] = 1,
	};

	if (n < 4)
		return 0;
	if (m[0] == R6_DH_RELAY_FORW)
		return n >= R6_DH_RELAY_HLEN && m[1] < R6_DH_HOP_LIMIT &&
		       opts_ok(m + R6_DH_RELAY_HLEN, n - R6_DH_RELAY_HLEN) == 0;
	return m[0] < sizeof(from_client) && from_client[m[0]] && opts_ok(m + 4, n - 4) == 0;
}

static uint8_t *put_opt(uint8_t *w, uint16_t code, const void *data, size_t len)
{
	w[0] = (uint8_t)(code >> 8);
	w[1] = (uint8_t)code;
	w[2] = (uint8_t)(len >> 8);
	w[3] = (uint8_t)len;
	if (len)
		memcpy(w + 4, data, len);
	return w + 4 + len;
}

ssize_t r6_dh_relay_forward(const uint8_t *msg, size_t n, const struct in6_addr *link,
			    const struct in6_addr *peer, const uint8_t *ifid, size_t ifid_len,
			    uint8_t *out, size_t cap)
{
	uint8_t *w = out;

	if (!r6_dh_relayable(msg, n) || n > 0xffff || ifid_len > 0xffff ||
	    cap < R6_DH_RELAY_HLEN || cap - R6_DH_RELAY_HLEN < (ifid ? 4 + ifid_len : 0) + 4 + n)
		return -1;
	w[0] = R6_DH_RELAY_FORW;
	w[1] = msg[0] == R6_DH_RELAY_FORW ? (uint8_t)(msg[1] + 1) : 0;
	memcpy(w + 2, link, 16);
	memcpy(w + 18, peer, 16);
	w += R6_DH_RELAY_HLEN;
	if (ifid)
		w = put_opt(w, R6_DHO_INTERFACE_ID, ifid, ifid_len);
	w = put_opt(w, R6_DHO_RELAY_MSG, msg, n);
	return w - out;
}

int r6_dh_relay_reply_parse(const uint8_t *p, size_t n, struct r6_relay_reply *r)
{
	struct r6_dhopt o;
	size_t off = 0;
	int rc;

	if (n < R6_DH_RELAY_HLEN || p[0] != R6_DH_RELAY_REPL)
		return -1;
	memset(r, 0, sizeof(*r));
	r->hop_count = p[1];
	memcpy(&r->link, p + 2, 16);
	memcpy(&r->peer, p + 18, 16);
	while ((rc = r6_dh_opt_next(p + R6_DH_RELAY_HLEN, n - R6_DH_RELAY_HLEN, &off, &o)) > 0) {
		if (o.code == R6_DHO_RELAY_MSG && !r->msg) {
			r->msg = o.data;
			r->msg_len = o.len;
		} else if (o.code == R6_DHO_INTERFACE_ID && !r->ifid) {
			r->ifid = o.data;
			r->ifid_len = o.len;
		}
	}
	/* an inner message has at least a type and a transaction id */
	return rc < 0 || !r->msg || r->msg_len < 4 ? -1 : 0;
}

ssize_t r6_dh_info_reply(const uint8_t *req, size_t n, const uint8_t *duid, size_t duid_len,
			 const struct in6_addr *dns, int n_dns, const uint8_t *domains,
			 size_t domains_len, uint8_t *out, size_t cap)
{
	const struct r6_dhopt *cid = NULL;
	struct r6_dhopt o, cid_o;
	size_t off = 0, need;
	uint8_t *w = out;
	int rc;

	if (n < 4 || req[0] != R6_DH_INFO_REQUEST || n_dns < 0 || duid_len > 130)
		return -1;
	while ((rc = r6_dh_opt_next(req + 4, n - 4, &off, &o)) > 0) {
		if (o.code == R6_DHO_CLIENTID && !cid) {
			cid_o = o;
			cid = &cid_o;
		} else if (o.code == R6_DHO_SERVERID &&
			   (o.len != duid_len || memcmp(o.data, duid, duid_len) != 0)) {
			return -1;   /* meant for another server (§16.12) */
		}
	}
	if (rc < 0 || domains_len > 0xffff || (size_t)n_dns > 0xffff / 16)
		return -1;
	need = 4 + (cid ? 4 + (size_t)cid->len : 0) + 4 + duid_len +
	       (n_dns ? 4 + 16 * (size_t)n_dns : 0) + (domains_len ? 4 + domains_len : 0);
	if (cap < need)
		return -1;
	w[0] = R6_DH_REPLY;
	memcpy(w + 1, req + 1, 3);   /* the transaction id */
	w += 4;
	if (cid)
		w = put_opt(w, R6_DHO_CLIENTID, cid->data, cid->len);
	w = put_opt(w, R6_DHO_SERVERID, duid, duid_len);
	if (n_dns)
		w = put_opt(w, R6_DHO_DNS, dns, 16 * (size_t)n_dns);
	if (domains_len)
		w = put_opt(w, R6_DHO_DOMAINS, domains, domains_len);
	return w - out;
}

size_t r6_dh_duid_ll(const uint8_t mac[6], uint8_t out[10])
{
	out[0] = 0;
	out[1] = 3;   /* DUID-LL */
	out[2] = 0;
	out[3] = 1;   /* hardware type Ethernet */
	memcpy(out + 4, mac, 6);
	return 10;
}
