/*
 * The speed tester's arithmetic, as Cloudflare's test does it: a speed is
 * a high percentile of the rates of its requests (the bigger ones are
 * little slowed by TCP's start, so the top of them is the link), the
 * latency the median of small requests, the jitter the mean change from
 * one to the next.
 */
#include <math.h>
#include <stdlib.h>

#include "features/admin/speedtest/speedtest_int.h"

static int st_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double st_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), st_cmp);
	/* nearest rank: the smallest value with at least p of them at or below it */
	rank = (size_t)ceil(p * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

double st_jitter(const double *v, size_t n)
{
	double sum = 0;

	if (n < 2)
		return 0;
	for (size_t i = 1; i < n; i++)
		sum += fabs(v[i] - v[i - 1]);
	return sum / (double)(n - 1);
}

double st_mbps(long long bytes, long long us)
{
	return us > 0 ? (double)bytes * 8.0 / (double)us : 0;
}

double st_speed(const long long *bytes, const long long *us, size_t n)
{
	double *rates = calloc(n ? n : 1, sizeof(*rates)), s;
	size_t k = 0;

	if (!rates)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (us[i] >= SPEEDTEST_MIN_REQUEST_MS * 1000LL)
			rates[k++] = st_mbps(bytes[i], us[i]);
	if (k == 0)
		for (size_t i = 0; i < n; i++)
			rates[k++] = st_mbps(bytes[i], us[i]);
	s = st_percentile(rates, k, SPEEDTEST_PERCENTILE);
	free(rates);
	return s;
}

json_t *st_results_add(json_t *results, json_t *r, size_t keep)
{
	if (!json_is_array(results)) {
		json_decref(results);
		results = json_array();
	}
	json_array_append_new(results, r);
	while (json_array_size(results) > keep)
		json_array_remove(results, 0);
	return results;
}

/* A result as st_measure and the feature make it: its figures numbers, its time an integer. */
bool st_result_ok(const json_t *r)
{
	static const char *const figures[] = { "download_mbps", "upload_mbps", "latency_ms" };

	if (!json_is_object(r) || !json_is_integer(json_object_get(r, "at")))
		return false;
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (!json_is_number(json_object_get(r, figures[i])))
			return false;
	return true;
}

json_t *st_results_parse(const char *text, size_t len, size_t keep)
{
	json_t *doc = text ? json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL) : NULL, *out, *v;
	size_t i;

	out = json_array();
	json_array_foreach(doc, i, v)
		if (st_result_ok(v))
			out = st_results_add(out, json_incref(v), keep);
	json_decref(doc);
	return out;
}
