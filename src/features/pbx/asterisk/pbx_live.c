/*
 * What the PBX is doing now, for status and the pages: which phones are
 * registered where (contacts), from the manager's long-lived connection
 * on the loop. The contacts are read whole when the connection comes up
 * and again on each ContactStatus event (registered, gone, reachable or
 * not), so a missed event never leaves a stale row for long. Requests
 * only look up what was kept: no request waits on Asterisk.
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
	bool asking;          /* a contact list is on its way */
	bool ask_again;       /* an event came meanwhile */
} live;

static void live_ask_contacts(void);

static void live_contacts_answer(void *arg, const char *err, const struct ami_reply *r)
{
	json_t *all = json_object();

	(void)arg;
	live.asking = false;
	if (err || !ami_reply_ok(r)) {
		json_decref(all);
		log_debug("pbx: contacts not read: %s", err ? err : ami_get(r->response, "Message"));
		return;
	}
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
	json_decref(live.contacts);
	live.contacts = all;
	core_state_changed();
	if (live.ask_again) {
		live.ask_again = false;
		live_ask_contacts();
	}
}

static void live_ask_contacts(void)
{
	char *err = NULL;

	if (live.asking) {
		live.ask_again = true;
		return;
	}
	if (ami_client_send(live.client, "PJSIPShowContacts", NULL, 0, live_contacts_answer, NULL,
			    &err) == 0)
		live.asking = true;
	else {
		log_debug("pbx: %s", err);
		free(err);
	}
}

static void live_on_state(void *arg, bool connected, const char *why)
{
	(void)arg;
	if (connected) {
		log_info("pbx: connected to the manager");
		live_ask_contacts();
	} else {
		log_debug("pbx: manager connection: %s", why ? why : "closed");
		live.asking = false;
		json_decref(live.contacts);
		live.contacts = NULL;
	}
	core_state_changed();
}

static void live_on_event(void *arg, const struct ami_msg *ev)
{
	(void)arg;
	if (ami_is(ev, "Event", "ContactStatus"))
		live_ask_contacts();
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
	json_decref(live.contacts);
	live.contacts = NULL;
	live.asking = live.ask_again = false;
}

void pbx_live_stop(void)
{
	if (live.loop)
		core_on_loop(live_stop_here, NULL);
}

json_t *pbx_live_status(void)
{
	json_t *o = json_object();

	json_object_set_new(o, "manager", live.client ? ami_client_status(live.client) : json_null());
	json_object_set_new(o, "contacts", live.contacts ? json_deep_copy(live.contacts) : json_object());
	return o;
}
