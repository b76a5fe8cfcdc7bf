/*
 * libFuzzer target: the AMI client's handling of what a manager port
 * sends, past the reader: the input is everything a server on 127.0.0.1
 * says to one connection before it hangs up. Once logged in (its Login is
 * difos-1) the client sends Ping, PJSIPShowEndpoints and a Command
 * (difos-2, -3, -4), so answers, lists, events and their mixes all reach
 * the correlation. Whatever comes, every action's callback runs exactly
 * once and the client is freed cleanly when the connection is gone.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/asterisk/ami_client.h"

struct run {
	uv_loop_t loop;
	uv_tcp_t listener, *conn;
	uv_timer_t watch;
	struct ami_client *c;
	const uint8_t *data;
	size_t size;
	bool accepted;
	int sent, answered;
};

static void on_reply(void *arg, const char *err, const struct ami_reply *r)
{
	struct run *run = arg;

	/* an answer or a reason, never both, never neither */
	if (!err == !r)
		abort();
	if (r) {
		json_decref(ami_msg_json(r->response));
		for (size_t i = 0; i < r->n_items; i++)
			ami_get(r->items[i], "ObjectName");
	}
	run->answered++;
}

static void on_state(void *arg, bool up, const char *why)
{
	struct run *run = arg;
	const char *cmd[] = { "Command", "core show uptime", NULL };
	char *err = NULL;

	(void)why;
	if (!up)
		return;
	if (ami_client_send(run->c, "Ping", NULL, 0, on_reply, run, &err) == 0)
		run->sent++;
	free(err);
	err = NULL;
	if (ami_client_send(run->c, "PJSIPShowEndpoints", NULL, 0, on_reply, run, &err) == 0)
		run->sent++;
	free(err);
	err = NULL;
	if (ami_client_send(run->c, "Command", cmd, 0, on_reply, run, &err) == 0)
		run->sent++;
	free(err);
}

static void on_event(void *arg, const struct ami_msg *ev)
{
	(void)arg;
	json_decref(ami_msg_json(ev));
}

static void conn_closed(uv_handle_t *h)
{
	free(h);
}

static void written(uv_write_t *w, int status)
{
	struct run *run = w->data;

	(void)status;
	free(w);
	/* all said: hang up */
	uv_close((uv_handle_t *)run->conn, conn_closed);
}

static void accepted(uv_stream_t *server, int status)
{
	struct run *run = server->data;
	uv_tcp_t *c = malloc(sizeof(*c));
	uv_write_t *w = malloc(sizeof(*w));
	uv_buf_t b = uv_buf_init((char *)run->data, (unsigned)run->size);

	uv_tcp_init(&run->loop, c);
	if (status < 0 || uv_accept(server, (uv_stream_t *)c) < 0 || run->accepted) {
		uv_close((uv_handle_t *)c, conn_closed);
		free(w);
		return;
	}
	run->accepted = true;
	run->conn = c;
	w->data = run;
	if (uv_write(w, (uv_stream_t *)c, &b, 1, written) < 0)
		written(w, -1);
}

/* Once the client lost the one connection, it is freed and all closes. */
static void watch(uv_timer_t *t)
{
	struct run *run = t->data;
	json_t *st;
	bool down;

	if (!run->accepted)
		return;
	st = ami_client_status(run->c);
	down = !strcmp(json_string_value(json_object_get(st, "state")), "disconnected");
	json_decref(st);
	if (!down)
		return;
	ami_client_free(run->c);
	if (run->answered != run->sent)
		abort();
	uv_close((uv_handle_t *)&run->listener, NULL);
	uv_close((uv_handle_t *)&run->watch, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run run = { .data = data, .size = size };
	struct sockaddr_in a;
	struct sockaddr_storage got;
	int len = sizeof(got);
	struct ami_config cfg = { .host = "127.0.0.1", .username = "difos", .secret = "s",
				  .backoff_min_ms = 60000 };
	char *err = NULL;

	if (size == 0)
		return 0;
	/* the server hangs up while the client may still write, as difosd
	 * (which ignores SIGPIPE) sees Asterisk go */
	signal(SIGPIPE, SIG_IGN);
	uv_loop_init(&run.loop);
	uv_ip4_addr("127.0.0.1", 0, &a);
	uv_tcp_init(&run.loop, &run.listener);
	run.listener.data = &run;
	if (uv_tcp_bind(&run.listener, (struct sockaddr *)&a, 0) < 0 ||
	    uv_listen((uv_stream_t *)&run.listener, 4, accepted) < 0)
		abort();
	uv_tcp_getsockname(&run.listener, (struct sockaddr *)&got, &len);
	cfg.port = ntohs(((struct sockaddr_in *)&got)->sin_port);
	run.c = ami_client_new(&run.loop, &cfg, on_state, on_event, &run, &err);
	if (!run.c)
		abort();
	uv_timer_init(&run.loop, &run.watch);
	run.watch.data = &run;
	uv_timer_start(&run.watch, watch, 1, 1);
	ami_client_start(run.c);
	uv_run(&run.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&run.loop) != 0)
		abort();
	return 0;
}
