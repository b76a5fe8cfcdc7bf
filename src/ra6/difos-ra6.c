/*
 * difos-ra6: the Router Advertisements of the LAN in the server modes.
 *
 *     difos-ra6 --interface br-lan [--managed] [--other] [--no-autonomous]
 *               [--rdnss ADDR]... [--router-lifetime SECONDS]
 *
 * It advertises every global /64 the interface holds, with the lifetimes
 * the kernel counts for its address (capped at RFC 9096's limits): the
 * address table is the one truth, so an address deprecated there (preferred
 * lifetime 0, the LAN's renumbering) is advertised deprecated in the very
 * next RA, and a /64 whose address went is advertised with lifetimes 0 in
 * the next three. dnsmasq's RA could not be used for this: it leaves a
 * deprecated address out and keeps advertising a removed one with its old
 * lifetimes.
 *
 * It reads address changes by netlink (an RA follows at once, two more
 * 2 s apart), answers Router Solicitations (hop limit 255 only) by unicast,
 * and sends one unsolicited RA every 200 to 600 s (within a third of the
 * shortest valid lifetime it advertises). On SIGTERM a last RA
 * with router lifetime 0 tells the hosts it is gone. libc and libmnl only.
 * Exit 0 after SIGTERM/SIGINT, 1 when it cannot start, 2 on a bad command line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ra6/ra6_build.h"

/* a /64 that went from the interface: advertised with lifetimes 0 this many times */
#define RA6_GONE_REPEAT 3

struct ra6_state {
	struct ra6_conf conf;
	unsigned ifindex;
	int icmp;                                  /* raw ICMPv6 socket */
	struct mnl_socket *watch;                  /* address notifications */
	struct ra6_prefix now[RA6_MAX_PREFIXES];   /* on the interface */
	int n_now;
	struct ra6_prefix gone[RA6_MAX_PREFIXES];  /* went: still told with lifetimes 0 */
	int gone_left[RA6_MAX_PREFIXES];
	int n_gone;
	struct in6_addr ll;                        /* own link-local (the RA's source) */
	bool has_ll;
};

static volatile sig_atomic_t ra6_stop;

static void ra6_on_signal(int sig)
{
	(void)sig;
	ra6_stop = 1;
}

static double ra6_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the interface's addresses ---- */

static int ra6_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, IFA_MAX) >= 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void ra6_add_prefix(struct ra6_state *s, const struct in6_addr *addr, uint32_t pref,
			   uint32_t valid)
{
	struct ra6_prefix p = { .len = 64, .preferred = pref, .valid = valid };

	memcpy(&p.prefix, addr, 8);
	for (int i = 0; i < s->n_now; i++) {
		if (!memcmp(&s->now[i].prefix, &p.prefix, 16)) {
			/* two addresses in one /64: the longer lifetimes */
			if (pref > s->now[i].preferred)
				s->now[i].preferred = pref;
			if (valid > s->now[i].valid)
				s->now[i].valid = valid;
			return;
		}
	}
	if (s->n_now < RA6_MAX_PREFIXES)
		s->now[s->n_now++] = p;
}

static int ra6_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ra6_state *s = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct in6_addr *addr;
	uint32_t flags, pref = 0xffffffffu, valid = 0xffffffffu;

	if (ifa->ifa_family != AF_INET6 || ifa->ifa_index != s->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), ra6_attr_cb, tb);
	if (!tb[IFA_ADDRESS] || mnl_attr_get_payload_len(tb[IFA_ADDRESS]) != 16)
		return MNL_CB_OK;
	addr = mnl_attr_get_payload(tb[IFA_ADDRESS]);
	flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if (tb[IFA_CACHEINFO] && mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		const struct ifa_cacheinfo *ci = mnl_attr_get_payload(tb[IFA_CACHEINFO]);
		pref = ci->ifa_prefered;
		valid = ci->ifa_valid;
	}
	if (flags & IFA_F_DEPRECATED)
		pref = 0;
	if (ifa->ifa_scope == RT_SCOPE_LINK) {
		if (!(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))) {
			s->ll = *addr;
			s->has_ll = true;
		}
	} else if (ifa->ifa_scope == RT_SCOPE_UNIVERSE && ifa->ifa_prefixlen == 64 &&
		   !(flags & IFA_F_DADFAILED) && valid > 0) {
		ra6_add_prefix(s, addr, pref, valid);
	}
	return MNL_CB_OK;
}

/* Reads the interface's addresses again; 0, or -1 when netlink failed. */
static int ra6_read_addrs(struct ra6_state *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	unsigned seq = (unsigned)time(NULL), portid;
	ssize_t n;
	int rc = -1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	s->n_now = 0;
	s->has_ll = false;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		int r = mnl_cb_run(buf, (size_t)n, seq, portid, ra6_addr_cb, s);
		if (r == MNL_CB_STOP) {
			rc = 0;
			break;
		}
		if (r < 0)
			break;
	}
out:
	if (nl)
		mnl_socket_close(nl);
	return rc;
}

/* The /64s advertised before that the interface no longer holds. */
static bool ra6_note_gone(struct ra6_state *s, const struct ra6_prefix *before, int n_before)
{
	bool changed = n_before != s->n_now;

	for (int i = 0; i < n_before; i++) {
		bool still = false;
		for (int j = 0; j < s->n_now; j++)
			if (!memcmp(&before[i].prefix, &s->now[j].prefix, 16)) {
				still = true;
				changed = changed || (before[i].preferred == 0) != (s->now[j].preferred == 0);
			}
		if (!still && s->n_gone < RA6_MAX_PREFIXES) {
			s->gone[s->n_gone] = before[i];
			s->gone[s->n_gone].preferred = s->gone[s->n_gone].valid = 0;
			s->gone_left[s->n_gone++] = RA6_GONE_REPEAT;
			changed = true;
		}
	}
	/* one that came back is no longer gone */
	for (int i = 0; i < s->n_gone; i++)
		for (int j = 0; j < s->n_now; j++)
			if (!memcmp(&s->gone[i].prefix, &s->now[j].prefix, 16))
				s->gone_left[i] = 0;
	return changed;
}

static void ra6_log_prefixes(const struct ra6_state *s)
{
	char text[INET6_ADDRSTRLEN];

	fprintf(stderr, "difos-ra6: %s advertises %d prefix(es)%s\n", s->conf.ifname, s->n_now,
		s->n_now ? ":" : "");
	for (int i = 0; i < s->n_now; i++) {
		uint32_t pref, valid;
		ra6_lifetimes(&s->now[i], &pref, &valid);
		inet_ntop(AF_INET6, &s->now[i].prefix, text, sizeof(text));
		fprintf(stderr, "difos-ra6:   %s/64 preferred %u valid %u%s\n", text, pref, valid,
			pref ? "" : " (deprecated)");
	}
	for (int i = 0; i < s->n_gone; i++)
		if (s->gone_left[i] > 0) {
			inet_ntop(AF_INET6, &s->gone[i].prefix, text, sizeof(text));
			fprintf(stderr, "difos-ra6:   %s/64 gone: lifetimes 0\n", text);
		}
}

/* ---- sending ---- */

static int ra6_send(struct ra6_state *s, const struct in6_addr *to, bool final)
{
	struct ra6_prefix all[2 * RA6_MAX_PREFIXES];
	uint8_t msg[1024], mac[6], cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))] = { 0 };
	struct ifreq ifr = { 0 };
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_scope_id = s->ifindex };
	struct iovec iov;
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;
	struct in6_pktinfo *pi;
	struct ra6_conf conf = s->conf;
	uint32_t mtu = 0;
	bool has_mac = false;
	int n = 0;
	size_t len;

	if (!s->has_ll)
		return -1;   /* no link-local yet (DAD): the next change sends */
	for (int i = 0; i < s->n_now; i++)
		all[n++] = s->now[i];
	for (int i = 0; i < s->n_gone; i++)
		if (s->gone_left[i] > 0)
			all[n++] = s->gone[i];
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->conf.ifname);
	if (ioctl(s->icmp, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 1280)
		mtu = (uint32_t)ifr.ifr_mtu;
	if (ioctl(s->icmp, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		has_mac = true;
	}
	if (final)
		conf.router_lifetime = 0;
	len = ra6_build(&conf, all, n, &s->ll, mtu, has_mac ? mac : NULL, msg, sizeof(msg));
	if (!len)
		return -1;
	if (to)
		dst.sin6_addr = *to;
	else
		inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
	iov.iov_base = msg;
	iov.iov_len = len;
	mh.msg_name = &dst;
	mh.msg_namelen = sizeof(dst);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in6_pktinfo *)CMSG_DATA(cm);
	pi->ipi6_addr = s->ll;                    /* an RA comes from a link-local address */
	pi->ipi6_ifindex = s->ifindex;
	if (sendmsg(s->icmp, &mh, 0) < 0) {
		fprintf(stderr, "difos-ra6: cannot send an RA on %s: %s\n", s->conf.ifname,
			strerror(errno));
		return -1;
	}
	if (!to)
		for (int i = 0; i < s->n_gone; i++)
			if (s->gone_left[i] > 0)
				s->gone_left[i]--;
	return 0;
}

/* ---- setting up ---- */

static int ra6_open(struct ra6_state *s)
{
	struct icmp6_filter f;
	struct ipv6_mreq mr = { .ipv6mr_interface = s->ifindex };
	int on = 1, hops = 255, off = 0;

	s->icmp = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (s->icmp < 0)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &f);
	inet_pton(AF_INET6, "ff02::2", &mr.ipv6mr_multiaddr);
	if (setsockopt(s->icmp, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0 ||
	    setsockopt(s->icmp, SOL_SOCKET, SO_BINDTODEVICE, s->conf.ifname,
		       (socklen_t)strlen(s->conf.ifname)) < 0 ||
	    setsockopt(s->icmp, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) < 0 ||
	    setsockopt(s->icmp, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(s->icmp, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(s->icmp, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0 ||
	    setsockopt(s->icmp, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		return -1;
	s->watch = mnl_socket_open(NETLINK_ROUTE);
	if (!s->watch || mnl_socket_bind(s->watch, RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	return 0;
}

/* A Router Solicitation: its source when it is one to answer (hop limit 255). */
static bool ra6_read_rs(struct ra6_state *s, struct in6_addr *from, bool *unicast)
{
	uint8_t buf[1500], cbuf[256];
	struct sockaddr_in6 src;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_name = &src, .msg_namelen = sizeof(src), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	int hop = -1;
	ssize_t n = recvmsg(s->icmp, &mh, MSG_DONTWAIT);

	if (n < 8 || buf[0] != ND_ROUTER_SOLICIT || buf[1] != 0)
		return false;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&hop, CMSG_DATA(cm), sizeof(hop));
	if (hop != 255)
		return false;   /* RFC 4861 §6.1.1: not from this link */
	*from = src.sin6_addr;
	*unicast = !IN6_IS_ADDR_UNSPECIFIED(&src.sin6_addr);
	return true;
}

static double ra6_next_unsolicited(const struct ra6_state *s, double now)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)now;
	return now + ra6_interval(s->now, s->n_now, r);
}

int main(int argc, char **argv)
{
	struct ra6_state s = { .icmp = -1 };
	char err[256];
	double next, initial_gap = 2.0;
	int initial_left = 0;
	struct sigaction sa = { .sa_handler = ra6_on_signal };

	if (ra6_parse_args(argc, argv, &s.conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "difos-ra6: %s\n", err);
		return 2;
	}
	s.ifindex = if_nametoindex(s.conf.ifname);
	if (!s.ifindex || ra6_open(&s) < 0) {
		fprintf(stderr, "difos-ra6: cannot advertise on %s: %s\n", s.conf.ifname,
			s.ifindex ? strerror(errno) : "no such interface");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "difos-ra6: advertising on %s (M %d, O %d, A %d)\n", s.conf.ifname,
		s.conf.managed, s.conf.other, s.conf.autonomous);
	ra6_read_addrs(&s);
	ra6_log_prefixes(&s);
	next = ra6_now();   /* the first one at once, then two more 2 s apart */
	initial_left = 3;
	while (!ra6_stop) {
		struct pollfd pfd[2] = { { .fd = s.icmp, .events = POLLIN },
					 { .fd = mnl_socket_get_fd(s.watch), .events = POLLIN } };
		double now = ra6_now();
		int wait = next > now ? (int)((next - now) * 1000) + 1 : 0;

		if (poll(pfd, 2, wait) < 0 && errno != EINTR)
			break;
		if (ra6_stop)
			break;
		if (pfd[1].revents & POLLIN) {
			char buf[MNL_SOCKET_BUFFER_SIZE];
			struct ra6_prefix before[RA6_MAX_PREFIXES];
			int n_before = s.n_now;

			/* what changed is read whole again: notifications only wake us */
			while (recv(mnl_socket_get_fd(s.watch), buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
			memcpy(before, s.now, sizeof(before));
			if (ra6_read_addrs(&s) == 0 && ra6_note_gone(&s, before, n_before)) {
				ra6_log_prefixes(&s);
				next = ra6_now();
				initial_left = 3;
			}
			if (!s.has_ll)   /* the link-local came late: start when it is there */
				continue;
		}
		if (pfd[0].revents & POLLIN) {
			struct in6_addr from;
			bool unicast;
			if (ra6_read_rs(&s, &from, &unicast)) {
				if (!s.n_now && !s.has_ll)
					ra6_read_addrs(&s);
				ra6_send(&s, unicast ? &from : NULL, false);
			}
		}
		now = ra6_now();
		if (now >= next) {
			if (!s.has_ll)
				ra6_read_addrs(&s);
			if (ra6_send(&s, NULL, false) < 0 && !s.has_ll) {
				next = now + 1;   /* DAD of the link-local: try again soon */
				continue;
			}
			if (initial_left > 0)
				initial_left--;
			next = initial_left > 0 ? now + initial_gap : ra6_next_unsolicited(&s, now);
		}
	}
	/* RFC 4861 §6.2.5: a router that stops says so */
	ra6_send(&s, NULL, true);
	fprintf(stderr, "difos-ra6: stopped on %s\n", s.conf.ifname);
	mnl_socket_close(s.watch);
	close(s.icmp);
	return 0;
}
