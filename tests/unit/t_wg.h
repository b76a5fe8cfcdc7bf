/* Building WireGuard devices in tests: peers with keys made of one byte,
 * allowed IPs and endpoints from text. */
#ifndef DIFOS_T_WG_H
#define DIFOS_T_WG_H

#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "net/wg.h"

static inline void t_wg_key(unsigned char k[WG_KEY_LEN], unsigned char seed)
{
	memset(k, seed, WG_KEY_LEN);
}

/* "10.0.0.0/24" or "fd00::/64" */
static inline struct wg_allowed_ip t_wg_aip(const char *text)
{
	struct wg_allowed_ip a = { 0 };
	char host[64];
	const char *slash = strchr(text, '/');

	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = '\0';
	a.family = strchr(host, ':') ? AF_INET6 : AF_INET;
	inet_pton(a.family, host, a.addr);
	a.prefix = (unsigned)atoi(slash + 1);
	return a;
}

static inline void t_wg_endpoint(struct sockaddr_storage *ss, const char *ip, unsigned port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
	}
}

/* a new peer at the end of d (d->peers malloc'd), with allowed IPs from a
 * NULL-ended list of texts */
static inline struct wg_peer *t_wg_peer(struct wg_device *d, int seed, ...)
{
	struct wg_peer *p;
	va_list ap;
	const char *ip;

	d->peers = realloc(d->peers, (d->n_peers + 1) * sizeof(*d->peers));
	p = &d->peers[d->n_peers++];
	memset(p, 0, sizeof(*p));
	t_wg_key(p->public_key, (unsigned char)seed);
	va_start(ap, seed);
	while ((ip = va_arg(ap, const char *))) {
		p->allowed_ips = realloc(p->allowed_ips, (p->n_allowed_ips + 1) * sizeof(*p->allowed_ips));
		p->allowed_ips[p->n_allowed_ips++] = t_wg_aip(ip);
	}
	va_end(ap);
	return p;
}

#endif
