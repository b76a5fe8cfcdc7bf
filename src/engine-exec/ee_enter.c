/* Entering the engine root (ee_enter.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ee_enter.h"

/* mkdir -p of path as the process sees it now (inside the root) */
static int mkdirs(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	for (p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s inside the root: %s", buf,
					 strerror(errno));
				return -1;
			}
			*p = c;
			if (!c)
				return 0;
		}
	}
}

/* A mount point for a bind of a file: an empty file, its folders made. */
static int make_file_point(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdirs(dir, err, errlen) < 0)
			return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno != EISDIR) {
		snprintf(err, errlen, "cannot create %s inside the root: %s", path, strerror(errno));
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int ee_enter(const struct ee_args *a, char *err, size_t errlen)
{
	int *trees;
	size_t i;
	int rc = -1;

	trees = calloc(a->n_binds ? a->n_binds : 1, sizeof(*trees));
	if (!trees) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < a->n_binds; i++)
		trees[i] = -1;

	if (unshare(CLONE_NEWNS) < 0) {
		snprintf(err, errlen, "cannot make a mount namespace: %s", strerror(errno));
		goto out;
	}
	/* nothing mounted here propagates back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		snprintf(err, errlen, "cannot make / a slave mount: %s", strerror(errno));
		goto out;
	}
	/*
	 * Copies of the host trees are taken before the chroot and attached
	 * after it, so the mount points resolve inside the root: a symbolic
	 * link in the root (/var/run -> /run) leads where it leads for the
	 * engine, never out to the host.
	 */
	for (i = 0; i < a->n_binds; i++) {
		trees[i] = open_tree(AT_FDCWD, a->binds[i].host,
				     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (trees[i] < 0) {
			snprintf(err, errlen, "%s %s: %s", a->binds[i].opt, a->binds[i].value,
				 strerror(errno));
			goto out;
		}
	}
	/* root "/" (wireguard-go, which needs the host's tree): only the
	 * namespace, where its targets are bound */
	if (!ee_root_is_host(a->root) && chroot(a->root) < 0) {
		snprintf(err, errlen, "--root %s: cannot chroot: %s", a->root, strerror(errno));
		goto out;
	}
	if (chdir("/") < 0) {
		snprintf(err, errlen, "--root %s: cannot enter /: %s", a->root, strerror(errno));
		goto out;
	}
	for (i = 0; i < a->n_binds; i++) {
		struct stat st;

		const struct ee_bind *b = &a->binds[i];

		if (fstat(trees[i], &st) < 0) {
			snprintf(err, errlen, "%s %s: %s", b->opt, b->value, strerror(errno));
			goto out;
		}
		/* the target resolved inside the root: on Debian /var/run is a
		 * link to /run, and the folder is made where it leads */
		if ((S_ISDIR(st.st_mode) ? mkdirs(b->target, err, errlen) :
					   make_file_point(b->target, err, errlen)) < 0)
			goto out;
		if (move_mount(trees[i], "", AT_FDCWD, b->target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			snprintf(err, errlen, "%s %s: cannot mount it inside the root: %s", b->opt,
				 b->value, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	for (i = 0; i < a->n_binds; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	free(trees);
	return rc;
}
