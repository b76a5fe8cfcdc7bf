/*
 * What difos installs with tc, and how it takes it away again without
 * touching anyone else's: a root qdisc is difos' when its handle is
 * QOS_HANDLE, an ingress qdisc when its filter redirects to difos' ifb
 * device, and an ifb device when it has difos' name and is of kind ifb.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/system.h"
#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"
#include "store/doc.h"

#define QOS_TC_TIMEOUT_MS 30000

/* "qdisc htb d1f: root refcnt 2 ..." */
static bool qos_root_is_ours(const char *show)
{
	const char *line = show;

	while (line && *line) {
		char kind[32], handle[32], where[32];
		if (sscanf(line, "qdisc %31s %31s %31s", kind, handle, where) == 3 &&
		    !strcmp(handle, QOS_HANDLE ":") && !strcmp(where, "root"))
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

static bool qos_ingress_is_ours(struct sys *sys, const char *dev, const char *ifb)
{
	char *out = NULL, *needle = xasprintf("to device %s)", ifb);
	bool ours = sys->run(sys, (char *const[]){ "tc", "filter", "show", "dev", (char *)dev,
				   "parent", "ffff:", NULL }, NULL, QOS_TC_TIMEOUT_MS, &out) == 0 &&
		    out && strstr(out, needle);

	free(out);
	free(needle);
	return ours;
}

static bool qos_is_ifb(struct sys *sys, const char *name)
{
	json_t *links = sys_net_list(sys, &(struct nl_op){ .kind = NL_LINK_LIST }, NULL), *l;
	bool ifb = false;
	size_t i;

	json_array_foreach(links, i, l) {
		json_t *info = json_object_get(l, "linkinfo");
		const char *kind = json_string_value(json_object_get(info, "info_kind"));
		if (!strcmp(doc_str(l, "ifname") ? doc_str(l, "ifname") : "", name))
			ifb = kind && !strcmp(kind, "ifb");
	}
	json_decref(links);
	return ifb;
}

/* The qdisc list of dev, or NULL: a device that is gone took its qdiscs with it. */
static char *qos_qdiscs(struct sys *sys, const char *dev)
{
	char *out = NULL;

	if (sys->run(sys, (char *const[]){ "tc", "qdisc", "show", "dev", (char *)dev, NULL },
		     NULL, QOS_TC_TIMEOUT_MS, &out) == 0 && out)
		return out;
	free(out);
	return NULL;
}

void qos_links(struct sys *sys, json_t *roots, json_t *ports)
{
	json_t *links = sys_net_list(sys, &(struct nl_op){ .kind = NL_LINK_LIST }, NULL), *l;
	size_t i;

	json_array_foreach(links, i, l) {
		const char *name = json_string_value(json_object_get(l, "ifname"));
		if (name && strcmp(name, "lo")) {
			json_object_set_new(roots, name, json_true());
			json_object_set_new(ports, name, json_true());
		}
	}
	json_decref(links);
}

int qos_tc_clear(struct sys *sys, const json_t *roots, const json_t *ports, const char *ifb,
		 char **err)
{
	size_t i;
	json_t *v;
	int rc = 0;

	json_array_foreach(roots, i, v) {
		const char *dev = json_string_value(v);
		char *show = qos_qdiscs(sys, dev);
		if (show && qos_root_is_ours(show) &&
		    sys_runv(sys, err, "tc", "qdisc", "del", "dev", dev, "root", NULL))
			rc = -1;
		free(show);
	}
	json_array_foreach(ports, i, v) {
		const char *dev = json_string_value(v);
		char *show = qos_qdiscs(sys, dev);
		if (show && strstr(show, "qdisc ingress ffff:") && qos_ingress_is_ours(sys, dev, ifb) &&
		    sys_runv(sys, err, "tc", "qdisc", "del", "dev", dev, "ingress", NULL))
			rc = -1;
		free(show);
	}
	if (qos_is_ifb(sys, ifb) &&
	    sys_net(sys, err, &(struct nl_op){ .kind = NL_LINK_DEL, .dev = ifb }))
		rc = -1;
	return rc;
}

int qos_tc_load(struct sys *sys, const char *ifb, const char *batch, char **err)
{
	char *out = NULL;
	int rc;

	if (sys_net(sys, err, &(struct nl_op){ .kind = NL_LINK_ADD, .dev = ifb, .link_kind = "ifb" }) ||
	    sys_net(sys, err, &(struct nl_op){ .kind = NL_LINK_UP, .dev = ifb }))
		return -1;
	rc = sys->run(sys, (char *const[]){ "tc", "-batch", (char *)batch, NULL },
		      NULL, QOS_TC_TIMEOUT_MS, &out);
	if (rc != 0) {
		size_t l = out ? strlen(out) : 0;
		while (l > 0 && (out[l - 1] == '\n' || out[l - 1] == ' '))
			out[--l] = '\0';
		free(*err);
		*err = xasprintf("tc -batch %s: %s", batch, out && *out ? out : "failed");
	}
	free(out);
	return rc ? -1 : 0;
}
