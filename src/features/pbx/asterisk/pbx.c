/*
 * PBX › Settings, and the engine behind the whole PBX chapter: Asterisk.
 *
 * Apply: the files go to <run>/pbx/etc; a first start, a transport's port,
 * the manager's port, the directories or the module list need a restart
 * (Asterisk reads them only at start: the manual warns that a port change
 * restarts the PBX); anything else is reloaded module by module through
 * the manager, so calls in progress go on. Health: the manager answers
 * with the new secret and Asterisk says it is fully booted.
 */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/print.h"
#include "features/pbx/asterisk/pbx_int.h"
#include "rpc/rpc.h"
#include "store/doc.h"

#define PBX_ENGINE "asterisk"

/* which module reads which file: what a change of it reloads */
static const struct { const char *file; const char *module; } pbx_reloads[] = {
	{ "pjsip.conf", "res_pjsip.so" },
	{ "extensions.conf", "pbx_config.so" },
	{ "queues.conf", "app_queue.so" },
	{ "rtp.conf", "res_rtp_asterisk.so" },
	{ "cdr.conf", "cdr" },
	{ "cdr_sqlite3_custom.conf", "cdr_sqlite3_custom.so" },
	{ "logger.conf", "logger" },
	{ "indications.conf", "indications" },
	{ "features.conf", "features" },
};

/* files read only at start */
static const char *const pbx_restart_files[] = { "asterisk.conf", "modules.conf", "manager.conf",
						 NULL };

/* settings read only at start: the transports' ports, recordings' place */
static const char *const pbx_restart_paths[] = { "pbx.udp_port", "pbx.tcp_port", "pbx.tls_port",
						 "pbx.recordings_path", NULL };

static bool pbx_needs_restart(const struct feature_ctx *ctx)
{
	if (!sv_running(PBX_ENGINE) || !ctx->old_doc)
		return true;
	for (const char *const *f = pbx_restart_files; *f; f++)
		if (apply_file_changed(ctx, *f))
			return true;
	for (const char *const *p = pbx_restart_paths; *p; p++) {
		json_t *a = doc_get(ctx->old_doc, *p), *b = doc_get(ctx->doc, *p);
		if (!json_equal(a, b) && (a || b))
			return true;
	}
	return false;
}

/* whether the rendered files say the engine runs ("running\n") */
static bool pbx_runs(const struct feature_ctx *ctx)
{
	char *path = xasprintf("%s/state", ctx->dir), *state = file_read(path, NULL);
	bool runs = state && !strncmp(state, "running", 7);

	free(path);
	free(state);
	return runs;
}

/* The files Asterisk reads again on a reload, with the user's additions
 * in them: checked by Asterisk's own reader before they are switched in. */
static const struct { const char *file, *category; } pbx_checked[] = {
	{ "pjsip.conf", "global" }, { "extensions.conf", "general" }, { "queues.conf", "general" },
};

/* Asterisk's own words on a file it could not read: its last output line
 * naming the file (the line may come a moment after the manager's answer). */
static char *pbx_engine_says(const char *file)
{
	for (int tries = 0; tries < 10; tries++) {
		json_t *st = sv_status(PBX_ENGINE), *log = json_object_get(st, "log");
		char *found = NULL;
		for (size_t i = json_array_size(log); i-- > 0 && !found;) {
			const char *ln = json_string_value(json_array_get(log, i));
			if (ln && strstr(ln, file))
				found = xstrdup(strstr(ln, ": ") ? strstr(ln, ": ") + 2 : ln);
		}
		json_decref(st);
		if (found)
			return found;
		core_outside_begin();
		usleep(30 * 1000);
		core_outside_end();
	}
	return NULL;
}

static int pbx_check(struct feature_ctx *ctx)
{
	struct pbx_user u = { 0 };
	char *etc;
	int rc = 0;

	/* a first start is checked by its health: Asterisk must be up to read */
	if (!pbx_runs(ctx) || !sv_running(PBX_ENGINE) || sys_is_dry(ctx->env->sys))
		return 0;
	if (pbx_user_find(ctx->env, &u, &ctx->err) < 0)
		return -1;
	etc = pbx_dir(ctx->env, "etc");
	for (size_t i = 0; i < ARRAY_SIZE(pbx_checked) && rc == 0; i++) {
		const char *const *f = &pbx_checked[i].file;
		char *from = xasprintf("%s/%s", ctx->dir, *f), *name = xasprintf("check-%s", *f);
		char *to = xasprintf("%s/%s", etc, name), *data, *why = NULL;
		size_t len;
		if (apply_file_changed(ctx, *f) && (data = file_read(from, &len))) {
			rc = pbx_file_install(to, data, len, u.gid, &ctx->err);
			if (rc == 0 && pbx_ami_config_ok(name, pbx_checked[i].category, &why) < 0) {
				char *says = pbx_engine_says(name), *at;
				/* "line 90 of <etc>/check-pjsip.conf": of pjsip.conf */
				if (says && (at = strstr(says, to)))
					memmove(at, at + strlen(to) - strlen(*f),
						strlen(at + strlen(to) - strlen(*f)) + 1);
				ctx->err = xasprintf("Asterisk refuses the new %s: %s%s%s", *f, why,
						     says ? ": " : "", says ? says : "");
				free(says);
				rc = -1;
			}
			free(why);
			free(data);
			unlink(to);
		}
		free(from);
		free(name);
		free(to);
	}
	free(etc);
	return rc;
}

/* Asterisk was (re)started by this apply: its health reads the files,
 * which the check could not give it before */
static bool pbx_started;

static int pbx_apply(struct feature_ctx *ctx)
{
	const struct feature_env *env = ctx->env;
	struct pbx_user u = { 0 };
	char *secret;
	int rc;

	if (!pbx_runs(ctx)) {
		pbx_live_stop();
		if (sv_running(PBX_ENGINE))
			sv_stop(PBX_ENGINE);
		pbx_ami_forget();
		return 0;
	}
	/* the dry backend runs nothing: its files are root's */
	if (!sys_is_dry(env->sys) && pbx_user_find(env, &u, &ctx->err) < 0)
		return -1;
	if (pbx_dirs_make(env, ctx->doc, &u, &ctx->err) < 0 ||
	    pbx_files_install(ctx, &u, &ctx->err) < 0)
		return -1;
	secret = pbx_ami_secret(env, ctx->doc);
	pbx_ami_use((int)doc_int(ctx->doc, "pbx.ami_port", 5038), secret);
	free(secret);
	if (pbx_needs_restart(ctx)) {
		char **argv = pbx_argv(env, ctx->doc);
		/* the long-lived client comes back once the new one is up (health) */
		pbx_live_stop();
		if (sv_running(PBX_ENGINE))
			sv_stop(PBX_ENGINE);
		rc = sv_ensure(PBX_ENGINE, argv, NULL);
		pbx_started = true;
		pbx_argv_free(argv);
		if (rc < 0)
			ctx->err = xstrdup("cannot start Asterisk");
		return rc;
	}
	if (sys_is_dry(env->sys))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(pbx_reloads); i++) {
		if (!apply_file_changed(ctx, pbx_reloads[i].file))
			continue;
		if (pbx_ami_reload(pbx_reloads[i].module, &ctx->err) < 0)
			return -1;
	}
	return 0;
}

/* Long enough for Asterisk to boot with a thousand extensions. */
#define PBX_BOOT_MS 20000

static int pbx_health(struct feature_ctx *ctx)
{
	char *why = NULL;

	if (!pbx_runs(ctx))
		return 0;
	if (sys_is_dry(ctx->env->sys))
		return sv_running(PBX_ENGINE) ? 0 : -1;
	if (pbx_ami_wait_booted(PBX_BOOT_MS, &why) == 0) {
		bool started = pbx_started;
		pbx_started = false;
		/* a start is not checked before: Asterisk reads its files now */
		for (size_t i = 0; started && i < ARRAY_SIZE(pbx_checked); i++)
			if (pbx_ami_config_ok(pbx_checked[i].file, pbx_checked[i].category, &why) < 0) {
				char *says = pbx_engine_says(pbx_checked[i].file);
				ctx->err = xasprintf("Asterisk refuses %s: %s%s%s", pbx_checked[i].file, why,
						     says ? ": " : "", says ? says : "");
				free(says);
				free(why);
				return -1;
			}
		char *secret = pbx_ami_secret(ctx->env, ctx->doc);
		/* up: the long-lived client connects at once (again, when the
		 * manager's port or secret changed) */
		pbx_live_start(ctx->env, (int)doc_int(ctx->doc, "pbx.ami_port", 5038), secret);
		free(secret);
		return 0;
	}
	/* gone: its own last words say why */
	if (!sv_wait_alive(PBX_ENGINE, 0, &ctx->err)) {
		free(why);
		return -1;
	}
	ctx->err = why;
	return -1;
}

static json_t *pbx_status(struct feature_ctx *ctx)
{
	json_t *o = json_object(), *live = pbx_live_status();

	json_object_set_new(o, "wanted", json_boolean(pbx_wanted(ctx->doc)));
	json_object_set_new(o, "engine_root", ctx->env->paths.pbx_root ?
			    json_string(ctx->env->paths.pbx_root) : json_null());
	json_object_set_new(o, "apply_manager", json_string(pbx_ami_state()));
	json_object_update(o, live);
	json_decref(live);
	return o;
}

/* The router's certificate changed: the TLS transport presents the new
 * one after a reload (the same file names: Asterisk reloads them). */
static void pbx_event(const struct feature_env *env, const struct feature_event *ev)
{
	static const char *const keys[][2] = { { "cert", "tls.crt" }, { "key", "tls.key" } };
	struct pbx_user u = { 0 };
	char *etc, *err = NULL;
	int rc = 0;

	if (ev->kind != EV_CERTIFICATE || !sv_running(PBX_ENGINE) || sys_is_dry(env->sys) ||
	    pbx_user_find(env, &u, &err) < 0) {
		free(err);
		return;
	}
	etc = pbx_dir(env, "etc");
	for (size_t i = 0; i < ARRAY_SIZE(keys) && rc == 0; i++) {
		const char *from = json_string_value(json_object_get(ev->data, keys[i][0]));
		char *to = xasprintf("%s/%s", etc, keys[i][1]), *data;
		size_t len;
		if (from && (data = file_read(from, &len))) {
			rc = pbx_file_install(to, data, len, u.gid, &err);
			sodium_memzero(data, len);
			free(data);
		}
		free(to);
	}
	free(etc);
	if (rc < 0) {
		log_warn("pbx: the new certificate: %s", err);
		free(err);
		return;
	}
	pbx_live_action("Reload", "Module", "res_pjsip.so");
}

static void pbx_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	pbx_live_stop();
	pbx_ami_forget();
}

/* the manual's SIP/RTP rule, when the WAN is opened to phones outside
 * (from anywhere, or from the networks listed) */
static void pbx_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	const json_t *doc = ctx->doc, *from = doc_get(doc, "pbx.open_on_wan_from"), *n;
	struct sbuf src;
	size_t i;

	if (!pbx_wanted(doc) || !doc_bool(doc, "pbx.open_on_wan", false))
		return;
	sbuf_init(&src);
	json_array_foreach(from, i, n)
		sbuf_printf(&src, "%s%s", i ? ", " : "ip saddr { ", json_string_value(n));
	if (src.len)
		sbuf_add(&src, " } ");
	sbuf_printf(&out->slot[NFT_INPUT_WAN],
		    "\t\t%sudp dport { %lld, %lld-%lld } accept comment \"PBX: SIP and RTP\"\n"
		    "\t\t%stcp dport { %lld, %lld } accept comment \"PBX: SIP over TCP and TLS\"\n",
		    src.len ? src.s : "", doc_int(doc, "pbx.udp_port", 6067),
		    doc_int(doc, "pbx.rtp_start", 20000), doc_int(doc, "pbx.rtp_end", 30000),
		    src.len ? src.s : "", doc_int(doc, "pbx.tcp_port", 6068),
		    doc_int(doc, "pbx.tls_port", 6069));
	sbuf_free(&src);
}

/* The dashboard's quick action: Asterisk reads all its files again (every
 * module reloaded), on the manager's long-lived connection; the answer is
 * in difosd's log. */
static json_t *pbx_reload_method(struct rpc_call *c)
{
	if (!sv_running(PBX_ENGINE))
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL,
				"the PBX is not running: there is nothing to reload");
	if (pbx_live_action("Reload", NULL, NULL) < 0)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL,
				"the PBX's manager is not connected yet; try again in a moment");
	log_info("pbx: %s reloads Asterisk", c->author);
	return json_pack("{s:b}", "reloading", 1);
}

static const struct rpc_method pbx_methods[] = {
	{ "pbx.reload", pbx_reload_method, "Asterisk reads its files again (every module "
	  "reloaded; calls go on)", "PBX", NULL, "{reloading: true}", RPC_ADMIN,
	  .rest = { { "POST", "/pbx/reload" } },
	  .cli = { "pbx-reload", .print = print_json } },
	{ NULL }
};

static const char *const pbx_reads[] = { "pbx", NULL };

const struct feature feature_pbx = {
	.name = "pbx",
	.title = "PBX",
	.sections = pbx_sections,
	.render = pbx_render,
	.check = pbx_check,
	.apply = pbx_apply,
	.health = pbx_health,
	.status = pbx_status,
	.stop = pbx_stop,
	.engines = (const struct feature_engine[]){ { PBX_ENGINE, "engine" }, { NULL } },
	.reads = pbx_reads,
	.nft = pbx_nft,
	.event = pbx_event,
	.methods = pbx_methods,
};
