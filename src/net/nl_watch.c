/*
 * The watch's socket on the loop: subscribed to the link and address
 * groups, non-blocking, read whenever it is readable. The mirror starts
 * from one dump of each kind, taken after subscribing so no change falls
 * between the two; an overflow (ENOBUFS: the kernel dropped notifications)
 * is answered by dumping again and saying the differences.
 */
#include <ctype.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "net/nl.h"
#include "net/nl_watch.h"

static struct {
	struct mnl_socket *nl;
	uv_poll_t poll;
	bool polling;
	json_t *links, *addrs;
	nl_watch_fn fn;
	void *arg;
} watch;

static void nl_watch_name_addrs(json_t *links, json_t *addrs)
{
	size_t i, j;
	json_t *a, *l;

	json_array_foreach(addrs, i, a)
		json_array_foreach(links, j, l)
			if (json_equal(json_object_get(l, "ifindex"), json_object_get(a, "ifindex")))
				json_object_set(a, "ifname", json_object_get(l, "ifname"));
}

static json_t *nl_watch_dump_links(void)
{
	json_t *links = nl_links();
	size_t i;
	json_t *l;

	json_array_foreach(links, i, l)
		json_object_del(l, "stats64");
	return links;
}

static bool nl_watch_contains(const json_t *list, const json_t *item)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_equal(v, item))
			return true;
	return false;
}

/* each item of from that to lacks, said as changed (removed: gone) */
static void nl_watch_say_diff(enum nl_change_kind kind, const json_t *from, const json_t *to,
			      bool removed)
{
	size_t i;
	json_t *v;

	json_array_foreach(from, i, v)
		if (!nl_watch_contains(to, v)) {
			struct nl_change ch = { .kind = kind, .item = v, .removed = removed,
						.up_changed = kind == NL_CHANGE_LINK };
			watch.fn(watch.arg, &ch);
		}
}

static void nl_watch_resync(void)
{
	json_t *links = nl_watch_dump_links(), *addrs = nl_addresses(AF_UNSPEC);

	if (!links || !addrs) {
		json_decref(links);
		json_decref(addrs);
		return;
	}
	nl_watch_name_addrs(links, addrs);
	if (watch.fn && watch.links) {
		nl_watch_say_diff(NL_CHANGE_LINK, watch.links, links, true);
		nl_watch_say_diff(NL_CHANGE_LINK, links, watch.links, false);
		nl_watch_say_diff(NL_CHANGE_ADDRESS, watch.addrs, addrs, true);
		nl_watch_say_diff(NL_CHANGE_ADDRESS, addrs, watch.addrs, false);
	}
	json_decref(watch.links);
	json_decref(watch.addrs);
	watch.links = links;
	watch.addrs = addrs;
}

static int nl_watch_msg(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	nl_watch_take(watch.links, watch.addrs, nlh, watch.fn, watch.arg);
	return MNL_CB_OK;
}

static void nl_watch_readable(uv_poll_t *p, int status, int events)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool overflow = false;
	ssize_t n;

	(void)p;
	(void)events;
	if (status < 0)
		return;
	core_enter();
	/* what is there now, then back to the loop */
	for (int rounds = 0; rounds < 64; rounds++) {
		n = recv(mnl_socket_get_fd(watch.nl), buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS)
				overflow = true;
			else if (errno != EINTR)
				break;
			continue;
		}
		if (n == 0)
			break;
		/* notifications: sequence and port 0 */
		mnl_cb_run(buf, (size_t)n, 0, 0, nl_watch_msg, NULL);
	}
	if (overflow) {
		log_info("netlink: notifications were dropped; reading links and addresses again");
		nl_watch_resync();
	}
	core_leave();
}

int nl_watch_start(uv_loop_t *loop, nl_watch_fn fn, void *arg)
{
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	int size = 1 << 20;

	if (watch.nl)
		return 0;
	watch.nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!watch.nl || mnl_socket_bind(watch.nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		log_err("netlink: cannot watch links and addresses: %s", strerror(errno));
		if (watch.nl)
			mnl_socket_close(watch.nl);
		watch.nl = NULL;
		return -1;
	}
	/* room for a burst (a bridge with many ports coming up) */
	setsockopt(mnl_socket_get_fd(watch.nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	nl_watch_resync();
	watch.fn = fn;
	watch.arg = arg;
	uv_poll_init(loop, &watch.poll, mnl_socket_get_fd(watch.nl));
	uv_unref((uv_handle_t *)&watch.poll);
	uv_poll_start(&watch.poll, UV_READABLE, nl_watch_readable);
	watch.polling = true;
	return 0;
}

static void nl_watch_closed(uv_handle_t *h)
{
	(void)h;
	mnl_socket_close(watch.nl);
	watch.nl = NULL;
}

void nl_watch_stop(void)
{
	if (!watch.nl)
		return;
	json_decref(watch.links);
	json_decref(watch.addrs);
	watch.links = watch.addrs = NULL;
	watch.fn = NULL;
	if (watch.polling) {
		watch.polling = false;
		uv_poll_stop(&watch.poll);
		uv_close((uv_handle_t *)&watch.poll, nl_watch_closed);
	} else {
		nl_watch_closed(NULL);
	}
}

const json_t *nl_watch_links(void)
{
	return watch.links;
}

const json_t *nl_watch_addresses(void)
{
	return watch.addrs;
}

json_t *nl_link_operstate(const char *dev)
{
	const json_t *mirror = nl_watch_links();
	json_t *dumped = mirror ? NULL : nl_links(), *l;
	char *out = NULL;
	size_t i;

	json_array_foreach(mirror ? mirror : dumped, i, l) {
		const char *name = json_string_value(json_object_get(l, "ifname"));
		const char *st = json_string_value(json_object_get(l, "operstate"));

		if (!name || strcmp(name, dev))
			continue;
		out = xstrdup(st ? st : "unknown");
		for (char *p = out; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		break;
	}
	json_t *v;

	json_decref(dumped);
	v = json_string(out ? out : "absent");
	free(out);
	return v;
}
