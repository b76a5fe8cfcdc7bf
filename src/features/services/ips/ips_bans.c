/*
 * The bans. Each is a row of <state>/ips/bans.db (SQLite: the blocked
 * list's page reads it by pages, and 100,000 bans cost the daemon no
 * memory) and an element with a timeout in the firewall's set dyn_ips4 or
 * dyn_ips6, which the kernel expires by itself. The row keeps what the
 * list shows (the offending line, sanitised by the reader) and the
 * expiry, so a restarted difosd, or a ruleset loaded whole, puts back
 * every ban with the time it has left.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "features/services/ips/ips_int.h"

static sqlite3 *ips_db;

static const char ips_db_schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS bans ("
	" key TEXT PRIMARY KEY,"       /* the banned prefix: 192.0.2.7/32, 2001:db8:1:2::/64 */
	" address TEXT NOT NULL,"      /* the offender's own address */
	" service TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" line TEXT NOT NULL,"
	" banned INTEGER NOT NULL,"    /* epoch seconds */
	" expires INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS bans_expires ON bans(expires);"
	"CREATE INDEX IF NOT EXISTS bans_banned ON bans(banned);";

int ips_bans_open(const struct feature_env *env)
{
	char *dir = xasprintf("%s/ips", env->paths.state), *path = xasprintf("%s/bans.db", dir);
	char *msg = NULL;
	int rc = -1;

	mkdir_p(dir, 0700);
	if (sqlite3_open_v2(path, &ips_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_err("ips: cannot open %s: %s", path, sqlite3_errmsg(ips_db));
		goto out;
	}
	sqlite3_busy_timeout(ips_db, 2000);
	if (sqlite3_exec(ips_db, ips_db_schema, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("ips: %s: %s", path, msg);
		sqlite3_free(msg);
		goto out;
	}
	chmod(path, 0600);
	rc = 0;
out:
	if (rc < 0 && ips_db) {
		sqlite3_close(ips_db);
		ips_db = NULL;
	}
	free(path);
	free(dir);
	return rc;
}

void ips_bans_close(void)
{
	if (ips_db)
		sqlite3_close(ips_db);
	ips_db = NULL;
}

static sqlite3_stmt *ips_prepare(const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (!ips_db || sqlite3_prepare_v2(ips_db, sql, -1, &st, NULL) != SQLITE_OK) {
		if (ips_db)
			log_err("ips: %s: %s", sql, sqlite3_errmsg(ips_db));
		return NULL;
	}
	return st;
}

static void ips_key_text(const struct net_prefix *k, char *out, size_t n)
{
	net_prefix_text(k, true, out, n);
}

bool ips_bans_active(const struct net_prefix *key, long long now)
{
	sqlite3_stmt *st = ips_prepare("SELECT 1 FROM bans WHERE key = ? AND expires > ?");
	char t[64];
	bool yes;

	if (!st)
		return false;
	ips_key_text(key, t, sizeof(t));
	sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* A key's set: an IPv6 address alone is in the hosts' set, a prefix in
 * the one the rule masks. */
static const char *ips_set_of(const struct net_prefix *key)
{
	return key->family == 4 ? IPS_SET4 : key->len == 128 ? IPS_SET6H : IPS_SET6;
}

int ips_bans_add(const struct feature_env *env, const struct ips_ban *b, char **err)
{
	sqlite3_stmt *st = ips_prepare("INSERT OR REPLACE INTO bans (key, address, service, "
				       "reason, line, banned, expires) VALUES (?, ?, ?, ?, ?, ?, ?)");
	struct nft_set_elem e = { .addr = b->key };
	struct nft_set_op op = { NFT_SET_ADD, NFT_TABLE, ips_set_of(&b->key), &e, 1 };
	char t[64];
	int rc;

	if (!st) {
		*err = xstrdup("the ban store cannot be written");
		return -1;
	}
	ips_key_text(&b->key, t, sizeof(t));
	sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, b->address, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, b->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, b->line, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, b->banned);
	sqlite3_bind_int64(st, 7, b->expires);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		*err = xasprintf("the ban store: %s", sqlite3_errmsg(ips_db));
		return -1;
	}
	e.timeout_ms = (uint64_t)(b->expires - b->banned) * 1000;
	return sys_nft_set(env->sys, err, &op, 1);
}

/* The keys a removal names: the prefix itself when given with a length,
 * else the address's /32, /128 and its key at the prefix in force. */
static size_t ips_candidates(const struct net_prefix *a, int prefix6, char out[3][64])
{
	struct net_prefix k = *a;
	size_t n = 0;

	if (a->has_len) {
		ips_key_text(a, out[n++], 64);
		return n;
	}
	k.len = a->family == 4 ? 32 : 128;
	ips_key_text(&k, out[n++], 64);
	if (a->family == 6 && prefix6 < 128) {
		k.len = prefix6;
		net_prefix_clear_host(&k);
		ips_key_text(&k, out[n++], 64);
	}
	return n;
}

int ips_bans_remove(const struct feature_env *env, const struct net_prefix *addr, int prefix6,
		    char **err)
{
	char keys[3][64], plain[64];
	size_t nk = ips_candidates(addr, prefix6, keys);
	struct nft_set_elem *elems = NULL;
	size_t ne = 0;
	sqlite3_stmt *sel, *del;
	int removed = 0, rc = 0;

	net_prefix_text(addr, false, plain, sizeof(plain));
	sel = ips_prepare("SELECT key FROM bans WHERE key IN (?, ?, ?) OR address = ?");
	del = ips_prepare("DELETE FROM bans WHERE key = ?");
	if (!sel || !del) {
		sqlite3_finalize(sel);
		sqlite3_finalize(del);
		*err = xstrdup("the ban store cannot be read");
		return -1;
	}
	for (int i = 0; i < 3; i++)
		sqlite3_bind_text(sel, i + 1, keys[(size_t)i < nk ? i : 0], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(sel, 4, plain, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(sel, 0);
		struct net_prefix p;

		if (!k || net_prefix_parse(k, 0, true, &p) != NET_OK)
			continue;
		elems = xrealloc(elems, (ne + 1) * sizeof(*elems));
		elems[ne++] = (struct nft_set_elem){ .addr = p };
	}
	sqlite3_finalize(sel);
	for (size_t i = 0; i < ne; i++) {
		struct nft_set_op op = { NFT_SET_DEL, NFT_TABLE, ips_set_of(&elems[i].addr),
					 &elems[i], 1 };
		char t[64];

		/* the kernel first: a row left behind would only show a ban
		 * that no longer holds, a kernel element left a ban no list shows */
		if (sys_nft_set(env->sys, err, &op, 1) < 0) {
			rc = -1;
			break;
		}
		ips_key_text(&elems[i].addr, t, sizeof(t));
		sqlite3_reset(del);
		sqlite3_bind_text(del, 1, t, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(del) == SQLITE_DONE)
			removed++;
	}
	sqlite3_finalize(del);
	free(elems);
	return rc < 0 ? -1 : removed;
}

/* Keys every stored ban anew (the IPv6 prefix, the allowed list and the
 * router's addresses may have changed) and deletes those keep refuses. */
static void ips_rekey(void (*key)(const struct net_prefix *, struct net_prefix *),
		      bool (*keep)(const struct net_prefix *))
{
	sqlite3_stmt *sel = ips_prepare("SELECT key, address FROM bans");
	sqlite3_stmt *upd = ips_prepare("UPDATE OR REPLACE bans SET key = ? WHERE key = ?");
	sqlite3_stmt *del = ips_prepare("DELETE FROM bans WHERE key = ?");
	struct { char key[64], now[64]; bool drop; } *v = NULL;
	size_t n = 0;

	while (sel && sqlite3_step(sel) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(sel, 0);
		const char *addr = (const char *)sqlite3_column_text(sel, 1);
		struct net_prefix a, nk;

		if (!k || !addr || net_prefix_parse(addr, 0, false, &a) != NET_OK)
			continue;
		key(&a, &nk);
		v = xrealloc(v, (n + 1) * sizeof(*v));
		snprintf(v[n].key, sizeof(v[n].key), "%s", k);
		ips_key_text(&nk, v[n].now, sizeof(v[n].now));
		v[n].drop = !keep(&a);
		if (v[n].drop || strcmp(v[n].now, k))
			n++;
	}
	sqlite3_finalize(sel);
	/* changed after the read: a statement may not change what it reads */
	for (size_t i = 0; upd && del && i < n; i++) {
		sqlite3_stmt *st = v[i].drop ? del : upd;

		sqlite3_reset(st);
		if (v[i].drop) {
			sqlite3_bind_text(st, 1, v[i].key, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_text(st, 1, v[i].now, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, v[i].key, -1, SQLITE_TRANSIENT);
		}
		sqlite3_step(st);
		if (v[i].drop)
			log_info("ips: the ban of %s lifted: it may not be banned now", v[i].key);
	}
	sqlite3_finalize(upd);
	sqlite3_finalize(del);
	free(v);
}

int ips_bans_restore(const struct feature_env *env,
		     void (*key)(const struct net_prefix *addr, struct net_prefix *key),
		     bool (*keep)(const struct net_prefix *addr), char **err)
{
	static const char *const sets[3] = { IPS_SET4, IPS_SET6, IPS_SET6H };
	long long now = (long long)time(NULL);
	sqlite3_stmt *st;
	struct nft_set_elem *v[3] = { NULL, NULL, NULL };
	size_t n[3] = { 0, 0, 0 }, cap[3] = { 0, 0, 0 };
	struct nft_set_op ops[6];
	int rc;

	ips_rekey(key, keep);
	st = ips_prepare("SELECT key, expires FROM bans WHERE expires > ?");
	if (!st) {
		*err = xstrdup("the ban store cannot be read");
		return -1;
	}
	sqlite3_bind_int64(st, 1, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		struct net_prefix p;
		const char *set;
		int f;

		if (!k || net_prefix_parse(k, 0, true, &p) != NET_OK)
			continue;
		set = ips_set_of(&p);
		f = set == sets[0] ? 0 : set == sets[1] ? 1 : 2;
		if (n[f] == cap[f]) {
			cap[f] = cap[f] ? cap[f] * 2 : 64;
			v[f] = xrealloc(v[f], cap[f] * sizeof(*v[f]));
		}
		v[f][n[f]++] = (struct nft_set_elem){ .addr = p, .timeout_ms =
			(uint64_t)(sqlite3_column_int64(st, 1) - now) * 1000 };
	}
	sqlite3_finalize(st);
	for (int i = 0; i < 3; i++) {
		ops[i] = (struct nft_set_op){ NFT_SET_FLUSH, NFT_TABLE, sets[i], NULL, 0 };
		ops[3 + i] = (struct nft_set_op){ NFT_SET_ADD, NFT_TABLE, sets[i], v[i], n[i] };
	}
	rc = sys_nft_set(env->sys, err, ops, 6);
	if (rc == 0 && n[0] + n[1] + n[2])
		log_info("ips: %zu ban(s) put back into the firewall", n[0] + n[1] + n[2]);
	for (int i = 0; i < 3; i++)
		free(v[i]);
	return rc;
}

void ips_bans_prune(long long now)
{
	sqlite3_stmt *st = ips_prepare("DELETE FROM bans WHERE expires <= ?");

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

/* WHERE of the list and its count: ?1 now, ?2 text, ?3 service */
#define IPS_LIST_WHERE " WHERE expires > ?1 AND (?2 IS NULL OR instr(address, ?2) > 0 OR " \
		       "instr(key, ?2) > 0) AND (?3 IS NULL OR service = ?3)"

static void ips_bind_filter(sqlite3_stmt *st, long long now, const char *text, const char *svc)
{
	sqlite3_bind_int64(st, 1, now);
	if (text && *text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	if (svc && *svc)
		sqlite3_bind_text(st, 3, svc, -1, SQLITE_TRANSIENT);
}

json_t *ips_bans_list(long long now, long long offset, long long limit, const char *text,
		      const char *service)
{
	sqlite3_stmt *cnt = ips_prepare("SELECT count(*) FROM bans" IPS_LIST_WHERE);
	sqlite3_stmt *st = ips_prepare("SELECT key, address, service, reason, line, banned, "
				       "expires FROM bans" IPS_LIST_WHERE
				       " ORDER BY banned DESC, key LIMIT ?4 OFFSET ?5");
	json_t *bans = json_array();
	long long total = 0;

	if (cnt) {
		ips_bind_filter(cnt, now, text, service);
		if (sqlite3_step(cnt) == SQLITE_ROW)
			total = sqlite3_column_int64(cnt, 0);
	}
	if (st) {
		ips_bind_filter(st, now, text, service);
		sqlite3_bind_int64(st, 4, limit);
		sqlite3_bind_int64(st, 5, offset);
		while (sqlite3_step(st) == SQLITE_ROW) {
			long long expires = sqlite3_column_int64(st, 6);
			json_array_append_new(bans, json_pack(
				"{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
				"key", (const char *)sqlite3_column_text(st, 0),
				"address", (const char *)sqlite3_column_text(st, 1),
				"service", (const char *)sqlite3_column_text(st, 2),
				"reason", (const char *)sqlite3_column_text(st, 3),
				"line", (const char *)sqlite3_column_text(st, 4),
				"banned", (json_int_t)sqlite3_column_int64(st, 5),
				"expires", (json_int_t)expires, "left", (json_int_t)(expires - now)));
		}
	}
	sqlite3_finalize(cnt);
	sqlite3_finalize(st);
	return json_pack("{s:I, s:o}", "total", (json_int_t)total, "bans", bans);
}

long long ips_bans_count(long long now)
{
	sqlite3_stmt *st = ips_prepare("SELECT count(*) FROM bans WHERE expires > ?");
	long long n = 0;

	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
