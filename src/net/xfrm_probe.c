/* The kernel's ESP, probed through XFRM netlink (xfrm_probe.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "net/xfrm_probe.h"

/* the state's SPI: a value no IKE daemon hands out on a loopback */
#define PROBE_SPI 0xd1f05e50u

static int xfrm_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, char *why, size_t whylen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	unsigned seq = nlh->nlmsg_seq;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(why, whylen, "cannot ask the kernel: %s", strerror(errno));
		return -1;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL, NULL) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static void put_algo(struct nlmsghdr *nlh, int type, const char *name, unsigned bits)
{
	char raw[sizeof(struct xfrm_algo) + 64] = { 0 };
	struct xfrm_algo *a = (struct xfrm_algo *)raw;

	snprintf(a->alg_name, sizeof(a->alg_name), "%s", name);
	a->alg_key_len = bits;
	memset(a->alg_key, 0x5a, bits / 8);
	mnl_attr_put(nlh, (uint16_t)type, sizeof(*a) + bits / 8, a);
}

bool net_xfrm_esp_works(char *why, size_t whylen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	struct nlmsghdr *nlh;
	struct xfrm_usersa_info *sa;
	struct xfrm_usersa_id *id;
	unsigned seq = (unsigned)time(NULL);
	in_addr_t lo = htonl(INADDR_LOOPBACK);
	bool ok;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(why, whylen, "no XFRM netlink: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return false;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	sa = mnl_nlmsg_put_extra_header(nlh, sizeof(*sa));
	sa->id.daddr.a4 = lo;
	sa->id.spi = htonl(PROBE_SPI);
	sa->id.proto = IPPROTO_ESP;
	sa->saddr.a4 = lo;
	sa->family = AF_INET;
	sa->mode = XFRM_MODE_TRANSPORT;
	sa->lft.soft_byte_limit = sa->lft.hard_byte_limit = XFRM_INF;
	sa->lft.soft_packet_limit = sa->lft.hard_packet_limit = XFRM_INF;
	put_algo(nlh, XFRMA_ALG_CRYPT, "cbc(aes)", 128);
	put_algo(nlh, XFRMA_ALG_AUTH, "hmac(sha1)", 160);
	ok = xfrm_talk(nl, nlh, why, whylen) == 0;
	if (ok) {
		char ignored[128];

		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = XFRM_MSG_DELSA;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = seq + 1;
		id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
		id->daddr.a4 = lo;
		id->spi = htonl(PROBE_SPI);
		id->family = AF_INET;
		id->proto = IPPROTO_ESP;
		xfrm_talk(nl, nlh, ignored, sizeof(ignored));
	}
	mnl_socket_close(nl);
	return ok;
}
