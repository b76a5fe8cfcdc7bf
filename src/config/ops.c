/* ping and methods: is the daemon there, and what does it answer. */
#include "apply/feature.h"
#include "apply/system.h"
#include "config/methods.h"

static json_t *ops_ping(struct rpc_call *c)
{
	return json_pack("{s:b, s:s}", "pong", 1, "backend", c->env->sys->name);
}

static void ops_add_method(const struct rpc_method *m, void *arg)
{
	json_array_append_new(arg, rpc_method_json(m));
}

static json_t *ops_methods_list(struct rpc_call *c)
{
	json_t *a = json_array();

	(void)c;
	rpc_each(ops_add_method, a);
	return a;
}

#define OPS "State"

const struct rpc_method ops_methods[] = {
	{ "ping", ops_ping, "is the daemon answering", OPS, NULL, "{pong: true, backend}", RPC_READ },
	{ "methods", ops_methods_list, "every method: its parameters, who may call it, its REST "
	  "endpoints and difosctl command", OPS, NULL,
	  "[{name, help, group, access, params (JSON Schema), result, rest: [{verb, path}], cli?}]",
	  RPC_READ },
	{ NULL }
};
