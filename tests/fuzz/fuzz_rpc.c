/*
 * libFuzzer target: JSON-RPC framing and dispatch of untrusted frames.
 * Only methods that do not need a running daemon are registered here
 * (schema, validation); unknown methods and malformed frames must be
 * answered with an error, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "apply/feature.h"
#include "rpc/rpc.h"
#include "schema/schema.h"

static json_t *fuzz_validate(struct rpc_call *c)
{
	json_t *doc = json_object_get(c->params, "document");
	struct sc_error_list errs;
	json_t *r;

	if (!json_is_object(doc))
		return rpc_fail(c, RPC_BAD, "document", NULL, "document must be an object");
	sc_errors_init(&errs);
	schema_validate(doc, &errs);
	r = sc_errors_to_json(&errs);
	sc_errors_free(&errs);
	return r;
}

static const struct sc_field fuzz_params[] = {
	{ .name = "document", .kind = SC_OBJECT, .flags = SC_F_REQUIRED, .help = "a document" },
	{ .name = "limit", .kind = SC_INT, .min = 1, .max = 100, .help = "a number" },
	{ .name = "names", .kind = SC_LIST, .item = SC_HOSTNAME, .help = "a list" },
	{ .name = NULL }
};

static const struct rpc_method fuzz_methods[] = {
	{ "config.validate", fuzz_validate, "validate", "Fuzz", fuzz_params, "errors" },
	{ "web.only", fuzz_validate, "a method of another door", "Fuzz", fuzz_params, "errors",
	  RPC_WEB },
	{ NULL }
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *out;

	if (!ready) {
		feature_schema_init();
		rpc_register(fuzz_methods);
		ready = 1;
	}
	out = rpc_handle_text((const char *)data, size, "fuzz", RPC_DOOR_CONTROL);
	free(out);
	return 0;
}
