/* Unit tests of difos-relay6's packet functions, neighbour table and
 * command line (src/relay6/r6_*.c). */
#include <arpa/inet.h>
#include <string.h>

#include "t.h"
#include "relay6/r6_args.h"
#include "relay6/r6_dhcp.h"
#include "relay6/r6_icmp.h"
#include "relay6/r6_ntab.h"

static const uint8_t MAC_UP[6] = { 2, 0, 0, 0, 0, 1 }, MAC_DOWN[6] = { 2, 0, 0, 0, 0, 2 };

static struct in6_addr A(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* an RA as an upstream router sends it: SLLA, MTU 9000, a prefix, RDNSS
 * with a link-local and a global server, DNSSL "example.com" */
static size_t sample_ra(uint8_t *m)
{
	struct in6_addr ll = A("fe80::1"), g = A("fd00:aaaa:bbbb:1::53"), p = A("fd00:aaaa:bbbb:1::");
	static const uint8_t dnssl[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	size_t w;

	memset(m, 0, 200);
	m[0] = R6_ND_RA; m[4] = 64; m[5] = R6_RA_F_MANAGED; m[6] = 0x07; m[7] = 0x08;
	w = 16;
	m[w] = R6_OPT_SLLA; m[w + 1] = 1; memcpy(m + w + 2, MAC_UP, 6); w += 8;
	m[w] = R6_OPT_MTU; m[w + 1] = 1; m[w + 6] = 0x23; m[w + 7] = 0x28; w += 8;   /* 9000 */
	m[w] = R6_OPT_PREFIX; m[w + 1] = 4; m[w + 2] = 64; m[w + 3] = 0xc0;
	memset(m + w + 4, 0xff, 8); memcpy(m + w + 16, &p, 16); w += 32;
	m[w] = R6_OPT_RDNSS; m[w + 1] = 5; memset(m + w + 4, 0xff, 4);
	memcpy(m + w + 8, &ll, 16); memcpy(m + w + 24, &g, 16); w += 40;
	m[w] = R6_OPT_DNSSL; m[w + 1] = 3; memcpy(m + w + 8, dnssl, sizeof(dnssl)); w += 24;
	return w;
}

static void test_options_walk_bounds(void)
{
	uint8_t o[16] = { 1, 1, 0, 0, 0, 0, 0, 0, 5, 0 };
	struct r6_opt opt;
	size_t off = 0;

	T_CHECK(r6_opt_next(o, 16, &off, &opt) == 1 && opt.type == 1 && opt.len == 8);
	T_CHECK(r6_opt_next(o, 16, &off, &opt) == -1);   /* length 0 */
	o[9] = 2;
	off = 8;
	T_CHECK(r6_opt_next(o, 16, &off, &opt) == -1);   /* 16 bytes from offset 8 */
	off = 0;
	T_CHECK(r6_opt_next(o, 9, &off, &opt) == 1 && r6_opt_next(o, 9, &off, &opt) == -1);
	off = 0;
	T_CHECK(r6_opt_next(o, 0, &off, &opt) == 0);
}

static void test_ip6_build_parse_and_checksum(void)
{
	struct in6_addr s = A("fe80::1"), d = A("ff02::1:ff00:5"), t = A("fd00::5");
	uint8_t ns[32], pkt[100];
	struct r6_ip6 h;
	ssize_t n = r6_ns_build(&t, MAC_UP, ns, sizeof(ns)), p;

	T_CHECK(n == 32);
	p = r6_ip6_build(&s, &d, ns, (size_t)n, pkt, sizeof(pkt));
	T_CHECK(p == 72);
	T_CHECK(r6_ip6_parse(pkt, (size_t)p, &h) == 0);
	T_CHECK(h.hop_limit == 255 && h.icmp_len == 32 && IN6_ARE_ADDR_EQUAL(&h.dst, &d));
	T_CHECK(r6_icmp_csum(&h.src, &h.dst, h.icmp, h.icmp_len) == 0);
	pkt[R6_IP6_HLEN + 10] ^= 1;
	T_CHECK(r6_icmp_csum(&h.src, &h.dst, h.icmp, h.icmp_len) != 0);
	T_CHECK(r6_ip6_parse(pkt, 60, &h) == -1);          /* payload past the end */
	pkt[6] = 17;
	T_CHECK(r6_ip6_parse(pkt, (size_t)p, &h) == -1);   /* UDP */
	T_CHECK(r6_ip6_build(&s, &d, ns, 32, pkt, 71) == -1);
}

static void test_ra_parse(void)
{
	uint8_t m[200];
	size_t n = sample_ra(m);
	struct r6_ra ra;

	T_CHECK(r6_ra_parse(m, n, &ra) == 0);
	T_CHECK(ra.lifetime == 1800 && ra.mtu == 9000 && ra.n_prefixes == 1 && ra.n_rdnss == 1);
	T_CHECK(ra.has_slla && memcmp(ra.slla, MAC_UP, 6) == 0);
	m[16 + 16 + 1] = 3;   /* a prefix option of the wrong length */
	T_CHECK(r6_ra_parse(m, n, &ra) == -1);
	T_CHECK(r6_ra_parse(m, 15, &ra) == -1);
}

static void test_ra_relay_rewrites_what_it_must(void)
{
	uint8_t m[200], out[256];
	size_t n = sample_ra(m), off = 0;
	ssize_t w = r6_ra_relay(m, n, MAC_DOWN, 1500, 0, 0, out, sizeof(out));
	struct r6_opt o;
	int slla = 0, rdnss = 0, prefix = 0;

	T_CHECK(w == (ssize_t)n - 16);   /* one RDNSS server dropped */
	T_CHECK(out[5] == (R6_RA_F_MANAGED | R6_RA_F_PROXY) && out[6] == 0x07 && out[7] == 0x08);
	while (w > 0 && r6_opt_next(out + 16, (size_t)w - 16, &off, &o) > 0) {
		if (o.type == R6_OPT_SLLA) {
			slla++;
			T_CHECK(memcmp(o.p + 2, MAC_DOWN, 6) == 0);
		}
		if (o.type == R6_OPT_MTU)
			T_CHECK(be32(o.p + 4) == 1500);
		if (o.type == R6_OPT_RDNSS) {
			struct in6_addr g = A("fd00:aaaa:bbbb:1::53");

			rdnss++;
			T_CHECK(o.len == 24 && memcmp(o.p + 8, &g, 16) == 0);
		}
		if (o.type == R6_OPT_PREFIX) {
			prefix++;
			T_CHECK(memcmp(o.p, m + 32, 32) == 0);
		}
	}
	T_CHECK(slla == 1 && rdnss == 1 && prefix == 1);
	/* stopping: lifetime 0; hybrid: O set; MTU below the clamp untouched */
	w = r6_ra_relay(m, n, MAC_DOWN, 9216, 1, 1, out, sizeof(out));
	T_CHECK(w > 0 && out[6] == 0 && out[7] == 0 && (out[5] & R6_RA_F_OTHER));
	T_CHECK(be32(out + 24 + 4) == 9000);
	T_CHECK(r6_ra_relay(m, n, MAC_DOWN, 1500, 0, 0, out, 40) == -1);
	m[33] = 1;       /* a prefix option 8 bytes long: not sent on */
	T_CHECK(r6_ra_relay(m, n, MAC_DOWN, 1500, 0, 0, out, sizeof(out)) == -1);
	m[33] = 4;
	m[n - 23] = 0;   /* DNSSL length 0: malformed */
	T_CHECK(r6_ra_relay(m, n, MAC_DOWN, 1500, 0, 0, out, sizeof(out)) == -1);
}

static void test_ra_dns_for_hybrid(void)
{
	uint8_t m[200], dom[64];
	size_t n = sample_ra(m), dl;
	struct in6_addr dns[4], g = A("fd00:aaaa:bbbb:1::53");

	T_CHECK(r6_ra_dns(m, n, dns, 4, dom, sizeof(dom), &dl) == 1);
	T_CHECK(IN6_ARE_ADDR_EQUAL(&dns[0], &g));
	T_CHECK(dl == 13 && memcmp(dom, "\x07" "example\x03" "com", 13) == 0);
	m[n - 16] = 60;   /* the label "example" now runs past the option */
	T_CHECK(r6_ra_dns(m, n, dns, 4, dom, sizeof(dom), &dl) == -1);
}

static void test_rs_ns_na(void)
{
	uint8_t b[40];
	struct r6_nd nd;
	struct in6_addr t = A("fd00::7"), sn, want = A("ff02::1:ff00:7"), mc = A("ff02::1");

	T_CHECK(r6_rs_build(MAC_UP, b, sizeof(b)) == 16);
	T_CHECK(r6_rs_parse(b, 16, &nd) == 0 && nd.has_lla && !memcmp(nd.lla, MAC_UP, 6));
	T_CHECK(r6_rs_build(NULL, b, sizeof(b)) == 8 && r6_rs_parse(b, 8, &nd) == 0 && !nd.has_lla);
	T_CHECK(r6_na_build(&t, R6_NA_F_SOLICITED, MAC_DOWN, b, sizeof(b)) == 32);
	T_CHECK(r6_na_parse(b, 32, &nd) == 0 && nd.flags == R6_NA_F_SOLICITED && nd.has_lla &&
		IN6_ARE_ADDR_EQUAL(&nd.target, &t));
	T_CHECK(r6_ns_parse(b, 32, &nd) == -1);   /* an NA is not an NS */
	T_CHECK(r6_ns_build(&mc, NULL, b, sizeof(b)) == 24 && r6_ns_parse(b, 24, &nd) == -1);
	T_CHECK(r6_ns_build(&t, MAC_UP, b, 31) == -1);
	r6_solicited_node(&t, &sn);
	T_CHECK(IN6_ARE_ADDR_EQUAL(&sn, &want));
	T_CHECK(r6_addr_proxyable(&t) && !r6_addr_proxyable(&mc));
	t = A("fe80::7");
	T_CHECK(!r6_addr_proxyable(&t));
}

/* ---- DHCPv6 ---- */

static const uint8_t SOLICIT[] = { R6_DH_SOLICIT, 0xaa, 0xbb, 0xcc,
	0, R6_DHO_CLIENTID, 0, 4, 0, 3, 0, 1 };

static void test_dhcp_relayable(void)
{
	uint8_t m[40] = { R6_DH_RELAY_FORW, 7 };

	T_CHECK(r6_dh_relayable(SOLICIT, sizeof(SOLICIT)));
	T_CHECK(r6_dh_relayable(m, 34));
	m[1] = 8;   /* HOP_COUNT_LIMIT */
	T_CHECK(!r6_dh_relayable(m, 34));
	m[0] = R6_DH_ADVERTISE;
	T_CHECK(!r6_dh_relayable(m, 4));
	m[0] = R6_DH_RELAY_REPL;
	T_CHECK(!r6_dh_relayable(m, 34));
	T_CHECK(!r6_dh_relayable(SOLICIT, sizeof(SOLICIT) - 1));   /* option cut short */
}

static void test_dhcp_relay_forward_and_reply(void)
{
	struct in6_addr link = A("fd00:aaaa:bbbb:1::2"), peer = A("fe80::c");
	uint8_t f[128], g[200], ifid[4] = { 0, 0, 0, 9 };
	ssize_t n = r6_dh_relay_forward(SOLICIT, sizeof(SOLICIT), &link, &peer, ifid, 4, f, sizeof(f));
	struct r6_relay_reply rr;
	struct r6_dhopt o;
	size_t off = 0;

	T_CHECK(n == 34 + 8 + 4 + (ssize_t)sizeof(SOLICIT));
	T_CHECK(f[0] == R6_DH_RELAY_FORW && f[1] == 0 && !memcmp(f + 2, &link, 16) &&
		!memcmp(f + 18, &peer, 16));
	T_CHECK(r6_dh_opt_next(f + 34, (size_t)n - 34, &off, &o) == 1 &&
		o.code == R6_DHO_INTERFACE_ID && o.len == 4 && !memcmp(o.data, ifid, 4));
	T_CHECK(r6_dh_opt_next(f + 34, (size_t)n - 34, &off, &o) == 1 &&
		o.code == R6_DHO_RELAY_MSG && !memcmp(o.data, SOLICIT, sizeof(SOLICIT)));
	/* wrapped again by a second relay: hop count one more */
	T_CHECK(r6_dh_relay_forward(f, (size_t)n, &link, &peer, NULL, 0, g, sizeof(g)) > 0 && g[1] == 1);
	T_CHECK(r6_dh_relay_forward(SOLICIT, sizeof(SOLICIT), &link, &peer, ifid, 4, f, 40) == -1);
	/* the server's answer: the same envelope as a Relay-Reply */
	f[0] = R6_DH_RELAY_REPL;
	T_CHECK(r6_dh_relay_reply_parse(f, (size_t)n, &rr) == 0);
	T_CHECK(rr.msg_len == sizeof(SOLICIT) && rr.ifid_len == 4 && IN6_ARE_ADDR_EQUAL(&rr.peer, &peer));
	T_CHECK(r6_dh_relay_reply_parse(f, (size_t)n - 1, &rr) == -1);
	T_CHECK(r6_dh_relay_reply_parse(f, 34 + 8, &rr) == -1);   /* no Relay Message */
	f[0] = R6_DH_RELAY_FORW;
	T_CHECK(r6_dh_relay_reply_parse(f, (size_t)n, &rr) == -1);
}

static void test_dhcp_info_reply(void)
{
	uint8_t req[] = { R6_DH_INFO_REQUEST, 1, 2, 3, 0, R6_DHO_CLIENTID, 0, 2, 0xc1, 0xc2 };
	uint8_t duid[10], out[200], other[] = { R6_DH_INFO_REQUEST, 1, 2, 3,
		0, R6_DHO_SERVERID, 0, 2, 9, 9 };
	struct in6_addr dns = A("fd00::53");
	static const uint8_t dom[] = "\x03" "lan";
	ssize_t n;
	struct r6_dhopt o;
	size_t off = 0;
	int seen = 0;

	T_CHECK(r6_dh_duid_ll(MAC_UP, duid) == 10 && duid[1] == 3 && !memcmp(duid + 4, MAC_UP, 6));
	n = r6_dh_info_reply(req, sizeof(req), duid, 10, &dns, 1, dom, 5, out, sizeof(out));
	T_CHECK(n == 4 + 6 + 14 + 20 + 9);
	T_CHECK(out[0] == R6_DH_REPLY && out[1] == 1 && out[3] == 3);
	while (n > 0 && r6_dh_opt_next(out + 4, (size_t)n - 4, &off, &o) > 0) {
		seen |= 1 << o.code % 32;
		if (o.code == R6_DHO_DNS)
			T_CHECK(o.len == 16 && !memcmp(o.data, &dns, 16));
	}
	T_CHECK(seen == (1 << R6_DHO_CLIENTID | 1 << R6_DHO_SERVERID | 1 << R6_DHO_DNS |
			 1 << R6_DHO_DOMAINS));
	T_CHECK(r6_dh_info_reply(other, sizeof(other), duid, 10, &dns, 1, dom, 5, out, sizeof(out)) == -1);
	T_CHECK(r6_dh_info_reply(SOLICIT, sizeof(SOLICIT), duid, 10, &dns, 1, dom, 5, out, sizeof(out)) == -1);
	T_CHECK(r6_dh_info_reply(req, sizeof(req), duid, 10, &dns, 1, dom, 5, out, 20) == -1);
}

/* ---- the neighbour table ---- */

static struct { int probe[2], came[2], went[2]; } ev;

static void on_ev(void *arg, enum r6_nev e, enum r6_side s, const struct in6_addr *a)
{
	(void)arg; (void)a;
	if (e == R6_NEV_PROBE) ev.probe[s]++;
	if (e == R6_NEV_CAME) ev.came[s]++;
	if (e == R6_NEV_WENT) ev.went[s]++;
}

static void test_ntab_learns_answers_and_forgets(void)
{
	struct r6_ntab t;
	struct in6_addr h = A("fd00::10"), u = A("fd00::1");

	memset(&ev, 0, sizeof(ev));
	T_CHECK(r6_ntab_init(&t, 8, 5000, on_ev, NULL) == 0);
	/* a downstream host's DAD: probed after the wait, not before */
	T_CHECK(r6_ntab_heard(&t, R6_DOWN, &h, 0, 1500) == 0);
	r6_ntab_tick(&t, 1000);
	T_CHECK(ev.probe[R6_DOWN] == 0);
	r6_ntab_tick(&t, 1500);
	T_CHECK(ev.probe[R6_DOWN] == 1);
	/* asked for from upstream before confirmed: not answered, probed now */
	T_CHECK(r6_ntab_solicited(&t, R6_UP, &h, 1600) == 0 && ev.probe[R6_DOWN] == 2);
	T_CHECK(r6_ntab_answered(&t, R6_UP, &h, 1600) == 0);    /* an NA from the wrong side */
	T_CHECK(r6_ntab_answered(&t, R6_DOWN, &h, 1600) == 1 && ev.came[R6_DOWN] == 1);
	T_CHECK(r6_ntab_solicited(&t, R6_UP, &h, 1700) == 1);   /* answered upstream */
	T_CHECK(r6_ntab_solicited(&t, R6_DOWN, &h, 1700) == 0); /* the host answers itself */
	/* an upstream address a downstream host looks for: probed upstream at once */
	T_CHECK(r6_ntab_solicited(&t, R6_DOWN, &u, 2000) == 0 && ev.probe[R6_UP] == 1);
	T_CHECK(r6_ntab_answered(&t, R6_UP, &u, 2001) == 1 && r6_ntab_solicited(&t, R6_DOWN, &u, 2002));
	/* refresh: probed again after 5 s; silent through 4 probes: gone */
	r6_ntab_tick(&t, 6599);
	T_CHECK(ev.probe[R6_DOWN] == 2);
	r6_ntab_tick(&t, 6600);
	T_CHECK(ev.probe[R6_DOWN] == 3);
	r6_ntab_tick(&t, 7600); r6_ntab_tick(&t, 8600); r6_ntab_tick(&t, 9600);
	T_CHECK(ev.went[R6_DOWN] == 0 && r6_ntab_solicited(&t, R6_UP, &h, 9600) == 1);
	r6_ntab_tick(&t, 10600);
	T_CHECK(ev.went[R6_DOWN] == 1 && !r6_ntab_find(&t, &h));
	r6_ntab_flush(&t);
	T_CHECK(ev.went[R6_UP] == 1 && t.n == 0);
	r6_ntab_free(&t);
}

static void test_ntab_is_bounded(void)
{
	struct r6_ntab t;
	struct in6_addr a = A("fd00::1"), b = A("fd00::2"), c = A("fd00::3");

	memset(&ev, 0, sizeof(ev));
	T_CHECK(r6_ntab_init(&t, 2, 5000, on_ev, NULL) == 0);
	T_CHECK(r6_ntab_heard(&t, R6_DOWN, &a, 0, 0) == 0 && r6_ntab_heard(&t, R6_DOWN, &b, 0, 0) == 0);
	T_CHECK(r6_ntab_heard(&t, R6_DOWN, &c, 0, 0) == -1);
	T_CHECK(r6_ntab_solicited(&t, R6_UP, &c, 0) == 0 && t.n == 2);
	/* never confirmed: dropped silently after the probes */
	r6_ntab_tick(&t, 0); r6_ntab_tick(&t, 1000); r6_ntab_tick(&t, 2000); r6_ntab_tick(&t, 3000);
	r6_ntab_tick(&t, 4000);
	T_CHECK(t.n == 0 && ev.went[R6_DOWN] == 0 && ev.probe[R6_DOWN] == 8);
	r6_ntab_free(&t);
}

/* ---- the command line ---- */

static int parse(struct r6_args *a, char *err, const char *const *argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return r6_parse_args(argc, (char **)argv, a, err, 256);
}

static void test_args(void)
{
	struct r6_args a;
	char err[256];
	const char *ok[] = { "x", "--upstream", "wan0", "--downstream=br-lan", "--ra", "--ndp",
			     "--hybrid", "--neigh-refresh", "10", NULL };
	const char *same[] = { "x", "--upstream", "eth0", "--downstream", "eth0", "--ra", NULL };
	const char *none[] = { "x", "--upstream", "wan0", "--downstream", "lan0", NULL };
	const char *bad_if[] = { "x", "--upstream", "../etc", "--downstream", "lan0", "--ra", NULL };
	const char *bad_ref[] = { "x", "--upstream", "a", "--downstream", "b", "--ra",
				  "--neigh-refresh", "1", NULL };
	const char *no_up[] = { "x", "--downstream", "lan0", "--ra", NULL };
	const char *unknown[] = { "x", "--relay", NULL };

	T_CHECK(parse(&a, err, ok) == 0);
	T_CHECK_STR(a.up, "wan0");
	T_CHECK_STR(a.down, "br-lan");
	T_CHECK(a.ra && a.ndp && a.hybrid && a.dhcpv6 && a.refresh_s == 10);
	T_CHECK(parse(&a, err, same) == -1 && strstr(err, "same interface \"eth0\""));
	T_CHECK(parse(&a, err, none) == -1 && strstr(err, "nothing to relay"));
	T_CHECK(parse(&a, err, bad_if) == -1 && strstr(err, "--upstream") && strstr(err, "\"../etc\""));
	T_CHECK(parse(&a, err, bad_ref) == -1 && strstr(err, "--neigh-refresh") && strstr(err, "\"1\""));
	T_CHECK(parse(&a, err, no_up) == -1 && strstr(err, "--upstream is required"));
	T_CHECK(parse(&a, err, unknown) == -1 && strstr(err, "\"--relay\""));
}

int main(void)
{
	T_RUN(test_options_walk_bounds);
	T_RUN(test_ip6_build_parse_and_checksum);
	T_RUN(test_ra_parse);
	T_RUN(test_ra_relay_rewrites_what_it_must);
	T_RUN(test_ra_dns_for_hybrid);
	T_RUN(test_rs_ns_na);
	T_RUN(test_dhcp_relayable);
	T_RUN(test_dhcp_relay_forward_and_reply);
	T_RUN(test_dhcp_info_reply);
	T_RUN(test_ntab_learns_answers_and_forgets);
	T_RUN(test_ntab_is_bounded);
	T_RUN(test_args);
	return t_done("relay6");
}
