/*
 * libFuzzer target: what dhclient -6 reports through difos-dhcp6-event
 * (every value came from a DHCPv6 packet) handled by "wan.dhcp6_event",
 * and the LAN following the delegated prefixes it emits. The input is the
 * call's parameters (JSON; the seeds are dhclient's variables as seen
 * against Kea), on the dry backend: never a crash, an answer each time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/root.h"
#include "rpc/rpc.h"
#include "schema/schema.h"

static struct engine eng;

static void fuzz_setup(void)
{
	static char dir[] = "/tmp/difos-fuzz-dhcp6-XXXXXX";

	if (!mkdtemp(dir))
		abort();
	root_set(dir);
	feature_schema_init();
	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->methods)
			rpc_register(feature_table[i]->methods);
	eng.env.sys = sys_dry_new();
	eng.env.paths.run = dir;
	eng.env.paths.state = dir;
	{
		static char resolv[512];
		snprintf(resolv, sizeof(resolv), "%s/wan/resolv.conf", dir);
		eng.env.paths.resolv = resolv;
	}
	eng.env.engine = &eng;
	eng.running = schema_defaults();
	rpc_set_env(&eng.env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	json_t *params, *frame;
	char *text, *out;

	if (!ready) {
		fuzz_setup();
		ready = 1;
	}
	params = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!params)
		return 0;
	frame = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1, "method",
			  "wan.dhcp6_event", "params", params);
	text = json_dumps(frame, JSON_COMPACT);
	out = text ? rpc_handle_text(text, strlen(text), "fuzz", RPC_DOOR_CONTROL) : NULL;
	free(out);
	free(text);
	json_decref(frame);
	/* the dry backend's journal would grow without end */
	sbuf_free(&eng.env.sys->journal);
	sbuf_init(&eng.env.sys->journal);
	return 0;
}
