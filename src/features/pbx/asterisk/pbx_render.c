/*
 * The Asterisk files. Asterisk reads them from <run>/pbx/etc, where the
 * applier installs them (readable by the engine's user), so the paths
 * written here are the ones the engine sees: with an engine root, the
 * launcher binds those directories at the same paths inside it.
 *
 * The PBX's pages add their objects and contexts through the asterisk
 * hook; the user's additions of the Extras tab come last in their file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/asterisk/pbx.h"
#include "net/ipv4.h"
#include "store/doc.h"

bool pbx_wanted(const json_t *doc)
{
	const json_t *exts = doc_get(doc, "extensions.list"), *e;
	size_t i;

	if (!doc_bool(doc, "pbx.enabled", true))
		return false;
	json_array_foreach(exts, i, e)
		if (doc_bool(e, "enabled", true))
			return true;
	return json_array_size(doc_get(doc, "trunks.list")) > 0;
}

static char *pbx_asterisk_conf(const struct feature_env *env)
{
	char *etc = pbx_dir(env, "etc"), *run = pbx_dir(env, "run"), *lib = pbx_dir(env, "lib");
	char *spool = pbx_dir(env, "spool"), *log = pbx_dir(env, "log");
	char *s = xasprintf(
		"; difos: the engine's directories (data and modules: the engine's own)\n"
		"[directories]\n"
		"astetcdir => %s\n"
		"astvarlibdir => %s\n"
		"astdbdir => %s\n"
		"astkeydir => %s\n"
		"astspooldir => %s\n"
		"astrundir => %s\n"
		"astlogdir => %s\n"
		"\n[options]\n"
		"verbose = 2\n"
		"nocolor = yes\n"
		"hideconnect = yes\n"
		"documentation_language = en_US\n",
		etc, lib, lib, lib, spool, run, log);

	free(etc);
	free(run);
	free(lib);
	free(spool);
	free(log);
	return s;
}

/* the modules loaded, and only those: a smaller engine, a clean log */
static const char *const pbx_modules[] = {
	"res_timing_timerfd", "res_sorcery_config", "res_sorcery_memory", "res_sorcery_astdb",
	"res_rtp_asterisk", "res_srtp", "res_geolocation", "res_statsd", "res_pjproject",
	"res_pjsip", "res_pjsip_session", "chan_pjsip", "res_pjsip_authenticator_digest",
	"res_pjsip_outbound_authenticator_digest", "res_pjsip_endpoint_identifier_user",
	"res_pjsip_endpoint_identifier_ip", "res_pjsip_registrar", "res_pjsip_outbound_registration",
	"res_pjsip_sdp_rtp", "res_pjsip_caller_id", "res_pjsip_dtmf_info", "res_pjsip_nat",
	"res_pjsip_rfc3326", "res_pjsip_messaging", "res_pjsip_pubsub", "res_pjsip_acl",
	"res_pjsip_logger", "res_security_log",
	"codec_ulaw", "codec_alaw", "codec_gsm", "codec_g722", "codec_opus_open_source",
	"res_format_attr_opus",
	"format_gsm", "format_wav", "format_wav_gsm", "format_pcm",
	"pbx_config", "app_dial", "app_playback", "app_read", "app_echo", "app_stack", "app_exec",
	"app_mixmonitor", "app_userevent", "app_verbose", "app_senddtmf",
	"func_callerid", "func_cdr", "func_strings", "func_logic", "func_channel",
	"bridge_simple", "bridge_native_rtp", "bridge_builtin_features", "bridge_softmix",
	"res_cdrel_custom", "cdr_sqlite3_custom", "cdr_manager",
};

static char *pbx_modules_conf(void)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "[modules]\nautoload = no\n");
	for (size_t i = 0; i < ARRAY_SIZE(pbx_modules); i++)
		sbuf_printf(&b, "load => %s.so\n", pbx_modules[i]);
	return sbuf_steal(&b);
}

/* NAT: peers inside these get the router's own addresses (Asterisk puts
 * the external ones in the SDP only when its own address is inside one) */
static void pbx_local_nets(struct sbuf *b, const json_t *doc)
{
	const json_t *nets = doc_get(doc, "pbx.local_subnets"), *n;
	unsigned lan_addr;
	int lan_prefix;
	size_t i;

	sbuf_add(b, "local_net = 127.0.0.0/8\n");
	if (net_lan_subnet(doc, &lan_addr, &lan_prefix)) {
		char text[20];
		net_cidr_text(lan_addr, lan_prefix, text);
		sbuf_printf(b, "local_net = %s\n", text);
	}
	json_array_foreach(nets, i, n)
		sbuf_printf(b, "local_net = %s\n", json_string_value(n));
	if (doc_str(doc, "pbx.external_media_address"))
		sbuf_printf(b, "external_media_address = %s\n",
			    doc_str(doc, "pbx.external_media_address"));
	if (doc_str(doc, "pbx.external_signaling_address"))
		sbuf_printf(b, "external_signaling_address = %s\n",
			    doc_str(doc, "pbx.external_signaling_address"));
}

static char *pbx_pjsip_conf(struct feature_ctx *ctx, const struct feature_asterisk *parts)
{
	static const struct { const char *name, *proto, *port; } transports[] = {
		{ "transport-udp", "udp", "pbx.udp_port" },
		{ "transport-tcp", "tcp", "pbx.tcp_port" },
		{ "transport-tls", "tls", "pbx.tls_port" },
	};
	const json_t *doc = ctx->doc;
	char *etc = pbx_dir(ctx->env, "etc");
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "[global]\ntype = global\nuser_agent = difos PBX\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(transports); i++) {
		sbuf_printf(&b, "[%s]\ntype = transport\nprotocol = %s\nbind = 0.0.0.0:%lld\n",
			    transports[i].name, transports[i].proto,
			    doc_int(doc, transports[i].port, 0));
		if (!strcmp(transports[i].proto, "tls"))
			sbuf_printf(&b, "cert_file = %s/tls.crt\npriv_key_file = %s/tls.key\n"
				    "method = tlsv1_2\n", etc, etc);
		pbx_local_nets(&b, doc);
		sbuf_add(&b, "\n");
	}
	sbuf_add(&b, parts->slot[AST_PJSIP].s ? parts->slot[AST_PJSIP].s : "");
	if (doc_str(doc, "pbx.pjsip_extra") && *doc_str(doc, "pbx.pjsip_extra"))
		sbuf_printf(&b, "; Settings › Extras\n%s\n", doc_str(doc, "pbx.pjsip_extra"));
	free(etc);
	return sbuf_steal(&b);
}

/*
 * The dialplan: every extension's call starts in difos-internal, which
 * holds the extensions and the outbound routes; calls from a trunk start
 * in its own context (the trunks' pages). difos-dial-extension dials one
 * extension, recording when the caller or the callee asks for it.
 */
static char *pbx_extensions_conf(struct feature_ctx *ctx, const struct feature_asterisk *parts)
{
	const json_t *doc = ctx->doc;
	char *recdir = pbx_recordings_dir(ctx->env, doc);
	struct sbuf b;

	sbuf_init(&b);
	sbuf_printf(&b,
		"[general]\nstatic = yes\nwriteprotect = yes\nclearglobalvars = yes\n"
		"; the order of patterns the route preview models (routing/pattern.h)\n"
		"extenpatternmatchnew = no\n\n"
		"[globals]\nDIFOS_RECDIR = %s\n\n"
		"[difos-internal]\ninclude => difos-extensions\ninclude => difos-outbound\n\n"
		"[difos-extensions]\n\n[difos-outbound]\n\n[difos-inbound]\n\n"
		"[difos-dial-extension]\n"
		"exten => s,1,GotoIf($[\"${ARG2}${DIFOS_RECORD}\" = \"0\"]?dial)\n"
		" same => n,Gosub(difos-record,s,1)\n"
		" same => n(dial),Dial(PJSIP/${ARG1},30)\n"
		" same => n,Return()\n\n"
		"[difos-record]\n"
		"exten => s,1,Set(DIFOS_RECFILE=${STRFTIME(${EPOCH},,%%Y%%m%%d-%%H%%M%%S)}-${UNIQUEID}.wav)\n"
		" same => n,Set(CDR(userfield)=recording=${DIFOS_RECFILE})\n"
		" same => n,MixMonitor(${DIFOS_RECDIR}/${DIFOS_RECFILE},b)\n"
		" same => n,Return()\n\n"
		"; a trunk's call out: the extension's outbound caller ID, its recording\n"
		"[difos-dial-trunk]\n"
		"exten => s,1,ExecIf($[\"${DIFOS_OUTBOUND_CID}\" != \"\"]?Set(CALLERID(num)=${DIFOS_OUTBOUND_CID}))\n"
		" same => n,ExecIf($[\"${DIFOS_ROUTE_CID}\" != \"\"]?Set(CALLERID(num)=${DIFOS_ROUTE_CID}))\n"
		" same => n,GotoIf($[\"${DIFOS_RECORD}\" != \"1\"]?dial)\n"
		" same => n,Gosub(difos-record,s,1)\n"
		" same => n(dial),Dial(PJSIP/${ARG2}@${ARG1},60)\n"
		" same => n,Return()\n\n",
		recdir);
	sbuf_add(&b, parts->slot[AST_DIALPLAN].s ? parts->slot[AST_DIALPLAN].s : "");
	if (doc_str(doc, "pbx.extensions_extra") && *doc_str(doc, "pbx.extensions_extra"))
		sbuf_printf(&b, "; Settings › Extras\n%s\n", doc_str(doc, "pbx.extensions_extra"));
	free(recdir);
	return sbuf_steal(&b);
}

static char *pbx_queues_conf(const json_t *doc, const struct feature_asterisk *parts)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "[general]\npersistentmembers = no\n\n");
	sbuf_add(&b, parts->slot[AST_QUEUES].s ? parts->slot[AST_QUEUES].s : "");
	if (doc_str(doc, "pbx.queues_extra") && *doc_str(doc, "pbx.queues_extra"))
		sbuf_printf(&b, "; Settings › Extras\n%s\n", doc_str(doc, "pbx.queues_extra"));
	return sbuf_steal(&b);
}

/* The manager: on the loopback only; difos's own user and its secret are
 * in manager_user.conf, written by the applier (the secret may be one the
 * router made, which no document holds). */
static char *pbx_manager_conf(const json_t *doc)
{
	return xasprintf("[general]\nenabled = yes\nbindaddr = 127.0.0.1\nport = %lld\n"
			 "displayconnects = no\nauthtimeout = 10\nauthlimit = 20\n\n"
			 "#include \"manager_user.conf\"\n", doc_int(doc, "pbx.ami_port", 5038));
}

/* tones for ringing and busy, the few the dialplan uses */
static const char pbx_indications[] =
	"[general]\ncountry = us\n\n"
	"[us]\ndescription = United States / North America\n"
	"ringcadence = 2000,4000\n"
	"dial = 350+440\nbusy = 480+620/500,0/500\nring = 440+480/2000,0/4000\n"
	"congestion = 480+620/250,0/250\ncallwaiting = 440/300,0/10000\n"
	"dialrecall = !350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440\n"
	"record = 1400/500,0/15000\ninfo = !950/330,!1400/330,!1800/330,0\n";

/* files every module above reads, small and fixed */
static const struct { const char *name; const char *text; } pbx_fixed[] = {
	{ "cdr.conf", "[general]\nenable = yes\nunanswered = yes\n" },
	{ "cdr_manager.conf", "[general]\nenabled = yes\n" },
	{ "logger.conf", "[general]\ndateformat = %F %T\n\n[logfiles]\n"
			 "console => notice,warning,error\n"
			 "messages.log => notice,warning,error,verbose(2)\n"
			 "security.log => security\n" },
	{ "features.conf", "[general]\n" },
	{ "ccss.conf", "[general]\n" },
	{ "cel.conf", "[general]\n" },
	{ "udptl.conf", "[general]\n" },
	{ "pjproject.conf", "[startup]\nlog_level = 1\n" },
	{ "statsd.conf", "[general]\n" },
	{ "acl.conf", "" },
	{ "geolocation.conf", "" },
	{ "indications.conf", pbx_indications },
	{ "musiconhold.conf", "[general]\n" },
	{ "stasis.conf", "[threadpool]\ninitial_size = 5\nidle_timeout_sec = 20\nmax_size = 50\n" },
};

int pbx_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;
	struct feature_asterisk parts;

	if (!pbx_wanted(doc)) {
		/* nothing to serve: no files, and the engine stays stopped */
		render_add(out, "state", 0644, xstrdup("stopped\n"));
		return 0;
	}
	feature_asterisk_collect(ctx, &parts);
	render_add(out, "state", 0644, xstrdup("running\n"));
	render_add(out, "asterisk.conf", 0644, pbx_asterisk_conf(ctx->env));
	render_add(out, "modules.conf", 0644, pbx_modules_conf());
	render_add(out, "pjsip.conf", 0640, pbx_pjsip_conf(ctx, &parts));
	render_add(out, "extensions.conf", 0644, pbx_extensions_conf(ctx, &parts));
	render_add(out, "queues.conf", 0644, pbx_queues_conf(doc, &parts));
	render_add(out, "manager.conf", 0644, pbx_manager_conf(doc));
	/* the call records' store: its table and columns are the records'
	 * page's (cdr hook) */
	render_add(out, "cdr_sqlite3_custom.conf", 0644,
		   xstrdup(parts.slot[AST_CDR].s ? parts.slot[AST_CDR].s : ""));
	render_add(out, "rtp.conf", 0644,
		   xasprintf("[general]\nrtpstart = %lld\nrtpend = %lld\nicesupport = no\n",
			     doc_int(doc, "pbx.rtp_start", 20000), doc_int(doc, "pbx.rtp_end", 30000)));
	for (size_t i = 0; i < ARRAY_SIZE(pbx_fixed); i++)
		render_add(out, pbx_fixed[i].name, 0644, xstrdup(pbx_fixed[i].text));
	feature_asterisk_free(&parts);
	return 0;
}
