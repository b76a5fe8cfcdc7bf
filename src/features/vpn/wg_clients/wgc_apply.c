/*
 * The WireGuard clients' applier: each enabled client's device wgc_<name>
 * (the kernel's "wireguard" link where the module is, probed once; else
 * wireguard-go under the supervisor, run through difos-engine-exec with
 * <run>/wireguard as its socket folder), its key, port and peer through
 * sys->wg (wg_sync: a client that did not change keeps its session), MTU,
 * addresses and the routes to its AllowedIPs; a removed or disabled
 * client's device goes. Endpoint names are resolved here, within
 * WGC_RESOLVE_MS, never in render.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/vpn/wg_clients/wgc_int.h"
#include "features/vpn/wg_link.h"
#include "net/addr.h"
#include "schema/schema.h"
#include "store/doc.h"

#define WGC_RESOLVE_MS 3000
#define WGC_SOCKET_MS 3000
/* wg-quick's reresolve-dns: a server named by a name is looked up again
 * while its handshake is older than this (WireGuard rekeys every 120 s) */
#define WGC_STALE_S 135
#define WGC_CHECK_MS 30000

/* the re-resolution's timer (wgc_tick) */
static const struct feature_env *wgc_env;
static uv_timer_t wgc_timer;
static bool wgc_timer_ready;

static void wgc_dev(const json_t *el, char out[16])
{
	snprintf(out, 16, WGC_PREFIX "%s", doc_str(el, "name"));
}

static const json_t *wgc_find(const json_t *doc, const char *name)
{
	size_t i;
	json_t *el;

	json_array_foreach(doc_get(doc, "wg_clients.clients"), i, el)
		if (!strcmp(doc_str(el, "name"), name) && doc_bool(el, "enabled", true))
			return el;
	return NULL;
}

/* host -> its first address, within WGC_RESOLVE_MS (getaddrinfo_a: a
 * resolver that does not answer does not hold the apply) */
static int wgc_resolve(const char *host, unsigned port, struct sockaddr_storage *out, char **err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM };
	struct gaicb req = { .ar_name = host, .ar_request = &hints }, *list[1] = { &req };
	struct timespec t = { WGC_RESOLVE_MS / 1000, (WGC_RESOLVE_MS % 1000) * 1000000L };
	int rc;

	if (getaddrinfo_a(GAI_WAIT, list, 1, NULL) && gai_suspend((const struct gaicb *const *)list,
								   1, &t)) {
		gai_cancel(&req);
		*err = xasprintf("endpoint %s: no answer within %d ms", host, WGC_RESOLVE_MS);
		return -1;
	}
	rc = gai_error(&req);
	if (rc || !req.ar_result) {
		*err = xasprintf("endpoint %s: %s", host, gai_strerror(rc));
		if (req.ar_result)
			freeaddrinfo(req.ar_result);
		return -1;
	}
	memcpy(out, req.ar_result->ai_addr, req.ar_result->ai_addrlen);
	if (out->ss_family == AF_INET)
		((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)port);
	freeaddrinfo(req.ar_result);
	return 0;
}

/* The endpoint's address: an address as written, a name resolved (not in
 * the dry backend: no lookup leaves a test). */
static int wgc_endpoint(struct sys *sys, const char *text, struct sockaddr_storage *out,
			char **err)
{
	char host[256];
	unsigned port;
	struct net_prefix a;

	memset(out, 0, sizeof(*out));
	if (!sc_endpoint_split(text, host, sizeof(host), &port)) {
		*err = xasprintf("endpoint %s is not host:port", text);
		return -1;
	}
	if (net_prefix_parse(host, 0, false, &a) == NET_OK) {
		if (a.family == 4) {
			struct sockaddr_in *s = (struct sockaddr_in *)out;

			s->sin_family = AF_INET;
			s->sin_port = htons((uint16_t)port);
			memcpy(&s->sin_addr, a.addr, 4);
		} else {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)out;

			s->sin6_family = AF_INET6;
			s->sin6_port = htons((uint16_t)port);
			memcpy(&s->sin6_addr, a.addr, 16);
		}
		return 0;
	}
	if (sys_is_dry(sys))
		return 0;
	return wgc_resolve(host, port, out, err);
}

/* the wanted device of a client (keys from the document) */
static int wgc_want(struct feature_ctx *ctx, const json_t *el, struct wg_device *d)
{
	struct wg_peer *p = xcalloc(1, sizeof(*p));
	const json_t *ips = doc_get(el, "allowed_ips"), *v;
	size_t i;
	char *err = NULL;

	memset(d, 0, sizeof(*d));
	d->peers = p;
	d->n_peers = 1;
	if (wg_key_from_base64(d->private_key, doc_str(el, "private_key")) ||
	    wg_key_from_base64(p->public_key, doc_str(el, "public_key"))) {
		ctx->err = xstrdup("a key is not a WireGuard key");
		return -1;
	}
	d->has_private_key = true;
	if (doc_str(el, "preshared_key")) {
		if (wg_key_from_base64(p->preshared_key, doc_str(el, "preshared_key"))) {
			ctx->err = xstrdup("the preshared key is not a WireGuard key");
			return -1;
		}
		p->has_preshared_key = true;
	}
	if (doc_bool(el, "static_port", false))
		d->listen_port = (unsigned)doc_int(el, "listen_port", 0);
	p->keepalive = (unsigned)doc_int(el, "keepalive", 25);
	/* a name that does not resolve now leaves the endpoint unknown: the
	 * device still comes up, and the status says why it has no handshake */
	if (wgc_endpoint(ctx->env->sys, doc_str(el, "endpoint"), &p->endpoint, &err) < 0) {
		log_warn("wg_clients: %s: %s", doc_str(el, "name"), err);
		free(err);
	}
	p->allowed_ips = xcalloc(json_array_size(ips) + 1, sizeof(*p->allowed_ips));
	json_array_foreach(ips, i, v) {
		struct net_prefix a;

		if (net_prefix_parse(json_string_value(v), 0, true, &a) != NET_OK)
			continue;
		p->allowed_ips[p->n_allowed_ips].family = a.family == 4 ? AF_INET : AF_INET6;
		memcpy(p->allowed_ips[p->n_allowed_ips].addr, a.addr, 16);
		p->allowed_ips[p->n_allowed_ips++].prefix =
			(unsigned)(a.has_len ? a.len : a.family == 4 ? 32 : 128);
	}
	return 0;
}

static bool wgc_has(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), s))
			return true;
	return false;
}

static struct nl_op wgc_route(const char *dev, const char *dst)
{
	struct net_prefix a;
	bool any = net_prefix_parse(dst, 0, true, &a) == NET_OK && a.has_len && a.len == 0;

	return (struct nl_op){ .kind = NL_ROUTE_REPLACE, .family = strchr(dst, ':') ? 6 : 4,
			       .addr = any ? "default" : dst, .dev = dev, .metric = WGC_METRIC,
			       .has_metric = 1 };
}

static int wgc_bring_up(struct feature_ctx *ctx, const json_t *el)
{
	struct sys *sys = ctx->env->sys;
	const json_t *old = ctx->old_doc && !ctx->boot ? wgc_find(ctx->old_doc,
							      doc_str(el, "name")) : NULL;
	struct wg_device want;
	char dev[16], *sockdir;
	size_t i;
	json_t *v;
	int rc;

	wgc_dev(el, dev);
	if (wg_link_ensure(ctx, dev, dev) < 0)
		return -1;
	if (wgc_want(ctx, el, &want) < 0) {
		wg_device_free(&want);
		return -1;
	}
	sockdir = wg_sockdir(ctx->env);
	rc = sys_wg(sys, &ctx->err, sockdir, dev, &want);
	free(sockdir);
	explicit_bzero(&want.private_key, sizeof(want.private_key));
	wg_device_free(&want);
	if (rc < 0 ||
	    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_MTU, .dev = dev,
						     .mtu = (unsigned)doc_int(el, "mtu", 1420) }) ||
	    sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_UP, .dev = dev }))
		return -1;
	json_array_foreach(doc_get(el, "addresses"), i, v)
		if (sys_net(sys, &ctx->err, &(struct nl_op){ .kind = NL_ADDR_REPLACE, .dev = dev,
							     .addr = json_string_value(v) }))
			return -1;
	json_array_foreach(doc_get(el, "allowed_ips"), i, v) {
		struct nl_op op = wgc_route(dev, json_string_value(v));

		if (sys_net(sys, &ctx->err, &op))
			return -1;
	}
	if (!old)
		return 0;
	/* what the client no longer has */
	json_array_foreach(doc_get(old, "addresses"), i, v)
		if (!wgc_has(doc_get(el, "addresses"), json_string_value(v)))
			sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_DEL, .dev = dev,
							    .addr = json_string_value(v) });
	json_array_foreach(doc_get(old, "allowed_ips"), i, v)
		if (!wgc_has(doc_get(el, "allowed_ips"), json_string_value(v))) {
			struct nl_op op = wgc_route(dev, json_string_value(v));

			op.kind = NL_ROUTE_DEL;
			sys_net(sys, NULL, &op);
		}
	return 0;
}

int wgc_apply(struct feature_ctx *ctx)
{
	size_t i;
	json_t *el;
	char dev[16];

	if (ctx->old_doc)
		json_array_foreach(doc_get(ctx->old_doc, "wg_clients.clients"), i, el)
			if (doc_bool(el, "enabled", true) &&
			    !wgc_find(ctx->doc, doc_str(el, "name"))) {
				wgc_dev(el, dev);
				wg_link_remove(ctx, dev, dev);
			}
	json_array_foreach(doc_get(ctx->doc, "wg_clients.clients"), i, el)
		if (doc_bool(el, "enabled", true) && wgc_bring_up(ctx, el) < 0)
			return -1;
	wgc_timer_start(ctx->env);
	return 0;
}

void wgc_stop(struct feature_ctx *ctx)
{
	size_t i;
	json_t *el;
	char dev[16];

	if (wgc_timer_ready) {
		uv_timer_stop(&wgc_timer);
		uv_close((uv_handle_t *)&wgc_timer, NULL);
		wgc_timer_ready = false;
	}
	json_array_foreach(doc_get(ctx->doc, "wg_clients.clients"), i, el) {
		wgc_dev(el, dev);
		if (sv_running(dev))
			sv_stop(dev);
	}
}

bool wgc_needs_resolve(const char *endpoint, long long last_handshake, long long now)
{
	char host[256];
	unsigned port;
	struct net_prefix a;

	if (!endpoint || !sc_endpoint_split(endpoint, host, sizeof(host), &port) ||
	    net_prefix_parse(host, 0, false, &a) == NET_OK)
		return false;
	return last_handshake == 0 || now - last_handshake > WGC_STALE_S;
}


/* Every WGC_CHECK_MS: a client whose server is named and whose handshake
 * is stale gets the name's address again (the server moved, the first
 * lookup failed). */
static void wgc_tick(uv_timer_t *t)
{
	const json_t *doc, *el;
	char *sockdir, dev[16], err[256];
	size_t i;

	(void)t;
	core_enter();
	doc = wgc_env->engine ? wgc_env->engine->running : NULL;
	sockdir = wg_sockdir(wgc_env);
	json_array_foreach(doc_get(doc, "wg_clients.clients"), i, el) {
		struct feature_ctx c = { .env = wgc_env };
		struct wg_device d, want;

		if (!doc_bool(el, "enabled", true))
			continue;
		wgc_dev(el, dev);
		if (wg_get(sockdir, dev, &d, err, sizeof(err)) < 0)
			continue;
		if (d.n_peers && wgc_needs_resolve(doc_str(el, "endpoint"), d.peers[0].last_handshake,
						   (long long)time(NULL)) &&
		    wgc_want(&c, el, &want) == 0 && want.peers[0].endpoint.ss_family != AF_UNSPEC) {
			if (sys_wg(wgc_env->sys, &c.err, sockdir, dev, &want) == 0)
				log_debug("wg_clients: %s: %s looked up again (no recent handshake)",
					  doc_str(el, "name"), doc_str(el, "endpoint"));
			explicit_bzero(&want.private_key, sizeof(want.private_key));
			wg_device_free(&want);
		}
		free(c.err);
		wg_device_free(&d);
	}
	free(sockdir);
	core_leave();
}

void wgc_timer_start(const struct feature_env *env)
{
	if (!env->loop || wgc_timer_ready)
		return;
	wgc_env = env;
	uv_timer_init(env->loop, &wgc_timer);
	uv_unref((uv_handle_t *)&wgc_timer);
	uv_timer_start(&wgc_timer, wgc_tick, WGC_CHECK_MS, WGC_CHECK_MS);
	wgc_timer_ready = true;
}

/* wireguard-go came back after it died: its new device has nothing yet;
 * it is given its client's configuration again (from the document in
 * force). The first start is the applier's own. */
void wgc_event(const struct feature_env *env, const struct feature_event *ev)
{
	const char *engine = json_string_value(json_object_get(ev->data, "engine"));
	const json_t *el;
	struct feature_ctx c = { .env = env };

	if (ev->kind != EV_ENGINE || !engine || strncmp(engine, WGC_PREFIX, strlen(WGC_PREFIX)) ||
	    !json_is_true(json_object_get(ev->data, "running")) ||
	    json_integer_value(json_object_get(ev->data, "restarts")) == 0 || !env->engine)
		return;
	c.doc = env->engine->running;
	el = wgc_find(c.doc, engine + strlen(WGC_PREFIX));
	if (!el)
		return;
	/* the socket the killed one left may still be there until the new
	 * one listens: tried again until it answers */
	for (int ms = 0;; ms += 50) {
		free(c.err);
		c.err = NULL;
		if (wgc_bring_up(&c, el) == 0) {
			log_info("wg_clients: %s configured again after its engine's restart", engine);
			break;
		}
		if (ms >= WGC_SOCKET_MS || !sv_running(engine)) {
			log_warn("wg_clients: %s after its restart: %s", engine, c.err);
			break;
		}
		usleep(50000);
	}
	free(c.err);
}
