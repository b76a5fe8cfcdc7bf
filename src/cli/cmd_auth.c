/* difosctl: first-run link, admin password, API tokens, TLS certificate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"

int cmd_setup_link(int argc, char **argv)
{
	json_t *res, *lan;
	const char *host = argc > 1 ? argv[1] : NULL;
	int rc = call("auth.setup_link", NULL, &res);

	if (rc)
		return rc;
	if (!host && call("config.get", json_pack("{s:s, s:b}", "path", "lan.ipv4.address",
						   "running", 1), &lan) == EXIT_OK) {
		printf("https://%s/#/setup?token=%s\n", json_string_value(lan),
		       json_string_value(json_object_get(res, "token")));
		json_decref(lan);
	} else {
		printf("https://%s/#/setup?token=%s\n", host ? host : "192.168.1.1",
		       json_string_value(json_object_get(res, "token")));
	}
	json_decref(res);
	return EXIT_OK;
}

static char *read_secret(const char *prompt)
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

int cmd_passwd(void)
{
	char *a = read_secret("new admin password: "), *b = NULL;
	int rc;

	if (!a) {
		fprintf(stderr, "difosctl: no password given\n");
		return EXIT_USAGE;
	}
	if (isatty(STDIN_FILENO)) {
		b = read_secret("again: ");
		if (!b || strcmp(a, b)) {
			fprintf(stderr, "difosctl: the passwords differ\n");
			free(a);
			free(b);
			return EXIT_USAGE;
		}
	}
	rc = call_print("auth.passwd", json_pack("{s:s}", "password", a));
	explicit_bzero(a, strlen(a));
	free(a);
	free(b);
	return rc;
}

int cmd_token_create(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: difosctl token-create NAME\n");
		return EXIT_USAGE;
	}
	return call_print("auth.token_create", json_pack("{s:s}", "name", argv[1]));
}

int cmd_token_revoke(int argc, char **argv)
{
	if (argc != 2 || atoll(argv[1]) <= 0) {
		fprintf(stderr, "usage: difosctl token-revoke ID\n");
		return EXIT_USAGE;
	}
	return call_print("auth.token_revoke", json_pack("{s:I}", "id", (json_int_t)atoll(argv[1])));
}

int cmd_certificate(int argc, char **argv)
{
	char *cert, *key;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--factory"))
		return call_print("web.certificate", json_pack("{s:b}", "factory", 1));
	if (argc == 1)
		return call_print("web.certificate_info", NULL);
	if (argc != 3) {
		fprintf(stderr, "usage: difosctl certificate [CERT.pem KEY.pem | --factory]\n");
		return EXIT_USAGE;
	}
	cert = file_read(argv[1], NULL);
	key = file_read(argv[2], NULL);
	if (!cert || !key) {
		fprintf(stderr, "difosctl: cannot read %s\n", cert ? argv[2] : argv[1]);
		free(cert);
		free(key);
		return EXIT_USAGE;
	}
	rc = call_print("web.certificate", json_pack("{s:s, s:s}", "cert", cert, "key", key));
	explicit_bzero(key, strlen(key));
	free(cert);
	free(key);
	return rc;
}
