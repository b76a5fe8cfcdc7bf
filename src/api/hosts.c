/*
 * The Host header: the router answers only to its own names and addresses.
 * A page on another name (DNS rebinding: evil.example resolving to the
 * router) must get neither the GUI nor the API nor a login attempt.
 *
 * The names come from the features (host_names hook: the hostname,
 * hostname.domain, web.extra_names, later DDNS and ACME names) for the
 * document in force; the addresses are those on the router's interfaces
 * now (a WAN lease may change them at any time). The decision is made here
 * for every request difosd-web receives: /api through http.request, GUI
 * files and the plain-HTTP redirect through http.gate.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "apply/engine.h"
#include "apply/feature.h"
#include "core/util.h"
#include "net/addr.h"
#include "net/nl_watch.h"
#include "store/doc.h"

#define API_HOST_MAX 255

int api_host_parse(const char *host, struct api_host *out)
{
	const char *end, *port = NULL;
	struct net_prefix a;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!host || !*host || strlen(host) > API_HOST_MAX)
		return -1;
	if (host[0] == '[') {
		/* an IPv6 literal, in brackets, maybe with a port */
		char inner[INET6_ADDRSTRLEN + 1];
		if (!(end = strchr(host, ']')) || (size_t)(end - host - 1) >= sizeof(inner))
			return -1;
		memcpy(inner, host + 1, (size_t)(end - host - 1));
		inner[end - host - 1] = '\0';
		if (net_prefix_parse(inner, 6, false, &a) != NET_OK)
			return -1;
		memcpy(out->addr, a.addr, 16);
		out->family = 6;
		port = end[1] == ':' ? end + 2 : NULL;
		if (end[1] && !port)
			return -1;
	} else {
		const char *colon = strchr(host, ':');
		if (colon && strchr(colon + 1, ':'))
			return -1;      /* a bare IPv6 address needs brackets */
		n = colon ? (size_t)(colon - host) : strlen(host);
		if (n == 0 || n >= sizeof(out->name))
			return -1;
		for (size_t i = 0; i < n; i++) {
			char c = host[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      c == '.' || c == '-'))
				return -1;
			out->name[i] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
		}
		if (out->name[n - 1] == '.')
			out->name[--n] = '\0';    /* the absolute form names the same host */
		if (n == 0)
			return -1;
		if (net_prefix_parse(out->name, 4, false, &a) == NET_OK) {
			memcpy(out->addr, a.addr, 4);
			out->family = 4;
		}
		port = colon ? colon + 1 : NULL;
	}
	if (port) {
		char *e;
		long p = strtol(port, &e, 10);
		if (!*port || *e || p < 1 || p > 65535 || *port < '0' || *port > '9')
			return -1;
	}
	return 0;
}

/* Is the literal of h the address s? */
static bool api_host_is_address(const struct api_host *h, const char *s)
{
	struct net_prefix a;

	return s && net_prefix_parse(s, h->family, false, &a) == NET_OK &&
	       !memcmp(a.addr, h->addr, h->family == 4 ? 4 : 16);
}

bool api_host_match(const struct api_host *h, const json_t *names, const json_t *addrs)
{
	size_t i;
	json_t *v;

	if (h->family) {
		json_array_foreach(addrs, i, v)
			if (api_host_is_address(h, json_string_value(v)))
				return true;
		return false;
	}
	json_array_foreach(names, i, v) {
		const char *s = json_string_value(v);
		if (s && !strcasecmp(s, h->name))
			return true;
	}
	return false;
}

json_t *api_host_addresses(void)
{
	struct ifaddrs *ifa, *i;
	json_t *a = json_array();
	char buf[INET6_ADDRSTRLEN];

	if (getifaddrs(&ifa) < 0)
		return a;
	for (i = ifa; i; i = i->ifa_next) {
		const void *src = NULL;
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			src = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			src = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (src && inet_ntop(i->ifa_addr->sa_family, src, buf, sizeof(buf)))
			json_array_append_new(a, json_string(buf));
	}
	freeifaddrs(ifa);
	return a;
}

json_t *api_host_names(const struct feature_env *env)
{
	struct feature_ctx ctx = { .env = env };

	if (!env || !env->engine || !env->engine->running)
		return json_pack("[s]", "localhost");
	ctx.doc = env->engine->running;
	return feature_host_names_collect(&ctx);
}

/*
 * What a request is checked against is kept: asking the kernel for every
 * address costs a netlink dump (two thirds of the core's work per request,
 * measured), and the names change only with the document in force. In
 * difosd the addresses are the netlink watch's mirror, which the kernel's
 * notifications keep exact (an address gone is refused at once). Without a
 * watch (a dry backend) an address is looked up again when the Host is not
 * among those known, at most every API_HOST_REFRESH_MS, so a stream of
 * foreign Hosts cannot make the core dump its addresses for each.
 */
#define API_HOST_REFRESH_MS 100

static struct {
	json_t *addrs;
	long long addrs_at;
	json_t *names;
	const json_t *names_doc;   /* the document they were collected from (held) */
	long long names_rev;
} host_cache;

static bool api_host_address_known(const struct api_host *h)
{
	const json_t *mirror = nl_watch_addresses();
	long long now = now_ms();

	/* the kernel's addresses as its notifications keep them: exact, and
	 * free to ask for each request */
	if (mirror) {
		size_t i;
		json_t *a;
		json_array_foreach(mirror, i, a)
			if (api_host_is_address(h, json_string_value(json_object_get(a, "local"))))
				return true;
		return false;
	}

	if (host_cache.addrs && api_host_match(h, NULL, host_cache.addrs))
		return true;
	if (host_cache.addrs && now - host_cache.addrs_at < API_HOST_REFRESH_MS &&
	    now >= host_cache.addrs_at)
		return false;
	json_decref(host_cache.addrs);
	host_cache.addrs = api_host_addresses();
	host_cache.addrs_at = now;
	return api_host_match(h, NULL, host_cache.addrs);
}

static bool api_host_name_known(const struct feature_env *env, const struct api_host *h)
{
	const json_t *doc = env->engine ? env->engine->running : NULL;
	long long rev = env->engine ? env->engine->running_rev : -1;

	if (!host_cache.names || doc != host_cache.names_doc || rev != host_cache.names_rev) {
		json_decref(host_cache.names);
		json_decref((json_t *)host_cache.names_doc);
		host_cache.names = api_host_names(env);
		host_cache.names_doc = doc ? json_incref((json_t *)doc) : NULL;
		host_cache.names_rev = rev;
	}
	return api_host_match(h, host_cache.names, NULL);
}

/* Only what the Host can match is looked up: an address literal the
 * interfaces' addresses, a name the features' names. */
static bool api_host_allowed(const struct feature_env *env, const struct api_host *h)
{
	return h->family ? api_host_address_known(h) : api_host_name_known(env, h);
}

bool api_host_ok(struct api_req *r)
{
	struct api_host h;
	char shown[64];

	/* no engine (unit tests, the fuzzer): there is no router to name */
	if (!r->env)
		return true;
	if (api_host_parse(r->host, &h) == 0 && api_host_allowed(r->env, &h))
		return true;
	/* the name as sent, cut and without what a message should not carry */
	snprintf(shown, sizeof(shown), "%s", r->host ? r->host : "");
	for (char *p = shown; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			*p = '?';
	api_error(r, 421, "misdirected", NULL, NULL,
		  *shown ? "the Host header \"%s\" is not a name or address of this router "
			   "(other names go in web.extra_names)" :
			   "a Host header naming this router is required%s", shown);
	return false;
}

/* The redirect's target: the Host when it names the router, else the LAN
 * address, never a name a client made up. */
static char *api_redirect_host(struct api_req *r, const struct api_host *h, bool ok)
{
	char buf[INET6_ADDRSTRLEN];
	const char *lan;

	if (ok && h->family == 6 && inet_ntop(AF_INET6, h->addr, buf, sizeof(buf)))
		return xasprintf("[%s]", buf);
	if (ok)
		return xstrdup(h->name);
	lan = r->env && r->env->engine && r->env->engine->running ?
		doc_str(r->env->engine->running, "lan.ipv4.address") : NULL;
	return xstrdup(lan && *lan ? lan : "192.168.1.1");
}

/* http.gate {host, path, redirect?}: may difosd-web serve a GUI file for
 * this Host (200), or where does the plain-HTTP redirect go (301)? */
json_t *api_gate(const struct feature_env *env, json_t *params)
{
	struct api_req r = { .status = 200, .env = env };
	const char *path = json_string_value(json_object_get(params, "path"));
	bool redirect = json_is_true(json_object_get(params, "redirect"));
	struct api_host h;
	json_t *resp;

	r.host = json_string_value(json_object_get(params, "host"));
	r.headers = json_object();
	if (!redirect) {
		if (api_host_ok(&r))
			r.out = json_object();
	} else if (!path || path[0] != '/' || strspn(path, "/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
			     "OPQRSTUVWXYZ0123456789._-~") != strlen(path)) {
		api_error(&r, 400, "bad_request", NULL, NULL, "the path cannot be redirected");
	} else {
		bool ok = api_host_parse(r.host, &h) == 0 && env && api_host_allowed(env, &h);
		long long port = env && env->engine && env->engine->running ?
			doc_int(env->engine->running, "web.https_port", 443) : 443;
		char *target, *loc;
		target = api_redirect_host(&r, &h, ok);
		loc = port == 443 ? xasprintf("https://%s%s", target, path) :
			xasprintf("https://%s:%lld%s", target, port, path);
		r.status = 301;
		api_header(&r, "Location", loc);
		r.out = json_pack("{s:{s:s, s:s}}", "error", "code", "moved", "message", "use HTTPS");
		free(loc);
		free(target);
	}
	if (!r.out)
		r.out = json_object();
	resp = json_pack("{s:i, s:o, s:o}", "status", r.status, "headers", r.headers, "body", r.out);
	return resp;
}
