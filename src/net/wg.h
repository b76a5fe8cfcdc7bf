/*
 * WireGuard devices: their configuration read and changed the way `wg`
 * does, without running it. Two backends speak to the two engines: the
 * kernel's generic netlink family "wireguard" (the kernel module), and
 * wireguard-go's UAPI socket, <sockdir>/<ifname>.sock (a line protocol:
 * "get=1", "set=1"). A device whose socket exists is wireguard-go's; any
 * other is the kernel's. Both give the same answers and take the same
 * changes.
 *
 * wg_sync changes a device into the wanted one with the fewest changes, as
 * `wg syncconf` does: a peer that is the same keeps its session (no new
 * handshake, no loss), a changed one is updated in place, a peer no longer
 * wanted is removed, the device is never re-created.
 */
#ifndef DIFOS_NET_WG_H
#define DIFOS_NET_WG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WG_KEY_LEN 32
/* base64 of a key: 44 characters and the NUL */
#define WG_KEY_B64_LEN 45

struct wg_allowed_ip {
	int family;               /* AF_INET or AF_INET6 */
	unsigned char addr[16];   /* network byte order; no host bits */
	unsigned prefix;
};

struct wg_peer {
	unsigned char public_key[WG_KEY_LEN];
	unsigned char preshared_key[WG_KEY_LEN];
	bool has_preshared_key;
	/* where the peer is: ss_family AF_UNSPEC when not known (a server's
	 * peer until it has made a handshake). wg_sync sets it only when the
	 * wanted peer names one, and leaves a learned one alone otherwise. */
	struct sockaddr_storage endpoint;
	unsigned keepalive;       /* seconds; 0: off */
	struct wg_allowed_ip *allowed_ips;
	size_t n_allowed_ips;
	/* read by wg_get only */
	int64_t last_handshake;   /* Unix seconds; 0: never */
	uint64_t rx_bytes, tx_bytes;
};

struct wg_device {
	unsigned char private_key[WG_KEY_LEN];
	bool has_private_key;
	unsigned char public_key[WG_KEY_LEN]; /* wg_get: derived from the private key */
	unsigned listen_port;     /* 0: any (the engine picks one) */
	unsigned fwmark;          /* 0: none */
	struct wg_peer *peers;
	size_t n_peers;
};

/* Reads ifname's configuration and peers' state; 0, or -1 with the reason
 * in err. sockdir: wireguard-go's socket folder. */
int wg_get(const char *sockdir, const char *ifname, struct wg_device *out, char *err,
	   size_t errlen);

/* What wg_sync changed (for logs and tests). */
struct wg_sync_stats {
	size_t added, updated, removed, unchanged;
	bool device_changed;      /* private key, port or fwmark */
};

/* Makes ifname's configuration want's (peers matched by public key); 0, or
 * -1 with the reason in err ("<ifname>: read|change: ..."). stats may be
 * NULL. want's listen_port 0 or has_private_key false leave the device's
 * own (as `wg syncconf` without ListenPort or PrivateKey); an allowed IP
 * with host bits, a prefix or a port out of range is refused (an engine
 * would give back another value, and every sync would change it again). */
int wg_sync(const char *sockdir, const char *ifname, const struct wg_device *want,
	    struct wg_sync_stats *stats, char *err, size_t errlen);

void wg_device_free(struct wg_device *d);

/* A peer's endpoint as wg shows it: a.b.c.d:port, [v6]:port ([v6%n]:port
 * for a link-local one on interface n), or "(none)" (AF_UNSPEC). */
#define WG_ENDPOINT_TEXT_LEN 80

void wg_endpoint_text(char *out, size_t outlen, const struct sockaddr_storage *ss);

/* Keys (libsodium's X25519): a new private key (clamped), its public key. */
void wg_key_generate(unsigned char priv[WG_KEY_LEN]);
void wg_key_public(unsigned char pub[WG_KEY_LEN], const unsigned char priv[WG_KEY_LEN]);
/* base64, standard alphabet with padding: 44 characters. */
void wg_key_to_base64(char out[WG_KEY_B64_LEN], const unsigned char key[WG_KEY_LEN]);
/* 0 when text is exactly the base64 of 32 bytes (canonical), else -1. */
int wg_key_from_base64(unsigned char key[WG_KEY_LEN], const char *text);

#endif
