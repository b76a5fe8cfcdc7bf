/* Unit tests of difos-engine-exec's command line (src/engine-exec/ee_args.c). */
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "engine-exec/ee_args.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char err[512];
static const char *binds[16];
static struct ee_args a;

/* parses a NULL-terminated list (argv[0] included) */
static int parse(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return ee_parse(argc, argv, binds, &a, err, sizeof(err));
}

static void test_root_binds_and_program(void)
{
	char *argv[] = { "x", "--root", "/var/cache/difos/pbx-root", "--bind", "/var/lib/difos/pbx",
			 "--bind=/run/difos", "--", "asterisk", "-f", "-C", "/etc/a.conf", NULL };

	T_CHECK(parse(argv) == 0);
	T_CHECK_STR(a.root, "/var/cache/difos/pbx-root");
	T_CHECK(a.n_binds == 2);
	T_CHECK_STR(a.binds[0], "/var/lib/difos/pbx");
	T_CHECK_STR(a.binds[1], "/run/difos");
	T_CHECK_STR(a.program[0], "asterisk");
	T_CHECK_STR(a.program[3], "/etc/a.conf");
	T_CHECK(a.program[4] == NULL);
}

static void test_without_root_execs_directly(void)
{
	char *argv[] = { "x", "--", "/usr/sbin/asterisk", "-f", NULL };
	char *argv2[] = { "x", "true", NULL };

	T_CHECK(parse(argv) == 0);
	T_CHECK(a.root == NULL && a.n_binds == 0);
	T_CHECK_STR(a.program[0], "/usr/sbin/asterisk");
	T_CHECK(parse(argv2) == 0);
	T_CHECK_STR(a.program[0], "true");
}

static void test_program_options_are_its_own(void)
{
	/* after "--" (or PROGRAM) nothing is ours, even what looks like an option */
	char *argv[] = { "x", "--root=/r", "--", "--root", "--bind", NULL };
	char *argv2[] = { "x", "--root", "/r", "prog", "--bind", "..", NULL };

	T_CHECK(parse(argv) == 0);
	T_CHECK_STR(a.program[0], "--root");
	T_CHECK(a.n_binds == 0);
	T_CHECK(parse(argv2) == 0);
	T_CHECK_STR(a.program[1], "--bind");
}

static void test_bind_paths_refused(void)
{
	static const struct {
		const char *path, *why;
	} cases[] = {
		{ "var/lib", "--bind var/lib: the path must be absolute" },
		{ "./x", "--bind ./x: the path must be absolute" },
		{ "/var/../etc", "--bind /var/../etc: \"..\" is refused in a bind path" },
		{ "/..", "--bind /..: \"..\" is refused in a bind path" },
		{ "/a/b/..", "--bind /a/b/..: \"..\" is refused in a bind path" },
		{ "//a//..//b", "--bind //a//..//b: \"..\" is refused in a bind path" },
		{ "/", "--bind /: binding the whole host over the root is refused" },
		{ "///", "--bind ///: binding the whole host over the root is refused" },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		char *argv[] = { "x", "--root", "/r", "--bind", (char *)cases[i].path, "--", "p", NULL };

		T_CHECK(parse(argv) == -1);
		T_CHECK_STR(err, cases[i].why);
	}
}

static void test_bind_paths_accepted(void)
{
	/* names that merely contain dots are names */
	static const char *ok[] = { "/a/..b", "/a/b..", "/.../x", "/a/./b", "/tmp/x/", "/a.b/c" };
	size_t i;

	for (i = 0; i < NELEM(ok); i++) {
		int rc = ee_check_bind_path(ok[i], err, sizeof(err));

		if (rc != 0)
			fprintf(stderr, "    %s: %s\n", ok[i], err);
		T_CHECK(rc == 0);
	}
}

static void test_usage_errors(void)
{
	static const struct {
		char *argv[8];
		const char *why;
	} cases[] = {
		{ { "x", NULL }, "no PROGRAM to run" },
		{ { "x", "--root", "/r", NULL }, "no PROGRAM to run" },
		{ { "x", "--root", "/r", "--", NULL }, "no PROGRAM to run" },
		{ { "x", "--root", NULL }, "--root needs a value" },
		{ { "x", "--root=", "p", NULL }, "--root: the value is empty" },
		{ { "x", "--bind", NULL }, "--bind needs a value" },
		{ { "x", "--root", "/a", "--root", "/b", "p", NULL }, "--root /b: given twice (first /a)" },
		{ { "x", "--bind", "/tmp", "p", NULL }, "--bind /tmp needs --root" },
		{ { "x", "--rootx", "/r", "p", NULL }, "unknown option --rootx" },
		{ { "x", "-v", "p", NULL }, "unknown option -v" },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		T_CHECK(parse((char **)cases[i].argv) == -1);
		T_CHECK_STR(err, cases[i].why);
	}
}

static void test_help(void)
{
	char *argv[] = { "x", "--help", NULL };

	T_CHECK(parse(argv) == 0 && a.help);
	T_CHECK(strstr(ee_usage, "--root DIR") != NULL);
}

static void test_bind_at(void)
{
	static const char *at[16];
	char *ok[] = { "x", "--bind-at", "/run/difos/ipsec/run:/run", "--bind-at=/a:/b", "--",
		       "/usr/lib/ipsec/charon", NULL };
	char *no_colon[] = { "x", "--bind-at", "/run/difos", "p", NULL };
	char *relative[] = { "x", "--bind-at", "run:/run", "p", NULL };
	char *dotdot[] = { "x", "--bind-at", "/a:/run/../etc", "p", NULL };
	char *with_root[] = { "x", "--root", "/r", "--bind-at", "/a:/b", "p", NULL };

	/* refused where the caller gave no room for it */
	a.at = NULL;
	T_CHECK(parse(ok) < 0);
	T_CHECK_STR(err, "unknown option --bind-at");
	a.at = at;
	T_CHECK(parse(ok) == 0);
	T_CHECK(a.n_at == 2 && a.root == NULL);
	T_CHECK_STR(a.at[0], "/run/difos/ipsec/run:/run");
	T_CHECK_STR(a.at[1], "/a:/b");
	T_CHECK_STR(a.program[0], "/usr/lib/ipsec/charon");
	T_CHECK(parse(no_colon) < 0);
	T_CHECK_STR(err, "--bind-at /run/difos: SRC:DST, two absolute paths");
	T_CHECK(parse(relative) < 0);
	T_CHECK_STR(err, "--bind run: the path must be absolute");
	T_CHECK(parse(dotdot) < 0);
	T_CHECK(strstr(err, "\"..\" is refused") != NULL);
	T_CHECK(parse(with_root) < 0);
	T_CHECK_STR(err, "--bind-at /a:/b: not with --root (use --bind)");
	a.at = NULL;
}

int main(void)
{
	T_RUN(test_root_binds_and_program);
	T_RUN(test_without_root_execs_directly);
	T_RUN(test_program_options_are_its_own);
	T_RUN(test_bind_paths_refused);
	T_RUN(test_bind_paths_accepted);
	T_RUN(test_usage_errors);
	T_RUN(test_help);
	T_RUN(test_bind_at);
	return t_done("engine_exec");
}
