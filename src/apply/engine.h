/*
 * The apply engine: validate -> render every feature into a fresh
 * generation directory -> check each changed feature with its engine's
 * checker -> switch the "active" link atomically -> apply the changed
 * features in table order -> health checks -> commit the revision ->
 * arm the confirm timer. A failure at any step puts the previous files
 * back and re-applies the previous configuration to the features it
 * had touched, and reports the feature and the engine's message.
 */
#ifndef DIFOS_ENGINE_H
#define DIFOS_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

#include "apply/feature.h"

struct store;
struct sys;

/* Runs of the engine since difosd started, for the metrics: how many
 * ended well or not, and how long they took (a histogram in seconds). */
#define APPLY_BUCKETS 10
extern const double apply_bucket_le[APPLY_BUCKETS];   /* upper bounds, seconds */
struct apply_stats {
	unsigned long long ok, failed;
	unsigned long long le[APPLY_BUCKETS];   /* runs that took <= apply_bucket_le[i] */
	double seconds;                         /* the sum of their durations */
};

struct engine {
	struct store *store;
	/* what features are given: paths, the system backend, the loop (NULL
	 * in unit tests: no confirm timer), this engine */
	struct feature_env env;
	char *own_paths[5];       /* run, state, active, etc, resolv: made by engine_init */
	json_t *running;          /* document in force: complete (defaults filled), shared, never changed in place */
	long long running_rev;
	/* the last document found valid when it was staged (a reference, so
	 * its address cannot be reused): applying it skips validating again */
	json_t *validated;
	json_t *features;         /* {name: {state, message, revision, time}} */
	/* confirm */
	uv_timer_t confirm_timer;
	long long confirm_rev;    /* 0 when nothing waits */
	long long confirm_deadline; /* wall-clock seconds */
	int gen_counter;
	/* old generations are removed after the answer (the two named stay) */
	uv_timer_t prune_timer;
	char *prune_keep[2];
	/* a run is under way in the worker (job.c); what it leaves to the loop */
	bool busy;
	char *busy_author;        /* who started it */
	long long busy_since;     /* wall-clock seconds */
	int arm_confirm_secs;
	bool prune_due;
	struct apply_stats stats;
	/* tests: pause this many ms between switching files and applying */
	int test_pause_ms;
	/* tests: appliers see the whole documents instead of the paths their
	 * feature reads (test_reads compares both: the reads are complete) */
	bool test_whole_docs;
};

struct apply_result {
	long long revision;   /* committed revision, or -1 */
	char *reason;         /* "invalid", "pending", "render", "check", "apply", "health", "store" */
	char *feature;        /* failing feature */
	char *message;        /* engine's own message, or summary */
	json_t *errors;       /* validation errors (array) */
	json_t *touched;      /* names of features applied */
};

void apply_result_free(struct apply_result *r);

/* The paths are made for the root prefix (already set with root_set);
 * the caller sets env.paths' libexec, socket, gui and data. */
int engine_init(struct engine *e, struct store *store, struct sys *sys, uv_loop_t *loop);
void engine_free(struct engine *e);

/* doc (complete, defaults filled) passed schema_validate and will not be
 * changed again: an apply of this very document need not validate it. */
void engine_note_valid(struct engine *e, json_t *doc);

/* First apply after start: every feature, nothing to roll back to. */
int engine_boot(struct engine *e);

/* confirm_secs > 0 arms the confirm timer. Returns 0 on success. */
int engine_apply(struct engine *e, const json_t *doc, const char *author, const char *comment,
		 int confirm_secs, struct apply_result *res);
/* Renders the document in force again and applies what changed (data
 * files such as country lists were updated); no new revision. */
int engine_refresh(struct engine *e, const char *author, struct apply_result *res);
/* The same off the loop (job.c): done runs on the loop thread when the run
 * has ended (at once without a loop). doc NULL with commit false: the
 * document in force again. -1 when a run is under way already. */
typedef void (*engine_done_fn)(void *ctx, struct apply_result *res, int rc);
int engine_run_async(struct engine *e, const json_t *doc, const char *author, const char *comment,
		     int confirm_secs, bool commit, engine_done_fn done, void *ctx);
/* Confirms the pending revision; -1 when nothing waits. */
int engine_confirm(struct engine *e, const char *author);
/* Rolls a pending revision back now (timer expiry, or explicit). */
int engine_revert_pending(struct engine *e, const char *why);

json_t *engine_status(struct engine *e);

#endif
