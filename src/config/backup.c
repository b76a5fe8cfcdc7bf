/*
 * Administration › Backup & Updates: backup.create, .download, .upload,
 * .inspect and .restore. They are the core's (config/), not a feature's:
 * a backup reads the store (the running and staged documents, the
 * revisions) and a restore is "stage this document, apply it with
 * confirm", the apply methods' own run (config_apply_run), so a restore
 * not confirmed in time is rolled back like any apply.
 *
 * Files go through the state folder <state>/backup (0700), named by a
 * random id: a backup made is read back in pieces (download), a file to
 * restore arrives in pieces (upload); no piece is over 512 KiB, so no
 * request or answer holds a whole backup, and the archive is written and
 * read a member at a time. Files older than an hour are removed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "config/backup_int.h"
#include "config/methods.h"
#include "core/files.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/diff.h"
#include "store/doc.h"
#include "store/store.h"

#define BACKUP_PIECE      (512 << 10)
#define BACKUP_UPLOAD_MAX (128LL << 20)
#define BACKUP_KEEP_SECS  3600
#define BACKUP_ID_LEN     32
#define BACKUP_CONFIRM_SECS 90

static char *backup_dir(const struct feature_env *env)
{
	char *d = xasprintf("%s/backup", env->paths.state);

	mkdir_p(d, 0700);
	chmod(d, 0700);
	return d;
}

/* Files left over an hour ago are no one's any more. */
static void backup_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	time_t now = time(NULL);

	while (d && (e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (now - st.st_mtime > BACKUP_KEEP_SECS)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
}

static void backup_new_id(char id[BACKUP_ID_LEN + 1])
{
	unsigned char r[BACKUP_ID_LEN / 2];

	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(id, BACKUP_ID_LEN + 1, r, sizeof(r));
}

/* The id's file (".out" made here, ".in" uploaded), or -1 with the error on c. */
static int backup_open(struct rpc_call *c, const char *id, int flags, char **path_out)
{
	char *dir = backup_dir(c->env), *path = NULL;
	int fd = -1;

	if (!id || strlen(id) != BACKUP_ID_LEN || strspn(id, "0123456789abcdef") != BACKUP_ID_LEN) {
		rpc_fail(c, RPC_INVALID, "file", json_object_get(c->params, "file"),
			 "file: \"%s\" is not the id of a backup made or uploaded", id ? id : "");
		goto out;
	}
	for (int i = 0; i < 2 && fd < 0; i++) {
		free(path);
		path = xasprintf("%s/%s.%s", dir, id, i ? "out" : "in");
		fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		rpc_fail(c, RPC_NOTFOUND, "file", json_object_get(c->params, "file"),
			 "file: no backup \"%s\" (made or uploaded over an hour ago?)", id);
out:
	if (fd >= 0 && path_out)
		*path_out = path;
	else
		free(path);
	free(dir);
	return fd;
}

/* ---- create ---- */

struct backup_src {
	const struct feature_env *env;
	const json_t *doc;      /* a document, or */
	long long rev;          /* a revision read from the store */
	char *file;             /* a file's bytes */
};

static char *make_doc(void *arg, size_t *len)
{
	struct backup_src *s = arg;
	json_t *doc = s->doc ? json_incref((json_t *)s->doc)
			     : store_revision_doc(s->env->engine->store, s->rev);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
	*len = text ? strlen(text) : 0;
	return text;
}

static char *make_file(void *arg, size_t *len)
{
	struct backup_src *s = arg;

	return file_read(s->file, len);
}

static bool backup_tls_user(const struct feature_env *env, char **crt, char **key)
{
	*crt = xasprintf("%s/difos/tls/user.crt", env->paths.etc);
	*key = xasprintf("%s/difos/tls/user.key", env->paths.etc);
	return access(*crt, R_OK) == 0 && access(*key, R_OK) == 0;
}

static void iso_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *backup_create(struct rpc_call *c)
{
	const char *pass = rpc_str(c, "passphrase");
	json_t *hv = json_object_get(c->params, "history");
	long long n_hist = json_is_integer(hv) ? json_integer_value(hv) : 10;
	struct engine *e = c->env->engine;
	const json_t *staged = store_staged_peek(e->store);
	json_t *hist = n_hist > 0 ? store_history(e->store, (int)n_hist) : json_array();
	size_t nh = json_array_size(hist), n = 0;
	struct backup_member *m = xcalloc(nh + 4, sizeof(*m));
	struct backup_src *src = xcalloc(nh + 4, sizeof(*src));
	char **names = xcalloc(nh + 1, sizeof(*names));
	char *dir = backup_dir(c->env), *crt, *key, *tmp = NULL, *out = NULL, *err = NULL;
	char id[BACKUP_ID_LEN + 1], when[32], stamp[32];
	time_t now = time(NULL);
	json_t *head, *res = NULL;
	int fd = -1, fo = -1;
	struct stat st;
	bool tls = backup_tls_user(c->env, &crt, &key);
	const char *host = doc_str(e->running, "system.hostname");

	if (pass && !*pass) {
		rpc_fail(c, RPC_INVALID, "passphrase", NULL, "passphrase: empty; leave it out for none");
		goto done;
	}
	backup_sweep(dir);
	src[n] = (struct backup_src){ .env = c->env, .doc = e->running };
	m[n] = (struct backup_member){ "config.json", make_doc, &src[n] }, n++;
	if (staged) {
		src[n] = (struct backup_src){ .env = c->env, .doc = staged };
		m[n] = (struct backup_member){ "staged.json", make_doc, &src[n] }, n++;
	}
	for (size_t i = 0; i < nh; i++) {
		long long rev = json_integer_value(json_object_get(json_array_get(hist, i), "id"));
		names[i] = xasprintf("revisions/%lld.json", rev);
		src[n] = (struct backup_src){ .env = c->env, .rev = rev };
		m[n] = (struct backup_member){ names[i], make_doc, &src[n] }, n++;
	}
	if (tls) {
		src[n] = (struct backup_src){ .env = c->env, .file = crt };
		m[n] = (struct backup_member){ "tls/user.crt", make_file, &src[n] }, n++;
		src[n] = (struct backup_src){ .env = c->env, .file = key };
		m[n] = (struct backup_member){ "tls/user.key", make_file, &src[n] }, n++;
	}
	iso_time(now, when);
	head = json_pack("{s:i, s:s, s:i, s:s, s:s, s:b, s:I}", "format", BACKUP_FORMAT,
			 "difos_version", DIFOS_VERSION, "schema_version", SCHEMA_VERSION,
			 "created", when, "hostname", host ? host : "", "encrypted", pass != NULL,
			 "running_revision", (json_int_t)store_running(e->store));
	backup_new_id(id);
	tmp = xasprintf("%s/%s.tmp", dir, id);
	out = xasprintf("%s/%s.out", dir, id);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || backup_write_fd(fd, head, m, n, &err) < 0) {
		rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot write the backup: %s",
			 err ? err : strerror(errno));
		json_decref(head);
		goto done;
	}
	if (pass) {
		fo = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fo < 0 || lseek(fd, 0, SEEK_SET) < 0 || backup_encrypt(fd, fo, pass, &err) < 0) {
			rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot encrypt the backup: %s",
				 err ? err : strerror(errno));
			json_decref(head);
			unlink(out);
			goto done;
		}
		unlink(tmp);
	} else if (rename(tmp, out) < 0) {
		rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot keep the backup: %s", strerror(errno));
		json_decref(head);
		goto done;
	}
	stat(out, &st);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
	res = json_pack("{s:s, s:I, s:o}", "file", id, "size", (json_int_t)st.st_size,
			"manifest", head);
	json_object_set_new(res, "name", json_sprintf("difos-%s-%s.%s", host ? host : "router",
							stamp, pass ? "difosbk" : "tar.gz"));
done:
	if (fd >= 0)
		close(fd);
	if (fo >= 0)
		close(fo);
	if (tmp)
		unlink(tmp);
	for (size_t i = 0; i < nh; i++)
		free(names[i]);
	free(names);
	free(m);
	free(src);
	free(err);
	free(tmp);
	free(out);
	free(crt);
	free(key);
	free(dir);
	json_decref(hist);
	return res;
}

/* ---- pieces in and out ---- */

static json_t *backup_download(struct rpc_call *c)
{
	json_t *ov = json_object_get(c->params, "offset");
	long long off = json_is_integer(ov) ? json_integer_value(ov) : 0;
	int fd = backup_open(c, rpc_str(c, "file"), O_RDONLY, NULL);
	unsigned char *buf;
	char *b64;
	struct stat st;
	ssize_t got;
	json_t *res;

	if (fd < 0)
		return NULL;
	fstat(fd, &st);
	if (off < 0 || off > st.st_size) {
		close(fd);
		return rpc_fail(c, RPC_INVALID, "offset", ov, "offset: %lld is beyond the file's %lld bytes",
				off, (long long)st.st_size);
	}
	buf = xmalloc(BACKUP_PIECE);
	got = pread(fd, buf, BACKUP_PIECE, off);
	close(fd);
	if (got < 0)
		got = 0;
	b64 = xmalloc(sodium_base64_ENCODED_LEN((size_t)got, sodium_base64_VARIANT_ORIGINAL));
	sodium_bin2base64(b64, sodium_base64_ENCODED_LEN((size_t)got, sodium_base64_VARIANT_ORIGINAL),
			  buf, (size_t)got, sodium_base64_VARIANT_ORIGINAL);
	res = json_pack("{s:s, s:I, s:I, s:b}", "data", b64, "offset", (json_int_t)off, "size",
			(json_int_t)st.st_size, "eof", off + got >= st.st_size);
	free(b64);
	free(buf);
	return res;
}

static json_t *backup_upload(struct rpc_call *c)
{
	const char *id = rpc_str(c, "file"), *data = rpc_str(c, "data");
	json_t *ov = json_object_get(c->params, "offset");
	long long off = json_is_integer(ov) ? json_integer_value(ov) : 0;
	size_t cap = data ? strlen(data) : 0, len = 0;
	unsigned char *bin = xmalloc(cap + 1);
	char fresh[BACKUP_ID_LEN + 1], *path = NULL, *dir = NULL;
	json_t *res = NULL;
	struct stat st;
	int fd = -1;

	if (!data || sodium_base642bin(bin, cap + 1, data, cap, NULL, &len, NULL,
				       sodium_base64_VARIANT_ORIGINAL) < 0) {
		rpc_fail(c, RPC_INVALID, "data", NULL, "data: not base64");
		goto out;
	}
	if (!id) {
		if (off != 0) {
			rpc_fail(c, RPC_INVALID, "offset", ov, "offset: a new upload starts at 0");
			goto out;
		}
		dir = backup_dir(c->env);
		backup_sweep(dir);
		backup_new_id(fresh);
		id = fresh;
		path = xasprintf("%s/%s.in", dir, id);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot keep the upload: %s", strerror(errno));
			goto out;
		}
	} else if ((fd = backup_open(c, id, O_WRONLY, NULL)) < 0) {
		goto out;
	}
	fstat(fd, &st);
	if (off != st.st_size) {
		rpc_fail(c, RPC_INVALID, "offset", ov, "offset: %lld, but the upload holds %lld bytes",
			 off, (long long)st.st_size);
		goto out;
	}
	if (off + (long long)len > BACKUP_UPLOAD_MAX) {
		rpc_fail(c, RPC_INVALID, "data", NULL, "data: a backup is at most %lld bytes",
			 BACKUP_UPLOAD_MAX);
		goto out;
	}
	if (pwrite(fd, bin, len, off) != (ssize_t)len) {
		rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot keep the upload: %s", strerror(errno));
		goto out;
	}
	res = json_pack("{s:s, s:I}", "file", id, "size", (json_int_t)(off + (long long)len));
out:
	if (fd >= 0)
		close(fd);
	free(bin);
	free(path);
	free(dir);
	return res;
}

/* ---- reading a backup back ---- */

/* "member: message" → {member, message} */
static json_t *backup_error_json(const char *err)
{
	const char *colon = strstr(err, ": ");
	char *member = colon ? xstrndup(err, (size_t)(colon - err)) : xstrdup("file");
	json_t *o = json_pack("{s:s, s:s}", "member", member, "message", err);

	free(member);
	return o;
}

static json_t *backup_refuse(struct rpc_call *c, const char *err)
{
	const char *field;

	if (!err)
		err = "file: cannot be read";
	field = !strncmp(err, "passphrase:", 11) ? "passphrase" : "file";

	rpc_fail(c, RPC_INVALID, field, NULL, "%s", err);
	rpc_fail_data(c, "errors", json_pack("[o]", backup_error_json(err)));
	return NULL;
}

/*
 * The backup's contents, every check passed, and its document migrated,
 * completed and validated; NULL with the error on c (every validation
 * error named with its path).
 */
static json_t *backup_load(struct rpc_call *c, struct backup_contents *b, bool *encrypted)
{
	const char *pass = rpc_str(c, "passphrase");
	char *err = NULL, *dir;
	int fd = backup_open(c, rpc_str(c, "file"), O_RDONLY, NULL), plain = -1;
	struct sc_error_list errs;
	json_t *doc;

	memset(b, 0, sizeof(*b));
	if (fd < 0)
		return NULL;
	*encrypted = backup_is_encrypted(fd);
	if (*encrypted) {
		if (!pass || !*pass) {
			close(fd);
			return backup_refuse(c, "passphrase: the backup is encrypted: its passphrase is required");
		}
		dir = backup_dir(c->env);
		plain = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		free(dir);
		if (plain < 0 || backup_decrypt(fd, plain, pass, &err) < 0 ||
		    lseek(plain, 0, SEEK_SET) < 0) {
			close(fd);
			if (plain >= 0)
				close(plain);
			if (!err)
				err = xasprintf("cannot decrypt: %s", strerror(errno));
			backup_refuse(c, err);
			free(err);
			return NULL;
		}
		close(fd);
		fd = plain;
	}
	if (backup_read_fd(fd, b, &err) < 0) {
		close(fd);
		backup_refuse(c, err);
		free(err);
		return NULL;
	}
	close(fd);
	doc = json_deep_copy(b->config);
	if (schema_migrate(doc, (int)json_integer_value(json_object_get(b->manifest,
									"schema_version"))) < 0) {
		json_decref(doc);
		backup_contents_free(b);
		return backup_refuse(c, "config.json: no migration from its schema version");
	}
	schema_fill_defaults(doc);
	sc_errors_init(&errs);
	schema_validate(doc, &errs);
	if (errs.n) {
		json_t *list = json_array();
		for (size_t i = 0; i < errs.n; i++) {
			char *m = xasprintf("config.json: %s", errs.v[i].message);
			json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "member", "config.json",
							      "path", errs.v[i].path, "message", m));
			free(m);
		}
		rpc_fail(c, RPC_INVALID, "file", NULL, "config.json: %s", errs.v[0].message);
		rpc_fail_data(c, "errors", list);
		sc_errors_free(&errs);
		json_decref(doc);
		backup_contents_free(b);
		return NULL;
	}
	sc_errors_free(&errs);
	return doc;
}

static json_t *backup_changes(const json_t *running, const json_t *doc)
{
	json_t *a = schema_mask_secrets(running), *m = schema_mask_secrets(doc);
	json_t *d = diff_docs(a, m);

	json_decref(a);
	json_decref(m);
	return d;
}

static json_t *backup_inspect(struct rpc_call *c)
{
	struct backup_contents b;
	bool enc = false;
	json_t *doc = backup_load(c, &b, &enc), *res;

	if (!doc)
		return NULL;
	res = json_pack("{s:O, s:o, s:b, s:b, s:I, s:b}", "manifest", b.manifest, "changes",
			backup_changes(c->env->engine->running, doc), "encrypted", enc, "staged",
			b.staged != NULL, "revisions", (json_int_t)b.revisions, "certificate",
			b.tls_crt != NULL);
	json_decref(doc);
	backup_contents_free(&b);
	return res;
}

/* The admin's certificate of the backup, through the TLS feature's own
 * method (its checks, its files, difosd-web restarted), when it is not the
 * one installed. */
static int backup_restore_tls(struct rpc_call *c, const struct backup_contents *b)
{
	char *crt, *key, *now_crt = NULL;
	json_t *err = NULL, *r;
	int rc = 0;

	if (!b->tls_crt)
		return 0;
	backup_tls_user(c->env, &crt, &key);
	now_crt = file_read(crt, NULL);
	if (!now_crt || strcmp(now_crt, b->tls_crt)) {
		json_t *params = json_pack("{s:s, s:s}", "cert", b->tls_crt, "key", b->tls_key);

		r = rpc_invoke("web.certificate", params, c->author, &err);
		json_decref(params);
		if (!r) {
			const char *msg = json_string_value(json_object_get(err, "message"));
			rpc_fail(c, RPC_INVALID, "file", NULL, "tls/user.crt: %s",
				 msg ? msg : "refused");
			rc = -1;
		}
		json_decref(r);
		json_decref(err);
	}
	free(now_crt);
	free(crt);
	free(key);
	return rc;
}

static json_t *backup_restore(struct rpc_call *c)
{
	struct engine *e = c->env->engine;
	struct backup_contents b;
	bool enc = false;
	json_t *doc, *staged;
	char *comment;

	if (e->busy)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL,
				"an apply is running; try again when it has finished");
	/* a restore waits for its confirm unless told otherwise: a backup of
	 * another router may well cut this one off */
	if (!json_object_get(c->params, "confirm")) {
		json_t *p = json_copy(c->params);

		json_object_set_new(p, "confirm", json_integer(BACKUP_CONFIRM_SECS));
		json_decref(c->params);
		c->params = p;
	}
	doc = backup_load(c, &b, &enc);
	if (!doc)
		return NULL;
	if (backup_restore_tls(c, &b) < 0) {
		json_decref(doc);
		backup_contents_free(&b);
		return NULL;
	}
	if (store_stage(e->store, doc) < 0) {
		json_decref(doc);
		backup_contents_free(&b);
		return rpc_fail(c, RPC_INTERNAL, NULL, NULL, "cannot stage: %s", store_errmsg(e->store));
	}
	engine_note_valid(e, doc);
	json_decref(doc);
	comment = xasprintf("restore of the backup of %s made %s",
			    json_string_value(json_object_get(b.manifest, "hostname")),
			    json_string_value(json_object_get(b.manifest, "created")));
	backup_contents_free(&b);
	staged = json_incref((json_t *)store_staged_peek(e->store));
	doc = config_apply_run(c, staged, comment);
	free(comment);
	return doc;
}

#define BACKUP "Backup and restore"

static const struct sc_field create_params[] = {
	{ .name = "passphrase", .kind = SC_STRING, .max = 1024, .flags = SC_F_SECRET,
	  .help = "encrypts the backup (Argon2id, XChaCha20-Poly1305); none: a plain tar.gz" },
	{ .name = "history", .kind = SC_INT, .min = 0, .max = BACKUP_HISTORY_MAX,
	  .help = "how many of the newest revisions to include (10)" },
	{ .name = NULL }
};

#define FILE_PARAM { .name = "file", .kind = SC_STRING, .max = 64, .flags = SC_F_REQUIRED, \
	.help = "the id backup.create or backup.upload gave" }
#define PASS_PARAM { .name = "passphrase", .kind = SC_STRING, .max = 1024, .flags = SC_F_SECRET, \
	.help = "the backup's passphrase, when it is encrypted" }

static const struct sc_field download_params[] = {
	FILE_PARAM,
	{ .name = "offset", .kind = SC_INT, .min = 0, .help = "where the piece starts (0)" },
	{ .name = NULL }
};

static const struct sc_field upload_params[] = {
	{ .name = "file", .kind = SC_STRING, .max = 64,
	  .help = "the upload's id from its first piece; none: a new upload" },
	{ .name = "offset", .kind = SC_INT, .min = 0, .help = "the bytes uploaded so far (0)" },
	{ .name = "data", .kind = SC_STRING, .max = 1000000, .flags = SC_F_REQUIRED,
	  .help = "the next piece, base64 (at most 512 KiB before encoding)" },
	{ .name = NULL }
};

static const struct sc_field inspect_params[] = { FILE_PARAM, PASS_PARAM, { .name = NULL } };

static const struct sc_field restore_params[] = {
	FILE_PARAM, PASS_PARAM,
	{ .name = "confirm", .kind = SC_JSON, .help = "seconds (1-3600) to wait for a confirm "
	  "before rolling back (90 unless given), or false for none" },
	{ .name = "confirm_token", .kind = SC_STRING, .flags = SC_F_SECRET, .help = "32 to 128 "
	  "characters that confirm this restore without a session" },
	{ .name = NULL }
};

const struct rpc_method backup_methods[] = {
	{ "backup.create", backup_create, "make a backup file: the running configuration, the "
	  "staged changes, the newest revisions, the admin's certificate", BACKUP, create_params,
	  "{file: id to download, size, name, manifest}",
	  .rest = { { "POST", "/backup", .summary = "make a backup file" } },
	  .cli = { "backup", .usage = "[-o FILE] [--passphrase] [--history N]",
		   .help = "write a backup file (-o FILE, or stdout)", .run = backup_cli_create } },
	{ "backup.download", backup_download, "a piece of a backup made (512 KiB, base64)", BACKUP,
	  download_params, "{data, offset, size, eof}",
	  .rest = { { "POST", "/backup/download", .summary = "read a backup made, in pieces" } } },
	{ "backup.upload", backup_upload, "the next piece of a backup file to restore", BACKUP,
	  upload_params, "{file: id, size: bytes so far}",
	  .rest = { { "POST", "/backup/upload", .summary = "send a backup file, in pieces" } } },
	{ "backup.inspect", backup_inspect, "check a backup uploaded: its manifest and its changes "
	  "against the running configuration", BACKUP, inspect_params,
	  "{manifest, changes: as config.changes, encrypted, staged, revisions, certificate}",
	  .rest = { { "POST", "/backup/inspect", .summary = "check a backup and show its changes" } } },
	{ "backup.restore", backup_restore, "stage a backup's configuration and apply it with "
	  "confirm: rolled back unless confirmed", BACKUP, restore_params,
	  "as apply: {revision, touched, confirm_deadline?}", .flags = RPC_F_APPLIES,
	  .rest = { { "POST", "/backup/restore", .summary = "restore a backup (apply with confirm)" } },
	  .cli = { "restore", .usage = "FILE [--passphrase] [--yes] [--confirm [SECS]]",
		   .help = "show a backup's changes, then restore it", .run = backup_cli_restore } },
	{ NULL }
};
