/* difosctl certificate: reads the admin's PEM files and hands them to difosd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/print.h"
#include "core/util.h"
#include "features/admin/web/web.h"

/* certificate CERT.pem KEY.pem | certificate --factory | certificate */
int web_cli_certificate(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	char *cert, *key;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--factory"))
		return cli->show("web.certificate", json_pack("{s:b}", "factory", 1), print_json);
	if (argc == 1)
		return cli->show("web.certificate_info", NULL, print_json);
	if (argc != 3) {
		fprintf(stderr, "usage: difosctl certificate [CERT.pem KEY.pem | --factory]\n");
		return CLI_USAGE;
	}
	cert = file_read(argv[1], NULL);
	key = file_read(argv[2], NULL);
	if (!cert || !key) {
		fprintf(stderr, "difosctl: cannot read %s\n", cert ? argv[2] : argv[1]);
		free(cert);
		free(key);
		return CLI_USAGE;
	}
	rc = cli->show("web.certificate", json_pack("{s:s, s:s}", "cert", cert, "key", key), print_json);
	explicit_bzero(key, strlen(key));
	free(cert);
	free(key);
	return rc;
}
