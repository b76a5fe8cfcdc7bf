/*
 * Network Settings › WWAN: the LTE modem as a second uplink. It works
 * without configuration (the network's default APN, no PIN); the APN, the
 * SIM's PIN, the PDP type and IPv6 prefix delegation are there for the
 * carriers and SIMs that need them. The modem is driven over its AT
 * control port by difosd itself (wwan_modem.c), or through ModemManager
 * when that runs and owns the modem (wwan_mm.c); the data path is the
 * modem's network device with the WAN's DHCP client on it (wwan_link.c).
 * WWAN never takes the main table's default route: it publishes its
 * uplink (status, EV_WWAN_UP) for the failover to use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/wwan/wwan.h"
#include "store/doc.h"

static const char *const wwan_pdp[] = { "ipv4v6", "ipv4", NULL };
static const char *const wwan_pdp_labels[] = { "IPv4 and IPv6", "IPv4 only" };
static const char *const wwan_backends[] = { "auto", "at", "modemmanager", NULL };
static const char *const wwan_backend_labels[] = {
	"ModemManager when it runs, else AT commands", "AT commands (built in)", "ModemManager",
};
static const char *const wwan_v4v6[] = { "ipv4v6", NULL };

/* TS 23.003 §9.1: labels of letters, digits and hyphens (and, seen in
 * the field, underscores) joined by dots; empty: the network's default */
#define WWAN_APN_PATTERN "([A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*)?"

static void wwan_check(const json_t *w, const char *path, const json_t *doc,
		       struct sc_error_list *errs);

static const struct sc_field wwan_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled",
	  .help = "Use the LTE modem when the router has one (nothing happens without it)." },
	{ .name = "data", .kind = SC_BOOL, .def = "true", .title = "Data",
	  .help = "Off: the modem registers (calls and SMS go on) but opens no data "
		  "connection, so a carrier that cannot carry a call and data at once never "
		  "drops a call, and no reconnection restarts the module." },
	{ .name = "apn", .kind = SC_STRING, .max = 100, .def = "\"\"", .title = "APN",
	  .pattern = WWAN_APN_PATTERN,
	  .pattern_says = "is not an APN: names of letters, digits, '-' or '_' joined by dots",
	  .help = "Only if your carrier asks for one; empty: the network's default." },
	{ .name = "pin", .kind = SC_STRING, .flags = SC_F_SECRET, .pattern = "[0-9]{4,8}",
	  .pattern_says = "is not a SIM PIN: 4 to 8 digits", .title = "SIM PIN",
	  .help = "Only if the SIM card has a PIN. A PIN the SIM refuses is not tried again "
		  "until you change it (the SIM locks after three wrong ones)." },
	{ .name = "pdp_type", .kind = SC_ENUM, .choices = wwan_pdp, .labels = wwan_pdp_labels,
	  .def = "\"ipv4v6\"", .title = "PDP type",
	  .help = "IPv4 only if your carrier is finicky about IPv6." },
	{ .name = "ipv6_pd", .kind = SC_BOOL, .def = "false", .title = "IPv6 prefix delegation",
	  .help = "Ask the carrier for an IPv6 prefix for the LAN (DHCPv6).",
	  .when = { "pdp_type", wwan_v4v6 } },
	{ .name = "control_port", .kind = SC_STRING, .max = 64, .def = "\"/dev/ttyUSB2\"",
	  .pattern = "/dev/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*",
	  .pattern_says = "is not a device path under /dev",
	  .title = "Control port",
	  .help = "The modem's AT command port (/dev/ttyUSB2 on most Quectel and Sierra "
		  "modules)." },
	{ .name = "device", .kind = SC_IFNAME, .def = "\"wwan0\"", .title = "Network device",
	 .help = "The network device the modem brings up for data." },
	{ .name = "backend", .kind = SC_ENUM, .choices = wwan_backends,
	  .labels = wwan_backend_labels, .def = "\"auto\"", .title = "Modem control" },
	{ .name = NULL }
};

static const struct sc_field wwan_section = {
	.name = "wwan", .kind = SC_OBJECT, .fields = wwan_fields, .check = wwan_check,
	.title = "WWAN", .help = "The LTE modem: a backup uplink.",
};

static const struct sc_field *const wwan_sections[] = { &wwan_section, NULL };

static void wwan_check(const json_t *w, const char *path, const json_t *doc,
		       struct sc_error_list *errs)
{
	const char *dev = doc_str(w, "device"), *port = doc_str(w, "control_port");
	const char *wan = doc_str(doc, "wan.interface");
	char p[128];
	json_t *ifn;
	size_t i;

	snprintf(p, sizeof(p), "%s.device", path);
	if (dev && wan && !strcmp(dev, wan))
		sc_error_add(errs, p, dev, "is also the WAN interface");
	json_array_foreach(doc_get(doc, "lan.interfaces"), i, ifn)
		if (dev && json_is_string(ifn) && !strcmp(json_string_value(ifn), dev))
			sc_error_add(errs, p, dev, "is also a LAN interface");
	/* the pattern takes "." and ".." as names: no way out of /dev */
	if (port && (strstr(port, "/../") || strstr(port, "/./") ||
		     (strlen(port) >= 3 && !strcmp(port + strlen(port) - 3, "/..")) ||
		     (strlen(port) >= 2 && !strcmp(port + strlen(port) - 2, "/.")))) {
		snprintf(p, sizeof(p), "%s.control_port", path);
		sc_error_add(errs, p, port, "is not a device path under /dev ('.' or '..' in it)");
	}
}

/* The wanted state, for review (goldens); the PIN only as set or not. */
static int wwan_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "# WWAN state rendered by difos\n");
	sbuf_printf(&b, "enabled %s\n", doc_bool(doc, "wwan.enabled", true) ? "yes" : "no");
	sbuf_printf(&b, "data %s\n", doc_bool(doc, "wwan.data", true) ? "yes" : "no");
	sbuf_printf(&b, "backend %s\n", doc_str(doc, "wwan.backend"));
	sbuf_printf(&b, "control-port %s\n", doc_str(doc, "wwan.control_port"));
	sbuf_printf(&b, "device %s\n", doc_str(doc, "wwan.device"));
	sbuf_printf(&b, "apn %s\n", *doc_str(doc, "wwan.apn") ? doc_str(doc, "wwan.apn") :
		    "(network default)");
	sbuf_printf(&b, "pdp-type %s\n", doc_str(doc, "wwan.pdp_type"));
	sbuf_printf(&b, "pin %s\n", doc_str(doc, "wwan.pin") ? "set" : "none");
	sbuf_printf(&b, "table %d\n", WWAN_TABLE);
	render_add(out, "wwan.state", 0640, sbuf_steal(&b));
	return 0;
}

static void wwan_cfg_of(const json_t *doc, struct wwan_cfg *c)
{
	c->enabled = doc_bool(doc, "wwan.enabled", true);
	c->data = doc_bool(doc, "wwan.data", true);
	c->port = (char *)doc_str(doc, "wwan.control_port");
	c->device = (char *)doc_str(doc, "wwan.device");
	c->apn = (char *)doc_str(doc, "wwan.apn");
	c->pin = (char *)doc_str(doc, "wwan.pin");
	c->ipv6 = !strcmp(doc_str(doc, "wwan.pdp_type"), "ipv4v6");
	c->pd = c->ipv6 && doc_bool(doc, "wwan.ipv6_pd", false);
}

struct wwan_apply_args {
	const struct feature_env *env;
	struct wwan_cfg cfg;
};

static void wwan_configure_here(void *arg)
{
	struct wwan_apply_args *a = arg;

	wwan_modem_configure(a->env, &a->cfg);
}

/* ModemManager's answer for status, when it is the backend */
static json_t *wwan_mm_state;

static void wwan_mm_forget(void)
{
	json_decref(wwan_mm_state);
	wwan_mm_state = NULL;
}

static int wwan_apply(struct feature_ctx *ctx)
{
	struct wwan_apply_args a = { .env = ctx->env };
	const char *backend = doc_str(ctx->doc, "wwan.backend");
	int modem = -1;

	wwan_cfg_of(ctx->doc, &a.cfg);
	wwan_mm_forget();
	/* ModemManager, when it runs and lists a modem: asked here, on the
	 * apply's path, never for a status read */
	if (a.cfg.enabled && strcmp(backend, "at")) {
		char *out = NULL;
		if (sys_run_argv(ctx->env->sys, (char *const[]){ "mmcli", "-L", NULL }, &out) == 0)
			modem = wwan_mm_first_modem(out);
		free(out);
		if (!sys_is_dry(ctx->env->sys) && modem < 0 && !strcmp(backend, "modemmanager")) {
			ctx->err = xstrdup("wwan.backend is modemmanager, but ModemManager lists "
					   "no modem (mmcli -L)");
			return -1;
		}
	}
	if (modem >= 0 || (!strcmp(backend, "modemmanager") && sys_is_dry(ctx->env->sys))) {
		char *err = NULL;
		json_t *st = NULL;
		/* the built-in control lets go of the port first */
		struct wwan_apply_args off = a;
		off.cfg.enabled = false;
		core_on_loop(wwan_configure_here, &off);
		if (wwan_mm_connect(ctx->env, modem < 0 ? 0 : modem, &a.cfg, &st, &err) < 0) {
			wwan_mm_state = json_pack("{s:s, s:s, s:s?}", "backend", "modemmanager",
						  "connection", "failed", "error", err);
			log_warn("wwan: %s", err);
			json_decref(st);
		} else {
			wwan_mm_state = st;
		}
		free(err);
		return 0;
	}
	core_on_loop(wwan_configure_here, &a);
	return 0;
}

static json_t *wwan_status(struct feature_ctx *ctx)
{
	json_t *o = wwan_mm_state ? json_deep_copy(wwan_mm_state) : wwan_modem_status();
	json_t *up = wwan_link_uplink();
	const char *apn = doc_str(ctx->doc, "wwan.apn");

	json_object_set_new(o, "enabled", json_boolean(doc_bool(ctx->doc, "wwan.enabled", true)));
	json_object_set_new(o, "data", json_boolean(doc_bool(ctx->doc, "wwan.data", true)));
	json_object_set_new(o, "device", json_string(doc_str(ctx->doc, "wwan.device")));
	json_object_set_new(o, "apn", json_string(apn && *apn ? apn : "(network default)"));
	json_object_set_new(o, "pdp_type", json_string(doc_str(ctx->doc, "wwan.pdp_type")));
	json_object_set_new(o, "uplink", up ? up : json_null());
	return o;
}

/* DHCPv6's answers to the prefix delegation client: from a server's
 * port to the client's, on the WWAN device only (a multicast request has
 * no connection its answer could belong to) */
static void wwan_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	const json_t *doc = ctx->doc;

	if (!doc_bool(doc, "wwan.enabled", true) || strcmp(doc_str(doc, "wwan.pdp_type"), "ipv4v6") ||
	    !doc_bool(doc, "wwan.ipv6_pd", false))
		return;
	sbuf_printf(&out->slot[NFT_INPUT_WAN],
		    "\t\tiifname \"%s\" udp sport 547 udp dport 546 accept comment "
		    "\"WWAN: DHCPv6 prefix delegation\"\n", doc_str(doc, "wwan.device"));
}

static void wwan_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	wwan_modem_stop();
	wwan_mm_forget();
}

static void wwan_devices(struct feature_ctx *ctx, json_t *out)
{
	const char *dev = doc_str(ctx->doc, "wwan.device");

	if (dev && doc_bool(ctx->doc, "wwan.enabled", true))
		json_object_set_new(out, dev, json_pack("{s:s, s:s}", "role", "wwan", "title", "WWAN"));
}

const struct feature feature_wwan = {
	.name = "wwan",
	.title = "WWAN",
	.sections = wwan_sections,
	.render = wwan_render,
	.apply = wwan_apply,
	.status = wwan_status,
	.stop = wwan_stop,
	.engines = (const struct feature_engine[]){ { WWAN_DHCP_ENGINE, "client" },
						    { WWAN_PD_ENGINE, "pd_client" }, { NULL } },
	.nft = wwan_nft,
	.devices = wwan_devices,
	.methods = wwan_methods,
	.reads = (const char *const[]){ "wwan", NULL },
};
