/* ping and methods: is the daemon there, and what does it answer. */
#include "apply/feature.h"
#include "apply/system.h"
#include "config/methods.h"

static json_t *ops_ping(struct rpc_call *c)
{
	return json_pack("{s:b, s:s}", "pong", 1, "backend", c->env->sys->name);
}

static json_t *ops_methods_list(struct rpc_call *c)
{
	(void)c;
	return rpc_methods_list();
}

const struct rpc_method ops_methods[] = {
	{ "ping", ops_ping, "is the daemon answering" },
	{ "methods", ops_methods_list, "list of methods" },
	{ NULL, NULL, NULL }
};
