#ifndef DIFOS_RPC_METHODS_H
#define DIFOS_RPC_METHODS_H

#include "core/rpc.h"

extern const struct rpc_method config_methods[];
extern const struct rpc_method apply_methods[];
extern const struct rpc_method ops_methods[];

/* The document changes apply to: the staged one, or a copy of the running one. */
struct engine;
json_t *config_working_doc(struct engine *eng);

#endif
