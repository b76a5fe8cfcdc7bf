/*
 * The set files' netlink socket (nft_set_int.h). Why one, kept open:
 * closing a netlink socket right after a transaction makes the kernel wait
 * there for the transaction's cleanup (an RCU grace period, milliseconds
 * on a small machine), many times the cost of adding an element. After any
 * error given to a caller it is closed and a new one opened, so nothing of
 * a failed call is read by the next.
 */
#include <netinet/in.h> /* before the kernel headers, which then leave its types alone */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "core/util.h"
#include "net/nft_set_int.h"

pthread_mutex_t nft_set_mutex = PTHREAD_MUTEX_INITIALIZER;
char nft_set_rbuf[65536];
static struct mnl_socket *set_nl;

void nft_set_err(char **err, const char *set, const char *why)
{
	if (!err)
		return;
	free(*err);
	*err = xasprintf("nft set %s: %s", set, why);
}

void nft_set_sock_drop(void)
{
	if (set_nl)
		mnl_socket_close(set_nl);
	set_nl = NULL;
}

struct mnl_socket *nft_set_sock(char **err, const char *set)
{
	/* 100,000 elements are a few MB each way; the kernel doubles these */
	int big = 32 << 20, one = 1;
	struct timeval tv = { .tv_sec = 10 };
	struct mnl_socket *nl;

	if (set_nl)
		return set_nl;
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl) {
		nft_set_err(err, set, strerror(errno));
		return NULL;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* an error echoes only the failing message's header, not its elements */
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nft_set_err(err, set, strerror(errno));
		mnl_socket_close(nl);
		return NULL;
	}
	set_nl = nl;
	return nl;
}

int nft_set_exists(struct mnl_socket *nl, const char *table, const char *set)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *nlh =
		nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, NFPROTO_INET, NLM_F_ACK, seq);
	ssize_t n;

	mnl_attr_put_strz(nlh, NFTA_SET_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_SET_NAME, set);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	/* the set's description then an ack, or only an error */
	while ((n = mnl_socket_recvfrom(nl, nft_set_rbuf, sizeof(nft_set_rbuf))) > 0) {
		int rc = mnl_cb_run(nft_set_rbuf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL, NULL);
		if (rc < 0)
			return errno == ENOENT ? 0 : -1;
		if (rc == MNL_CB_STOP)
			return 1;
	}
	return -1;
}

