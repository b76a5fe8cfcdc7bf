/* difosctl's shared pieces: the call helpers and the command groups. */
#ifndef DIFOS_CLI_H
#define DIFOS_CLI_H

#include <jansson.h>
#include <stdbool.h>

enum { EXIT_OK = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3, EXIT_APPLY = 4 };

extern bool opt_json;
extern const char *opt_socket;

void print_json(const json_t *v);
/* Calls a method; on success *result gets the result (owned). Returns an exit code. */
int call(const char *method, json_t *params, json_t **result);
/* Calls a method and prints its result as JSON, with or without --json. */
int call_print(const char *method, json_t *params);
/* Calls a method and prints its result as JSON with --json, else with print_text
   (NULL: nothing, the exit code says it all). params is stolen. Returns an exit code. */
int call_show(const char *method, json_t *params, void (*print_text)(const json_t *res));

/* cmd_auth.c: web access */
int cmd_setup_link(int argc, char **argv);
int cmd_passwd(void);
int cmd_token_create(int argc, char **argv);
int cmd_token_revoke(int argc, char **argv);
int cmd_certificate(int argc, char **argv);

/* cmd_qos.c: bandwidth control */
int cmd_sqm_status(void);
int cmd_sqm_autofill(int argc, char **argv);
int cmd_qos_counters(void);

/* cmd_routes.c: routes */
int cmd_domain_lists(void);
int cmd_countries(int argc, char **argv);
int cmd_update_lists(int argc, char **argv);

#endif
