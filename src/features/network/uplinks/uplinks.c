/*
 * Network Settings › Uplinks: the health of each uplink. Its probe targets
 * (ICMP echo, DNS queries) are asked every interval out of the uplink's own
 * device; the rounds' loss and RTT switch the uplink's state up, degraded
 * or down (after down_after worse or up_after better rounds in a row), and
 * each switch is told to the features as EV_UPLINK_HEALTH (a failover
 * follows it). The WAN's device is the one its last lease or PPPoE session
 * named (EV_WAN_LEASE), else wan.interface.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/uplinks/uplinks.h"
#include "store/doc.h"

#define UL_PER_UPLINK 8

static const char *const ul_kinds[] = { "icmp", "dns", NULL };
static const char *const ul_kind_labels[] = { "ICMP echo", "DNS query" };
static const char *const ul_dns_only[] = { "dns", NULL };
/* the uplinks checked */
static const char *const ul_uplinks[] = { "wan", "wwan", NULL };
static const char *const ul_uplink_labels[] = { "WAN", "WWAN (LTE)" };

static void ul_uplink_check(const json_t *o, const char *path, const json_t *doc,
			    struct sc_error_list *errs);
static void ul_target_check(const json_t *el, const char *path, const json_t *doc,
			    struct sc_error_list *errs);
static void ul_section_check(const json_t *o, const char *path, const json_t *doc,
			     struct sc_error_list *errs);

static const struct sc_field ul_uplink_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "false", .title = "Check this uplink" },
	{ .name = "interval", .kind = SC_INT, .min = 1, .max = 3600, .def = "10",
	  .title = "Interval (s)", .help = "Seconds between two rounds of probes." },
	{ .name = "timeout", .kind = SC_INT, .min = 100, .max = 60000, .def = "2000",
	  .title = "Timeout (ms)", .help = "A probe unanswered after this is lost (below the interval)." },
	{ .name = "loss_threshold", .kind = SC_INT, .min = 0, .max = 100, .def = "20",
	  .title = "Loss threshold (%)",
	  .help = "A round losing more of its probes is degraded; losing all is down." },
	{ .name = "latency_threshold", .kind = SC_INT, .min = 1, .max = 60000, .def = "500",
	  .title = "Latency threshold (ms)", .help = "A round whose mean RTT is above is degraded." },
	{ .name = "down_after", .kind = SC_INT, .min = 1, .max = 100, .def = "3",
	  .title = "Failures to switch", .help = "Worse rounds in a row before the state worsens." },
	{ .name = "up_after", .kind = SC_INT, .min = 1, .max = 100, .def = "2",
	  .title = "Successes to switch", .help = "Better rounds in a row before the state improves." },
	{ .name = NULL }
};

static const struct sc_field ul_target_fields[] = {
	{ .name = "uplink", .kind = SC_ENUM, .choices = ul_uplinks, .labels = ul_uplink_labels,
	  .def = "\"wan\"", .title = "Uplink", .help = "The uplink this target checks." },
	{ .name = "kind", .kind = SC_ENUM, .choices = ul_kinds, .labels = ul_kind_labels,
	  .def = "\"icmp\"", .title = "Probe",
	  .help = "icmp: an echo request; dns: a query to a DNS server." },
	{ .name = "address", .kind = SC_IPV4, .flags = SC_F_REQUIRED, .title = "Address",
	  .help = "The target's IPv4 address (for dns: the server's)." },
	{ .name = "name", .kind = SC_FQDN, .title = "Name asked",
	  .help = "dns: the name whose address is asked (empty: the root's servers).",
	  .when = { "kind", ul_dns_only } },
	{ .name = NULL }
};

static const struct sc_field ul_fields[] = {
	{ .name = "wan", .kind = SC_OBJECT, .fields = ul_uplink_fields, .check = ul_uplink_check,
	  .title = "WAN", .help = "How the WAN's health is checked." },
	{ .name = "wwan", .kind = SC_OBJECT, .fields = ul_uplink_fields, .check = ul_uplink_check,
	  .title = "WWAN", .help = "How the LTE uplink's health is checked (while it is up): "
	  "the failover does not move traffic to it while it is down." },
	{ .name = "targets", .kind = SC_COLLECTION, .fields = ul_target_fields, .max = 32,
	  .def = "[]", .check = ul_target_check, .title = "Probe targets",
	  .help = "What each uplink asks, every interval, out of its own device." },
	{ .name = NULL }
};

static const struct sc_field ul_section = {
	.name = "uplinks", .kind = SC_OBJECT, .fields = ul_fields, .check = ul_section_check,
	.title = "Uplinks",
	.help = "Health checks of the uplinks: probe targets, thresholds, hysteresis.",
};

static const struct sc_field *const ul_sections[] = { &ul_section, NULL };

static void ul_uplink_check(const json_t *o, const char *path, const json_t *doc,
			    struct sc_error_list *errs)
{
	long long interval = doc_int(o, "interval", 10), timeout = doc_int(o, "timeout", 2000);
	char p[128];

	(void)doc;
	if (timeout >= interval * 1000) {
		char v[24];

		snprintf(p, sizeof(p), "%s.timeout", path);
		snprintf(v, sizeof(v), "%lld", timeout);
		/* one round at a time: the next begins after this one ended */
		sc_error_add(errs, p, v, "ms is not below the interval of %lld s", interval);
	}
}

static void ul_target_check(const json_t *el, const char *path, const json_t *doc,
			    struct sc_error_list *errs)
{
	const char *name = doc_str(el, "name");
	char p[128];

	(void)doc;
	if (name && strcmp(doc_str(el, "kind") ? doc_str(el, "kind") : "icmp", "dns")) {
		snprintf(p, sizeof(p), "%s.name", path);
		sc_error_add(errs, p, name, "is asked only by a dns target");
	}
}

/* at most UL_PER_UPLINK targets each: a round's probes go out together */
static void ul_section_check(const json_t *o, const char *path, const json_t *doc,
			     struct sc_error_list *errs)
{
	char p[128];
	json_t *t;
	size_t i;

	(void)doc;
	for (size_t k = 0; ul_uplinks[k]; k++) {
		int n = 0;
		json_array_foreach(json_object_get(o, "targets"), i, t)
			if (!strcmp(doc_str(t, "uplink") ? doc_str(t, "uplink") : "wan", ul_uplinks[k]))
				n++;
		if (n > UL_PER_UPLINK) {
			snprintf(p, sizeof(p), "%s.targets", path);
			sc_error_add(errs, p, ul_uplinks[k], "has %d targets, more than %d", n,
				     UL_PER_UPLINK);
		}
	}
}

/* ---- the state kept on the loop ---- */

struct ul_entry {
	const char *name;           /* "wan" */
	struct ul_uplink *u;
	struct ul_config c;
	struct ul_track track;
	char dev[32];
	char src[16];               /* the address it sends from ("" the kernel's choice) */
	bool enabled;
	size_t ntargets;
	long long since, rounds;
	json_t *last;               /* the last round's result */
};

static struct ul_entry ul_entries[] = { { .name = "wan" }, { .name = "wwan" } };
static const struct feature_env *ul_env;
/* the WAN's device as its last lease or session named it */
static char ul_wan_lease_dev[32];
/* the WWAN's device and address while its uplink is up (EV_WWAN_UP) */
static char ul_wwan_dev[32], ul_wwan_addr[16];

static struct ul_entry *ul_entry_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ul_entries); i++)
		if (!strcmp(ul_entries[i].name, name))
			return &ul_entries[i];
	return NULL;
}

static void ul_round_done(struct ul_uplink *u, const json_t *round, void *arg)
{
	struct ul_entry *e = arg;
	int sent = (int)json_integer_value(json_object_get(round, "sent"));
	int answered = (int)json_integer_value(json_object_get(round, "answered"));
	int rtt = (int)json_integer_value(json_object_get(round, "rtt_ms"));
	enum ul_state v = ul_verdict(&e->c, sent, answered, rtt);

	(void)u;
	core_enter();
	json_decref(e->last);
	e->last = json_deep_copy(round);
	e->rounds++;
	if (ul_track_round(&e->track, &e->c, v)) {
		json_t *ev = json_pack("{s:s, s:s, s:O, s:O, s:s, s:I}", "uplink", e->name, "state",
				       ul_state_name(e->track.state), "loss",
				       json_object_get(round, "loss"), "rtt",
				       json_object_get(round, "rtt_ms"), "device", e->dev, "since",
				       (json_int_t)time(NULL));
		e->since = time(NULL);
		log_info("uplinks: %s is %s (loss %d%%, rtt %d ms)", e->name,
			 ul_state_name(e->track.state),
			 (int)json_integer_value(json_object_get(round, "loss")), answered ? rtt : -1);
		feature_emit(ul_env, EV_UPLINK_HEALTH, ev);
		json_decref(ev);
	}
	core_state_changed();
	core_leave();
}

struct ul_setup {
	struct ul_entry *e;
	struct ul_config c;
	struct ul_target t[UL_PER_UPLINK];
	size_t n;
	char dev[32];
	char src[16];
	bool enabled;
};

/* on the loop: the uplink's rounds as the settings say (a change starts over) */
static void ul_setup_here(void *arg)
{
	struct ul_setup *s = arg;
	struct ul_entry *e = s->e;

	ul_stop(e->u);
	e->u = NULL;
	e->c = s->c;
	e->enabled = s->enabled;
	e->ntargets = s->n;
	snprintf(e->dev, sizeof(e->dev), "%s", s->dev);
	snprintf(e->src, sizeof(e->src), "%s", s->src);
	memset(&e->track, 0, sizeof(e->track));
	e->track.state = UL_UNKNOWN;
	e->since = time(NULL);
	e->rounds = 0;
	json_decref(e->last);
	e->last = NULL;
	/* an uplink without its device (the WWAN's before it is up) waits for it */
	if (s->enabled && s->n && s->dev[0] && ul_env && ul_env->loop)
		e->u = ul_start(ul_env->loop, e->name, e->dev, e->src, &e->c, s->t, s->n,
				ul_round_done, e);
}

static void ul_setup_of(const json_t *doc, struct ul_entry *e, struct ul_setup *s)
{
	char base[64];
	json_t *t;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->e = e;
	snprintf(base, sizeof(base), "uplinks.%s", e->name);
	s->enabled = doc_bool(doc_get(doc, base), "enabled", false);
	s->c.interval_s = (int)doc_int(doc_get(doc, base), "interval", 10);
	s->c.timeout_ms = (int)doc_int(doc_get(doc, base), "timeout", 2000);
	s->c.loss_pct = (int)doc_int(doc_get(doc, base), "loss_threshold", 20);
	s->c.latency_ms = (int)doc_int(doc_get(doc, base), "latency_threshold", 500);
	s->c.down_after = (int)doc_int(doc_get(doc, base), "down_after", 3);
	s->c.up_after = (int)doc_int(doc_get(doc, base), "up_after", 2);
	json_array_foreach(doc_get(doc, "uplinks.targets"), i, t) {
		const char *up = doc_str(t, "uplink") ? doc_str(t, "uplink") : "wan";
		if (strcmp(up, e->name) || s->n >= UL_PER_UPLINK)
			continue;
		snprintf(s->t[s->n].kind, sizeof(s->t[s->n].kind), "%s",
			 doc_str(t, "kind") ? doc_str(t, "kind") : "icmp");
		snprintf(s->t[s->n].address, sizeof(s->t[s->n].address), "%s", doc_str(t, "address"));
		snprintf(s->t[s->n].name, sizeof(s->t[s->n].name), "%s",
			 doc_str(t, "name") ? doc_str(t, "name") : "");
		s->n++;
	}
	if (!strcmp(e->name, "wwan")) {
		/* the WWAN: its device and address while its uplink is up */
		snprintf(s->dev, sizeof(s->dev), "%s", ul_wwan_dev);
		snprintf(s->src, sizeof(s->src), "%s", ul_wwan_addr);
		return;
	}
	/* the WAN: the device its lease or session is on */
	snprintf(s->dev, sizeof(s->dev), "%s", ul_wan_lease_dev[0] ? ul_wan_lease_dev :
		 doc_str(doc, "wan.interface") ? doc_str(doc, "wan.interface") : "");
}

static int ul_render(struct feature_ctx *ctx, struct render_out *out)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "# uplink health checks rendered by difos\n");
	for (size_t k = 0; k < ARRAY_SIZE(ul_entries); k++) {
		struct ul_setup s;

		ul_setup_of(ctx->doc, &ul_entries[k], &s);
		sbuf_printf(&b, "uplink %s %s interval %ds timeout %dms loss %d%% latency %dms "
			    "down-after %d up-after %d\n", ul_entries[k].name,
			    s.enabled ? "on" : "off", s.c.interval_s, s.c.timeout_ms, s.c.loss_pct,
			    s.c.latency_ms, s.c.down_after, s.c.up_after);
		for (size_t i = 0; i < s.n; i++)
			sbuf_printf(&b, "target %s %s %s%s%s\n", ul_entries[k].name, s.t[i].kind,
				    s.t[i].address, s.t[i].name[0] ? " " : "", s.t[i].name);
	}
	render_add(out, "uplinks.state", 0644, sbuf_steal(&b));
	return 0;
}

static int ul_apply(struct feature_ctx *ctx)
{
	for (size_t k = 0; k < ARRAY_SIZE(ul_entries); k++) {
		struct ul_setup s;

		ul_setup_of(ctx->doc, &ul_entries[k], &s);
		core_on_loop(ul_setup_here, &s);
	}
	return 0;
}

static int ul_init(const struct feature_env *env)
{
	ul_env = env;
	return 0;
}

/* a lease or a PPPoE session names the WAN's device: the rounds go out of it */
/* the WWAN's rounds follow its uplink: started when it is up, stopped when it goes */
static void ul_wwan_event(const struct feature_env *env, const struct feature_event *ev)
{
	struct ul_entry *e = ul_entry_of("wwan");
	const char *dev = json_string_value(json_object_get(ev->data, "device"));
	const char *addr = json_string_value(json_object_get(json_object_get(ev->data, "ipv4"),
							     "address"));
	struct ul_setup s;

	if (ev->kind == EV_WWAN_UP && dev && !strcmp(dev, ul_wwan_dev) &&
	    !strcmp(addr ? addr : "", ul_wwan_addr))
		return;
	snprintf(ul_wwan_dev, sizeof(ul_wwan_dev), "%s", ev->kind == EV_WWAN_UP && dev ? dev : "");
	snprintf(ul_wwan_addr, sizeof(ul_wwan_addr), "%s",
		 ev->kind == EV_WWAN_UP && addr ? addr : "");
	if (!env->engine || !env->engine->running)
		return;
	ul_setup_of(env->engine->running, e, &s);
	ul_setup_here(&s);
}

static void ul_event(const struct feature_env *env, const struct feature_event *ev)
{
	const char *dev = json_string_value(json_object_get(ev->data, "interface"));
	struct ul_entry *e = ul_entry_of("wan");

	if (ev->kind == EV_WWAN_UP || ev->kind == EV_WWAN_DOWN) {
		ul_wwan_event(env, ev);
		return;
	}

	if (ev->kind != EV_WAN_LEASE || !dev || !strcmp(dev, ul_wan_lease_dev))
		return;
	snprintf(ul_wan_lease_dev, sizeof(ul_wan_lease_dev), "%s", dev);
	if (e->u && strcmp(e->dev, dev) && env->engine && env->engine->running) {
		struct ul_setup s;

		ul_setup_of(env->engine->running, e, &s);
		ul_setup_here(&s);
	}
}

static json_t *ul_status(struct feature_ctx *ctx)
{
	json_t *o = json_object();

	(void)ctx;
	for (size_t k = 0; k < ARRAY_SIZE(ul_entries); k++) {
		struct ul_entry *e = &ul_entries[k];
		const json_t *l = e->last;

		json_object_set_new(o, e->name, json_pack(
			"{s:b, s:s, s:s, s:O?, s:O?, s:I, s:I, s:i, s:O?}", "enabled", e->enabled,
			"device", e->dev, "state", !e->enabled || !e->ntargets ? "off" :
			ul_state_name(e->track.state), "loss", json_object_get(l, "loss"), "rtt_ms",
			json_object_get(l, "rtt_ms"), "since", (json_int_t)e->since, "rounds",
			(json_int_t)e->rounds, "targets", (int)e->ntargets, "last",
			json_object_get(l, "targets")));
	}
	return o;
}

static void ul_stop_here(void *arg)
{
	(void)arg;
	for (size_t k = 0; k < ARRAY_SIZE(ul_entries); k++) {
		ul_stop(ul_entries[k].u);
		ul_entries[k].u = NULL;
		json_decref(ul_entries[k].last);
		ul_entries[k].last = NULL;
	}
}

static void ul_feature_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	if (ul_env && ul_env->loop)
		core_on_loop(ul_stop_here, NULL);
}

const struct feature feature_uplinks = {
	.name = "uplinks",
	.title = "Uplinks",
	.sections = ul_sections,
	.init = ul_init,
	.render = ul_render,
	.apply = ul_apply,
	.status = ul_status,
	.stop = ul_feature_stop,
	.event = ul_event,
	.reads = (const char *const[]){ "uplinks", "wan.interface", NULL },
};
