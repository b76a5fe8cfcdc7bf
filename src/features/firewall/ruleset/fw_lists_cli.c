/* difosctl: the country lists of automated aliases (listing, updating and waiting). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/print.h"
#include "features/firewall/ruleset/fw_lists.h"

static void print_list(const json_t *info)
{
	char when[32];
	time_t t;

	if (!json_is_object(info)) {
		printf(" %-26s", "never fetched (empty)");
		return;
	}
	t = (time_t)json_integer_value(json_object_get(info, "updated"));
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&t));
	printf(" %8lld %-17s", (long long)json_integer_value(json_object_get(info, "entries")), when);
}

/* countries [all]: lists present (or every country with "all") */
int fw_cli_countries(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	bool all = argc > 1 && !strcmp(argv[1], "all");
	json_t *res, *c;
	size_t i, shown = 0;
	int rc = cli->call("firewall.countries", NULL, &res);

	if (rc)
		return rc;
	if (cli->json) {
		print_json(res);
		json_decref(res);
		return CLI_OK;
	}
	printf("%-4s %-28s %-26s %-26s\n", "CODE", "COUNTRY", " IPV4 ENTRIES  UPDATED", " IPV6 ENTRIES  UPDATED");
	json_array_foreach(json_object_get(res, "countries"), i, c) {
		json_t *v4 = json_object_get(c, "v4"), *v6 = json_object_get(c, "v6");
		if (!all && !json_is_object(v4) && !json_is_object(v6))
			continue;
		printf("%-4s %-28.28s", json_string_value(json_object_get(c, "code")),
		       json_string_value(json_object_get(c, "name")));
		print_list(v4);
		print_list(v6);
		putchar('\n');
		shown++;
	}
	if (!shown)
		puts("no country list fetched yet (\"difosctl update-lists\" fetches those in use)");
	json_decref(res);
	return CLI_OK;
}

/* update-lists [CC...]: fetch every list in use (and the given ones) */
int fw_cli_update_lists(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	json_t *params = json_object(), *ccs = json_array(), *res, *e;
	size_t i;
	int rc;

	for (int k = 1; k < argc; k++)
		json_array_append_new(ccs, json_string(argv[k]));
	json_object_set_new(params, "countries", ccs);
	rc = cli->call("firewall.update_lists", params, &res);
	/* the download runs in the daemon's background: wait for its result */
	for (int waited = 0; rc == CLI_OK && json_is_true(json_object_get(res, "running")) &&
			     waited < 150 * 4; waited++) {
		struct timespec ts = { 0, 250 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		json_decref(res);
		rc = cli->call("firewall.lists_status", NULL, &res);
	}
	if (rc)
		return rc;
	if (json_is_true(json_object_get(res, "running"))) {
		fprintf(stderr, "difosctl: the update is still running after 150 s\n");
		json_decref(res);
		return CLI_APPLY;
	}
	if (cli->json) {
		print_json(res);
		json_decref(res);
		return CLI_OK;
	}
	json_array_foreach(json_object_get(res, "updated"), i, e)
		printf("updated %s IPv%lld: %lld entries\n", json_string_value(json_object_get(e, "country")),
		       (long long)json_integer_value(json_object_get(e, "family")),
		       (long long)json_integer_value(json_object_get(e, "entries")));
	json_array_foreach(json_object_get(res, "failed"), i, e)
		printf("failed  %s IPv%lld: %s\n", json_string_value(json_object_get(e, "country")),
		       (long long)json_integer_value(json_object_get(e, "family")),
		       json_string_value(json_object_get(e, "error")));
	if (json_is_true(json_object_get(res, "applied")))
		puts("the alias sets hold the new lists");
	else if (json_object_get(res, "apply_error"))
		printf("not applied: %s\n", json_string_value(json_object_get(res, "apply_error")));
	rc = json_array_size(json_object_get(res, "failed")) && !json_array_size(json_object_get(res, "updated"))
		     ? CLI_APPLY : CLI_OK;
	json_decref(res);
	return rc;
}
