/*
 * Background jobs of the linux backend: a command spawned on the loop
 * (argv, no shell, no inherited output), killed after its timeout, whose
 * end is reported from the loop once both of its handles are closed.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "apply/system.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/spawn.h"

struct sys_job {
	uv_process_t proc;
	uv_timer_t timer;
	int open_handles;
	int status;
	bool exited;
	sys_job_done done;
	void *arg;
	struct sys_job *next;
};

/* jobs started and not yet reported: difosd may stop before they end */
static struct sys_job *jobs;

static void job_unlink(struct sys_job *j)
{
	for (struct sys_job **pp = &jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			return;
		}
}

static void job_closed(uv_handle_t *h)
{
	struct sys_job *j = h->data;

	if (--j->open_handles > 0)
		return;
	job_unlink(j);
	core_enter();
	j->done(j->arg, j->status);
	core_leave();
	free(j);
}

static void job_exit(uv_process_t *p, int64_t status, int sig)
{
	struct sys_job *j = p->data;

	j->exited = true;
	j->status = sig ? 128 + sig : (int)status;
	uv_timer_stop(&j->timer);
	uv_close((uv_handle_t *)&j->timer, job_closed);
	uv_close((uv_handle_t *)&j->proc, job_closed);
}

static void job_timeout(uv_timer_t *t)
{
	struct sys_job *j = t->data;

	log_warn("job pid %d ran out of time; killed", j->proc.pid);
	uv_process_kill(&j->proc, SIGKILL);
}

static void job_free_unstarted(uv_handle_t *h)
{
	free(h->data);
}

int sys_linux_job(struct sys *s, uv_loop_t *loop, char *const argv[], int timeout_ms,
		  sys_job_done done, void *arg)
{
	uv_stdio_container_t stdio[3] = { { .flags = UV_IGNORE }, { .flags = UV_IGNORE },
					  { .flags = UV_IGNORE } };
	uv_process_options_t opt = { .file = argv[0], .args = (char **)argv, .stdio = stdio,
				     .stdio_count = 3, .exit_cb = job_exit };
	struct sys_job *j = xcalloc(1, sizeof(*j));
	char *line = spawn_argv_string(argv);
	int rc;

	(void)s;
	log_debug("job: %s", line);
	free(line);
	j->done = done;
	j->arg = arg;
	j->proc.data = j;
	rc = uv_spawn(loop, &j->proc, &opt);
	if (rc < 0) {
		log_err("cannot start %s: %s", argv[0], uv_strerror(rc));
		j->proc.data = j;
		uv_close((uv_handle_t *)&j->proc, job_free_unstarted);
		return -1;
	}
	j->open_handles = 2;
	j->next = jobs;
	jobs = j;
	uv_timer_init(loop, &j->timer);
	j->timer.data = j;
	uv_timer_start(&j->timer, job_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

void sys_linux_jobs_end(void)
{
	/* the loop is gone (its handles were closed without our callbacks):
	 * a job still running is killed, and nobody waits for its result */
	while (jobs) {
		struct sys_job *j = jobs;

		jobs = j->next;
		if (!j->exited && j->proc.pid > 0)
			kill(j->proc.pid, SIGKILL);
		free(j);
	}
}
