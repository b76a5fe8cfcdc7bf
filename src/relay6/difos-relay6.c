/*
 * difos-relay6: the IPv6 relay of the LAN's "IPv6 Relay" and "IPv6 Hybrid"
 * modes, for a router that is itself a client of another router owning the
 * /64 (no prefix delegated). Between the upstream and the downstream link:
 *
 *   --ra      Router Advertisements relayed downstream (P flag set, our
 *             link-layer address, MTU clamped), Router Solicitations answered
 *   --dhcpv6  DHCPv6 relayed (Relay-Forward up to ff02::1:2, Relay-Reply down)
 *   --ndp     Neighbor Discovery proxied both ways, /128 routes to downstream
 *             hosts on the downstream interface
 *   --hybrid  as --dhcpv6, and Information-requests answered here with the
 *             DNS servers and search list of the upstream's RAs
 *
 * Nothing goes from the downstream to the upstream but Relay-Forwards and
 * solicitations the relay makes itself: RAs are never relayed upstream
 * (loop protection). Needs root (packet sockets, routes) and the sysctls
 * forwarding=1, accept_ra=2 on the upstream (set by whoever starts it).
 * One line per event on stderr; SIGTERM or SIGINT: routes removed, a last
 * RA with router lifetime 0 sent downstream, exit 0. Exit 1 on a failure
 * to start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "r6_args.h"
#include "r6_dhcp.h"
#include "r6_icmp.h"
#include "r6_link.h"
#include "r6_ntab.h"
#include "r6_route.h"

#define MAX_NEIGH 1024
#define RS_UP_GAP_MS 2000        /* at most one RS upstream per 2 s */
#define DAD_WAIT_MS 1500         /* a host's DAD done before we probe its address */

struct relay {
	struct r6_args a;
	struct r6_link up, down;
	struct r6_ntab tab;
	struct r6_rt *rt;
	uint8_t ra[1500];            /* the last upstream RA */
	size_t ra_len;
	uint64_t rs_up_at;
	int warned_down_ra;
	uint8_t duid[10];
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	fputs("difos-relay6: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *ntop(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct r6_link *link_of(struct relay *r, enum r6_side s)
{
	return s == R6_UP ? &r->up : &r->down;
}

/* ---- Router Advertisements ---- */

static void send_ra_down(struct relay *r, const struct in6_addr *dst, const uint8_t *mac, int stopping)
{
	static const struct in6_addr all_nodes = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } };
	uint8_t out[1600];
	ssize_t n;
	int e;

	if (!r->ra_len)
		return;
	n = r6_ra_relay(r->ra, r->ra_len, r->down.mac, r->down.mtu, stopping, r->a.hybrid, out, sizeof(out));
	if (n < 0)
		return;
	e = r6_link_send_nd(&r->down, dst ? dst : &all_nodes, dst ? mac : NULL, out, (size_t)n);
	if (e < 0)
		logf_("cannot send RA on %s: %s", r->down.name, strerror(-e));
}

static void send_rs_up(struct relay *r, uint64_t now)
{
	static const struct in6_addr all_routers = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 } } };
	uint8_t rs[16];
	ssize_t n;

	if (r->rs_up_at && now - r->rs_up_at < RS_UP_GAP_MS)
		return;
	r->rs_up_at = now;
	n = r6_rs_build(r->up.mac, rs, sizeof(rs));
	if (n > 0 && r6_link_send_nd(&r->up, &all_routers, NULL, rs, (size_t)n) == 0)
		logf_("no RA from upstream yet: RS sent on %s", r->up.name);
}

static void on_ra(struct relay *r, enum r6_side side, const struct r6_ip6 *h)
{
	struct r6_ra ra;
	char b[INET6_ADDRSTRLEN];
	int changed;

	if (side == R6_DOWN) {
		/* loop protection: nothing from the downstream goes up */
		if (!r->warned_down_ra++)
			logf_("RA from %s on the downstream %s ignored (RAs are relayed one way only)",
			      ntop(&h->src, b), r->down.name);
		return;
	}
	if (!IN6_IS_ADDR_LINKLOCAL(&h->src) || r6_ra_parse(h->icmp, h->icmp_len, &ra) < 0)
		return;
	/* our own relayed RA come back round a loop of links */
	if (r6_link_has(&r->down, &h->src) || r6_link_has(&r->up, &h->src) ||
	    (ra.has_slla && !memcmp(ra.slla, r->down.mac, 6))) {
		logf_("RA from %s is our own relayed one: ignored (a loop between the links?)",
		      ntop(&h->src, b));
		return;
	}
	if (h->icmp_len > sizeof(r->ra)) {
		logf_("RA from %s too long (%zu bytes): ignored", ntop(&h->src, b), h->icmp_len);
		return;
	}
	/* the checksum differs only where the content does */
	changed = r->ra_len != h->icmp_len || memcmp(r->ra, h->icmp, h->icmp_len);
	memcpy(r->ra, h->icmp, h->icmp_len);
	r->ra_len = h->icmp_len;
	if (changed)
		logf_("RA from %s on %s: %d prefix(es), router lifetime %u s, MTU %u; relayed to %s",
		      ntop(&h->src, b), r->up.name, ra.n_prefixes, ra.lifetime, ra.mtu, r->down.name);
	send_ra_down(r, NULL, NULL, 0);
}

static void on_rs(struct relay *r, enum r6_side side, const struct r6_ip6 *h, const uint8_t *mac)
{
	struct r6_nd rs;

	if (side != R6_DOWN || r6_rs_parse(h->icmp, h->icmp_len, &rs) < 0)
		return;
	if (!r->ra_len) {
		send_rs_up(r, now_ms());
		return;
	}
	/* to the asker when it has an address (RFC 4861 §6.2.6 allows unicast) */
	if (IN6_IS_ADDR_UNSPECIFIED(&h->src))
		send_ra_down(r, NULL, NULL, 0);
	else
		send_ra_down(r, &h->src, rs.has_lla ? rs.lla : mac, 0);
}

/* ---- Neighbor Discovery proxy ---- */

static void send_na(struct relay *r, enum r6_side side, const struct r6_ip6 *h, const uint8_t *mac,
		    const struct in6_addr *target)
{
	static const struct in6_addr all_nodes = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } };
	struct r6_link *l = link_of(r, side);
	int dad = IN6_IS_ADDR_UNSPECIFIED(&h->src);
	uint8_t na[32];
	/* a proxy's NA: not overriding (RFC 4861 §7.2.8), solicited unless DAD */
	ssize_t n = r6_na_build(target, dad ? 0 : R6_NA_F_SOLICITED, l->mac, na, sizeof(na));

	if (n > 0)
		r6_link_send_nd(l, dad ? &all_nodes : &h->src, dad ? NULL : mac, na, (size_t)n);
}

static void on_ns(struct relay *r, enum r6_side side, const struct r6_ip6 *h, const uint8_t *mac)
{
	enum r6_side other = side == R6_UP ? R6_DOWN : R6_UP;
	struct r6_nd ns;
	struct in6_addr sn;
	int dad = IN6_IS_ADDR_UNSPECIFIED(&h->src);

	if (r6_ns_parse(h->icmp, h->icmp_len, &ns) < 0 || !r6_addr_proxyable(&ns.target))
		return;
	r6_solicited_node(&ns.target, &sn);
	if (dad && (!IN6_ARE_ADDR_EQUAL(&h->dst, &sn) || ns.has_lla))
		return;   /* RFC 4861 §7.1.1 */
	if (ns.has_lla)
		mac = ns.lla;
	if (r6_link_has(link_of(r, side), &ns.target))
		return;   /* the kernel answers for its own addresses */
	if (r6_link_has(link_of(r, other), &ns.target)) {
		send_na(r, side, h, mac, &ns.target);   /* ours, across the router */
		return;
	}
	if (dad) {
		/* an address confirmed on the other side is defended; a downstream
		 * host that takes a new one is looked for once its DAD is over */
		const struct r6_neigh *e = r6_ntab_find(&r->tab, &ns.target);

		if (e && e->side == other && e->confirmed)
			send_na(r, side, h, mac, &ns.target);
		else if (side == R6_DOWN)
			r6_ntab_heard(&r->tab, R6_DOWN, &ns.target, now_ms(), DAD_WAIT_MS);
		return;
	}
	/* a downstream host that solicits uses its source address */
	if (side == R6_DOWN && r6_addr_proxyable(&h->src) && !r6_link_has(&r->down, &h->src))
		r6_ntab_heard(&r->tab, R6_DOWN, &h->src, now_ms(), 0);
	if (r6_ntab_solicited(&r->tab, side, &ns.target, now_ms()))
		send_na(r, side, h, mac, &ns.target);
}

static void on_na(struct relay *r, enum r6_side side, const struct r6_ip6 *h)
{
	struct r6_nd na;

	if (r6_na_parse(h->icmp, h->icmp_len, &na) < 0 || !r6_addr_proxyable(&na.target))
		return;
	if (r6_link_has(&r->up, &na.target) || r6_link_has(&r->down, &na.target))
		return;
	if (!r6_ntab_answered(&r->tab, side, &na.target, now_ms()) && side == R6_DOWN &&
	    !(na.flags & R6_NA_F_SOLICITED))
		r6_ntab_heard(&r->tab, R6_DOWN, &na.target, now_ms(), 0);   /* announced: probe it */
}

/* the neighbour table's events: probes sent, host routes added and removed */
static void on_neigh(void *arg, enum r6_nev ev, enum r6_side side, const struct in6_addr *a)
{
	struct relay *r = arg;
	static const struct in6_addr all_nodes = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } };
	struct r6_link *l = link_of(r, side), *o;
	char b[INET6_ADDRSTRLEN];
	struct in6_addr sn;
	uint8_t ns[32];
	ssize_t n;
	int e;

	switch (ev) {
	case R6_NEV_PROBE:
		r6_solicited_node(a, &sn);
		n = r6_ns_build(a, l->mac, ns, sizeof(ns));
		if (n > 0)
			r6_link_send_nd(l, &sn, NULL, ns, (size_t)n);
		break;
	case R6_NEV_CAME:
		o = link_of(r, side == R6_UP ? R6_DOWN : R6_UP);
		logf_("neighbour %s is on %s: proxied on %s", ntop(a, b), l->name, o->name);
		/* the route first: the other side may send to it as soon as told */
		if (side == R6_DOWN && r->rt && (e = r6_rt_host(r->rt, 1, a, r->down.ifindex)) < 0)
			logf_("cannot add the route to %s/128 on %s: %s", ntop(a, b), l->name, strerror(-e));
		/* told at once on the other side: a host there still resolving it
		 * completes without waiting for its next NS (RFC 4861 §7.2.5: an
		 * INCOMPLETE entry takes the address of any NA) */
		n = r6_na_build(a, 0, o->mac, ns, sizeof(ns));
		if (n > 0)
			r6_link_send_nd(o, &all_nodes, NULL, ns, (size_t)n);
		break;
	case R6_NEV_WENT:
		logf_("neighbour %s on %s went away", ntop(a, b), l->name);
		if (side == R6_DOWN && r->rt && (e = r6_rt_host(r->rt, 0, a, r->down.ifindex)) < 0 &&
		    e != -ESRCH)
			logf_("cannot remove the route to %s/128: %s", ntop(a, b), strerror(-e));
		break;
	}
}

static void on_nd_packet(struct relay *r, enum r6_side side)
{
	uint8_t buf[2048], mac[6];
	struct r6_ip6 h;
	ssize_t n;

	while ((n = r6_link_recv_nd(link_of(r, side), buf, sizeof(buf), mac)) >= 0) {
		if (n == 0 || r6_ip6_parse(buf, (size_t)n, &h) < 0 || h.hop_limit != R6_ND_HOPLIMIT ||
		    r6_icmp_csum(&h.src, &h.dst, h.icmp, h.icmp_len) != 0)
			continue;   /* RFC 4861 §6.1, §7.1: hop limit 255, good checksum */
		switch (h.icmp[0]) {
		case R6_ND_RA:
			if (r->a.ra)
				on_ra(r, side, &h);
			break;
		case R6_ND_RS:
			if (r->a.ra)
				on_rs(r, side, &h, mac);
			break;
		case R6_ND_NS:
			if (r->a.ndp)
				on_ns(r, side, &h, mac);
			break;
		case R6_ND_NA:
			if (r->a.ndp)
				on_na(r, side, &h);
			break;
		}
	}
}

/* ---- DHCPv6 ---- */

/* the link-address of our Relay-Forwards: an address the server can place
 * the client by. Downstream hosts use the upstream's /64, so a global
 * address of the downstream, else of the upstream, else :: */
static void link_address(struct relay *r, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (r->down.n_addrs)
		*out = r->down.addrs[0];
	else if (r->up.n_addrs)
		*out = r->up.addrs[0];
}

static void answer_info_request(struct relay *r, const uint8_t *m, size_t n,
				const struct sockaddr_in6 *from)
{
	struct in6_addr dns[8];
	uint8_t domains[512], out[1500];
	size_t dlen = 0;
	int nd = r->ra_len ? r6_ra_dns(r->ra, r->ra_len, dns, 8, domains, sizeof(domains), &dlen) : 0;
	ssize_t len;
	char b[INET6_ADDRSTRLEN];

	if (nd < 0)
		nd = 0, dlen = 0;
	len = r6_dh_info_reply(m, n, r->duid, sizeof(r->duid), dns, nd, domains, dlen, out, sizeof(out));
	if (len < 0)
		return;
	if (sendto(r->down.dh_fd, out, (size_t)len, 0, (const struct sockaddr *)from, sizeof(*from)) < 0)
		logf_("cannot answer %s: %s", ntop(&from->sin6_addr, b), strerror(errno));
	else
		logf_("Information-request from %s answered here (%d DNS server(s))",
		      ntop(&from->sin6_addr, b), nd);
}

static void on_dh_down(struct relay *r)
{
	uint8_t m[1500], out[1600];
	struct sockaddr_in6 from, to = { .sin6_family = AF_INET6, .sin6_port = htons(547),
					 .sin6_scope_id = (uint32_t)r->up.ifindex };
	socklen_t fl = sizeof(from);
	uint32_t ifid = htonl((uint32_t)r->down.ifindex);
	struct in6_addr link;
	ssize_t n, len;
	char b[INET6_ADDRSTRLEN];

	while ((n = recvfrom(r->down.dh_fd, m, sizeof(m), 0, (struct sockaddr *)&from, &fl)) >= 0) {
		fl = sizeof(from);
		if (!r6_dh_relayable(m, (size_t)n))
			continue;
		if (r->a.hybrid && m[0] == R6_DH_INFO_REQUEST) {
			answer_info_request(r, m, (size_t)n, &from);
			continue;
		}
		link_address(r, &link);
		len = r6_dh_relay_forward(m, (size_t)n, &link, &from.sin6_addr, (const uint8_t *)&ifid,
					  sizeof(ifid), out, sizeof(out));
		if (len < 0)
			continue;
		inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
		if (sendto(r->up.dh_fd, out, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			logf_("cannot relay DHCPv6 from %s: %s", ntop(&from.sin6_addr, b), strerror(errno));
		else
			logf_("DHCPv6 message %u from %s relayed to %s", m[0], ntop(&from.sin6_addr, b),
			      r->up.name);
	}
}

static void on_dh_up(struct relay *r)
{
	uint8_t m[1600];
	struct sockaddr_in6 from, to = { .sin6_family = AF_INET6,
					 .sin6_scope_id = (uint32_t)r->down.ifindex };
	socklen_t fl = sizeof(from);
	struct r6_relay_reply rr;
	uint32_t ifid = htonl((uint32_t)r->down.ifindex);
	ssize_t n;
	char b[INET6_ADDRSTRLEN];

	while ((n = recvfrom(r->up.dh_fd, m, sizeof(m), 0, (struct sockaddr *)&from, &fl)) >= 0) {
		fl = sizeof(from);
		if (r6_dh_relay_reply_parse(m, (size_t)n, &rr) < 0)
			continue;
		if (rr.ifid && (rr.ifid_len != sizeof(ifid) || memcmp(rr.ifid, &ifid, sizeof(ifid)))) {
			logf_("Relay-Reply for another interface ignored");
			continue;
		}
		/* a reply for a relay below us goes to its server port */
		to.sin6_addr = rr.peer;
		to.sin6_port = htons(rr.msg[0] == R6_DH_RELAY_REPL ? 547 : 546);
		if (sendto(r->down.dh_fd, rr.msg, rr.msg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			logf_("cannot send DHCPv6 reply to %s: %s", ntop(&rr.peer, b), strerror(errno));
		else
			logf_("DHCPv6 message %u for %s relayed to %s", rr.msg[0], ntop(&rr.peer, b),
			      r->down.name);
	}
}

/* ---- the loop ---- */

static int start(struct relay *r)
{
	struct r6_link *ls[2] = { &r->up, &r->down };
	int i, e;

	for (i = 0; i < 2; i++) {
		if (r6_link_refresh(ls[i]) < 0) {
			logf_("no interface \"%s\"", ls[i]->name);
			return -1;
		}
		if ((r->a.ra || r->a.ndp) && (e = r6_link_open_nd(ls[i])) < 0) {
			logf_("cannot listen for Neighbor Discovery on %s: %s", ls[i]->name, strerror(-e));
			return -1;
		}
		if (r->a.dhcpv6 && (e = r6_link_open_dh(ls[i], ls[i] == &r->down)) < 0) {
			logf_("cannot open the DHCPv6 port 547 on %s: %s", ls[i]->name, strerror(-e));
			return -1;
		}
	}
	r6_dh_duid_ll(r->up.mac, r->duid);
	if (r->a.ndp) {
		r->rt = r6_rt_open();
		if (!r->rt) {
			logf_("cannot open rtnetlink: %s", strerror(errno));
			return -1;
		}
		if ((e = r6_rt_flush(r->rt, r->down.ifindex)) > 0)
			logf_("removed %d host route(s) left by an earlier run", e);
	}
	if (r6_ntab_init(&r->tab, MAX_NEIGH, r->a.refresh_s * 1000, on_neigh, r) < 0)
		return -1;
	logf_("relaying%s%s%s%s from %s to %s", r->a.ra ? " RA" : "", r->a.dhcpv6 ? " DHCPv6" : "",
	      r->a.hybrid ? " (hybrid)" : "", r->a.ndp ? " NDP" : "", r->up.name, r->down.name);
	if (r->a.ra)
		send_rs_up(r, now_ms());
	return 0;
}

static void stop(struct relay *r)
{
	if (r->a.ra && r->ra_len) {
		send_ra_down(r, NULL, NULL, 1);   /* router lifetime 0: we go */
		logf_("last RA sent on %s with router lifetime 0", r->down.name);
	}
	r6_ntab_flush(&r->tab);   /* WENT for each: host routes removed */
	if (r->rt)
		r6_rt_flush(r->rt, r->down.ifindex);
	r6_ntab_free(&r->tab);
	r6_rt_close(r->rt);
	r6_link_close(&r->up);
	r6_link_close(&r->down);
}

int main(int argc, char **argv)
{
	struct relay r = { 0 };
	char err[256];
	sigset_t mask;
	struct pollfd p[5];
	uint64_t last_refresh = 0;
	int sfd, running = 1;

	if (r6_parse_args(argc, argv, &r.a, err, sizeof(err)) < 0) {
		fprintf(stderr, "difos-relay6: %s\n%s", err, r6_usage);
		return 2;
	}
	if (r.a.help) {
		fputs(r6_usage, stdout);
		return 0;
	}
	r.up = (struct r6_link){ .name = r.a.up, .pkt_fd = -1, .dh_fd = -1 };
	r.down = (struct r6_link){ .name = r.a.down, .pkt_fd = -1, .dh_fd = -1 };
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0 || start(&r) < 0) {
		stop(&r);
		return 1;
	}
	while (running) {
		uint64_t now = now_ms();
		uint32_t wait = r6_ntab_tick(&r.tab, now);
		int fds[4] = { r.up.pkt_fd, r.down.pkt_fd, r.up.dh_fd, r.down.dh_fd }, i;

		if (now - last_refresh >= 1000) {   /* addresses come and go */
			r6_link_refresh(&r.up);
			r6_link_refresh(&r.down);
			last_refresh = now;
		}
		p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (i = 0; i < 4; i++)
			p[i + 1] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		if (poll(p, 5, wait > 1000 ? 1000 : (int)wait) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				logf_("signal %u: stopping", si.ssi_signo);
			running = 0;
		}
		if (p[1].revents & POLLIN)
			on_nd_packet(&r, R6_UP);
		if (p[2].revents & POLLIN)
			on_nd_packet(&r, R6_DOWN);
		if (p[3].revents & POLLIN)
			on_dh_up(&r);
		if (p[4].revents & POLLIN)
			on_dh_down(&r);
	}
	stop(&r);
	close(sfd);
	return 0;
}
