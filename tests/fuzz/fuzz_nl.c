/*
 * libFuzzer target: what the kernel and the network send back to the
 * dashboard's reads. The input is taken as a stream of netlink messages
 * (each given to every rtnetlink parser, to the watch's mirror and to the
 * ban sets' element parser), and as the packets the
 * connectivity checks read (an echo reply, a DNS answer: the dashboard's and
 * the uplinks' health checks share the parsers).
 */
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/nl.h"
#include "net/nl_conntrack.h"
#include "net/nl_watch.h"
#include "net/nft_set.h"
#include "net/probe_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* netlink messages are 4-byte aligned: a copy that is */
	uint32_t *buf = malloc(size + 4);
	json_t *out = json_array(), *links = json_array(), *addrs = json_array();
	struct nft_set_elem *elems = NULL;
	size_t nelems = 0, elems_cap = 0;
	size_t off = 0;

	memcpy(buf, data, size);
	/* the walk of mnl_cb_run, with lengths checked as the kernel's never
	 * need to be (libmnl takes a length above 2 GiB for a negative one) */
	while (size - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)((const char *)buf + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > size - off)
			break;
		off += MNL_ALIGN(nlh->nlmsg_len) < size - off ? MNL_ALIGN(nlh->nlmsg_len) : size - off;
		nl_parse_link(nlh, out);
		nl_parse_addr(nlh, out);
		nl_parse_neigh(nlh, out);
		nl_parse_route(nlh, out);
		nl_parse_rule(nlh, out);
		nl_parse_class(nlh, out);
		/* the watch's mirror, kept from notifications */
		nl_watch_take(links, addrs, nlh, NULL, NULL);
		/* the connections the failover forgets */
		nl_ct_reply_to(nlh, 4, (const unsigned char *)"\x0a\x07\x00\x01");
		nl_ct_reply_to(nlh, 6, (const unsigned char *)"\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1");
		/* the elements of a ban set, with their time left */
		nft_set_parse_elems(nlh, &elems, &nelems, &elems_cap);
	}
	free(elems);
	json_decref(links);
	json_decref(addrs);
	json_decref(nl_join_addrs(out, out));
	json_decref(out);
	probe_echo_reply(data, size, 0x1234, 1);
	probe_dns_rcode(data, size, 0x1234);
	free(buf);
	return 0;
}
