/*
 * A backup's passphrase: the key is Argon2id of the passphrase with a salt
 * of the file's own (libsodium's crypto_pwhash), the stream XChaCha20-
 * Poly1305 (crypto_secretstream): each chunk authenticated and numbered,
 * so a chunk changed, moved, dropped or cut off is refused, and a file
 * that ends before the FINAL chunk is "truncated". Both ways stream from
 * file to file, a chunk at a time: memory does not grow with the backup.
 */
#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "config/backup_int.h"
#include "core/util.h"

/* Argon2id's cost: 3 passes over 64 MiB, 0.13-0.15 s here (libsodium's
 * MODERATE, 256 MiB, took 0.73 s): a router with little memory still
 * derives it, and each guess stays dear. */
unsigned long long backup_opslimit = 3, backup_memlimit = 64ULL << 20;

/* What a file may ask for: more would let a hostile file take the memory. */
#define BACKUP_OPS_READ_MAX 10ULL
#define BACKUP_MEM_READ_MAX (256ULL << 20)

#define HEAD_LEN (8 + crypto_pwhash_SALTBYTES + 16 + crypto_secretstream_xchacha20poly1305_HEADERBYTES)

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (int)got;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = write(fd, (const char *)buf + put, len - put);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		put += (size_t)n;
	}
	return 0;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

bool backup_is_encrypted(int fd)
{
	char magic[8];
	bool yes = pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
		   !memcmp(magic, BACKUP_MAGIC, 8);

	return yes;
}

static int derive(unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
		  const char *pass, const unsigned char *salt, uint64_t ops, uint64_t mem)
{
	return crypto_pwhash(key, crypto_secretstream_xchacha20poly1305_KEYBYTES, pass,
			     strlen(pass), salt, ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13);
}

int backup_encrypt(int in, int out, const char *passphrase, char **err)
{
	unsigned char head[HEAD_LEN], key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	unsigned char *salt = head + 8, *hdr = head + 8 + crypto_pwhash_SALTBYTES + 16;
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char *plain = xmalloc(BACKUP_CHUNK);
	unsigned char *cipher = xmalloc(4 + BACKUP_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
	int rc = -1, n;

	memcpy(head, BACKUP_MAGIC, 8);
	randombytes_buf(salt, crypto_pwhash_SALTBYTES);
	put_be64(salt + crypto_pwhash_SALTBYTES, backup_opslimit);
	put_be64(salt + crypto_pwhash_SALTBYTES + 8, backup_memlimit);
	if (derive(key, passphrase, salt, backup_opslimit, backup_memlimit) < 0) {
		*err = xstrdup("passphrase: not enough memory to derive the key");
		goto out;
	}
	crypto_secretstream_xchacha20poly1305_init_push(&st, hdr, key);
	if (write_full(out, head, sizeof(head)) < 0)
		goto io;
	/* a chunk is tagged FINAL when the next read finds nothing more */
	n = read_full(in, plain, BACKUP_CHUNK);
	for (;;) {
		unsigned long long clen;
		unsigned char tag;
		if (n < 0)
			goto io;
		/* look ahead a byte: a full chunk may be the last one */
		unsigned char peek;
		int more = n == BACKUP_CHUNK ? read_full(in, &peek, 1) : 0;
		if (more < 0)
			goto io;
		tag = more ? 0 : crypto_secretstream_xchacha20poly1305_TAG_FINAL;
		crypto_secretstream_xchacha20poly1305_push(&st, cipher + 4, &clen, plain, (size_t)n,
							   NULL, 0, tag);
		cipher[0] = (unsigned char)(clen >> 24);
		cipher[1] = (unsigned char)(clen >> 16);
		cipher[2] = (unsigned char)(clen >> 8);
		cipher[3] = (unsigned char)clen;
		if (write_full(out, cipher, 4 + clen) < 0)
			goto io;
		if (!more)
			break;
		plain[0] = peek;
		n = read_full(in, plain + 1, BACKUP_CHUNK - 1);
		if (n < 0)
			goto io;
		n += 1;
	}
	rc = 0;
	goto out;
io:
	*err = xasprintf("cannot write the encrypted backup: %s", strerror(errno));
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(plain, BACKUP_CHUNK);
	free(plain);
	free(cipher);
	return rc;
}

int backup_decrypt(int in, int out, const char *passphrase, char **err)
{
	unsigned char head[HEAD_LEN], key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	unsigned char *salt = head + 8, *hdr = head + 8 + crypto_pwhash_SALTBYTES + 16;
	crypto_secretstream_xchacha20poly1305_state st;
	size_t cmax = BACKUP_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES;
	unsigned char *plain = xmalloc(BACKUP_CHUNK), *cipher = xmalloc(cmax);
	uint64_t ops, mem;
	bool final = false, first = true;
	int rc = -1;

	if (read_full(in, head, sizeof(head)) != (int)sizeof(head) || memcmp(head, BACKUP_MAGIC, 8)) {
		*err = xstrdup("file: truncated: the encrypted backup's header is incomplete");
		goto out;
	}
	ops = get_be64(salt + crypto_pwhash_SALTBYTES);
	mem = get_be64(salt + crypto_pwhash_SALTBYTES + 8);
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > BACKUP_OPS_READ_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > BACKUP_MEM_READ_MAX) {
		*err = xasprintf("file: the key's cost (%llu passes, %llu bytes) is beyond what "
				 "a backup may ask (%llu passes, %llu bytes)", (unsigned long long)ops,
				 (unsigned long long)mem, BACKUP_OPS_READ_MAX, BACKUP_MEM_READ_MAX);
		goto out;
	}
	if (derive(key, passphrase, salt, ops, mem) < 0) {
		*err = xstrdup("passphrase: not enough memory to derive the key");
		goto out;
	}
	if (crypto_secretstream_xchacha20poly1305_init_pull(&st, hdr, key) < 0) {
		*err = xstrdup("file: the encrypted backup's header is invalid");
		goto out;
	}
	while (!final) {
		unsigned char lenb[4], tag;
		unsigned long long plen;
		int got = read_full(in, lenb, 4);
		size_t clen;

		if (got != 4) {
			*err = xstrdup(got == 0 ? "file: truncated: the encrypted backup ends before "
					"its last chunk" : "file: truncated in a chunk's length");
			goto out;
		}
		clen = (size_t)lenb[0] << 24 | (size_t)lenb[1] << 16 | (size_t)lenb[2] << 8 | lenb[3];
		if (clen < crypto_secretstream_xchacha20poly1305_ABYTES || clen > cmax) {
			*err = xasprintf("file: a chunk of %zu bytes (at most %zu)", clen, cmax);
			goto out;
		}
		if (read_full(in, cipher, clen) != (int)clen) {
			*err = xstrdup("file: truncated: the encrypted backup ends inside a chunk");
			goto out;
		}
		if (crypto_secretstream_xchacha20poly1305_pull(&st, plain, &plen, &tag, cipher, clen,
							       NULL, 0) < 0) {
			*err = xstrdup(first ? "passphrase: wrong passphrase (or the file was changed)"
					     : "file: a chunk was changed: it fails authentication");
			goto out;
		}
		first = false;
		final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
		if (write_full(out, plain, plen) < 0) {
			*err = xasprintf("cannot write the decrypted backup: %s", strerror(errno));
			goto out;
		}
	}
	if (read_full(in, cipher, 1) != 0) {
		*err = xstrdup("file: bytes after the encrypted backup's last chunk");
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(plain, BACKUP_CHUNK);
	free(plain);
	free(cipher);
	return rc;
}
