/*
 * The command line of difos-engine-exec:
 *
 *   difos-engine-exec [--root DIR [--bind PATH]...] [--] PROGRAM [ARGS...]
 *   difos-engine-exec [--bind-at SRC:DST]... [--] PROGRAM [ARGS...]
 *
 * Parsed without side effects, so the unit tests can check every refusal.
 */
#ifndef DIFOS_EE_ARGS_H
#define DIFOS_EE_ARGS_H

#include <stddef.h>

/* exit codes, as env(1) has them */
enum {
	EE_EXIT_FAIL = 125,      /* our own failure: usage, namespace, bind, chroot */
	EE_EXIT_CANNOT_RUN = 126, /* PROGRAM found but not runnable */
	EE_EXIT_NOT_FOUND = 127,  /* PROGRAM not found */
};

struct ee_args {
	const char *root;        /* NULL: exec PROGRAM directly */
	const char **binds;      /* absolute host paths, bound at the same path in root */
	size_t n_binds;
	/* without a root: "SRC:DST", a host folder bound over another in a
	 * mount namespace of the engine's own, for an engine whose paths are
	 * compiled in (charon's /var/run/charon.pid). An array of argc
	 * entries the caller sets before ee_parse (kept by it; NULL: the
	 * option is refused). */
	const char **at;
	size_t n_at;
	char **program;          /* PROGRAM ARGS..., NULL-terminated (points into argv) */
	int help;
};

/*
 * Fills a from argv (binds points into an array of argc entries the caller
 * gives, so no allocation). Returns 0, or -1 with a message naming the
 * option and the value in err.
 */
int ee_parse(int argc, char **argv, const char **binds, struct ee_args *a,
	     char *err, size_t errlen);

/*
 * A bind path must be absolute, must not be "/" and must have no ".."
 * component: it names the same place outside and inside the root.
 * Returns 0, or -1 with the reason in err.
 */
int ee_check_bind_path(const char *path, char *err, size_t errlen);

extern const char ee_usage[];

#endif
