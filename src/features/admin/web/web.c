/*
 * Web: the HTTPS door's settings (ports, session timeouts) and the
 * difosd-web process, supervised like an engine. The certificate is the
 * factory one, made at first start, unless the admin installed their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "auth/auth.h"
#include "core/files.h"
#include "core/util.h"
#include "features/admin/web/web.h"
#include "store/doc.h"

static void web_check(const json_t *web, const char *path, const json_t *doc,
		      struct sc_error_list *errs);

static const struct sc_field web_fields[] = {
	{ .name = "https_port", .kind = SC_PORT, .def = "443", .title = "HTTPS port",
	  .help = "Port of the web interface and the API." },
	{ .name = "http_port", .kind = SC_INT, .min = 0, .max = 65535, .def = "80",
	  .title = "HTTP port", .help = "Plain HTTP, which only redirects to HTTPS (0: closed)." },
	{ .name = "session_idle", .kind = SC_DURATION, .def = "\"30m\"", .title = "Idle timeout",
	  .help = "A session ends after this long without a request." },
	{ .name = "session_max", .kind = SC_DURATION, .def = "\"12h\"", .title = "Session lifetime",
	  .help = "A session ends this long after login, however busy." },
	{ .name = "extra_names", .kind = SC_LIST, .item = SC_FQDN, .max = 16, .def = "[]",
	  .title = "Other names",
	  .help = "Names the web interface answers to besides the hostname, hostname.domain, "
		  "localhost and the router's addresses (a name in public DNS, a port forward's)." },
	{ .name = NULL }
};

static const struct sc_field web_section = {
	.name = "web", .kind = SC_OBJECT, .fields = web_fields, .check = web_check,
	.title = "Web interface", .help = "Ports and sessions of the web interface and the API.",
};

static const struct sc_field *const web_sections[] = { &web_section, NULL };

static void web_check(const json_t *web, const char *path, const json_t *doc,
		      struct sc_error_list *errs)
{
	json_t *https = json_object_get(web, "https_port"), *http = json_object_get(web, "http_port");
	long long idle = sc_duration_seconds(json_string_value(json_object_get(web, "session_idle")));
	long long max = sc_duration_seconds(json_string_value(json_object_get(web, "session_max")));
	char *p;

	(void)doc;
	if (json_equal(https, http)) {
		p = xasprintf("%s.http_port", path);
		sc_error_addj(errs, p, http, "is the HTTPS port too");
		free(p);
	}
	if (idle >= 0 && idle < 60) {
		p = xasprintf("%s.session_idle", path);
		sc_error_addj(errs, p, json_object_get(web, "session_idle"), "is shorter than a minute");
		free(p);
	}
	if (max >= 0 && idle > max) {
		p = xasprintf("%s.session_max", path);
		sc_error_addj(errs, p, json_object_get(web, "session_max"),
			      "is shorter than the idle timeout");
		free(p);
	}
}

static const char *web_gui_dir(const struct feature_env *env)
{
	const char *g = env->paths.gui;

	return g ? g : "/usr/share/difos/gui";
}

/* The factory certificate's subjectAltName: the router's names and its LAN
 * address (a change of them makes it again, see web_apply). */
static char *web_cert_names(const json_t *doc)
{
	const char *host = doc_str(doc, "system.hostname"), *domain = doc_str(doc, "dns.domain");
	const char *lan = doc_str(doc, "lan.ipv4.address");
	struct sbuf b;

	sbuf_init(&b);
	sbuf_printf(&b, "DNS:%s", host && *host ? host : "difos");
	if (host && *host && domain && *domain)
		sbuf_printf(&b, ",DNS:%s.%s", host, domain);
	sbuf_printf(&b, ",DNS:localhost");
	if (lan && *lan)
		sbuf_printf(&b, ",IP:%s", lan);
	sbuf_printf(&b, ",IP:127.0.0.1,IP:::1\n");
	return b.s;
}

/* The command line is the rendered form: a change of port shows as a
 * change of this file and restarts difosd-web. */
static int web_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;

	render_add(out, "tls.names", 0644, web_cert_names(doc));
	render_add(out, "web.args", 0644, xasprintf(
		"--https-port=%lld\n--http-port=%lld\n--gui=%s\n--session-idle=%s\n--session-max=%s\n",
		doc_int(doc, "web.https_port", 443), doc_int(doc, "web.http_port", 80),
		web_gui_dir(ctx->env), doc_str(doc, "web.session_idle"), doc_str(doc, "web.session_max")));
	return 0;
}

static uv_timer_t web_restart_timer;
static bool web_restart_timer_ready;
static const struct feature_env *web_restart_env;

static void web_restart_now(uv_timer_t *t)
{
	const struct feature_env *env = web_restart_env;

	/* while an apply waits for its confirm, the browser confirms through the
	 * certificate it trusts; a rollback may bring that one back. While an
	 * apply runs (a nested loop) the certificate may not match the names in
	 * force yet: that apply's own web_apply decides. */
	if (t && ((env->engine && env->engine->confirm_rev) || web_tls_behind(env))) {
		uv_timer_start(&web_restart_timer, web_restart_now, 1000, 0);
		return;
	}
	if (web_tls_unserved(env) && sv_running("difosd-web")) {
		sv_restart("difosd-web");
		web_tls_served(env);
	}
}

/* A new certificate is served by a new difosd-web: a moment after the
 * apply's answer went out (it may have come through difosd-web), and once
 * no confirm is pending. */
static void web_restart_later(const struct feature_env *env)
{
	web_restart_env = env;
	if (!env->loop) {
		web_restart_now(NULL);
		return;
	}
	if (!web_restart_timer_ready) {
		uv_timer_init(env->loop, &web_restart_timer);
		uv_unref((uv_handle_t *)&web_restart_timer);
		web_restart_timer_ready = true;
	}
	uv_timer_start(&web_restart_timer, web_restart_now, 1000, 0);
}

/* The value of "--name=" in the rendered arguments, or NULL (malloc'd). */
static char *web_arg(const char *args, const char *name)
{
	char *key = xasprintf("--%s=", name);
	const char *at = strstr(args, key);
	char *v = at ? xstrndup(at + strlen(key), strcspn(at + strlen(key), "\n")) : NULL;

	free(key);
	return v;
}

/* What was rendered is what runs: difosd-web's ports and GUI, the session limits. */
static int web_apply(struct feature_ctx *ctx)
{
	char *path = xasprintf("%s/web.args", ctx->dir), *args = file_read(path, NULL);
	char *https = NULL, *http = NULL, *gui = NULL, *idle = NULL, *max = NULL;
	char *sock = NULL, *empty = NULL, *binary = NULL, *cert = NULL, *key = NULL, *names = NULL;
	const char *libexec = ctx->env->paths.libexec;
	int rc = -1;

	free(path);
	if (!args) {
		ctx->err = xstrdup("cannot read the rendered arguments of difosd-web");
		return -1;
	}
	https = web_arg(args, "https-port");
	http = web_arg(args, "http-port");
	gui = web_arg(args, "gui");
	idle = web_arg(args, "session-idle");
	max = web_arg(args, "session-max");
	free(args);
	if (!https || !http || !gui || !idle || !max) {
		ctx->err = xstrdup("the rendered arguments of difosd-web are incomplete");
		goto out;
	}
	auth_set_timeouts(sc_duration_seconds(idle), sc_duration_seconds(max));
	path = xasprintf("%s/tls.names", ctx->dir);
	names = file_read(path, NULL);
	free(path);
	if (names)
		names[strcspn(names, "\n")] = '\0';
	if (web_tls_paths(ctx->env, names, &cert, &key, &ctx->err) < 0)
		goto out;
	sock = xasprintf("--socket=%s/web.sock", ctx->env->paths.run);
	empty = xasprintf("--chroot=%s/web-root", ctx->env->paths.run);
	binary = xasprintf("%s/difosd-web", libexec ? libexec : DIFOS_LIBEXEC_DIR);
	{
		char *g = xasprintf("--gui=%s", gui), *hs = xasprintf("--https-port=%s", https);
		char *ht = xasprintf("--http-port=%s", http);
		char *c = xasprintf("--cert=%s", cert), *k = xasprintf("--key=%s", key);
		char *const argv[] = { binary, sock, g, c, k, hs, ht, "--user=" WEB_USER, empty, NULL };
		bool was_running = sv_running("difosd-web");
		rc = sv_ensure("difosd-web", argv, NULL);
		/* the same command line reads a new certificate only at start;
		 * one started just now (boot) has it already */
		if (!was_running)
			web_tls_served(ctx->env);
		else if (web_tls_unserved(ctx->env))
			web_restart_later(ctx->env);
		free(g);
		free(hs);
		free(ht);
		free(c);
		free(k);
	}
	if (rc < 0)
		ctx->err = xstrdup("cannot start difosd-web");
out:
	free(https);
	free(http);
	free(gui);
	free(idle);
	free(max);
	free(sock);
	free(empty);
	free(binary);
	free(cert);
	free(key);
	free(names);
	return rc;
}

static int web_health(struct feature_ctx *ctx)
{
	if (sys_is_dry(ctx->env->sys))
		return 0;
	/* it binds, loads the key and drops privileges in well under a second */
	return sv_wait_alive("difosd-web", 300, &ctx->err) ? 0 : -1;
}

static json_t *web_status(struct feature_ctx *ctx)
{
	const json_t *doc = ctx->doc;

	json_t *o = json_pack("{s:I, s:I}", "https_port", (json_int_t)doc_int(doc, "web.https_port", 443),
			      "http_port", (json_int_t)doc_int(doc, "web.http_port", 80));
	json_t *tls = web_tls_info(ctx->env);

	if (tls)
		json_object_set_new(o, "certificate", tls);
	return o;
}

/* localhost and the admin's other names; the hostname and hostname.domain
 * come from the features that own them */
static void web_host_names(struct feature_ctx *ctx, json_t *names)
{
	json_t *extra = doc_get(ctx->doc, "web.extra_names"), *v;
	size_t i;

	json_array_append_new(names, json_string("localhost"));
	json_array_foreach(extra, i, v)
		json_array_append(names, v);
}

const struct feature feature_web = {
	.name = "web",
	.title = "Web interface",
	.sections = web_sections,
	.render = web_render,
	.apply = web_apply,
	.health = web_health,
	.status = web_status,
	.host_names = web_host_names,
	.engines = (const struct feature_engine[]){ { "difosd-web", "engine" }, { NULL } },
	.methods = web_methods,
};
