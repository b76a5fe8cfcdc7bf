/*
 * Private to net/: what the two WireGuard backends share. wg_diff is the
 * pure half of wg_sync: from the device as it is and as it is wanted, the
 * change set; each backend then says it in its own protocol (wg_uapi_set_text
 * for wireguard-go's socket, wg_genl_set_msgs for the kernel).
 */
#ifndef DIFOS_NET_WG_INT_H
#define DIFOS_NET_WG_INT_H

#include <stddef.h>

#include "net/wg.h"

enum wg_peer_op { WG_PEER_ADD, WG_PEER_UPDATE, WG_PEER_REMOVE };

/* One peer to add, change or remove; what to send for it. */
struct wg_peer_change {
	enum wg_peer_op op;
	/* want's peer (ADD, UPDATE) or the current one (REMOVE): borrowed */
	const struct wg_peer *peer;
	bool set_preshared_key;   /* peer->preshared_key, or none (zeros) */
	bool set_endpoint;        /* peer->endpoint */
	bool set_keepalive;       /* peer->keepalive */
	bool replace_allowed_ips; /* peer->allowed_ips replace the device's */
};

struct wg_change {
	bool set_private_key, set_listen_port, set_fwmark;
	const struct wg_device *want;   /* borrowed */
	struct wg_peer_change *peers;
	size_t n_peers;
	struct wg_sync_stats stats;
};

/* The change set turning cur into want (see wg.h: wg_sync); 0, or -1 with
 * the reason in err (a peer wanted twice). free with wg_change_free. */
int wg_diff(const struct wg_device *cur, const struct wg_device *want, struct wg_change *out,
	    char *err, size_t errlen);
void wg_change_free(struct wg_change *c);
/* nothing to send */
bool wg_change_empty(const struct wg_change *c);

/* wireguard-go's UAPI (wg_uapi.c, wg_uapi_parse.c) */
/* The answer to "get=1" (len bytes, no NUL needed) into out; 0, or -1 with
 * the reason in err: a line that is not key=value, a bad value, or errno
 * other than 0. out is freed by the caller (wg_device_free) either way. */
int wg_uapi_parse(const char *text, size_t len, struct wg_device *out, char *err,
		  size_t errlen);
/* The "set=1" request of a change set, ending with the empty line. */
char *wg_uapi_set_text(const struct wg_change *c);
int wg_uapi_get(const char *sock, struct wg_device *out, char *err, size_t errlen);
int wg_uapi_set(const char *sock, const struct wg_change *c, char *err, size_t errlen);

/* the kernel's generic netlink family (wg_genl.c) */
int wg_genl_get(const char *ifname, struct wg_device *out, char *err, size_t errlen);
int wg_genl_set(const char *ifname, const struct wg_change *c, char *err, size_t errlen);
/* The SET_DEVICE messages of a change set, for family id family and seq:
 * each message in a buffer of buflen bytes (at most), as many as needed;
 * fn(buf, len, arg) for each, in order; fn's non-zero stops (returned).
 * A peer whose allowed IPs do not fit goes on in the next message, where
 * it is named again without REPLACE_ALLOWEDIPS, as wg does. */
typedef int (*wg_genl_msg_fn)(const void *msg, size_t len, void *arg);
int wg_genl_set_msgs(const char *ifname, const struct wg_change *c, uint16_t family,
		     uint32_t seq, size_t buflen, wg_genl_msg_fn fn, void *arg);
/* Adds one GET_DEVICE answer message to d (a peer continued from the
 * previous message is merged); 0, or -1 with err. */
int wg_genl_parse_msg(const void *msg, size_t len, struct wg_device *d, char *err,
		      size_t errlen);

/* peer in d by public key, NULL if none */
struct wg_peer *wg_peer_find(struct wg_device *d, const unsigned char key[WG_KEY_LEN]);
struct wg_peer *wg_peer_append(struct wg_device *d);
struct wg_allowed_ip *wg_allowed_ip_append(struct wg_peer *p);

#endif
