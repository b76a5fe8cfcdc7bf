/*
 * WireGuard devices for the VPN features (wg_link.h). Which engine serves
 * them is found once: creating a link of kind "wireguard" succeeds only
 * where the kernel has the module; elsewhere (this kernel, containers)
 * wireguard-go makes a TUN device of the same name and serves the same
 * configuration protocol on its socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "features/vpn/wg_link.h"

/* How long wireguard-go may take to make its device and socket (a loaded
 * machine takes seconds). */
#define WG_GO_START_MS 5000

/* -1: not probed yet; 0: wireguard-go; 1: the kernel's */
static int wg_kernel = -1;

char *wg_sockdir(const struct feature_env *env)
{
	return xasprintf("%s/wireguard", env->paths.run);
}

static char *wg_sock(const struct feature_env *env, const char *ifname)
{
	return xasprintf("%s/wireguard/%s.sock", env->paths.run, ifname);
}

bool wg_link_userspace(const struct feature_env *env, const char *ifname)
{
	char *p = wg_sock(env, ifname);
	bool yes = access(p, F_OK) == 0;

	free(p);
	return yes;
}

/* wireguard-go's socket is there (it makes it a moment after it starts) */
static int wg_wait_socket(struct feature_ctx *ctx, const char *ifname, const char *engine)
{
	if (sys_is_dry(ctx->env->sys))
		return 0;
	for (int ms = 0; !wg_link_userspace(ctx->env, ifname); ms += 10) {
		if (ms >= WG_GO_START_MS || !sv_running(engine)) {
			char *why = NULL;

			sv_wait_alive(engine, 0, &why);
			ctx->err = xasprintf("wireguard-go did not make %s within %d ms%s%s", ifname,
					     WG_GO_START_MS, why ? ": " : "", why ? why : "");
			free(why);
			return -1;
		}
		usleep(10000);
	}
	return 0;
}

static int wg_go_start(struct feature_ctx *ctx, const char *ifname, const char *engine)
{
	const struct feature_env *env = ctx->env;
	char *dir = wg_sockdir(env), *exec = xasprintf("%s/difos-engine-exec", env->paths.libexec);
	char *bind = xasprintf("%s=/var/run/wireguard", dir), *sock = wg_sock(env, ifname);
	/* -f: in the foreground, so the supervisor holds the process */
	char *const argv[] = { exec, "--root", "/", "--bind-to", bind, "--", "wireguard-go", "-f",
			       (char *)ifname, NULL };
	int rc;

	if (mkdir_p(dir, 0700) < 0 && errno != EEXIST)
		log_warn("wireguard: cannot make %s: %s", dir, strerror(errno));
	/* a socket left by a wireguard-go that was killed would be taken for
	 * the new one's */
	unlink(sock);
	rc = sv_ensure(engine, argv, NULL);
	if (rc < 0)
		ctx->err = xasprintf("cannot start wireguard-go for %s", ifname);
	free(sock);
	free(bind);
	free(exec);
	free(dir);
	return rc < 0 ? -1 : wg_wait_socket(ctx, ifname, engine);
}

int wg_link_ensure(struct feature_ctx *ctx, const char *ifname, const char *engine)
{
	struct sys *s = ctx->env->sys;
	char *err = NULL;
	int rc;

	if (sv_running(engine))
		return wg_wait_socket(ctx, ifname, engine);
	if (sys_net(s, NULL, &(struct nl_op){ .kind = NL_LINK_SHOW, .dev = ifname }) == 0)
		return 0;
	if (wg_kernel != 0) {
		rc = sys_net(s, &err, &(struct nl_op){ .kind = NL_LINK_ADD, .dev = ifname,
						       .link_kind = "wireguard" });
		if (wg_kernel < 0) {
			wg_kernel = rc == 0;
			log_info("wireguard: devices by %s%s%s", wg_kernel ? "the kernel's module" :
				 "wireguard-go (the kernel has none: ", wg_kernel ? "" : err,
				 wg_kernel ? "" : ")");
		}
		free(err);
		if (rc == 0)
			return 0;
	}
	return wg_go_start(ctx, ifname, engine);
}

void wg_link_remove(struct feature_ctx *ctx, const char *ifname, const char *engine)
{
	if (sv_running(engine))
		sv_stop(engine);   /* wireguard-go removes its device as it ends */
	/* the kernel's device (none left: the kernel's refusal is ignored) */
	sys_net(ctx->env->sys, NULL, &(struct nl_op){ .kind = NL_LINK_DEL, .dev = ifname });
}
