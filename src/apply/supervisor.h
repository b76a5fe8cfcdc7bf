/*
 * The supervisor keeps the engine processes difosd needs (dnsmasq,
 * udhcpc, ...) running: it starts them with argv arrays through the
 * system backend, restarts them with back-off when they die, keeps the
 * last lines of their output, and stops them when asked or at shutdown.
 */
#ifndef DIFOS_SUPERVISOR_H
#define DIFOS_SUPERVISOR_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

struct feature_env;

#define SV_LOG_LINES 50

/* env: the loop, the backend engines start through, and where EV_ENGINE
 * goes; piddir: where started engines are recorded (stale ones are
 * stopped here). */
void sv_init(const struct feature_env *env, const char *piddir);
void sv_shutdown(void);

/*
 * An engine whose output is data for its feature, not only a log (the
 * journal's lines, a parser's findings), and which may read its stdin.
 */
struct sv_io {
	/* a line it wrote (without the newline): true when taken, and then
	 * not kept in its log */
	bool (*line)(void *arg, const char *line, size_t len);
	/* it started: in_fd is the write end of a pipe to its stdin (when
	 * want_stdin; -1 otherwise, or on the dry backend), the caller's to
	 * write and close */
	void (*started)(void *arg, int in_fd);
	bool want_stdin;
};
/* Says so for name before it is started (kept across its restarts; NULL:
 * back to a plain engine). On the loop thread. */
void sv_set_io(const char *name, const struct sv_io *io, void *arg);

/* Starts name with argv unless it already runs with the same argv and env. */
int sv_ensure(const char *name, char *const argv[], char *const env[]);
/* Stops it (SIGTERM, then SIGKILL after a grace period) and forgets it. */
void sv_stop(const char *name);
int sv_restart(const char *name);
int sv_signal(const char *name, int sig);
bool sv_running(const char *name);
/* Waits up to ms for the process to stay alive; false (and its last output
 * in *why) if it exited. */
bool sv_wait_alive(const char *name, int ms, char **why);
/* {name: {running, pid, restarts, argv, log: [..]}} */
json_t *sv_status(const char *name);
json_t *sv_status_all(void);
/* Each engine the supervisor keeps (started, not stopped since), without
 * building its status: for readings taken often (metrics). pid 0: not
 * running now (died, waiting to be started again). */
void sv_each(void (*fn)(void *arg, const char *name, int pid, int restarts), void *arg);
/* Reaps exited children (called on SIGCHLD). */
void sv_reap(void);

#endif
