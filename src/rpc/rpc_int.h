/* Between the registry and doors (rpc.c), running (run.c) and errors (call.c). */
#ifndef DIFOS_RPC_INT_H
#define DIFOS_RPC_INT_H

#include "rpc/rpc.h"

/* Runs m (parameters checked, then the handler); done gets the answer,
 * now or, when can_wait and the handler answers later, later. */
void rpc_run(const struct rpc_method *m, json_t *params, const char *author, const char *peer,
	     bool can_wait, rpc_done_fn done, void *ctx);
json_t *rpc_error_object(int code, const char *msg, const char *reason);

#endif
