/*
 * The delegated prefix on the LAN, and its renumbering (RFC 9096).
 *
 * An uplink that is delegated a prefix says so by EV_WAN_PREFIX (the WAN's
 * DHCPv6 client today, the WWAN later): the LAN takes the /64 numbered
 * lan.ipv6.prefix_subnet of it and puts <prefix64>::1/64 on its device with
 * the delegated lifetimes. difos-ra6 advertises what the device holds, so
 * the kernel's lifetimes are what the hosts hear.
 *
 * When the delegation changes or goes, the /64 it gave is not removed but
 * deprecated: preferred lifetime 0, valid lifetime what it has left, at
 * most RFC 9096's ND_VALID_LIMIT; the next advertisement says so and hosts
 * stop choosing it for new connections at once. What was announced is
 * kept under the state directory: after a restart, it is deprecated until
 * a delegation names it again (the prefix may have changed meanwhile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/lan/lan6.h"
#include "store/doc.h"

/* [{uplink, prefix (the /64), address, preferred_until, valid_until, state}] */
static json_t *pd_announced;
/* uplink -> the last EV_WAN_PREFIX data it sent (to follow a settings change) */
static json_t *pd_last;

static char *pd_path(const struct feature_env *env)
{
	return xasprintf("%s/lan/prefix6.json", env->paths.state);
}

static void pd_load(const struct feature_env *env)
{
	char *path;

	if (pd_announced)
		return;
	path = pd_path(env);
	pd_announced = json_load_file(path, 0, NULL);
	free(path);
	if (!json_is_array(pd_announced)) {
		json_decref(pd_announced);
		pd_announced = json_array();
	}
	pd_last = json_object();
}

static void pd_save(const struct feature_env *env)
{
	char *dir = xasprintf("%s/lan", env->paths.state), *path = pd_path(env);
	char *text = json_dumps(pd_announced, JSON_INDENT(1) | JSON_SORT_KEYS);

	mkdir_p(dir, 0755);
	if (!text || file_write_atomic(path, text, strlen(text), 0644) < 0)
		log_warn("lan: cannot keep the announced prefixes in %s", path);
	free(text);
	free(path);
	free(dir);
}

static json_t *pd_find(const char *uplink, const char *prefix)
{
	size_t i;
	json_t *e;

	json_array_foreach(pd_announced, i, e)
		if (!strcmp(doc_str(e, "prefix"), prefix) &&
		    (!uplink || !strcmp(doc_str(e, "uplink"), uplink)))
			return e;
	return NULL;
}

/* Deprecates an announced /64: preferred 0, valid what it has left (capped). */
static void pd_deprecate(struct sys *sys, const char *dev, json_t *e, long long now)
{
	long long left = doc_int(e, "valid_until", 0) - now;
	const char *addr = doc_str(e, "address");

	if (left <= 0) {
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_DEL, .dev = dev, .addr = addr });
		json_object_set_new(e, "valid_until", json_integer(now));
	} else {
		unsigned valid = lan6_deprecated_valid((unsigned)left);
		/* valid > 0: (0, 0) would mean forever */
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_REPLACE, .dev = dev, .addr = addr,
						    .preferred_lft = 0, .valid_lft = valid });
		json_object_set_new(e, "valid_until", json_integer(now + valid));
	}
	if (strcmp(doc_str(e, "state"), "deprecated"))
		log_info("lan: %s deprecated (RFC 9096): valid for %lld s more", doc_str(e, "prefix"),
			 (long long)(doc_int(e, "valid_until", now) - now));
	json_object_set_new(e, "preferred_until", json_integer(now));
	json_object_set_new(e, "state", json_string("deprecated"));
}

/* Entries whose valid lifetime ended: the kernel removed their address. */
static void pd_prune(long long now)
{
	for (size_t i = json_array_size(pd_announced); i-- > 0;)
		if (doc_int(json_array_get(pd_announced, i), "valid_until", 0) <= now)
			json_array_remove(pd_announced, i);
}

static unsigned pd_lifetime(const json_t *p, const char *key)
{
	long long v = doc_int(p, key, 0);

	return v < 0 ? 0 : v > 0xffffffffLL ? 0xffffffffu : (unsigned)v;
}

/*
 * Makes the LAN hold the /64s of what uplink delegates now (data: the
 * event's, NULL when it lost its delegation), and deprecates the ones it
 * gave before and gives no more.
 */
static void pd_follow(const struct feature_env *env, const json_t *doc, const char *uplink,
		      const json_t *data)
{
	struct sys *sys = env->sys;
	const char *dev = doc_str(doc, "lan.device");
	const char *mode = doc_str(doc, "lan.ipv6.mode");
	bool served = mode && strcmp(mode, "relay") && strcmp(mode, "hybrid");
	unsigned long subnet = (unsigned long)doc_int(doc, "lan.ipv6.prefix_subnet", 0);
	long long now = (long long)time(NULL);
	json_t *keep = json_array(), *p;
	size_t i;

	json_array_foreach(served && data ? json_object_get(data, "prefixes") : NULL, i, p) {
		struct net_prefix d, p64;
		char *text = xasprintf("%s/%lld", doc_str(p, "prefix") ? doc_str(p, "prefix") : "",
				       doc_int(p, "length", 0));
		char net[64], addr[64];
		unsigned preferred = pd_lifetime(p, "preferred"), valid = pd_lifetime(p, "valid");
		json_t *e;

		if (net_prefix_parse(text, 6, true, &d) != NET_OK || !valid) {
			free(text);
			continue;
		}
		if (!lan6_subnet64(&d, subnet, &p64)) {
			log_warn("lan: subnet %lu does not fit in the delegated prefix %s", subnet, text);
			free(text);
			continue;
		}
		free(text);
		net_prefix_text(&p64, true, net, sizeof(net));
		lan6_router_addr(&p64, addr, sizeof(addr));
		if (sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_REPLACE, .dev = dev,
							.addr = addr, .preferred_lft = preferred,
							.valid_lft = valid }))
			continue;
		e = pd_find(NULL, net);
		if (!e) {
			e = json_object();
			json_array_append_new(pd_announced, e);
			log_info("lan: %s from %s's delegated prefix", addr, uplink);
		}
		json_object_set_new(e, "uplink", json_string(uplink));
		json_object_set_new(e, "prefix", json_string(net));
		json_object_set_new(e, "address", json_string(addr));
		json_object_set_new(e, "device", json_string(dev));
		json_object_set_new(e, "preferred_until", json_integer(now + preferred));
		json_object_set_new(e, "valid_until", json_integer(now + valid));
		json_object_set_new(e, "state", json_string("active"));
		json_array_append_new(keep, json_string(net));
	}
	json_array_foreach(pd_announced, i, p) {
		bool kept = false;
		size_t j;
		json_t *k;

		if (strcmp(doc_str(p, "uplink"), uplink) || !strcmp(doc_str(p, "state"), "deprecated"))
			continue;
		json_array_foreach(keep, j, k)
			kept = kept || !strcmp(json_string_value(k), doc_str(p, "prefix"));
		if (!kept)
			pd_deprecate(sys, doc_str(p, "device") ? doc_str(p, "device") : dev, p, now);
	}
	json_decref(keep);
	pd_prune(now);
	pd_save(env);
}

void lan6_event(const struct feature_env *env, const struct feature_event *ev)
{
	const json_t *doc = env->engine ? env->engine->running : NULL;
	const char *uplink = doc_str(ev->data, "interface");

	if ((ev->kind != EV_WAN_PREFIX && ev->kind != EV_WAN_PREFIX_LOST) || !doc || !uplink)
		return;
	pd_load(env);
	if (ev->kind == EV_WAN_PREFIX)
		json_object_set_new(pd_last, uplink, json_deep_copy(ev->data));
	else
		json_object_del(pd_last, uplink);
	pd_follow(env, doc, uplink, ev->kind == EV_WAN_PREFIX ? ev->data : NULL);
}

void lan6_pd_boot(const struct feature_env *env, const json_t *doc)
{
	long long now = (long long)time(NULL);
	const char *dev = doc_str(doc, "lan.device");
	size_t i;
	json_t *e;

	pd_load(env);
	if (!json_array_size(pd_announced))
		return;
	json_array_foreach(pd_announced, i, e)
		pd_deprecate(env->sys, dev, e, now);
	pd_prune(now);
	pd_save(env);
}

void lan6_pd_refresh(const struct feature_env *env, const json_t *doc)
{
	const char *uplink;
	json_t *data;

	if (!pd_last)
		return;
	json_object_foreach(pd_last, uplink, data)
		pd_follow(env, doc, uplink, data);
}

json_t *lan6_pd_status(void)
{
	json_t *a = json_array(), *e;
	long long now = (long long)time(NULL);
	size_t i;

	json_array_foreach(pd_announced, i, e) {
		long long pu = doc_int(e, "preferred_until", now), vu = doc_int(e, "valid_until", now);
		json_array_append_new(a, json_pack("{s:s?, s:s?, s:s?, s:s?, s:I, s:I}", "prefix",
			doc_str(e, "prefix"), "address", doc_str(e, "address"), "uplink",
			doc_str(e, "uplink"), "state", doc_str(e, "state"), "preferred",
			(json_int_t)(pu > now ? pu - now : 0), "valid",
			(json_int_t)(vu > now ? vu - now : 0)));
	}
	return a;
}
