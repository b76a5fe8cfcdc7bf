/*
 * Authentication in the core: the admin password (yescrypt through
 * libcrypt), browser sessions with their CSRF token, API tokens for
 * scripts, the one-time setup token of the first run, and the throttle of
 * failed logins. difosd-web only carries cookies and headers here.
 */
#ifndef DIFOS_AUTH_H
#define DIFOS_AUTH_H

#include <jansson.h>
#include <stdbool.h>

struct store;

#define AUTH_ADMIN          "admin"
#define AUTH_PASSWORD_MIN   8
#define AUTH_PASSWORD_MAX   128
#define AUTH_TOKEN_HEX      64     /* 256-bit tokens, hex encoded */
#define AUTH_COOKIE         "__Host-difos_session"
#define AUTH_TOKEN_PREFIX   "difos_"

/* auth_db.c */
int auth_init(struct store *st, const char *auth_log_path);
bool auth_has_password(const char *user);
/* Returns 0, or -1 with *err set to a message naming the problem. */
int auth_set_password(const char *user, const char *password, const char **err);
bool auth_check_password(const char *user, const char *password);
/* The manual: changing the GUI password changes root's too. difosd says
 * how (through its system backend, on the real system only); without it,
 * as in tests and offline tools, root's password is left alone. */
void auth_set_root_sync(void (*sync)(const char *hash, void *arg), void *arg);

/* password.c */
char *auth_hash_password(const char *password);          /* yescrypt; NULL on failure */
bool auth_verify_hash(const char *password, const char *hash);
const char *auth_password_problem(const char *password); /* NULL when acceptable */

/* strength.c: libpwquality's verdict, the one rule for every password */
struct auth_strength {
	bool ok;
	int score;        /* 0-100; 0 when refused */
	char why[200];    /* when refused: follows "the password ", e.g. "is too easy to guess:
			   * based on a dictionary word" */
};
/* old: the password in force (a new one must differ enough), or NULL. */
void auth_password_strength(const char *password, const char *old, struct auth_strength *out);
/* the same for the password of another account than the admin's (a SIP
 * extension's: its number must not be in it) */
void auth_password_strength_of(const char *password, const char *old, const char *user,
			       struct auth_strength *out);

/* session.c */
struct auth_session {
	unsigned char key[32];     /* hash of the cookie value; the value itself is not kept */
	char user[32];
	char csrf[AUTH_TOKEN_HEX + 1];
	long long created, seen;   /* monotonic ms */
	bool used;
};

void auth_set_timeouts(long long idle_s, long long max_s);
void auth_get_timeouts(long long *idle_s, long long *max_s);
/* Writes the new cookie value (AUTH_TOKEN_HEX chars + NUL) to token_out. */
struct auth_session *auth_session_create(const char *user, char *token_out);
/* Finds a live session by cookie value and marks it used now. */
struct auth_session *auth_session_find(const char *token);
void auth_session_end(struct auth_session *s);
/* Ends every session of user except keep (NULL: all). */
void auth_sessions_end_user(const char *user, const struct auth_session *keep);
bool auth_csrf_ok(const struct auth_session *s, const char *header);

/* scope.c: what an API token may call */
#include "rpc/rpc.h"
enum auth_scope { AUTH_SCOPE_READ = 0, AUTH_SCOPE_CONFIG, AUTH_SCOPE_ADMIN, AUTH_SCOPE_COUNT };
/* how a token reaches a method */
enum auth_reach {
	AUTH_REFUSED = 0,
	AUTH_AS_CALLER,   /* called as the token */
	AUTH_AS_NOBODY,   /* a public method's state change, called as nobody logged in */
};
extern const char *const auth_scope_choices[];   /* "read-only", "config", "admin", NULL */
const char *auth_scope_name(enum auth_scope s);
int auth_scope_from_name(const char *name);     /* -1 when no scope is called so */
enum auth_reach auth_token_reach(enum auth_scope s, enum rpc_access a, bool mutating);
/* The least scope that reaches the access, or NULL when no token does. */
const char *auth_access_needs(enum rpc_access a);

/* auth_db.c: API tokens, stored hashed */
/* [{id, name, scope, creator, created, last_used}] */
json_t *auth_tokens_list(void);
/* Returns the new token's id and writes the token text (malloc'd) to *token. */
long long auth_token_create(const char *name, enum auth_scope scope, const char *creator,
			    char **token);
int auth_token_revoke(long long id);
/* The token's name (malloc'd) and scope when the bearer value is a live
 * token (its last use noted), else NULL. */
char *auth_token_check(const char *bearer, enum auth_scope *scope);

/* throttle.c: failed logins per source address */
/* Seconds the address must still wait; 0 when it may try. */
long long auth_throttle_wait(const char *peer);
void auth_throttle_failed(const char *peer, const char *user);
void auth_throttle_passed(const char *peer);
void auth_throttle_reset(void);
void auth_throttle_log(const char *path);   /* where failures are written */

/* setup.c: the one-time token of the first run */
const char *auth_setup_token(void);    /* NULL once a password is set */
bool auth_setup_check(const char *token);
void auth_setup_done(void);

/* auth_methods.c: the password, the first-run link, API tokens */
extern const struct rpc_method auth_methods[];
/* auth_cli.c: difosctl's commands that read a secret or make a link */
int auth_cli_passwd(const struct rpc_cli_ctx *cli, int argc, char **argv);
/* A line of stdin, not echoed on a terminal (prompt shown there); NULL at its end. */
char *auth_cli_read_secret(const char *prompt);
int auth_cli_setup_link(const struct rpc_cli_ctx *cli, int argc, char **argv);
void auth_print_tokens(const json_t *res);

/* shared helpers */
void auth_random_hex(char *out, size_t nbytes);   /* out: 2*nbytes+1 */
void auth_hash_token(const char *token, unsigned char out[32]);
long long auth_now_ms(void);

#endif
