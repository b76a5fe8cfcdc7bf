/*
 * WAN by PPPoE (RFC 2516) through Debian's pppd and its rp-pppoe plugin.
 *
 * The renderer writes two files: pppoe.options, pppd's options, and
 * pppoe.secrets (0600), the account's name and password as pppd's "+ua"
 * file reads them (name on the first line, password on the second), so
 * the password is in neither the options nor an argv. pppd runs under
 * the supervisor as `pppd file <options>`, in the foreground, keeps
 * dialling (persist, maxfail 0, holdoff) and names the session's device
 * ppp-wan. It sets no default route and no DNS itself: its ip-up and
 * ip-down scripts are difos's hooks, which tell difosd, and difosd sets
 * the route and the upstream DNS through netlink as it does for a DHCP
 * lease. +ipv6 negotiates IPv6CP so a DHCPv6 client can run on ppp-wan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/util.h"
#include "features/network/wan/wan.h"
#include "features/network/wan/wan_pppoe.h"
#include "store/doc.h"

const char *const wan_pppoe_on[] = { "pppoe", NULL };

/* The text settings pppd reads: the name between double quotes in the
 * options (where '"' and '\' would end or escape it), the password as one
 * line of the +ua file; no control character in either. */
static const char *wan_pppoe_bad_char(const char *s, bool quoted)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n' || *p == '\r')
			return "holds a line break";
		if (*p < 0x20 || *p == 0x7f)
			return "holds a control character";
		if (quoted && *p == '"')
			return "holds a double quote, which pppd's options cannot carry";
		if (quoted && *p == '\\')
			return "holds a backslash, which pppd's options cannot carry";
	}
	return NULL;
}

void wan_pppoe_check(const json_t *wan, const char *path, struct sc_error_list *errs)
{
	static const struct {
		const char *name;
		bool required, quoted;
	} texts[] = {
		{ "username", true, true },
		{ "password", true, false },
		{ "service", false, true },
		{ "ac_name", false, true },
	};
	const json_t *v4 = doc_get(wan, "ipv4");
	char p[128];

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		const char *v = doc_str(v4, texts[i].name), *why;

		snprintf(p, sizeof(p), "%s.ipv4.%s", path, texts[i].name);
		if (!v || !*v) {
			if (texts[i].required)
				sc_error_add(errs, p, v ? "\"\"" : NULL,
					     "is required when %s.ipv4.proto is pppoe", path);
			continue;
		}
		if ((why = wan_pppoe_bad_char(v, texts[i].quoted)))
			/* the password is a secret: its value is not repeated */
			sc_error_addj(errs, p, i == 1 ? NULL : json_object_get(v4, texts[i].name),
				      "%s", why);
	}
}

void wan_pppoe_render(struct feature_ctx *ctx, struct render_out *out, struct sbuf *state)
{
	const json_t *doc = ctx->doc;
	const char *dev = doc_str(doc, "wan.interface");
	const char *service = doc_str(doc, "wan.ipv4.service");
	const char *ac = doc_str(doc, "wan.ipv4.ac_name");
	long long mtu = doc_int(doc, "wan.ipv4.mtu", WAN_PPPOE_MTU_DEF);
	long long echo = doc_int(doc, "wan.ipv4.lcp_echo_interval", WAN_PPPOE_ECHO_DEF);
	const char *libexec = ctx->env->paths.libexec;
	struct sbuf b, s;

	sbuf_init(&b);
	sbuf_add(&b, "# pppd options of the WAN's PPPoE session, rendered by difos\n");
	sbuf_add(&b, "plugin rp-pppoe.so\n");
	sbuf_printf(&b, "nic-%s\n", dev);
	if (service && *service)
		sbuf_printf(&b, "rp_pppoe_service \"%s\"\n", service);
	if (ac && *ac)
		sbuf_printf(&b, "rp_pppoe_ac \"%s\"\n", ac);
	sbuf_printf(&b, "user \"%s\"\n", doc_str(doc, "wan.ipv4.username"));
	/* the password, with the name again, in a file of its own (0600) */
	sbuf_printf(&b, "+ua %s/wan/pppoe.secrets\n", ctx->env->paths.active);
	/* the ISP does not prove itself to us */
	sbuf_add(&b, "noauth\n");
	sbuf_add(&b, "hide-password\n");
	/* above 1492 the plugin asks the AC with PPP-Max-Payload (RFC 4638)
	 * and caps both at the port's MTU less 8 */
	sbuf_printf(&b, "mtu %lld\nmru %lld\n", mtu, mtu);
	/* no Van Jacobson or compression: what ISPs' ACs expect */
	sbuf_add(&b, "novj\nnoccp\nnobsdcomp\nnodeflate\n");
	sbuf_add(&b, "noipdefault\n");
	/* difosd sets the route and the DNS when ip-up tells it (usepeerdns
	 * only hands the servers to the script as DNS1 and DNS2) */
	sbuf_add(&b, "nodefaultroute\nusepeerdns\n");
	sbuf_add(&b, "+ipv6\n");
	if (echo > 0)
		sbuf_printf(&b, "lcp-echo-interval %lld\nlcp-echo-failure %lld\n", echo,
			    doc_int(doc, "wan.ipv4.lcp_echo_failure", WAN_PPPOE_ECHO_FAIL_DEF));
	else
		sbuf_add(&b, "lcp-echo-interval 0\n");
	sbuf_printf(&b, "persist\nmaxfail 0\nholdoff %lld\n",
		    doc_int(doc, "wan.ipv4.holdoff", WAN_PPPOE_HOLDOFF_DEF));
	sbuf_add(&b, "ifname " WAN_PPP_DEV "\nlinkname difos-wan\nnodetach\n");
	sbuf_printf(&b, "ip-up-script %s/difos-ppp-up\n", libexec);
	sbuf_printf(&b, "ip-down-script %s/difos-ppp-down\n", libexec);
	/* pppd gives its scripts an environment of its own: where difosd is */
	sbuf_printf(&b, "set DIFOS_SOCKET=%s\n", ctx->env->paths.socket);
	render_add(out, "pppoe.options", 0644, sbuf_steal(&b));

	sbuf_init(&s);
	sbuf_printf(&s, "%s\n%s\n", doc_str(doc, "wan.ipv4.username"),
		    doc_str(doc, "wan.ipv4.password") ? doc_str(doc, "wan.ipv4.password") : "");
	render_add(out, "pppoe.secrets", 0600, sbuf_steal(&s));

	sbuf_printf(state, "pppoe-device %s\n", WAN_PPP_DEV);
	sbuf_printf(state, "pppoe-options %s/wan/pppoe.options\n", ctx->env->paths.active);
}

/* The port's MTU a session needs: RFC 4638's MTU + 8 above 1492, else
 * Ethernet's own. */
static unsigned wan_pppoe_port_mtu(const json_t *doc)
{
	long long mtu = doc_int(doc, "wan.ipv4.mtu", WAN_PPPOE_MTU_DEF);

	return mtu > WAN_PPPOE_MTU_DEF ? (unsigned)mtu + 8 : 1500;
}

void wan_pppoe_restore_mtu(struct feature_ctx *ctx, const char *dev)
{
	const json_t *old = ctx->old_doc;

	/* the session had raised the port's MTU: Ethernet's again */
	if (!old || strcmp(doc_str(old, "wan.ipv4.proto"), "pppoe") ||
	    wan_pppoe_port_mtu(old) == 1500)
		return;
	sys_net(ctx->env->sys, NULL, &(struct nl_op){ .kind = NL_LINK_MTU, .dev = dev,
						      .mtu = 1500 });
}

int wan_pppoe_apply(struct feature_ctx *ctx, const char *dev)
{
	char *opts = xasprintf("%s/wan/pppoe.options", ctx->env->paths.active);
	char *const argv[] = { "pppd", "file", opts, NULL };
	unsigned port_mtu = wan_pppoe_port_mtu(ctx->doc);
	int rc;

	/* baby jumbo frames (RFC 4638): the port carries the session's MTU + 8,
	 * and pppd asks the AC for it (PPP-Max-Payload) */
	if ((port_mtu != 1500 || (ctx->old_doc && wan_pppoe_port_mtu(ctx->old_doc) != 1500)) &&
	    sys_net(ctx->env->sys, &ctx->err, &(struct nl_op){ .kind = NL_LINK_MTU, .dev = dev,
							       .mtu = port_mtu })) {
		free(opts);
		return -1;
	}
	/* a DHCP or static address on the port has no place beside the session */
	if (ctx->old_doc && strcmp(doc_str(ctx->old_doc, "wan.ipv4.proto"), "pppoe"))
		sys_net(ctx->env->sys, NULL, &(struct nl_op){ .kind = NL_ADDR_FLUSH, .family = 4,
							      .dev = dev });
	/* the files changed under the same argv: a new session with them */
	if (sv_running(WAN_PPP_ENGINE) && (apply_file_changed(ctx, "pppoe.options") ||
					   apply_file_changed(ctx, "pppoe.secrets")))
		sv_stop(WAN_PPP_ENGINE);
	rc = sv_ensure(WAN_PPP_ENGINE, argv, NULL);
	if (rc < 0)
		ctx->err = xstrdup("cannot start pppd");
	free(opts);
	return rc;
}

void wan_pppoe_stop(const struct feature_env *env)
{
	sv_stop(WAN_PPP_ENGINE);
	wan_ppp_forget(env);
}

/* what pppd's last words mean, for the status */
static const struct {
	const char *says, *means;
} wan_pppoe_causes[] = {
	{ "/dev/ppp", "no PPP support in this kernel" },
	{ "does not support PPPoE", "no PPP support in this kernel" },
	{ "Timeout waiting for PADO", "no access concentrator answered (PADI unanswered)" },
	{ "Timeout waiting for PADS", "the access concentrator did not confirm the session" },
	{ "authentication failed", "the ISP refused the username or password" },
	{ "not Ethernet", "the WAN interface is not an Ethernet port" },
	/* the plugin takes nic-<dev> only for a device that exists */
	{ "unrecognized option 'nic-", "the WAN interface does not exist" },
};

static const char *wan_pppoe_cause(const json_t *log)
{
	size_t n = json_array_size(log);

	/* the latest line that says something known */
	while (n--) {
		const char *l = json_string_value(json_array_get(log, n));
		for (size_t i = 0; l && i < ARRAY_SIZE(wan_pppoe_causes); i++)
			if (strstr(l, wan_pppoe_causes[i].says))
				return wan_pppoe_causes[i].means;
	}
	return NULL;
}

json_t *wan_pppoe_status(struct feature_ctx *ctx)
{
	json_t *sv = sv_status(WAN_PPP_ENGINE), *session = wan_ppp_session();
	const char *cause = wan_pppoe_cause(json_object_get(sv, "log"));
	json_t *o = json_pack("{s:s, s:s?, s:s?, s:s?}", "interface", WAN_PPP_DEV, "device",
			      doc_str(ctx->doc, "wan.interface"), "service",
			      doc_str(ctx->doc, "wan.ipv4.service"), "ac_name",
			      doc_str(ctx->doc, "wan.ipv4.ac_name"));

	if (session) {
		json_object_update(o, session);
		json_object_set_new(o, "state", json_string("up"));
	} else {
		/* pppd dials or waits to be started again: the session is sought */
		json_object_set_new(o, "state", json_string(sv ? "connecting" : "down"));
	}
	if (cause && !session)
		json_object_set_new(o, "error", json_string(cause));
	json_object_set(o, "restarts", json_object_get(sv, "restarts"));
	json_decref(session);
	json_decref(sv);
	return o;
}
