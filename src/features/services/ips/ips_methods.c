/*
 * The blocked list (the manual's "Blocked & Allowed Lists" page): bans
 * read by pages, a ban lifted (the address may be banned again), and a
 * ban by hand. Moving an address to the allowed list is the allowed
 * collection's own change (config.add on ips.allowed) with an unban.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/print.h"
#include "core/util.h"
#include "features/services/ips/ips_int.h"
#include "rpc/rpc.h"

#define IPS_GROUP "Intrusion prevention"

static const char *const ips_list_services[] = { "ssh", "asterisk", "gui", "manual", NULL };

static long long ips_int_param(struct rpc_call *c, const char *name, long long def)
{
	const json_t *v = json_object_get(c->params, name);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

static json_t *ips_blocked_method(struct rpc_call *c)
{
	const json_t *p = c->params;

	return ips_bans_list((long long)time(NULL), ips_int_param(c, "offset", 0),
			     ips_int_param(c, "limit", 100),
			     json_string_value(json_object_get(p, "search")),
			     json_string_value(json_object_get(p, "service")));
}

/* The address parameter: an address, or a banned prefix ("2001:db8:1:2::/64"). */
static bool ips_address_param(struct rpc_call *c, struct net_prefix *a)
{
	const char *text = rpc_str(c, "address");

	if (!text || net_prefix_parse(text, 0, true, a) != NET_OK) {
		rpc_fail(c, RPC_INVALID, "address", json_object_get(c->params, "address"),
			 "address: %s is not an IPv4 or IPv6 address", text ? text : "");
		return false;
	}
	return true;
}

static json_t *ips_unban_method(struct rpc_call *c)
{
	struct net_prefix a;
	char *err = NULL;
	int n;

	if (!ips_address_param(c, &a))
		return NULL;
	n = ips_bans_remove(c->env, &a, ips_conf()->prefix6, &err);
	if (n < 0) {
		json_t *r = rpc_fail(c, "internal", NULL, NULL, "cannot lift the ban: %s", err);
		free(err);
		return r;
	}
	return json_pack("{s:s, s:i}", "address", rpc_str(c, "address"), "removed", n);
}

static json_t *ips_ban_method(struct rpc_call *c)
{
	const struct ips_conf *conf = ips_conf();
	long long now = (long long)time(NULL);
	struct net_prefix a, key;
	const char *why;
	char *err = NULL, addr[64];
	json_t *minutes = json_object_get(c->params, "minutes");
	long long secs = minutes ? json_integer_value(minutes) * 60 : conf->ban_time;

	if (!ips_address_param(c, &a))
		return NULL;
	if (!conf->services)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "intrusion prevention is off: select "
				"a service first (ips.services)");
	if (a.has_len && a.len != (a.family == 4 ? 32 : conf->prefix6))
		return rpc_fail(c, RPC_INVALID, "address", json_object_get(c->params, "address"),
				"address: %s: give an address, or an IPv6 prefix of /%d",
				rpc_str(c, "address"), conf->prefix6);
	why = ips_exempt(&a);
	if (why)
		return rpc_fail(c, RPC_CONFLICT, "address", json_object_get(c->params, "address"),
				"address: %s %s: it is never banned", rpc_str(c, "address"), why);
	ips_ban_key(&a, &key);
	net_prefix_text(&a, false, addr, sizeof(addr));
	{
		struct ips_ban b = { .key = key, .service = ips_svc_name(IPS_SVC_MANUAL),
				     .reason = "banned by hand", .line = "", .banned = now,
				     .expires = now + secs };
		snprintf(b.address, sizeof(b.address), "%s", addr);
		if (ips_bans_add(c->env, &b, &err) < 0) {
			json_t *r = rpc_fail(c, "internal", NULL, NULL, "cannot ban: %s", err);
			free(err);
			return r;
		}
	}
	net_prefix_text(&key, true, addr, sizeof(addr));
	return json_pack("{s:s, s:s, s:I}", "address", rpc_str(c, "address"), "key", addr,
			 "expires", (json_int_t)(now + secs));
}

static void ips_print_blocked(const json_t *res)
{
	size_t i;
	json_t *b;

	printf("%-28s %-9s %-20s %-20s %9s\n", "BANNED", "SERVICE", "REASON", "SINCE", "LEFT");
	json_array_foreach(json_object_get(res, "bans"), i, b) {
		char since[32], left[32];

		print_time(json_integer_value(json_object_get(b, "banned")), "-", since);
		print_duration(json_integer_value(json_object_get(b, "left")), left);
		printf("%-28s %-9s %-20s %-20s %9s\n", json_string_value(json_object_get(b, "key")),
		       json_string_value(json_object_get(b, "service")),
		       json_string_value(json_object_get(b, "reason")), since, left);
	}
	printf("%lld banned\n", (long long)json_integer_value(json_object_get(res, "total")));
}

static const struct sc_field blocked_params[] = {
	{ .name = "offset", .kind = SC_INT, .min = 0, .max = 1LL << 40, .def = "0",
	  .help = "how many of the newest bans to skip" },
	{ .name = "limit", .kind = SC_INT, .min = 1, .max = 1000, .def = "100",
	  .help = "at most this many bans (1 to 1000)" },
	{ .name = "search", .kind = SC_STRING, .max = 64,
	  .help = "only bans whose address or prefix holds this text" },
	{ .name = "service", .kind = SC_ENUM, .choices = ips_list_services,
	  .help = "only bans of this service (manual: banned by hand)" },
	{ .name = NULL }
};

static const struct sc_field unban_params[] = {
	{ .name = "address", .kind = SC_STRING, .flags = SC_F_REQUIRED, .max = 64,
	  .help = "the banned address, or the prefix the list shows (2001:db8:1:2::/64)" },
	{ .name = NULL }
};

static const struct sc_field ban_params[] = {
	{ .name = "address", .kind = SC_STRING, .flags = SC_F_REQUIRED, .max = 64,
	  .help = "the address to ban (an IPv6 address is banned with its prefix)" },
	{ .name = "minutes", .kind = SC_INT, .min = 1, .max = 525600,
	  .help = "how long (default: the ban time)" },
	{ .name = NULL }
};

const struct rpc_method ips_methods[] = {
	{ "ips.blocked", ips_blocked_method, "the blocked list: addresses banned now, newest "
	  "first, with the service, the reason, the offending line and the time left",
	  IPS_GROUP, blocked_params,
	  "{total, bans: [{key, address, service, reason, line, banned, expires, left}]}",
	  RPC_READ, .rest = { { "GET", "/ips/blocked" } },
	  .cli = { "ips-blocked", "search?", .usage = "[TEXT]", .print = ips_print_blocked } },
	{ "ips.unban", ips_unban_method, "lifts a ban now (the address may be banned again)",
	  IPS_GROUP, unban_params, "{address, removed}",
	  .rest = { { "POST", "/ips/unban" } },
	  .cli = { "ips-unban", "address", .usage = "ADDRESS" } },
	{ "ips.ban", ips_ban_method, "bans an address by hand, for the ban time or some minutes",
	  IPS_GROUP, ban_params, "{address, key, expires}",
	  .rest = { { "POST", "/ips/ban" } },
	  .cli = { "ips-ban", "address minutes?", .usage = "ADDRESS [MINUTES]" } },
	{ NULL }
};
