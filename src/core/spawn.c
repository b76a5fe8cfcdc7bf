#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/spawn.h"
#include "core/util.h"

extern char **environ;

static void spawn_child_setup(int out_fd, int in_fd)
{
	sigset_t all;

	/* the engine dies with difosd: a kill -9 must not leave stale engines */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	setpgid(0, 0);
	if (in_fd >= 0)
		dup2(in_fd, 0);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	syscall(SYS_close_range, 3, ~0U, 0);
}

static void spawn_add_env(char *const envp_add[])
{
	for (size_t i = 0; envp_add && envp_add[i]; i++)
		putenv(envp_add[i]);
}

int spawn_run(char *const argv[], const char *input, int timeout_ms, struct spawn_result *res)
{
	int outp[2], inp[2] = { -1, -1 };
	pid_t pid;
	struct sbuf b;
	long long deadline = now_ms() + timeout_ms;
	bool open_out = true;
	int st;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(inp, O_CLOEXEC) < 0) {
		close(outp[0]);
		close(outp[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(outp[0]);
		close(outp[1]);
		close(inp[0]);
		close(inp[1]);
		return -e;
	}
	if (pid == 0) {
		spawn_child_setup(outp[1], inp[0]);
		execvp(argv[0], argv);
		dprintf(1, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(outp[1]);
	close(inp[0]);
	if (input) {
		/* inputs are small (configs); a blocking write is fine */
		size_t off = 0, len = strlen(input);
		signal(SIGPIPE, SIG_IGN);
		while (off < len) {
			ssize_t w = write(inp[1], input + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	close(inp[1]);

	sbuf_init(&b);
	while (open_out) {
		long long left = deadline - now_ms();
		struct pollfd pfd = { .fd = outp[0], .events = POLLIN };
		char buf[4096];
		int r;

		if (left <= 0) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t n = read(outp[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			open_out = false;
			break;
		}
		if (b.len < SPAWN_OUTPUT_CAP)
			sbuf_addn(&b, buf, (size_t)n > SPAWN_OUTPUT_CAP - b.len ?
				  SPAWN_OUTPUT_CAP - b.len : (size_t)n);
	}
	close(outp[0]);
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			st = 0;
			break;
		}
	}
	if (WIFEXITED(st))
		res->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		res->status = 128 + WTERMSIG(st);
	res->output_len = b.len;
	res->output = sbuf_steal(&b);
	return 0;
}

void spawn_result_free(struct spawn_result *res)
{
	free(res->output);
	res->output = NULL;
}

pid_t spawn_background(char *const argv[], char *const envp_add[], int *in_fd, int *out_fd)
{
	int outp[2], inp[2] = { -1, -1 }, devnull;
	pid_t pid;

	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	if (in_fd && pipe2(inp, O_CLOEXEC) < 0) {
		int e = errno;
		close(outp[0]);
		close(outp[1]);
		return -e;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(outp[0]);
		close(outp[1]);
		if (in_fd) {
			close(inp[0]);
			close(inp[1]);
		}
		return -e;
	}
	if (pid == 0) {
		devnull = in_fd ? inp[0] : open("/dev/null", O_RDONLY);
		spawn_child_setup(outp[1], devnull);
		spawn_add_env(envp_add);
		execvp(argv[0], argv);
		dprintf(1, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* the child does the same; doing it here too means the group exists
	 * before anyone may signal it */
	setpgid(pid, pid);
	close(outp[1]);
	fcntl(outp[0], F_SETFL, fcntl(outp[0], F_GETFL) | O_NONBLOCK);
	*out_fd = outp[0];
	if (in_fd) {
		close(inp[0]);
		fcntl(inp[1], F_SETFL, fcntl(inp[1], F_GETFL) | O_NONBLOCK);
		*in_fd = inp[1];
	}
	return pid;
}

pid_t spawn_pty(const char *path, char *const argv[], char *const envp[], const char *cwd, unsigned short cols,
		unsigned short rows, int *master_fd)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	char slave[64];
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), e;
	pid_t pid;

	if (master < 0)
		return -errno;
	if (grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, slave, sizeof(slave)) != 0) {
		e = errno;
		close(master);
		return -e;
	}
	ioctl(master, TIOCSWINSZ, &ws);
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(master);
		return -e;
	}
	if (pid == 0) {
		sigset_t all;
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGHUP);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		/* a session of its own: the terminal opened next becomes its
		 * controlling one, so ^C and job control reach its foreground */
		setsid();
		fd = open(slave, O_RDWR);
		if (fd < 0)
			_exit(126);
		ioctl(fd, TIOCSCTTY, 0);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		syscall(SYS_close_range, 3, ~0U, 0);
		if (cwd && chdir(cwd) < 0 && chdir("/") < 0)
			_exit(126);
		execve(path, argv, envp);
		dprintf(2, "cannot run %s: %s\r\n", path, strerror(errno));
		_exit(127);
	}
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	*master_fd = master;
	return pid;
}

char *spawn_argv_string(char *const argv[])
{
	struct sbuf b;

	sbuf_init(&b);
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			sbuf_add(&b, " ");
		sbuf_add(&b, argv[i]);
	}
	return sbuf_steal(&b);
}
