/*
 * The system backend: every action an applier takes on the machine goes
 * through it. "linux" acts for real; "dry" records each action as a line
 * of text and acts on nothing, so appliers and the engine can be tested
 * anywhere (and a test can make a chosen action fail).
 */
#ifndef DIFOS_SYSTEM_H
#define DIFOS_SYSTEM_H

#include <stdbool.h>
#include <sys/types.h>
#include <uv.h>

#include "core/util.h"
#include "net/nft_set.h"
#include "net/nl_write.h"
#include "net/wg.h"

/* A background job ended: its exit code, 128+signal when killed. */
typedef void (*sys_job_done)(void *arg, int status);

struct sys {
	const char *name;
	/* Runs a command with input on its stdin (NULL: /dev/null); returns
	 * its exit status (0 = success), -1 if it could not run. *output (if
	 * non-NULL) receives stdout+stderr. dry: records "run <argv>" and,
	 * with input, " < (<n> bytes)" (never the input: it may be a key). */
	int (*run)(struct sys *s, char *const argv[], const char *input, int timeout_ms,
		   char **output);
	/* Loads (or with check, only verifies) an nft script as one transaction. */
	int (*nft)(struct sys *s, const char *script, bool check, char **output);
	/* Changes (or, for the list kinds, reads) the kernel's links,
	 * addresses, routes and rules: 0 or -1 with the reason in *err (err
	 * may be NULL); NL_LINK_SHOW: 1 when the device does not exist; a
	 * list in *out. dry: records "net <as ip would say it>", a device
	 * exists, a list is empty. */
	int (*net)(struct sys *s, const struct nl_op *op, json_t **out, char **err);
	/* Makes the WireGuard device ifname want's with the fewest changes
	 * (net/wg.h: wg_sync; sockdir: wireguard-go's socket folder): 0, or -1
	 * with the reason in *err (err may be NULL). dry: records "wg sync
	 * <ifname> port=<p> peers=<n>", never a key. */
	int (*wg)(struct sys *s, const char *sockdir, const char *ifname,
		  const struct wg_device *want, char **err);
	/* Changes elements of nft sets, all ops one transaction (net/nft_set.h:
	 * the semantics of each op): 0, or -1 with the reason in *err (err may
	 * be NULL). dry: records one line per op in nft's words, "nft add
	 * element inet difos dyn_ips4 { 192.0.2.7 timeout 3600s }" (at most 20
	 * elements, then ", ... (N in all)"), "nft flush set inet difos
	 * dyn_ips4". */
	int (*nft_set)(struct sys *s, const struct nft_set_op *ops, size_t n, char **err);
	/* Writes a kernel setting such as /proc/sys/net/ipv4/ip_forward. */
	int (*write_proc)(struct sys *s, const char *path, const char *value);
	/* Starts a supervised engine; returns pid (or a fake one) and the
	 * read end of its output pipe in *out_fd (-1 when there is none);
	 * with in_fd, the write end of a pipe to its stdin there (dry: -1). */
	pid_t (*start)(struct sys *s, char *const argv[], char *const env[], int *in_fd,
		       int *out_fd);
	int (*kill)(struct sys *s, pid_t pid, int sig);
	/* Runs argv in the background on loop (difosd answers meanwhile), its
	 * output discarded: a job writes files. done is called from the loop
	 * when it ends; after timeout_ms it is killed. Returns 0, or -1 when it
	 * cannot start (done is not called). dry: records "job <argv>" and calls
	 * done before returning, with status 0 (1 for an injected failure). */
	int (*job)(struct sys *s, uv_loop_t *loop, char *const argv[], int timeout_ms,
		   sys_job_done done, void *arg);
	/* dry: recorded actions, one per line; fail_match: an action whose text
	 * contains this string fails. */
	struct sbuf journal;
	char *fail_match;
};

struct sys *sys_linux_new(void);
/* system-job.c: the linux backend's background jobs */
int sys_linux_job(struct sys *s, uv_loop_t *loop, char *const argv[], int timeout_ms,
		  sys_job_done done, void *arg);
/* After the loop closed: kills the jobs still running and forgets them. */
void sys_linux_jobs_end(void);
struct sys *sys_dry_new(void);
void sys_free(struct sys *s);
bool sys_is_dry(const struct sys *s);

/* Convenience: run (10 s at most) and, on failure, put "<cmd>: <output>"
 * in *err (err may be NULL); the argv array, or the arguments to NULL. */
int sys_run_argv(struct sys *s, char *const argv[], char **err);
int sys_runv(struct sys *s, char **err, const char *arg0, ...) __attribute__((sentinel));
/* Convenience: performs op through s->net (err may be NULL). */
int sys_net(struct sys *s, char **err, const struct nl_op *op);
/* Convenience: performs a WireGuard sync through s->wg (err may be NULL). */
int sys_wg(struct sys *s, char **err, const char *sockdir, const char *ifname,
	   const struct wg_device *want);
/* Convenience: changes set elements through s->nft_set (err may be NULL). */
int sys_nft_set(struct sys *s, char **err, const struct nft_set_op *ops, size_t n);
/* A list op's array (an empty one when it failed: *ok false, ok may be NULL). */
json_t *sys_net_list(struct sys *s, const struct nl_op *op, bool *ok);

#endif
