/* difosctl's commands of the configuration methods that take options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/methods.h"
#include "schema/schema.h"

static int parse_apply_opts(int argc, char **argv, int first, json_t *params)
{
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--confirm")) {
			long secs = 90;
			if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9') {
				char *end;
				secs = strtol(argv[++i], &end, 10);
				if (*end || secs < 1 || secs > 3600) {
					fprintf(stderr, "difosctl: --confirm %s: not 1-3600 seconds\n",
						argv[i]);
					return -1;
				}
			}
			json_object_set_new(params, "confirm", json_integer(secs));
		} else if (!strcmp(argv[i], "--comment") && i + 1 < argc) {
			json_object_set_new(params, "comment", json_string(argv[++i]));
		} else {
			fprintf(stderr, "difosctl: unknown option %s\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

/* apply [--confirm [SECS]] [--comment TEXT] */
int config_cli_apply(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	json_t *params = json_object();

	if (parse_apply_opts(argc, argv, 1, params) < 0) {
		json_decref(params);
		return CLI_USAGE;
	}
	return cli->show("apply", params, config_print_applied);
}

/* rollback REV [--confirm [SECS]] */
int config_cli_rollback(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	json_t *params;
	char *end;
	long long rev;

	if (argc < 2 || (rev = strtoll(argv[1], &end, 10), *end) || rev < 0) {
		fprintf(stderr, "usage: difosctl rollback REV [--confirm [SECS]]\n");
		return CLI_USAGE;
	}
	params = json_pack("{s:I}", "revision", (json_int_t)rev);
	if (parse_apply_opts(argc, argv, 2, params) < 0) {
		json_decref(params);
		return CLI_USAGE;
	}
	return cli->show("rollback", params, config_print_applied);
}

/* add PATH [KEY=VALUE ...]: each value read as its field's kind */
int config_cli_add(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	const struct sc_field *coll, *f;
	json_t *entry = json_object();

	if (argc < 2) {
		fprintf(stderr, "usage: difosctl add PATH [KEY=VALUE ...]\n");
		json_decref(entry);
		return CLI_USAGE;
	}
	coll = schema_lookup(argv[1]);
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '='), why[256];
		json_t *v;
		if (!eq) {
			fprintf(stderr, "difosctl: %s: expected KEY=VALUE\n", argv[i]);
			json_decref(entry);
			return CLI_USAGE;
		}
		*eq = '\0';
		f = NULL;
		for (const struct sc_field *m = coll ? coll->fields : NULL; m && m->name; m++)
			if (!strcmp(m->name, argv[i]))
				f = m;
		if (!f) {
			/* let difosd name the unknown key */
			json_object_set_new(entry, argv[i], json_string(eq + 1));
			continue;
		}
		v = sc_coerce_text(f, eq + 1, why, sizeof(why));
		if (!v) {
			fprintf(stderr, "error: %s.%s: %s %s\n", argv[1], argv[i], eq + 1, why);
			json_decref(entry);
			return CLI_REJECTED;
		}
		json_object_set_new(entry, argv[i], v);
	}
	return cli->show("config.add", json_pack("{s:s, s:o}", "path", argv[1], "value", entry),
			 config_print_added_id);
}
