/* Whole files: read, written (in place or atomically), compared, copied. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/files.h"
#include "core/util.h"

int mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = -errno;
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		rc = -errno;
out:
	free(p);
	return rc;
}

int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *sub;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", path, de->d_name);
		rm_rf(sub);
		free(sub);
	}
	closedir(d);
	return rmdir(path) < 0 ? -errno : 0;
}

int file_write(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t off = 0;
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0)
		rc = -errno;
	while (rc == 0 && off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno != EINTR)
			rc = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd, rc = 0;
	size_t off = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	fchmod(fd, mode);
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			close(fd);
			unlink(tmp);
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		rc = -errno;
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
	}
out:
	free(tmp);
	return rc;
}

char *file_read(const char *path, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct sbuf b;
	char buf[65536];
	ssize_t r;

	if (fd < 0)
		return NULL;
	sbuf_init(&b);
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			sbuf_free(&b);
			errno = e;
			return NULL;
		}
		sbuf_addn(&b, buf, (size_t)r);
	}
	close(fd);
	if (len_out)
		*len_out = b.len;
	return sbuf_steal(&b);
}

bool file_equal(const char *a, const char *b)
{
	struct stat sa, sb;
	size_t la, lb;
	char *da, *db;
	bool eq;

	/* one file under two names (generations link unchanged files) */
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		return true;
	da = file_read(a, &la);
	db = file_read(b, &lb);
	eq = da && db && la == lb && memcmp(da, db, la) == 0;

	free(da);
	free(db);
	return eq;
}

static int dir_count(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

bool dir_equal(const char *a, const char *b)
{
	DIR *d;
	struct dirent *de;
	bool eq = true;
	int na = dir_count(a), nb = dir_count(b);

	if (na < 0 && nb < 0)
		return true;
	if (na != nb)
		return false;
	d = opendir(a);
	if (!d)
		return false;
	while (eq && (de = readdir(d))) {
		char *pa, *pb;
		struct stat sa, sb;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		pa = xasprintf("%s/%s", a, de->d_name);
		pb = xasprintf("%s/%s", b, de->d_name);
		if (lstat(pa, &sa) < 0 || lstat(pb, &sb) < 0)
			eq = false;
		else if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
			eq = true; /* one file under two names */
		else if (S_ISDIR(sa.st_mode) != S_ISDIR(sb.st_mode))
			eq = false;
		else if (S_ISDIR(sa.st_mode))
			eq = dir_equal(pa, pb);
		else
			eq = file_equal(pa, pb);
		free(pa);
		free(pb);
	}
	closedir(d);
	return eq;
}

int dir_copy(const char *from, const char *to)
{
	DIR *d = opendir(from);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -errno;
	mkdir_p(to, 0755);
	while (!rc && (de = readdir(d))) {
		char *pa, *pb;
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		pa = xasprintf("%s/%s", from, de->d_name);
		pb = xasprintf("%s/%s", to, de->d_name);
		if (lstat(pa, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = dir_copy(pa, pb);
		} else {
			size_t n;
			char *data = file_read(pa, &n);
			if (!data)
				rc = -errno;
			else
				rc = file_write_atomic(pb, data, n, st.st_mode & 07777);
			free(data);
		}
		free(pa);
		free(pb);
	}
	closedir(d);
	return rc;
}
