/*
 * libFuzzer target: what difos-relay6 reads on UDP port 547. The input is
 * taken as a message from a downstream client (wrapped in a Relay-Forward,
 * answered in hybrid mode) and as a Relay-Reply from upstream (unwrapped).
 */
#include <stdint.h>
#include <string.h>

#include "relay6/r6_dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t duid[10] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 1 }, dom[] = "\x03lan";
	struct in6_addr link = IN6ADDR_LOOPBACK_INIT, peer = IN6ADDR_ANY_INIT;
	uint8_t out[70000], ifid[4] = { 0, 0, 0, 3 };
	struct r6_relay_reply rr;
	ssize_t n;

	if (r6_dh_relayable(data, size)) {
		n = r6_dh_relay_forward(data, size, &link, &peer, ifid, sizeof(ifid), out, sizeof(out));
		/* a Relay-Forward we built unwraps to the same message */
		if (n < 0)
			__builtin_trap();
		out[0] = R6_DH_RELAY_REPL;
		if (r6_dh_relay_reply_parse(out, (size_t)n, &rr) < 0 || rr.msg_len != size ||
		    memcmp(rr.msg, data, size) != 0)
			__builtin_trap();
	}
	r6_dh_info_reply(data, size, duid, sizeof(duid), &link, 1, dom, 5, out, sizeof(out));
	r6_dh_relay_reply_parse(data, size, &rr);
	return 0;
}
