/*
 * Events: what one feature learned at run time, told to those that follow
 * it. Handlers always run on the loop thread (they may arm timers or talk
 * to difosd-web): one raised by an apply's worker is handed over.
 */
#include "apply/feature.h"
#include "core/lock.h"

struct feature_emit_call {
	const struct feature_env *env;
	struct feature_event ev;
};

static void feature_emit_here(void *arg)
{
	struct feature_emit_call *c = arg;

	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->event)
			feature_table[i]->event(c->env, &c->ev);
}

void feature_emit(const struct feature_env *env, enum feature_event_kind kind, const json_t *data)
{
	struct feature_emit_call c = { .env = env, .ev = { .kind = kind, .data = data } };

	core_state_changed();
	core_on_loop(feature_emit_here, &c);
}
