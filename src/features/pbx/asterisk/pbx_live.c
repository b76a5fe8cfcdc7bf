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
#include "core/util.h"
#include "features/pbx/asterisk/ami_client.h"
#include "features/pbx/asterisk/pbx_int.h"

static struct {
	struct ami_client *client;
	uv_loop_t *loop;
	int port;
	char *secret;
	json_t *contacts;     /* {endpoint: [{uri, status, user_agent, via, rtt_ms, expires}]} */
	json_t *registrations; /* {trunk name: {status, server, next_attempt}} */
	/* [{channel, caller, callee, state, application, seconds}], each also with
	 * LIVE_SINCE: when it began on the monotonic clock (ms) */
	json_t *calls;
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
	bool asking, again;
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

/* the calls' start times, kept beside each row and dropped from the status */
#define LIVE_SINCE "since_ms"

/* calls up now: one row per channel, as CoreShowChannels lists them; the
 * list is read again on a channel's events only, so the status counts the
 * seconds from the start each row was read with */
static json_t *live_build_calls(const struct ami_reply *r)
{
	json_t *all = json_array();
	long long now = now_ms();

	for (size_t i = 0; i < r->n_items; i++) {
		const struct ami_msg *m = r->items[i];
		const char *dur = ami_get(m, "Duration");
		int h = 0, mi = 0, se = 0;
		if (!ami_get(m, "Channel"))
			continue;
		if (dur)
			sscanf(dur, "%d:%d:%d", &h, &mi, &se);
		json_array_append_new(all, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:i, s:I}",
			"channel", ami_get(m, "Channel"), "caller", ami_get(m, "CallerIDNum"),
			"callee", ami_get(m, "ConnectedLineNum"), "state", ami_get(m, "ChannelStateDesc"),
			"application", ami_get(m, "Application"), "seconds", h * 3600 + mi * 60 + se,
			LIVE_SINCE, (json_int_t)(now - (h * 3600LL + mi * 60 + se) * 1000)));
	}
	return all;
}

/* a reload adds and removes endpoints and registrations without events
 * of their own */
static const char *const live_contact_events[] = { "ContactStatus", "Reload", NULL };
static const char *const live_registry_events[] = { "Registry", "Reload", NULL };
static const char *const live_call_events[] = { "Newchannel", "Hangup", "Newstate",
						"BridgeEnter", NULL };

static struct live_list live_views[] = {
	{ "PJSIPShowContacts", live_contact_events, &live.contacts, live_build_contacts },
	{ "PJSIPShowRegistrationsOutbound", live_registry_events, &live.registrations,
	  live_build_registrations },
	{ "CoreShowChannels", live_call_events, &live.calls, live_build_calls },
};

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
	char *err = NULL;

	if (l->asking) {
		l->again = true;
		return;
	}
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
		live_views[i].asking = live_views[i].again = false;
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

/* the calls, each with its seconds up to now */
static json_t *live_calls_now(void)
{
	json_t *out = live.calls ? json_deep_copy(live.calls) : json_array(), *c;
	long long now = now_ms();
	size_t i;

	json_array_foreach(out, i, c) {
		json_t *since = json_object_get(c, LIVE_SINCE);
		if (json_is_integer(since) && now >= json_integer_value(since))
			json_object_set_new(c, "seconds",
					    json_integer((now - json_integer_value(since)) / 1000));
		json_object_del(c, LIVE_SINCE);
	}
	return out;
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
