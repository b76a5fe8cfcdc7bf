/*
 * What the PBX is doing now, for status and the pages: which phones are
 * registered where (contacts), the trunks' registrations, the calls up,
 * from the manager's long-lived connection on the loop. Each is read
 * whole when the connection comes up and again on the events that change
 * it (ContactStatus, Registry, a channel's birth, state or end), so a
 * missed event never leaves a stale row for long. Requests only look up
 * what was kept: no request waits on Asterisk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lock.h"
#include "core/log.h"
#include "features/pbx/asterisk/ami_client.h"
#include "features/pbx/asterisk/pbx_int.h"

static struct {
	struct ami_client *client;
	uv_loop_t *loop;
	int port;
	char *secret;
	json_t *contacts;     /* {endpoint: [{uri, status, user_agent, via, rtt_ms, expires}]} */
	json_t *registrations; /* {trunk name: {status, server, next_attempt}} */
	json_t *calls;        /* [{channel, caller, callee, state, application, seconds}] */
} live;

/*
 * Each view is one list action read whole: when the connection comes up,
 * and again on the events that change it. One read at a time per view;
 * an event during a read asks for one more after it.
 */
struct live_list {
	const char *action;
	const char *const *events;     /* what makes it read again */
	json_t **into;
	json_t *(*build)(const struct ami_reply *r);
	unsigned gap_ms;               /* between two reads at least: a busy PBX sends
					* events by the hundred a second */
	bool asking, again, waiting;   /* waiting: a read is due when the gap has passed */
	long long last_ms;
};

static void live_ask(struct live_list *l);

static json_t *live_build_contacts(const struct ami_reply *r)
{
	json_t *all = json_object();

	for (size_t i = 0; i < r->n_items; i++) {
		const struct ami_msg *m = r->items[i];
		const char *ep = ami_get(m, "Endpoint") ? ami_get(m, "Endpoint") : ami_get(m, "Aor");
		const char *rtt = ami_get(m, "RoundtripUsec"), *exp = ami_get(m, "RegExpire");
		json_t *list, *c;
		if (!ep || !ami_get(m, "Uri"))
			continue;
		if (!(list = json_object_get(all, ep)))
			json_object_set_new(all, ep, list = json_array());
		c = json_pack("{s:s, s:s?, s:s?}", "uri", ami_get(m, "Uri"),
			      "status", ami_get(m, "Status"), "user_agent", ami_get(m, "UserAgent"));
		if (ami_get(m, "ViaAddr"))
			json_object_set_new(c, "via", json_sprintf("%s:%s", ami_get(m, "ViaAddr"),
								ami_get(m, "ViaPort") ? ami_get(m, "ViaPort") : ""));
		if (rtt && strcmp(rtt, "N/A") && atoll(rtt) > 0)
			json_object_set_new(c, "rtt_ms", json_real((double)atoll(rtt) / 1000.0));
		if (exp && atoll(exp) > 0)
			json_object_set_new(c, "expires", json_integer(atoll(exp)));
		json_array_append_new(list, c);
	}
	return all;
}

/* trunks' registrations, by trunk name (objects are "trunk-<name>-reg") */
static json_t *live_build_registrations(const struct ami_reply *r)
{
	json_t *all = json_object();

	for (size_t i = 0; i < r->n_items; i++) {
		const struct ami_msg *m = r->items[i];
		const char *obj = ami_get(m, "ObjectName"), *end;
		char *name;
		if (!obj || strncmp(obj, "trunk-", 6) || !(end = strstr(obj, "-reg")) || end[4])
			continue;
		name = xasprintf("%.*s", (int)(end - obj - 6), obj + 6);
		json_object_set_new(all, name, json_pack("{s:s?, s:s?, s:I}", "status",
			ami_get(m, "Status"), "server", ami_get(m, "ServerUri"), "next_attempt",
			(json_int_t)atoll(ami_get(m, "NextReg") ? ami_get(m, "NextReg") : "0")));
		free(name);
	}
	return all;
}

/*
 * Calls up now: one entry per channel, by its Uniqueid ({channel, caller,
 * callee, state, leg: caller (the call's first channel) or callee (one it
 * dialled), since: ms of the monotonic clock}). Read whole at login
 * (CoreShowChannels), then kept by the call events Asterisk sends anyway
 * (a channel's birth, state, end): a busy PBX is not asked for its whole
 * channel list on each.
 */
static json_t *live_call(const struct ami_msg *m, long long since)
{
	const char *id = ami_get(m, "Uniqueid"), *linked = ami_get(m, "Linkedid");
	/* the channel a call began with is its own linked one; the legs it
	 * dialled carry its id */
	const char *leg = id && linked && strcmp(id, linked) ? "callee" : "caller";

	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:I}", "channel", ami_get(m, "Channel"),
			 "caller", ami_get(m, "CallerIDNum"), "callee", ami_get(m, "ConnectedLineNum"),
			 "state", ami_get(m, "ChannelStateDesc"), "leg", leg, "since", (json_int_t)since);
}

static json_t *live_build_calls(const struct ami_reply *r)
{
	json_t *all = json_object();
	long long now = now_ms();

	for (size_t i = 0; i < r->n_items; i++) {
		const struct ami_msg *m = r->items[i];
		const char *dur = ami_get(m, "Duration"), *id = ami_get(m, "Uniqueid");
		int h = 0, mi = 0, se = 0;
		if (!ami_get(m, "Channel") || !id)
			continue;
		if (dur)
			sscanf(dur, "%d:%d:%d", &h, &mi, &se);
		json_object_set_new(all, id, live_call(m, now - (h * 3600LL + mi * 60 + se) * 1000));
	}
	return all;
}

/* the three events that change the list */
static void live_call_event(const struct ami_msg *ev)
{
	const char *id = ami_get(ev, "Uniqueid");
	json_t *c;

	if (!id || !live.calls)
		return;
	if (ami_is(ev, "Event", "Newchannel")) {
		if (json_object_size(live.calls) < 20000)
			json_object_set_new(live.calls, id, live_call(ev, now_ms()));
	} else if (ami_is(ev, "Event", "Hangup")) {
		json_object_del(live.calls, id);
	} else if (ami_is(ev, "Event", "Newstate") && (c = json_object_get(live.calls, id))) {
		json_t *fresh = live_call(ev, json_integer_value(json_object_get(c, "since")));
		json_object_set_new(live.calls, id, fresh);
	} else {
		return;
	}
	core_state_changed();
}

/* a reload adds and removes endpoints and registrations without events
 * of their own */
static const char *const live_contact_events[] = { "ContactStatus", "Reload", NULL };
static const char *const live_registry_events[] = { "Registry", "Reload", NULL };
static const char *const live_call_events[] = { NULL };   /* kept by live_call_event */

static struct live_list live_views[] = {
	{ "PJSIPShowContacts", live_contact_events, &live.contacts, live_build_contacts, 300 },
	{ "PJSIPShowRegistrationsOutbound", live_registry_events, &live.registrations,
	  live_build_registrations, 300 },
	{ "CoreShowChannels", live_call_events, &live.calls, live_build_calls, 300 },
};

/* one timer for the reads that wait for their gap */
static uv_timer_t live_timer;
static bool live_timer_ready;

static void live_tick(uv_timer_t *t)
{
	(void)t;
	core_enter();
	for (size_t i = 0; i < ARRAY_SIZE(live_views); i++)
		if (live_views[i].waiting) {
			live_views[i].waiting = false;
			live_ask(&live_views[i]);
		}
	core_leave();
}

static void live_answer(void *arg, const char *err, const struct ami_reply *r)
{
	struct live_list *l = arg;

	l->asking = false;
	/* "No Contacts found": an empty list, as Asterisk says it */
	if (!err && (ami_reply_ok(r) || r->n_items == 0)) {
		json_decref(*l->into);
		*l->into = ami_reply_ok(r) ? l->build(r) : NULL;
		core_state_changed();
	} else {
		log_debug("pbx: %s not read: %s", l->action,
			  err ? err : ami_get(r->response, "Message"));
	}
	if (l->again) {
		l->again = false;
		live_ask(l);
	}
}

static void live_ask(struct live_list *l)
{
	long long now = now_ms(), due = l->last_ms + l->gap_ms;
	char *err = NULL;

	if (l->asking) {
		l->again = true;
		return;
	}
	if (l->waiting)
		return;
	if (now < due && live_timer_ready) {
		l->waiting = true;
		if (!uv_is_active((uv_handle_t *)&live_timer) ||
		    uv_timer_get_due_in(&live_timer) > (uint64_t)(due - now))
			uv_timer_start(&live_timer, live_tick, (uint64_t)(due - now), 0);
		return;
	}
	l->last_ms = now;
	if (ami_client_send(live.client, l->action, NULL, 0, live_answer, l, &err) == 0)
		l->asking = true;
	else {
		log_debug("pbx: %s", err);
		free(err);
	}
}

static void live_forget(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(live_views); i++) {
		live_views[i].asking = live_views[i].again = live_views[i].waiting = false;
		json_decref(*live_views[i].into);
		*live_views[i].into = NULL;
	}
}

static void live_on_state(void *arg, bool connected, const char *why)
{
	(void)arg;
	if (connected) {
		log_info("pbx: connected to the manager");
		for (size_t i = 0; i < ARRAY_SIZE(live_views); i++)
			live_ask(&live_views[i]);
	} else {
		log_debug("pbx: manager connection: %s", why ? why : "closed");
		live_forget();
	}
	core_state_changed();
}

static void live_on_event(void *arg, const struct ami_msg *ev)
{
	(void)arg;
	live_call_event(ev);
	for (size_t i = 0; i < ARRAY_SIZE(live_views); i++)
		for (const char *const *e = live_views[i].events; *e; e++)
			if (ami_is(ev, "Event", *e))
				live_ask(&live_views[i]);
}

struct live_args {
	int port;
	const char *secret;
};

static void live_start_here(void *arg)
{
	struct live_args *a = arg;
	struct ami_config cfg = { .port = a->port, .username = PBX_AMI_USER, .secret = a->secret,
				  .events = "system,call,reporting" };
	char *err = NULL;

	if (!live_timer_ready) {
		/* closed with the loop's other handles when difosd ends */
		uv_timer_init(live.loop, &live_timer);
		live_timer_ready = true;
	}
	if (live.client && live.port == a->port && live.secret && !strcmp(live.secret, a->secret))
		return;
	if (live.client)
		ami_client_free(live.client);
	free(live.secret);
	live.port = a->port;
	live.secret = xstrdup(a->secret);
	live.client = ami_client_new(live.loop, &cfg, live_on_state, live_on_event, NULL, &err);
	if (!live.client) {
		log_warn("pbx: no manager client: %s", err);
		free(err);
		return;
	}
	ami_client_start(live.client);
}

void pbx_live_start(const struct feature_env *env, int port, const char *secret)
{
	struct live_args a = { port, secret };

	if (!env->loop)
		return;
	live.loop = env->loop;
	core_on_loop(live_start_here, &a);
}

static void live_stop_here(void *arg)
{
	(void)arg;
	if (live.client)
		ami_client_free(live.client);
	live.client = NULL;
	free(live.secret);
	live.secret = NULL;
	live_forget();
}

void pbx_live_stop(void)
{
	if (live.loop)
		core_on_loop(live_stop_here, NULL);
}

static void live_done(void *arg, const char *err, const struct ami_reply *r)
{
	char *what = arg;

	if (err || !ami_reply_ok(r))
		log_warn("pbx: %s: %s", what, err ? err : ami_get(r->response, "Message") ?
			 ami_get(r->response, "Message") : "refused");
	else
		log_info("pbx: %s: done", what);
	free(what);
}

int pbx_live_action(const char *action, const char *key, const char *value)
{
	const char *const kv[] = { key, value, NULL };
	char *what = value ? xasprintf("%s %s", action, value) : xstrdup(action), *err = NULL;

	if (!live.client || ami_client_send(live.client, action, kv, 0, live_done, what, &err) < 0) {
		log_warn("pbx: %s: %s", what, err ? err : "the manager is not connected");
		free(err);
		free(what);
		return -1;
	}
	return 0;
}

/* the calls as status shows them: a list, each with its seconds */
static json_t *live_calls_now(void)
{
	json_t *list = json_array(), *c;
	long long now = now_ms();
	const char *id;

	json_object_foreach(live.calls, id, c) {
		json_t *row = json_deep_copy(c);
		json_object_del(row, "since");
		json_object_set_new(row, "seconds", json_integer(
			(now - json_integer_value(json_object_get(c, "since"))) / 1000));
		json_array_append_new(list, row);
	}
	return list;
}

json_t *pbx_live_status(void)
{
	json_t *o = json_object();

	json_object_set_new(o, "manager", live.client ? ami_client_status(live.client) : json_null());
	json_object_set_new(o, "contacts", live.contacts ? json_deep_copy(live.contacts) : json_object());
	json_object_set_new(o, "registrations", live.registrations ?
			    json_deep_copy(live.registrations) : json_object());
	json_object_set_new(o, "calls", live_calls_now());
	return o;
}
