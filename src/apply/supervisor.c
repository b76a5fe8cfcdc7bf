#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"

struct sv_proc {
	char *name;
	char **argv, **env;
	pid_t pid;          /* 0 when not running */
	int out_fd;
	uv_poll_t poll;
	bool polling;
	bool poll_closing;    /* uv_close called, its callback not yet run */
	uv_timer_t restart_timer;
	bool wanted;
	int restarts;
	int backoff_ms;
	long long started_ms;
	int last_status;
	char *lines[SV_LOG_LINES];
	int line_next;
	struct sbuf partial;
	const struct sv_io *io;
	void *io_arg;
	struct sv_proc *next;
};

static const struct feature_env *sv_env;
static uv_loop_t *sv_loop;
static struct sys *sv_sys;
static struct sv_proc *sv_procs;
static char *sv_piddir;

/*
 * Engines get a parent-death signal, but an engine that changes its user
 * (dnsmasq drops to nobody) loses it. Each started engine is therefore
 * recorded in <piddir>/<name>.pid with its command line; at start the
 * ones left by a difosd that died are stopped, if /proc still shows the
 * same command line under that pid.
 */
static char *sv_pidfile(const char *name)
{
	return xasprintf("%s/%s.pid", sv_piddir, name);
}

static void sv_write_pidfile(struct sv_proc *p)
{
	char *path;
	struct sbuf b;

	if (!sv_piddir || sys_is_dry(sv_sys))
		return;
	path = sv_pidfile(p->name);
	sbuf_init(&b);
	sbuf_printf(&b, "%d\n", (int)p->pid);
	for (size_t i = 0; p->argv[i]; i++)
		sbuf_addn(&b, p->argv[i], strlen(p->argv[i]) + 1);
	file_write_atomic(path, b.s, b.len, 0644);
	sbuf_free(&b);
	free(path);
}

static void sv_remove_pidfile(struct sv_proc *p)
{
	char *path;

	if (!sv_piddir)
		return;
	path = sv_pidfile(p->name);
	unlink(path);
	free(path);
}

static void sv_kill_stale(const char *path)
{
	size_t len, clen;
	char *text = file_read(path, &len), *nl, *proc, *cmdline;
	pid_t pid;

	if (!text)
		return;
	nl = memchr(text, '\n', len);
	pid = (pid_t)atoi(text);
	if (nl && pid > 1) {
		proc = xasprintf("/proc/%d/cmdline", (int)pid);
		cmdline = file_read(proc, &clen);
		size_t want = len - (size_t)(nl + 1 - text);
		if (cmdline && clen == want && !memcmp(cmdline, nl + 1, want)) {
			log_warn("supervisor: stopping %s (pid %d) left by an earlier difosd",
				 path, (int)pid);
			kill(pid, SIGTERM);
			for (int i = 0; i < 100 && kill(pid, 0) == 0; i++)
				usleep(20000);
			kill(pid, SIGKILL);
		}
		free(cmdline);
		free(proc);
	}
	unlink(path);
	free(text);
}

void sv_init(const struct feature_env *env, const char *piddir)
{
	DIR *d;
	struct dirent *de;

	sv_env = env;
	sv_loop = env->loop;
	sv_sys = env->sys;
	free(sv_piddir);
	sv_piddir = piddir ? xstrdup(piddir) : NULL;
	if (!sv_piddir || sys_is_dry(sv_sys))
		return;
	mkdir_p(sv_piddir, 0755);
	d = opendir(sv_piddir);
	while (d && (de = readdir(d))) {
		char *path;
		if (!strstr(de->d_name, ".pid"))
			continue;
		path = xasprintf("%s/%s", sv_piddir, de->d_name);
		sv_kill_stale(path);
		free(path);
	}
	if (d)
		closedir(d);
}

static char **sv_strv_dup(char *const v[])
{
	size_t n = 0;
	char **d;

	while (v && v[n])
		n++;
	d = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		d[i] = xstrdup(v[i]);
	return d;
}

static void sv_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static bool sv_strv_equal(char *const a[], char *const b[])
{
	size_t i;

	for (i = 0; a && b && a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return (!a || !a[i]) && (!b || !b[i]);
}

static struct sv_proc *sv_find(const char *name)
{
	for (struct sv_proc *p = sv_procs; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static void sv_add_line(struct sv_proc *p, const char *line, size_t n)
{
	if (p->io && p->io->line && p->io->line(p->io_arg, line, n))
		return;
	core_state_changed();   /* status shows the last lines */
	free(p->lines[p->line_next]);
	p->lines[p->line_next] = xmalloc(n + 1);
	memcpy(p->lines[p->line_next], line, n);
	p->lines[p->line_next][n] = '\0';
	p->line_next = (p->line_next + 1) % SV_LOG_LINES;
	log_debug("%s: %.*s", p->name, (int)n, line);
}

static void sv_poll_closed(uv_handle_t *h)
{
	struct sv_proc *p = h->data;

	p->poll_closing = false;
}

static void sv_stop_polling(struct sv_proc *p)
{
	if (p->polling) {
		uv_poll_stop(&p->poll);
		p->poll_closing = true;
		uv_close((uv_handle_t *)&p->poll, sv_poll_closed);
		p->polling = false;
	}
}

/* Returns false at end of file: the process closed its output. */
static bool sv_read_output(struct sv_proc *p)
{
	char buf[4096];
	ssize_t r;

	for (;;) {
		r = read(p->out_fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		sbuf_addn(&p->partial, buf, (size_t)r);
		char *s = p->partial.s, *nl;
		while ((nl = memchr(s, '\n', p->partial.len - (size_t)(s - p->partial.s)))) {
			sv_add_line(p, s, (size_t)(nl - s));
			s = nl + 1;
		}
		size_t rest = p->partial.len - (size_t)(s - p->partial.s);
		memmove(p->partial.s, s, rest);
		p->partial.len = rest;
		p->partial.s[rest] = '\0';
		if (p->partial.len > 4096) { /* cap an unterminated line */
			sv_add_line(p, p->partial.s, p->partial.len);
			p->partial.len = 0;
		}
	}
	return !(r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK));
}

static void sv_poll_cb(uv_poll_t *h, int status, int events)
{
	struct sv_proc *p = h->data;

	(void)events;
	core_enter();
	/* at end of file the pipe stays readable: stop watching it, or the
	 * loop would spin until the process is reaped */
	if (status < 0 || !sv_read_output(p)) {
		sv_stop_polling(p);
		close(p->out_fd);
		p->out_fd = -1;
	}
	core_leave();
}

static void sv_close_output(struct sv_proc *p)
{
	sv_stop_polling(p);
	if (p->out_fd >= 0) {
		sv_read_output(p);
		close(p->out_fd);
		p->out_fd = -1;
	}
}

/* EV_ENGINE: the features that follow engines learn it started or stopped */
static void sv_emit(struct sv_proc *p)
{
	json_t *data;

	if (!sv_env)
		return;
	data = json_pack("{s:s, s:b, s:i, s:i}", "engine", p->name, "running", p->pid > 0, "pid",
			 (int)p->pid, "restarts", p->restarts);
	feature_emit(sv_env, EV_ENGINE, data);
	json_decref(data);
}

static int sv_spawn(struct sv_proc *p)
{
	char *line = spawn_argv_string(p->argv);
	bool want_in = p->io && p->io->want_stdin;
	int in_fd = -1;
	pid_t pid;

	pid = sv_sys->start(sv_sys, p->argv, p->env, want_in ? &in_fd : NULL, &p->out_fd);
	if (pid < 0) {
		log_err("supervisor: cannot start %s: %s", line, strerror((int)-pid));
		free(line);
		return -1;
	}
	log_info("supervisor: started %s (pid %d): %s", p->name, (int)pid, line);
	free(line);
	p->pid = pid;
	p->started_ms = now_ms();
	sv_write_pidfile(p);
	if (p->io && p->io->started)
		p->io->started(p->io_arg, in_fd);
	sv_emit(p);
	if (p->out_fd >= 0 && sv_loop) {
		/* a uv_poll handle can only be re-initialised after its close
		 * callback has run; run the loop once if it is still closing */
		while (p->poll_closing)
			uv_run(sv_loop, UV_RUN_NOWAIT);
		uv_poll_init(sv_loop, &p->poll, p->out_fd);
		p->poll.data = p;
		uv_poll_start(&p->poll, UV_READABLE, sv_poll_cb);
		p->polling = true;
	}
	return 0;
}

static void sv_restart_cb(uv_timer_t *t)
{
	struct sv_proc *p = t->data;

	core_enter();
	if (p->wanted && !p->pid)
		sv_spawn(p);
	core_leave();
}

static void sv_exited(struct sv_proc *p, int st)
{
	long long ran = now_ms() - p->started_ms;

	p->last_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	p->pid = 0;
	sv_remove_pidfile(p);
	sv_close_output(p);
	sv_emit(p);
	if (!p->wanted)
		return;
	log_warn("supervisor: %s exited with status %d after %lld ms", p->name, p->last_status,
		 ran);
	/* back-off doubles up to 30 s; a process that ran a minute starts over */
	p->backoff_ms = ran > 60000 ? 500 : (p->backoff_ms ? p->backoff_ms * 2 : 500);
	if (p->backoff_ms > 30000)
		p->backoff_ms = 30000;
	p->restarts++;
	if (sv_loop)
		uv_timer_start(&p->restart_timer, sv_restart_cb, (uint64_t)p->backoff_ms, 0);
}

void sv_reap(void)
{
	for (struct sv_proc *p = sv_procs; p; p = p->next) {
		int st;
		if (p->pid > 0 && !sys_is_dry(sv_sys) && waitpid(p->pid, &st, WNOHANG) == p->pid)
			sv_exited(p, st);
	}
}

static void sv_stop_here(const char *name);

static struct sv_proc *sv_find_or_add(const char *name)
{
	struct sv_proc *p = sv_find(name);

	if (p)
		return p;
	p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(name);
	p->out_fd = -1;
	sbuf_init(&p->partial);
	if (sv_loop) {
		uv_timer_init(sv_loop, &p->restart_timer);
		p->restart_timer.data = p;
	}
	p->next = sv_procs;
	sv_procs = p;
	return p;
}

void sv_set_io(const char *name, const struct sv_io *io, void *arg)
{
	struct sv_proc *p = sv_find_or_add(name);

	p->io = io;
	p->io_arg = arg;
}

static int sv_ensure_here(const char *name, char *const argv[], char *const env[])
{
	struct sv_proc *p = sv_find(name);

	if (p && p->pid && sv_strv_equal(p->argv, argv) && sv_strv_equal(p->env, env)) {
		p->wanted = true;
		return 0;
	}
	if (p && p->pid)
		sv_stop_here(name);
	p = sv_find_or_add(name);
	sv_strv_free(p->argv);
	sv_strv_free(p->env);
	p->argv = sv_strv_dup(argv);
	p->env = sv_strv_dup(env);
	p->wanted = true;
	p->backoff_ms = 0;
	return sv_spawn(p);
}

static void sv_terminate(struct sv_proc *p)
{
	int st;
	long long deadline;

	if (!p->pid)
		return;
	if (sys_is_dry(sv_sys)) {
		sv_sys->kill(sv_sys, p->pid, SIGTERM);
		p->pid = 0;
		sv_emit(p);
		return;
	}
	/* the whole process group: an engine's helpers (udhcpc's event script,
	 * dnsmasq's script helper) must not outlive it. The leader is not
	 * reaped yet, so its group id cannot have been reused. */
	if (kill(-p->pid, SIGTERM) < 0)
		kill(p->pid, SIGTERM);
	deadline = now_ms() + 3000;
	while (now_ms() < deadline) {
		pid_t r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid || (r < 0 && errno == ECHILD))
			goto gone;
		usleep(10000);
	}
	log_warn("supervisor: %s did not stop on SIGTERM; killing it", p->name);
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &st, 0);
gone:
	p->pid = 0;
	sv_remove_pidfile(p);
	sv_close_output(p);
	sv_emit(p);
}

static void sv_stop_here(const char *name)
{
	struct sv_proc *p = sv_find(name);

	if (!p)
		return;
	p->wanted = false;
	if (sv_loop)
		uv_timer_stop(&p->restart_timer);
	if (p->pid)
		log_info("supervisor: stopping %s (pid %d)", p->name, (int)p->pid);
	sv_terminate(p);
}

static int sv_restart_here(const char *name)
{
	struct sv_proc *p = sv_find(name);

	if (!p || !p->argv)   /* unknown, or only announced by sv_set_io */
		return -1;
	sv_terminate(p);
	p->wanted = true;
	return sv_spawn(p);
}

/*
 * Starting and stopping touch libuv (the output watcher, the restart
 * timer), which is the loop thread's alone: an apply's worker has the loop
 * thread do them (core_on_loop), and waits.
 */
struct sv_call {
	int (*fn)(struct sv_call *c);
	const char *name;
	char *const *argv, *const *env;
	int rc;
};

static void sv_call_run(void *arg)
{
	struct sv_call *c = arg;

	c->rc = c->fn(c);
}

static int sv_call_ensure(struct sv_call *c)
{
	return sv_ensure_here(c->name, c->argv, c->env);
}

static int sv_call_stop(struct sv_call *c)
{
	sv_stop_here(c->name);
	return 0;
}

static int sv_call_restart(struct sv_call *c)
{
	return sv_restart_here(c->name);
}

static int sv_on_loop(int (*fn)(struct sv_call *c), const char *name, char *const argv[],
		      char *const env[])
{
	struct sv_call c = { .fn = fn, .name = name, .argv = argv, .env = env };

	core_on_loop(sv_call_run, &c);
	return c.rc;
}

int sv_ensure(const char *name, char *const argv[], char *const env[])
{
	return sv_on_loop(sv_call_ensure, name, argv, env);
}

void sv_stop(const char *name)
{
	sv_on_loop(sv_call_stop, name, NULL, NULL);
}

int sv_restart(const char *name)
{
	return sv_on_loop(sv_call_restart, name, NULL, NULL);
}

int sv_signal(const char *name, int sig)
{
	struct sv_proc *p = sv_find(name);

	if (!p || !p->pid)
		return -1;
	return sv_sys->kill(sv_sys, p->pid, sig);
}

bool sv_running(const char *name)
{
	struct sv_proc *p = sv_find(name);

	return p && p->pid;
}

static char *sv_last_lines(struct sv_proc *p, int count)
{
	struct sbuf b;
	int start = (p->line_next - count + SV_LOG_LINES * 2) % SV_LOG_LINES;

	sbuf_init(&b);
	for (int i = 0; i < count; i++) {
		const char *l = p->lines[(start + i) % SV_LOG_LINES];
		if (l) {
			if (b.len)
				sbuf_add(&b, "\n");
			sbuf_add(&b, l);
		}
	}
	return sbuf_steal(&b);
}

/* one look: has it exited? (on the loop thread: sv_exited arms a timer) */
struct sv_look {
	struct sv_proc *p;
	bool exited;
};

static void sv_look_run(void *arg)
{
	struct sv_look *l = arg;
	int st;

	if (l->p->pid > 0 && waitpid(l->p->pid, &st, WNOHANG) == l->p->pid) {
		l->p->wanted = false; /* a failed health check is not restarted here */
		sv_exited(l->p, st);
		l->exited = true;
	}
	if (!l->p->pid)
		l->exited = true;
}

bool sv_wait_alive(const char *name, int ms, char **why)
{
	struct sv_proc *p = sv_find(name);
	long long deadline = now_ms() + ms;

	if (!p || !p->pid) {
		if (why)
			*why = p ? sv_last_lines(p, 5) : xstrdup("not started");
		return false;
	}
	if (sys_is_dry(sv_sys))
		return true;
	for (;;) {
		struct sv_look look = { .p = p };
		core_on_loop(sv_look_run, &look);
		if (look.exited) {
			if (why)
				*why = sv_last_lines(p, 5);
			return false;
		}
		if (now_ms() >= deadline)
			break;
		core_outside_begin();
		usleep(20000);
		core_outside_end();
	}
	if (p->out_fd >= 0)
		sv_read_output(p);
	return true;
}

static json_t *sv_proc_status(struct sv_proc *p)
{
	json_t *log = json_array(), *argv = json_array();
	int start = p->line_next;

	for (int i = 0; i < SV_LOG_LINES; i++) {
		const char *l = p->lines[(start + i) % SV_LOG_LINES];
		if (l)
			json_array_append_new(log, json_string(l));
	}
	for (size_t i = 0; p->argv && p->argv[i]; i++)
		json_array_append_new(argv, json_string(p->argv[i]));
	return json_pack("{s:b, s:i, s:i, s:i, s:o, s:o}", "running", p->pid != 0, "pid",
			 (int)p->pid, "restarts", p->restarts, "last_status", p->last_status,
			 "argv", argv, "log", log);
}

json_t *sv_status(const char *name)
{
	struct sv_proc *p = sv_find(name);

	return p ? sv_proc_status(p) : NULL;
}

json_t *sv_status_all(void)
{
	json_t *o = json_object();

	for (struct sv_proc *p = sv_procs; p; p = p->next)
		json_object_set_new(o, p->name, sv_proc_status(p));
	return o;
}

void sv_each(void (*fn)(void *arg, const char *name, int pid, int restarts), void *arg)
{
	for (struct sv_proc *p = sv_procs; p; p = p->next)
		if (p->argv)
			fn(arg, p->name, (int)p->pid, p->restarts);
}

void sv_shutdown(void)
{
	struct sv_proc *p = sv_procs, *next;

	for (; p; p = p->next)
		sv_stop(p->name);
	for (p = sv_procs; p; p = next) {
		next = p->next;
		if (sv_loop)
			uv_close((uv_handle_t *)&p->restart_timer, NULL);
		if (sv_loop)
			uv_run(sv_loop, UV_RUN_NOWAIT);
		sv_strv_free(p->argv);
		sv_strv_free(p->env);
		for (int i = 0; i < SV_LOG_LINES; i++)
			free(p->lines[i]);
		sbuf_free(&p->partial);
		free(p->name);
		free(p);
	}
	sv_procs = NULL;
	free(sv_piddir);
	sv_piddir = NULL;
}
