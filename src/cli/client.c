#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/client.h"
#include "core/util.h"

int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

json_t *client_call(int fd, const char *method, json_t *params)
{
	static int next_id = 1;
	json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", next_id++,
				"method", method, "params", params ? params : json_object());
	char *text = json_dumps(req, JSON_COMPACT);
	size_t len = strlen(text), off = 0;
	struct sbuf in;
	json_t *resp = NULL;

	json_decref(req);
	text = xrealloc(text, len + 2);
	text[len++] = '\n';
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(text);
			return NULL;
		}
		off += (size_t)w;
	}
	free(text);
	sbuf_init(&in);
	for (;;) {
		char buf[65536];
		ssize_t r = read(fd, buf, sizeof(buf));
		char *nl;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		sbuf_addn(&in, buf, (size_t)r);
		nl = memchr(in.s, '\n', in.len);
		if (nl) {
			resp = json_loadb(in.s, (size_t)(nl - in.s), 0, NULL);
			break;
		}
	}
	sbuf_free(&in);
	return resp;
}

int client_hook_call(const char *prog, const char *sock, int wait_ms, const char *method,
		     json_t *params)
{
	json_t *resp;
	int fd = -1;

	for (int waited = 0; fd < 0 && waited <= wait_ms; waited += 100) {
		fd = client_connect(sock);
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0) {
		fprintf(stderr, "%s: cannot reach difosd at %s\n", prog, sock);
		json_decref(params);
		return 1;
	}
	resp = client_call(fd, method, params);
	close(fd);
	if (!resp || json_object_get(resp, "error")) {
		char *t = resp ? json_dumps(json_object_get(resp, "error"), JSON_COMPACT) : NULL;
		fprintf(stderr, "%s: %s\n", prog, t ? t : "no answer");
		free(t);
		json_decref(resp);
		return 1;
	}
	json_decref(resp);
	return 0;
}
