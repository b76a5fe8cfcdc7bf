/*
 * Backups (config/backup_crypt.c, backup_archive.c): the passphrase's
 * stream round trip at every chunk boundary, and its refusals (wrong
 * passphrase, a file cut short or changed, a hostile key cost); an archive
 * written and read back with its manifest checked.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/backup_int.h"
#include "t.h"

static int mem_fd(const void *data, size_t len)
{
	int fd = memfd_create("t", 0);

	T_CHECK(fd >= 0);
	T_CHECK(write(fd, data, len) == (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static unsigned char *fd_bytes(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	unsigned char *b = malloc((size_t)end + 1);

	T_CHECK(pread(fd, b, (size_t)end, 0) == end);
	*len = (size_t)end;
	return b;
}

/* encrypts `len` random bytes; the ciphertext's bytes */
static unsigned char *encrypt(const unsigned char *plain, size_t len, size_t *clen)
{
	int in = mem_fd(plain, len), out = memfd_create("c", 0);
	char *err = NULL;
	unsigned char *c;

	T_CHECK(backup_encrypt(in, out, "pass", &err) == 0 && !err);
	c = fd_bytes(out, clen);
	close(in);
	close(out);
	return c;
}

/* decrypts; 0, or -1 with *err */
static int decrypt(const unsigned char *c, size_t clen, const char *pass, unsigned char **plain,
		   size_t *plen, char **err)
{
	int in = mem_fd(c, clen), out = memfd_create("p", 0);
	int rc = backup_decrypt(in, out, pass, err);

	*plain = rc == 0 ? fd_bytes(out, plen) : NULL;
	close(in);
	close(out);
	return rc;
}

static void test_round_trip_at_chunk_boundaries(void)
{
	static const size_t sizes[] = { 0, 1, BACKUP_CHUNK - 1, BACKUP_CHUNK, BACKUP_CHUNK + 1,
					3 * BACKUP_CHUNK, 200000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = malloc(sizes[i] + 1), *c, *back;
		size_t clen, blen;
		char *err = NULL;

		randombytes_buf(p, sizes[i]);
		c = encrypt(p, sizes[i], &clen);
		T_CHECK(clen > 8 && !memcmp(c, BACKUP_MAGIC, 8));
		T_CHECK(decrypt(c, clen, "pass", &back, &blen, &err) == 0);
		T_CHECK(blen == sizes[i] && !memcmp(back, p, blen));
		free(back);
		free(c);
		free(p);
	}
}

static void test_refusals(void)
{
	unsigned char p[150000], *c, *back;
	size_t clen, blen;
	char *err = NULL;

	randombytes_buf(p, sizeof(p));
	c = encrypt(p, sizeof(p), &clen);
	T_CHECK(decrypt(c, clen, "Pass", &back, &blen, &err) < 0);
	T_CHECK_STR(err, "passphrase: wrong passphrase (or the file was changed)");
	free(err), err = NULL;
	/* cut after a whole chunk: the FINAL tag is missing */
	T_CHECK(decrypt(c, 64 + 4 + BACKUP_CHUNK + 17, "pass", &back, &blen, &err) < 0);
	T_CHECK(err && strstr(err, "truncated"));
	free(err), err = NULL;
	/* cut inside a chunk */
	T_CHECK(decrypt(c, clen - 10, "pass", &back, &blen, &err) < 0);
	T_CHECK_STR(err, "file: truncated: the encrypted backup ends inside a chunk");
	free(err), err = NULL;
	/* a byte of the second chunk changed */
	c[clen - 100] ^= 1;
	T_CHECK(decrypt(c, clen, "pass", &back, &blen, &err) < 0);
	T_CHECK_STR(err, "file: a chunk was changed: it fails authentication");
	free(err), err = NULL;
	c[clen - 100] ^= 1;
	/* a cost no backup may ask for (the memory limit's high byte) */
	c[8 + 16 + 8] = 0x10;
	T_CHECK(decrypt(c, clen, "pass", &back, &blen, &err) < 0);
	T_CHECK(err && strstr(err, "beyond what a backup may ask"));
	free(err), err = NULL;
	free(c);
}

static char *make_text(void *arg, size_t *len)
{
	*len = strlen(arg);
	return strdup(arg);
}

static void test_archive_round_trip(void)
{
	struct backup_member m[] = {
		{ "config.json", make_text, "{\"system\": {\"hostname\": \"r1\"}}" },
		{ "revisions/7.json", make_text, "{}" },
		{ "tls/user.crt", make_text, "CERT" },
		{ "tls/user.key", make_text, "KEY" },
	};
	json_t *head = json_pack("{s:i, s:i}", "format", BACKUP_FORMAT, "schema_version", 1);
	int fd = memfd_create("a", 0);
	struct backup_contents b;
	unsigned char *bytes;
	size_t len;
	char *err = NULL;

	T_CHECK(backup_write_fd(fd, head, m, 4, &err) == 0);
	bytes = fd_bytes(fd, &len);
	T_CHECK(backup_read_mem(bytes, len, &b, &err) == 0 && !err);
	T_CHECK_STR(json_string_value(json_object_get(json_object_get(b.config, "system"), "hostname")),
		    "r1");
	T_CHECK(b.revisions == 1 && !b.staged);
	T_CHECK_STR(b.tls_crt, "CERT");
	T_CHECK_STR(b.tls_key, "KEY");
	T_CHECK(json_array_size(json_object_get(b.manifest, "members")) == 4);
	backup_contents_free(&b);
	/* the same bytes cut short */
	T_CHECK(backup_read_mem(bytes, len - 30, &b, &err) < 0 && err);
	free(err);
	free(bytes);
	json_decref(head);
	close(fd);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	/* the cheapest key: the stream is what is tested */
	backup_opslimit = crypto_pwhash_OPSLIMIT_MIN;
	backup_memlimit = crypto_pwhash_MEMLIMIT_MIN;
	T_RUN(test_round_trip_at_chunk_boundaries);
	T_RUN(test_refusals);
	T_RUN(test_archive_round_trip);
	return t_done("backup");
}
