/*
 * The kernel's links and addresses as they change: a netlink socket
 * subscribed to link and address notifications, read on the core's loop,
 * keeps a mirror of both up to date and says each change as it comes. A
 * reader asks the mirror (no dump, no process); a follower learns of a
 * link going down or an address coming within the loop's next turn
 * instead of polling for it. When the kernel drops notifications (its
 * socket buffer overflowed) the mirror is read again whole and every
 * difference is said.
 *
 * The mirror's shapes are those of net/nl.h: links as nl_links (without
 * counters, which change without notification), addresses as
 * nl_addresses.
 */
#ifndef DIFOS_NET_NL_WATCH_H
#define DIFOS_NET_NL_WATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

struct nlmsghdr;

enum nl_change_kind {
	NL_CHANGE_LINK,      /* item: the link (as nl_links, no stats64) */
	NL_CHANGE_ADDRESS,   /* item: the address (as nl_addresses) with its "ifname" */
};

struct nl_change {
	enum nl_change_kind kind;
	const json_t *item;
	bool removed;          /* the link or address is gone */
	bool up_changed;       /* a link: UP or LOWER_UP (the carrier) differ from before */
};

typedef void (*nl_watch_fn)(void *arg, const struct nl_change *change);

/* Starts watching on loop; fn is called on the loop thread with the core
 * lock held. 0, or -1 when the kernel cannot be asked. */
int nl_watch_start(uv_loop_t *loop, nl_watch_fn fn, void *arg);
void nl_watch_stop(void);

/* The mirror (owned by the watch; valid until the loop's next turn), or
 * NULL when no watch runs (then read the kernel: net/nl.h). */
const json_t *nl_watch_links(void);
const json_t *nl_watch_addresses(void);
/* A device's operational state as sysfs words it ("up", "down", "unknown",
 * "lowerlayerdown"...), or "absent"; from the mirror when the watch runs,
 * else a dump (a new JSON string). */
json_t *nl_link_operstate(const char *dev);

/* The mirror's step, without sockets (what the tests and the fuzzer feed):
 * applies one notification to links and addrs, calling fn for what
 * changed. Malformed messages change nothing. */
void nl_watch_take(json_t *links, json_t *addrs, const struct nlmsghdr *nlh, nl_watch_fn fn,
		   void *arg);

#endif
