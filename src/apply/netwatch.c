/* The netlink watch's changes said as EV_LINK and EV_ADDRESS. */
#include <string.h>

#include "apply/netwatch.h"
#include "apply/system.h"
#include "net/nl.h"
#include "net/nl_watch.h"

static void netwatch_changed(void *arg, const struct nl_change *ch)
{
	const struct feature_env *env = arg;
	const json_t *it = ch->item;
	json_t *data;

	if (ch->kind == NL_CHANGE_LINK) {
		/* only what a follower acts on: a link's coming, going, UP or carrier */
		if (!ch->up_changed)
			return;
		data = json_pack("{s:O?, s:O?, s:b, s:b, s:O?, s:b}", "interface",
				 json_object_get(it, "ifname"), "index", json_object_get(it, "ifindex"),
				 "up", !ch->removed && nl_link_has_flag(it, "UP"), "carrier",
				 !ch->removed && nl_link_has_flag(it, "LOWER_UP"), "operstate",
				 json_object_get(it, "operstate"), "removed", ch->removed);
		feature_emit(env, EV_LINK, data);
	} else {
		const char *fam = json_string_value(json_object_get(it, "family"));
		data = json_pack("{s:O?, s:i, s:O?, s:O?, s:O?, s:b}", "interface",
				 json_object_get(it, "ifname"), "family",
				 fam && !strcmp(fam, "inet6") ? 6 : 4, "address",
				 json_object_get(it, "local"), "prefix", json_object_get(it, "prefixlen"),
				 "scope", json_object_get(it, "scope"), "removed", ch->removed);
		feature_emit(env, EV_ADDRESS, data);
	}
	json_decref(data);
}

void netwatch_start(const struct feature_env *env)
{
	if (!env->loop || sys_is_dry(env->sys))
		return;
	nl_watch_start(env->loop, netwatch_changed, (void *)env);
}

void netwatch_stop(void)
{
	nl_watch_stop();
}
