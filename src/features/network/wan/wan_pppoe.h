/*
 * WAN by PPPoE: the settings wan.ipv4 gains when its proto is "pppoe", the
 * options and the secrets pppd (with the rp-pppoe plugin) is started with,
 * its supervision, and the link's up and down as pppd's ip-up and ip-down
 * hooks report them (difos-ppp-up, difos-ppp-down).
 */
#ifndef DIFOS_WAN_PPPOE_H
#define DIFOS_WAN_PPPOE_H

#include <jansson.h>

#include "apply/feature.h"
#include "rpc/rpc.h"
#include "schema/schema.h"

/* the PPP device pppd creates for the session (its "ifname") */
#define WAN_PPP_DEV "ppp-wan"
/* the supervisor's name of pppd */
#define WAN_PPP_ENGINE "pppd"

/* RFC 2516 leaves 1492 bytes of a 1500-byte Ethernet frame; RFC 4638 lets
 * the session carry up to 1500 when the line passes 1508-byte frames */
#define WAN_PPPOE_MTU_DEF 1492
#define WAN_PPPOE_MTU_MIN 1280   /* IPv6 runs over the link (RFC 8200's minimum) */
#define WAN_PPPOE_MTU_MAX 1500
/* keep-alive and redial when not set (OpenWrt's and pppd's usual values) */
#define WAN_PPPOE_ECHO_DEF 10
#define WAN_PPPOE_ECHO_FAIL_DEF 5
#define WAN_PPPOE_HOLDOFF_DEF 5

extern const char *const wan_pppoe_on[];

/* wan.ipv4's members of PPPoE, in form order (inside wan.c's table) */
#define WAN_PPPOE_FIELDS \
	{ .name = "username", .kind = SC_STRING, .max = 128, .title = "Username", \
	  .help = "The PPPoE account's name the ISP gave.", .when = { "proto", wan_pppoe_on } }, \
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_SECRET, .max = 128, \
	  .title = "Password", .help = "The account's password (PAP or CHAP; never shown again).", \
	  .when = { "proto", wan_pppoe_on } }, \
	{ .name = "service", .kind = SC_STRING, .max = 64, .title = "Service name", \
	  .help = "Only an access concentrator offering this service (empty: any).", \
	  .when = { "proto", wan_pppoe_on } }, \
	{ .name = "ac_name", .kind = SC_STRING, .max = 64, .title = "Access concentrator", \
	  .help = "Only the access concentrator of this name (empty: the first to answer).", \
	  .when = { "proto", wan_pppoe_on } }, \
	{ .name = "mtu", .kind = SC_INT, .min = WAN_PPPOE_MTU_MIN, .max = WAN_PPPOE_MTU_MAX, \
	  .title = "MTU", \
	  .help = "1492 on a 1500-byte line; up to 1500 (RFC 4638) when the line carries " \
		  "1508-byte frames (default 1492).", .when = { "proto", wan_pppoe_on } }, \
	{ .name = "lcp_echo_interval", .kind = SC_INT, .min = 0, .max = 300, \
	  .title = "Keep-alive interval (s)", \
	  .help = "Seconds between LCP echo requests (0: none; default 10).", \
	  .when = { "proto", wan_pppoe_on } }, \
	{ .name = "lcp_echo_failure", .kind = SC_INT, .min = 1, .max = 100, \
	  .title = "Keep-alive failures", \
	  .help = "Unanswered echo requests after which the link is taken as down (default 5).", \
	  .when = { "proto", wan_pppoe_on } }, \
	{ .name = "holdoff", .kind = SC_INT, .min = 1, .max = 600, \
	  .title = "Redial wait (s)", \
	  .help = "Seconds pppd waits before it dials again after the link ended (default 5).", \
	  .when = { "proto", wan_pppoe_on } }

/* wan_pppoe.c */
/* the rules of wan.ipv4 when its proto is pppoe (called by wan's check) */
void wan_pppoe_check(const json_t *wan, const char *path, struct sc_error_list *errs);
/* pppoe.options and pppoe.secrets; the state lines go to b */
void wan_pppoe_render(struct feature_ctx *ctx, struct render_out *out, struct sbuf *b);
/* starts (or keeps) pppd on dev with the files in force */
int wan_pppoe_apply(struct feature_ctx *ctx, const char *dev);
/* another proto after a session that raised the port's MTU: 1500 again */
void wan_pppoe_restore_mtu(struct feature_ctx *ctx, const char *dev);
/* stops pppd (another proto) and forgets the session */
void wan_pppoe_stop(const struct feature_env *env);
/* {state, interface, device, ip, remote, dns, since, error?} into the WAN's status */
json_t *wan_pppoe_status(struct feature_ctx *ctx);

/* wan_ppp_event.c: the session reported by the hooks */
json_t *wan_ppp_session(void);
void wan_ppp_forget(const struct feature_env *env);
json_t *wan_ppp_event(struct rpc_call *c);
extern const struct sc_field wan_ppp_params[];
/* its line of the WAN's method table */
#define WAN_PPP_METHOD \
	{ "wan.ppp_event", wan_ppp_event, "the WAN's PPPoE session came up or went down " \
	  "(difos-ppp-up, difos-ppp-down)", "Internal", wan_ppp_params, "{ok: true}", RPC_HOOK }

#endif
