/*
 * Backups (config/backup*.c), private to config/: the archive's format,
 * its reader's limits, and the passphrase's encryption.
 *
 * A backup is a tar.gz: manifest.json first, then config.json (the running
 * document), staged.json (when changes are staged), revisions/<N>.json (the
 * last ones), tls/user.crt and tls/user.key (the admin's certificate, when
 * one is installed). With a passphrase the whole tar.gz is the plaintext of
 * a libsodium secretstream (backup_crypt.c): nothing, not even the names of
 * the members, can be read without it.
 */
#ifndef DIFOS_CONFIG_BACKUP_INT_H
#define DIFOS_CONFIG_BACKUP_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define BACKUP_FORMAT        1
#define BACKUP_MEMBER_MAX    (64LL << 20)    /* one member */
#define BACKUP_TOTAL_MAX     (256LL << 20)   /* all members, unpacked */
#define BACKUP_TLS_MAX       (64 << 10)      /* a certificate or key */
#define BACKUP_MEMBERS_MAX   1100            /* the manifest, 1,000 revisions and the rest */
#define BACKUP_HISTORY_MAX   1000

/* What the reader found in a plain tar.gz; everything checked against the
 * manifest (sizes, SHA-256), every name one of the format's. */
struct backup_contents {
	json_t *manifest;
	json_t *config;       /* the running document of the backup */
	json_t *staged;       /* or NULL */
	char *tls_crt, *tls_key;
	size_t revisions;
	long long unpacked;   /* bytes of all members */
};

/* Reads a plain (decrypted) backup from memory or from an open file.
 * 0, or -1 with *err "member: what is wrong" (malloc'd). */
int backup_read_mem(const void *buf, size_t len, struct backup_contents *out, char **err);
int backup_read_fd(int fd, struct backup_contents *out, char **err);
void backup_contents_free(struct backup_contents *b);

/* A member to write: its name and its bytes (made on demand, twice: once
 * for the manifest's hash, once for the archive, so only one is held). */
struct backup_member {
	const char *name;
	char *(*make)(void *arg, size_t *len);   /* malloc'd bytes, NULL: leave it out */
	void *arg;
};

/* Writes the tar.gz to fd: manifest.json (head plus the member list) first,
 * then the members. 0, or -1 with *err. */
int backup_write_fd(int fd, json_t *manifest_head, const struct backup_member *m, size_t n,
		    char **err);

/* backup_crypt.c: the passphrase's stream. The file: "DIFOSBK1", the
 * Argon2id salt (16), opslimit and memlimit (8 bytes each, big-endian),
 * the secretstream header (24), then chunks: a 4-byte big-endian length
 * and that many bytes of ciphertext (64 KiB of plaintext each); the last
 * one tagged FINAL, and nothing after it. */
#define BACKUP_MAGIC "DIFOSBK1"
#define BACKUP_CHUNK (64 << 10)
bool backup_is_encrypted(int fd);
int backup_encrypt(int in, int out, const char *passphrase, char **err);
int backup_decrypt(int in, int out, const char *passphrase, char **err);
/* the key's cost for new files (crypt_pwhash's opslimit and memlimit) */
extern unsigned long long backup_opslimit, backup_memlimit;

#endif
