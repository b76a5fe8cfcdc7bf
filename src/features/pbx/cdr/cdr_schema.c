/*
 * The "cdr" section (how long call records and recordings are kept) and
 * the records' methods.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/cdr/cdr.h"
#include "schema/schema.h"

static const struct sc_field cdr_fields[] = {
	{ .name = "retention_days", .kind = SC_INT, .min = 1, .max = 3650, .def = "90",
	  .title = "Keep call records (days)",
	  .help = "Call records older than this are deleted (checked every hour)." },
	{ .name = "recordings_retention_days", .kind = SC_INT, .min = 1, .max = 3650, .def = "30",
	  .title = "Keep recordings (days)",
	  .help = "Voice recordings older than this are deleted (checked every hour)." },
	{ .name = NULL }
};

static const struct sc_field cdr_section = {
	.name = "cdr", .kind = SC_OBJECT, .fields = cdr_fields, .title = "PBX - Call Detail Records",
	.help = "How long the calls' records and their recordings are kept.",
};

const struct sc_field *const cdr_sections[] = { &cdr_section, NULL };

static const char *const cdr_dispositions[] = { "ANSWERED", "NO ANSWER", "BUSY", "FAILED",
						"CONGESTION", NULL };

static const struct sc_field list_params[] = {
	{ .name = "from", .kind = SC_STRING, .max = 32,
	  .help = "calls that started at or after: a date (2026-11-29, local), a local date and "
		  "time (2026-11-29T08:30) or epoch seconds" },
	{ .name = "to", .kind = SC_STRING, .max = 32,
	  .help = "calls that started before: as from (a date includes its whole day)" },
	{ .name = "number", .kind = SC_STRING, .max = 32, .pattern = "[0-9*#+]+",
	  .pattern_says = "is not a number (digits, *, #, +)",
	  .help = "calls whose caller or called number contains this" },
	{ .name = "disposition", .kind = SC_ENUM, .choices = cdr_dispositions,
	  .help = "calls that ended so" },
	{ .name = "limit", .kind = SC_INT, .min = 1, .max = 1000, .def = "100",
	  .help = "at most this many calls (default 100)" },
	{ .name = "offset", .kind = SC_INT, .min = 0, .max = 100000000, .def = "0",
	  .help = "skip this many (the newest first)" },
	{ .name = NULL }
};

static const struct sc_field recording_params[] = {
	{ .name = "file", .kind = SC_STRING, .flags = SC_F_REQUIRED, .max = 200,
	  .help = "the recording's file name, as a call record gives it" },
	{ .name = "offset", .kind = SC_INT, .min = 0, .max = 1LL << 40, .def = "0",
	  .help = "the first byte" },
	{ .name = "length", .kind = SC_INT, .min = 1, .max = CDR_CHUNK_MAX, .def = "1048576",
	  .help = "at most this many bytes (at most 1 MiB)" },
	{ .name = NULL }
};

static void cdr_print_list(const json_t *r)
{
	const json_t *row;
	size_t i;

	printf("%-25s %-16s %-16s %8s %8s %-11s %-10s %s\n", "TIME", "FROM", "TO", "DURATION",
	       "TALKED", "RESULT", "TRUNK", "RECORDING");
	json_array_foreach(json_object_get(r, "calls"), i, row) {
		const char *trunk = json_string_value(json_object_get(row, "trunk"));
		const char *rec = json_string_value(json_object_get(row, "recording"));
		printf("%-25s %-16.16s %-16.16s %7llds %7llds %-11s %-10s %s\n",
		       json_string_value(json_object_get(row, "time")),
		       json_string_value(json_object_get(row, "src")),
		       json_string_value(json_object_get(row, "dst")),
		       (long long)json_integer_value(json_object_get(row, "duration")),
		       (long long)json_integer_value(json_object_get(row, "billsec")),
		       json_string_value(json_object_get(row, "disposition")),
		       trunk ? trunk : "-", rec ? rec : "-");
	}
	printf("%zu of %lld calls\n", json_array_size(json_object_get(r, "calls")),
	       (long long)json_integer_value(json_object_get(r, "total")));
}

static void cdr_print_today(const json_t *r)
{
	printf("calls today: %lld (%lld answered, %lld not)\n",
	       (long long)json_integer_value(json_object_get(r, "total")),
	       (long long)json_integer_value(json_object_get(r, "answered")),
	       (long long)json_integer_value(json_object_get(r, "unanswered")));
}

static void cdr_print_prune(const json_t *r)
{
	printf("deleted %lld call records and %lld recordings\n",
	       (long long)json_integer_value(json_object_get(r, "records")),
	       (long long)json_integer_value(json_object_get(r, "recordings")));
}

/* cdr [KEY=VALUE...]: the filters by name */
static int cdr_cli_list(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	json_t *params = json_object();

	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		char *key, *end;
		long long n;
		if (!eq || eq == argv[i]) {
			fprintf(stderr, "difosctl cdr: %s is no KEY=VALUE (from, to, number, "
				"disposition, limit, offset)\n", argv[i]);
			json_decref(params);
			return CLI_USAGE;
		}
		key = xstrndup(argv[i], (size_t)(eq - argv[i]));
		n = strtoll(eq + 1, &end, 10);
		/* limit and offset are numbers; the others text (a number filter
		 * stays text: "+971..." and leading zeros count) */
		if ((!strcmp(key, "limit") || !strcmp(key, "offset")) && *(eq + 1) && !*end)
			json_object_set_new(params, key, json_integer(n));
		else
			json_object_set_new(params, key, json_string(eq + 1));
		free(key);
	}
	return cli->show("pbx.cdr", params, cdr_print_list);
}

#define PBX "PBX"

const struct rpc_method cdr_methods[] = {
	{ "pbx.cdr", cdr_list_method, "the call records, the newest first, filtered by time, "
	  "number and result, a page at a time", PBX, list_params,
	  "{calls: [{time (local ISO 8601), start (epoch s), src, dst, clid, duration, billsec, "
	  "disposition, trunk (or null), recording (a file name, or null), uniqueid}], total "
	  "(matching calls, for paging), limit, offset}", RPC_READ,
	  .rest = { { "GET", "/pbx/cdr" } },
	  .cli = { "cdr", .usage = "[from=DATE] [to=DATE] [number=N] [disposition=D] [limit=N] "
		   "[offset=N]", .help = "the call records, the newest first",
		   .run = cdr_cli_list } },
	{ "pbx.recording", cdr_recording_method, "a piece of a call's recording: its bytes "
	  "from offset, at most length (1 MiB), in base64; ask again from offset + length until "
	  "size", PBX, recording_params,
	  "{file, size, offset, length (the bytes given), data (base64)}", RPC_READ,
	  .rest = { { "GET", "/pbx/recording" } },
	  .cli = { "recording", .usage = "FILE [OUT|-]",
		   .help = "download a call's recording into OUT (default: FILE here; -: stdout)",
		   .run = cdr_cli_recording } },
	{ "pbx.calls_today", cdr_today_method, "how many calls started since midnight (local "
	  "time), answered and not", PBX, NULL,
	  "{since (epoch s), total, answered, unanswered}", RPC_READ,
	  .rest = { { "GET", "/pbx/calls-today" } },
	  .cli = { "calls-today", .print = cdr_print_today } },
	{ "pbx.cdr_prune", cdr_prune_method, "delete the call records and recordings older than "
	  "the settings keep them now (the router does it every hour)", PBX, NULL,
	  "{records, recordings (how many were deleted), records_before, recordings_before "
	  "(epoch s)}", RPC_ROOT,
	  .cli = { "cdr-prune", .print = cdr_print_prune } },
	{ NULL }
};
