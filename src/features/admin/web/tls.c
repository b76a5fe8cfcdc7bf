/*
 * TLS certificates of the web interface, under <etc>/difos/tls (the
 * environment's paths.etc):
 *   factory.crt / factory.key  made at first start (self-signed, 10 years), and
 *                              again when the router's names change
 *   factory.names              the subjectAltName it was made for
 *   user.crt / user.key        installed by the admin (web.certificate)
 * Keys are written 0600 in a 0700 directory. openssl(1) does the
 * cryptography; difos runs it with argv arrays through the system backend
 * (the dry backend records it and makes no certificate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/admin/web/web.h"

/* What the certificate in force says, read once per change of
 * certificate: status is asked often and must not run openssl each time. */
static json_t *tls_info_cache;

static void tls_info_forget(void)
{
	json_decref(tls_info_cache);
	tls_info_cache = NULL;
}

static char *tls_dir(const struct feature_env *env)
{
	char *d = xasprintf("%s/difos/tls", env->paths.etc);

	mkdir_p(d, 0700);
	chmod(d, 0700);
	return d;
}

static bool tls_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The factory certificate names what the configuration names (the web
 * feature renders it: hostname, hostname.domain, localhost, the LAN
 * address), not whatever the kernel is called at first start. */
static int tls_make_factory(struct sys *sys, const char *crt, const char *key,
			    const char *names, char **err)
{
	char *out = NULL;
	char *subj, *san, *keyout = xasprintf("%s.tmp", key), *crtout = xasprintf("%s.tmp", crt);
	char *cn = xstrndup(names + 4, strcspn(names + 4, ","));   /* "DNS:name,..." */
	mode_t old = umask(0077);
	int rc;

	subj = xasprintf("/CN=%s/O=difos factory certificate", cn);
	san = xasprintf("subjectAltName=%s", names);
	rc = sys->run(sys, (char *const[]){ "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
					    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650",
					    "-subj", subj, "-addext", san, "-keyout", keyout, "-out",
					    crtout, NULL }, NULL, 30000, &out);
	umask(old);
	if (rc != 0) {
		*err = xasprintf("cannot make the factory certificate: %s", out ? out : "");
		rc = -1;
	} else if (sys_is_dry(sys)) {
		rc = 0;   /* recorded, nothing made */
	} else if (chmod(keyout, 0600) < 0 || rename(keyout, key) < 0 || rename(crtout, crt) < 0) {
		*err = xstrdup("cannot store the factory certificate");
		rc = -1;
	} else {
		log_info("web: made the factory certificate %s", crt);
		rc = 0;
	}
	free(out);
	unlink(keyout);
	unlink(crtout);
	free(keyout);
	free(crtout);
	free(subj);
	free(san);
	free(cn);
	return rc;
}

/* Moves the factory certificate to factory-prev.*, and the previous one
 * back when it was made for names: 0 when it was (nothing to make). */
static int tls_factory_swap(const char *dir, const char *names)
{
	static const char *const ext[] = { "crt", "key", "names" };
	char *prev_names_path = xasprintf("%s/factory-prev.names", dir);
	char *prev = file_read(prev_names_path, NULL);
	bool back = prev && !strncmp(prev, names, strlen(names)) && prev[strlen(names)] == '\n';

	free(prev_names_path);
	free(prev);
	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		char *cur = xasprintf("%s/factory.%s", dir, ext[i]);
		char *old = xasprintf("%s/factory-prev.%s", dir, ext[i]);
		char *tmp = xasprintf("%s/factory-swap.%s", dir, ext[i]);
		if (back) {
			if (rename(old, tmp) == 0 && rename(cur, old) == 0)
				rename(tmp, cur);
		} else {
			rename(cur, old);
		}
		free(cur);
		free(old);
		free(tmp);
	}
	return back ? 0 : -1;
}

/* The names the factory certificate in dir was made for, or NULL. */
static char *tls_factory_names(const char *dir)
{
	char *path = xasprintf("%s/factory.names", dir), *text = file_read(path, NULL);

	free(path);
	if (text)
		text[strcspn(text, "\n")] = '\0';
	return text;
}

/* The certificate difosd-web was started with (server.crt's text). */
static char *tls_served;

static char *tls_server_crt(const struct feature_env *env)
{
	char *dir = tls_dir(env), *path = xasprintf("%s/server.crt", dir), *text = file_read(path, NULL);

	free(path);
	free(dir);
	return text;
}

void web_tls_served(const struct feature_env *env)
{
	free(tls_served);
	tls_served = tls_server_crt(env);
}

bool web_tls_unserved(const struct feature_env *env)
{
	char *now = tls_server_crt(env);
	bool differs = now && (!tls_served || strcmp(now, tls_served));

	free(now);
	return differs;
}

bool web_tls_behind(const struct feature_env *env)
{
	char *dir = tls_dir(env), *want_path = xasprintf("%s/web/tls.names", env->paths.active);
	char *user_path = xasprintf("%s/user.crt", dir);
	char *want = file_read(want_path, NULL), *made = tls_factory_names(dir);
	bool behind;

	if (want)
		want[strcspn(want, "\n")] = '\0';
	behind = !tls_exists(user_path) && want && made && strcmp(want, made) != 0;

	free(dir);
	free(want_path);
	free(user_path);
	free(want);
	free(made);
	return behind;
}

static int tls_copy(const char *from, const char *to, mode_t mode)
{
	size_t len;
	char *data = file_read(from, &len);
	int rc;

	if (!data)
		return -1;
	rc = file_write_atomic(to, data, len, mode);
	free(data);
	return rc;
}

/* difosd-web always reads server.crt/server.key: a copy of the admin's
 * certificate when installed, else of the factory one. Its command line
 * does not change when the certificate does; a restart is enough. */
int web_tls_paths(const struct feature_env *env, const char *names, char **cert, char **key,
		  char **err)
{
	char *dir = tls_dir(env);
	char *ucrt = xasprintf("%s/user.crt", dir), *ukey = xasprintf("%s/user.key", dir);
	char *fcrt = xasprintf("%s/factory.crt", dir), *fkey = xasprintf("%s/factory.key", dir);
	char *made_for = tls_factory_names(dir);
	bool user = tls_exists(ucrt) && tls_exists(ukey);
	int rc = 0;

	tls_info_forget();
	*cert = xasprintf("%s/server.crt", dir);
	*key = xasprintf("%s/server.key", dir);
	if (!names || strncmp(names, "DNS:", 4))
		names = made_for ? made_for : "DNS:difos,DNS:localhost,IP:127.0.0.1";
	/* made again when the router's names changed, unless the admin's is in force */
	if (!user && (!tls_exists(fcrt) || !tls_exists(fkey) || !made_for || strcmp(made_for, names))) {
		char *np = xasprintf("%s/factory.names", dir), *text = xasprintf("%s\n", names);
		/* the one before is kept: a rollback brings back the very
		 * certificate the browser trusted, not a new one */
		if (sys_is_dry(env->sys))
			rc = tls_make_factory(env->sys, fcrt, fkey, names, err);   /* recorded only */
		else if (tls_factory_swap(dir, names) == 0)
			rc = 0;
		else
			rc = tls_make_factory(env->sys, fcrt, fkey, names, err);
		if (rc == 0 && !sys_is_dry(env->sys) && file_write_atomic(np, text, strlen(text), 0644) < 0) {
			*err = xstrdup("cannot store the factory certificate's names");
			rc = -1;
		}
		free(np);
		free(text);
	}
	/* the dry backend made no certificate to install */
	if (rc == 0 && !sys_is_dry(env->sys) && (tls_copy(user ? ukey : fkey, *key, 0600) < 0 ||
			tls_copy(user ? ucrt : fcrt, *cert, 0644) < 0)) {
		*err = xstrdup("cannot install the certificate for difosd-web");
		rc = -1;
	}
	/* its details are read now, with the change, so that status reads
	 * never run openssl; the PBX's TLS transport presents it too */
	if (rc == 0) {
		json_t *ev = json_pack("{s:s, s:s}", "cert", *cert, "key", *key);
		/* a status read while openssl ran (the backend lets go of the
		 * core's lock meanwhile) may have kept the one before */
		tls_info_forget();
		json_decref(web_tls_info(env));
		feature_emit(env, EV_CERTIFICATE, ev);
		json_decref(ev);
	}
	free(ucrt);
	free(ukey);
	free(fcrt);
	free(fkey);
	free(made_for);
	free(dir);
	return rc;
}

/* openssl's output, or NULL when it failed; input on its stdin */
static char *tls_openssl(struct sys *sys, char *const argv[], const char *input)
{
	char *out = NULL;

	if (sys->run(sys, argv, input, 10000, &out) == 0)
		return out ? out : xstrdup("");
	free(out);
	return NULL;
}

json_t *web_tls_info(const struct feature_env *env)
{
	char *dir, *crt, *text;
	bool user;
	json_t *o;

	if (tls_info_cache)
		return json_incref(tls_info_cache);
	dir = tls_dir(env);
	crt = xasprintf("%s/user.crt", dir);
	user = tls_exists(crt);

	if (!user) {
		free(crt);
		crt = xasprintf("%s/factory.crt", dir);
	}
	text = tls_openssl(env->sys, (char *const[]){ "openssl", "x509", "-in", crt, "-noout", "-subject",
					    "-enddate", "-fingerprint", "-sha256", NULL }, NULL);
	o = text ? json_pack("{s:s, s:s}", "source", user ? "user" : "factory", "details", text) : NULL;
	free(text);
	free(crt);
	free(dir);
	if (o)
		tls_info_cache = json_incref(o);
	return o;
}

/*
 * difosd-web restarts with the new certificate once the answer is on its
 * way: a call that came through it (the GUI) would otherwise lose its
 * answer with the process. Without a loop (tests of the core) at once.
 */
#define TLS_RESTART_MS 300

static uv_timer_t tls_restart_timer;
static bool tls_restart_ready;
static const struct feature_env *tls_restart_env;

static void tls_restart_now(const struct feature_env *env)
{
	if (sv_running("difosd-web")) {
		sv_restart("difosd-web");
		web_tls_served(env);
	}
}

static void tls_restart_cb(uv_timer_t *t)
{
	(void)t;
	core_enter();
	tls_restart_now(tls_restart_env);
	core_leave();
}

static void tls_restart_later(const struct feature_env *env)
{
	if (!env->loop) {
		tls_restart_now(env);
		return;
	}
	if (!tls_restart_ready) {
		/* closed with the loop's other handles when difosd ends */
		uv_timer_init(env->loop, &tls_restart_timer);
		tls_restart_ready = true;
	}
	tls_restart_env = env;
	uv_timer_start(&tls_restart_timer, tls_restart_cb, TLS_RESTART_MS, 0);
}

/* web.certificate {cert, key}: install the admin's certificate (PEM). The
 * key must match the certificate; then difosd-web restarts with it.
 * web.certificate {factory: true} goes back to the factory one. */
static json_t *web_certificate(struct rpc_call *c)
{
	const char *cert = rpc_str(c, "cert"), *key = rpc_str(c, "key");
	char *dir = tls_dir(c->env), *ucrt = xasprintf("%s/user.crt", dir), *ukey = xasprintf("%s/user.key", dir);
	char *pub_cert = NULL, *pub_key = NULL;
	json_t *out = NULL;

	if (json_is_true(json_object_get(c->params, "factory"))) {
		unlink(ucrt);
		unlink(ukey);
		out = json_pack("{s:s}", "certificate", "factory");
		goto restart;
	}
	if (!cert || !strstr(cert, "-----BEGIN CERTIFICATE-----")) {
		rpc_fail(c, RPC_INVALID, "cert", NULL, "cert: a PEM certificate is required");
		goto done;
	}
	if (!key || !strstr(key, "PRIVATE KEY-----")) {
		rpc_fail(c, RPC_INVALID, "key", NULL, "key: a PEM private key is required");
		goto done;
	}
	pub_cert = tls_openssl(c->env->sys, (char *const[]){ "openssl", "x509", "-noout", "-pubkey",
							     NULL }, cert);
	pub_key = tls_openssl(c->env->sys, (char *const[]){ "openssl", "pkey", "-pubout", NULL }, key);
	if (!pub_cert) {
		rpc_fail(c, RPC_INVALID, "cert", NULL, "cert: openssl cannot read the certificate");
		goto done;
	}
	if (!pub_key || strcmp(pub_cert, pub_key)) {
		rpc_fail(c, RPC_INVALID, "key", NULL, "key: does not belong to the certificate");
		goto done;
	}
	if (file_write_atomic(ukey, key, strlen(key), 0600) < 0 ||
	    file_write_atomic(ucrt, cert, strlen(cert), 0644) < 0) {
		rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot store the certificate");
		goto done;
	}
	out = json_pack("{s:s}", "certificate", "user");
restart:
	/* difosd-web reads the key only at start */
	{
		char *crt = NULL, *k = NULL, *err = NULL;
		if (web_tls_paths(c->env, NULL, &crt, &k, &err) < 0) {
			json_decref(out);
			out = rpc_fail(c, RPC_INTERNAL, NULL, NULL, "%s", err);
		} else {
			tls_restart_later(c->env);
		}
		free(crt);
		free(k);
		free(err);
	}
done:
	free(pub_cert);
	free(pub_key);
	free(ucrt);
	free(ukey);
	free(dir);
	return out;
}

static json_t *web_certificate_info(struct rpc_call *c)
{
	json_t *o = web_tls_info(c->env);

	return o ? o : rpc_fail(c, RPC_NOTFOUND, NULL, NULL, "no certificate yet");
}

static const struct sc_field certificate_params[] = {
	{ .name = "cert", .kind = SC_TEXT, .max = 65536, .help = "the certificate (chain), PEM" },
	{ .name = "key", .kind = SC_TEXT, .max = 65536, .flags = SC_F_SECRET,
	  .help = "its private key, PEM" },
	{ .name = "factory", .kind = SC_BOOL, .help = "true: go back to the factory certificate" },
	{ .name = NULL }
};

const struct rpc_method web_methods[] = {
	{ "web.certificate", web_certificate, "install the admin's TLS certificate {cert, key} or "
	  "{factory: true}; difosd-web restarts with it", "Web access", certificate_params,
	  "{certificate: \"user\" or \"factory\", ...}", RPC_ADMIN,
	  .rest = { { "POST", "/web/certificate" } },
	  .cli = { "certificate", .usage = "CERT.pem KEY.pem | certificate --factory",
		   .help = "the web interface's TLS certificate (none: the one in force)",
		   .run = web_cli_certificate } },
	{ "web.certificate_info", web_certificate_info, "the TLS certificate in force", "Web access",
	  NULL, "{source (\"user\" or \"factory\"), details}", RPC_READ,
	  .rest = { { "GET", "/web/certificate" } } },
	{ NULL }
};
