/*
 * Prints what the netlink reader reads, for the integration tests to
 * compare with ip -j in a lab's namespace: nl_dump links|addresses|
 * neighbours|routes|rules, nl_dump classes DEV.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "net/nl.h"

int main(int argc, char **argv)
{
	json_t *v = NULL;

	if (argc == 3 && !strcmp(argv[1], "classes"))
		v = nl_classes(argv[2]);
	else if (argc != 2)
		return 2;
	else if (!strcmp(argv[1], "links"))
		v = nl_links();
	else if (!strcmp(argv[1], "addresses"))
		v = nl_addresses(AF_UNSPEC);
	else if (!strcmp(argv[1], "neighbours"))
		v = nl_neighbours(AF_UNSPEC);
	else if (!strcmp(argv[1], "routes"))
		v = nl_routes(AF_UNSPEC, -1);
	else if (!strcmp(argv[1], "rules"))
		v = nl_rules(AF_UNSPEC);
	if (!v)
		return 1;
	json_dumpf(v, stdout, JSON_INDENT(1));
	putchar('\n');
	json_decref(v);
	return 0;
}
