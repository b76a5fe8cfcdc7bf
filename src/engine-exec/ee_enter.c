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
		trees[i] = open_tree(AT_FDCWD, a->binds[i],
				     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (trees[i] < 0) {
			snprintf(err, errlen, "--bind %s: %s", a->binds[i], strerror(errno));
			goto out;
		}
	}
	if (chroot(a->root) < 0) {
		snprintf(err, errlen, "--root %s: cannot chroot: %s", a->root, strerror(errno));
		goto out;
	}
	if (chdir("/") < 0) {
		snprintf(err, errlen, "--root %s: cannot enter /: %s", a->root, strerror(errno));
		goto out;
	}
	for (i = 0; i < a->n_binds; i++) {
		struct stat st;

		if (fstat(trees[i], &st) < 0) {
			snprintf(err, errlen, "--bind %s: %s", a->binds[i], strerror(errno));
			goto out;
		}
		if ((S_ISDIR(st.st_mode) ? mkdirs(a->binds[i], err, errlen) :
					   make_file_point(a->binds[i], err, errlen)) < 0)
			goto out;
		if (move_mount(trees[i], "", AT_FDCWD, a->binds[i], MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			snprintf(err, errlen, "--bind %s: cannot mount it inside the root: %s",
				 a->binds[i], strerror(errno));
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

int ee_bind_at(const struct ee_args *a, char *err, size_t errlen)
{
	if (unshare(CLONE_NEWNS) < 0) {
		snprintf(err, errlen, "cannot make a mount namespace: %s", strerror(errno));
		return -1;
	}
	/* nothing mounted here propagates back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		snprintf(err, errlen, "cannot make / a slave mount: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < a->n_at; i++) {
		const char *colon = strchr(a->at[i], ':');
		char src[4096];

		snprintf(src, sizeof(src), "%.*s", (int)(colon - a->at[i]), a->at[i]);
		if (mount(src, colon + 1, NULL, MS_BIND | MS_REC, NULL) < 0) {
			snprintf(err, errlen, "--bind-at %s: %s", a->at[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}
