/* difosctl: bandwidth control (SQM availability and auto fill, QoS counters). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"

static void print_speed(const char *label, const json_t *v)
{
	if (json_is_number(v))
		printf("%-10s %.1f Mbps\n", label, json_number_value(v));
	else
		printf("%-10s (not set)\n", label);
}

static void print_sqm_status(const json_t *res)
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

int cmd_sqm_status(void)
{
	return call_show("qos.sqm_status", NULL, print_sqm_status);
}

static void print_autofill(const json_t *res)
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
int cmd_sqm_autofill(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: difosctl sqm-autofill ADVERTISED_DOWN ADVERTISED_UP (Mbps)\n");
		return EXIT_USAGE;
	}
	return call_show("qos.sqm_autofill", json_pack("{s:s, s:s}", "advertised_download", argv[1],
							"advertised_upload", argv[2]), print_autofill);
}

static void print_counter(const json_t *c)
{
	if (!c) {
		printf(" %24s", "-");
		return;
	}
	printf(" %14lld B %5lld drop", (long long)json_integer_value(json_object_get(c, "bytes")),
	       (long long)json_integer_value(json_object_get(c, "drops")));
}

static void print_counters(const json_t *res)
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

int cmd_qos_counters(void)
{
	return call_show("qos.counters", NULL, print_counters);
}
