/*
 * The router dashboard's pure parts: the list of LAN clients (one per
 * device, whatever told of it) and the traffic sampler's rates.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "net/probe_pkt.h"
#include "t.h"
#include "t_json.h"

static json_t *find_mac(const json_t *list, const char *mac)
{
	json_t *c;
	size_t i;

	json_array_foreach(list, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "mac")), mac))
			return c;
	return NULL;
}

static void test_clients(void)
{
	/* a lease; a static lease's device (upper-case MAC in the document);
	 * a device with a fixed address seen only as a neighbour (IPv4 and
	 * IPv6); one that never answered; one on another interface */
	json_t *active = J("[{\"mac\": \"02:00:00:00:00:01\", \"ip\": \"192.168.1.100\","
			   " \"hostname\": \"phone\", \"expires\": 1700000000},"
			   " {\"mac\": \"02:00:00:00:00:02\", \"ip\": \"192.168.1.50\","
			   " \"hostname\": \"printer-x\", \"expires\": 0}]");
	json_t *neigh = J("[{\"dst\": \"192.168.1.100\", \"dev\": \"br-lan\","
			  " \"lladdr\": \"02:00:00:00:00:01\", \"state\": [\"REACHABLE\"]},"
			  " {\"dst\": \"fe80::3\", \"dev\": \"br-lan\", \"lladdr\": \"02:00:00:00:00:03\","
			  " \"state\": [\"STALE\"]},"
			  " {\"dst\": \"192.168.1.20\", \"dev\": \"br-lan\","
			  " \"lladdr\": \"02:00:00:00:00:03\", \"state\": [\"DELAY\"]},"
			  " {\"dst\": \"192.168.1.30\", \"dev\": \"br-lan\", \"state\": [\"FAILED\"]},"
			  " {\"dst\": \"192.168.1.31\", \"dev\": \"br-lan\","
			  " \"lladdr\": \"02:00:00:00:00:09\", \"state\": [\"INCOMPLETE\"]},"
			  " {\"dst\": \"198.51.100.1\", \"dev\": \"wan0\","
			  " \"lladdr\": \"02:00:00:00:00:0a\", \"state\": [\"REACHABLE\"]}]");
	json_t *statics = J("[{\"id\": 1, \"mac\": \"02:00:00:00:00:02\", \"ip\": \"192.168.1.50\","
			    " \"name\": \"Printer\", \"hostname\": \"printer\"}]");
	json_t *list = dashboard_clients(active, neigh, "br-lan", statics), *c;

	T_CHECK(json_array_size(list) == 3);
	c = find_mac(list, "02:00:00:00:00:01");
	T_CHECK_STR(json_string_value(json_object_get(c, "kind")), "lease");
	T_CHECK_STR(json_string_value(json_object_get(c, "name")), "phone");
	T_CHECK(json_is_true(json_object_get(c, "online")));
	T_CHECK(json_integer_value(json_object_get(c, "expires")) == 1700000000);
	c = find_mac(list, "02:00:00:00:00:02");
	T_CHECK_STR(json_string_value(json_object_get(c, "kind")), "static");
	T_CHECK_STR(json_string_value(json_object_get(c, "name")), "Printer");
	T_CHECK_STR(json_string_value(json_object_get(c, "ip")), "192.168.1.50");
	T_CHECK(json_is_false(json_object_get(c, "online")));
	c = find_mac(list, "02:00:00:00:00:03");
	T_CHECK_STR(json_string_value(json_object_get(c, "kind")), "neighbour");
	T_CHECK_STR(json_string_value(json_object_get(c, "ip")), "192.168.1.20");
	T_CHECK(json_is_null(json_object_get(c, "name")));
	json_decref(list);
	/* no LAN device known: the leases alone */
	list = dashboard_clients(active, neigh, NULL, statics);
	T_CHECK(json_array_size(list) == 2);
	json_decref(list);
	json_decref(active);
	json_decref(neigh);
	json_decref(statics);
}

static json_t *mklink(const char *name, long long rx, long long tx, bool up)
{
	json_t *l = json_pack("{s:s, s:[s], s:{s:{s:I}, s:{s:I}}}", "ifname", name, "flags",
			      "BROADCAST", "stats64", "rx", "bytes", (json_int_t)rx, "tx", "bytes",
			      (json_int_t)tx);

	if (up)
		json_array_append_new(json_object_get(l, "flags"), json_string("LOWER_UP"));
	return l;
}

static void test_traffic(void)
{
	json_t *l1 = json_pack("[o, o, {s:s, s:[s], s:{}}]", mklink("wan0", 1000, 500, true),
			       mklink("br-lan", 0, 0, true), "ifname", "lo", "flags", "LOOPBACK",
			       "stats64");
	json_t *l2 = json_pack("[o]", mklink("wan0", 4000, 200, true));
	json_t *s, *w;

	/* wan0 is UP and LOWER_UP: its flags need both */
	json_array_append_new(json_object_get(json_array_get(l1, 0), "flags"), json_string("UP"));
	json_array_append_new(json_object_get(json_array_get(l2, 0), "flags"), json_string("UP"));
	traffic_sample(l1, 10000, 1700000000000LL);
	T_CHECK(traffic_up_since("wan0") == 1700000000);
	T_CHECK(traffic_up_since("br-lan") == 0);
	/* 3000 bytes in 3 s; the counter going back counts as nothing; br-lan gone */
	traffic_sample(l2, 13000, 1700000003000LL);
	s = traffic_series();
	w = json_object_get(json_object_get(s, "interfaces"), "wan0");
	T_CHECK(json_integer_value(json_array_get(json_object_get(w, "rx"), 0)) == 1000);
	T_CHECK(json_integer_value(json_array_get(json_object_get(w, "tx"), 0)) == 0);
	T_CHECK(json_integer_value(json_object_get(w, "rx_bytes")) == 4000);
	T_CHECK(json_object_get(json_object_get(s, "interfaces"), "br-lan") == NULL);
	T_CHECK(json_object_get(json_object_get(s, "interfaces"), "lo") == NULL);
	T_CHECK(json_array_size(json_object_get(s, "times")) == 2);
	T_CHECK(traffic_up_since("wan0") == 1700000000);
	json_decref(s);
	/* the ring keeps the last TRAFFIC_SAMPLES */
	for (int i = 0; i < TRAFFIC_SAMPLES + 5; i++)
		traffic_sample(l2, 16000 + i * 3000, 1700000006000LL + i * 3000);
	s = traffic_series();
	w = json_object_get(json_object_get(s, "interfaces"), "wan0");
	T_CHECK(json_array_size(json_object_get(w, "rx")) == TRAFFIC_SAMPLES);
	T_CHECK(json_array_size(json_object_get(s, "times")) == TRAFFIC_SAMPLES);
	json_decref(s);
	traffic_stop();
	json_decref(l1);
	json_decref(l2);
}

/* The metrics hook: the last sample as node_exporter's families, from the
 * sampler's reading (no dump), the loopback left out as the sampler does. */
static void test_traffic_metrics(void)
{
	json_t *l = json_pack("[o, o, {s:s, s:[s], s:{}}]", mklink("wan0", 1000, 500, true),
			      mklink("br-lan", 7, 9, false), "ifname", "lo", "flags", "LOOPBACK",
			      "stats64");
	json_t *wan = json_array_get(l, 0);
	struct sbuf b;

	json_object_set_new(wan, "operstate", json_string("UP"));
	json_object_set_new(json_object_get(json_object_get(wan, "stats64"), "rx"), "packets",
			    json_integer(12));
	json_object_set_new(json_object_get(json_object_get(wan, "stats64"), "tx"), "dropped",
			    json_integer(3));
	json_object_set_new(json_array_get(l, 1), "operstate", json_string("DOWN"));
	traffic_sample(l, 10000, 1700000000000LL);
	sbuf_init(&b);
	traffic_metrics(&b);
	T_CHECK(strstr(b.s, "# HELP node_network_receive_bytes_total ") != NULL);
	T_CHECK(strstr(b.s, "# TYPE node_network_receive_bytes_total counter\n") != NULL);
	T_CHECK(strstr(b.s, "\nnode_network_receive_bytes_total{device=\"wan0\"} 1000\n") != NULL);
	T_CHECK(strstr(b.s, "\nnode_network_transmit_bytes_total{device=\"wan0\"} 500\n") != NULL);
	T_CHECK(strstr(b.s, "\nnode_network_receive_packets_total{device=\"wan0\"} 12\n") != NULL);
	T_CHECK(strstr(b.s, "\nnode_network_transmit_drop_total{device=\"wan0\"} 3\n") != NULL);
	T_CHECK(strstr(b.s, "\nnode_network_receive_bytes_total{device=\"br-lan\"} 7\n") != NULL);
	T_CHECK(strstr(b.s, "# TYPE node_network_up gauge\n") != NULL);
	T_CHECK(strstr(b.s, "\nnode_network_up{device=\"wan0\"} 1\n") != NULL);
	T_CHECK(strstr(b.s, "\nnode_network_up{device=\"br-lan\"} 0\n") != NULL);
	T_CHECK(strstr(b.s, "\"lo\"") == NULL);
	sbuf_free(&b);
	traffic_stop();
	json_decref(l);
}

/* What comes back to the connectivity check: only our echo reply and an
 * answer to our query count; short or foreign packets do not. */
static void test_probe_parsers(void)
{
	uint8_t pkt[28] = { 0x45 };          /* IPv4, 20-byte header */
	uint8_t dns[12] = { 0x12, 0x34, 0x81, 0x05 };

	pkt[20] = 0;                         /* echo reply */
	pkt[24] = 0x12; pkt[25] = 0x34;      /* id */
	pkt[26] = 0x00; pkt[27] = 0x07;      /* sequence */
	T_CHECK(probe_echo_reply(pkt, sizeof(pkt), 0x1234, 7));
	T_CHECK(!probe_echo_reply(pkt, sizeof(pkt), 0x1234, 8));
	T_CHECK(!probe_echo_reply(pkt, sizeof(pkt) - 1, 0x1234, 7));
	pkt[20] = 8;                         /* our own request, seen on the raw socket */
	T_CHECK(!probe_echo_reply(pkt, sizeof(pkt), 0x1234, 7));
	pkt[20] = 0;
	pkt[0] = 0x44;                       /* a header shorter than IPv4's */
	T_CHECK(!probe_echo_reply(pkt, sizeof(pkt), 0x1234, 7));
	pkt[0] = 0x4f;                       /* 60 bytes of header: past the end */
	T_CHECK(!probe_echo_reply(pkt, sizeof(pkt), 0x1234, 7));

	T_CHECK(probe_dns_rcode(dns, sizeof(dns), 0x1234) == 5);
	T_CHECK(probe_dns_rcode(dns, sizeof(dns), 0x1235) == -1);
	T_CHECK(probe_dns_rcode(dns, 11, 0x1234) == -1);
	dns[2] = 0x01;                       /* a question, not an answer */
	T_CHECK(probe_dns_rcode(dns, sizeof(dns), 0x1234) == -1);
}

int main(void)
{
	T_RUN(test_clients);
	T_RUN(test_traffic);
	T_RUN(test_traffic_metrics);
	T_RUN(test_probe_parsers);
	return t_done("dashboard");
}
