/*
 * The AMI client against a real Asterisk, for the integration tests (not a
 * test itself): logs in to 127.0.0.1:PORT as USER (the secret from the
 * environment's AMI_SECRET, never the command line), then ROUNDS times runs
 * Ping, Command "core show uptime" and PJSIPShowEndpoints at once and prints
 * one JSON line per round; between rounds it waits for the connection to
 * drop and come back (the test restarts Asterisk), printing the state
 * changes. Exits 1 with the client's status when the rounds are not done
 * within WAIT seconds (a login refused, Asterisk not coming back).
 *
 *     AMI_SECRET=... ami_probe PORT USER [ROUNDS [WAIT]]
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/asterisk/ami_client.h"

struct probe {
	uv_loop_t *loop;
	struct ami_client *c;
	int round, rounds, answered, ups, downs;
	long long started;
	json_t *out;
	uv_timer_t deadline;          /* for all the rounds; it also keeps the loop
				       * running (the client's handles do not) */
	bool failed;
};

static void print_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(o);
}

static json_t *reply_json(const char *err, const struct ami_reply *r)
{
	json_t *items;

	if (err)
		return json_pack("{s:s}", "error", err);
	items = json_array();
	for (size_t i = 0; i < r->n_items; i++)
		json_array_append_new(items, ami_msg_json(r->items[i]));
	return json_pack("{s:o, s:o, s:o}", "response", ami_msg_json(r->response), "items", items,
			 "complete", r->complete ? ami_msg_json(r->complete) : json_null());
}

static void probe_stop(struct probe *p)
{
	ami_client_free(p->c);
	p->c = NULL;
	uv_timer_stop(&p->deadline);
	uv_close((uv_handle_t *)&p->deadline, NULL);
}

static void probe_round(struct probe *p);

static void on_answer(void *arg, const char *err, const struct ami_reply *r, const char *name)
{
	struct probe *p = arg;

	json_object_set_new(p->out, name, reply_json(err, r));
	if (++p->answered < 3)
		return;
	json_object_set_new(p->out, "round", json_integer(p->round));
	json_object_set_new(p->out, "ms", json_integer(now_ms() - p->started));
	print_line(p->out);
	p->out = NULL;
	if (p->round == p->rounds)
		probe_stop(p);
}

static void on_ping(void *arg, const char *err, const struct ami_reply *r)
{
	on_answer(arg, err, r, "ping");
}

static void on_uptime(void *arg, const char *err, const struct ami_reply *r)
{
	on_answer(arg, err, r, "uptime");
}

static void on_endpoints(void *arg, const char *err, const struct ami_reply *r)
{
	on_answer(arg, err, r, "endpoints");
}

static void probe_round(struct probe *p)
{
	const char *cmd[] = { "Command", "core show uptime", NULL };
	char *err = NULL;

	p->round++;
	p->answered = 0;
	p->out = json_object();
	p->started = now_ms();
	/* three at once: each answer must find its own callback */
	if (ami_client_send(p->c, "Ping", NULL, 0, on_ping, p, &err) < 0 ||
	    ami_client_send(p->c, "Command", cmd, 0, on_uptime, p, &err) < 0 ||
	    ami_client_send(p->c, "PJSIPShowEndpoints", NULL, 0, on_endpoints, p, &err) < 0) {
		fprintf(stderr, "ami_probe: %s\n", err);
		free(err);
		p->failed = true;
		probe_stop(p);
	}
}

static void on_state(void *arg, bool connected, const char *why)
{
	struct probe *p = arg;

	print_line(json_pack("{s:s, s:s}", "state", connected ? "up" : "down", "why", why));
	if (!connected) {
		p->downs++;
		return;
	}
	p->ups++;
	probe_round(p);
}

static void on_event(void *arg, const struct ami_msg *ev)
{
	(void)arg;
	/* the ones that tell of Asterisk's own life */
	if (ami_is(ev, "Event", "FullyBooted") || ami_is(ev, "Event", "Shutdown"))
		print_line(json_pack("{s:o}", "event", ami_msg_json(ev)));
}

static void on_deadline(uv_timer_t *t)
{
	struct probe *p = t->data;

	print_line(json_pack("{s:o}", "status", ami_client_status(p->c)));
	p->failed = true;
	probe_stop(p);
}

int main(int argc, char **argv)
{
	struct probe p = { 0 };
	/* tries often: it logs in as early as Asterisk lets it, while the
	 * modules still load */
	struct ami_config cfg = { .host = "127.0.0.1", .backoff_min_ms = 10,
				  .backoff_max_ms = 20 };
	char *err = NULL;
	int wait_s;

	if (argc < 3 || !getenv("AMI_SECRET")) {
		fprintf(stderr, "usage: AMI_SECRET=... %s PORT USER [ROUNDS [WAIT]]\n", argv[0]);
		return 2;
	}
	/* Asterisk may go while an action is being written (difosd too
	 * ignores SIGPIPE: the error shows on the reading side) */
	signal(SIGPIPE, SIG_IGN);
	cfg.port = atoi(argv[1]);
	cfg.username = argv[2];
	cfg.secret = getenv("AMI_SECRET");
	p.rounds = argc > 3 ? atoi(argv[3]) : 1;
	wait_s = argc > 4 ? atoi(argv[4]) : 10;
	p.loop = uv_default_loop();
	p.c = ami_client_new(p.loop, &cfg, on_state, on_event, &p, &err);
	if (!p.c) {
		fprintf(stderr, "ami_probe: %s\n", err);
		return 2;
	}
	uv_timer_init(p.loop, &p.deadline);
	p.deadline.data = &p;
	uv_timer_start(&p.deadline, on_deadline, (uint64_t)wait_s * 1000, 0);
	ami_client_start(p.c);
	uv_run(p.loop, UV_RUN_DEFAULT);
	json_decref(p.out);
	uv_loop_close(p.loop);
	return p.failed ? 1 : 0;
}
