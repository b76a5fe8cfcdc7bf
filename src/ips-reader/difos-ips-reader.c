/*
 * difos-ips-reader: the parser process of intrusion prevention (ipr.h).
 *
 *     difos-ips-reader [--user NAME]
 *
 * Started by difosd as root, it becomes NAME (nobody by default) with no
 * groups, can never gain privileges again, and then may only read its
 * stdin, write its stdout and allocate memory: a parser taken over by a
 * crafted log line can do nothing else (anything else kills it, and
 * difosd's supervisor starts a new one).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ips-reader/ipr.h"

static const char *const ipr_syscalls[] = {
	"read", "write", "exit", "exit_group", "rt_sigreturn", "restart_syscall",
	/* glibc's allocator and stdio's first use */
	"brk", "mmap", "munmap", "mremap", "madvise", "newfstatat", "fstat", "futex",
#if defined(__SANITIZE_ADDRESS__)
	/* the sanitizers' reports and leak check at exit */
	"clone", "clone3", "ptrace", "wait4", "prctl", "readlink", "readlinkat",
	"sched_getaffinity", "getpid", "gettid", "getppid", "kill", "tgkill", "waitid",
	"arch_prctl", "munlock", "mlock", "mprotect", "dup", "dup2", "dup3", "open", "openat",
	"close", "stat", "lstat", "access", "faccessat", "pread64", "getdents64", "statx",
	"prlimit64", "getrlimit", "setrlimit", "sigaltstack", "rt_sigaction", "rt_sigprocmask",
	"process_vm_readv", "sched_yield", "getrandom", "clock_gettime", "lseek", "ioctl",
	"set_robust_list", "rseq", "uname",
#endif
};

static char ipr_out[1 << 16];
static size_t ipr_out_len;

static void ipr_flush(void)
{
	size_t off = 0;

	while (off < ipr_out_len) {
		ssize_t w = write(1, ipr_out + off, ipr_out_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(1);   /* difosd went away */
		off += (size_t)w;
	}
	ipr_out_len = 0;
}

static void ipr_emit(void *arg, const char *rec, size_t len)
{
	(void)arg;
	if (ipr_out_len + len > sizeof(ipr_out))
		ipr_flush();
	memcpy(ipr_out + ipr_out_len, rec, len);
	ipr_out_len += len;
}

static int ipr_drop(const char *user)
{
	struct passwd *pw;

	if (getuid() != 0)
		return 0;   /* started unprivileged already (a benchmark, a test) */
	pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "difos-ips-reader: no user %s\n", user);
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "difos-ips-reader: cannot become %s: %s\n", user, strerror(errno));
		return -1;
	}
	return 0;
}

static int ipr_filter(void)
{
	scmp_filter_ctx ctx;
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(ipr_syscalls) / sizeof(ipr_syscalls[0]); i++) {
		int nr = seccomp_syscall_resolve_name(ipr_syscalls[i]);
		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

int main(int argc, char **argv)
{
	static struct ipr r;
	static unsigned char in[1 << 16];
	const char *user = "nobody";
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--user") && i + 1 < argc) {
			user = argv[++i];
		} else {
			fprintf(stderr, "usage: difos-ips-reader [--user NAME]\n");
			return 2;
		}
	}
	if (ipr_drop(user) < 0)
		return 1;
	rc = ipr_filter();
	if (rc < 0) {
		fprintf(stderr, "difos-ips-reader: cannot install the system call filter: %s\n",
			strerror(-rc));
		return 1;
	}
	ipr_init(&r);
	for (;;) {
		ssize_t n = read(0, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (ipr_feed(&r, in, (size_t)n, ipr_emit, NULL) < 0) {
			ipr_flush();
			fprintf(stderr, "difos-ips-reader: a malformed frame\n");
			return 1;
		}
		/* a read's records go out at once: a ban waits for nothing */
		ipr_flush();
	}
	ipr_flush();
	return 0;
}
