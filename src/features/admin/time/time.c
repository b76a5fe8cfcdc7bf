/*
 * Region & Time: the router's timezone (/etc/localtime and /etc/timezone
 * under its root) and its clock kept by chronyd from NTP servers, served
 * to the LAN when asked. The status shows the router's time now, in UTC
 * and in its zone, and chronyd's sources as chronyc last told them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "core/files.h"
#include "core/util.h"
#include "features/admin/time/time.h"
#include "features/admin/time/time_int.h"
#include "net/addr.h"
#include "rpc/rpc.h"
#include "store/doc.h"

static void time_check(const json_t *obj, const char *path, const json_t *doc,
		       struct sc_error_list *errs);

static const struct sc_field time_fields[] = {
	{ .name = "timezone", .kind = SC_STRING, .def = "\"UTC\"", .max = 64, .title = "Timezone",
	  .help = "The router's zone, an IANA name (Europe/Berlin, America/New_York, UTC): the "
		  "local time of its logs, schedules and pages." },
	{ .name = "ntp_servers", .kind = SC_LIST, .item = SC_STRING, .max = 8,
	  .def = "[\"0.debian.pool.ntp.org\", \"1.debian.pool.ntp.org\", "
		 "\"2.debian.pool.ntp.org\", \"3.debian.pool.ntp.org\"]",
	  .flags = SC_F_UNIQUE, .title = "NTP servers",
	  .help = "Names or addresses of the servers the clock follows (none: the clock is not "
		  "kept). Names are resolved over plain DNS by the uplink's servers." },
	{ .name = "ntp_server_lan", .kind = SC_BOOL, .def = "false", .title = "NTP server for the LAN",
	  .help = "Serve the router's time to the LAN (UDP port 123, from the LAN's network only)." },
	{ .name = NULL }
};

static const struct sc_field time_section = {
	.name = "time", .kind = SC_OBJECT, .fields = time_fields, .check = time_check,
	.title = "Region & Time", .help = "The timezone and the NTP servers of the router's clock.",
};

static const struct sc_field *const time_sections[] = { &time_section, NULL };

/* a domain name: labels of letters, digits and '-', not at either end */
static bool time_host_ok(const char *s)
{
	struct net_prefix p;
	size_t label = 0, n = strlen(s);

	if (net_prefix_parse(s, 0, false, &p) == NET_OK)
		return true;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static void time_check(const json_t *obj, const char *path, const json_t *doc,
		       struct sc_error_list *errs)
{
	const json_t *tz = json_object_get(obj, "timezone"), *v;
	size_t i;
	char *p;

	(void)doc;
	if (json_is_string(tz) && !time_zone_known(json_string_value(tz))) {
		p = xasprintf("%s.timezone", path);
		sc_error_addj(errs, p, tz, "is not a timezone of the IANA list (e.g. Europe/Berlin, UTC)");
		free(p);
	}
	json_array_foreach(json_object_get(obj, "ntp_servers"), i, v) {
		if (json_is_string(v) && !time_host_ok(json_string_value(v))) {
			p = xasprintf("%s.ntp_servers[%zu]", path, i);
			sc_error_addj(errs, p, v, "is not a host name or an IP address");
			free(p);
		}
	}
}

/* The LAN's IPv4 network ("192.168.1.0/24"), or false. */
static bool time_lan_net(const json_t *doc, char *out, size_t outlen)
{
	const char *addr = doc_str(doc, "lan.ipv4.address");
	char *text;
	struct net_prefix p;
	enum net_parse r;

	if (!addr)
		return false;
	text = xasprintf("%s/%lld", addr, doc_int(doc, "lan.ipv4.prefix", 24));
	r = net_prefix_parse(text, 4, true, &p);
	free(text);
	if (r != NET_OK)
		return false;
	net_prefix_clear_host(&p);
	net_prefix_text(&p, true, out, outlen);
	return true;
}

static bool time_serves_lan(const json_t *doc)
{
	return doc_bool(doc, "time.ntp_server_lan", false);
}

static int time_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc, *servers = doc_get(doc, "time.ntp_servers"), *v;
	const struct feature_paths *pp = &ctx->env->paths;
	bool lan = time_serves_lan(doc);
	char net[64];
	struct sbuf b;
	size_t i;

	render_add(out, "timezone", 0644, xasprintf("%s\n", doc_str(doc, "time.timezone")));
	if (json_array_size(servers) == 0 && !lan)
		return 0;   /* no chrony.conf: chronyd does not run */
	sbuf_init(&b);
	sbuf_add(&b, "# chronyd's configuration, written by difos (Administration > System > "
		     "Region & Time)\n");
	json_array_foreach(servers, i, v)
		sbuf_printf(&b, "server %s iburst\n", json_string_value(v));
	sbuf_printf(&b, "driftfile %s/time/chrony.drift\n", pp->state);
	/* a clock far off at boot is stepped, later only slewed */
	sbuf_add(&b, "makestep 1.0 3\nrtcsync\n");
	/* commands over its Unix socket only, for difosd's chronyc */
	sbuf_printf(&b, "cmdport 0\nbindcmdaddress %s/time/sock/chronyd.sock\n", pp->run);
	sbuf_printf(&b, "pidfile %s/time/chronyd.pid\n", pp->run);
	if (lan && time_lan_net(doc, net, sizeof(net)))
		/* the LAN is served even while no server answers: the router's own clock */
		sbuf_printf(&b, "allow %s\nlocal stratum 10\n", net);
	else
		sbuf_add(&b, "port 0\n");
	render_add(out, "chrony.conf", 0644, b.s);
	return 0;
}

/* The timezone: /etc/localtime a link to its zone file, /etc/timezone its name. */
static int time_apply_zone(struct feature_ctx *ctx)
{
	char *rendered = xasprintf("%s/timezone", ctx->dir), *text = file_read(rendered, NULL);
	const char *etc = ctx->env->paths.etc;
	char *link = xasprintf("%s/localtime", etc), *tmp = xasprintf("%s/localtime.tmp", etc);
	char *tzfile = xasprintf("%s/timezone", etc), *target = NULL;
	int rc = 0;

	free(rendered);
	if (!text) {
		ctx->err = xasprintf("cannot read the rendered timezone: %s", strerror(errno));
		rc = -1;
		goto out;
	}
	target = xasprintf("%s/%.*s", TIME_ZONEINFO, (int)strcspn(text, "\n"), text);
	mkdir_p(etc, 0755);
	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
		ctx->err = xasprintf("cannot link %s to %s: %s", link, target, strerror(errno));
		unlink(tmp);
		rc = -1;
	} else if ((rc = file_write_atomic(tzfile, text, strlen(text), 0644)) < 0) {
		ctx->err = xasprintf("cannot write %s: %s", tzfile, strerror(-rc));
		rc = -1;
	}
out:
	free(text);
	free(link);
	free(tmp);
	free(tzfile);
	free(target);
	return rc;
}

static int time_apply(struct feature_ctx *ctx)
{
	char *conf = xasprintf("%s/chrony.conf", ctx->dir);
	bool on = access(conf, F_OK) == 0;

	free(conf);
	if (apply_file_changed(ctx, "timezone") && time_apply_zone(ctx) < 0)
		return -1;
	return time_chrony_apply(ctx, on, apply_file_changed(ctx, "chrony.conf"));
}

/* LAN clients reach chronyd whatever the LAN's input rules say; no other zone does */
static void time_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	const char *dev = doc_str(ctx->doc, "lan.device");

	if (time_serves_lan(ctx->doc) && dev)
		sbuf_printf(&out->slot[NFT_INPUT], "\t\tiifname \"%s\" udp dport 123 accept comment "
			    "\"NTP for the LAN\"\n", dev);
}

/* The uplink's DNS servers changed: chronyd's copy follows. */
static void time_event(const struct feature_env *env, const struct feature_event *ev)
{
	if ((ev->kind == EV_WAN_LEASE || ev->kind == EV_WAN_LEASE_LOST || ev->kind == EV_WAN_PREFIX ||
	     ev->kind == EV_WAN_PREFIX_LOST) && sv_running(TIME_CHRONYD))
		time_resolv_refresh(env);
}

static void time_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	time_chrony_stop();
}

/* The router's time now, in UTC and in its zone, and chronyd's view. */
static json_t *time_now(const struct feature_env *env, const json_t *doc)
{
	const char *zone = doc_str(doc, "time.timezone");
	struct timeval tv;
	struct tm utc, local;
	char u[40], l[40], abbr[16] = "";
	json_t *o, *ntp = time_chrony_state();
	long offset = 0;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &utc);
	strftime(u, sizeof(u), "%Y-%m-%dT%H:%M:%SZ", &utc);
	if (zone && time_local(zone, tv.tv_sec, &local)) {
		strftime(l, sizeof(l), "%Y-%m-%dT%H:%M:%S", &local);
		snprintf(abbr, sizeof(abbr), "%s", local.tm_zone ? local.tm_zone : "");
		offset = local.tm_gmtoff;
	} else {
		snprintf(l, sizeof(l), "%.19s", u);
		snprintf(abbr, sizeof(abbr), "UTC");
	}
	json_object_set_new(ntp, "servers", json_deep_copy(doc_get(doc, "time.ntp_servers")));
	json_object_set_new(ntp, "serving_lan", json_boolean(time_serves_lan(doc)));
	json_object_set_new(ntp, "running", json_boolean(sv_running(TIME_CHRONYD)));
	json_object_set_new(ntp, "clock_control", json_boolean(time_clock_control(env)));
	json_object_set_new(ntp, "synchronised",
			    json_boolean(json_is_true(json_object_get(json_object_get(ntp, "tracking"),
								      "synchronised"))));
	o = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:i, s:o}", "now_ms",
		      (json_int_t)tv.tv_sec * 1000 + tv.tv_usec / 1000, "utc", u, "local", l,
		      "timezone", zone, "abbreviation", abbr, "utc_offset", (int)offset, "ntp", ntp);
	return o;
}

static json_t *time_status(struct feature_ctx *ctx)
{
	return time_now(ctx->env, ctx->doc);
}

/* ---- methods ---- */

static json_t *time_status_method(struct rpc_call *c)
{
	if (!c->env->engine)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "no configuration in force");
	return time_now(c->env, c->env->engine->running);
}

static json_t *time_sync_method(struct rpc_call *c)
{
	char *why = time_chrony_sync(c->env);
	json_t *r, *st;

	if (why) {
		r = rpc_fail(c, RPC_CONFLICT, NULL, NULL, "%s", why);
		free(why);
		return r;
	}
	st = time_chrony_state();
	r = json_pack("{s:O}", "sync", json_object_get(st, "sync"));
	json_decref(st);
	return r;
}

static json_t *time_zones_method(struct rpc_call *c)
{
	(void)c;
	return json_pack("{s:O}", "zones", time_zones());
}

static void time_print_status(const json_t *r)
{
	const json_t *ntp = json_object_get(r, "ntp"), *tr = json_object_get(ntp, "tracking"), *s;
	size_t i;

	printf("time      %s %s (UTC %s)\n", json_string_value(json_object_get(r, "local")),
	       json_string_value(json_object_get(r, "abbreviation")),
	       json_string_value(json_object_get(r, "utc")));
	printf("timezone  %s\n", json_string_value(json_object_get(r, "timezone")));
	printf("ntp       %s%s%s\n", json_is_true(json_object_get(ntp, "running")) ? "running" : "off",
	       json_is_true(json_object_get(ntp, "synchronised")) ? ", synchronised" : "",
	       json_is_true(json_object_get(ntp, "serving_lan")) ? ", serving the LAN" : "");
	if (json_string_value(json_object_get(tr, "reference")))
		printf("reference %s (stratum %lld)\n", json_string_value(json_object_get(tr, "reference")),
		       (long long)json_integer_value(json_object_get(tr, "stratum")));
	json_array_foreach(json_object_get(ntp, "sources"), i, s)
		printf("  %-40s %-14s stratum %-2lld reach %03llo\n",
		       json_string_value(json_object_get(s, "address")),
		       json_string_value(json_object_get(s, "state")),
		       (long long)json_integer_value(json_object_get(s, "stratum")),
		       (unsigned long long)json_integer_value(json_object_get(s, "reach")));
}

static void time_print_zones(const json_t *r)
{
	const json_t *z;
	size_t i;

	json_array_foreach(json_object_get(r, "zones"), i, z)
		printf("%s\n", json_string_value(z));
}

#define ADMIN "Administration"

static const struct rpc_method time_methods[] = {
	{ "time.status", time_status_method, "the router's time now (UTC and in its timezone) and "
	  "its NTP sources as chronyd last told them", ADMIN, NULL,
	  "{now_ms, utc, local, timezone, abbreviation, utc_offset (s), ntp: {running, synchronised, "
	  "clock_control, serving_lan, servers, sources: [{mode, state, address, stratum, poll, "
	  "reach, last_rx, offset, measured, error}], tracking: {reference, stratum, system_offset, "
	  "...}|null, updated, error, sync}}", RPC_READ,
	  .rest = { { "GET", "/time" } },
	  .cli = { "time", .print = time_print_status } },
	{ "time.sync", time_sync_method, "Sync with NTP Server: a burst of measurements, then a step "
	  "of the clock to the servers' time", ADMIN, NULL,
	  "{sync: {state (running|done), started, burst?, step?}}",
	  .rest = { { "POST", "/time/sync" } },
	  .cli = { "time-sync" }, .flags = RPC_F_ANYTIME },
	{ "time.zones", time_zones_method, "the IANA timezone names the router knows", ADMIN, NULL,
	  "{zones: [name]}", RPC_READ,
	  .rest = { { "GET", "/time/zones" } },
	  .cli = { "time-zones", .print = time_print_zones } },
	{ NULL }
};

const struct feature feature_time = {
	.name = "time",
	.title = "Region & Time",
	.sections = time_sections,
	.render = time_render,
	.apply = time_apply,
	.status = time_status,
	.stop = time_stop,
	.engines = (const struct feature_engine[]){ { TIME_CHRONYD, "engine" },
						   { TIME_CHRONYC, "reader" }, { NULL } },
	.nft = time_nft,
	.event = time_event,
	.methods = time_methods,
};
