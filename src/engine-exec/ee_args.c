/* The command line of difos-engine-exec (ee_args.h). */
#include <stdio.h>
#include <string.h>

#include "ee_args.h"

const char ee_usage[] =
	"usage: difos-engine-exec [--root DIR [--bind PATH]... [--bind-to HOST=TARGET]...]\n"
	"                         [--] PROGRAM [ARGS...]\n"
	"  --root DIR      run PROGRAM chrooted in DIR, in a mount namespace of its own\n"
	"                  (DIR \"/\": no chroot, only the mount namespace)\n"
	"  --bind PATH     bind the host's PATH at the same PATH inside DIR (repeatable)\n"
	"  --bind-to HOST=TARGET\n"
	"                  bind the host's HOST at TARGET inside DIR, made if missing\n"
	"                  (repeatable)\n"
	"Without --root, PROGRAM is exec'd directly.\n";

int ee_root_is_host(const char *root)
{
	return root && root[0] == '/' && strspn(root, "/") == strlen(root);
}

/* path (a part of value, the option's value) as a bind path */
static int check_path(const char *opt, const char *value, const char *path, char *err,
		      size_t errlen)
{
	const char *p = path;

	if (path[0] != '/') {
		snprintf(err, errlen, "%s %s: the path must be absolute", opt, value);
		return -1;
	}
	if (strspn(path, "/") == strlen(path)) {
		snprintf(err, errlen, "%s %s: binding the whole host over the root is refused", opt,
			 value);
		return -1;
	}
	/* every component, with any run of slashes between them */
	while (*p) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			snprintf(err, errlen, "%s %s: \"..\" is refused in a bind path", opt, value);
			return -1;
		}
		p += n;
	}
	return 0;
}

int ee_check_bind_path(const char *path, char *err, size_t errlen)
{
	return check_path("--bind", path, path, err, errlen);
}

/* --bind-to HOST=TARGET, split into b->buf */
static int bind_to(struct ee_bind *b, const char *v, char *err, size_t errlen)
{
	char *eq;

	b->opt = "--bind-to";
	b->value = v;
	if (snprintf(b->buf, sizeof(b->buf), "%s", v) >= (int)sizeof(b->buf)) {
		snprintf(err, errlen, "--bind-to %s: too long", v);
		return -1;
	}
	eq = strchr(b->buf, '=');
	if (!eq || eq == b->buf || !eq[1]) {
		snprintf(err, errlen, "--bind-to %s: HOST=TARGET expected", v);
		return -1;
	}
	*eq = '\0';
	b->host = b->buf;
	b->target = eq + 1;
	return check_path("--bind-to", v, b->host, err, errlen) < 0 ||
	       check_path("--bind-to", v, b->target, err, errlen) < 0 ? -1 : 0;
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

int ee_parse(int argc, char **argv, struct ee_bind *binds, struct ee_args *a,
	     char *err, size_t errlen)
{
	int i;

	memset(a, 0, sizeof(*a));
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
		if ((v = opt_value(argc, argv, &i, "--bind-to", err, errlen))) {
			if (err[0] || bind_to(&a->binds[a->n_binds], v, err, errlen) < 0)
				return -1;
			a->n_binds++;
			continue;
		}
		if ((v = opt_value(argc, argv, &i, "--bind", err, errlen))) {
			struct ee_bind *b = &a->binds[a->n_binds];

			if (err[0] || ee_check_bind_path(v, err, errlen) < 0)
				return -1;
			b->host = b->target = b->value = v;
			b->opt = "--bind";
			a->n_binds++;
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
		snprintf(err, errlen, "%s %s needs --root", a->binds[0].opt, a->binds[0].value);
		return -1;
	}
	a->program = argv + i;
	return 0;
}
