/* The relay's links: interface facts and sockets (see r6_link.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "r6_icmp.h"
#include "r6_link.h"

int r6_link_refresh(struct r6_link *l)
{
	struct ifaddrs *ifa, *i;
	struct ifreq ifr;
	int fd;

	l->ifindex = (int)if_nametoindex(l->name);
	if (!l->ifindex)
		return -1;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, l->name, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(l->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		l->mtu = (unsigned)ifr.ifr_mtu;
	close(fd);
	if (getifaddrs(&ifa) < 0)
		return 0;   /* keep the addresses read last time */
	l->has_ll = 0;
	l->n_addrs = 0;
	for (i = ifa; i; i = i->ifa_next) {
		const struct in6_addr *a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || strcmp(i->ifa_name, l->name))
			continue;
		a = &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
		if (IN6_IS_ADDR_LINKLOCAL(a)) {
			if (!l->has_ll) {
				l->ll = *a;
				l->has_ll = 1;
			}
		} else if (l->n_addrs < R6_MAX_ADDRS) {
			l->addrs[l->n_addrs++] = *a;
		}
	}
	freeifaddrs(ifa);
	return 0;
}

int r6_link_has(const struct r6_link *l, const struct in6_addr *a)
{
	int i;

	if (l->has_ll && IN6_ARE_ADDR_EQUAL(&l->ll, a))
		return 1;
	for (i = 0; i < l->n_addrs; i++)
		if (IN6_ARE_ADDR_EQUAL(&l->addrs[i], a))
			return 1;
	return 0;
}

int r6_link_open_nd(struct r6_link *l)
{
	/* IPv6 packets whose next header is ICMPv6 and type 133..136 (offsets
	 * from the IPv6 header: a datagram packet socket has no Ethernet header) */
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 5),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, R6_IP6_HLEN),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, R6_ND_RS, 0, 3),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, R6_ND_NA, 2, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6),
				   .sll_ifindex = l->ifindex };
	struct packet_mreq mr = { .mr_ifindex = l->ifindex, .mr_type = PACKET_MR_ALLMULTI };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IPV6));

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	l->pkt_fd = fd;
	return 0;
}

int r6_link_open_dh(struct r6_link *l, int join)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(547) };
	struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned)l->ifindex };
	int one = 1, fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	inet_pton(AF_INET6, "ff02::1:2", &mr.ipv6mr_multiaddr);
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, l->name, (socklen_t)strlen(l->name)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &l->ifindex, sizeof(l->ifindex)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (join && setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0)) {
		int e = errno;

		close(fd);
		return -e;
	}
	l->dh_fd = fd;
	return 0;
}

void r6_link_close(struct r6_link *l)
{
	if (l->pkt_fd >= 0)
		close(l->pkt_fd);
	if (l->dh_fd >= 0)
		close(l->dh_fd);
	l->pkt_fd = l->dh_fd = -1;
}

int r6_link_send_nd(struct r6_link *l, const struct in6_addr *dst, const uint8_t *mac,
		    const uint8_t *msg, size_t len)
{
	uint8_t pkt[2048];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6),
				   .sll_ifindex = l->ifindex, .sll_halen = 6 };
	ssize_t n;

	if (!l->has_ll)
		return -EADDRNOTAVAIL;
	n = r6_ip6_build(&l->ll, dst, msg, len, pkt, sizeof(pkt));
	if (n < 0)
		return -EMSGSIZE;
	if (mac)
		memcpy(sll.sll_addr, mac, 6);
	else
		r6_mcast_mac(dst, sll.sll_addr);
	if (sendto(l->pkt_fd, pkt, (size_t)n, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

ssize_t r6_link_recv_nd(struct r6_link *l, uint8_t *buf, size_t cap, uint8_t mac[6])
{
	struct sockaddr_ll sll;
	socklen_t sl = sizeof(sll);
	ssize_t n = recvfrom(l->pkt_fd, buf, cap, 0, (struct sockaddr *)&sll, &sl);

	if (n < 0)
		return -errno;
	if (sll.sll_pkttype == PACKET_OUTGOING || sll.sll_halen != 6)
		return 0;
	memcpy(mac, sll.sll_addr, 6);
	return n;
}
