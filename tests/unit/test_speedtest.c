/*
 * Speed Tester: the arithmetic of a result (the percentile of the
 * requests' rates, short requests left out, the latency's median and
 * jitter), the list of results kept (the last 20, oldest first, a damaged
 * file read as none) and the section's rules naming the path and value.
 */
#include <string.h>

#include "apply/feature.h"
#include "features/admin/speedtest/speedtest_int.h"
#include "t.h"
#include "t_json.h"
#include "t_schema.h"

static bool near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

static void test_percentile(void)
{
	double v[] = { 5, 1, 4, 2, 3, 10, 9, 8, 7, 6 };
	double lat[] = { 22, 20, 21, 40, 20 };
	double one[] = { 7 };

	/* nearest rank: the 9th of 10 */
	T_CHECK(near(st_percentile(v, 10, 0.9), 9));
	T_CHECK(near(st_percentile(v, 10, 0.5), 5));
	T_CHECK(near(st_percentile(one, 1, 0.9), 7));
	T_CHECK(near(st_percentile(NULL, 0, 0.9), 0));
	/* the median of latencies is not moved by one slow request */
	T_CHECK(near(st_percentile(lat, 5, 0.5), 21));
	/* jitter: |20-22| + |21-20| + |40-21| + |20-40|, over 4; in the order measured */
	{
		double seq[] = { 22, 20, 21, 40, 20 };

		T_CHECK(near(st_jitter(seq, 5), (2 + 1 + 19 + 20) / 4.0));
		T_CHECK(near(st_jitter(seq, 1), 0));
	}
}

static void test_speed(void)
{
	/* 1 MB in 0.4 s is 20 Mbit/s */
	T_CHECK(near(st_mbps(1000000, 400000), 20));
	T_CHECK(near(st_mbps(1000, 0), 0));
	{
		/* ten 100 kB requests through a shaper's burst look fast (40 Mbit/s
		 * in 20 ms): left out, the 1 MB ones (20 Mbit/s) make the speed */
		long long bytes[14], us[14];

		for (int i = 0; i < 10; i++) {
			bytes[i] = 100000;
			us[i] = 20000;
		}
		for (int i = 10; i < 14; i++) {
			bytes[i] = 1000000;
			us[i] = 400000 + (i - 10) * 10000;   /* 20, 19.5, 19.0, 18.6 Mbit/s */
		}
		T_CHECK(near(st_speed(bytes, us, 14), 20));
		/* nothing lasted 100 ms: then every request counts */
		T_CHECK(near(st_speed(bytes, us, 10), 40));
		T_CHECK(near(st_speed(bytes, us, 0), 0));
	}
}

static void test_results(void)
{
	json_t *l = NULL, *p;
	char *text;

	for (int i = 0; i < 25; i++)
		l = st_results_add(l, json_pack("{s:i, s:i, s:f, s:f, s:f}", "n", i, "at", 1780000000 + i,
						"download_mbps", 19.5, "upload_mbps", 18.25,
						"latency_ms", 21.0), SPEEDTEST_KEEP);
	T_CHECK(json_array_size(l) == SPEEDTEST_KEEP);
	T_CHECK(json_integer_value(json_object_get(json_array_get(l, 0), "n")) == 5);
	T_CHECK(json_integer_value(json_object_get(json_array_get(l, 19), "n")) == 24);
	/* read back from the file's text: the same */
	text = json_dumps(l, 0);
	p = st_results_parse(text, strlen(text), SPEEDTEST_KEEP);
	T_CHECK(json_equal(p, l));
	json_decref(p);
	/* a shorter keep keeps the newest */
	p = st_results_parse(text, strlen(text), 3);
	T_CHECK(json_array_size(p) == 3 &&
		json_integer_value(json_object_get(json_array_get(p, 0), "n")) == 22);
	json_decref(p);
	free(text);
	json_decref(l);
	/* a damaged or foreign file is no results, and what is no object is skipped */
	{
		static const char *const bad[] = {
			"[{\"at\":1,\"download_mbps\":1,\"upload_mbps\":1,\"latency_ms\":1}",
			"{\"at\":1,\"download_mbps\":1,\"upload_mbps\":1,\"latency_ms\":1}",
			"[{\"at\":1,\"download_mbps\":\"fast\",\"upload_mbps\":1,\"latency_ms\":1}]",
			"[{\"at\":1.5,\"download_mbps\":1,\"upload_mbps\":1,\"latency_ms\":1}]",
			"[{\"at\":1,\"upload_mbps\":1,\"latency_ms\":1}]",
		};
		const char *mixed = "[1, {\"at\":1,\"download_mbps\":1,\"upload_mbps\":2.5,"
				    "\"latency_ms\":20}, \"x\", {\"n\":1}]";

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			p = st_results_parse(bad[i], strlen(bad[i]), SPEEDTEST_KEEP);
			T_CHECK(json_is_array(p) && json_array_size(p) == 0);
			json_decref(p);
		}
		p = st_results_parse(mixed, strlen(mixed), SPEEDTEST_KEEP);
		T_CHECK(json_array_size(p) == 1 && st_result_ok(json_array_get(p, 0)));
		json_decref(p);
	}
	p = st_results_parse(NULL, 0, SPEEDTEST_KEEP);
	T_CHECK(json_is_array(p) && json_array_size(p) == 0);
	json_decref(p);
}

static void test_rules(void)
{
	T_CHECK(valid(doc_with(NULL, NULL)));
	T_CHECK(valid(doc_with("speedtest.server", "\"https://198.51.100.1:8443\"")));
	T_CHECK(valid(doc_with("speedtest.server", "\"http://speed.example/test/v1\"")));
	T_CHECK(valid(doc_with("speedtest.server", "\"https://[2001:db8::1]\"")));
	T_CHECK(has_error(doc_with("speedtest.server", "\"ftp://speed.example\""), "speedtest.server",
			  "speedtest.server: ftp://speed.example is not the base URL of a speed-test "
			  "server (http:// or https://, a host, an optional path without a trailing /)"));
	T_CHECK(has_error(doc_with("speedtest.server", "\"https://speed.example/\""),
			  "speedtest.server",
			  "speedtest.server: https://speed.example/ is not the base URL of a speed-test "
			  "server (http:// or https://, a host, an optional path without a trailing /)"));
	T_CHECK(has_error(doc_with("speedtest.server", "\"https://a b\""), "speedtest.server",
			  "speedtest.server: https://a b is not the base URL of a speed-test "
			  "server (http:// or https://, a host, an optional path without a trailing /)"));
	T_CHECK(valid(doc_with("speedtest.ca_file", "\"/etc/difos/speedtest-ca.pem\"")));
	T_CHECK(has_error(doc_with("speedtest.ca_file", "\"ca.pem\""), "speedtest.ca_file",
			  "speedtest.ca_file: ca.pem is not an absolute path"));
}

int main(void)
{
	feature_schema_init();
	T_RUN(test_percentile);
	T_RUN(test_speed);
	T_RUN(test_results);
	T_RUN(test_rules);
	return t_done("speedtest");
}
