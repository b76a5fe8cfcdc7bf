/*
 * Running a method: now, later, or after the gate. An apply closes the gate
 * while it runs off the loop: reads go on being answered; calls that change
 * state wait in a queue and run, in the order they came, when the apply has
 * finished; a second apply is refused with what is running. A handler
 * whose work ends on another turn of the loop answers later.
 */
#include <stdlib.h>
#include <string.h>

#include "core/lock.h"
#include "core/util.h"
#include "rpc/rpc.h"
#include "rpc/rpc_int.h"

static bool rpc_gate_holds(const struct rpc_method *m, json_t *params, const char *author,
			   const char *peer, bool can_wait, rpc_done_fn done, void *ctx);

static const struct feature_env *rpc_run_env;

void rpc_set_env(const struct feature_env *env)
{
	rpc_run_env = env;
}

/* Runs m: parameters checked, then the handler. */
void rpc_run(const struct rpc_method *m, json_t *params, const char *author, const char *peer,
	     bool can_wait, rpc_done_fn done, void *ctx)
{
	struct rpc_call c = { .method = m->name, .author = author, .peer = peer, .env = rpc_run_env };
	json_t *result = NULL;

	if (rpc_gate_holds(m, params, author, peer, can_wait, done, ctx))
		return;
	/* what may change the state advances its version (the plumbing of the
	 * web door does not: the method it calls decides) */
	if (!rpc_runs_anytime(m))
		core_state_changed();
	c.params = params ? json_incref(params) : json_object();
	if (can_wait) {
		c.done = done;
		c.done_ctx = ctx;
	}
	if (rpc_params_check(m, &c) == 0)
		result = m->fn(&c);
	json_decref(c.params);
	if (c.later && !c.error) {   /* the handler answers later */
		json_decref(result);
		return;
	}
	if (c.error) {
		json_decref(result);
		done(ctx, NULL, c.error, NULL);
		return;
	}
	done(ctx, result ? result : json_null(), NULL, NULL);
}

struct rpc_later {
	struct rpc_call call;   /* method, author, peer, env; error set by rpc_fail */
	char *author, *peer;
	rpc_done_fn done;
	void *ctx;
};

struct rpc_later *rpc_answer_later(struct rpc_call *c)
{
	struct rpc_later *l;

	if (!c->done)
		return NULL;
	l = xcalloc(1, sizeof(*l));
	l->author = c->author ? xstrdup(c->author) : NULL;
	l->peer = c->peer ? xstrdup(c->peer) : NULL;
	l->call = (struct rpc_call){ .method = c->method, .params = json_incref(c->params),
				     .author = l->author, .peer = l->peer, .env = c->env };
	l->done = c->done;
	l->ctx = c->done_ctx;
	c->later = l;
	return l;
}

struct rpc_call *rpc_later_call(struct rpc_later *l)
{
	return &l->call;
}

void rpc_later_finish_tail(struct rpc_later *l, json_t *result, char *tail)
{
	if (l->call.error) {
		json_decref(result);
		free(tail);
		l->done(l->ctx, NULL, l->call.error, NULL);
	} else {
		l->done(l->ctx, result ? result : json_null(), NULL, tail);
	}
	json_decref(l->call.params);
	free(l->author);
	free(l->peer);
	free(l);
}

void rpc_later_finish(struct rpc_later *l, json_t *result)
{
	rpc_later_finish_tail(l, result, NULL);
}

/* the gate */
struct rpc_waiting {
	const struct rpc_method *m;
	json_t *params;
	char *author, *peer;
	rpc_done_fn done;
	void *ctx;
	struct rpc_waiting *next;
};

#define RPC_MAX_WAITING 256

static char *gate_why;          /* non-NULL: closed */
static struct rpc_waiting *waiting, **waiting_tail = &waiting;
static size_t nwaiting;

bool rpc_runs_anytime(const struct rpc_method *m)
{
	/* reads, and the login's own business (sessions, tokens, the
	 * password), touch nothing an apply changes */
	return m->access == RPC_READ || m->access == RPC_SESSION || (m->flags & RPC_F_ANYTIME);
}

bool rpc_gate_closed(void)
{
	return gate_why != NULL;
}

void rpc_gate_close(const char *why)
{
	free(gate_why);
	gate_why = xstrdup(why ? why : "an apply is running");
}

static void gate_refuse(rpc_done_fn done, void *ctx, const char *fmt, const char *why)
{
	char *msg = xasprintf(fmt, why);

	done(ctx, NULL, rpc_error_object(-32003, msg, RPC_CONFLICT), NULL);
	free(msg);
}

static bool rpc_gate_holds(const struct rpc_method *m, json_t *params, const char *author,
		    const char *peer, bool can_wait, rpc_done_fn done, void *ctx)
{
	struct rpc_waiting *w;

	if (!gate_why || rpc_runs_anytime(m))
		return false;
	if (m->flags & RPC_F_APPLIES) {
		gate_refuse(done, ctx, "%s; this one was not started: try again when it has finished",
			    gate_why);
		return true;
	}
	if (!can_wait || nwaiting >= RPC_MAX_WAITING) {
		gate_refuse(done, ctx, "%s; try again when it has finished", gate_why);
		return true;
	}
	w = xcalloc(1, sizeof(*w));
	w->m = m;
	w->params = params ? json_incref(params) : NULL;
	w->author = author ? xstrdup(author) : NULL;
	w->peer = peer ? xstrdup(peer) : NULL;
	w->done = done;
	w->ctx = ctx;
	*waiting_tail = w;
	waiting_tail = &w->next;
	nwaiting++;
	return true;
}

void rpc_gate_open(void)
{
	free(gate_why);
	gate_why = NULL;
	/* each waiting call runs as if it came now; one that starts an apply
	 * closes the gate again and the rest wait for that one */
	while (waiting && !gate_why) {
		struct rpc_waiting *w = waiting;

		if (!(waiting = w->next))
			waiting_tail = &waiting;
		nwaiting--;
		rpc_run(w->m, w->params, w->author, w->peer, true, w->done, w->ctx);
		json_decref(w->params);
		free(w->author);
		free(w->peer);
		free(w);
	}
}
