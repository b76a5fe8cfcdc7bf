/*
 * chronyd, supervised, and what the status shows of it. chronyd is run
 * through difos-engine-exec with the uplink's own DNS servers bound over
 * its /etc/resolv.conf, so the names of NTP servers are asked over plain
 * DNS, never through a resolver that needs the right time (DoH checks
 * certificates). Its state is read through a chronyc that runs beside it
 * as a companion engine: every TIME_POLL_S difosd writes "sources" and
 * "tracking" to its stdin and keeps what it answers (CSV, parsed by
 * time_parse.c), so no request spawns a process and the status answers
 * from memory. "Sync with NTP Server" is two background jobs of chronyc:
 * a burst of measurements, then a step of the clock.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/admin/time/time.h"
#include "features/admin/time/time_int.h"

#define TIME_POLL_S 10
#define TIME_SYNC_TIMEOUT_MS 15000
/* Debian's chrony package makes this user; chronyd drops to it */
#define TIME_CHRONY_USER "_chrony"

static const struct feature_env *time_env;
static bool time_loop_ready;
static uv_timer_t time_poll;
static int time_in_fd = -1;
static json_t *time_pending, *time_sources, *time_tracking, *time_sync;
static long long time_updated;
static char *time_error;

char *time_run_dir(const struct feature_env *env)
{
	return xasprintf("%s/time", env->paths.run);
}

char *time_socket_path(const struct feature_env *env)
{
	return xasprintf("%s/time/sock/chronyd.sock", env->paths.run);
}

bool time_clock_control(const struct feature_env *env)
{
	return !strcmp(env->paths.root, "/") && !sys_is_dry(env->sys);
}

void time_resolv_refresh(const struct feature_env *env)
{
	char *dir = time_run_dir(env), *path = xasprintf("%s/resolv.conf", dir);
	size_t len = 0;
	char *text = file_read(env->paths.resolv, &len);
	int rc;

	mkdir_p(dir, 0755);
	/* in place: the file is bound into chronyd's namespace by its inode */
	if (!text || !len)
		rc = file_write(path, "# no DNS server learned on the uplink yet\n", 42, 0644);
	else
		rc = file_write(path, text, len, 0644);
	if (rc < 0)
		log_warn("time: cannot write %s: %s", path, strerror(-rc));
	free(text);
	free(path);
	free(dir);
}

/* ---- the companion's answers ---- */

static void time_set_error(const char *s)
{
	free(time_error);
	time_error = s ? xstrdup(s) : NULL;
}

static bool time_line(void *arg, const char *line, size_t len)
{
	json_t *o;

	(void)arg;
	if ((o = time_parse_source(line, len))) {
		if (!time_pending)
			time_pending = json_array();
		json_array_append_new(time_pending, o);
		return true;
	}
	if ((o = time_parse_tracking(line, len))) {
		/* tracking follows sources: the round is complete */
		json_decref(time_sources);
		time_sources = time_pending ? time_pending : json_array();
		time_pending = NULL;
		json_decref(time_tracking);
		time_tracking = o;
		time_updated = (long long)time(NULL);
		time_set_error(NULL);
		core_state_changed();
		return true;
	}
	/* "506 Cannot talk to daemon" and the like: shown, and kept in its log */
	if (len >= 4 && line[0] >= '0' && line[0] <= '9' && line[3] == ' ') {
		char *s = xasprintf("%.*s", (int)(len < 200 ? len : 200), line);
		time_set_error(s);
		free(s);
		json_decref(time_pending);
		time_pending = NULL;
	}
	return false;
}

static void time_ask(void)
{
	static const char ask[] = "sources\ntracking\n";

	if (time_in_fd >= 0 && write(time_in_fd, ask, sizeof(ask) - 1) < 0 && errno != EAGAIN) {
		close(time_in_fd);
		time_in_fd = -1;
	}
}

static void time_started(void *arg, int in_fd)
{
	(void)arg;
	if (time_in_fd >= 0)
		close(time_in_fd);
	time_in_fd = in_fd;
	json_decref(time_pending);
	time_pending = NULL;
	time_ask();
}

static const struct sv_io time_chronyc_io = { time_line, time_started, true };

static void time_tick(uv_timer_t *t)
{
	(void)t;
	core_enter();
	time_ask();
	core_leave();
}

struct time_start {
	const struct feature_env *env;
	bool on;
};

static void time_start_on_loop(void *arg)
{
	struct time_start *s = arg;

	time_env = s->env;
	if (!time_loop_ready && time_env->loop) {
		sv_set_io(TIME_CHRONYC, &time_chronyc_io, NULL);
		uv_timer_init(time_env->loop, &time_poll);
		time_loop_ready = true;
	}
	if (!time_loop_ready)
		return;
	if (s->on)
		uv_timer_start(&time_poll, time_tick, TIME_POLL_S * 1000, TIME_POLL_S * 1000);
	else
		uv_timer_stop(&time_poll);
}

/* chronyd's folders: its socket's must be its own and closed to others */
static int time_dirs(const struct feature_env *env, bool control, char **err)
{
	char *sock = time_socket_path(env), *state = xasprintf("%s/time", env->paths.state);
	struct passwd *pw = control ? getpwnam(TIME_CHRONY_USER) : NULL;
	int rc = 0;

	sock[strlen(sock) - strlen("/chronyd.sock")] = '\0';
	mkdir_p(sock, 0700);
	mkdir_p(state, 0755);
	if (chmod(sock, 0700) < 0) {
		*err = xasprintf("cannot close %s: %s", sock, strerror(errno));
		rc = -1;
	}
	/* on the machine itself chronyd drops root: the folders are its user's */
	if (rc == 0 && pw && (chown(sock, pw->pw_uid, pw->pw_gid) < 0 ||
			      chown(state, pw->pw_uid, pw->pw_gid) < 0)) {
		*err = xasprintf("cannot give chronyd's folders to %s: %s", TIME_CHRONY_USER,
				 strerror(errno));
		rc = -1;
	}
	free(sock);
	free(state);
	return rc;
}

int time_chrony_apply(struct feature_ctx *ctx, bool on, bool changed)
{
	const struct feature_env *env = ctx->env;
	struct time_start start = { env, on };
	bool control = time_clock_control(env);
	char *exec, *bind, *conf, *sock, *dir, *why = NULL;
	int rc = 0;

	core_on_loop(time_start_on_loop, &start);
	if (!on) {
		sv_stop(TIME_CHRONYC);
		sv_stop(TIME_CHRONYD);
		return 0;
	}
	if (time_dirs(env, control, &ctx->err) < 0)
		return -1;
	time_resolv_refresh(env);
	dir = time_run_dir(env);
	exec = xasprintf("%s/difos-engine-exec", env->paths.libexec);
	bind = xasprintf("%s/resolv.conf=/etc/resolv.conf", dir);
	conf = xasprintf("%s/time/chrony.conf", env->paths.active);
	sock = time_socket_path(env);
	{
		/* -x: chronyd measures and serves but never sets the clock of a
		 * machine difosd does not own (a test's or a demo's root) */
		char *const argv[] = { exec, "--root", "/", "--bind-to", bind, "--", "chronyd", "-d",
				       "-f", conf, "-u", control ? TIME_CHRONY_USER : "root",
				       control ? NULL : "-x", NULL };
		char *const cargv[] = { "chronyc", "-c", "-n", "-h", sock, NULL };

		if (changed && sv_running(TIME_CHRONYD)) {
			sv_stop(TIME_CHRONYC);
			sv_stop(TIME_CHRONYD);
		}
		if (sv_ensure(TIME_CHRONYD, argv, NULL) < 0) {
			ctx->err = xstrdup("cannot start chronyd");
			rc = -1;
		} else if (!sys_is_dry(env->sys) && !sv_wait_alive(TIME_CHRONYD, 300, &why)) {
			ctx->err = xasprintf("chronyd exited: %s", why ? why : "?");
			rc = -1;
		} else {
			/* chronyc opens chronyd's socket once: it starts after it */
			for (int i = 0; i < 50 && !sys_is_dry(env->sys) && access(sock, F_OK) < 0; i++) {
				core_outside_begin();
				usleep(20000);
				core_outside_end();
			}
			if (sv_ensure(TIME_CHRONYC, cargv, NULL) < 0) {
				ctx->err = xstrdup("cannot start chronyc");
				rc = -1;
			}
		}
	}
	free(why);
	free(exec);
	free(bind);
	free(conf);
	free(sock);
	free(dir);
	return rc;
}

static void time_stop_on_loop(void *arg)
{
	(void)arg;
	if (time_loop_ready) {
		uv_timer_stop(&time_poll);
		uv_close((uv_handle_t *)&time_poll, NULL);
		time_loop_ready = false;
	}
	if (time_in_fd >= 0)
		close(time_in_fd);
	time_in_fd = -1;
}

void time_chrony_stop(void)
{
	core_on_loop(time_stop_on_loop, NULL);
	json_decref(time_pending);
	json_decref(time_sources);
	json_decref(time_tracking);
	json_decref(time_sync);
	time_pending = time_sources = time_tracking = time_sync = NULL;
	time_set_error(NULL);
}

json_t *time_chrony_state(void)
{
	return json_pack("{s:O?, s:O?, s:o, s:s?, s:O?}", "sources", time_sources, "tracking",
			 time_tracking, "updated", time_updated ? json_integer(time_updated) : json_null(),
			 "error", time_error, "sync", time_sync);
}

/* ---- Sync with NTP Server ---- */

static void time_sync_job(const struct feature_env *env, const char *what);

static void time_sync_set(const char *key, const char *value)
{
	json_object_set_new(time_sync, key, json_string(value));
	core_state_changed();
}

static void time_step_done(void *arg, int status)
{
	(void)arg;
	if (!time_sync)
		return;
	/* chronyd -x refuses to step: that clock is not ours to set */
	time_sync_set("step", status == 0 ? "done" : time_env && !time_clock_control(time_env) ?
		      "refused: chronyd does not set this machine's clock" : "failed");
	time_sync_set("state", "done");
}

static void time_burst_done(void *arg, int status)
{
	(void)arg;
	if (!time_sync)
		return;
	time_sync_set("burst", status == 0 ? "done" : "failed");
	if (time_env)
		time_sync_job(time_env, "makestep");
}

static void time_sync_job(const struct feature_env *env, const char *what)
{
	char *sock = time_socket_path(env);
	bool burst = !strcmp(what, "burst");
	char *const argv[] = { "chronyc", "-h", sock, (char *)what, burst ? "4/4" : NULL, NULL };
	sys_job_done done = burst ? time_burst_done : time_step_done;

	if (env->sys->job(env->sys, env->loop, argv, TIME_SYNC_TIMEOUT_MS, done, NULL) < 0)
		done(NULL, -1);
	free(sock);
}

char *time_chrony_sync(const struct feature_env *env)
{
	if (!sv_running(TIME_CHRONYD))
		return xstrdup("chronyd is not running: no NTP server is set");
	if (!env->loop)
		return xstrdup("no event loop to run chronyc on");
	if (time_sync && !strcmp(json_string_value(json_object_get(time_sync, "state")), "running"))
		return NULL;
	time_env = env;
	json_decref(time_sync);
	time_sync = json_pack("{s:s, s:I}", "state", "running", "started", (json_int_t)time(NULL));
	time_sync_job(env, "burst");
	return NULL;
}
