/* The device description's helpers shared by both backends (wg_int.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/wg.h"
#include "net/wg_int.h"

void wg_device_free(struct wg_device *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_peers; i++)
		free(d->peers[i].allowed_ips);
	if (d->peers)
		sodium_memzero(d->peers, d->n_peers * sizeof(*d->peers));
	free(d->peers);
	/* the private and preshared keys do not stay in freed memory */
	sodium_memzero(d, sizeof(*d));
}

struct wg_peer *wg_peer_find(struct wg_device *d, const unsigned char key[WG_KEY_LEN])
{
	size_t i;

	for (i = d->n_peers; i-- > 0;)
		if (!memcmp(d->peers[i].public_key, key, WG_KEY_LEN))
			return &d->peers[i];
	return NULL;
}

struct wg_peer *wg_peer_append(struct wg_device *d)
{
	struct wg_peer *p;

	/* grows by doubling: a dump of 1,000 peers is not 1,000 moves; moved
	 * by hand, so the old array's preshared keys are wiped, not left */
	if ((d->n_peers & (d->n_peers - 1)) == 0) {
		struct wg_peer *more = xmalloc((d->n_peers ? d->n_peers * 2 : 1) * sizeof(*p));

		if (d->n_peers) {
			memcpy(more, d->peers, d->n_peers * sizeof(*p));
			sodium_memzero(d->peers, d->n_peers * sizeof(*p));
		}
		free(d->peers);
		d->peers = more;
	}
	p = &d->peers[d->n_peers++];
	memset(p, 0, sizeof(*p));
	p->endpoint.ss_family = AF_UNSPEC;
	return p;
}

struct wg_allowed_ip *wg_allowed_ip_append(struct wg_peer *p)
{
	struct wg_allowed_ip *a;

	if ((p->n_allowed_ips & (p->n_allowed_ips - 1)) == 0)
		p->allowed_ips = xrealloc(p->allowed_ips,
					  (p->n_allowed_ips ? p->n_allowed_ips * 2 : 1) * sizeof(*a));
	a = &p->allowed_ips[p->n_allowed_ips++];
	memset(a, 0, sizeof(*a));
	return a;
}

void wg_endpoint_text(char *out, size_t outlen, const struct sockaddr_storage *ss)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(out, outlen, "%s:%u", ip, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		/* a link-local one's interface by number, which both engines take */
		if (s6->sin6_scope_id)
			snprintf(out, outlen, "[%s%%%u]:%u", ip, (unsigned)s6->sin6_scope_id,
				 ntohs(s6->sin6_port));
		else
			snprintf(out, outlen, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		snprintf(out, outlen, "(none)");
	}
}
