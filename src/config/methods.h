/*
 * The core's own methods: reading and staging the configuration
 * (config.c), applying, confirming and going back (apply.c), and whether
 * the daemon answers (ops.c); with how difosctl shows their results
 * (config_print.c) and the commands that take options (config_cli.c).
 */
#ifndef DIFOS_CONFIG_METHODS_H
#define DIFOS_CONFIG_METHODS_H

#include "rpc/rpc.h"

struct engine;

extern const struct rpc_method config_methods[];
extern const struct rpc_method apply_methods[];
extern const struct rpc_method ops_methods[];
extern const struct rpc_method backup_methods[];

/* generated.c: the values made at first start (the ULA prefix), made when
 * the store has none, and made the defaults of their fields. */
struct store;
int config_generated_init(struct store *st);

/* config.c: the document changes apply to: the staged one, or a copy of the running one. */
json_t *config_working_doc(struct engine *eng);

/* apply.c: applies doc (stolen) as the call's params say (confirm,
 * confirm_token), on a worker when the caller can wait: the answer is the
 * apply's, now or later (NULL then). */
json_t *config_apply_run(struct rpc_call *c, json_t *doc, const char *comment);

/* config_print.c */
void config_print_staged(const json_t *res);
void config_print_discarded(const json_t *res);
void config_print_added_id(const json_t *res);
void config_print_applied(const json_t *res);
void config_print_history(const json_t *res);
void config_print_diff(const json_t *res);
void config_print_status(const json_t *res);

/* config_cli.c */
int config_cli_add(const struct rpc_cli_ctx *cli, int argc, char **argv);
int config_cli_apply(const struct rpc_cli_ctx *cli, int argc, char **argv);
int config_cli_rollback(const struct rpc_cli_ctx *cli, int argc, char **argv);

/* backup_cli.c */
int backup_cli_create(const struct rpc_cli_ctx *cli, int argc, char **argv);
int backup_cli_restore(const struct rpc_cli_ctx *cli, int argc, char **argv);

#endif
