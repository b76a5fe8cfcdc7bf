/*
 * One rtnetlink request and its acknowledgement, and how a failed op is
 * said: what the writers of links, addresses, routes and rules share.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/util.h"
#include "net/nl_write.h"
#include "net/nl_write_int.h"

int nl_request(struct nlmsghdr *nlh)
{
	static unsigned seq_next;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned portid;
	ssize_t n;
	int rc = -EIO;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned)time(NULL) + ++seq_next;
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	/* the acknowledgement: an error message whose number is 0 on success */
	rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL) < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return rc;
}

int nl_fail(const struct nl_op *op, int rc, const char *why, char **err)
{
	if (err) {
		char *text = nl_op_text(op);
		free(*err);
		*err = xasprintf("%s: %s", text, why ? why : strerror(-rc));
		free(text);
	}
	return -1;
}

/* the device's index, or 0 with the error said */
unsigned nl_dev_index(const struct nl_op *op, const char *dev, char **err)
{
	unsigned i = dev ? if_nametoindex(dev) : 0;

	if (!i) {
		char *why = xasprintf("Cannot find device \"%s\"", dev ? dev : "");
		nl_fail(op, -ENODEV, why, err);
		free(why);
	}
	return i;
}
