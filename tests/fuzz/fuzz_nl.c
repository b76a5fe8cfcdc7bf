/*
 * libFuzzer target: what the kernel and the network send back to the
 * dashboard's reads. The input is taken as a stream of netlink messages
 * (each given to every rtnetlink parser), and as the packets the
 * connectivity check reads (an echo reply, a DNS answer).
 */
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/dashboards/router/dashboard.h"
#include "net/nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* netlink messages are 4-byte aligned: a copy that is */
	uint32_t *buf = malloc(size + 4);
	const struct nlmsghdr *nlh;
	json_t *out = json_array();
	int len = (int)size;

	memcpy(buf, data, size);
	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		nl_parse_link(nlh, out);
		nl_parse_addr(nlh, out);
		nl_parse_neigh(nlh, out);
		nl_parse_route(nlh, out);
		nl_parse_rule(nlh, out);
	}
	json_decref(nl_join_addrs(out, out));
	json_decref(out);
	probe_echo_reply(data, size, 0x1234, 1);
	probe_dns_rcode(data, size, 0x1234);
	free(buf);
	return 0;
}
