/*
 * Failures per (service, address) within the find time, fail2ban's
 * counting: an address is banned at its max-th failure inside the window.
 * Each entry keeps the times of its last max failures in a ring, so the
 * window slides exactly. The table is open addressing with linear probing
 * and backward-shift deletion, capped: an attacker spraying from more
 * addresses than the cap makes room by the entries that aged out, and
 * what still finds none is counted as untracked rather than growing the
 * table without end.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/services/ips/ips_int.h"

struct ips_entry {
	struct ips_key key;
	bool used;
	int n;               /* failures in the ring */
	int head;            /* next slot */
	int cap;             /* the ring's size (max retries when it was made) */
	long long *times;
};

struct ips_counter {
	struct ips_entry *v;
	size_t slots, n, cap;
	unsigned long long untracked;
};

struct ips_counter *ips_counter_new(size_t cap)
{
	struct ips_counter *c = xcalloc(1, sizeof(*c));

	c->cap = cap;
	c->slots = 16;
	while (c->slots < cap * 2)
		c->slots *= 2;
	c->v = xcalloc(c->slots, sizeof(*c->v));
	return c;
}

void ips_counter_clear(struct ips_counter *c)
{
	for (size_t i = 0; i < c->slots; i++)
		free(c->v[i].times);
	memset(c->v, 0, c->slots * sizeof(*c->v));
	c->n = 0;
}

void ips_counter_free(struct ips_counter *c)
{
	if (!c)
		return;
	ips_counter_clear(c);
	free(c->v);
	free(c);
}

size_t ips_counter_size(const struct ips_counter *c)
{
	return c->n;
}

unsigned long long ips_counter_untracked(const struct ips_counter *c)
{
	return c->untracked;
}

void ips_key_of(const struct net_prefix *addr, int prefix6, int service, struct ips_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)addr->family;
	k->service = (uint8_t)service;
	memcpy(k->addr, addr->addr, addr->family == 4 ? 4 : 16);
	if (addr->family == 6 && prefix6 < 128) {
		for (int bit = prefix6; bit < 128; bit++)
			k->addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
	}
}

static size_t ips_hash(const struct ips_key *k)
{
	/* FNV-1a: the key is the attacker's choice, but a collision only
	 * lengthens a probe within the capped table */
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (size_t)h;
}

static size_t ips_find(const struct ips_counter *c, const struct ips_key *k, bool *found)
{
	size_t mask = c->slots - 1, i = ips_hash(k) & mask;

	while (c->v[i].used) {
		if (!memcmp(&c->v[i].key, k, sizeof(*k))) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
	*found = false;
	return i;
}

static void ips_remove_at(struct ips_counter *c, size_t i)
{
	size_t mask = c->slots - 1, j = i;

	free(c->v[i].times);
	c->v[i].used = false;
	c->v[i].times = NULL;
	c->n--;
	/* backward shift: move up every entry of the run that may sit in i */
	for (;;) {
		j = (j + 1) & mask;
		if (!c->v[j].used)
			return;
		size_t home = ips_hash(&c->v[j].key) & mask;
		/* j's entry may move to i when its home is not in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			c->v[i] = c->v[j];
			c->v[j].used = false;
			c->v[j].times = NULL;
			i = j;
		}
	}
}

static long long ips_newest(const struct ips_entry *e)
{
	return e->n ? e->times[(e->head + e->cap - 1) % e->cap] : 0;
}

/* Forgets the entries whose last failure left the window. */
static void ips_sweep(struct ips_counter *c, long long now, long long window)
{
	for (size_t i = 0; i < c->slots;) {
		if (c->v[i].used && ips_newest(&c->v[i]) <= now - window)
			ips_remove_at(c, i);   /* i again: an entry may have moved into it */
		else
			i++;
	}
}

bool ips_counter_fail(struct ips_counter *c, const struct ips_key *k, long long now, int max,
		      long long window)
{
	bool found;
	size_t i = ips_find(c, k, &found);
	struct ips_entry *e;
	int in_window = 0;

	if (max <= 1) {
		if (found)
			ips_remove_at(c, i);
		return true;
	}
	if (!found) {
		if (c->n >= c->cap) {
			ips_sweep(c, now, window);
			if (c->n >= c->cap) {
				c->untracked++;
				return false;
			}
			i = ips_find(c, k, &found);
		}
		e = &c->v[i];
		memset(e, 0, sizeof(*e));
		e->used = true;
		e->key = *k;
		c->n++;
	}
	e = &c->v[i];
	if (e->cap != max) {
		/* the setting changed: start this address over with the new size */
		free(e->times);
		e->times = xcalloc((size_t)max, sizeof(*e->times));
		e->cap = max;
		e->n = e->head = 0;
	}
	e->times[e->head] = now;
	e->head = (e->head + 1) % e->cap;
	if (e->n < e->cap)
		e->n++;
	for (int j = 0; j < e->n; j++)
		if (e->times[j] > now - window)
			in_window++;
	if (in_window >= max) {
		ips_remove_at(c, i);
		return true;
	}
	return false;
}
