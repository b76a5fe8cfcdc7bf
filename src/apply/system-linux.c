/* The real system backend: commands, libnftables, /proc, processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/system.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/spawn.h"

static int linux_run(struct sys *s, char *const argv[], const char *input, int timeout_ms,
		     char **output)
{
	struct spawn_result r;
	char *line = spawn_argv_string(argv);

	(void)s;
	log_debug("run: %s", line);
	free(line);
	/* an apply's worker lets others use the core while the command runs */
	core_outside_begin();
	int started = spawn_run(argv, input, timeout_ms, &r);
	core_outside_end();
	if (started < 0) {
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

/*
 * One libnftables context for the daemon's life. Freeing a context closes
 * its netlink socket, and closing it right after a commit waits for the
 * kernel's cleanup of the transaction (an RCU grace period, ~9 ms on a
 * small machine: as long as the rest of a small change). The context's
 * cache of the ruleset is let go after every run (a dry run of nothing
 * releases it), so no copy of large sets stays in the daemon's memory;
 * after a failed run the context is replaced, so nothing of it carries
 * over.
 */
static struct nft_ctx *linux_nft_ctx;

/* libnftables opens its socket without close-on-exec: the daemon spawns
 * the engines (dnsmasq, tc, curl ...) and it must not follow them. */
static void linux_nft_cloexec(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name), dom = 0, proto = 0, fl;
		socklen_t len = sizeof(int);
		struct stat sb;

		if (fd < 3 || fd == dirfd(d) || fstat(fd, &sb) < 0 || !S_ISSOCK(sb.st_mode))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl < 0 || (fl & FD_CLOEXEC) ||
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) < 0 || dom != AF_NETLINK)
			continue;
		len = sizeof(int);
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
		    proto == NETLINK_NETFILTER)
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
	if (d)
		closedir(d);
}

static struct nft_ctx *linux_nft_get(void)
{
	if (!linux_nft_ctx) {
		linux_nft_ctx = nft_ctx_new(NFT_CTX_DEFAULT);
		if (!linux_nft_ctx)
			return NULL;
		nft_ctx_buffer_output(linux_nft_ctx);
		nft_ctx_buffer_error(linux_nft_ctx);
		linux_nft_cloexec();
	}
	return linux_nft_ctx;
}

static pthread_mutex_t linux_nft_lock = PTHREAD_MUTEX_INITIALIZER;

static int linux_nft_locked(const char *script, bool check, char **output)
{
	struct nft_ctx *nft = linux_nft_get();
	int rc;
	const char *err, *out;

	if (!nft) {
		if (output)
			*output = xstrdup("cannot create an nftables context");
		return -1;
	}
	nft_ctx_set_dry_run(nft, check);
	rc = nft_run_cmd_from_buffer(nft, script);
	/* reading a buffer also empties it for the next run */
	err = nft_ctx_get_error_buffer(nft);
	out = nft_ctx_get_output_buffer(nft);
	if (output)
		*output = xasprintf("%s%s", out ? out : "", err ? err : "");
	if (rc != 0) {
		nft_ctx_free(nft);
		linux_nft_ctx = NULL;
	} else if (!check) {
		nft_ctx_set_dry_run(nft, true);
		nft_run_cmd_from_buffer(nft, "");
		nft_ctx_get_error_buffer(nft);
		nft_ctx_get_output_buffer(nft);
	}
	return rc == 0 ? 0 : 1;
}

/* A large transaction takes seconds: the core goes on answering meanwhile
 * (the context has a lock of its own, as the core lock is let go). */
static int linux_nft(struct sys *s, const char *script, bool check, char **output)
{
	int rc;

	(void)s;
	core_outside_begin();
	pthread_mutex_lock(&linux_nft_lock);
	rc = linux_nft_locked(script, check, output);
	pthread_mutex_unlock(&linux_nft_lock);
	core_outside_end();
	return rc;
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

static pid_t linux_start(struct sys *s, char *const argv[], char *const env[], int *in_fd,
			 int *out_fd)
{
	(void)s;
	return spawn_background(argv, env, in_fd, out_fd);
}

static int linux_kill(struct sys *s, pid_t pid, int sig)
{
	(void)s;
	return kill(pid, sig) < 0 ? -errno : 0;
}

static int linux_net(struct sys *s, const struct nl_op *op, json_t **out, char **err)
{
	(void)s;
	return nl_op_do(op, out, err);
}

static int linux_wg(struct sys *s, const char *sockdir, const char *ifname,
		    const struct wg_device *want, char **err)
{
	char why[512];
	struct wg_sync_stats st;

	(void)s;
	if (wg_sync(sockdir, ifname, want, &st, why, sizeof(why)) < 0) {
		if (err) {
			free(*err);
			*err = xstrdup(why);
		}
		return -1;
	}
	log_debug("wg sync %s: %zu added, %zu updated, %zu removed, %zu unchanged%s", ifname,
		  st.added, st.updated, st.removed, st.unchanged,
		  st.device_changed ? ", device changed" : "");
	return 0;
}

static int linux_nft_set(struct sys *s, const struct nft_set_op *ops, size_t n, char **err)
{
	(void)s;
	return nft_set_apply(ops, n, err);
}

struct sys *sys_linux_new(void)
{
	struct sys *s = xcalloc(1, sizeof(*s));

	s->name = "linux";
	s->run = linux_run;
	s->nft = linux_nft;
	s->net = linux_net;
	s->wg = linux_wg;
	s->nft_set = linux_nft_set;
	s->write_proc = linux_write_proc;
	s->start = linux_start;
	s->kill = linux_kill;
	s->job = sys_linux_job;
	sbuf_init(&s->journal);
	return s;
}

void sys_free(struct sys *s)
{
	if (!s)
		return;
	if (!sys_is_dry(s))
		sys_linux_jobs_end();
	sbuf_free(&s->journal);
	free(s->fail_match);
	free(s);
}

bool sys_is_dry(const struct sys *s)
{
	return s && !strcmp(s->name, "dry");
}

int sys_run_argv(struct sys *s, char *const argv[], char **err)
{
	char *out = NULL;
	int rc = s->run(s, argv, NULL, 10000, &out);

	if (rc != 0 && err) {
		char *line = spawn_argv_string(argv);
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

int sys_runv(struct sys *s, char **err, const char *arg0, ...)
{
	const char *argv[32];
	va_list ap;
	size_t n = 0;

	argv[n++] = arg0;
	va_start(ap, arg0);
	while (n < ARRAY_SIZE(argv) - 1 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return sys_run_argv(s, (char *const *)argv, err);
}

int sys_net(struct sys *s, char **err, const struct nl_op *op)
{
	json_t *out = NULL;
	int rc = s->net(s, op, &out, err);

	json_decref(out);
	return rc;
}

int sys_wg(struct sys *s, char **err, const char *sockdir, const char *ifname,
	   const struct wg_device *want)
{
	return s->wg(s, sockdir, ifname, want, err);
}

int sys_nft_set(struct sys *s, char **err, const struct nft_set_op *ops, size_t n)
{
	return s->nft_set(s, ops, n, err);
}

json_t *sys_net_list(struct sys *s, const struct nl_op *op, bool *ok)
{
	json_t *out = NULL;
	bool good = s->net(s, op, &out, NULL) == 0 && json_is_array(out);

	if (ok)
		*ok = good;
	if (!good) {
		json_decref(out);
		out = json_array();
	}
	return out;
}
