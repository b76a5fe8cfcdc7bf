/* difosd: the root core of difos. */
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "apply/engine.h"
#include "apply/netwatch.h"
#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "auth/auth.h"
#include "config/methods.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/root.h"
#include "core/util.h"
#include "daemon/methods.h"
#include "rpc/control.h"
#include "rpc/rpc.h"
#include "schema/schema.h"
#include "store/store.h"



static uv_signal_t sig_term, sig_int, sig_chld;
static uv_timer_t stop_timer;
static struct engine main_engine;

/* The manual: the GUI's password is root's too. chpasswd changes the
 * machine, so it goes through the system backend (the dry one records it,
 * its input only as a size), and only on the real system: never under a
 * test's --root. */
static void main_sync_root(const char *hash, void *arg)
{
	const struct feature_env *env = arg;
	char *line, *out = NULL;

	if (strcmp(env->paths.root, "/"))
		return;
	line = xasprintf("root:%s\n", hash);
	if (env->sys->run(env->sys, (char *const[]){ "chpasswd", "-e", NULL }, line, 10000, &out))
		log_warn("auth: could not set root's password: %s", out ? out : "");
	free(out);
	free(line);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: difosd [--root DIR] [--backend linux|dry] [--debug]\n"
		   "              [--gui DIR] [--pbx-root DIR] [--test-apply-pause-ms N]\n"
		   "       difosd --print-openapi | --print-methods | --print-kinds | --version\n");
}

/* An apply under way finishes first: stopping under it would leave the
 * machine half changed. */
static void stop_when_idle(uv_timer_t *t)
{
	if (main_engine.busy)
		return;
	uv_timer_stop(t);
	uv_stop(t->loop);
}

static void on_stop_signal(uv_signal_t *h, int sig)
{
	log_info("signal %d: shutting down%s", sig,
		 main_engine.busy ? " when the apply under way has finished" : "");
	uv_timer_start(&stop_timer, stop_when_idle, 0, 50);
	(void)h;
}

static void on_sigchld(uv_signal_t *h, int sig)
{
	(void)h;
	(void)sig;
	core_enter();
	sv_reap();
	core_leave();
}

static void methods_add(const struct rpc_method *m, void *arg)
{
	json_array_append_new(arg, rpc_method_json(m));
}

/* Every method as JSON (scripts/api-md.py writes docs/api.md from it). */
static json_t *methods_json(void)
{
	json_t *a = json_array();

	rpc_each(methods_add, a);
	return a;
}

static char *self_dir(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return xstrdup(DIFOS_LIBEXEC_DIR);
	buf[n] = '\0';
	return xstrdup(dirname(buf));
}

/* The helper programs (difosd-web, difos-engine-exec, the DHCP hooks...):
 * beside difosd in a build tree; installed, difosd is in /usr/sbin and they
 * are in their own folder, as meson installs them. */
static char *libexec_dir(void)
{
	char *dir = self_dir(), *probe = xasprintf("%s/difos-engine-exec", dir);
	bool beside = access(probe, X_OK) == 0;

	free(probe);
	if (beside)
		return dir;
	free(dir);
	return xstrdup(DIFOS_LIBEXEC_DIR);
}

static void close_handle(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Asterisk: the engine root named, else the system's own asterisk, else
 * the root scripts/pbx-rootfs.sh builds by default. */
static const char *pbx_root_choose(const char *given)
{
	static const char cached[] = "/var/cache/difos/pbx-root";

	if (given)
		return given;
	if (access("/usr/sbin/asterisk", X_OK) == 0)
		return NULL;
	return access("/var/cache/difos/pbx-root/usr/sbin/asterisk", X_OK) == 0 ? cached : NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "backend", required_argument, NULL, 'b' },
		{ "debug", no_argument, NULL, 'd' },
		{ "test-apply-pause-ms", required_argument, NULL, 'P' },
		{ "gui", required_argument, NULL, 'g' },
		{ "pbx-root", required_argument, NULL, 'X' },
		{ "print-openapi", no_argument, NULL, 'O' },
		{ "print-methods", no_argument, NULL, 'M' },
		{ "print-kinds", no_argument, NULL, 'K' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *backend = "linux", *gui = "/usr/share/difos/gui", *pbx_root = NULL;
	int pause_ms = 0, c, rc = 1;
	bool print_openapi = false, print_methods = false, print_kinds = false;
	char *dbpath, *sock, *websock, *authlog, *dir, *libexec;
	struct store *store = NULL;
	struct sys *sys;
	uv_loop_t *loop = uv_default_loop();

	while ((c = getopt_long(argc, argv, "r:b:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root_set(optarg); break;
		case 'b': backend = optarg; break;
		case 'd': log_set_level(LOG_DEBUG); break;
		case 'P': pause_ms = atoi(optarg); break;
		case 'g': gui = optarg; break;
		case 'X': pbx_root = optarg; break;
		case 'O': print_openapi = true; break;
		case 'M': print_methods = true; break;
		case 'K': print_kinds = true; break;
		case 'V': printf("difosd %s\n", DIFOS_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (strcmp(backend, "linux") && strcmp(backend, "dry")) {
		fprintf(stderr, "difosd: --backend %s: is not linux or dry\n", backend);
		return 2;
	}
	if (print_openapi || print_methods || print_kinds) {
		/* docs/openapi.json, docs/api.md and the GUI's kinds are made from
		 * these, by make docs */
		json_t *doc;
		feature_schema_init();
		methods_register_all();
		doc = print_openapi ? api_openapi() : print_methods ? methods_json() : sc_kinds_export();
		/* the methods keep their declared order (of parameters too) */
		json_dumpf(doc, stdout, JSON_INDENT(2) | (print_openapi ? JSON_SORT_KEYS : 0));
		putchar('\n');
		json_decref(doc);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	umask(022);

	dir = root_path("/var/lib/difos");
	mkdir_p(dir, 0755);
	free(dir);
	dir = root_path("/var/log/difos");
	mkdir_p(dir, 0750);
	free(dir);
	dir = root_path("/run/difos");
	mkdir_p(dir, 0755);
	free(dir);
	dbpath = root_path("/var/lib/difos/config.db");
	sock = root_path("/run/difos/control.sock");
	websock = root_path("/run/difos/web.sock");
	authlog = root_path("/var/log/difos/auth.log");
	libexec = libexec_dir();

	feature_schema_init();
	methods_register_all();

	sys = !strcmp(backend, "dry") ? sys_dry_new() : sys_linux_new();
	{
		/* the store holds password hashes: root only (SQLite gives its
		 * -wal and -shm files the database file's mode) */
		mode_t old = umask(0077);
		int r = store_open(dbpath, &store);
		umask(old);
		chmod(dbpath, 0600);
		if (r < 0 || auth_init(store, authlog) < 0)
			goto out;
	}
	{
		json_t *defaults = schema_defaults();
		int r = store_init(store, defaults);
		json_decref(defaults);
		if (r < 0 || config_generated_init(store) < 0)
			goto out;
	}
	engine_init(&main_engine, store, sys, loop);
	main_engine.env.paths.libexec = libexec;
	main_engine.env.paths.auth_log = authlog;
	main_engine.env.paths.socket = sock;
	main_engine.env.paths.gui = gui;
	main_engine.env.paths.pbx_root = pbx_root_choose(pbx_root);
	/* shipped data (premade domain lists): next to the build tree, or installed */
	main_engine.env.paths.data = access(DIFOS_SOURCE_DATA, R_OK) == 0 ? DIFOS_SOURCE_DATA
									 : DIFOS_DATA_DIR;
	main_engine.test_pause_ms = pause_ms;
	rpc_set_env(&main_engine.env);
	auth_set_root_sync(main_sync_root, &main_engine.env);
	{
		char *piddir = root_path("/run/difos/pids");
		sv_init(&main_engine.env, piddir);
		free(piddir);
	}
	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->init && feature_table[i]->init(&main_engine.env) < 0)
			log_warn("%s: could not start", feature_table[i]->name);

	core_lock_init(loop);
	uv_timer_init(loop, &stop_timer);
	uv_signal_init(loop, &sig_chld);
	uv_signal_start(&sig_chld, on_sigchld, SIGCHLD);
	uv_signal_init(loop, &sig_term);
	uv_signal_start(&sig_term, on_stop_signal, SIGTERM);
	uv_signal_init(loop, &sig_int);
	uv_signal_start(&sig_int, on_stop_signal, SIGINT);

	log_info("difosd starting: root %s, backend %s", root_get(), sys->name);
	/* listen first: engines started at boot (the DHCP client's hook)
	 * may call in; they wait in the backlog until boot is done */
	if (control_listen(loop, sock) < 0 || control_listen_web(loop, websock) < 0)
		goto out_engine;
	/* before boot: what the appliers change is followed from the start */
	netwatch_start(&main_engine.env);
	if (engine_boot(&main_engine) < 0)
		log_warn("boot: some features failed; see difosctl status");
	log_info("ready: control socket %s", sock);
	uv_run(loop, UV_RUN_DEFAULT);
	rc = 0;

	control_close();
	feature_stop_all(&main_engine.env);
	netwatch_stop();
out_engine:
	sv_shutdown();
	engine_free(&main_engine);
	core_lock_close();
	uv_walk(loop, close_handle, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
out:
	store_close(store);
	sys_free(sys);
	unlink(sock);
	unlink(websock);
	free(dbpath);
	free(sock);
	free(websock);
	free(authlog);
	free(libexec);
	log_info("difosd stopped");
	return rc;
}
