/* difosctl: the first-run link, the admin password (read without echo), the
 * list of API tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/auth.h"
#include "core/print.h"
#include "core/util.h"

int auth_cli_setup_link(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	json_t *res, *lan;
	const char *host = argc > 1 ? argv[1] : NULL;
	int rc = cli->call("auth.setup_link", NULL, &res);

	if (rc)
		return rc;
	if (!host && cli->call("config.get", json_pack("{s:s, s:b}", "path", "lan.ipv4.address",
						   "running", 1), &lan) == CLI_OK) {
		printf("https://%s/#/setup?token=%s\n", json_string_value(lan),
		       json_string_value(json_object_get(res, "token")));
		json_decref(lan);
	} else {
		printf("https://%s/#/setup?token=%s\n", host ? host : "192.168.1.1",
		       json_string_value(json_object_get(res, "token")));
	}
	json_decref(res);
	return CLI_OK;
}

char *auth_cli_read_secret(const char *prompt)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fputs(prompt, stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

int auth_cli_passwd(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	char *a = auth_cli_read_secret("new admin password: "), *b = NULL;
	int rc;

	(void)argc;
	(void)argv;
	if (!a) {
		fprintf(stderr, "difosctl: no password given\n");
		return CLI_USAGE;
	}
	if (isatty(STDIN_FILENO)) {
		b = auth_cli_read_secret("again: ");
		if (!b || strcmp(a, b)) {
			fprintf(stderr, "difosctl: the passwords differ\n");
			free(a);
			free(b);
			return CLI_USAGE;
		}
	}
	rc = cli->show("auth.passwd", json_pack("{s:s}", "password", a), print_json);
	explicit_bzero(a, strlen(a));
	free(a);
	free(b);
	return rc;
}

/* One line a token: times in UTC, the same text on every machine. */
void auth_print_tokens(const json_t *res)
{
	size_t i;
	json_t *t;

	if (!json_array_size(res)) {
		puts("no API tokens");
		return;
	}
	printf("%-4s %-20s %-9s %-8s %-23s  %s\n", "ID", "NAME", "SCOPE", "CREATOR", "CREATED",
	       "LAST USED");
	json_array_foreach(res, i, t) {
		char created[32], used[32];
		const char *creator = json_string_value(json_object_get(t, "creator"));

		print_utc(json_integer_value(json_object_get(t, "created")), "?", created);
		print_utc(json_integer_value(json_object_get(t, "last_used")), "never", used);
		printf("%-4lld %-20s %-9s %-8s %-23s  %s\n",
		       (long long)json_integer_value(json_object_get(t, "id")),
		       json_string_value(json_object_get(t, "name")),
		       json_string_value(json_object_get(t, "scope")), creator ? creator : "-",
		       created, used);
	}
}
