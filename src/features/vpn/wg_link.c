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
#include <time.h>
#include <unistd.h>

#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "features/vpn/wg_link.h"

/* How long wireguard-go may take to make its device and socket. */
#define WG_GO_START_MS 3000

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

static bool wg_wait_socket(const struct feature_env *env, const char *ifname, const char *engine)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	for (int waited = 0; waited < WG_GO_START_MS; waited += 20) {
		if (wg_link_userspace(env, ifname))
			return true;
		if (!sv_running(engine))
			return false;
		nanosleep(&pause, NULL);
	}
	return false;
}

static int wg_go_start(struct feature_ctx *ctx, const char *ifname, const char *engine)
{
	const struct feature_env *env = ctx->env;
	char *dir = wg_sockdir(env), *exec = xasprintf("%s/difos-engine-exec", env->paths.libexec);
	char *bind = xasprintf("%s=/var/run/wireguard", dir);
	/* -f: in the foreground, so the supervisor holds the process */
	char *const argv[] = { exec, "--root", "/", "--bind-to", bind, "--", "wireguard-go", "-f",
			       (char *)ifname, NULL };
	int rc = 0;

	if (mkdir_p(dir, 0700) < 0 && errno != EEXIST)
		log_warn("wireguard: cannot make %s: %s", dir, strerror(errno));
	if (sv_ensure(engine, argv, NULL) < 0) {
		ctx->err = xasprintf("cannot start wireguard-go for %s", ifname);
		rc = -1;
	} else if (!sys_is_dry(env->sys) && !wg_wait_socket(env, ifname, engine)) {
		char *why = NULL;

		sv_wait_alive(engine, 0, &why);
		ctx->err = xasprintf("wireguard-go did not make %s within %d ms%s%s", ifname,
				     WG_GO_START_MS, why ? ": " : "", why ? why : "");
		free(why);
		rc = -1;
	}
	free(bind);
	free(exec);
	free(dir);
	return rc;
}

/* -1: not probed yet; 0: wireguard-go; 1: the kernel's */
static int wg_kernel = -1;

int wg_link_ensure(struct feature_ctx *ctx, const char *ifname, const char *engine, unsigned mtu)
{
	struct sys *s = ctx->env->sys;
	struct nl_op show = { .kind = NL_LINK_SHOW, .dev = ifname };
	struct nl_op add = { .kind = NL_LINK_ADD, .dev = ifname, .link_kind = "wireguard" };
	struct nl_op up = { .kind = NL_LINK_UP, .dev = ifname };
	struct nl_op setmtu = { .kind = NL_LINK_MTU, .dev = ifname, .mtu = mtu };
	char *err = NULL;

	if (wg_kernel != 0 && sys_net(s, NULL, &show) == 1) {
		if (sys_net(s, &err, &add) == 0) {
			wg_kernel = 1;
		} else if (wg_kernel == 1) {
			ctx->err = err;
			return -1;
		} else {
			log_info("wireguard: the kernel has no WireGuard (%s): wireguard-go serves "
				 "the devices", err);
			wg_kernel = 0;
		}
		free(err);
		err = NULL;
	}
	if (wg_kernel == 0 && wg_go_start(ctx, ifname, engine) < 0)
		return -1;
	if (sys_net(s, &err, &setmtu) < 0 || sys_net(s, &err, &up) < 0) {
		ctx->err = err;
		return -1;
	}
	return 0;
}

void wg_link_remove(struct feature_ctx *ctx, const char *ifname, const char *engine)
{
	struct nl_op del = { .kind = NL_LINK_DEL, .dev = ifname };
	struct nl_op show = { .kind = NL_LINK_SHOW, .dev = ifname };

	if (sv_running(engine))
		sv_stop(engine);   /* wireguard-go removes its device as it ends */
	if (sys_net(ctx->env->sys, NULL, &show) == 0)
		sys_net(ctx->env->sys, NULL, &del);
}

