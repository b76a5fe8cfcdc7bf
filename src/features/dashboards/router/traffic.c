/*
 * Traffic per interface: a timer of the core reads the kernel's 64-bit
 * counters (one netlink dump of the links) every TRAFFIC_PERIOD_MS and
 * keeps the rates of the last TRAFFIC_SAMPLES periods; the dashboard
 * answers the series without reading anything. The same samples tell
 * since when each link has been up (carrier and administratively up), as
 * far as this difosd has seen.
 */
#include <string.h>
#include <time.h>

#include "core/prom.h"
#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "net/nl.h"
#include "store/doc.h"

/* name -> {rx: [B/s..], tx: [..], rx_bytes, tx_bytes, at (monotonic ms), up_since,
 * counters: [the kernel's last reading, in the order of traffic_counters], oper_up} */
static json_t *traffic_ifs;
static json_t *traffic_times;     /* wall-clock ms of the last samples */
static uv_timer_t traffic_timer;
static bool traffic_timer_ready;

static void traffic_push(json_t *series, json_int_t v)
{
	json_array_append_new(series, json_integer(v));
	while (json_array_size(series) > TRAFFIC_SAMPLES)
		json_array_remove(series, 0);
}

/* bytes per second between two readings; a counter that went back (the
 * device was made again) counts as nothing moved */
static json_int_t traffic_rate(json_int_t now, json_int_t before, long long dt_ms)
{
	if (now < before || dt_ms <= 0)
		return 0;
	return (json_int_t)((now - before) * 1000 / dt_ms);
}

/* The counters kept of each reading for the metrics: node_exporter's
 * names, and where each is in the kernel's stats64 */
static const struct {
	const char *metric, *dir, *key, *help;
} traffic_counters[] = {
	{ "node_network_receive_bytes_total", "rx", "bytes",
	  "Network device statistic receive_bytes (read every 3 s)." },
	{ "node_network_transmit_bytes_total", "tx", "bytes",
	  "Network device statistic transmit_bytes (read every 3 s)." },
	{ "node_network_receive_packets_total", "rx", "packets",
	  "Network device statistic receive_packets (read every 3 s)." },
	{ "node_network_transmit_packets_total", "tx", "packets",
	  "Network device statistic transmit_packets (read every 3 s)." },
	{ "node_network_receive_errs_total", "rx", "errors",
	  "Network device statistic receive_errs (read every 3 s)." },
	{ "node_network_transmit_errs_total", "tx", "errors",
	  "Network device statistic transmit_errs (read every 3 s)." },
	{ "node_network_receive_drop_total", "rx", "dropped",
	  "Network device statistic receive_drop (read every 3 s)." },
	{ "node_network_transmit_drop_total", "tx", "dropped",
	  "Network device statistic transmit_drop (read every 3 s)." },
};

static void traffic_keep_counters(json_t *e, const json_t *link, const json_t *st)
{
	json_t *c = json_array();
	const char *oper = json_string_value(json_object_get(link, "operstate"));

	for (size_t i = 0; i < ARRAY_SIZE(traffic_counters); i++)
		json_array_append_new(c, json_integer(json_integer_value(json_object_get(
			json_object_get(st, traffic_counters[i].dir), traffic_counters[i].key))));
	json_object_set_new(e, "counters", c);
	json_object_set_new(e, "oper_up", json_boolean(oper && !strcmp(oper, "UP")));
}

void traffic_sample(const json_t *links, long long mono_ms, long long wall_ms)
{
	json_t *seen = json_object(), *link, *e;
	const char *name;
	void *tmp;
	size_t i;

	if (!traffic_ifs) {
		traffic_ifs = json_object();
		traffic_times = json_array();
	}
	json_array_foreach(links, i, link) {
		const json_t *st = json_object_get(link, "stats64");
		json_int_t rx = json_integer_value(json_object_get(json_object_get(st, "rx"), "bytes"));
		json_int_t tx = json_integer_value(json_object_get(json_object_get(st, "tx"), "bytes"));
		bool up = nl_link_has_flag(link, "UP") && nl_link_has_flag(link, "LOWER_UP");

		name = json_string_value(json_object_get(link, "ifname"));
		if (!name || !st || nl_link_has_flag(link, "LOOPBACK"))
			continue;
		e = json_object_get(traffic_ifs, name);
		if (!e) {
			e = json_pack("{s:[], s:[], s:n}", "rx", "tx", "up_since");
			json_object_set_new(traffic_ifs, name, e);
		} else {
			long long dt = mono_ms - json_integer_value(json_object_get(e, "at"));
			traffic_push(json_object_get(e, "rx"), traffic_rate(rx,
				json_integer_value(json_object_get(e, "rx_bytes")), dt));
			traffic_push(json_object_get(e, "tx"), traffic_rate(tx,
				json_integer_value(json_object_get(e, "tx_bytes")), dt));
		}
		json_object_set_new(e, "rx_bytes", json_integer(rx));
		json_object_set_new(e, "tx_bytes", json_integer(tx));
		json_object_set_new(e, "at", json_integer(mono_ms));
		traffic_keep_counters(e, link, st);
		if (!up)
			json_object_set_new(e, "up_since", json_null());
		else if (json_is_null(json_object_get(e, "up_since")))
			json_object_set_new(e, "up_since", json_integer(wall_ms / 1000));
		json_object_set_new(seen, name, json_true());
	}
	/* links that went away take their series with them */
	json_object_foreach_safe(traffic_ifs, tmp, name, e)
		if (!json_object_get(seen, name))
			json_object_del(traffic_ifs, name);
	json_decref(seen);
	traffic_push(traffic_times, wall_ms);
}

json_t *traffic_series(void)
{
	json_t *ifs = json_object(), *e;
	const char *name;

	json_object_foreach(traffic_ifs, name, e)
		json_object_set_new(ifs, name, json_pack("{s:O, s:O, s:O, s:O}",
			"rx", json_object_get(e, "rx"), "tx", json_object_get(e, "tx"),
			"rx_bytes", json_object_get(e, "rx_bytes"),
			"tx_bytes", json_object_get(e, "tx_bytes")));
	return json_pack("{s:i, s:i, s:O, s:o}", "period_ms", TRAFFIC_PERIOD_MS, "samples",
			 TRAFFIC_SAMPLES, "times", traffic_times ? traffic_times : json_array(),
			 "interfaces", ifs);
}

/* The last reading as node_exporter names it: no dump here, the timer's
 * sample is at most TRAFFIC_PERIOD_MS old. */
void traffic_metrics(struct sbuf *out)
{
	const char *name;
	json_t *e;

	for (size_t i = 0; i < ARRAY_SIZE(traffic_counters); i++) {
		prom_family(out, traffic_counters[i].metric, "counter", traffic_counters[i].help);
		json_object_foreach(traffic_ifs, name, e) {
			const char *const labels[] = { "device", name, NULL };
			prom_sample_u(out, traffic_counters[i].metric, labels,
				      (unsigned long long)json_integer_value(json_array_get(
					      json_object_get(e, "counters"), i)));
		}
	}
	prom_family(out, "node_network_up", "gauge",
		    "Value is 1 if operstate is 'up', 0 otherwise.");
	json_object_foreach(traffic_ifs, name, e) {
		const char *const labels[] = { "device", name, NULL };
		prom_sample_u(out, "node_network_up", labels,
			      json_is_true(json_object_get(e, "oper_up")));
	}
}

long long traffic_up_since(const char *dev)
{
	json_t *e = dev ? json_object_get(traffic_ifs, dev) : NULL;

	return json_is_integer(json_object_get(e, "up_since")) ?
	       json_integer_value(json_object_get(e, "up_since")) : 0;
}

static void traffic_tick(uv_timer_t *t)
{
	json_t *links = nl_links();
	struct timespec ts;

	(void)t;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (links)
		traffic_sample(links, now_ms(), (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	json_decref(links);
}

void traffic_start(uv_loop_t *loop)
{
	if (!loop || traffic_timer_ready)
		return;
	uv_timer_init(loop, &traffic_timer);
	uv_unref((uv_handle_t *)&traffic_timer);
	uv_timer_start(&traffic_timer, traffic_tick, 0, TRAFFIC_PERIOD_MS);
	traffic_timer_ready = true;
}

void traffic_stop(void)
{
	if (traffic_timer_ready) {
		uv_timer_stop(&traffic_timer);
		uv_close((uv_handle_t *)&traffic_timer, NULL);
		traffic_timer_ready = false;
	}
	json_decref(traffic_ifs);
	json_decref(traffic_times);
	traffic_ifs = traffic_times = NULL;
}
