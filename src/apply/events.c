/* Events: what one feature learned at run time, told to those that follow it. */
#include "apply/feature.h"

void feature_emit(const struct feature_env *env, enum feature_event_kind kind, const json_t *data)
{
	struct feature_event ev = { .kind = kind, .data = data };

	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->event)
			feature_table[i]->event(env, &ev);
}
