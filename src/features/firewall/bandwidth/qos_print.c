/* How difosctl shows SQM's state and auto fill, and the per-client counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"

static void print_speed(const char *label, const json_t *v)
{
	if (json_is_number(v))
		printf("%-10s %.1f Mbps\n", label, json_number_value(v));
	else
		printf("%-10s (not set)\n", label);
}

void qos_print_sqm_status(const json_t *res)
{
	const char *reason;

	reason = json_string_value(json_object_get(res, "reason"));
	printf("%-10s %s%s%s\n", "available",
	       json_is_true(json_object_get(res, "available")) ? "yes" : "no",
	       reason ? ": " : "", reason ? reason : "");
	printf("%-10s %s\n", "enabled", json_is_true(json_object_get(res, "enabled")) ? "yes" : "no");
	printf("%-10s %s\n", "interface", json_string_value(json_object_get(res, "interface")) ?
	       json_string_value(json_object_get(res, "interface")) : "-");
	print_speed("download", json_object_get(res, "download"));
	print_speed("upload", json_object_get(res, "upload"));
}

void qos_print_autofill(const json_t *res)
{
	print_speed("download", json_object_get(res, "download"));
	print_speed("upload", json_object_get(res, "upload"));
	printf("(%.0f %% of the advertised speeds; stage them with\n"
	       " difosctl set sqm.download %.1f && difosctl set sqm.upload %.1f)\n",
	       json_number_value(json_object_get(res, "factor")) * 100,
	       json_number_value(json_object_get(res, "download")),
	       json_number_value(json_object_get(res, "upload")));
}

/* The speeds go as typed: difosd checks them and names the bad one. */

static void print_counter(const json_t *c)
{
	if (!c) {
		printf(" %24s", "-");
		return;
	}
	printf(" %14lld B %5lld drop", (long long)json_integer_value(json_object_get(c, "bytes")),
	       (long long)json_integer_value(json_object_get(c, "drops")));
}

void qos_print_counters(const json_t *res)
{
	const json_t *e;
	size_t i;

	if (!json_array_size(res)) {
		puts("QoS is off or limits no client");
		return;
	}
	printf("%-20s %24s %24s\n", "CLIENT", "DOWNLOAD", "UPLOAD");
	json_array_foreach(res, i, e) {
		printf("%-20s", json_string_value(json_object_get(e, "client")));
		print_counter(json_object_get(e, "download"));
		print_counter(json_object_get(e, "upload"));
		printf("\n");
	}
}
