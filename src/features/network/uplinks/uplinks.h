/*
 * Uplinks' health: each uplink (the WAN now, the WWAN later) is asked,
 * every interval, a round of questions of its probe targets (ICMP echo,
 * DNS queries) out of its own device; each round gets a verdict, and the
 * verdicts switch the uplink's state up / degraded / down with hysteresis.
 */
#ifndef DIFOS_UPLINKS_H
#define DIFOS_UPLINKS_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

/* worst last: the order of the ranks below */
enum ul_state { UL_UP, UL_DEGRADED, UL_UNKNOWN, UL_DOWN };

struct ul_config {
	int interval_s;    /* a round every interval */
	int timeout_ms;    /* a target that has not answered by then is lost */
	int loss_pct;      /* a round losing more is degraded */
	int latency_ms;    /* a round whose mean RTT is above is degraded */
	int down_after;    /* consecutive worse rounds to switch to worse */
	int up_after;      /* consecutive better rounds to switch to better */
};

/* the state and the rounds that lead away from it */
struct ul_track {
	enum ul_state state;
	int streak;        /* consecutive rounds on the same side of state */
	int side;          /* -1 better, +1 worse, 0 none */
};

/* uplinks_state.c: pure */
const char *ul_state_name(enum ul_state s);
/* The verdict of a round: sent probes, answered ones and their mean RTT. */
enum ul_state ul_verdict(const struct ul_config *c, int sent, int answered, int rtt_ms);
/* One round's verdict into t; true when t->state changed. */
bool ul_track_round(struct ul_track *t, const struct ul_config *c, enum ul_state verdict);

/* uplinks_probe.c: the rounds on the loop */
struct ul_target {
	char kind[8];      /* "icmp" | "dns" */
	char address[16];
	char name[256];    /* dns: the name asked ("" : the root's NS) */
};

struct ul_uplink;
/* done is called on the loop thread after each round, with the round's
 * result {sent, answered, loss, rtt_ms, targets: [{kind, address, name?,
 * ok, rtt_ms, answer}]} (borrowed) */
typedef void (*ul_round_fn)(struct ul_uplink *u, const json_t *round, void *arg);
/* src: the uplink's own address to send from ("" or NULL: the kernel's
 * choice), for an uplink whose routes are in a table of its own behind a
 * rule on the source (the WWAN's) */
struct ul_uplink *ul_start(uv_loop_t *loop, const char *name, const char *dev, const char *src,
			   const struct ul_config *c, const struct ul_target *t, size_t n,
			   ul_round_fn done, void *arg);
/* stops its timers and sockets; frees it once they are closed */
void ul_stop(struct ul_uplink *u);
const char *ul_name(const struct ul_uplink *u);

#endif
