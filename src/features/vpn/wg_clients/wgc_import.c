/*
 * wg_clients.import: a wg-quick file (a provider's, a server admin's) read
 * into the client form's values. Nothing is staged: the form is filled
 * from the answer and saved as any other. difosctl's wg-client-import
 * reads the file named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/print.h"
#include "core/util.h"
#include "features/vpn/wg_clients/wgc_int.h"
#include "features/vpn/wg_conf.h"
#include "rpc/rpc.h"

static json_t *wgc_import(struct rpc_call *c)
{
	const char *text = rpc_str(c, "text");
	char err[512];
	json_t *form;

	form = wg_conf_parse(text, strlen(text), err, sizeof(err));
	if (!form)
		return rpc_fail(c, RPC_INVALID, "text", NULL, "%s", err);
	return form;
}

/* wg-client-import FILE */
static int wgc_cli_import(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	char *text;
	size_t len = 0;
	json_t *params;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: difosctl wg-client-import FILE.conf\n");
		return CLI_USAGE;
	}
	text = file_read(argv[1], &len);
	if (!text) {
		fprintf(stderr, "difosctl: cannot read %s\n", argv[1]);
		return CLI_USAGE;
	}
	params = json_pack("{s:s%}", "text", text, len);
	if (!params || strlen(text) != len) {
		fprintf(stderr, "difosctl: %s is not a text file (UTF-8, no NUL byte)\n", argv[1]);
		json_decref(params);
		free(text);
		return CLI_USAGE;
	}
	rc = cli->show("wg_clients.import", params, print_json);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

static const struct sc_field wgc_import_params[] = {
	/* above the parser's 64 KiB, so a larger file is told by the parser */
	{ .name = "text", .kind = SC_TEXT, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .max = 2 * WG_CONF_MAX, .help = "the wg-quick file's text ([Interface] and [Peer])" },
	{ .name = NULL }
};

const struct rpc_method wgc_methods[] = {
	{ "wg_clients.import", wgc_import, "reads a wg-quick file into a WireGuard client's "
	  "values (nothing is staged); refusals name the line", "VPN", wgc_import_params,
	  "{private_key, addresses, dns, dns_search?, mtu?, static_port?, listen_port?, "
	  "public_key, preshared_key?, allowed_ips, endpoint, keepalive?, notes?}", RPC_ADMIN,
	  .rest = { { "POST", "/wg_clients/import" } },
	  .cli = { "wg-client-import", .usage = "FILE.conf",
		   .help = "reads a wg-quick file into a WireGuard client's values",
		   .run = wgc_cli_import } },
	{ NULL }
};
