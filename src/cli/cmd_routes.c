/* difosctl: routes. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_domain_lists(void)
{
	json_t *res, *lists, *e;
	size_t i;
	int rc = call("routes.domain_lists", NULL, &res);

	if (rc)
		return rc;
	lists = json_object_get(res, "lists");
	if (opt_json) {
		print_json(res);
	} else if (!json_array_size(lists)) {
		puts("no premade domain lists are installed");
	} else {
		printf("%-20s %8s  %s\n", "LIST", "DOMAINS", "DESCRIPTION");
		json_array_foreach(lists, i, e)
			printf("%-20s %8lld  %s\n", json_string_value(json_object_get(e, "name")),
			       (long long)json_integer_value(json_object_get(e, "domains")),
			       json_string_value(json_object_get(e, "description")));
	}
	json_decref(res);
	return EXIT_OK;
}
