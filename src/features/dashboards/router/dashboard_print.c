/* How difosctl shows the machine's interfaces and the system summary. */
#include <stdio.h>

#include "core/print.h"
#include "features/dashboards/router/dashboard.h"

void dashboard_print_interfaces(const json_t *res)
{
	const json_t *ifc, *a;
	size_t i, j;

	printf("%-12s %-5s %-8s %-17s %s\n", "NAME", "ROLE", "STATE", "MAC", "ADDRESSES");
	json_array_foreach(res, i, ifc) {
		printf("%-12s %-5s %-8s %-17s", json_string_value(json_object_get(ifc, "name")),
		       json_string_value(json_object_get(ifc, "role")) ?
		       json_string_value(json_object_get(ifc, "role")) : "-",
		       json_string_value(json_object_get(ifc, "state")) ?
		       json_string_value(json_object_get(ifc, "state")) : "-",
		       json_string_value(json_object_get(ifc, "mac")) ?
		       json_string_value(json_object_get(ifc, "mac")) : "-");
		json_array_foreach(json_object_get(ifc, "addresses"), j, a)
			printf(" %s/%lld", json_string_value(json_object_get(a, "address")),
			       (long long)json_integer_value(json_object_get(a, "prefix")));
		printf("\n");
	}
}

void dashboard_print_system(const json_t *res)
{
	const json_t *load, *mem;
	char up[32], dup[32];

	load = json_object_get(res, "load");
	mem = json_object_get(res, "memory");
	printf("hostname  %s\n", json_string_value(json_object_get(res, "hostname")));
	print_duration(json_integer_value(json_object_get(res, "uptime")), up);
	print_duration(json_integer_value(json_object_get(res, "daemon_uptime")), dup);
	printf("uptime    %s (difosd %s)\n", up, dup);
	printf("load      %.2f %.2f %.2f\n", json_real_value(json_array_get(load, 0)),
	       json_real_value(json_array_get(load, 1)), json_real_value(json_array_get(load, 2)));
	printf("memory    %lld MiB free of %lld MiB\n",
	       (long long)json_integer_value(json_object_get(mem, "free")) >> 20,
	       (long long)json_integer_value(json_object_get(mem, "total")) >> 20);
	printf("revision  %lld\n", (long long)json_integer_value(json_object_get(res, "revision")));
}
