/*
 * The NDP proxy's table of neighbours: which addresses live on which side
 * (upstream or downstream link), learned and confirmed by probing. Pure:
 * time comes in as milliseconds, what to do goes out through a callback
 * (send a probe, a neighbour came, a neighbour went), so it is tested
 * without sockets.
 *
 * An address heard of on a side (a host's NS, its DAD probe, an NS for it
 * from the other side) is probed there: an NS sent on that side. An NA in
 * answer confirms it: from then on the relay answers NS for it on the
 * other side, and a downstream one gets a host route. A confirmed entry is
 * probed again every refresh period; when max_probes probes go unanswered
 * it is dropped (and its host route removed).
 */
#ifndef DIFOS_R6_NTAB_H
#define DIFOS_R6_NTAB_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

enum r6_side { R6_UP = 0, R6_DOWN = 1 };
enum r6_nev { R6_NEV_PROBE, R6_NEV_CAME, R6_NEV_WENT };

struct r6_neigh {
	struct in6_addr addr;
	uint8_t side;
	uint8_t confirmed;   /* answered a probe at least once */
	uint8_t probes;      /* unanswered probes since the last answer */
	uint64_t t_next;     /* when to probe next (ms) */
};

typedef void (*r6_nev_fn)(void *arg, enum r6_nev ev, enum r6_side side, const struct in6_addr *a);

struct r6_ntab {
	struct r6_neigh *v;
	size_t n, cap;            /* cap: the most entries kept */
	uint32_t probe_ms;        /* between probes */
	uint32_t refresh_ms;      /* between a confirmation and the next probe */
	unsigned max_probes;
	r6_nev_fn fn;
	void *arg;
};

/* Defaults: 1 s between probes, 4 probes, refresh as given. */
int r6_ntab_init(struct r6_ntab *t, size_t cap, uint32_t refresh_ms, r6_nev_fn fn, void *arg);
void r6_ntab_free(struct r6_ntab *t);

struct r6_neigh *r6_ntab_find(struct r6_ntab *t, const struct in6_addr *a);

/* a is heard of on side: probed there after delay_ms unless known. Returns
 * 0, or -1 when the table is full. */
int r6_ntab_heard(struct r6_ntab *t, enum r6_side side, const struct in6_addr *a,
		  uint64_t now, uint32_t delay_ms);

/* An NA for a arrived on side: confirms an entry probed there (CAME on
 * its first confirmation). Returns 1 when it confirmed one. */
int r6_ntab_answered(struct r6_ntab *t, enum r6_side side, const struct in6_addr *a, uint64_t now);

/*
 * An NS for a arrived on side. Returns 1 when the relay should answer it
 * (a is confirmed on the other side); otherwise 0, and a not yet known is
 * probed on the other side at once.
 */
int r6_ntab_solicited(struct r6_ntab *t, enum r6_side side, const struct in6_addr *a, uint64_t now);

/* Due probes and departures; returns ms until the next thing due (or
 * UINT32_MAX when nothing is). */
uint32_t r6_ntab_tick(struct r6_ntab *t, uint64_t now);

/* WENT for every confirmed entry, then empty (at exit). */
void r6_ntab_flush(struct r6_ntab *t);

#endif
