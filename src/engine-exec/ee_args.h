/*
 * The command line of difos-engine-exec:
 *
 *   difos-engine-exec [--root DIR [--bind PATH]... [--bind-to HOST=TARGET]...]
 *                     [--] PROGRAM [ARGS...]
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

/* one bind: the host's path, and where it is seen inside the root */
struct ee_bind {
	const char *host;
	const char *target;      /* --bind: host itself; --bind-to: TARGET */
	const char *opt;         /* "--bind" or "--bind-to", for messages */
	const char *value;       /* the option's value as given, for messages */
	char buf[4096];          /* --bind-to: HOST and TARGET split */
};

struct ee_args {
	const char *root;        /* NULL: exec PROGRAM directly; "/": no chroot */
	struct ee_bind *binds;   /* absolute paths */
	size_t n_binds;
	char **program;          /* PROGRAM ARGS..., NULL-terminated (points into argv) */
	int help;
};

/*
 * Fills a from argv (binds points into an array of argc entries the caller
 * gives, so no allocation; their paths point into argv or the entry). Returns 0, or -1 with a message naming the
 * option and the value in err.
 */
int ee_parse(int argc, char **argv, struct ee_bind *binds, struct ee_args *a,
	     char *err, size_t errlen);

/*
 * A bind path must be absolute, must not be "/" and must have no ".."
 * component: it names the same place outside and inside the root (and a
 * --bind-to TARGET names a place inside the root, never above it).
 * Returns 0, or -1 with the reason in err.
 */
int ee_check_bind_path(const char *path, char *err, size_t errlen);

/* root "/": the host's own tree, entered without a chroot */
int ee_root_is_host(const char *root);

extern const char ee_usage[];

#endif
