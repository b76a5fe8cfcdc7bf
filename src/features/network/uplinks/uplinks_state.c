/*
 * The verdict of a round and the hysteresis of the state: an uplink moves
 * to a worse state after down_after consecutive rounds worse than its
 * state, to a better one after up_after consecutive rounds better, so one
 * lost round does not take a link down and one answer does not bring it
 * back. The rounds on one side count together; the state they switch to is
 * the last round's verdict.
 */
#include "features/network/uplinks/uplinks.h"

static const char *const ul_names[] = {
	[UL_UP] = "up", [UL_DEGRADED] = "degraded", [UL_UNKNOWN] = "unknown", [UL_DOWN] = "down",
};

const char *ul_state_name(enum ul_state s)
{
	return ul_names[s];
}

enum ul_state ul_verdict(const struct ul_config *c, int sent, int answered, int rtt_ms)
{
	if (sent <= 0)
		return UL_UNKNOWN;
	if (answered <= 0)
		return UL_DOWN;
	if ((sent - answered) * 100 > c->loss_pct * sent || rtt_ms > c->latency_ms)
		return UL_DEGRADED;
	return UL_UP;
}

bool ul_track_round(struct ul_track *t, const struct ul_config *c, enum ul_state verdict)
{
	int side = verdict < t->state ? -1 : verdict > t->state ? 1 : 0;

	/* "unknown" is no verdict on the link: it changes nothing */
	if (verdict == UL_UNKNOWN || side == 0) {
		t->streak = 0;
		t->side = 0;
		return false;
	}
	if (side != t->side) {
		t->side = side;
		t->streak = 0;
	}
	if (++t->streak < (side < 0 ? c->up_after : c->down_after))
		return false;
	t->state = verdict;
	t->streak = 0;
	t->side = 0;
	return true;
}
