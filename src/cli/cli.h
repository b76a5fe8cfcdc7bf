/*
 * difosctl: every command comes from the method table (a method's cli
 * entry: command, arguments, printer) or from the few that need no
 * method (local.c). calls.c talks to difosd and reports its errors.
 */
#ifndef DIFOS_CLI_H
#define DIFOS_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "rpc/rpc.h"

extern bool opt_json;
extern const char *opt_socket;
extern bool opt_socket_given;   /* --socket, not the one under --root */

/* calls.c */
/* Calls a method (params stolen); on success *result gets the result (owned). An exit code. */
int cli_call(const char *method, json_t *params, json_t **result);
/* Calls and prints: JSON with --json, else print (NULL: nothing). An exit code. */
int cli_show(const char *method, json_t *params, void (*print)(const json_t *res));
/* Says that difosd cannot be reached at the socket, and which --root or
 * --socket made that path; errnum as from connect. */
void cli_unreachable(int errnum);
/* Tells a JSON-RPC error object (as JSON with --json); its exit code. */
int cli_report_error(const json_t *err);
/* What a method's own command is given. */
extern struct rpc_cli_ctx cli_ctx;  /* .json set from --json */

/* suggest.c: the command line */
/* Removes every flag word from argv (up to a "--"); true when there was one. */
bool cli_take_flag(int *argc, char **argv, const char *flag);
size_t cli_edit_distance(const char *a, const char *b);
/* The name nearest to word, or NULL when none is near enough to be a typo. */
const char *cli_nearest(const char *word, const char *const *names, size_t n);

/* local.c: commands without a method of their own */
struct cli_local {
	const char *command, *usage, *help, *group;
	int (*run)(int argc, char **argv);
};
extern const struct cli_local cli_locals[];

#endif
