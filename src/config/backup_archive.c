/*
 * The backup's tar.gz (libarchive): written with its manifest first, read
 * back with every member checked. The reader takes outside data (a file
 * someone uploads), so it trusts nothing: only the format's names, only
 * plain files, sizes capped before a byte is read, the total capped, every
 * member's size and SHA-256 held to the manifest's, and none missing or
 * there twice. It is fuzzed (tests/fuzz/fuzz_backup.c).
 */
#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/backup_int.h"
#include "core/util.h"
#include "schema/schema.h"

enum member_kind { M_UNKNOWN, M_MANIFEST, M_CONFIG, M_STAGED, M_REVISION, M_TLS_CRT, M_TLS_KEY };

static const struct {
	const char *name;
	enum member_kind kind;
} member_names[] = {
	{ "manifest.json", M_MANIFEST },
	{ "config.json", M_CONFIG },
	{ "staged.json", M_STAGED },
	{ "tls/user.crt", M_TLS_CRT },
	{ "tls/user.key", M_TLS_KEY },
};

/* revisions/<digits>.json */
static bool is_revision_name(const char *n)
{
	const char *p = n + strlen("revisions/");
	size_t digits;

	if (strncmp(n, "revisions/", 10))
		return false;
	digits = strspn(p, "0123456789");
	return digits > 0 && digits <= 18 && !strcmp(p + digits, ".json");
}

static enum member_kind member_kind(const char *n)
{
	for (size_t i = 0; i < sizeof(member_names) / sizeof(member_names[0]); i++)
		if (!strcmp(n, member_names[i].name))
			return member_names[i].kind;
	return is_revision_name(n) ? M_REVISION : M_UNKNOWN;
}

/* Why a name is no place to write, or NULL: what an extractor would be led
 * astray by is named as such, before "not a member of a backup". */
static const char *name_problem(const char *n)
{
	if (!n || !*n)
		return "a member without a name";
	if (n[0] == '/')
		return "an absolute path";
	for (const char *p = n; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p))
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return "a path that climbs out (\"..\")";
	return NULL;
}

static void hex_of(const unsigned char *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = 0;
}

static char *fail(char **err, const char *member, const char *fmt, const char *what)
{
	*err = xasprintf("%s: %s%s", member, fmt, what ? what : "");
	return NULL;
}

/* The manifest's checks: format, schema version, member list. */
static int manifest_check(json_t *m, char **err)
{
	json_t *fmt = json_object_get(m, "format"), *sv = json_object_get(m, "schema_version");
	json_t *members = json_object_get(m, "members"), *it;
	size_t i;

	if (!json_is_object(m)) {
		fail(err, "manifest.json", "not a JSON object", NULL);
		return -1;
	}
	if (!json_is_integer(fmt) || json_integer_value(fmt) != BACKUP_FORMAT) {
		*err = xasprintf("manifest.json: format %s is not one this difos reads (%d)",
				 json_is_integer(fmt) ? "given" : "missing", BACKUP_FORMAT);
		if (json_is_integer(fmt)) {
			free(*err);
			*err = xasprintf("manifest.json: format %lld is not one this difos reads (%d)",
					 (long long)json_integer_value(fmt), BACKUP_FORMAT);
		}
		return -1;
	}
	if (!json_is_integer(sv) || json_integer_value(sv) < 1) {
		fail(err, "manifest.json", "schema_version: a positive number is required", NULL);
		return -1;
	}
	if (json_integer_value(sv) > SCHEMA_VERSION) {
		*err = xasprintf("manifest.json: schema_version %lld is newer than this difos's (%d): "
				 "update difos first", (long long)json_integer_value(sv), SCHEMA_VERSION);
		return -1;
	}
	if (!json_is_array(members) || json_array_size(members) > BACKUP_MEMBERS_MAX) {
		fail(err, "manifest.json", "members: a list of at most 1100 members is required", NULL);
		return -1;
	}
	json_array_foreach(members, i, it) {
		const char *n = json_string_value(json_object_get(it, "name"));
		const char *h = json_string_value(json_object_get(it, "sha256"));
		json_t *sz = json_object_get(it, "size");
		if (!n || !h || strlen(h) != 64 || !json_is_integer(sz) || json_integer_value(sz) < 0) {
			*err = xasprintf("manifest.json: members[%zu]: name, size and sha256 are required", i);
			return -1;
		}
	}
	return 0;
}

static json_t *manifest_entry(json_t *m, const char *name)
{
	size_t i;
	json_t *it;

	json_array_foreach(json_object_get(m, "members"), i, it)
		if (!strcmp(json_string_value(json_object_get(it, "name")), name))
			return it;
	return NULL;
}

/* The member's bytes, hashed; kept (NUL-terminated) when keep. */
static int read_member(struct archive *a, const char *name, long long size, bool keep,
		       char **data, char hash[65], char **err)
{
	crypto_hash_sha256_state hs;
	unsigned char buf[65536], d[crypto_hash_sha256_BYTES];
	long long got = 0;
	char *out = keep ? xmalloc((size_t)size + 1) : NULL;

	crypto_hash_sha256_init(&hs);
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0 || got + n > size) {
			*err = xasprintf("%s: truncated or corrupt (%s)", name,
					 n < 0 ? archive_error_string(a) : "longer than its header says");
			free(out);
			return -1;
		}
		crypto_hash_sha256_update(&hs, buf, (unsigned long long)n);
		if (out)
			memcpy(out + got, buf, (size_t)n);
		got += n;
	}
	if (got != size) {
		*err = xasprintf("%s: truncated: %lld of %lld bytes", name, got, size);
		free(out);
		return -1;
	}
	crypto_hash_sha256_final(&hs, d);
	hex_of(d, sizeof(d), hash);
	if (out)
		out[size] = 0;
	*data = out;
	return 0;
}

static json_t *parse_doc(const char *name, const char *text, long long len, char **err)
{
	json_error_t je;
	json_t *v = json_loadb(text, (size_t)len, JSON_REJECT_DUPLICATES, &je);

	if (!v) {
		*err = xasprintf("%s: not JSON: %s (line %d)", name, je.text, je.line);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		*err = xasprintf("%s: not a JSON object", name);
		return NULL;
	}
	return v;
}

static const char *type_problem(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return "a hard link, not a file";
	switch (archive_entry_filetype(e)) {
	case AE_IFREG: return archive_entry_sparse_count(e) ? "a sparse file" : NULL;
	case AE_IFLNK: return "a symbolic link, not a file";
	case AE_IFDIR: return "a directory, not a file";
	case AE_IFCHR: case AE_IFBLK: return "a device, not a file";
	case AE_IFIFO: return "a FIFO, not a file";
	default: return "not a plain file";
	}
}

static int backup_read(struct archive *a, bool gzip_magic, struct backup_contents *out, char **err)
{
	struct archive_entry *e;
	json_t *seen = json_object();
	size_t count = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	for (;;) {
		int r = archive_read_next_header(a, &e);
		const char *name, *why;
		long long size;
		enum member_kind kind;
		char hash[65], *data = NULL;
		json_t *want;

		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			/* gzip's magic: a backup cut short or damaged, not another kind of file */
			bool gz = count || gzip_magic;
			*err = xasprintf("file: %s: %s", gz ? "truncated or corrupt"
					 : "not a difos backup (a tar.gz)", archive_error_string(a));
			goto done;
		}
		if (archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
			*err = xstrdup("file: not a difos backup: not gzip-compressed");
			goto done;
		}
		name = archive_entry_pathname(e);
		if (++count > BACKUP_MEMBERS_MAX) {
			*err = xasprintf("file: more than %d members", BACKUP_MEMBERS_MAX);
			goto done;
		}
		if ((why = name_problem(name)) || (why = type_problem(e))) {
			*err = xasprintf("%s: %s", name && *name ? name : "(no name)", why);
			goto done;
		}
		kind = member_kind(name);
		if (kind == M_UNKNOWN) {
			*err = xasprintf("%s: not a member of a difos backup", name);
			goto done;
		}
		if (count == 1 && kind != M_MANIFEST) {
			*err = xasprintf("%s: manifest.json must come first", name);
			goto done;
		}
		if (json_object_get(seen, name)) {
			*err = xasprintf("%s: there twice", name);
			goto done;
		}
		json_object_set_new(seen, name, json_true());
		size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
		if (size < 0 || size > ((kind == M_TLS_CRT || kind == M_TLS_KEY) ? BACKUP_TLS_MAX
									       : BACKUP_MEMBER_MAX)) {
			*err = xasprintf("%s: %lld bytes, more than a member may hold (%lld)", name, size,
					 (kind == M_TLS_CRT || kind == M_TLS_KEY) ? (long long)BACKUP_TLS_MAX
										  : BACKUP_MEMBER_MAX);
			goto done;
		}
		out->unpacked += size;
		if (out->unpacked > BACKUP_TOTAL_MAX) {
			*err = xasprintf("%s: the members hold more than %lld bytes", name, BACKUP_TOTAL_MAX);
			goto done;
		}
		if (read_member(a, name, size, kind != M_REVISION, &data, hash, err) < 0)
			goto done;
		if (kind == M_MANIFEST) {
			out->manifest = parse_doc(name, data, size, err);
			free(data);
			if (!out->manifest || manifest_check(out->manifest, err) < 0)
				goto done;
			continue;
		}
		want = manifest_entry(out->manifest, name);
		if (!want || json_integer_value(json_object_get(want, "size")) != size ||
		    strcmp(json_string_value(json_object_get(want, "sha256")), hash)) {
			*err = xasprintf("%s: %s", name, want ? "its size or SHA-256 is not the manifest's"
								: "not in the manifest");
			free(data);
			goto done;
		}
		switch (kind) {
		case M_CONFIG: out->config = parse_doc(name, data, size, err); break;
		case M_STAGED: out->staged = parse_doc(name, data, size, err); break;
		case M_TLS_CRT: out->tls_crt = data; data = NULL; break;
		case M_TLS_KEY: out->tls_key = data; data = NULL; break;
		default: out->revisions++; break;
		}
		if (data)
			sodium_memzero(data, (size_t)size);
		free(data);
		if ((kind == M_CONFIG && !out->config) || (kind == M_STAGED && !out->staged))
			goto done;
	}
	if (!out->manifest) {
		*err = xstrdup("file: an empty archive: no manifest.json");
		goto done;
	}
	{
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(out->manifest, "members"), i, it) {
			const char *n = json_string_value(json_object_get(it, "name"));
			if (!json_object_get(seen, n)) {
				*err = xasprintf("%s: in the manifest, missing from the archive", n);
				goto done;
			}
		}
	}
	if (!out->config) {
		*err = xstrdup("config.json: missing");
		goto done;
	}
	if (!out->tls_crt != !out->tls_key) {
		*err = xstrdup("tls/user.key: the certificate and its key come together");
		goto done;
	}
	rc = 0;
done:
	json_decref(seen);
	if (rc < 0)
		backup_contents_free(out);
	return rc;
}

/* Opening reads the first blocks: gzip's magic there says it is a backup
 * cut short or damaged rather than another kind of file. */
static char *open_error(struct archive *a, bool gzip_magic)
{
	return xasprintf("file: %s: %s", gzip_magic ? "truncated or corrupt"
			 : "not a difos backup (a tar.gz)", archive_error_string(a));
}

static struct archive *reader_new(void)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	return a;
}

int backup_read_mem(const void *buf, size_t len, struct backup_contents *out, char **err)
{
	struct archive *a = reader_new();
	int rc;

	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		*err = open_error(a, len >= 2 && !memcmp(buf, "\x1f\x8b", 2));
		memset(out, 0, sizeof(*out));
		archive_read_free(a);
		return -1;
	}
	rc = backup_read(a, len >= 2 && !memcmp(buf, "\x1f\x8b", 2), out, err);
	archive_read_free(a);
	return rc;
}

int backup_read_fd(int fd, struct backup_contents *out, char **err)
{
	struct archive *a = reader_new();
	unsigned char magic[2];
	bool gz = pread(fd, magic, 2, lseek(fd, 0, SEEK_CUR)) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	int rc;

	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		*err = open_error(a, gz);
		memset(out, 0, sizeof(*out));
		archive_read_free(a);
		return -1;
	}
	rc = backup_read(a, gz, out, err);
	archive_read_free(a);
	return rc;
}

void backup_contents_free(struct backup_contents *b)
{
	json_decref(b->manifest);
	json_decref(b->config);
	json_decref(b->staged);
	if (b->tls_key)
		sodium_memzero(b->tls_key, strlen(b->tls_key));
	free(b->tls_key);
	free(b->tls_crt);
	memset(b, 0, sizeof(*b));
}

/* ---- writing ---- */

static int write_entry(struct archive *a, const char *name, const char *data, size_t len,
		       time_t mtime, char **err)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_mtime(e, mtime, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(a, data, len) != (la_ssize_t)len)) {
		*err = xasprintf("%s: cannot write: %s", name, archive_error_string(a));
		rc = -1;
	}
	archive_entry_free(e);
	return rc;
}

int backup_write_fd(int fd, json_t *head, const struct backup_member *m, size_t n, char **err)
{
	json_t *list = json_array();
	struct archive *a;
	time_t now = time(NULL);
	char *text;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *data = m[i].make(m[i].arg, &len), hash[65];
		unsigned char d[crypto_hash_sha256_BYTES];
		if (!data)
			continue;
		crypto_hash_sha256(d, (const unsigned char *)data, len);
		hex_of(d, sizeof(d), hash);
		json_array_append_new(list, json_pack("{s:s, s:I, s:s}", "name", m[i].name, "size",
						      (json_int_t)len, "sha256", hash));
		sodium_memzero(data, len);
		free(data);
	}
	json_object_set_new(head, "members", list);
	text = json_dumps(head, JSON_INDENT(1));
	a = archive_write_new();
	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		*err = xasprintf("cannot write the backup: %s", archive_error_string(a));
		goto out;
	}
	if (write_entry(a, "manifest.json", text, strlen(text), now, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *data = m[i].make(m[i].arg, &len);
		int r;
		if (!data)
			continue;
		r = write_entry(a, m[i].name, data, len, now, err);
		sodium_memzero(data, len);
		free(data);
		if (r < 0)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		*err = xasprintf("cannot write the backup: %s", archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	archive_write_free(a);
	free(text);
	return rc;
}
