/*
 * Dropping privileges: after the ports are bound and the key is read, the
 * process shuts itself in an empty directory and becomes an unprivileged
 * user, before it reads a byte from the network. Its capability bounding
 * set is emptied first, and a system call filter (web_seccomp.c) closes
 * the door behind it. It is checked, not assumed: a process that could
 * become root again stops.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "web/web.h"

/* Empties the capability bounding set while still root: no later exec or
 * uid change can bring a capability back. */
static int web_drop_bounding_set(void)
{
	int cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			log_err("web: cannot drop capability %d from the bounding set: %s", cap,
				strerror(errno));
			return -1;
		}
	return 0;
}

int web_drop_privileges(const char *user, const char *chroot_dir)
{
	struct passwd *pw = getpwnam(user);
	uid_t uid;
	gid_t gid;

	if (!pw) {
		log_warn("web: no user %s; running as nobody", user);
		pw = getpwnam("nobody");
	}
	if (!pw || pw->pw_uid == 0) {
		log_err("web: no unprivileged user to run as");
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (geteuid() == 0 && web_drop_bounding_set() < 0)
		return -1;
	if (geteuid() == 0 && chroot_dir) {
		mkdir_p(chroot_dir, 0755);
		if (chroot(chroot_dir) < 0 || chdir("/") < 0) {
			log_err("web: chroot %s: %s", chroot_dir, strerror(errno));
			return -1;
		}
	}
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)) {
		log_err("web: cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	if (getuid() == 0 || geteuid() == 0 || setuid(0) == 0) {
		log_err("web: still privileged after the drop");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_err("web: cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return web_seccomp_install();
}
