/*
 * Services › Intrusion Prevention: what its files share.
 *
 *   ips.c          the feature: failures to bans, apply, status, firewall hook
 *   ips_conf.c     the settings in force; who is never banned
 *   ips_schema.c   its settings (General, the allowed list)
 *   ips_count.c    failures per address within the find time (pure)
 *   ips_record.c   the reader's records, read strictly (pure)
 *   ips_bans.c     the bans: SQLite under <state>/ips, the kernel's sets
 *   ips_follow.c   the logs followed, their bytes handed to the reader process
 *   ips_methods.c  the blocked list, unban, a ban by hand
 */
#ifndef DIFOS_IPS_INT_H
#define DIFOS_IPS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apply/feature.h"
#include "features/services/ips/ips_parse.h"
#include "net/addr.h"
#include "rpc/rpc.h"

#define IPS_SET4 "dyn_ips4"
#define IPS_SET6 "dyn_ips6"      /* IPv6 offenders by their prefix (the rule masks) */
#define IPS_SET6H "dyn_ips6h"    /* IPv6 offenders alone: their prefix is shared (below) */
#define IPS_READER "ips-reader"      /* the parser process (an engine) */
#define IPS_JOURNAL "ips-journal"    /* journalctl following sshd, when the journal is read */
#define IPS_SERVICES 3

extern const struct sc_field *const ips_sections[];
extern const struct rpc_method ips_methods[];

/* The services, as the settings and the reader's records name them. */
enum ips_svc { IPS_SVC_SSH, IPS_SVC_ASTERISK, IPS_SVC_GUI, IPS_SVC_MANUAL };
const char *ips_svc_name(int svc);
int ips_svc_of(const char *name, size_t len);   /* -1 when none */

/* ---- ips_conf.c: the settings in force ---- */
struct ips_conf {
	unsigned services;           /* bit per enum ips_svc */
	long long ban_time, find_time;
	int max_retries;
	int prefix6;                 /* IPv6 offenders are banned by this prefix */
	struct net_prefix *allowed;  /* never banned */
	size_t n_allowed;
};
const struct ips_conf *ips_conf(void);
/* Takes the settings of doc (the view of "ips"). */
void ips_conf_read(const json_t *doc);
void ips_conf_free(void);
/* Is addr on the allowed list, or the router's own, or loopback? Then the
 * word why (for a refused manual ban). */
const char *ips_exempt(const struct net_prefix *addr);
/* The ban's key of an offender's address: IPv4 /32; IPv6 its prefix of
 * prefix6, or the address alone (/128) when that prefix holds an allowed
 * address or one of the router's own (a LAN's /64: its other hosts must
 * not suffer). */
void ips_ban_key(const struct net_prefix *addr, struct net_prefix *key);

/* ---- ips_count.c ---- */
struct ips_key {
	uint8_t family;              /* 4 or 6 */
	uint8_t service;
	unsigned char addr[16];      /* IPv6: masked to the ban prefix */
};
struct ips_counter;
struct ips_counter *ips_counter_new(size_t cap);
void ips_counter_free(struct ips_counter *c);
/* One failure of k at now (seconds): true when it makes max failures
 * within window (the entry is then forgotten: the ban takes over). A
 * table at its cap first forgets entries older than the window; a
 * failure that still finds no room is not counted (false). */
bool ips_counter_fail(struct ips_counter *c, const struct ips_key *k, long long now, int max,
		      long long window);
void ips_counter_clear(struct ips_counter *c);
size_t ips_counter_size(const struct ips_counter *c);
unsigned long long ips_counter_untracked(const struct ips_counter *c);
/* The ban's key of an address: IPv6 masked to prefix6. */
void ips_key_of(const struct net_prefix *addr, int prefix6, int service, struct ips_key *k);

/* ---- ips_record.c ---- */
struct ips_record {
	int service;                 /* enum ips_svc */
	bool failure;
	struct net_prefix addr;
	char reason[48];
	char line[IPS_LINE_MAX + 1];
};
/* One line of the reader ("ips ssh failure 192.0.2.7 invalid_user <line>"):
 * false for anything not of that exact shape. */
bool ips_record_parse(const char *text, size_t len, struct ips_record *r);

/* ---- ips_bans.c ---- */
struct ips_ban {
	struct net_prefix key;       /* /32, or the IPv6 prefix */
	char address[64];            /* the offender's own address */
	const char *service;
	const char *reason;
	const char *line;
	long long banned, expires;
};
int ips_bans_open(const struct feature_env *env);
void ips_bans_close(void);
/* Is key banned now? */
bool ips_bans_active(const struct net_prefix *key, long long now);
/* Stores b and puts it into the kernel's set: 0, or -1 with *err. */
int ips_bans_add(const struct feature_env *env, const struct ips_ban *b, char **err);
/* Removes the bans whose key holds addr (or equals a prefix given):
 * the number removed, -1 with *err. */
int ips_bans_remove(const struct feature_env *env, const struct net_prefix *addr, int prefix6,
		    char **err);
/* Puts every stored ban still running into the kernel's sets, which are
 * emptied first (after a whole ruleset was loaded); the IPv6 ones are keyed
 * anew by key (the prefix may have changed); those whose address keep
 * refuses (allowed since) are deleted. 0 or -1 with *err. */
int ips_bans_restore(const struct feature_env *env,
		     void (*key)(const struct net_prefix *addr, struct net_prefix *key),
		     bool (*keep)(const struct net_prefix *addr), char **err);
/* Forgets the bans that ended (the kernel already let them go). */
void ips_bans_prune(long long now);
/* {total, bans: [...]}: newest first, from offset, at most limit, those
 * whose address or key holds text (NULL: all). */
json_t *ips_bans_list(long long now, long long offset, long long limit, const char *text,
		      const char *service);
long long ips_bans_count(long long now);

/* ---- ips_follow.c ---- */
/* What to do with a record the reader sent. */
typedef void (*ips_take_fn)(const struct feature_env *env, const struct ips_record *r);
/* Follows the logs of the services selected (and stops following the
 * others), records going to take. */
void ips_follow_configure(const struct feature_env *env, const struct ips_conf *c,
			  const char *ssh_source, const char *ssh_log, ips_take_fn take);
void ips_follow_stop(void);
json_t *ips_follow_status(void);

#endif
