/*
 * Inside the apply engine: the steps engine.c runs, shared with the
 * generations (generation.c), the boot (boot.c) and the result (result.c).
 * Nothing outside src/apply includes this.
 */
#ifndef DIFOS_ENGINE_INT_H
#define DIFOS_ENGINE_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "apply/engine.h"

/* result.c */
void apply_fail(struct apply_result *r, const char *reason, const char *feature,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* milliseconds of the monotonic clock, for the step timings at --debug */
double apply_clock_ms(void);

/* generation.c: a fresh directory under <state>/gen; NULL on error (errno) */
char *gen_new(struct engine *e);
/* the generation the active link names, or NULL */
char *gen_active(struct engine *e);
/* every feature's render into gen; ms[i]: feature i's time (ms may be NULL) */
int gen_render_all(struct engine *e, const json_t *doc, const char *gen,
		   struct apply_result *res, double *ms);
/* points the active link at target, atomically */
int gen_switch(struct engine *e, const char *target);
/* a feature's files differ between two generations (old_gen NULL: yes) */
bool gen_feature_changed(const char *old_gen, const char *new_gen, const char *name);
/* removes every generation but the two named; now, or after the answer */
void gen_prune(struct engine *e, const char *keep1, const char *keep2);
void gen_prune_later(struct engine *e, const char *keep1, const char *keep2);
void gen_prune_forget(struct engine *e);
/* on the loop thread, after a run: starts the pruning gen_prune_later asked for */
void gen_prune_arm(struct engine *e);

/* engine.c: one run (commit: a new revision), on whichever thread holds
 * the core lock; then, on the loop thread, what it leaves to do */
int engine_run(struct engine *e, const json_t *doc, const char *author, const char *comment,
	       int confirm_secs, bool commit, struct apply_result *res);
void engine_after_run(struct engine *e);

/* engine.c: one feature's steps, with the view of the paths it reads */
bool engine_applies(const struct feature *f);
int engine_apply_feature(struct engine *e, const struct feature *f, const json_t *doc,
			 const json_t *old_doc, const char *old_gen, char **err);
int engine_health_feature(struct engine *e, const struct feature *f, const json_t *doc,
			  char **err);
void engine_set_feature(struct engine *e, const char *name, const char *state,
			const char *message, long long rev);

#endif
