/*
 * The kernel backend's messages (net/wg_genl.c), without the kernel (this
 * machine has no WireGuard module): SET_DEVICE built from a change set and
 * read back attribute by attribute, split over several messages when large;
 * a GET_DEVICE dump whose peer goes on in a second message, read into one.
 */
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/nl_int.h"
#include "net/wg.h"
#include "net/wg_int.h"
#include "t.h"
#include "t_wg.h"

#define FAMILY 0x1d

struct msgs {
	char *buf[64];
	size_t len[64], n;
};

static int keep(const void *msg, size_t len, void *arg)
{
	struct msgs *m = arg;

	if (m->n == 64)
		return -1;
	m->buf[m->n] = xmalloc(len);
	memcpy(m->buf[m->n], msg, len);
	m->len[m->n++] = len;
	return 0;
}

static void msgs_free(struct msgs *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->buf[i]);
	m->n = 0;
}

static const struct nlattr **attrs(const struct nlattr *nest, const struct nlattr **tb)
{
	memset(tb, 0, 64 * sizeof(*tb));
	T_CHECK(mnl_attr_parse_nested(nest, nl_attr_table, tb) >= 0);
	return tb;
}

static void test_set_two_peers(void)
{
	struct wg_device cur = { 0 }, want = { 0 };
	struct wg_change ch;
	struct msgs m = { 0 };
	const struct nlattr *tb[64] = { 0 }, *peer, *ptb[64], *ip, *itb[64];
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *g;
	struct wg_peer *p;
	char err[128];
	int n = 0;

	/* cur has peer b1 (to go) and b2 (its IPs change); want adds b3 */
	t_wg_peer(&cur, 0xb1, "10.1.0.0/24", NULL);
	t_wg_peer(&cur, 0xb2, "10.2.0.0/24", NULL);
	t_wg_key(want.private_key, 0x33);
	want.has_private_key = true;
	want.listen_port = 51820;
	t_wg_peer(&want, 0xb2, "10.2.0.0/24", "fd02::/64", NULL);
	p = t_wg_peer(&want, 0xb3, "10.3.0.1/32", NULL);
	t_wg_endpoint(&p->endpoint, "192.0.2.3", 51003);
	p->keepalive = 15;
	p->has_preshared_key = true;
	t_wg_key(p->preshared_key, 0x44);
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(wg_genl_set_msgs("wg7", &ch, FAMILY, 100, MNL_SOCKET_BUFFER_SIZE, keep, &m) == 0);
	T_CHECK(m.n == 1);
	nlh = (const struct nlmsghdr *)m.buf[0];
	T_CHECK(nlh->nlmsg_type == FAMILY && nlh->nlmsg_seq == 100 && nlh->nlmsg_len == m.len[0]);
	T_CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
	g = mnl_nlmsg_get_payload(nlh);
	T_CHECK(g->cmd == WG_CMD_SET_DEVICE && g->version == WG_GENL_VERSION);
	T_CHECK(mnl_attr_parse(nlh, sizeof(*g), nl_attr_table, tb) >= 0);
	T_CHECK_STR(mnl_attr_get_str(tb[WGDEVICE_A_IFNAME]), "wg7");
	T_CHECK(mnl_attr_get_payload_len(tb[WGDEVICE_A_PRIVATE_KEY]) == 32 &&
		((const unsigned char *)mnl_attr_get_payload(tb[WGDEVICE_A_PRIVATE_KEY]))[0] == 0x33);
	T_CHECK(mnl_attr_get_u16(tb[WGDEVICE_A_LISTEN_PORT]) == 51820);
	T_CHECK(!tb[WGDEVICE_A_FWMARK] && !tb[WGDEVICE_A_FLAGS]);   /* never REPLACE_PEERS */
	mnl_attr_for_each_nested(peer, tb[WGDEVICE_A_PEERS]) {
		const unsigned char *key;
		attrs(peer, ptb);
		key = mnl_attr_get_payload(ptb[WGPEER_A_PUBLIC_KEY]);
		if (n == 0) {   /* the removed one */
			T_CHECK(key[0] == 0xb1);
			T_CHECK(mnl_attr_get_u32(ptb[WGPEER_A_FLAGS]) == WGPEER_F_REMOVE_ME);
			T_CHECK(!ptb[WGPEER_A_ALLOWEDIPS]);
		} else if (n == 1) {   /* its IPs replaced, nothing else */
			int k = 0;
			T_CHECK(key[0] == 0xb2);
			T_CHECK(mnl_attr_get_u32(ptb[WGPEER_A_FLAGS]) ==
				(WGPEER_F_UPDATE_ONLY | WGPEER_F_REPLACE_ALLOWEDIPS));
			T_CHECK(!ptb[WGPEER_A_ENDPOINT] && !ptb[WGPEER_A_PRESHARED_KEY] &&
				!ptb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
			mnl_attr_for_each_nested(ip, ptb[WGPEER_A_ALLOWEDIPS]) {
				attrs(ip, itb);
				if (k == 0)
					T_CHECK(mnl_attr_get_u16(itb[WGALLOWEDIP_A_FAMILY]) == AF_INET &&
						mnl_attr_get_payload_len(itb[WGALLOWEDIP_A_IPADDR]) == 4 &&
						mnl_attr_get_u8(itb[WGALLOWEDIP_A_CIDR_MASK]) == 24);
				else
					T_CHECK(mnl_attr_get_u16(itb[WGALLOWEDIP_A_FAMILY]) == AF_INET6 &&
						mnl_attr_get_payload_len(itb[WGALLOWEDIP_A_IPADDR]) == 16 &&
						mnl_attr_get_u8(itb[WGALLOWEDIP_A_CIDR_MASK]) == 64);
				k++;
			}
			T_CHECK(k == 2);
		} else {   /* the new one: everything */
			const struct sockaddr_in *sin = mnl_attr_get_payload(ptb[WGPEER_A_ENDPOINT]);
			T_CHECK(key[0] == 0xb3);
			T_CHECK(mnl_attr_get_u32(ptb[WGPEER_A_FLAGS]) == WGPEER_F_REPLACE_ALLOWEDIPS);
			T_CHECK(mnl_attr_get_payload_len(ptb[WGPEER_A_ENDPOINT]) == sizeof(*sin) &&
				sin->sin_family == AF_INET && ntohs(sin->sin_port) == 51003);
			T_CHECK(mnl_attr_get_u16(ptb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]) == 15);
			T_CHECK(((const unsigned char *)mnl_attr_get_payload(
				ptb[WGPEER_A_PRESHARED_KEY]))[0] == 0x44);
		}
		n++;
	}
	T_CHECK(n == 3);
	msgs_free(&m);
	wg_change_free(&ch);
	wg_device_free(&cur);
	wg_device_free(&want);
}

/* 300 allowed IPs of one peer and 20 more peers in messages of 1 KiB: split,
 * every IP sent once, the peer named again without REPLACE_ALLOWEDIPS */
static void test_set_split(void)
{
	struct wg_device cur = { 0 }, want = { 0 };
	struct wg_change ch;
	struct msgs m = { 0 };
	struct wg_peer *p;
	char err[128];
	size_t ips = 0, peers_started = 0, i;

	t_wg_key(want.private_key, 0x33);
	want.has_private_key = true;
	p = t_wg_peer(&want, 0xc0, NULL);
	p->allowed_ips = xcalloc(300, sizeof(*p->allowed_ips));
	for (i = 0; i < 300; i++) {
		char t[32];
		snprintf(t, sizeof(t), "10.%zu.%zu.0/24", i / 256, i % 256);
		p->allowed_ips[p->n_allowed_ips++] = t_wg_aip(t);
	}
	for (i = 0; i < 20; i++)
		t_wg_peer(&want, (unsigned char)(0xd0 + i), "192.168.0.0/32", NULL)
			->allowed_ips[0].addr[3] = (unsigned char)i;
	T_CHECK(wg_diff(&cur, &want, &ch, err, sizeof(err)) == 0);
	T_CHECK(wg_genl_set_msgs("wg7", &ch, FAMILY, 1, 1024, keep, &m) == 0);
	T_CHECK(m.n > 5);
	for (i = 0; i < m.n; i++) {
		const struct nlmsghdr *nlh = (const void *)m.buf[i];
		const struct nlattr *tb[64] = { 0 }, *peer, *ptb[64], *ip;

		T_CHECK(m.len[i] <= 1024 && nlh->nlmsg_seq == 1 + i);
		T_CHECK(mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_attr_table, tb) >= 0);
		T_CHECK_STR(mnl_attr_get_str(tb[WGDEVICE_A_IFNAME]), "wg7");
		/* the device's settings once, in the first */
		T_CHECK(!!tb[WGDEVICE_A_PRIVATE_KEY] == (i == 0));
		mnl_attr_for_each_nested(peer, tb[WGDEVICE_A_PEERS]) {
			const unsigned char *key;
			attrs(peer, ptb);
			key = mnl_attr_get_payload(ptb[WGPEER_A_PUBLIC_KEY]);
			if (ptb[WGPEER_A_FLAGS]) {
				T_CHECK(mnl_attr_get_u32(ptb[WGPEER_A_FLAGS]) ==
					WGPEER_F_REPLACE_ALLOWEDIPS);
				peers_started++;
			} else {
				/* a continuation: the big peer, first in its message */
				T_CHECK(key[0] == 0xc0 && peer == mnl_attr_get_payload(tb[WGDEVICE_A_PEERS]));
			}
			mnl_attr_for_each_nested(ip, ptb[WGPEER_A_ALLOWEDIPS])
				ips++;
		}
	}
	T_CHECK(peers_started == 21);
	T_CHECK(ips == 320);
	msgs_free(&m);
	wg_change_free(&ch);
	wg_device_free(&want);
}

/* one GET_DEVICE answer message, as the kernel writes it */
static size_t get_msg(char *buf, size_t buflen, const unsigned char *peer_key, int first_ip,
		      int n_ips, bool with_device)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	struct nlattr *peers, *peer, *aips, *ip;
	unsigned char key[32];

	(void)buflen;
	g->cmd = WG_CMD_GET_DEVICE;
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg7");
	if (with_device) {
		t_wg_key(key, 0x33);
		mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, 32, key);
		mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
		mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 7);
	}
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 32, peer_key);
	if (with_device) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
		int64_t ts[2] = { 1796013704, 5 };
		s6.sin6_addr.s6_addr[15] = 1;
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(s6), &s6);
		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), ts);
		mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 1234);
		mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 5678);
		mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
	}
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	for (int i = first_ip; i < first_ip + n_ips; i++) {
		unsigned char a[4] = { 10, 0, (unsigned char)i, 0 };
		ip = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, 4, a);
		mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 24);
		mnl_attr_nest_end(nlh, ip);
	}
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	return nlh->nlmsg_len;
}

static void test_get_continued_peer(void)
{
	char buf[4096], err[128];
	struct wg_device d = { 0 };
	unsigned char pk[32], other[32];
	size_t len;

	t_wg_key(pk, 0xe1);
	t_wg_key(other, 0xe2);
	len = get_msg(buf, sizeof(buf), pk, 0, 3, true);
	T_CHECK(wg_genl_parse_msg(buf, len, &d, err, sizeof(err)) == 0);
	len = get_msg(buf, sizeof(buf), pk, 3, 2, false);
	T_CHECK(wg_genl_parse_msg(buf, len, &d, err, sizeof(err)) == 0);
	len = get_msg(buf, sizeof(buf), other, 9, 1, false);
	T_CHECK(wg_genl_parse_msg(buf, len, &d, err, sizeof(err)) == 0);
	T_CHECK(d.has_private_key && d.listen_port == 51820 && d.fwmark == 7);
	T_CHECK(d.n_peers == 2);
	if (d.n_peers == 2) {
		char ep[WG_ENDPOINT_TEXT_LEN];
		T_CHECK(d.peers[0].n_allowed_ips == 5 && d.peers[0].allowed_ips[4].addr[2] == 4);
		T_CHECK(d.peers[0].last_handshake == 1796013704 && d.peers[0].rx_bytes == 1234 &&
			d.peers[0].tx_bytes == 5678 && d.peers[0].keepalive == 25);
		wg_endpoint_text(ep, sizeof(ep), &d.peers[0].endpoint);
		T_CHECK_STR(ep, "[::1]:9");
		T_CHECK(d.peers[1].n_allowed_ips == 1 && d.peers[1].public_key[0] == 0xe2);
	}
	wg_device_free(&d);
	/* a truncated message is refused, not read past; so is one that says
	 * it is 2 GiB long (a negative int to mnl_nlmsg_ok) */
	len = get_msg(buf, sizeof(buf), pk, 0, 3, true);
	T_CHECK(wg_genl_parse_msg(buf, len - 8, &d, err, sizeof(err)) == -1);
	wg_device_free(&d);
	((struct nlmsghdr *)buf)->nlmsg_len = 0x80000000u;
	T_CHECK(wg_genl_parse_msg(buf, len, &d, err, sizeof(err)) == -1);
	T_CHECK_STR(err, "the kernel's WireGuard answer: a malformed message");
	wg_device_free(&d);
}

int main(void)
{
	T_RUN(test_set_two_peers);
	T_RUN(test_set_split);
	T_RUN(test_get_continued_peer);
	return t_done("wg_genl");
}
