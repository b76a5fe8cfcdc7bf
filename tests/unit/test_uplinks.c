/*
 * Uplinks' health: the verdict of a round, the hysteresis of the state,
 * and the packets the rounds send (an echo request its own checksum
 * verifies, a DNS query whose name is encoded as labels).
 */
#include <string.h>

#include "features/network/uplinks/uplinks.h"
#include "net/probe_pkt.h"
#include "t.h"

static const struct ul_config cfg = {
	.interval_s = 1, .timeout_ms = 500, .loss_pct = 20, .latency_ms = 100,
	.down_after = 3, .up_after = 2,
};

static void test_verdict(void)
{
	T_CHECK(ul_verdict(&cfg, 0, 0, 0) == UL_UNKNOWN);      /* nothing asked */
	T_CHECK(ul_verdict(&cfg, 2, 0, 0) == UL_DOWN);         /* nothing answered */
	T_CHECK(ul_verdict(&cfg, 2, 2, 5) == UL_UP);
	T_CHECK(ul_verdict(&cfg, 2, 1, 5) == UL_DEGRADED);     /* 50 % lost > 20 % */
	T_CHECK(ul_verdict(&cfg, 5, 4, 5) == UL_UP);           /* 20 % lost: not above */
	T_CHECK(ul_verdict(&cfg, 2, 2, 101) == UL_DEGRADED);   /* slower than 100 ms */
	T_CHECK(ul_verdict(&cfg, 2, 2, 100) == UL_UP);
	T_CHECK_STR(ul_state_name(UL_DEGRADED), "degraded");
}

static void test_hysteresis(void)
{
	struct ul_track t = { .state = UL_UNKNOWN };

	/* up after two good rounds, not one */
	T_CHECK(!ul_track_round(&t, &cfg, UL_UP));
	T_CHECK(ul_track_round(&t, &cfg, UL_UP) && t.state == UL_UP);
	/* two lost rounds and a good one: still up, the count starts over */
	T_CHECK(!ul_track_round(&t, &cfg, UL_DOWN));
	T_CHECK(!ul_track_round(&t, &cfg, UL_DOWN));
	T_CHECK(!ul_track_round(&t, &cfg, UL_UP));
	T_CHECK(!ul_track_round(&t, &cfg, UL_DOWN));
	T_CHECK(!ul_track_round(&t, &cfg, UL_DOWN));
	T_CHECK(t.state == UL_UP);
	/* the third worse round in a row switches, to its own verdict: worse
	 * rounds count together, whether degraded or down */
	T_CHECK(ul_track_round(&t, &cfg, UL_DEGRADED) && t.state == UL_DEGRADED);
	t = (struct ul_track){ .state = UL_UP };
	T_CHECK(!ul_track_round(&t, &cfg, UL_DEGRADED));
	T_CHECK(!ul_track_round(&t, &cfg, UL_DOWN));
	T_CHECK(ul_track_round(&t, &cfg, UL_DOWN) && t.state == UL_DOWN);
	/* an unknown round (no targets) changes nothing */
	T_CHECK(!ul_track_round(&t, &cfg, UL_UNKNOWN) && t.state == UL_DOWN);
	/* back: two better rounds; the state is the last one's */
	T_CHECK(!ul_track_round(&t, &cfg, UL_UP));
	T_CHECK(ul_track_round(&t, &cfg, UL_DEGRADED) && t.state == UL_DEGRADED);
	T_CHECK(!ul_track_round(&t, &cfg, UL_UP));
	T_CHECK(ul_track_round(&t, &cfg, UL_UP) && t.state == UL_UP);
}

static void test_packets(void)
{
	uint8_t b[300];
	size_t n = probe_echo_request(b, sizeof(b), 0x1234, 9);

	T_CHECK(n == 24 && b[0] == 8 && b[4] == 0x12 && b[5] == 0x34 && b[7] == 9);
	T_CHECK(probe_checksum(b, n) == 0);                    /* it verifies */
	T_CHECK(probe_echo_request(b, 10, 1, 1) == 0);

	n = probe_dns_query(b, sizeof(b), 0xabcd, "upstream.test", PROBE_DNS_A);
	T_CHECK(n == 12 + 15 + 4);
	T_CHECK(b[0] == 0xab && b[1] == 0xcd && b[2] == 0x01 && b[5] == 1);
	T_CHECK(b[12] == 8 && !memcmp(b + 13, "upstream", 8) && b[21] == 4 &&
		!memcmp(b + 22, "test", 4) && b[26] == 0);
	T_CHECK(b[27] == 0 && b[28] == 1 && b[29] == 0 && b[30] == 1);
	/* the root's NS: the dashboard's question */
	n = probe_dns_query(b, sizeof(b), 1, NULL, PROBE_DNS_NS);
	T_CHECK(n == 17 && b[12] == 0 && b[14] == 2);
	T_CHECK(probe_dns_query(b, sizeof(b), 1, "a..b", PROBE_DNS_A) == 0);
	T_CHECK(probe_dns_query(b, 20, 1, "upstream.test", PROBE_DNS_A) == 0);
}

int main(void)
{
	T_RUN(test_verdict);
	T_RUN(test_hysteresis);
	T_RUN(test_packets);
	return t_done("uplinks");
}
