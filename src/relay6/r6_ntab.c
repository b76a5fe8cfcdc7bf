/*
 * The NDP proxy's neighbour table (see r6_ntab.h). A plain array: a LAN has
 * tens of hosts, and the cap bounds what a flood of solicitations can add.
 */
#include <stdlib.h>
#include <string.h>

#include "r6_ntab.h"

int r6_ntab_init(struct r6_ntab *t, size_t cap, uint32_t refresh_ms, r6_nev_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->v = calloc(cap ? cap : 1, sizeof(*t->v));
	if (!t->v)
		return -1;
	t->cap = cap;
	t->probe_ms = 1000;
	t->refresh_ms = refresh_ms;
	t->max_probes = 4;
	t->fn = fn;
	t->arg = arg;
	return 0;
}

void r6_ntab_free(struct r6_ntab *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

struct r6_neigh *r6_ntab_find(struct r6_ntab *t, const struct in6_addr *a)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (memcmp(&t->v[i].addr, a, sizeof(*a)) == 0)
			return &t->v[i];
	return NULL;
}

static struct r6_neigh *add(struct r6_ntab *t, enum r6_side side, const struct in6_addr *a,
			    uint64_t when)
{
	struct r6_neigh *e;

	if (t->n >= t->cap)
		return NULL;
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	e->side = (uint8_t)side;
	e->t_next = when;
	return e;
}

static void drop(struct r6_ntab *t, struct r6_neigh *e)
{
	struct r6_neigh gone = *e;

	*e = t->v[--t->n];
	if (gone.confirmed)
		t->fn(t->arg, R6_NEV_WENT, (enum r6_side)gone.side, &gone.addr);
}

int r6_ntab_heard(struct r6_ntab *t, enum r6_side side, const struct in6_addr *a,
		  uint64_t now, uint32_t delay_ms)
{
	struct r6_neigh *e = r6_ntab_find(t, a);

	if (e) {
		/* not yet confirmed elsewhere: look for it where it was heard */
		if (e->side != side && !e->confirmed) {
			e->side = (uint8_t)side;
			e->probes = 0;
			e->t_next = now + delay_ms;
		}
		return 0;
	}
	return add(t, side, a, now + delay_ms) ? 0 : -1;
}

int r6_ntab_answered(struct r6_ntab *t, enum r6_side side, const struct in6_addr *a, uint64_t now)
{
	struct r6_neigh *e = r6_ntab_find(t, a);
	int first;

	if (!e || e->side != side)
		return 0;
	first = !e->confirmed;
	e->confirmed = 1;
	e->probes = 0;
	e->t_next = now + t->refresh_ms;
	if (first)
		t->fn(t->arg, R6_NEV_CAME, side, a);
	return 1;
}

int r6_ntab_solicited(struct r6_ntab *t, enum r6_side side, const struct in6_addr *a, uint64_t now)
{
	struct r6_neigh *e = r6_ntab_find(t, a);
	enum r6_side other = side == R6_UP ? R6_DOWN : R6_UP;

	if (e && e->side == other && !e->confirmed && e->t_next > now) {
		/* someone waits for it now: probe now, not when planned */
		e->t_next = now;
		r6_ntab_tick(t, now);
	}
	if (e)
		return e->side == other && e->confirmed;
	if (add(t, other, a, now))
		r6_ntab_tick(t, now);
	return 0;
}

uint32_t r6_ntab_tick(struct r6_ntab *t, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i = 0;

	while (i < t->n) {
		struct r6_neigh *e = &t->v[i];

		if (e->t_next <= now) {
			if (e->probes >= t->max_probes) {
				drop(t, e);   /* the last entry moved here: look at i again */
				continue;
			}
			e->probes++;
			e->t_next = now + t->probe_ms;
			t->fn(t->arg, R6_NEV_PROBE, (enum r6_side)e->side, &e->addr);
		}
		if (e->t_next < next)
			next = e->t_next;
		i++;
	}
	return next == UINT64_MAX ? UINT32_MAX : (uint32_t)(next - now);
}

void r6_ntab_flush(struct r6_ntab *t)
{
	while (t->n)
		drop(t, &t->v[t->n - 1]);
}
