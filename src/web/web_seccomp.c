/*
 * difosd-web's system calls, limited once privileges are dropped: an
 * attacker who takes over the process can only do what serving HTTPS
 * needs (read and write its sockets, poll, allocate memory, read the
 * clock). Anything else kills the process (SIGSYS); the core's supervisor
 * starts a new one and the kernel's audit log names the call.
 *
 * The list was made by tracing difosd-web (strace -f -c) through the web
 * and GUI tests, release and sanitizer builds: libuv's epoll loop,
 * OpenSSL's random numbers, glibc's allocator and time.
 */
#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "web/web.h"

static const char *const web_syscalls[] = {
	/* the loop: libuv with epoll, its wakeup eventfd and signal pipe */
	"epoll_wait", "epoll_pwait", "epoll_ctl", "epoll_create1", "eventfd2", "pipe2",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	/* sockets: the listeners, the clients, the core's unix socket */
	"accept", "accept4", "read", "readv", "write", "writev", "recvfrom", "recvmsg", "sendto",
	"sendmsg", "shutdown", "close", "getsockname", "getpeername", "getsockopt", "setsockopt",
	"ioctl", "fcntl",
	/* memory */
	"brk", "mmap", "munmap", "mremap", "madvise", "mprotect",
	/* time and randomness (OpenSSL) */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "getrandom",
	/* a few of glibc's own */
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "newfstatat", "fstat",
	"futex", "sched_yield", "uname", "sysinfo", "lseek", "openat", "poll", "ppoll",
	"exit", "exit_group", "restart_syscall", "tgkill", "rseq", "set_robust_list",
#if defined(__SANITIZE_ADDRESS__)
	/* the sanitizers' reports and leak check at exit */
	"clone", "clone3", "ptrace", "wait4", "prctl", "readlink", "readlinkat", "sched_getaffinity",
	"getppid", "kill", "waitid", "arch_prctl", "munlock", "mlock", "dup", "dup2", "dup3",
	"open", "stat", "lstat", "access", "faccessat", "pread64", "getdents64", "statx",
	"prlimit64", "getrlimit", "setrlimit", "write", "process_vm_readv",
#endif
};

int web_seccomp_install(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = ctx ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(web_syscalls); i++) {
		int nr = seccomp_syscall_resolve_name(web_syscalls[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;    /* not a call of this architecture */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		log_err("web: cannot install the system call filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
