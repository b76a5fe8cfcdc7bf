/* difosctl's commands that are no method: offline checks, waiting, raw calls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/print.h"
#include "core/util.h"
#include "schema/schema.h"

static int cmd_wait(int argc, char **argv)
{
	double timeout = 30;
	long long deadline;

	if (argc == 3 && !strcmp(argv[1], "--timeout"))
		timeout = atof(argv[2]);
	deadline = now_ms() + (long long)(timeout * 1000);
	for (;;) {
		int fd = client_connect(opt_socket);
		if (fd >= 0) {
			json_t *resp = client_call(fd, "ping", NULL);
			close(fd);
			if (resp && json_object_get(resp, "result")) {
				json_decref(resp);
				return CLI_OK;
			}
			json_decref(resp);
		}
		if (now_ms() > deadline) {
			fprintf(stderr, "difosctl: difosd did not answer within %.0f s at %s\n", timeout,
				opt_socket);
			return CLI_UNREACHABLE;
		}
		usleep(100000);
	}
}

static int cmd_schema(int argc, char **argv)
{
	json_t *s = schema_export();

	(void)argc;
	(void)argv;
	print_json(s);
	json_decref(s);
	return CLI_OK;
}

static int cmd_check(int argc, char **argv)
{
	json_error_t jerr;
	json_t *doc;
	struct sc_error_list errs;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: difosctl check FILE\n");
		return CLI_USAGE;
	}
	if (access(argv[1], F_OK) < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], errno == ENOENT ? "no such file" : strerror(errno));
		return CLI_REJECTED;
	}
	doc = json_load_file(argv[1], 0, &jerr);
	if (!doc && jerr.line < 0) {   /* there but not readable: jansson's text says why */
		fprintf(stderr, "%s: %s\n", argv[1], jerr.text);
		return CLI_REJECTED;
	}
	if (!doc) {
		fprintf(stderr, "%s:%d:%d: %s\n", argv[1], jerr.line, jerr.column, jerr.text);
		return CLI_REJECTED;
	}
	schema_fill_defaults(doc);
	sc_errors_init(&errs);
	schema_validate(doc, &errs);
	if (opt_json) {
		json_t *o = json_pack("{s:b, s:o}", "valid", errs.n == 0, "errors",
				      sc_errors_to_json(&errs));
		print_json(o);
		json_decref(o);
	} else if (errs.n == 0) {
		puts("configuration OK");
	} else {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s: %s\n", argv[1], errs.v[i].message);
	}
	rc = errs.n ? CLI_REJECTED : CLI_OK;
	sc_errors_free(&errs);
	json_decref(doc);
	return rc;
}

static int cmd_call(int argc, char **argv)
{
	json_t *params = NULL;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: difosctl call METHOD [JSON]\n");
		return CLI_USAGE;
	}
	if (argc == 3) {
		json_error_t jerr;
		/* "-": from standard input, for documents larger than an argument */
		params = strcmp(argv[2], "-") ? json_loads(argv[2], 0, &jerr) :
						json_loadf(stdin, 0, &jerr);
		if (!params) {
			fprintf(stderr, "difosctl: params: %s\n", jerr.text);
			return CLI_USAGE;
		}
	}
	return cli_show(argv[1], params, print_json);
}

const struct cli_local cli_locals[] = {
	{ "wait", "[--timeout SECS]", "wait until difosd answers", "State", cmd_wait },
	{ "schema", NULL, "the configuration schema (JSON Schema)", "Offline", cmd_schema },
	{ "check", "FILE", "validate a configuration document", "Offline", cmd_check },
	{ "call", "METHOD [JSON|-]", "raw JSON-RPC call (- reads the params from stdin)", "Offline",
	  cmd_call },
	{ NULL }
};
