/*
 * wg_sync's change set (wg_diff, pure: unit-tested on its own) and the two
 * entry points, which pick the backend: wireguard-go when the device's UAPI
 * socket exists, the kernel otherwise.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "net/wg.h"
#include "net/wg_int.h"

static int key_cmp(const void *a, const void *b)
{
	const struct wg_peer *const *x = a, *const *y = b;

	return memcmp((*x)->public_key, (*y)->public_key, WG_KEY_LEN);
}

static int aip_cmp(const void *a, const void *b)
{
	const struct wg_allowed_ip *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* the same set of allowed IPs, in any order (an engine keeps them in its
 * own: a trie walk) */
static bool same_allowed_ips(const struct wg_peer *a, const struct wg_peer *b)
{
	struct wg_allowed_ip *x, *y;
	bool same;

	if (a->n_allowed_ips != b->n_allowed_ips)
		return false;
	if (!a->n_allowed_ips)
		return true;
	x = xmalloc(a->n_allowed_ips * sizeof(*x));
	y = xmalloc(b->n_allowed_ips * sizeof(*y));
	memcpy(x, a->allowed_ips, a->n_allowed_ips * sizeof(*x));
	memcpy(y, b->allowed_ips, b->n_allowed_ips * sizeof(*y));
	for (size_t i = 0; i < a->n_allowed_ips; i++) {
		/* only the bytes of the family count */
		if (x[i].family == AF_INET)
			memset(x[i].addr + 4, 0, 12);
		if (y[i].family == AF_INET)
			memset(y[i].addr + 4, 0, 12);
	}
	qsort(x, a->n_allowed_ips, sizeof(*x), aip_cmp);
	qsort(y, b->n_allowed_ips, sizeof(*y), aip_cmp);
	same = !memcmp(x, y, a->n_allowed_ips * sizeof(*x));
	free(x);
	free(y);
	return same;
}

static bool same_endpoint(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return true;
}

static bool same_psk(const struct wg_peer *a, const struct wg_peer *b)
{
	if (a->has_preshared_key != b->has_preshared_key)
		return false;
	return !a->has_preshared_key ||
	       !memcmp(a->preshared_key, b->preshared_key, WG_KEY_LEN);
}

/* sorted pointers to d's peers, for bsearch by key */
static const struct wg_peer **by_key(const struct wg_device *d)
{
	const struct wg_peer **v = xcalloc(d->n_peers ? d->n_peers : 1, sizeof(*v));

	for (size_t i = 0; i < d->n_peers; i++)
		v[i] = &d->peers[i];
	qsort(v, d->n_peers, sizeof(*v), key_cmp);
	return v;
}

static const struct wg_peer *lookup(const struct wg_peer **sorted, size_t n,
				    const struct wg_peer *p)
{
	const struct wg_peer **hit = bsearch(&p, sorted, n, sizeof(*sorted), key_cmp);

	return hit ? *hit : NULL;
}

int wg_diff(const struct wg_device *cur, const struct wg_device *want, struct wg_change *out,
	    char *err, size_t errlen)
{
	const struct wg_peer **cur_sorted = by_key(cur), **want_sorted = by_key(want);
	size_t i, n = 0;

	memset(out, 0, sizeof(*out));
	out->want = want;
	for (i = 1; i < want->n_peers; i++) {
		if (!key_cmp(&want_sorted[i - 1], &want_sorted[i])) {
			char b64[WG_KEY_B64_LEN];
			wg_key_to_base64(b64, want_sorted[i]->public_key);
			snprintf(err, errlen, "peer %s: given twice", b64);
			free(cur_sorted);
			free(want_sorted);
			return -1;
		}
	}
	/* no key wanted: the device keeps its own; port 0: the engine's
	 * choice stays (as `wg syncconf` without PrivateKey or ListenPort) */
	out->set_private_key = want->has_private_key &&
		(!cur->has_private_key || memcmp(cur->private_key, want->private_key, WG_KEY_LEN));
	out->set_listen_port = want->listen_port && want->listen_port != cur->listen_port;
	out->set_fwmark = want->fwmark != cur->fwmark;
	out->stats.device_changed = out->set_private_key || out->set_listen_port || out->set_fwmark;

	out->peers = xcalloc(cur->n_peers + want->n_peers + 1, sizeof(*out->peers));
	/* removals first: a removed peer's allowed IPs are free for another */
	for (i = 0; i < cur->n_peers; i++) {
		if (lookup(want_sorted, want->n_peers, &cur->peers[i]))
			continue;
		out->peers[n++] = (struct wg_peer_change){ .op = WG_PEER_REMOVE,
							   .peer = &cur->peers[i] };
		out->stats.removed++;
	}
	for (i = 0; i < want->n_peers; i++) {
		const struct wg_peer *w = &want->peers[i];
		const struct wg_peer *c = lookup(cur_sorted, cur->n_peers, w);
		struct wg_peer_change ch = { .peer = w };

		if (!c) {
			ch.op = WG_PEER_ADD;
			ch.set_preshared_key = w->has_preshared_key;
			ch.set_endpoint = w->endpoint.ss_family != AF_UNSPEC;
			ch.set_keepalive = w->keepalive != 0;
			ch.replace_allowed_ips = true;
			out->peers[n++] = ch;
			out->stats.added++;
			continue;
		}
		ch.op = WG_PEER_UPDATE;
		ch.set_preshared_key = !same_psk(c, w);
		/* an endpoint the peer roamed to stays unless one is wanted */
		ch.set_endpoint = w->endpoint.ss_family != AF_UNSPEC &&
				  !same_endpoint(&c->endpoint, &w->endpoint);
		ch.set_keepalive = c->keepalive != w->keepalive;
		ch.replace_allowed_ips = !same_allowed_ips(c, w);
		if (ch.set_preshared_key || ch.set_endpoint || ch.set_keepalive ||
		    ch.replace_allowed_ips) {
			out->peers[n++] = ch;
			out->stats.updated++;
		} else {
			out->stats.unchanged++;
		}
	}
	out->n_peers = n;
	free(cur_sorted);
	free(want_sorted);
	return 0;
}

void wg_change_free(struct wg_change *c)
{
	free(c->peers);
	memset(c, 0, sizeof(*c));
}

bool wg_change_empty(const struct wg_change *c)
{
	return !c->stats.device_changed && !c->n_peers;
}

/* <sockdir>/<ifname>.sock when it is a socket: the device is wireguard-go's */
static char *uapi_socket(const char *sockdir, const char *ifname)
{
	struct stat st;
	char *path;

	if (!sockdir)
		return NULL;
	path = xasprintf("%s/%s.sock", sockdir, ifname);
	if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		return path;
	free(path);
	return NULL;
}

static bool bad_ifname(const char *ifname, char *err, size_t errlen)
{
	/* it becomes a file name and a netlink string: IFNAMSIZ, no slash */
	if (!ifname || !*ifname || strlen(ifname) >= 16 || strchr(ifname, '/') ||
	    !strcmp(ifname, ".") || !strcmp(ifname, "..")) {
		snprintf(err, errlen, "interface \"%s\": not a device name", ifname ? ifname : "");
		return true;
	}
	return false;
}

int wg_get(const char *sockdir, const char *ifname, struct wg_device *out, char *err,
	   size_t errlen)
{
	char *sock;
	int rc;

	memset(out, 0, sizeof(*out));
	if (bad_ifname(ifname, err, errlen))
		return -1;
	sock = uapi_socket(sockdir, ifname);
	rc = sock ? wg_uapi_get(sock, out, err, errlen) : wg_genl_get(ifname, out, err, errlen);
	free(sock);
	return rc;
}

int wg_sync(const char *sockdir, const char *ifname, const struct wg_device *want,
	    struct wg_sync_stats *stats, char *err, size_t errlen)
{
	struct wg_device cur;
	struct wg_change c;
	char *sock;
	int rc = -1;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (bad_ifname(ifname, err, errlen))
		return -1;
	sock = uapi_socket(sockdir, ifname);
	memset(&cur, 0, sizeof(cur));
	if ((sock ? wg_uapi_get(sock, &cur, err, errlen) :
		    wg_genl_get(ifname, &cur, err, errlen)) < 0)
		goto out;
	if (wg_diff(&cur, want, &c, err, errlen) < 0)
		goto out;
	if (wg_change_empty(&c))
		rc = 0;
	else
		rc = sock ? wg_uapi_set(sock, &c, err, errlen) : wg_genl_set(ifname, &c, err, errlen);
	if (rc == 0 && stats)
		*stats = c.stats;
	wg_change_free(&c);
out:
	wg_device_free(&cur);
	free(sock);
	return rc;
}
