/* The real system backend: commands, libnftables, /proc, processes. */
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/system.h"
#include "core/log.h"
#include "core/spawn.h"

static int linux_run(struct sys *s, char *const argv[], int timeout_ms, char **output)
{
	struct spawn_result r;
	char *line = spawn_argv_string(argv);

	(void)s;
	log_debug("run: %s", line);
	free(line);
	if (spawn_run(argv, NULL, timeout_ms, &r) < 0) {
		if (output)
			*output = xasprintf("cannot start %s", argv[0]);
		return -1;
	}
	if (r.timed_out && r.status == 0)
		r.status = 124;
	if (output)
		*output = r.output ? xstrdup(r.output) : xstrdup("");
	spawn_result_free(&r);
	return r.status;
}

static int linux_nft(struct sys *s, const char *script, bool check, char **output)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;
	const char *err, *out;

	(void)s;
	if (!nft) {
		if (output)
			*output = xstrdup("cannot create an nftables context");
		return -1;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	nft_ctx_set_dry_run(nft, check);
	rc = nft_run_cmd_from_buffer(nft, script);
	err = nft_ctx_get_error_buffer(nft);
	out = nft_ctx_get_output_buffer(nft);
	if (output)
		*output = xasprintf("%s%s", out ? out : "", err ? err : "");
	nft_ctx_free(nft);
	return rc == 0 ? 0 : 1;
}

static int linux_write_proc(struct sys *s, const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	(void)s;
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

static pid_t linux_start(struct sys *s, char *const argv[], char *const env[], int *out_fd)
{
	(void)s;
	return spawn_background(argv, env, out_fd);
}

static int linux_kill(struct sys *s, pid_t pid, int sig)
{
	(void)s;
	return kill(pid, sig) < 0 ? -errno : 0;
}

struct sys *sys_linux_new(void)
{
	struct sys *s = xcalloc(1, sizeof(*s));

	s->name = "linux";
	s->run = linux_run;
	s->nft = linux_nft;
	s->write_proc = linux_write_proc;
	s->start = linux_start;
	s->kill = linux_kill;
	sbuf_init(&s->journal);
	return s;
}

void sys_free(struct sys *s)
{
	if (!s)
		return;
	sbuf_free(&s->journal);
	free(s->fail_match);
	free(s);
}

bool sys_is_dry(const struct sys *s)
{
	return s && !strcmp(s->name, "dry");
}

int sys_runv(struct sys *s, char **err, const char *arg0, ...)
{
	const char *argv[32];
	va_list ap;
	size_t n = 0;
	char *out = NULL;
	int rc;

	argv[n++] = arg0;
	va_start(ap, arg0);
	while (n < ARRAY_SIZE(argv) - 1 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	rc = s->run(s, (char *const *)argv, 10000, &out);
	if (rc != 0 && err) {
		char *line = spawn_argv_string((char *const *)argv);
		size_t l = out ? strlen(out) : 0;
		while (l > 0 && (out[l - 1] == '\n' || out[l - 1] == ' '))
			out[--l] = '\0';
		free(*err);
		*err = xasprintf("%s: %s", line, out && *out ? out : "failed");
		free(line);
	}
	free(out);
	return rc;
}
