/* The speed tester's parts: the measurement (speedtest_curl.c, run in a
 * thread of its own) and its arithmetic (speedtest_stats.c, pure). */
#ifndef DIFOS_SPEEDTEST_INT_H
#define DIFOS_SPEEDTEST_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#define SPEEDTEST_KEEP 20            /* results kept in results.json */
#define SPEEDTEST_LATENCY_COUNT 20   /* small requests timed for the latency */
#define SPEEDTEST_PERCENTILE 0.9     /* the speed: this percentile of the requests' */
/* A request shorter than this says more of the buffers on the way (a
 * shaper's burst, the sockets') than of the link: left out of the speed
 * unless no request lasted as long. */
#define SPEEDTEST_MIN_REQUEST_MS 100
/* A direction stops climbing to bigger requests once one took this long,
 * and stops altogether after this much time in it */
#define SPEEDTEST_FINISH_REQUEST_MS 1000
#define SPEEDTEST_PHASE_BUDGET_MS 12000

/* What one test is given, copied on the loop thread before it starts. */
struct st_config {
	char *base;       /* "https://speed.cloudflare.com", no trailing '/' */
	char *device;     /* the WAN's device, or NULL */
	char *ca_file;    /* NULL: the system's CAs */
	bool verify_tls;
};

/* What the loop thread reads while the test runs (under mu). */
struct st_progress {
	uv_mutex_t mu;
	const char *phase;        /* "latency", "download", "upload" */
	long long bytes;          /* moved in this phase */
	int requests;             /* finished in this phase */
	double mbps;              /* the request under way's rate (or the last one's) */
	bool abort;               /* set by the loop thread: stop now */
};

/* Runs the test (blocking): the result object {download_mbps, upload_mbps,
 * latency_ms, jitter_ms, ...} or NULL with *err set (malloc'd). */
json_t *st_measure(const struct st_config *cfg, struct st_progress *p, char **err);

/* speedtest_stats.c */
/* the p-quantile (0..1, nearest rank) of v[0..n-1]; sorts v; 0 when n is 0 */
double st_percentile(double *v, size_t n, double p);
/* the mean of |v[i] - v[i-1]|: how much consecutive latencies differ */
double st_jitter(const double *v, size_t n);
/* Mbit/s of bytes moved in us microseconds (0 when us <= 0) */
double st_mbps(long long bytes, long long us);
/* a direction's speed from its requests' {bytes, us}: the SPEEDTEST_PERCENTILE of
 * the rates of those lasting SPEEDTEST_MIN_REQUEST_MS (of all when none does) */
double st_speed(const long long *bytes, const long long *us, size_t n);
/* results (an array, oldest first) with r appended (stolen), the oldest
 * dropped past keep; anything not an array starts a new list */
json_t *st_results_add(json_t *results, json_t *r, size_t keep);
/* does r look like a result (download_mbps, upload_mbps, latency_ms numbers, at an integer)? */
bool st_result_ok(const json_t *r);
/* the results read from results.json's text: the array's results (those
 * st_result_ok takes), at most the last keep; an empty list for anything else */
json_t *st_results_parse(const char *text, size_t len, size_t keep);

#endif
