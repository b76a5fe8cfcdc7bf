/*
 * One speed test, the way Cloudflare's runs against its endpoints: the
 * latency from small downloads (GET __down?bytes=0: the time to the first
 * byte once the connection stands), then downloads (GET __down?bytes=N)
 * and uploads (POST __up) of growing sizes, each timed on its own. It
 * runs in a thread of its own with libcurl's easy interface on one handle,
 * so every request after the first reuses the connection, bound to the
 * WAN's device so the WAN is what is measured. Nothing here touches the
 * core: the progress goes through its mutex, the result is handed back.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/admin/speedtest/speedtest_int.h"

/* a rung of the ladder: count requests of size bytes */
struct st_rung {
	long long size;
	int count;
};

/* Cloudflare's sizes, 100 kB .. 25 MB */
static const struct st_rung st_down_ladder[] = {
	{ 100000, 10 }, { 1000000, 8 }, { 10000000, 6 }, { 25000000, 4 }, { 0, 0 }
};
static const struct st_rung st_up_ladder[] = {
	{ 100000, 8 }, { 1000000, 6 }, { 10000000, 4 }, { 25000000, 4 }, { 0, 0 }
};

#define ST_MAX_REQUESTS 40

struct st_run {
	const struct st_config *cfg;
	struct st_progress *p;
	CURL *h;
	struct curl_slist *headers;
	long long upload_left;     /* what the POST body still has to give */
	long long phase_base;      /* bytes of the phase before this request */
	char errbuf[CURL_ERROR_SIZE];
};

static size_t st_discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/* the POST body: zeros, as many as asked */
static size_t st_body(char *buf, size_t size, size_t n, void *arg)
{
	struct st_run *r = arg;
	size_t len = size * n;

	if ((long long)len > r->upload_left)
		len = (size_t)r->upload_left;
	memset(buf, 0, len);
	r->upload_left -= (long long)len;
	return len;
}

/* libcurl's progress: the phase's bytes and the request's rate so far; a
 * test asked to stop ends here */
static int st_xferinfo(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct st_run *r = arg;
	struct st_progress *p = r->p;
	curl_off_t t0 = 0, now = 0;
	long long moved = (long long)(dlnow + ulnow);
	int stop;

	(void)dltotal;
	(void)ultotal;
	curl_easy_getinfo(r->h, CURLINFO_PRETRANSFER_TIME_T, &t0);
	curl_easy_getinfo(r->h, CURLINFO_TOTAL_TIME_T, &now);
	uv_mutex_lock(&p->mu);
	p->bytes = r->phase_base + moved;
	if (now > t0 && moved > 0)
		p->mbps = st_mbps(moved, (long long)(now - t0));
	stop = p->abort;
	uv_mutex_unlock(&p->mu);
	return stop;
}

static void st_phase(struct st_run *r, const char *phase)
{
	uv_mutex_lock(&r->p->mu);
	r->p->phase = phase;
	r->p->bytes = 0;
	r->p->requests = 0;
	r->p->mbps = 0;
	uv_mutex_unlock(&r->p->mu);
	r->phase_base = 0;
}

static void st_request_done(struct st_run *r, long long bytes, double mbps)
{
	uv_mutex_lock(&r->p->mu);
	r->phase_base += bytes;
	r->p->bytes = r->phase_base;
	r->p->requests++;
	if (mbps > 0)
		r->p->mbps = mbps;
	uv_mutex_unlock(&r->p->mu);
}

/* One request: GET __down?bytes=size, or POST __up with a body of size.
 * Fills the timings (microseconds from the request's start); 0 or -1 with
 * *err set. */
static int st_request(struct st_run *r, bool up, long long size, curl_off_t *pre,
		      curl_off_t *first, curl_off_t *total, char **err)
{
	char *url = up ? xasprintf("%s/__up", r->cfg->base)
		       : xasprintf("%s/__down?bytes=%lld", r->cfg->base, size);
	CURLcode rc;
	long code = 0;

	curl_easy_setopt(r->h, CURLOPT_URL, url);
	if (up) {
		r->upload_left = size;
		curl_easy_setopt(r->h, CURLOPT_POST, 1L);
		curl_easy_setopt(r->h, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(r->h, CURLOPT_READFUNCTION, st_body);
		curl_easy_setopt(r->h, CURLOPT_READDATA, r);
		curl_easy_setopt(r->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size);
	} else {
		curl_easy_setopt(r->h, CURLOPT_HTTPGET, 1L);
	}
	r->errbuf[0] = '\0';
	rc = curl_easy_perform(r->h);
	curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(r->h, CURLINFO_PRETRANSFER_TIME_T, pre);
	curl_easy_getinfo(r->h, CURLINFO_STARTTRANSFER_TIME_T, first);
	curl_easy_getinfo(r->h, CURLINFO_TOTAL_TIME_T, total);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		*err = xstrdup("stopped");
	} else if (rc != CURLE_OK) {
		*err = xasprintf("%s: %s", url, r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
	} else if (code != 200) {
		*err = xasprintf("%s: the server answered HTTP %ld", url, code);
	}
	free(url);
	return *err ? -1 : 0;
}

/* The latency: the median time from the request sent to its first byte
 * back, over SPEEDTEST_LATENCY_COUNT empty downloads (ms) */
static int st_latency(struct st_run *r, double *median, double *jitter, char **err)
{
	double ms[SPEEDTEST_LATENCY_COUNT], sorted[SPEEDTEST_LATENCY_COUNT];

	st_phase(r, "latency");
	for (int i = 0; i < SPEEDTEST_LATENCY_COUNT; i++) {
		curl_off_t pre, first, total;

		if (st_request(r, false, 0, &pre, &first, &total, err) < 0)
			return -1;
		/* the connection's making (DNS, TCP, TLS) is before pretransfer */
		ms[i] = (double)(first - pre) / 1000.0;
		st_request_done(r, 0, 0);
	}
	memcpy(sorted, ms, sizeof(ms));
	*median = st_percentile(sorted, SPEEDTEST_LATENCY_COUNT, 0.5);
	*jitter = st_jitter(ms, SPEEDTEST_LATENCY_COUNT);
	return 0;
}

/* One direction up the ladder; its speed in Mbit/s */
static int st_direction(struct st_run *r, bool up, double latency_ms, double *speed,
			long long *moved, char **err)
{
	const struct st_rung *ladder = up ? st_up_ladder : st_down_ladder;
	long long bytes[ST_MAX_REQUESTS], us[ST_MAX_REQUESTS], start = now_ms();
	size_t n = 0;
	bool finish = false;

	st_phase(r, up ? "upload" : "download");
	*moved = 0;
	for (const struct st_rung *g = ladder; g->size && !finish; g++) {
		for (int i = 0; i < g->count && n < ST_MAX_REQUESTS; i++) {
			curl_off_t pre, first, total;
			long long t;

			if (st_request(r, up, g->size, &pre, &first, &total, err) < 0)
				return -1;
			if (up)
				/* sent from pretransfer on; the answer comes a round trip
				 * after the last byte left */
				t = (long long)(total - pre) - (long long)(latency_ms * 1000.0);
			else
				/* received from the first byte on */
				t = (long long)(total - first);
			if (t < 1)
				t = 1;
			bytes[n] = g->size;
			us[n] = t;
			n++;
			*moved += g->size;
			st_request_done(r, g->size, st_mbps(g->size, t));
			/* a request this long: the link is found, no bigger rung */
			if (t >= SPEEDTEST_FINISH_REQUEST_MS * 1000LL)
				finish = true;
			if (now_ms() - start >= SPEEDTEST_PHASE_BUDGET_MS) {
				finish = true;
				break;
			}
		}
	}
	*speed = st_speed(bytes, us, n);
	return 0;
}

static double st_round(double v, double unit)
{
	return (double)(long long)(v / unit + 0.5) * unit;
}

json_t *st_measure(const struct st_config *cfg, struct st_progress *p, char **err)
{
	struct st_run r = { .cfg = cfg, .p = p };
	double latency = 0, jitter = 0, down = 0, up = 0;
	long long down_bytes = 0, up_bytes = 0, started = now_ms();
	char *iface = cfg->device ? xasprintf("if!%s", cfg->device) : NULL;
	json_t *res = NULL;

	*err = NULL;
	r.h = curl_easy_init();
	if (!r.h) {
		*err = xstrdup("cannot start libcurl");
		free(iface);
		return NULL;
	}
	/* a handle of this thread only: no signals, no redirects, nothing but HTTP(S) */
	curl_easy_setopt(r.h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r.h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r.h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(r.h, CURLOPT_USERAGENT, "difos-speedtest/" DIFOS_VERSION);
	curl_easy_setopt(r.h, CURLOPT_ERRORBUFFER, r.errbuf);
	curl_easy_setopt(r.h, CURLOPT_CONNECTTIMEOUT, 10L);
	/* a stalled transfer (under 1 kB/s for 15 s) fails rather than hangs */
	curl_easy_setopt(r.h, CURLOPT_LOW_SPEED_LIMIT, 1000L);
	curl_easy_setopt(r.h, CURLOPT_LOW_SPEED_TIME, 15L);
	curl_easy_setopt(r.h, CURLOPT_WRITEFUNCTION, st_discard);
	curl_easy_setopt(r.h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(r.h, CURLOPT_XFERINFOFUNCTION, st_xferinfo);
	curl_easy_setopt(r.h, CURLOPT_XFERINFODATA, &r);
	/* no "Expect: 100-continue": the body goes at once, as a browser's */
	r.headers = curl_slist_append(NULL, "Expect:");
	curl_easy_setopt(r.h, CURLOPT_HTTPHEADER, r.headers);
	if (iface)
		curl_easy_setopt(r.h, CURLOPT_INTERFACE, iface);
	curl_easy_setopt(r.h, CURLOPT_SSL_VERIFYPEER, cfg->verify_tls ? 1L : 0L);
	curl_easy_setopt(r.h, CURLOPT_SSL_VERIFYHOST, cfg->verify_tls ? 2L : 0L);
	if (cfg->ca_file)
		curl_easy_setopt(r.h, CURLOPT_CAINFO, cfg->ca_file);

	if (st_latency(&r, &latency, &jitter, err) == 0 &&
	    st_direction(&r, false, latency, &down, &down_bytes, err) == 0 &&
	    st_direction(&r, true, latency, &up, &up_bytes, err) == 0)
		res = json_pack("{s:f, s:f, s:f, s:f, s:I, s:I, s:f}",
				"download_mbps", st_round(down, 0.01), "upload_mbps", st_round(up, 0.01),
				"latency_ms", st_round(latency, 0.01), "jitter_ms", st_round(jitter, 0.01),
				"download_bytes", (json_int_t)down_bytes, "upload_bytes",
				(json_int_t)up_bytes, "duration_s",
				st_round((double)(now_ms() - started) / 1000.0, 0.1));
	curl_slist_free_all(r.headers);
	curl_easy_cleanup(r.h);
	free(iface);
	return res;
}
