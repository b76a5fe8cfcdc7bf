/*
 * Administration › Utilities › Speed Tester: the WAN's download, upload
 * and latency measured against a speed-test server speaking Cloudflare's
 * endpoints (speed.cloudflare.com by default). speedtest.start begins a
 * test in a thread of its own (speedtest_curl.c: libcurl, one connection,
 * bound to the WAN's device) and answers at once; speedtest.status shows
 * its phase and rate while it runs, pushed on the event feed every second,
 * and the results kept: the last SPEEDTEST_KEEP in
 * <state>/speedtest/results.json, so they outlive a restart. Bandwidth
 * Control's page fills SQM's speeds from the last one.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/admin/speedtest/speedtest_int.h"
#include "rpc/control.h"
#include "rpc/rpc.h"
#include "store/doc.h"

#define SPEEDTEST_PUSH_MS 1000

static const struct sc_field speedtest_fields[] = {
	{ .name = "server", .kind = SC_STRING, .def = "\"https://speed.cloudflare.com\"", .max = 256,
	  .pattern = "https?://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?"
		     "(/[A-Za-z0-9._~%/-]*[A-Za-z0-9._~%-])?",
	  .pattern_says = "is not the base URL of a speed-test server (http:// or https://, a "
			  "host, an optional path without a trailing /)",
	  .title = "Server",
	  .help = "The speed-test server's base URL: it answers GET <server>/__down?bytes=N and "
		  "POST <server>/__up as speed.cloudflare.com does." },
	{ .name = "verify_tls", .kind = SC_BOOL, .def = "true", .title = "Verify TLS",
	  .help = "Check the server's certificate (turn off only for a test server)." },
	{ .name = "ca_file", .kind = SC_STRING, .def = "\"\"", .min = 0, .max = 256,
	  .pattern = "(/[^[:space:]]*)?",
	  .pattern_says = "is not an absolute path", .title = "CA file",
	  .help = "A PEM file of the certificate authorities to trust for the server, on the "
		  "router (empty: the system's)." },
	{ .name = NULL }
};

static const struct sc_field speedtest_section = {
	.name = "speedtest", .kind = SC_OBJECT, .fields = speedtest_fields, .title = "Speed Tester",
	.help = "The server the speed test measures the WAN against.",
};

static const struct sc_field *const speedtest_sections[] = { &speedtest_section, NULL };

static struct {
	const struct feature_env *env;
	json_t *results;             /* oldest first */
	char *error;                 /* why the last test failed, or NULL */
	bool ready;                  /* handles and mutex set up */
	bool running;
	long long started;           /* wall-clock seconds */
	uv_thread_t thread;
	uv_async_t done;
	uv_timer_t push;
	struct st_progress prog;
	struct st_config cfg;        /* the running test's */
	json_t *out;                 /* the thread's result, or NULL ... */
	char *out_err;               /* ... and its error */
} st;

static char *st_results_path(const struct feature_env *env)
{
	return xasprintf("%s/speedtest/results.json", env->paths.state);
}

static void st_load(const struct feature_env *env)
{
	char *path = st_results_path(env);
	size_t len = 0;
	char *text = file_read(path, &len);

	json_decref(st.results);
	st.results = st_results_parse(text, len, SPEEDTEST_KEEP);
	free(text);
	free(path);
}

static void st_save(const struct feature_env *env)
{
	char *path = st_results_path(env), *dir = xasprintf("%s/speedtest", env->paths.state);
	char *text = json_dumps(st.results, JSON_INDENT(1));
	int rc;

	mkdir_p(dir, 0755);
	rc = text ? file_write_atomic(path, text, strlen(text), 0644) : -ENOMEM;
	if (rc < 0)
		log_warn("speedtest: cannot write %s: %s", path, strerror(-rc));
	free(text);
	free(dir);
	free(path);
}

static json_t *st_status(void)
{
	json_t *o, *prog = json_null();
	size_t n = json_array_size(st.results);

	if (st.running) {
		uv_mutex_lock(&st.prog.mu);
		prog = json_pack("{s:s?, s:I, s:i, s:f}", "phase", st.prog.phase, "bytes",
				 (json_int_t)st.prog.bytes, "requests", st.prog.requests, "mbps",
				 (double)(long long)(st.prog.mbps * 100 + 0.5) / 100);
		uv_mutex_unlock(&st.prog.mu);
	}
	o = json_pack("{s:b, s:s, s:o, s:s?, s:s?, s:O, s:O}", "running", st.running, "phase",
		      st.running ? json_string_value(json_object_get(prog, "phase")) ?: "starting"
				 : (st.error ? "failed" : n ? "done" : "idle"),
		      "progress", prog, "server", st.running ? st.cfg.base : NULL, "error", st.error,
		      "last", n ? json_array_get(st.results, n - 1) : json_null(),
		      "results", st.results);
	json_object_set_new(o, "started", st.running ? json_integer(st.started) : json_null());
	return o;
}

/* the feed's watchers see the test move */
static void st_push(void)
{
	json_t *data = json_pack("{s:s, s:o}", "topic", "speedtest", "data", st_status());

	control_web_notify("event", data);
	json_decref(data);
}

static void st_push_tick(uv_timer_t *t)
{
	(void)t;
	core_enter();
	if (st.running)
		st_push();
	core_leave();
}

static void st_config_free(struct st_config *c)
{
	free(c->base);
	free(c->device);
	free(c->ca_file);
	memset(c, 0, sizeof(*c));
}

static void st_thread_main(void *arg)
{
	(void)arg;
	st.out = st_measure(&st.cfg, &st.prog, &st.out_err);
	uv_async_send(&st.done);
}

/* The thread is over: its result joins the list (and the file), or its error shows. */
static void st_finish(void)
{
	uv_thread_join(&st.thread);
	st.running = false;
	uv_timer_stop(&st.push);
	free(st.error);
	st.error = NULL;
	if (st.out) {
		json_object_set_new(st.out, "at", json_integer(st.started));
		json_object_set_new(st.out, "server", json_string(st.cfg.base));
		json_object_set_new(st.out, "interface", st.cfg.device ? json_string(st.cfg.device)
								       : json_null());
		log_info("speedtest: %.1f Mbit/s down, %.1f up, %.1f ms",
			 json_real_value(json_object_get(st.out, "download_mbps")),
			 json_real_value(json_object_get(st.out, "upload_mbps")),
			 json_real_value(json_object_get(st.out, "latency_ms")));
		st.results = st_results_add(st.results, st.out, SPEEDTEST_KEEP);
		st_save(st.env);
	} else {
		st.error = st.out_err ? st.out_err : xstrdup("the test failed");
		st.out_err = NULL;
		log_warn("speedtest: %s", st.error);
	}
	st.out = NULL;
	free(st.out_err);
	st.out_err = NULL;
	st_config_free(&st.cfg);
	core_state_changed();
}

static void st_done(uv_async_t *a)
{
	(void)a;
	core_enter();
	if (st.running)
		st_finish();
	st_push();
	core_leave();
}

static int speedtest_init(const struct feature_env *env)
{
	st.env = env;
	st_load(env);
	if (!env->loop)
		return 0;
	/* before any thread: libcurl's and its TLS library's one-time set-up */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	uv_mutex_init(&st.prog.mu);
	uv_async_init(env->loop, &st.done, st_done);
	uv_unref((uv_handle_t *)&st.done);
	uv_timer_init(env->loop, &st.push);
	uv_unref((uv_handle_t *)&st.push);
	st.ready = true;
	return 0;
}

static void speedtest_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	if (st.ready) {
		if (st.running) {
			/* libcurl's progress callback sees it within a second */
			uv_mutex_lock(&st.prog.mu);
			st.prog.abort = true;
			uv_mutex_unlock(&st.prog.mu);
			st_finish();
		}
		uv_timer_stop(&st.push);
		uv_close((uv_handle_t *)&st.push, NULL);
		uv_close((uv_handle_t *)&st.done, NULL);
		uv_mutex_destroy(&st.prog.mu);
		curl_global_cleanup();
		st.ready = false;
	}
	json_decref(st.results);
	st.results = NULL;
	free(st.error);
	st.error = NULL;
}

/* ---- methods ---- */

/* The WAN's device to bind to: the WAN's port, or none over PPPoE (its
 * session's device comes and goes; the routes lead to it). */
static char *st_wan_device(const json_t *doc)
{
	const char *proto = doc_str(doc, "wan.ipv4.proto"), *dev = doc_str(doc, "wan.interface");

	if ((proto && !strcmp(proto, "pppoe")) || !dev || !*dev)
		return NULL;
	return xstrdup(dev);
}

static json_t *speedtest_start(struct rpc_call *c)
{
	const json_t *doc = c->env->engine ? c->env->engine->running : NULL;
	const char *ca;

	if (!st.ready)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "the speed tester runs only in difosd");
	if (!doc)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "no configuration in force");
	if (st.running)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL,
				"a speed test is already running (since %lld)", st.started);
	st.cfg.base = xstrdup(doc_str(doc, "speedtest.server") ?: "https://speed.cloudflare.com");
	st.cfg.verify_tls = doc_bool(doc, "speedtest.verify_tls", true);
	ca = doc_str(doc, "speedtest.ca_file");
	st.cfg.ca_file = ca && *ca ? xstrdup(ca) : NULL;
	st.cfg.device = st_wan_device(doc);
	st.prog.phase = NULL;
	st.prog.bytes = 0;
	st.prog.requests = 0;
	st.prog.mbps = 0;
	st.prog.abort = false;
	st.out = NULL;
	st.out_err = NULL;
	st.started = (long long)time(NULL);
	if (uv_thread_create(&st.thread, st_thread_main, NULL) != 0) {
		st_config_free(&st.cfg);
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot start the speed test's thread");
	}
	st.running = true;
	free(st.error);
	st.error = NULL;
	uv_timer_start(&st.push, st_push_tick, SPEEDTEST_PUSH_MS, SPEEDTEST_PUSH_MS);
	core_state_changed();
	log_info("speedtest: started against %s%s%s", st.cfg.base, st.cfg.device ? " out of " : "",
		 st.cfg.device ?: "");
	return json_pack("{s:b, s:I, s:s, s:s?}", "started", 1, "at", (json_int_t)st.started,
			 "server", st.cfg.base, "interface", st.cfg.device);
}

static json_t *speedtest_status_method(struct rpc_call *c)
{
	(void)c;
	return st_status();
}

static void speedtest_print(const json_t *r)
{
	const json_t *last = json_object_get(r, "last"), *p = json_object_get(r, "progress");

	if (json_is_true(json_object_get(r, "running")))
		printf("running   %s, %lld bytes, %.1f Mbit/s\n",
		       json_string_value(json_object_get(p, "phase")) ?: "starting",
		       (long long)json_integer_value(json_object_get(p, "bytes")),
		       json_real_value(json_object_get(p, "mbps")));
	if (json_string_value(json_object_get(r, "error")))
		printf("failed    %s\n", json_string_value(json_object_get(r, "error")));
	if (json_is_object(last)) {
		time_t at = (time_t)json_integer_value(json_object_get(last, "at"));
		char when[32];

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&at));
		printf("last test %s against %s\n", when,
		       json_string_value(json_object_get(last, "server")));
		printf("download  %.2f Mbit/s\nupload    %.2f Mbit/s\nlatency   %.2f ms "
		       "(jitter %.2f ms)\n",
		       json_real_value(json_object_get(last, "download_mbps")),
		       json_real_value(json_object_get(last, "upload_mbps")),
		       json_real_value(json_object_get(last, "latency_ms")),
		       json_real_value(json_object_get(last, "jitter_ms")));
	} else if (!json_is_true(json_object_get(r, "running"))) {
		printf("no speed test yet\n");
	}
}

static void speedtest_print_start(const json_t *r)
{
	printf("speed test started against %s\n", json_string_value(json_object_get(r, "server")));
}

#define ADMIN "Administration"
#define ST_RESULT "{download_mbps, upload_mbps, latency_ms, jitter_ms, download_bytes, " \
	"upload_bytes, duration_s, at, server, interface}"

static const struct rpc_method speedtest_methods[] = {
	{ "speedtest.start", speedtest_start, "starts a speed test of the WAN against the "
	  "speed-test server (in the background: speedtest.status follows it); refused while one "
	  "runs", ADMIN, NULL, "{started: true, at, server, interface}",
	  .rest = { { "POST", "/speedtest/start" } },
	  .cli = { "speedtest-start", .print = speedtest_print_start }, .flags = RPC_F_ANYTIME },
	{ "speedtest.status", speedtest_status_method, "the speed test under way (its phase, bytes "
	  "and rate) and the results kept (the last 20)", ADMIN, NULL,
	  "{running, phase (idle|latency|download|upload|done|failed), started, server, progress: "
	  "{phase, bytes, requests, mbps}|null, error, last: " ST_RESULT "|null, results: ["
	  ST_RESULT "] (oldest first)}", RPC_READ,
	  .rest = { { "GET", "/speedtest" } },
	  .cli = { "speedtest", .print = speedtest_print } },
	{ NULL }
};

const struct feature feature_speedtest = {
	.name = "speedtest",
	.title = "Speed Tester",
	.sections = speedtest_sections,
	.init = speedtest_init,
	.stop = speedtest_stop,
	.methods = speedtest_methods,
};
