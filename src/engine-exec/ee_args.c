/* The command line of difos-engine-exec (ee_args.h). */
#include <stdio.h>
#include <string.h>

#include "ee_args.h"

const char ee_usage[] =
	"usage: difos-engine-exec [--root DIR [--bind PATH]...] [--] PROGRAM [ARGS...]\n"
	"  --root DIR   run PROGRAM chrooted in DIR, in a mount namespace of its own\n"
	"  --bind PATH  bind the host's PATH at the same PATH inside DIR (repeatable)\n"
	"  --bind-at SRC:DST  without --root: bind the host's folder SRC over DST, in a mount\n"
	"               namespace of its own (repeatable)\n"
	"Without --root or --bind-at, PROGRAM is exec'd directly.\n";

int ee_check_bind_path(const char *path, char *err, size_t errlen)
{
	const char *p = path;

	if (path[0] != '/') {
		snprintf(err, errlen, "--bind %s: the path must be absolute", path);
		return -1;
	}
	if (strspn(path, "/") == strlen(path)) {
		snprintf(err, errlen, "--bind %s: binding the whole host over the root is refused", path);
		return -1;
	}
	/* every component, with any run of slashes between them */
	while (*p) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			snprintf(err, errlen, "--bind %s: \"..\" is refused in a bind path", path);
			return -1;
		}
		p += n;
	}
	return 0;
}

/* "--name VALUE" or "--name=VALUE": the value, else NULL */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
			     char *err, size_t errlen)
{
	size_t n = strlen(name);
	const char *v;

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=') {
		v = argv[*i] + n + 1;
	} else if (argv[*i][n] == '\0') {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "%s needs a value", name);
			return "";
		}
		v = argv[++*i];
	} else {
		return NULL;
	}
	if (!*v)
		snprintf(err, errlen, "%s: the value is empty", name);
	return v;
}

int ee_parse(int argc, char **argv, const char **binds, struct ee_args *a,
	     char *err, size_t errlen)
{
	const char **at = a->at;
	int i;

	memset(a, 0, sizeof(*a));
	a->at = at;
	a->binds = binds;
	err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *v;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			a->help = 1;
			return 0;
		}
		if ((v = opt_value(argc, argv, &i, "--root", err, errlen))) {
			if (err[0])
				return -1;
			if (a->root) {
				snprintf(err, errlen, "--root %s: given twice (first %s)", v, a->root);
				return -1;
			}
			a->root = v;
			continue;
		}
		if ((v = opt_value(argc, argv, &i, "--bind", err, errlen))) {
			if (err[0] || ee_check_bind_path(v, err, errlen) < 0)
				return -1;
			a->binds[a->n_binds++] = v;
			continue;
		}
		if ((v = opt_value(argc, argv, &i, "--bind-at", err, errlen))) {
			const char *colon = strchr(v, ':');
			char src[4096];

			if (err[0])
				return -1;
			if (!a->at) {
				snprintf(err, errlen, "unknown option --bind-at");
				return -1;
			}
			if (!colon || colon == v || strchr(colon + 1, ':')) {
				snprintf(err, errlen, "--bind-at %s: SRC:DST, two absolute paths", v);
				return -1;
			}
			snprintf(src, sizeof(src), "%.*s", (int)(colon - v), v);
			if (ee_check_bind_path(src, err, errlen) < 0 ||
			    ee_check_bind_path(colon + 1, err, errlen) < 0)
				return -1;
			a->at[a->n_at++] = v;
			continue;
		}
		if (argv[i][0] == '-') {
			snprintf(err, errlen, "unknown option %s", argv[i]);
			return -1;
		}
		break;   /* PROGRAM */
	}
	if (i >= argc) {
		snprintf(err, errlen, "no PROGRAM to run");
		return -1;
	}
	if (a->n_binds && !a->root) {
		snprintf(err, errlen, "--bind %s needs --root", a->binds[0]);
		return -1;
	}
	if (a->n_at && a->root) {
		snprintf(err, errlen, "--bind-at %s: not with --root (use --bind)", a->at[0]);
		return -1;
	}
	a->program = argv + i;
	return 0;
}
