/*
 * Prints what the netlink reader reads, for the integration tests to
 * compare with ip -j in a lab's namespace: nl_dump links|addresses|
 * neighbours|routes|rules, nl_dump classes DEV; nl_dump nft_counters TABLE
 * [TIMES] prints the counted rules of an inet table (read TIMES times, the
 * mean time of a reading on stderr: the firewall metrics' cost).
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "net/nft_counters.h"
#include "net/nl.h"

static json_t *counters(const char *table, int times)
{
	struct timespec a, b;
	json_t *v = NULL;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < times; i++) {
		json_decref(v);
		v = nft_rule_counters(table, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "%zu counted rules: %.3f ms a reading (mean of %d)\n", json_array_size(v),
		((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / times, times);
	return v;
}

int main(int argc, char **argv)
{
	json_t *v = NULL;

	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "nft_counters"))
		v = counters(argv[2], argc == 4 ? atoi(argv[3]) > 0 ? atoi(argv[3]) : 1 : 1);
	else if (argc == 3 && !strcmp(argv[1], "classes"))
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
