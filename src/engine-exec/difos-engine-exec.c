/*
 * difos-engine-exec: runs an engine (Asterisk) inside its engine root.
 *
 *   difos-engine-exec --root DIR [--bind PATH]... -- PROGRAM ARGS...
 *
 * In a mount namespace of its own, it binds each host PATH at the same PATH
 * inside DIR (so a path difosd renders into a config file means the same
 * place for the engine), chroots into DIR and execs PROGRAM, found by PATH
 * inside the root. The process stays the one difosd spawned: signals and the
 * exit status are the engine's. Without --root it execs PROGRAM directly.
 * No shell. Exit codes as env(1): 125 our own failure, 126 PROGRAM cannot
 * run, 127 PROGRAM not found.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ee_args.h"
#include "ee_enter.h"

int main(int argc, char **argv)
{
	char err[4200];
	struct ee_args a;
	const char **binds;
	int e;

	binds = calloc((size_t)argc, sizeof(*binds));
	a.at = calloc((size_t)argc, sizeof(*a.at));
	if (!binds || !a.at) {
		fprintf(stderr, "difos-engine-exec: out of memory\n");
		return EE_EXIT_FAIL;
	}
	if (ee_parse(argc, argv, binds, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "difos-engine-exec: %s\n%s", err, ee_usage);
		free(binds);
		free(a.at);
		return EE_EXIT_FAIL;
	}
	if (a.help) {
		fputs(ee_usage, stdout);
		free(binds);
		free(a.at);
		return 0;
	}
	/*
	 * From here on the process may be inside the root, where no /proc is
	 * mounted: leave by _exit, so no exit handler (a leak checker of a
	 * sanitizer build) looks for one and changes the exit code.
	 */
	if (((a.root && ee_enter(&a, err, sizeof(err)) < 0)) ||
	    (a.n_at && ee_bind_at(&a, err, sizeof(err)) < 0)) {
		fprintf(stderr, "difos-engine-exec: %s\n", err);
		_exit(EE_EXIT_FAIL);
	}
	execvp(a.program[0], a.program);
	e = errno;
	fprintf(stderr, "difos-engine-exec: %s%s%s: %s\n", a.program[0],
		a.root ? " in " : "", a.root ? a.root : "", strerror(e));
	_exit(e == ENOENT ? EE_EXIT_NOT_FOUND : EE_EXIT_CANNOT_RUN);
}
