/* difosctl backup and restore: the file in pieces, the diff, the question. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "config/methods.h"
#include "core/util.h"

#define CLI_PIECE (512 << 10)

static int opt_passphrase(json_t *params, const char *prompt)
{
	char *p = auth_cli_read_secret(prompt);

	if (!p || !*p) {
		fprintf(stderr, "difosctl: no passphrase given on stdin\n");
		free(p);
		return -1;
	}
	json_object_set_new(params, "passphrase", json_string(p));
	sodium_memzero(p, strlen(p));
	free(p);
	return 0;
}

/* backup [-o FILE] [--passphrase] [--history N] */
int backup_cli_create(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	json_t *params = json_object(), *res = NULL;
	const char *to = "-", *id;
	long long off = 0, size = 0;
	int fd = -1, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			to = argv[++i];
		} else if (!strcmp(argv[i], "--passphrase")) {
			if (opt_passphrase(params, "passphrase: ") < 0)
				goto usage;
		} else if (!strcmp(argv[i], "--history") && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || n < 0) {
				fprintf(stderr, "difosctl: --history %s: not a number of revisions\n", argv[i]);
				goto usage;
			}
			json_object_set_new(params, "history", json_integer(n));
		} else {
			fprintf(stderr, "usage: difosctl backup [-o FILE] [--passphrase] [--history N]\n");
			goto usage;
		}
	}
	if ((rc = cli->call("backup.create", params, &res)) != CLI_OK)
		return rc;
	id = json_string_value(json_object_get(res, "file"));
	fd = !strcmp(to, "-") ? STDOUT_FILENO : open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "difosctl backup: %s: %s\n", to, strerror(errno));
		json_decref(res);
		return CLI_REJECTED;
	}
	do {
		json_t *piece;
		const char *data;
		size_t cap, len = 0;
		unsigned char *bin;
		if ((rc = cli->call("backup.download", json_pack("{s:s, s:I}", "file", id, "offset",
								(json_int_t)off), &piece)) != CLI_OK)
			break;
		data = json_string_value(json_object_get(piece, "data"));
		size = json_integer_value(json_object_get(piece, "size"));
		cap = data ? strlen(data) : 0;
		bin = xmalloc(cap + 1);
		if (!data || sodium_base642bin(bin, cap + 1, data, cap, NULL, &len, NULL,
					       sodium_base64_VARIANT_ORIGINAL) < 0 ||
		    (len && write(fd, bin, len) != (ssize_t)len) || (!len && off < size)) {
			fprintf(stderr, "difosctl backup: cannot write %s: %s\n", to,
				len ? strerror(errno) : "the piece is empty");
			rc = CLI_REJECTED;
		}
		free(bin);
		json_decref(piece);
		off += (long long)len;
	} while (rc == CLI_OK && off < size);
	if (fd != STDOUT_FILENO && close(fd) < 0 && rc == CLI_OK)
		rc = CLI_REJECTED;
	if (rc == CLI_OK && strcmp(to, "-") && !cli->json)
		fprintf(stderr, "%s: %lld bytes (%s)\n", to, size,
			json_is_true(json_object_get(json_object_get(res, "manifest"), "encrypted"))
				? "encrypted" : "not encrypted: it holds the configuration's secrets");
	json_decref(res);
	return rc;
usage:
	json_decref(params);
	return CLI_USAGE;
}

/* The file sent in pieces: its id, or NULL (the error said). */
static char *upload(const struct rpc_cli_ctx *cli, const char *path, int *rc)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char *buf = xmalloc(CLI_PIECE);
	char *b64 = xmalloc(sodium_base64_ENCODED_LEN(CLI_PIECE, sodium_base64_VARIANT_ORIGINAL));
	char *id = NULL;
	long long off = 0;
	ssize_t n;

	*rc = CLI_OK;
	if (fd < 0) {
		fprintf(stderr, "difosctl restore: %s: %s\n", path, strerror(errno));
		*rc = CLI_REJECTED;
	}
	while (fd >= 0 && *rc == CLI_OK && (n = read(fd, buf, CLI_PIECE)) >= 0) {
		json_t *p, *res;
		if (n == 0 && off > 0)
			break;
		sodium_bin2base64(b64, sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL),
				  buf, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
		p = json_pack("{s:s, s:I}", "data", b64, "offset", (json_int_t)off);
		if (id)
			json_object_set_new(p, "file", json_string(id));
		if ((*rc = cli->call("backup.upload", p, &res)) != CLI_OK)
			break;
		if (!id)
			id = xstrdup(json_string_value(json_object_get(res, "file")));
		json_decref(res);
		off += n;
		if (n == 0)
			break;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	free(b64);
	if (*rc != CLI_OK) {
		free(id);
		return NULL;
	}
	return id;
}

/* restore FILE [--passphrase] [--yes] [--confirm [SECS]] */
int backup_cli_restore(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	json_t *params = json_object(), *res;
	bool yes = false;
	char *id;
	int rc;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--passphrase")) {
			if (opt_passphrase(params, "passphrase: ") < 0)
				goto usage;
		} else if (!strcmp(argv[i], "--yes")) {
			yes = true;
		} else if (!strcmp(argv[i], "--confirm")) {
			long secs = 90;
			if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9') {
				char *end;
				secs = strtol(argv[++i], &end, 10);
				if (*end || secs < 1 || secs > 3600) {
					fprintf(stderr, "difosctl: --confirm %s: not 1-3600 seconds\n", argv[i]);
					goto usage;
				}
			}
			json_object_set_new(params, "confirm", json_integer(secs));
		} else {
			fprintf(stderr, "difosctl: unknown option %s\n", argv[i]);
			goto usage;
		}
	}
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: difosctl restore FILE [--passphrase] [--yes] [--confirm [SECS]]\n");
		goto usage;
	}
	if (!(id = upload(cli, argv[1], &rc))) {
		json_decref(params);
		return rc;
	}
	json_object_set_new(params, "file", json_string(id));
	free(id);
	rc = cli->call("backup.inspect", json_pack("{s:O, s:O*}", "file",
						  json_object_get(params, "file"), "passphrase",
						  json_object_get(params, "passphrase")), &res);
	if (rc != CLI_OK) {
		json_decref(params);
		return rc;
	}
	if (!cli->json) {
		json_t *man = json_object_get(res, "manifest");
		fprintf(stderr, "backup of %s made %s (difos %s)\n",
			json_string_value(json_object_get(man, "hostname")),
			json_string_value(json_object_get(man, "created")),
			json_string_value(json_object_get(man, "difos_version")));
		config_print_diff(json_object_get(res, "changes"));
	}
	json_decref(res);
	if (!yes) {
		char *line = NULL;
		size_t cap = 0;
		fprintf(stderr, "restore this configuration? [y/N] ");
		if (getline(&line, &cap, stdin) <= 0 || (line[0] != 'y' && line[0] != 'Y')) {
			free(line);
			json_decref(params);
			fprintf(stderr, "not restored\n");
			return CLI_REJECTED;
		}
		free(line);
	}
	return cli->show("backup.restore", params, config_print_applied);
usage:
	json_decref(params);
	return CLI_USAGE;
}
