/*
 * libFuzzer target: wireguard-go's answer to "get=1" (net/wg_uapi_parse.c),
 * seeded with real answers (corpus/wg_uapi). A device it accepts holds
 * only sane values (allowed IPs within their family's length, endpoints of
 * a known family), and goes through the kernel backend's messages and back
 * unchanged: the change set from nothing to it, as SET_DEVICE messages
 * split at 1 KiB, read again by the GET_DEVICE reader. The input is also
 * given to that reader as a message of its own.
 */
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/wg.h"
#include "net/wg_int.h"

static int take(const void *msg, size_t len, void *arg)
{
	char err[256];

	if (wg_genl_parse_msg(msg, len, arg, err, sizeof(err)) < 0)
		abort();
	return 0;
}

static void check_peer(const struct wg_peer *p)
{
	if (p->endpoint.ss_family != AF_UNSPEC && p->endpoint.ss_family != AF_INET &&
	    p->endpoint.ss_family != AF_INET6)
		abort();
	for (size_t j = 0; j < p->n_allowed_ips; j++) {
		const struct wg_allowed_ip *a = &p->allowed_ips[j];
		if (!(a->family == AF_INET && a->prefix <= 32) &&
		    !(a->family == AF_INET6 && a->prefix <= 128))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device d, none = { 0 }, back = { 0 };
	struct wg_change ch;
	char err[256];

	if (wg_uapi_parse((const char *)data, size, &d, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < d.n_peers; i++)
			check_peer(&d.peers[i]);
		if (wg_diff(&none, &d, &ch, err, sizeof(err)) == 0) {
			if (wg_genl_set_msgs("wg0", &ch, 0x20, 1, 1024, take, &back) != 0)
				abort();
			if (back.n_peers != d.n_peers)
				abort();
			for (size_t i = 0; i < d.n_peers; i++) {
				const struct wg_peer *a = &d.peers[i], *b = &back.peers[i];
				if (memcmp(a->public_key, b->public_key, WG_KEY_LEN) ||
				    a->n_allowed_ips != b->n_allowed_ips || a->keepalive != b->keepalive ||
				    a->has_preshared_key != b->has_preshared_key ||
				    a->endpoint.ss_family != b->endpoint.ss_family)
					abort();
				for (size_t j = 0; j < a->n_allowed_ips; j++)
					if (a->allowed_ips[j].prefix != b->allowed_ips[j].prefix ||
					    memcmp(a->allowed_ips[j].addr, b->allowed_ips[j].addr,
						   a->allowed_ips[j].family == AF_INET ? 4 : 16))
						abort();
			}
			wg_change_free(&ch);
		}
		wg_device_free(&back);
	}
	wg_device_free(&d);
	/* as a netlink message: aligned as the kernel's are */
	if (size) {
		void *msg = malloc(size);
		memcpy(msg, data, size);
		memset(&back, 0, sizeof(back));
		wg_genl_parse_msg(msg, size, &back, err, sizeof(err));
		wg_device_free(&back);
		free(msg);
	}
	return 0;
}
