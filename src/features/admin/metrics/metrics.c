/*
 * Prometheus metrics of difos: one read method, "metrics", that writes the
 * text exposition format (0.0.4) of what difosd keeps already: the apply
 * engine's counts and durations, the supervisor's engines, and every
 * feature's own readings through its metrics hook (interface counters
 * from the dashboard's traffic sampler, leases, bans...). Nothing here
 * spawns a process or dumps the kernel: a scrape costs microseconds
 * whatever the scraper's period. difosd-web serves it at GET /metrics to
 * a bearer API token (web_http.c), as Prometheus scrapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "core/prom.h"
#include "core/util.h"
#include "rpc/rpc.h"

static void metrics_engine_up(void *arg, const char *name, int pid, int restarts)
{
	const char *const labels[] = { "engine", name, NULL };

	(void)restarts;
	prom_sample_u(arg, "difos_engine_up", labels, pid > 0);
}

static void metrics_engine_restarts(void *arg, const char *name, int pid, int restarts)
{
	const char *const labels[] = { "engine", name, NULL };

	(void)pid;
	prom_sample_u(arg, "difos_engine_restarts_total", labels, (unsigned long long)restarts);
}

static void metrics_apply(struct sbuf *b, const struct engine *e)
{
	const struct apply_stats *st = &e->stats;
	const char *const ok[] = { "result", "ok", NULL }, *const failed[] = { "result", "failed",
									     NULL };

	prom_family(b, "difos_apply_total", "counter",
		    "Runs of the apply engine since difosd started (applies, rollbacks, "
		    "refreshes), by result.");
	prom_sample_u(b, "difos_apply_total", ok, st->ok);
	prom_sample_u(b, "difos_apply_total", failed, st->failed);
	prom_family(b, "difos_apply_duration_seconds", "histogram",
		    "How long the apply engine's runs took.");
	for (int i = 0; i < APPLY_BUCKETS; i++) {
		char le[32];
		const char *const labels[] = { "le", le, NULL };
		snprintf(le, sizeof(le), "%g", apply_bucket_le[i]);
		prom_sample_u(b, "difos_apply_duration_seconds_bucket", labels, st->le[i]);
	}
	{
		const char *const inf[] = { "le", "+Inf", NULL };
		prom_sample_u(b, "difos_apply_duration_seconds_bucket", inf, st->ok + st->failed);
	}
	prom_sample(b, "difos_apply_duration_seconds_sum", NULL, st->seconds);
	prom_sample_u(b, "difos_apply_duration_seconds_count", NULL, st->ok + st->failed);
	prom_family(b, "difos_revision", "gauge", "The configuration revision in force.");
	prom_sample_u(b, "difos_revision", NULL, (unsigned long long)e->running_rev);
	prom_family(b, "difos_confirm_pending", "gauge",
		    "1 while an applied revision waits for its confirmation.");
	prom_sample_u(b, "difos_confirm_pending", NULL, e->confirm_rev != 0);
}

static char *metrics_render(const struct feature_env *env)
{
	struct feature_ctx ctx = { .env = env, .doc = env->engine ? env->engine->running : NULL };
	const char *const version[] = { "version", DIFOS_VERSION, NULL };
	struct sbuf b;

	sbuf_init(&b);
	prom_family(&b, "difos_build_info", "gauge", "difos's version, as a label; the value is 1.");
	prom_sample_u(&b, "difos_build_info", version, 1);
	if (env->engine)
		metrics_apply(&b, env->engine);
	prom_family(&b, "difos_engine_up", "gauge",
		    "1 while the engine process difosd supervises runs, 0 while it waits to "
		    "be started again.");
	sv_each(metrics_engine_up, &b);
	prom_family(&b, "difos_engine_restarts_total", "counter",
		    "Times the supervisor started the engine again after it exited.");
	sv_each(metrics_engine_restarts, &b);
	if (ctx.doc)
		feature_metrics_collect(&ctx, &b);
	return sbuf_steal(&b);
}

static json_t *metrics_method(struct rpc_call *c)
{
	char *text = metrics_render(c->env);
	json_t *s = json_string(text);

	free(text);
	return s;
}

static void metrics_print(const json_t *res)
{
	fputs(json_string_value(res) ? json_string_value(res) : "", stdout);
}

static const struct rpc_method metrics_methods[] = {
	{ "metrics", metrics_method, "difosd's readings in Prometheus' text format 0.0.4 "
	  "(interface counters, applies, engines, leases, bans, firewall counters); "
	  "Prometheus scrapes them at /metrics with an API token", "Administration", NULL,
	  "the text, as a JSON string", RPC_READ,
	  .rest = { { "GET", "/metrics" } },
	  .cli = { "metrics", .print = metrics_print } },
	{ NULL }
};

const struct feature feature_metrics = {
	.name = "metrics",
	.title = "Metrics",
	.methods = metrics_methods,
};
