#include "api/api.h"
#include "apply/feature.h"
#include "auth/auth.h"
#include "config/methods.h"
#include "daemon/methods.h"

/* the core's parts, in the order docs/api.md shows them */
static const struct rpc_method *const core_tables[] = {
	config_methods, apply_methods, ops_methods, backup_methods, api_auth_methods, auth_methods,
	api_openapi_methods, api_methods,
};

void methods_register_all(void)
{
	for (size_t i = 0; i < sizeof(core_tables) / sizeof(core_tables[0]); i++)
		rpc_register(core_tables[i]);
	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->methods)
			rpc_register(feature_table[i]->methods);
}
