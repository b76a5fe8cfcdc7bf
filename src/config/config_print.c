/* How difosctl shows the results of the configuration and apply methods. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/methods.h"
#include "core/print.h"
#include "core/util.h"

static void print_changes(const json_t *changes)
{
	size_t i;
	json_t *ch;

	json_array_foreach(changes, i, ch) {
		const char *op = json_string_value(json_object_get(ch, "op"));
		const char *path = json_string_value(json_object_get(ch, "path"));
		char *o = print_value_text(json_object_get(ch, "old"));
		char *n = print_value_text(json_object_get(ch, "new"));
		if (!strcmp(op, "added"))
			printf("+ %s: %s\n", path, n);
		else if (!strcmp(op, "removed"))
			printf("- %s: %s\n", path, o);
		else
			printf("~ %s: %s -> %s\n", path, o, n);
		free(o);
		free(n);
	}
}

void config_print_staged(const json_t *res)
{
	if (!json_array_size(res)) {
		puts("no staged changes");
		return;
	}
	printf("%zu staged change%s:\n", json_array_size(res), json_array_size(res) == 1 ? "" : "s");
	print_changes(res);
}

void config_print_discarded(const json_t *res)
{
	printf("discarded %lld change(s)\n",
	       (long long)json_integer_value(json_object_get(res, "discarded")));
}

void config_print_added_id(const json_t *res)
{
	printf("%lld\n", (long long)json_integer_value(json_object_get(res, "id")));
}

void config_print_applied(const json_t *res)
{
	json_t *touched = json_object_get(res, "touched"), *t;
	json_t *deadline = json_object_get(res, "confirm_deadline");
	size_t i;

	printf("revision %lld in force", (long long)json_integer_value(json_object_get(res, "revision")));
	if (json_array_size(touched)) {
		printf(" (applied:");
		json_array_foreach(touched, i, t)
			printf(" %s", json_string_value(t));
		printf(")");
	}
	printf("\n");
	if (deadline)
		printf("confirm within %lld s with: difosctl confirm (otherwise it rolls back)\n",
		       (long long)(json_integer_value(deadline) - time(NULL)));
}

void config_print_history(const json_t *res)
{
	const json_t *r;
	size_t i;

	printf("%-5s %-19s %-10s %-9s %-6s %s\n", "REV", "TIME", "AUTHOR", "STATE", "PINNED",
	       "COMMENT");
	json_array_foreach(res, i, r) {
		time_t t = (time_t)json_integer_value(json_object_get(r, "time"));
		char when[32];
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		printf("%-5lld %-19s %-10s %-9s %-6s %s\n",
		       (long long)json_integer_value(json_object_get(r, "id")), when,
		       json_string_value(json_object_get(r, "author")),
		       json_string_value(json_object_get(r, "state")),
		       json_is_true(json_object_get(r, "pinned")) ? "yes" : "",
		       json_string_value(json_object_get(r, "comment")));
	}
}

void config_print_diff(const json_t *res)
{
	if (!json_array_size(res))
		puts("no differences");
	else
		print_changes(res);
}

void config_print_status(const json_t *res)
{
	json_t *feats, *fs, *confirm;
	const char *name;

	printf("running revision %lld%s\n",
	       (long long)json_integer_value(json_object_get(res, "running")),
	       json_is_true(json_object_get(res, "staged")) ? " (changes staged)" : "");
	confirm = json_object_get(res, "confirm");
	if (confirm)
		printf("revision %lld waits for confirmation: %lld s left\n",
		       (long long)json_integer_value(json_object_get(confirm, "revision")),
		       (long long)json_integer_value(json_object_get(confirm, "seconds_left")));
	feats = json_object_get(res, "features");
	json_object_foreach(feats, name, fs) {
		const char *msg = json_string_value(json_object_get(fs, "message"));
		printf("%-10s %-7s%s%s\n", name, json_string_value(json_object_get(fs, "state")),
		       msg && *msg ? " " : "", msg ? msg : "");
	}
}
