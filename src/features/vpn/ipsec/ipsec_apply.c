/*
 * Applying VPN › IPsec: charon supervised as "charon", then the
 * connections loaded through vici, only those that changed.
 *
 * charon runs through difos-engine-exec with a private folder of ours
 * bound over /run: its pid file's path is compiled in
 * (/var/run/charon.pid), and several routers (tests) run on one machine.
 * Its configuration comes through STRONGSWAN_CONF: the rendered file for
 * a kernel with ESP, or the one that loads kernel-libipsec (userspace ESP
 * over the TUN device ipsec0) when the kernel takes no ESP state.
 *
 * The connections are loaded through vici (load-conn, load-shared), never
 * by a swanctl process: a connection whose message differs from the one in
 * force, or that charon does not have (it was restarted), is loaded; one
 * charon has and the configuration no longer names is unloaded; the others
 * are not touched, so their tunnels stay up. charon parses each message
 * itself and refuses it with its reason: the apply then fails with that
 * reason, and the engine applies the files in force before again, which
 * loads the previous definitions back (charon kept the old one of the
 * refused connection: it replaces a connection only once it has parsed the
 * new one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "features/vpn/ipsec/ipsec_int.h"
#include "features/vpn/ipsec/vici_conn.h"
#include "net/xfrm_probe.h"

#define CHARON_BIN "/usr/lib/ipsec/charon"
/* charon opens its socket within a few hundred ms of its start */
#define IPSEC_UP_MS 8000

char *ipsec_vici_path(const struct feature_env *env)
{
	return xasprintf("%s/" IPSEC_VICI, env->paths.run);
}

bool ipsec_kernel_esp(const struct feature_env *env)
{
	static int known = -1;
	char why[256];

	if (sys_is_dry(env->sys))
		return true;
	if (known < 0) {
		known = net_xfrm_esp_works(why, sizeof(why));
		if (!known)
			log_info("ipsec: the kernel takes no ESP state (%s): userspace ESP "
				 "(kernel-libipsec)", why);
	}
	return known;
}

/* Connects, waiting for a charon that is starting. */
static struct vici_conn *ipsec_connect(const struct feature_env *env, int wait_ms, char **err)
{
	char *path = ipsec_vici_path(env);
	long long until = now_ms() + wait_ms;
	struct vici_conn *c;

	for (;;) {
		free(*err);
		*err = NULL;
		c = vici_open(path, IPSEC_VICI_MS, err);
		if (c || now_ms() >= until || !sv_running(IPSEC_ENGINE))
			break;
		core_outside_begin();   /* waiting on charon: the core answers meanwhile */
		nanosleep(&(struct timespec){ 0, 50 * 1000000L }, NULL);
		core_outside_end();
	}
	free(path);
	return c;
}

static json_t *load_file(const char *dir)
{
	char *path;
	json_t *j;

	if (!dir)
		return NULL;
	path = xasprintf("%s/" IPSEC_VICI_JSON, dir);
	j = json_load_file(path, JSON_DECODE_ANY, NULL);
	free(path);
	return j;
}

static int load_peer(struct vici_conn *c, const json_t *vd, const char *name, char **err)
{
	json_t *r;
	char *what;
	int rc;

	r = vici_call(c, "load-shared", json_object_get(json_object_get(vd, "secrets"), name),
		      NULL, NULL, err);
	what = xasprintf("ipsec.peers %s: charon refused its key", name);
	rc = r ? vici_check(r, what, err) : -1;
	json_decref(r);
	free(what);
	if (rc < 0)
		return -1;
	r = vici_call(c, "load-conn", json_object_get(json_object_get(vd, "conns"), name), NULL,
		      NULL, err);
	what = xasprintf("ipsec.peers %s: charon refused it", name);
	rc = r ? vici_check(r, what, err) : -1;
	json_decref(r);
	free(what);
	if (rc == 0)
		log_info("ipsec: %s loaded", name);
	return rc;
}

static void unload_peer(struct vici_conn *c, const char *name)
{
	char *err = NULL, *id = xasprintf("difos-%s", name);
	json_t *m = json_pack("{s:s}", "name", name), *r;

	/* a connection charon no longer has is what was asked */
	r = vici_call(c, "unload-conn", m, NULL, NULL, &err);
	json_decref(r);
	json_decref(m);
	free(err);
	err = NULL;
	m = json_pack("{s:s}", "id", id);
	r = vici_call(c, "unload-shared", m, NULL, NULL, &err);
	json_decref(r);
	json_decref(m);
	free(err);
	free(id);
	log_info("ipsec: %s unloaded", name);
}

/*
 * charon replaces a changed connection's SAs itself when it starts them
 * ("always start"); those of the other start actions would go on with the
 * old definition until their next rekeying, so they are closed (without
 * waiting): the next packet, or the peer, sets up the new ones.
 */
static bool restarts_itself(const json_t *msg)
{
	const char *k, *sa;
	const json_t *conn, *child;

	json_object_foreach((json_t *)msg, k, conn)
		json_object_foreach(json_object_get(conn, "children"), k, child) {
			sa = json_string_value(json_object_get(child, "start_action"));
			if (!sa || strcmp(sa, "start"))
				return false;
		}
	return true;
}

static void terminate_peer(struct vici_conn *c, const char *name)
{
	char *err = NULL;
	json_t *m = json_pack("{s:s, s:s}", "ike", name, "timeout", "-1"), *r;

	/* none to close is what was asked */
	r = vici_call(c, "terminate", m, NULL, NULL, &err);
	json_decref(r);
	json_decref(m);
	free(err);
	log_info("ipsec: %s's SAs closed for its new definition", name);
}

/* Does charon have the connection? */
static bool has_conn(const json_t *loaded, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(loaded, "conns"), i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return true;
	return false;
}

/* Makes charon's connections those of vd (old: the ones in force, or NULL). */
int ipsec_load(const struct feature_env *env, const json_t *vd, const json_t *old, char **err)
{
	struct vici_conn *c = ipsec_connect(env, IPSEC_UP_MS, err);
	json_t *loaded, *v;
	const char *name;
	size_t i;
	int rc = 0;

	if (!c)
		return -1;
	loaded = vici_call(c, "get-conns", NULL, NULL, NULL, err);
	if (!loaded) {
		vici_close(c);
		return -1;
	}
	json_array_foreach(json_object_get(loaded, "conns"), i, v) {
		name = json_string_value(v);
		if (name && !json_object_get(json_object_get(vd, "conns"), name))
			unload_peer(c, name);
	}
	json_object_foreach(json_object_get(vd, "conns"), name, v) {
		const json_t *was = old ? json_object_get(json_object_get(old, "conns"), name) : NULL;
		const json_t *key = json_object_get(json_object_get(vd, "secrets"), name);
		const json_t *key_was = old ? json_object_get(json_object_get(old, "secrets"), name)
					    : NULL;

		if (has_conn(loaded, name) && was && json_equal(v, was) && key_was &&
		    json_equal(key, key_was))
			continue;
		if (has_conn(loaded, name) && was && !restarts_itself(v))
			terminate_peer(c, name);
		if (load_peer(c, vd, name, err) < 0) {
			rc = -1;
			break;
		}
	}
	json_decref(loaded);
	vici_close(c);
	return rc;
}

/* the engine was started by this apply: its health waits for it */
static bool ipsec_started;

int ipsec_apply(struct feature_ctx *ctx)
{
	const struct feature_env *env = ctx->env;
	bool kernel = ipsec_kernel_esp(env);
	const char *conf_name = kernel ? IPSEC_CONF_KERNEL : IPSEC_CONF_LIBIPSEC;
	char *conf_path = xasprintf("%s/%s", ctx->dir, conf_name);
	char *active_conf, *priv, *bind_at, *exec, *env_conf;
	json_t *vd, *old;
	int rc;

	ipsec_started = false;
	if (access(conf_path, F_OK) < 0) {
		/* no peer at all: charon is not needed */
		free(conf_path);
		if (sv_running(IPSEC_ENGINE))
			sv_stop(IPSEC_ENGINE);
		return 0;
	}
	free(conf_path);
	priv = xasprintf("%s/" IPSEC_PRIVATE_RUN, env->paths.run);
	mkdir_p(priv, 0700);
	active_conf = xasprintf("%s/ipsec/%s", env->paths.active, conf_name);
	bind_at = xasprintf("%s=/run", priv);
	exec = xasprintf("%s/difos-engine-exec", env->paths.libexec);
	env_conf = xasprintf("STRONGSWAN_CONF=%s", active_conf);
	{
		char *const argv[] = { exec, "--root", "/", "--bind-to", bind_at, "--", CHARON_BIN,
				       NULL };
		char *const envp[] = { env_conf, NULL };

		/* charon reads strongswan.conf at start only */
		if (sv_running(IPSEC_ENGINE) && apply_file_changed(ctx, conf_name))
			sv_stop(IPSEC_ENGINE);
		ipsec_started = !sv_running(IPSEC_ENGINE);
		rc = sv_ensure(IPSEC_ENGINE, argv, envp);
	}
	free(priv);
	free(active_conf);
	free(bind_at);
	free(exec);
	free(env_conf);
	if (rc < 0) {
		ctx->err = xstrdup("cannot start charon");
		return -1;
	}
	if (sys_is_dry(env->sys))
		return 0;
	vd = load_file(ctx->dir);
	old = ipsec_started ? NULL : load_file(ctx->old_dir);
	rc = ipsec_load(env, vd, old, &ctx->err);
	json_decref(vd);
	json_decref(old);
	return rc;
}

int ipsec_health(struct feature_ctx *ctx)
{
	char *why = NULL;

	if (!ipsec_started)
		return 0;
	ipsec_started = false;
	if (!sv_wait_alive(IPSEC_ENGINE, 300, &why)) {
		ctx->err = xasprintf("charon exited: %s", why ? why : "no output");
		free(why);
		return -1;
	}
	free(why);
	return 0;
}
