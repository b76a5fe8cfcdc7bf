/* difosctl: routes. */
#include <stdio.h>

#include "cli/cli.h"

static void print_domain_lists(const json_t *res)
{
	const json_t *lists = json_object_get(res, "lists"), *e;
	size_t i;

	if (!json_array_size(lists)) {
		puts("no premade domain lists are installed");
		return;
	}
	printf("%-20s %8s  %s\n", "LIST", "DOMAINS", "DESCRIPTION");
	json_array_foreach(lists, i, e)
		printf("%-20s %8lld  %s\n", json_string_value(json_object_get(e, "name")),
		       (long long)json_integer_value(json_object_get(e, "domains")),
		       json_string_value(json_object_get(e, "description")));
}

int cmd_domain_lists(void)
{
	return call_show("routes.domain_lists", NULL, print_domain_lists);
}
