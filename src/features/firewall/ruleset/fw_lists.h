/* Country lists of automated aliases: files, update, summaries (fw_lists.c). */
#ifndef DIFOS_FW_LISTS_H
#define DIFOS_FW_LISTS_H

#include <jansson.h>

#include "rpc/rpc.h"

struct feature_env;

/* {cc: {"v4": {"updated": t}, "v6": null}} for the countries aliases use */
json_t *fw_lists_summary(const struct feature_env *env, const json_t *doc);

/* firewall.countries, firewall.update_lists, firewall.lists_status */
extern const struct rpc_method fw_lists_methods[];

/* fw_lists_cli.c: difosctl countries [all], update-lists [CC...] */
int fw_cli_countries(const struct rpc_cli_ctx *cli, int argc, char **argv);
int fw_cli_update_lists(const struct rpc_cli_ctx *cli, int argc, char **argv);

#endif
