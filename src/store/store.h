/*
 * The configuration store: SQLite in WAL mode at
 * <root>/var/lib/difos/config.db. Numbered revisions (document, time,
 * author, comment, state, pinned), the staged document, and small
 * key/values. Each commit drops the revisions beyond the newest "keep"
 * that nothing protects (see store_commit).
 */
#ifndef DIFOS_STORE_H
#define DIFOS_STORE_H

#include <jansson.h>
#include <stdbool.h>

struct store;

/* revision states */
#define REV_APPLIED  "applied"   /* in force, or was until a later revision */
#define REV_PENDING  "pending"   /* applied, waiting for confirm */
#define REV_REVERTED "reverted"  /* applied but not confirmed in time; rolled back */

/* revisions kept when nothing else is said (system.keep_revisions) */
#define STORE_KEEP_DEFAULT 100

/* Opens (creates, or brings an older file to this format). */
int store_open(const char *path, struct store **out);
void store_close(struct store *st);

/* Inserts revision 0 (factory defaults) when the store is empty. */
int store_init(struct store *st, const json_t *defaults);

long long store_running(struct store *st);
/* The newest revision (any state). */
long long store_latest(struct store *st);
json_t *store_revision_doc(struct store *st, long long rev);
/* {id, time, author, comment, state, pinned} or NULL */
json_t *store_revision_info(struct store *st, long long rev);
json_t *store_history(struct store *st, int limit);

/* Atomically: insert revision (max+1) with doc, make it running, drop the
 * staged document, and drop the revisions older than the newest "keep"
 * except those pinned, waiting for confirmation, or the applied one a
 * rollback of the running or a pending one returns to. Returns the
 * revision number or -1. */
long long store_commit(struct store *st, const json_t *doc, const char *author,
		       const char *comment, const char *state);
int store_set_state(struct store *st, long long rev, const char *state);
/* A pinned revision is never dropped. -1 when there is no such revision. */
int store_pin(struct store *st, long long rev, bool pinned);
/* How many revisions commits keep (<= 0: the default); the next commit prunes. */
void store_set_keep(struct store *st, int keep);
int store_set_running(struct store *st, long long rev);

/* The staged document (NULL when nothing is staged): a copy to change,
 * or the store's own, read-only. */
json_t *store_staged(struct store *st);
const json_t *store_staged_peek(struct store *st);
/* Stages doc. The store keeps a reference: doc must not change after. */
int store_stage(struct store *st, json_t *doc);
int store_discard(struct store *st);

/* key/values for small state (e.g. the confirm deadline) */
char *store_meta_get(struct store *st, const char *key);
int store_meta_set(struct store *st, const char *key, const char *value);

const char *store_errmsg(struct store *st);

/* The SQLite handle, for modules that keep their own tables in the same
 * file (auth). */
struct sqlite3;
struct sqlite3 *store_db(struct store *st);

#endif
