/*
 * A call's recording, in pieces: each answer carries at most 1 MiB in
 * base64, so no answer holds a whole long recording in memory and every
 * door (the control socket, the web door's JSON) carries it unchanged; the
 * GUI joins the pieces into a Blob, difosctl into a file.
 *
 * The file is named by the caller: only a plain name of the recordings'
 * folder is taken, opened below the folder without following a link.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/engine.h"
#include "features/pbx/cdr/cdr.h"
#include "features/pbx/pbx_paths.h"

/* the file, open for reading; -1 with the error on c */
static int cdr_recording_open(struct rpc_call *c, const char *file, struct stat *stp)
{
	char *dir = pbx_recordings_dir(c->env, c->env->engine->running);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;

	if (dfd >= 0)
		fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, stp) < 0 || !S_ISREG(stp->st_mode))) {
		close(fd);
		fd = -1;
		errno = ENOENT;
	}
	if (fd < 0)
		rpc_fail(c, errno == ENOENT || errno == ELOOP ? RPC_NOTFOUND : RPC_INTERNAL, "file",
			 json_object_get(c->params, "file"), "file: no recording \"%s\" in %s (%s)",
			 file, dir, strerror(errno));
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return fd;
}

json_t *cdr_recording_method(struct rpc_call *c)
{
	const char *file = json_string_value(json_object_get(c->params, "file"));
	long long offset = 0, length = CDR_CHUNK_MAX;
	struct stat st;
	unsigned char *buf;
	char *b64;
	ssize_t n;
	int fd;
	json_t *out;

	if (json_object_get(c->params, "offset"))
		offset = json_integer_value(json_object_get(c->params, "offset"));
	if (json_object_get(c->params, "length"))
		length = json_integer_value(json_object_get(c->params, "length"));
	if (!cdr_file_ok(file))
		return rpc_fail(c, RPC_INVALID, "file", json_object_get(c->params, "file"),
				"file: \"%s\" is not a recording's file name (a plain name of the "
				"recordings folder: letters, digits, '.', '_', '-'; no '/', no '..')",
				file ? file : "");
	if ((fd = cdr_recording_open(c, file, &st)) < 0)
		return NULL;
	if (offset > (long long)st.st_size) {
		close(fd);
		return rpc_fail(c, RPC_INVALID, "offset", json_object_get(c->params, "offset"),
				"offset: %lld is past the end of %s (%lld bytes)", offset, file,
				(long long)st.st_size);
	}
	if (length > (long long)st.st_size - offset)
		length = (long long)st.st_size - offset;
	buf = xmalloc((size_t)length + 1);
	n = length ? pread(fd, buf, (size_t)length, (off_t)offset) : 0;
	close(fd);
	if (n < 0) {
		free(buf);
		return rpc_fail(c, RPC_INTERNAL, "file", NULL, "cannot read %s: %s", file,
				strerror(errno));
	}
	b64 = xmalloc(sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL));
	sodium_bin2base64(b64, sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL),
			  buf, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
	out = json_pack("{s:s, s:I, s:I, s:I, s:s}", "file", file, "size", (json_int_t)st.st_size,
			"offset", offset, "length", (json_int_t)n, "data", b64);
	free(buf);
	free(b64);
	return out;
}

/* recording FILE [OUT|-]: every piece, in order, into OUT */
int cdr_cli_recording(const struct rpc_cli_ctx *cli, int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : NULL;
	const char *to = argc > 2 ? argv[2] : file;
	long long offset = 0, size = 0;
	int fd = -1, rc = CLI_OK;

	if (!file || argc > 3) {
		fprintf(stderr, "usage: difosctl recording FILE [OUT|-]\n");
		return CLI_USAGE;
	}
	do {
		json_t *res, *params = json_pack("{s:s, s:I}", "file", file, "offset", offset);
		const char *data;
		unsigned char *bin;
		size_t len = 0, cap;
		if ((rc = cli->call("pbx.recording", params, &res)) != CLI_OK)
			break;
		data = json_string_value(json_object_get(res, "data"));
		size = json_integer_value(json_object_get(res, "size"));
		cap = data ? strlen(data) : 0;
		/* the file once the first piece came: a refused name leaves none */
		if (fd < 0)
			fd = !strcmp(to, "-") ? STDOUT_FILENO
					      : open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
						     0600);
		if (fd < 0) {
			fprintf(stderr, "difosctl recording: %s: %s\n", to, strerror(errno));
			json_decref(res);
			return CLI_REJECTED;
		}
		bin = xmalloc(cap + 1);
		if (!data || sodium_base642bin(bin, cap + 1, data, cap, NULL, &len, NULL,
					       sodium_base64_VARIANT_ORIGINAL) < 0 ||
		    (len > 0 && write(fd, bin, len) != (ssize_t)len)) {
			fprintf(stderr, "difosctl recording: cannot write %s: %s\n", to,
				data ? strerror(errno) : "no data in the answer");
			rc = CLI_REJECTED;
		}
		free(bin);
		json_decref(res);
		/* an empty piece before the end would never end */
		if (rc == CLI_OK && len == 0 && offset < size) {
			fprintf(stderr, "difosctl recording: %s ended early\n", file);
			rc = CLI_REJECTED;
		}
		offset += (long long)len;
	} while (rc == CLI_OK && offset < size);
	if (fd >= 0 && fd != STDOUT_FILENO && close(fd) < 0 && rc == CLI_OK)
		rc = CLI_REJECTED;
	if (rc == CLI_OK && strcmp(to, "-") && !cli->json)
		fprintf(stderr, "%s: %lld bytes\n", to, size);
	return rc;
}
