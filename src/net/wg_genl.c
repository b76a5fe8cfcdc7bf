/*
 * The kernel's WireGuard devices: the generic netlink family "wireguard"
 * (<linux/wireguard.h>), through libmnl. GET_DEVICE is a dump whose
 * messages may split one peer's allowed IPs (the next message names the
 * peer again); SET_DEVICE takes a change set in as many messages as it
 * needs, built the same way (wg_genl_set_msgs, unit-tested on its own).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "net/nl_int.h"
#include "net/wg.h"
#include "net/wg_int.h"

/* ---- building SET_DEVICE ---- */

enum put_result { PUT_NONE, PUT_PARTIAL, PUT_DONE };

static bool put_endpoint(struct nlmsghdr *nlh, size_t buflen, const struct sockaddr_storage *ss)
{
	size_t len = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
		     sizeof(struct sockaddr_in6);

	return mnl_attr_put_check(nlh, buflen, WGPEER_A_ENDPOINT, len, ss);
}

/* one peer from its allowed IP *j on: all of it, part of it (*j moved on),
 * or nothing (nothing of it left in the message) */
static enum put_result put_peer(struct nlmsghdr *nlh, size_t buflen,
				const struct wg_peer_change *pc, size_t *j)
{
	static const unsigned char none[WG_KEY_LEN];
	const struct wg_peer *p = pc->peer;
	struct nlattr *peer, *aips;
	size_t first = *j;
	bool with_ips;

	if (!(peer = mnl_attr_nest_start_check(nlh, buflen, 0)))
		return PUT_NONE;
	if (!mnl_attr_put_check(nlh, buflen, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key))
		goto none;
	if (pc->op == WG_PEER_REMOVE) {
		if (!mnl_attr_put_u32_check(nlh, buflen, WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME))
			goto none;
		mnl_attr_nest_end(nlh, peer);
		return PUT_DONE;
	}
	/* a continued peer (first > 0) is only named again with more IPs */
	if (first == 0) {
		uint32_t flags = 0;

		if (pc->op == WG_PEER_UPDATE)
			flags |= WGPEER_F_UPDATE_ONLY;
		if (pc->replace_allowed_ips)
			flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
		if (flags && !mnl_attr_put_u32_check(nlh, buflen, WGPEER_A_FLAGS, flags))
			goto none;
		if (pc->set_preshared_key &&
		    !mnl_attr_put_check(nlh, buflen, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN,
					p->has_preshared_key ? p->preshared_key : none))
			goto none;
		if (pc->set_endpoint && !put_endpoint(nlh, buflen, &p->endpoint))
			goto none;
		if (pc->set_keepalive &&
		    !mnl_attr_put_u16_check(nlh, buflen, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
					    (uint16_t)p->keepalive))
			goto none;
	}
	with_ips = pc->replace_allowed_ips && p->n_allowed_ips > 0;
	if (with_ips) {
		if (!(aips = mnl_attr_nest_start_check(nlh, buflen, WGPEER_A_ALLOWEDIPS)))
			goto none;
		for (; *j < p->n_allowed_ips; (*j)++) {
			const struct wg_allowed_ip *a = &p->allowed_ips[*j];
			struct nlattr *ip = mnl_attr_nest_start_check(nlh, buflen, 0);

			if (!ip)
				break;
			if (!mnl_attr_put_u16_check(nlh, buflen, WGALLOWEDIP_A_FAMILY,
						    (uint16_t)a->family) ||
			    !mnl_attr_put_check(nlh, buflen, WGALLOWEDIP_A_IPADDR,
						a->family == AF_INET ? 4 : 16, a->addr) ||
			    !mnl_attr_put_u8_check(nlh, buflen, WGALLOWEDIP_A_CIDR_MASK,
						   (uint8_t)a->prefix)) {
				mnl_attr_nest_cancel(nlh, ip);
				break;
			}
			mnl_attr_nest_end(nlh, ip);
		}
		if (*j == first) {
			*j = first;
			goto none;
		}
		mnl_attr_nest_end(nlh, aips);
	}
	mnl_attr_nest_end(nlh, peer);
	return with_ips && *j < p->n_allowed_ips ? PUT_PARTIAL : PUT_DONE;
none:
	mnl_attr_nest_cancel(nlh, peer);
	return PUT_NONE;
}

int wg_genl_set_msgs(const char *ifname, const struct wg_change *c, uint16_t family,
		     uint32_t seq, size_t buflen, wg_genl_msg_fn fn, void *arg)
{
	const struct wg_device *w = c->want;
	char *buf = xcalloc(1, buflen);
	size_t i = 0, j = 0;
	bool first = true;
	int rc = 0;

	do {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct genlmsghdr *g;
		size_t before = i, before_j = j;
		bool with_device = first;

		nlh->nlmsg_type = family;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = seq++;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = WG_CMD_SET_DEVICE;
		g->version = WG_GENL_VERSION;
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
		if (first) {
			if (c->set_private_key)
				mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, w->private_key);
			if (c->set_listen_port)
				mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, (uint16_t)w->listen_port);
			if (c->set_fwmark)
				mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, w->fwmark);
			first = false;
		}
		if (i < c->n_peers) {
			struct nlattr *peers = mnl_attr_nest_start_check(nlh, buflen, WGDEVICE_A_PEERS);

			while (peers && i < c->n_peers) {
				enum put_result r = put_peer(nlh, buflen, &c->peers[i], &j);
				if (r == PUT_DONE) {
					i++;
					j = 0;
				}
				if (r != PUT_DONE)
					break;
			}
			if (i == before && j == before_j) {
				if (peers)
					mnl_attr_nest_cancel(nlh, peers);
				/* not one peer's start fits in a message: cannot go on */
				if (!with_device) {
					rc = -E2BIG;
					break;
				}
			} else {
				mnl_attr_nest_end(nlh, peers);
			}
		}
		rc = fn(buf, nlh->nlmsg_len, arg);
	} while (!rc && i < c->n_peers);
	sodium_memzero(buf, buflen);
	free(buf);
	return rc;
}

/* ---- reading GET_DEVICE ---- */

static bool attr_len(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) == len;
}

static bool attr_min(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) >= len;
}

static int parse_allowed_ip(const struct nlattr *nest, struct wg_peer *p)
{
	const struct nlattr *tb[64] = { 0 };
	struct wg_allowed_ip *a;
	uint16_t family;
	size_t alen;

	if (mnl_attr_parse_nested(nest, nl_attr_table, tb) < 0 ||
	    !attr_min(tb[WGALLOWEDIP_A_FAMILY], 2) || !attr_min(tb[WGALLOWEDIP_A_CIDR_MASK], 1) ||
	    !tb[WGALLOWEDIP_A_IPADDR])
		return -1;
	family = mnl_attr_get_u16(tb[WGALLOWEDIP_A_FAMILY]);
	alen = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
	if (!alen || !attr_len(tb[WGALLOWEDIP_A_IPADDR], alen) ||
	    mnl_attr_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]) > alen * 8)
		return -1;
	a = wg_allowed_ip_append(p);
	a->family = family;
	memcpy(a->addr, mnl_attr_get_payload(tb[WGALLOWEDIP_A_IPADDR]), alen);
	a->prefix = mnl_attr_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]);
	return 0;
}

static int parse_peer(const struct nlattr *nest, struct wg_device *d)
{
	const struct nlattr *tb[64] = { 0 }, *a;
	const unsigned char *key;
	struct wg_peer *p;

	if (mnl_attr_parse_nested(nest, nl_attr_table, tb) < 0 ||
	    !attr_len(tb[WGPEER_A_PUBLIC_KEY], WG_KEY_LEN))
		return -1;
	key = mnl_attr_get_payload(tb[WGPEER_A_PUBLIC_KEY]);
	/* the previous message's last peer, continued */
	p = d->n_peers && !memcmp(d->peers[d->n_peers - 1].public_key, key, WG_KEY_LEN) ?
		&d->peers[d->n_peers - 1] : NULL;
	if (!p) {
		p = wg_peer_append(d);
		memcpy(p->public_key, key, WG_KEY_LEN);
	}
	if (attr_len(tb[WGPEER_A_PRESHARED_KEY], WG_KEY_LEN)) {
		memcpy(p->preshared_key, mnl_attr_get_payload(tb[WGPEER_A_PRESHARED_KEY]),
		       WG_KEY_LEN);
		p->has_preshared_key = !sodium_is_zero(p->preshared_key, WG_KEY_LEN);
	}
	if ((a = tb[WGPEER_A_ENDPOINT])) {
		size_t len = mnl_attr_get_payload_len(a);
		const struct sockaddr *sa = mnl_attr_get_payload(a);
		if ((len == sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) ||
		    (len == sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6))
			memcpy(&p->endpoint, sa, len);
	}
	if (attr_min(tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL], 2))
		p->keepalive = mnl_attr_get_u16(tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
	if (attr_min(tb[WGPEER_A_LAST_HANDSHAKE_TIME], sizeof(int64_t))) {
		int64_t sec;
		memcpy(&sec, mnl_attr_get_payload(tb[WGPEER_A_LAST_HANDSHAKE_TIME]), sizeof(sec));
		p->last_handshake = sec;
	}
	if (attr_min(tb[WGPEER_A_RX_BYTES], 8))
		p->rx_bytes = mnl_attr_get_u64(tb[WGPEER_A_RX_BYTES]);
	if (attr_min(tb[WGPEER_A_TX_BYTES], 8))
		p->tx_bytes = mnl_attr_get_u64(tb[WGPEER_A_TX_BYTES]);
	if ((a = tb[WGPEER_A_ALLOWEDIPS])) {
		const struct nlattr *ip;
		mnl_attr_for_each_nested(ip, a)
			if (parse_allowed_ip(ip, p) < 0)
				return -1;
	}
	return 0;
}

int wg_genl_parse_msg(const void *msg, size_t len, struct wg_device *d, char *err,
		      size_t errlen)
{
	const struct nlmsghdr *nlh = msg;
	const struct nlattr *tb[64] = { 0 }, *peer;

	/* the length checked here, not by mnl_nlmsg_ok: it compares it as
	 * an int, and one of 2 GiB or more passes as negative */
	if (len < sizeof(*nlh) || len > INT32_MAX || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)) ||
	    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_attr_table, tb) < 0) {
		snprintf(err, errlen, "the kernel's WireGuard answer: a malformed message");
		return -1;
	}
	if (attr_len(tb[WGDEVICE_A_PRIVATE_KEY], WG_KEY_LEN)) {
		memcpy(d->private_key, mnl_attr_get_payload(tb[WGDEVICE_A_PRIVATE_KEY]), WG_KEY_LEN);
		d->has_private_key = !sodium_is_zero(d->private_key, WG_KEY_LEN);
		if (d->has_private_key)
			wg_key_public(d->public_key, d->private_key);
	}
	if (attr_min(tb[WGDEVICE_A_LISTEN_PORT], 2))
		d->listen_port = mnl_attr_get_u16(tb[WGDEVICE_A_LISTEN_PORT]);
	if (attr_min(tb[WGDEVICE_A_FWMARK], 4))
		d->fwmark = mnl_attr_get_u32(tb[WGDEVICE_A_FWMARK]);
	if (tb[WGDEVICE_A_PEERS]) {
		mnl_attr_for_each_nested(peer, tb[WGDEVICE_A_PEERS]) {
			if (parse_peer(peer, d) < 0) {
				snprintf(err, errlen, "the kernel's WireGuard answer: a malformed peer");
				return -1;
			}
		}
	}
	return 0;
}

/* ---- the socket ---- */

struct genl_sock {
	struct mnl_socket *nl;
	unsigned portid;
	uint32_t seq;
};

static int genl_open(struct genl_sock *s)
{
	s->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!s->nl)
		return -errno;
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = -errno;
		mnl_socket_close(s->nl);
		s->nl = NULL;
		return e;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL);
	return 0;
}

/* reads answers to seq until the ack or the dump's end; cb per message */
static int genl_answer(struct genl_sock *s, uint32_t seq, mnl_cb_t cb, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int rc;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
		int r;

		if (n < 0) {
			rc = -errno;
			break;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, s->portid, cb, arg);
		if (r < 0 || r == MNL_CB_STOP) {
			rc = r < 0 ? (errno ? -errno : -EIO) : 0;
			break;
		}
	}
	/* a dump carries the private and preshared keys */
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[64] = { 0 };

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_attr_table, tb) >= 0 &&
	    attr_min(tb[CTRL_ATTR_FAMILY_ID], 2))
		*(uint16_t *)arg = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

static int genl_family(struct genl_sock *s, uint16_t *family)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int rc;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++s->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	*family = 0;
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	rc = genl_answer(s, nlh->nlmsg_seq, family_cb, family);
	return rc < 0 ? rc : *family ? 0 : -ENOENT;
}

static void genl_error(const char *ifname, const char *what, int rc, char *err, size_t errlen)
{
	const char *why = rc == -ENOENT ? "the kernel has no WireGuard (no module) and "
					  "wireguard-go has no socket for it" :
			  rc == -ENODEV ? "no such device" :
			  rc == -EOPNOTSUPP ? "not a WireGuard device" : strerror(-rc);

	snprintf(err, errlen, "%s: %s: %s", ifname, what, why);
}

static int get_cb(const struct nlmsghdr *nlh, void *arg)
{
	void **a = arg;
	char *err = a[1];

	if (wg_genl_parse_msg(nlh, nlh->nlmsg_len, a[0], err, 256) < 0) {
		errno = EPROTO;   /* what mnl_cb_run's caller reads */
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int wg_genl_get(const char *ifname, struct wg_device *out, char *err, size_t errlen)
{
	struct genl_sock s;
	char buf[256], perr[256] = "";
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	uint16_t family;
	void *arg[2] = { out, perr };
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = genl_open(&s)) < 0) {
		genl_error(ifname, "read", rc, err, errlen);
		return -1;
	}
	if ((rc = genl_family(&s, &family)) < 0)
		goto out;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP;
	nlh->nlmsg_seq = ++s.seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = WG_GENL_VERSION;
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	if (mnl_socket_sendto(s.nl, nlh, nlh->nlmsg_len) < 0)
		rc = -errno;
	else
		rc = genl_answer(&s, nlh->nlmsg_seq, get_cb, arg);
out:
	mnl_socket_close(s.nl);
	if (rc < 0) {
		if (perr[0])
			snprintf(err, errlen, "%s: %s", ifname, perr);
		else
			genl_error(ifname, "read", rc, err, errlen);
		return -1;
	}
	return 0;
}

static int send_and_ack(const void *msg, size_t len, void *arg)
{
	struct genl_sock *s = arg;
	const struct nlmsghdr *nlh = msg;

	if (mnl_socket_sendto(s->nl, msg, len) < 0)
		return -errno;
	return genl_answer(s, nlh->nlmsg_seq, NULL, NULL);
}

int wg_genl_set(const char *ifname, const struct wg_change *c, char *err, size_t errlen)
{
	struct genl_sock s;
	uint16_t family;
	int rc;

	if ((rc = genl_open(&s)) < 0) {
		genl_error(ifname, "change", rc, err, errlen);
		return -1;
	}
	if ((rc = genl_family(&s, &family)) == 0) {
		rc = wg_genl_set_msgs(ifname, c, family, s.seq + 1, MNL_SOCKET_BUFFER_SIZE,
				      send_and_ack, &s);
	}
	mnl_socket_close(s.nl);
	if (rc < 0) {
		genl_error(ifname, "change", rc, err, errlen);
		return -1;
	}
	return 0;
}
