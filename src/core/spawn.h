/*
 * Running external commands: argv arrays only, never a shell. Every
 * child gets closed inherited descriptors, a parent-death signal, a
 * timeout and a cap on the output kept.
 */
#ifndef DIFOS_SPAWN_H
#define DIFOS_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#define SPAWN_OUTPUT_CAP (64 * 1024)

struct spawn_result {
	int status;      /* exit code; 128+signal if killed; -1 if it could not start */
	bool timed_out;
	char *output;    /* stdout+stderr, at most SPAWN_OUTPUT_CAP bytes, NUL-terminated */
	size_t output_len;
};

/* Runs argv (argv[0] is looked up in PATH) with stdin from /dev/null or
 * the given input. Blocks until exit or timeout_ms (then SIGKILL). */
int spawn_run(char *const argv[], const char *input, int timeout_ms, struct spawn_result *res);
void spawn_result_free(struct spawn_result *res);

/* Starts argv in the background with stdout+stderr to the write end of a
 * pipe returned in *out_fd (non-blocking); with in_fd, its stdin is a pipe
 * whose write end (non-blocking) is returned there, else /dev/null. envp may add variables (NULL-terminated,
 * "K=V"). Returns the pid or -errno. */
pid_t spawn_background(char *const argv[], char *const envp_add[], int *in_fd, int *out_fd);

/* Starts path with argv and exactly envp, in cwd, as the leader of a
 * new session whose controlling terminal is a new pseudo-terminal of
 * cols x rows; the master side (non-blocking, close-on-exec) is returned in
 * *master_fd. The child dies with difosd (SIGHUP). Returns the pid or -errno. */
pid_t spawn_pty(const char *path, char *const argv[], char *const envp[], const char *cwd,
		unsigned short cols, unsigned short rows, int *master_fd);

/* Joins argv into one printable line (for logs and the dry backend). */
char *spawn_argv_string(char *const argv[]);

#endif
