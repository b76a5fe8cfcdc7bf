/*
 * VPN › IPsec: PSK tunnels with strongSwan's charon, driven over its vici
 * socket. Private to this folder.
 */
#ifndef DIFOS_IPSEC_INT_H
#define DIFOS_IPSEC_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "apply/feature.h"
#include "rpc/rpc.h"

/* The engine's name (supervisor) and its files below the run directory. */
#define IPSEC_ENGINE "charon"
#define IPSEC_RUN_DIR "ipsec"              /* <run>/ipsec */
#define IPSEC_VICI "ipsec/charon.vici"     /* <run>/ipsec/charon.vici */
#define IPSEC_PRIVATE_RUN "ipsec/run"      /* bound over /run for charon (its pid file) */
#define IPSEC_LOG "ipsec/charon.log"
/* The device kernel-libipsec's userspace ESP sends and receives through. */
#define IPSEC_TUN "ipsec0"
/* Where charon installs the routes to the remote networks. */
#define IPSEC_TABLE 220

/* rendered files, below the feature's directory */
#define IPSEC_CONF_KERNEL "strongswan.conf"            /* kernel ESP */
#define IPSEC_CONF_LIBIPSEC "strongswan-libipsec.conf" /* userspace ESP */
#define IPSEC_VICI_JSON "vici.json"                    /* what the applier loads */
#define IPSEC_SWANCTL "swanctl.conf"                   /* the same, as swanctl reads it */

/* every vici call of the applier waits this long at most */
#define IPSEC_VICI_MS 3000
/* the status's calls, on the loop: a charon that hangs delays it this long */
#define IPSEC_STATUS_MS 1000

/* ---- ipsec_schema.c ---- */
extern const struct sc_field *const ipsec_sections[];

/* ---- ipsec_proposal.c ---- */
/* Is the proposal ("aes256-sha256-modp2048") one this strongSwan takes,
 * for ESP (esp) or IKE? Else why (after the proposal's text). */
bool ipsec_proposal_check(const char *proposal, bool esp, char *why, size_t whylen);
/* Does it hold a combined-mode (AEAD) cipher? (IKEv1 has none for IKE) */
bool ipsec_proposal_has_aead(const char *proposal);

/* ---- ipsec_render.c ---- */
int ipsec_render(struct feature_ctx *ctx, struct render_out *out);
/* The enabled peers' load-conn and load-shared messages:
 * {conns: {name: msg}, secrets: {name: msg}} (a new object). */
json_t *ipsec_vici_doc(const json_t *doc);
void ipsec_nft(struct feature_ctx *ctx, struct feature_nft *out);

/* ---- ipsec_apply.c ---- */
int ipsec_apply(struct feature_ctx *ctx);
int ipsec_health(struct feature_ctx *ctx);
/* The socket's path (malloc'd). */
char *ipsec_vici_path(const struct feature_env *env);
/* Makes charon's connections those of vd (old: the messages in force, or
 * NULL: load every one); 0, or -1 with *err set. */
int ipsec_load(const struct feature_env *env, const json_t *vd, const json_t *old, char **err);
/* Does the kernel take ESP states (probed once)? */
bool ipsec_kernel_esp(const struct feature_env *env);

/* ---- ipsec_log.c ---- */
/* What the log (charon's, its last part) last says about the connection
 * name that is not up: "authentication failed (...)", "no answer ...", or
 * NULL when nothing telling. */
const char *ipsec_log_problem(const char *log, size_t len, const char *name, bool ikev1);

/* ---- ipsec_status.c ---- */
/* The SAs charon has, per connection, and what the last tries said. */
json_t *ipsec_sas(const struct feature_env *env, const json_t *doc, char **err);

/* ipsec_watch.c: the SAs read off the loop once a second while charon runs */
void ipsec_watch_start(const struct feature_env *env);
void ipsec_watch_stop(void);
/* What charon told is no longer so (it was started again, connections
 * were loaded): nothing until the next read. */
void ipsec_watch_forget(void);
/* The last list-sa events (borrowed), or NULL when no watch runs (no loop:
 * the tests of the renderer, offline tools); *err: why the last read failed. */
const json_t *ipsec_watch_sas(char **err);
json_t *ipsec_status(struct feature_ctx *ctx);
extern const struct rpc_method ipsec_methods[];

#endif
