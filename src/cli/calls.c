/* difosctl's calls to difosd, and how their errors are told. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/print.h"
#include "core/root.h"

bool opt_json;
const char *opt_socket;
bool opt_socket_given;

void cli_unreachable(int errnum)
{
	if (opt_socket_given)
		fprintf(stderr, "difosctl: cannot reach difosd at %s (--socket): %s\n", opt_socket,
			strerror(errnum));
	else if (errnum == ENOENT)
		fprintf(stderr, "difosctl: cannot reach difosd: no control socket at %s (--root %s); "
			"is difosd running with that root?\n", opt_socket, root_get());
	else
		fprintf(stderr, "difosctl: cannot reach difosd at %s (--root %s): %s\n", opt_socket,
			root_get(), strerror(errnum));
}

int cli_report_error(const json_t *err)
{
	const char *msg = json_string_value(json_object_get(err, "message"));
	json_t *data = json_object_get(err, "data");
	const char *reason = json_string_value(json_object_get(data, "reason"));
	json_t *errors = json_object_get(data, "errors");

	if (opt_json) {
		json_t *o = json_pack("{s:O}", "error", err);
		print_json(o);
		json_decref(o);
	} else {
		fprintf(stderr, "error: %s\n", msg ? msg : "request failed");
		if (json_array_size(errors) > 1) {
			size_t i;
			json_t *e;
			json_array_foreach(errors, i, e)
				if (i > 0)
					fprintf(stderr, "error: %s\n",
						json_string_value(json_object_get(e, "message")));
		}
		if (reason && !strcmp(reason, RPC_APPLY))
			fprintf(stderr, "the previous configuration is still in force\n");
	}
	if (reason && !strcmp(reason, RPC_APPLY))
		return CLI_APPLY;
	return CLI_REJECTED;
}

int cli_call(const char *method, json_t *params, json_t **result)
{
	int fd = client_connect(opt_socket);
	json_t *resp, *err;
	int rc;

	*result = NULL;
	if (fd < 0) {
		json_decref(params);
		cli_unreachable(-fd);
		return CLI_UNREACHABLE;
	}
	resp = client_call(fd, method, params);
	close(fd);
	if (!resp) {
		fprintf(stderr, "difosctl: no answer from difosd\n");
		return CLI_UNREACHABLE;
	}
	err = json_object_get(resp, "error");
	if (err) {
		rc = cli_report_error(err);
		json_decref(resp);
		return rc;
	}
	*result = json_incref(json_object_get(resp, "result"));
	json_decref(resp);
	return CLI_OK;
}

int cli_show(const char *method, json_t *params, void (*print)(const json_t *res))
{
	json_t *res;
	int rc = cli_call(method, params, &res);

	if (rc == CLI_OK) {
		if (opt_json)
			print_json(res);
		else if (print)
			print(res);
	}
	json_decref(res);
	return rc;
}

struct rpc_cli_ctx cli_ctx = { .call = cli_call, .show = cli_show };
