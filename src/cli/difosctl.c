/*
 * difosctl: every core method from the shell. Its commands, their
 * arguments, their output and --help are the cli entries of the method
 * table; local.c adds the few commands that need no method.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/feature.h"
#include "cli/cli.h"
#include "core/root.h"
#include "core/util.h"
#include "daemon/methods.h"
#include "schema/schema.h"

#define USAGE_COLUMN 33

/* One line of --help: the command and its arguments, then what it does. */
static void usage_line(FILE *f, const char *command, const char *usage, const char *help)
{
	char *left = xasprintf("%s%s%s", command, usage && *usage ? " " : "", usage ? usage : "");

	if (strlen(left) < USAGE_COLUMN - 1)
		fprintf(f, "  %-*s%s\n", USAGE_COLUMN, left, help);
	else
		fprintf(f, "  %s\n  %-*s%s\n", left, USAGE_COLUMN, "", help);
	free(left);
}

/* "from to" -> "FROM TO"; "path?" -> "[PATH]"; "cc..." -> "[CC...]" */
static char *usage_from_args(const char *args)
{
	struct sbuf b;
	const char *p = args;

	sbuf_init(&b);
	while (p && *p) {
		size_t n = strcspn(p, " ");
		bool optional = n && p[n - 1] == '?', rest = n > 3 && !strncmp(p + n - 3, "...", 3);
		size_t name = n - (optional ? 1 : 0) - (rest ? 3 : 0);

		sbuf_add(&b, b.len ? " " : "");
		sbuf_add(&b, optional || rest ? "[" : "");
		for (size_t i = 0; i < name; i++)
			sbuf_printf(&b, "%c", toupper((unsigned char)p[i]));
		sbuf_add(&b, rest ? "...]" : optional ? "]" : "");
		p += n;
		while (*p == ' ')
			p++;
	}
	return sbuf_steal(&b);
}

static char *method_usage(const struct rpc_method *m)
{
	return m->cli.usage ? xstrdup(m->cli.usage) : usage_from_args(m->cli.args);
}

struct usage_ctx {
	FILE *f;
	const char *group;
	bool shown;
	json_t *groups;   /* the groups in the order they come */
};

static void usage_collect_group(const struct rpc_method *m, void *arg)
{
	struct usage_ctx *u = arg;

	if (m->cli.command && m->group && !json_object_get(u->groups, m->group))
		json_object_set_new(u->groups, m->group, json_true());
}

static void usage_group_method(const struct rpc_method *m, void *arg)
{
	struct usage_ctx *u = arg;
	char *usage;

	if (!m->cli.command || !m->group || strcmp(m->group, u->group))
		return;
	usage = method_usage(m);
	usage_line(u->f, m->cli.command, usage, m->cli.help ? m->cli.help : m->help);
	free(usage);
}

static void usage(FILE *f)
{
	struct usage_ctx u = { .f = f, .groups = json_object() };
	const char *group;
	json_t *v;

	fputs("usage: difosctl [--root DIR | --socket PATH] [--json] COMMAND [ARGS]\n"
	      "  (--json may also come after the command and its arguments)\n", f);
	rpc_each(usage_collect_group, &u);
	for (const struct cli_local *l = cli_locals; l->command; l++)
		if (!json_object_get(u.groups, l->group))
			json_object_set_new(u.groups, l->group, json_true());
	json_object_foreach(u.groups, group, v) {
		fputc('\n', f);
		for (const char *c = group; *c; c++)
			fputc(tolower((unsigned char)*c), f);
		fputc('\n', f);
		u.group = group;
		rpc_each(usage_group_method, &u);
		for (const struct cli_local *l = cli_locals; l->command; l++)
			if (!strcmp(l->group, group))
				usage_line(f, l->command, l->usage, l->help);
	}
	fputs("\nexit codes: 0 ok, 1 rejected, 2 usage, 3 difosd unreachable, "
	      "4 apply failed (rolled back)\n", f);
	json_decref(u.groups);
}

struct command_find {
	const char *command;
	const struct rpc_method *m;
};

static void command_try(const struct rpc_method *m, void *arg)
{
	struct command_find *f = arg;

	if (!f->m && m->cli.command && !strcmp(m->cli.command, f->command))
		f->m = m;
}

static int command_usage_error(const struct rpc_method *m)
{
	char *u = method_usage(m);

	fprintf(stderr, "usage: difosctl %s%s%s\n", m->cli.command, *u ? " " : "", u);
	free(u);
	return CLI_USAGE;
}

/*
 * A method's command without a run function of its own: each argument is
 * the parameter its cli.args names, read as that parameter's kind.
 */
static int command_generic(const struct rpc_method *m, int argc, char **argv)
{
	json_t *params = json_object();
	const char *p = m->cli.args;
	int i = 1;

	while (p && *p) {
		size_t n = strcspn(p, " ");
		bool optional = n && p[n - 1] == '?', rest = n > 3 && !strncmp(p + n - 3, "...", 3);
		char *name = xstrndup(p, n - (optional ? 1 : 0) - (rest ? 3 : 0));
		const struct sc_field *f = rpc_param(m, name);
		char why[256];

		/* one argument, or with "..." all that are left */
		while (i < argc && f && (rest || !json_object_get(params, name))) {
			json_t *v = rpc_param_from_text(f, argv[i], why, sizeof(why));
			if (!v) {
				/* told as difosd would tell a value of the wrong kind */
				char *msg = xasprintf("%s: %s %s", name, argv[i], why);
				json_t *err = json_pack("{s:i, s:s, s:{s:s, s:s, s:s}}", "code", -32001,
					"message", msg, "data", "reason", RPC_INVALID, "path", name,
					"value", argv[i]);
				int rc = cli_report_error(err);

				json_decref(err);
				free(msg);
				free(name);
				json_decref(params);
				return rc;
			}
			i++;
			if (!rest) {
				json_object_set_new(params, name, v);
				continue;
			}
			if (!json_object_get(params, name))
				json_object_set_new(params, name, json_array());
			if (json_is_array(v))
				json_array_extend(json_object_get(params, name), v);
			else
				json_array_append(json_object_get(params, name), v);
			json_decref(v);
		}
		if (!json_object_get(params, name) && !optional && !rest) {
			free(name);
			json_decref(params);
			return command_usage_error(m);
		}
		free(name);
		p += n;
		while (*p == ' ')
			p++;
	}
	if (i < argc) {
		json_decref(params);
		return command_usage_error(m);
	}
	return cli_show(m->name, params, m->cli.print);
}

struct command_names {
	const char **v;
	size_t n, cap;
};

static void command_name(const struct rpc_method *m, void *arg)
{
	struct command_names *c = arg;

	if (!m->cli.command)
		return;
	if (c->n == c->cap)
		c->v = xrealloc(c->v, (c->cap = c->cap ? 2 * c->cap : 64) * sizeof(*c->v));
	c->v[c->n++] = m->cli.command;
}

/* One line: the nearest command, not the whole --help. */
static void command_unknown(const char *word)
{
	struct command_names c = { 0 };
	const char *near;

	rpc_each(command_name, &c);
	for (const struct cli_local *l = cli_locals; l->command; l++)
		command_name(&(struct rpc_method){ .cli = { .command = l->command } }, &c);
	near = cli_nearest(word, c.v, c.n);
	if (near)
		fprintf(stderr, "difosctl: unknown command \"%s\"; did you mean \"%s\"? "
			"(difosctl --help lists them)\n", word, near);
	else
		fprintf(stderr, "difosctl: unknown command \"%s\" (difosctl --help lists them)\n",
			word);
	free(c.v);
}

static int command_run(int argc, char **argv)
{
	struct command_find f = { .command = argv[0] };

	rpc_each(command_try, &f);
	if (f.m)
		return f.m->cli.run ? f.m->cli.run(&cli_ctx, argc, argv) :
				      command_generic(f.m, argc, argv);
	for (const struct cli_local *l = cli_locals; l->command; l++)
		if (!strcmp(l->command, argv[0]))
			return l->run(argc, argv);
	command_unknown(argv[0]);
	return CLI_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *sock = NULL;
	int c, rc;

	feature_schema_init();
	methods_register_all();
	/* --json anywhere on the line, before or after the command */
	opt_json = cli_take_flag(&argc, argv, "--json");
	/* the other options come before the command; the command's own after it */
	while ((c = getopt_long(argc, argv, "+r:s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root_set(optarg); break;
		case 's': opt_socket = optarg; break;
		case 'j': opt_json = true; break;
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!opt_socket)
		opt_socket = sock = root_path("/run/difos/control.sock");
	else
		opt_socket_given = true;
	cli_ctx.json = opt_json;
	rc = command_run(argc - optind, argv + optind);
	free(sock);
	return rc;
}
