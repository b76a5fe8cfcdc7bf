/* The PBX engine feature's own declarations, shared by its files. */
#ifndef DIFOS_PBX_INT_H
#define DIFOS_PBX_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include "features/pbx/asterisk/pbx.h"

/* difos's own manager user */
#define PBX_AMI_USER "difos"

struct pbx_user {
	uid_t uid;
	gid_t gid;
	int found;
};

/* pbx_engine.c */
int pbx_user_find(const struct feature_env *env, struct pbx_user *u, char **err);
int pbx_dirs_make(const struct feature_env *env, const json_t *doc, const struct pbx_user *u,
		  char **err);
int pbx_files_install(const struct feature_ctx *ctx, const struct pbx_user *u, char **err);
int pbx_file_install(const char *path, const char *data, size_t len, gid_t gid, char **err);
char *pbx_ami_secret(const struct feature_env *env, const json_t *doc);
char **pbx_argv(const struct feature_env *env, const json_t *doc);
void pbx_argv_free(char **argv);

/* pbx_ami_sync.c: the manager as the apply and health use it, from the
 * apply's worker (a connection of their own, blocking with time limits;
 * the core answers others meanwhile) */
void pbx_ami_use(int port, const char *secret);
void pbx_ami_forget(void);
int pbx_ami_reload(const char *module, char **err);
/* one action with one key: 0 on "Response: Success" */
int pbx_ami_action(const char *action, const char *key, const char *value, char **err);
int pbx_ami_wait_booted(int timeout_ms, char **err);
/* Asterisk's own configuration reader on a file of its etc folder: 0 when
 * it reads, else -1 with its answer in *err; only category is answered */
int pbx_ami_config_ok(const char *file, const char *category, char **err);
const char *pbx_ami_state(void);

/* pbx_live.c: the manager's long-lived connection on the loop, and what
 * it keeps (contacts) */
void pbx_live_start(const struct feature_env *env, int port, const char *secret);
void pbx_live_stop(void);
json_t *pbx_live_status(void);
/* one action on the long-lived connection, its answer logged (the loop) */
int pbx_live_action(const char *action, const char *key, const char *value);

#endif
