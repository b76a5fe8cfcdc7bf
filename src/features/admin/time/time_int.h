/* Region & Time inside its folder: chronyd and its companion chronyc. */
#ifndef DIFOS_FEATURE_TIME_INT_H
#define DIFOS_FEATURE_TIME_INT_H

#include <jansson.h>

#include "apply/feature.h"

#define TIME_CHRONYD "chronyd"
#define TIME_CHRONYC "chronyc"

/* <run>/time: chronyd's socket, pid file and resolv.conf (malloc'd) */
char *time_run_dir(const struct feature_env *env);
char *time_socket_path(const struct feature_env *env);
/* Whether difosd may let chronyd set the clock: only for the real
 * machine ("/"), never under a test or demo root (chronyd -x there). */
bool time_clock_control(const struct feature_env *env);

/* Copies the uplink's DNS servers to the resolv.conf chronyd sees, in
 * place (it is bound over chronyd's /etc/resolv.conf). */
void time_resolv_refresh(const struct feature_env *env);
/* Starts (or restarts, when its file changed) chronyd and its chronyc;
 * stops both when on is false. 0, or -1 with ctx->err. */
int time_chrony_apply(struct feature_ctx *ctx, bool on, bool changed);
void time_chrony_stop(void);
/* {sources, tracking, updated, error, sync} as last read */
json_t *time_chrony_state(void);
/* Starts a burst of measurements and a step of the clock (jobs of chronyc);
 * NULL, or why it cannot. */
char *time_chrony_sync(const struct feature_env *env);

#endif
