/*
 * Is the cake queue discipline there? A loaded module shows in
 * /sys/module; a built-in one does not (it has no parameters), and a
 * module may still be loadable. So when /sys/module says nothing, cake is
 * tried on a throwaway ifb device of difos' own: creating the qdisc makes
 * the kernel load the module if it has one, and no real interface is
 * touched. It is asked when difosd starts and afresh by every apply that
 * installs cake; status reads take the last answer and never run anything.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/system.h"
#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"

#define SQM_PROBE_DEV     "ifb-cakeprobe"

static const char sqm_no_ifb[] =
	"SQM needs ifb devices (ifb) for the download direction, which this kernel does not "
	"provide";

static const char *sqm_probe(struct sys *sys)
{
	const char *why = NULL;
	const struct nl_op add = { .kind = NL_LINK_ADD, .dev = SQM_PROBE_DEV, .link_kind = "ifb" };
	const struct nl_op del = { .kind = NL_LINK_DEL, .dev = SQM_PROBE_DEV };

	if (access("/sys/module/sch_cake", F_OK) == 0)
		return NULL;
	if (sys_net(sys, NULL, &add)) {
		/* perhaps left over from a probe cut short */
		sys_net(sys, NULL, &del);
		if (sys_net(sys, NULL, &add))
			return sqm_no_ifb;
	}
	if (sys_runv(sys, NULL, "tc", "qdisc", "add", "dev", SQM_PROBE_DEV, "root", "cake", NULL))
		why = SQM_CAKE_MISSING;
	sys_net(sys, NULL, &del);
	return why;
}

const char *sqm_cake_missing(struct sys *sys, bool fresh)
{
	static const char *why;
	static bool asked;

	if (fresh || !asked) {
		why = sqm_probe(sys);
		asked = true;
	}
	return why;
}
