/*
 * Events of the WAN's DHCPv6 client. dhclient -6 runs difos-dhcp6-event
 * once per address and once per delegated prefix of each event, and it
 * forwards dhclient's variables here as "wan.dhcp6_event". difosd keeps
 * what is leased now, puts the addresses on the WAN with their lifetimes,
 * gives the DNS servers to the resolver, and tells the features that
 * follow an uplink's delegation (the LAN) by EV_WAN_PREFIX with the whole
 * set, or EV_WAN_PREFIX_LOST when none is left. Every value came from a
 * DHCPv6 packet: each is checked before use.
 *
 * dhclient's reasons: BOUND6, RENEW6, REBIND6, REBOOT6 carry new_* values
 * (a prefix the server dropped arrives with lifetimes 0); DEPREF6 cur_*
 * (its preferred lifetime ran out); EXPIRE6, RELEASE6, STOP6 old_* (gone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wan/wan.h"
#include "net/addr.h"
#include "schema/schema.h"
#include "store/doc.h"

/* [{prefix, length, preferred, valid, since}] and [{address, preferred, valid, since}] */
static json_t *w6_prefixes, *w6_addresses, *w6_dns;

json_t *wan6_dhcp_state(void)
{
	long long now = (long long)time(NULL);
	json_t *o, *lists[2] = { json_array(), json_array() }, *src[2] = { w6_prefixes, w6_addresses };
	size_t i;
	json_t *e;

	if (!w6_prefixes && !w6_addresses && !w6_dns) {
		json_decref(lists[0]);
		json_decref(lists[1]);
		return NULL;
	}
	/* lifetimes as they are now, counted down from when they were given */
	for (int l = 0; l < 2; l++)
		json_array_foreach(src[l], i, e) {
			json_t *c = json_copy(e);
			long long since = doc_int(e, "since", now), gone = now - since;
			const char *keys[] = { "preferred", "valid" };
			for (int k = 0; k < 2; k++) {
				long long v = doc_int(e, keys[k], 0);
				if (v != 0xffffffffLL)
					v = v > gone ? v - gone : 0;
				json_object_set_new(c, keys[k], json_integer(v));
			}
			json_object_del(c, "since");
			json_array_append_new(lists[l], c);
		}
	o = json_pack("{s:o, s:o, s:o}", "prefixes", lists[0], "addresses", lists[1], "dns",
		      w6_dns ? json_deep_copy(w6_dns) : json_array());
	return o;
}

static void w6_emit(const struct feature_env *env, const char *dev, bool had)
{
	json_t *st = wan6_dhcp_state();

	if (json_array_size(w6_prefixes)) {
		json_object_set_new(st, "interface", json_string(dev));
		feature_emit(env, EV_WAN_PREFIX, st);
	} else if (had) {
		json_t *lost = json_pack("{s:s}", "interface", dev);
		feature_emit(env, EV_WAN_PREFIX_LOST, lost);
		json_decref(lost);
	}
	json_decref(st);
}

void wan6_dhcp_forget(const struct feature_env *env, const char *dev)
{
	bool had = json_array_size(w6_prefixes) > 0;

	json_decref(w6_prefixes);
	json_decref(w6_addresses);
	json_decref(w6_dns);
	w6_prefixes = w6_addresses = w6_dns = NULL;
	if (env->paths.run)
		wan_write_resolv6(env, NULL);
	if (had && dev)
		w6_emit(env, dev, true);
}

/* A lifetime in seconds (0xffffffff: forever), or -1. */
static long long w6_lifetime(const char *text)
{
	char *end = NULL;
	long long v;

	if (!text || !*text)
		return -1;
	v = strtoll(text, &end, 10);
	return *end || v < 0 || v > 0xffffffffLL ? -1 : v;
}

/* index of the entry whose key is value, or -1 */
static long w6_index(const json_t *list, const char *key, const char *value)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (!strcmp(doc_str(e, key), value))
			return (long)i;
	return -1;
}

/* "2001:db8:1::/56" -> its canonical network text and length (1 to 64) */
static bool w6_prefix(const char *text, char *net, size_t netlen, int *len)
{
	struct net_prefix p;

	if (!text || net_prefix_parse(text, 6, true, &p) != NET_OK || !p.has_len || p.len < 1 ||
	    p.len > 64)
		return false;
	net_prefix_clear_host(&p);
	*len = p.len;
	p.len = 128;
	net_prefix_text(&p, false, net, netlen);
	return true;
}

static void w6_set_prefix(const char *net, int len, long long pref, long long valid)
{
	long i = w6_index(w6_prefixes, "prefix", net);

	if (!w6_prefixes)
		w6_prefixes = json_array();
	if (valid <= 0) {
		if (i >= 0)
			json_array_remove(w6_prefixes, (size_t)i);
		return;
	}
	if (i >= 0)
		json_array_remove(w6_prefixes, (size_t)i);
	json_array_append_new(w6_prefixes, json_pack("{s:s, s:i, s:I, s:I, s:I}", "prefix", net,
		"length", len, "preferred", (json_int_t)(pref < valid ? pref : valid), "valid",
		(json_int_t)valid, "since", (json_int_t)time(NULL)));
}

static void w6_set_address(struct sys *sys, const char *dev, const char *addr, long long pref,
			   long long valid)
{
	char *cidr = xasprintf("%s/128", addr);
	long i = w6_index(w6_addresses, "address", addr);

	if (!w6_addresses)
		w6_addresses = json_array();
	if (i >= 0)
		json_array_remove(w6_addresses, (size_t)i);
	if (valid <= 0) {
		sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_DEL, .dev = dev, .addr = cidr });
	} else if (sys_net(sys, NULL, &(struct nl_op){ .kind = NL_ADDR_REPLACE, .dev = dev,
						       .addr = cidr, .preferred_lft = (unsigned)pref,
						       .valid_lft = (unsigned)valid }) == 0) {
		json_array_append_new(w6_addresses, json_pack("{s:s, s:I, s:I, s:I}", "address", addr,
			"preferred", (json_int_t)pref, "valid", (json_int_t)valid, "since",
			(json_int_t)time(NULL)));
	}
	free(cidr);
}

static bool w6_address_ok(const char *text)
{
	struct net_prefix p;

	return text && net_prefix_parse(text, 6, false, &p) == NET_OK;
}

/* space-separated IPv6 servers -> the valid ones (4 at most) */
static json_t *w6_servers(const char *text)
{
	json_t *a = json_array();
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *t = strtok_r(copy, " ", &save); t && json_array_size(a) < 4;
	     t = strtok_r(NULL, " ", &save))
		if (w6_address_ok(t))
			json_array_append_new(a, json_string(t));
	free(copy);
	return a;
}

json_t *wan6_dhcp_event(struct rpc_call *c)
{
	static const char *const bound[] = { "BOUND6", "RENEW6", "REBIND6", "REBOOT6", NULL };
	static const char *const gone[] = { "EXPIRE6", "RELEASE6", "STOP6", NULL };
	const char *reason = rpc_str(c, "reason"), *dev = rpc_str(c, "interface");
	const json_t *running = c->env && c->env->engine ? c->env->engine->running : NULL;
	const char *want = running ? doc_str(running, "wan.interface") : NULL;
	struct sys *sys = c->env->sys;
	bool had = json_array_size(w6_prefixes) > 0, is_bound = false, is_gone = false;
	json_t *before;
	char net[64];
	int len;

	if (!reason || !dev)
		return rpc_fail(c, RPC_BAD, NULL, NULL, "reason and interface are required");
	if (!want || strcmp(dev, want))
		return rpc_fail(c, RPC_CONFLICT, "interface", json_object_get(c->params, "interface"),
				"is not the WAN interface");
	before = json_deep_copy(w6_prefixes);
	for (int i = 0; bound[i]; i++)
		is_bound = is_bound || !strcmp(reason, bound[i]);
	for (int i = 0; gone[i]; i++)
		is_gone = is_gone || !strcmp(reason, gone[i]);
	if (is_bound) {
		long long pref = w6_lifetime(rpc_str(c, "new_preferred_life"));
		long long valid = w6_lifetime(rpc_str(c, "new_max_life"));
		const char *prefix = rpc_str(c, "new_ip6_prefix"), *addr = rpc_str(c, "new_ip6_address");

		if (pref < 0 || valid < 0) {
			json_decref(before);
			return rpc_fail(c, RPC_BAD, "new_max_life", json_object_get(c->params,
					"new_max_life"), "a lease without valid lifetimes");
		}
		if (prefix && w6_prefix(prefix, net, sizeof(net), &len)) {
			w6_set_prefix(net, len, pref, valid);
			log_info("wan: DHCPv6 %s prefix %s/%d preferred %lld valid %lld", reason, net,
				 len, pref, valid);
		} else if (prefix) {
			log_warn("wan: DHCPv6 prefix '%s' ignored: not a prefix of length 1 to 64", prefix);
		}
		if (addr && w6_address_ok(addr)) {
			w6_set_address(sys, dev, addr, pref, valid);
			log_info("wan: DHCPv6 %s address %s valid %lld", reason, addr, valid);
		}
		if (rpc_str(c, "new_dhcp6_name_servers")) {
			json_decref(w6_dns);
			w6_dns = w6_servers(rpc_str(c, "new_dhcp6_name_servers"));
			wan_write_resolv6(c->env, w6_dns);
		}
	} else if (!strcmp(reason, "DEPREF6")) {
		const char *prefix = rpc_str(c, "cur_ip6_prefix"), *addr = rpc_str(c, "cur_ip6_address");
		long i;

		if (prefix && w6_prefix(prefix, net, sizeof(net), &len) &&
		    (i = w6_index(w6_prefixes, "prefix", net)) >= 0)
			json_object_set_new(json_array_get(w6_prefixes, (size_t)i), "preferred",
					    json_integer(0));
		if (addr && w6_address_ok(addr) && (i = w6_index(w6_addresses, "address", addr)) >= 0) {
			json_t *e = json_array_get(w6_addresses, (size_t)i);
			long long left = doc_int(e, "valid", 0) - ((long long)time(NULL) -
								  doc_int(e, "since", 0));
			w6_set_address(sys, dev, addr, 0, left > 0 ? left : 0);
		}
	} else if (is_gone) {
		const char *prefix = rpc_str(c, "old_ip6_prefix"), *addr = rpc_str(c, "old_ip6_address");

		if (prefix && w6_prefix(prefix, net, sizeof(net), &len)) {
			w6_set_prefix(net, len, 0, 0);
			log_info("wan: DHCPv6 %s: prefix %s/%d gone", reason, net, len);
		}
		if (addr && w6_address_ok(addr))
			w6_set_address(sys, dev, addr, 0, 0);
	} else {
		log_info("wan: DHCPv6 event %s on %s", reason, dev);
	}
	/* the LAN follows every change of the delegation, renewals included
	 * (they carry the lifetimes its addresses get) */
	if (!json_equal(before, w6_prefixes) || (is_bound && rpc_str(c, "new_ip6_prefix")) ||
	    (had && !json_array_size(w6_prefixes)))
		w6_emit(c->env, dev, had);
	json_decref(before);
	return json_pack("{s:b}", "ok", 1);
}

/* dhclient's variables, as it sets them: each is checked before use */
#define W6_VAR(n, h) { .name = n, .kind = SC_TEXT, .max = 1024, .help = h }

const struct sc_field wan6_event_params[] = {
	W6_VAR("reason", "BOUND6, RENEW6, REBIND6, REBOOT6, DEPREF6, EXPIRE6, RELEASE6, STOP6, ..."),
	W6_VAR("interface", "the WAN interface"),
	W6_VAR("new_ip6_address", "the leased address"),
	W6_VAR("new_ip6_prefixlen", "its length"),
	W6_VAR("new_ip6_prefix", "a delegated prefix (address/length)"),
	W6_VAR("new_preferred_life", "its preferred lifetime in seconds"),
	W6_VAR("new_max_life", "its valid lifetime in seconds"),
	W6_VAR("new_dhcp6_name_servers", "the DNS servers, space separated"),
	W6_VAR("new_dhcp6_domain_search", "the domain search list"),
	W6_VAR("cur_ip6_address", "the address whose preferred lifetime ended (DEPREF6)"),
	W6_VAR("cur_ip6_prefix", "the prefix whose preferred lifetime ended (DEPREF6)"),
	W6_VAR("old_ip6_address", "the address gone (EXPIRE6, RELEASE6, STOP6)"),
	W6_VAR("old_ip6_prefix", "the prefix gone (EXPIRE6, RELEASE6, STOP6)"),
	{ .name = NULL }
};
