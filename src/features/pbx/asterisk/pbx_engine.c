/*
 * Asterisk as a process: the user it runs as, the directories it owns,
 * the files it reads (installed from the rendered ones, readable by its
 * group only), and the command line the supervisor starts.
 *
 * With an engine root (paths.pbx_root: a Debian tree holding Asterisk),
 * difos-engine-exec binds <run>/pbx, <state>/pbx and the recordings'
 * folder at the same paths inside it and runs Asterisk chrooted there;
 * its user is the root's "asterisk". Without one, the system's asterisk
 * runs as the system's "asterisk" user.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/files.h"
#include "core/log.h"
#include "features/pbx/asterisk/pbx_int.h"
#include "store/doc.h"

#define PBX_USER "asterisk"

/* the engine root's account database, read with libc's own reader */
static int pbx_user_in_root(const char *root, struct pbx_user *u)
{
	char *pw_path = xasprintf("%s/etc/passwd", root), *gr_path = xasprintf("%s/etc/group", root);
	FILE *pf = fopen(pw_path, "r"), *gf = fopen(gr_path, "r");
	struct passwd *pw;
	struct group *gr;

	u->found = 0;
	while (pf && (pw = fgetpwent(pf)))
		if (!strcmp(pw->pw_name, PBX_USER)) {
			u->uid = pw->pw_uid;
			u->found |= 1;
			break;
		}
	while (gf && (gr = fgetgrent(gf)))
		if (!strcmp(gr->gr_name, PBX_USER)) {
			u->gid = gr->gr_gid;
			u->found |= 2;
			break;
		}
	if (pf)
		fclose(pf);
	if (gf)
		fclose(gf);
	free(pw_path);
	free(gr_path);
	return u->found == 3 ? 0 : -1;
}

int pbx_user_find(const struct feature_env *env, struct pbx_user *u, char **err)
{
	if (env->paths.pbx_root) {
		if (pbx_user_in_root(env->paths.pbx_root, u) == 0)
			return 0;
		*err = xasprintf("the PBX engine root %s has no user and group \"" PBX_USER "\" "
				 "(is it built? scripts/pbx-rootfs.sh)", env->paths.pbx_root);
		return -1;
	}
	{
		struct passwd *pw = getpwnam(PBX_USER);
		struct group *gr = getgrnam(PBX_USER);
		if (pw && gr) {
			u->uid = pw->pw_uid;
			u->gid = gr->gr_gid;
			u->found = 3;
			return 0;
		}
	}
	*err = xstrdup("Asterisk is not installed: no user \"" PBX_USER "\" and no PBX engine root");
	return -1;
}

static int pbx_own_dir(const char *path, mode_t mode, uid_t uid, gid_t gid, char **err)
{
	if (mkdir_p(path, mode) < 0 || chown(path, uid, gid) < 0 || chmod(path, mode) < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int pbx_dirs_make(const struct feature_env *env, const json_t *doc, const struct pbx_user *u,
		  char **err)
{
	static const struct { const char *which; mode_t mode; bool engine_owns; } dirs[] = {
		{ "top", 0755, false }, { "state", 0755, false }, { "etc", 0750, false },
		{ "run", 0750, true }, { "lib", 0750, true }, { "spool", 0750, true },
		{ "log", 0750, true },
	};
	char *rec = pbx_recordings_dir(env, doc);
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(dirs) && rc == 0; i++) {
		char *d = pbx_dir(env, dirs[i].which);
		rc = pbx_own_dir(d, dirs[i].mode, dirs[i].engine_owns ? u->uid : 0, u->gid, err);
		free(d);
	}
	if (rc == 0)
		rc = pbx_own_dir(rec, 0750, u->uid, u->gid, err);
	free(rec);
	return rc;
}

/* The AMI secret: the configured password, or one the router made once. */
char *pbx_ami_secret(const struct feature_env *env, const json_t *doc)
{
	const char *set = doc_str(doc, "pbx.ami_password");
	char *state, *path, *s;

	if (set && *set)
		return xstrdup(set);
	state = pbx_dir(env, "state");
	path = xasprintf("%s/ami.secret", state);
	s = file_read(path, NULL);
	if (!s || strlen(s) < 32) {
		unsigned char raw[24];
		char hex[sizeof(raw) * 2 + 1];
		free(s);
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
		mkdir_p(state, 0755);
		if (file_write_atomic(path, hex, strlen(hex), 0600) < 0)
			log_warn("pbx: cannot keep the manager's secret in %s", path);
		s = xstrdup(hex);
	}
	s[strcspn(s, "\r\n")] = '\0';
	free(state);
	free(path);
	return s;
}

int pbx_file_install(const char *path, const char *data, size_t len, gid_t gid, char **err)
{
	char *tmp = xasprintf("%s.new", path);
	int rc = file_write(tmp, data, len, 0640);

	if (rc == 0 && (chown(tmp, 0, gid) < 0 || rename(tmp, path) < 0))
		rc = -1;
	if (rc < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

/*
 * The files Asterisk reads, into <run>/pbx/etc: the rendered ones, the
 * manager's user with its secret, and the router's certificate for the
 * TLS transport; each replaced whole (rename), 0640 root:asterisk.
 */
int pbx_files_install(const struct feature_ctx *ctx, const struct pbx_user *u, char **err)
{
	char *etc = pbx_dir(ctx->env, "etc"), *secret = pbx_ami_secret(ctx->env, ctx->doc);
	char *user = xasprintf("[" PBX_AMI_USER "]\nsecret = %s\ndeny = 0.0.0.0/0.0.0.0\n"
			       "permit = 127.0.0.1/255.255.255.255\nread = all\nwrite = all\n",
			       secret);
	static const char *const tls[][2] = {
		{ "difos/tls/server.crt", "tls.crt" }, { "difos/tls/server.key", "tls.key" },
	};
	DIR *d = opendir(ctx->dir);
	struct dirent *de;
	int rc = d ? 0 : -1;

	if (!d)
		*err = xasprintf("%s: %s", ctx->dir, strerror(errno));
	while (rc == 0 && (de = readdir(d))) {
		char *from, *to, *data;
		size_t len;
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "state"))
			continue;
		from = xasprintf("%s/%s", ctx->dir, de->d_name);
		to = xasprintf("%s/%s", etc, de->d_name);
		if ((data = file_read(from, &len)))
			rc = pbx_file_install(to, data, len, u->gid, err);
		free(data);
		free(from);
		free(to);
	}
	if (d)
		closedir(d);
	if (rc == 0) {
		char *to = xasprintf("%s/manager_user.conf", etc);
		rc = pbx_file_install(to, user, strlen(user), u->gid, err);
		free(to);
	}
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(tls); i++) {
		char *from = xasprintf("%s/%s", ctx->env->paths.etc, tls[i][0]);
		char *to = xasprintf("%s/%s", etc, tls[i][1]), *data;
		size_t len;
		/* no certificate yet: the TLS transport waits for one */
		if ((data = file_read(from, &len)))
			rc = pbx_file_install(to, data, len, u->gid, err);
		free(data);
		free(from);
		free(to);
	}
	sodium_memzero(secret, strlen(secret));
	sodium_memzero(user, strlen(user));
	free(secret);
	free(user);
	free(etc);
	return rc;
}

char **pbx_argv(const struct feature_env *env, const json_t *doc)
{
	char *etc = pbx_dir(env, "etc"), *conf = xasprintf("%s/asterisk.conf", etc);
	char **argv = xcalloc(24, sizeof(*argv));
	size_t n = 0;

	if (env->paths.pbx_root) {
		argv[n++] = xasprintf("%s/difos-engine-exec", env->paths.libexec);
		argv[n++] = xstrdup("--root");
		argv[n++] = xstrdup(env->paths.pbx_root);
		argv[n++] = xstrdup("--bind");
		argv[n++] = pbx_dir(env, "top");
		argv[n++] = xstrdup("--bind");
		argv[n++] = pbx_dir(env, "state");
		if (doc_str(doc, "pbx.recordings_path") && *doc_str(doc, "pbx.recordings_path")) {
			argv[n++] = xstrdup("--bind");
			argv[n++] = pbx_recordings_dir(env, doc);
		}
		argv[n++] = xstrdup("--");
		argv[n++] = xstrdup("/usr/sbin/asterisk");
	} else {
		argv[n++] = xstrdup("asterisk");
	}
	/* in the foreground, no colours, as its user, with difos's files */
	argv[n++] = xstrdup("-f");
	argv[n++] = xstrdup("-n");
	argv[n++] = xstrdup("-U");
	argv[n++] = xstrdup(PBX_USER);
	argv[n++] = xstrdup("-G");
	argv[n++] = xstrdup(PBX_USER);
	argv[n++] = xstrdup("-C");
	argv[n++] = conf;
	argv[n] = NULL;
	free(etc);
	return argv;
}

void pbx_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
