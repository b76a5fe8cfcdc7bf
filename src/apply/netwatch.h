/*
 * The kernel's link and address changes as feature events: EV_LINK and
 * EV_ADDRESS come from what the kernel says (net/nl_watch.h), whoever made
 * the change — an applier, a DHCP client, SLAAC, a cable pulled — so a
 * follower never polls for them and never misses one difos did not make.
 */
#ifndef DIFOS_APPLY_NETWATCH_H
#define DIFOS_APPLY_NETWATCH_H

#include "apply/feature.h"

/* On the loop, before the loop runs; nothing with the dry backend (whose
 * kernel is not the one changed). */
void netwatch_start(const struct feature_env *env);
void netwatch_stop(void);

#endif
