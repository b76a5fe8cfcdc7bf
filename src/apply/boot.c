/* The first apply after start: the revision the user trusted, every feature. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/engine_int.h"
#include "core/log.h"
#include "schema/schema.h"
#include "store/store.h"

int engine_boot(struct engine *e)
{
	long long rev = store_running(e->store);
	char *gen, *old_gen;
	struct apply_result res = { 0 };
	int failures = 0;

	/* a revision still waiting for confirmation when difosd stopped was
	 * never confirmed: the one before it is what the user trusted */
	for (;;) {
		json_t *info = store_revision_info(e->store, rev);
		const char *state = json_string_value(json_object_get(info, "state"));
		bool pending = state && !strcmp(state, REV_PENDING);
		json_decref(info);
		if (!pending || rev <= 0)
			break;
		log_warn("boot: revision %lld was never confirmed; rolling back", rev);
		store_set_state(e->store, rev, REV_REVERTED);
		/* as after a confirm timeout: the unconfirmed work becomes staged */
		{
			const json_t *staged = store_staged_peek(e->store);
			json_t *unconfirmed = staged ? NULL : store_revision_doc(e->store, rev);
			if (unconfirmed)
				store_stage(e->store, unconfirmed);
			json_decref(unconfirmed);
		}
		do {
			rev--;
			info = store_revision_info(e->store, rev);
			state = json_string_value(json_object_get(info, "state"));
			pending = !state || strcmp(state, REV_APPLIED);
			json_decref(info);
		} while (pending && rev > 0);
		store_set_running(e->store, rev);
	}
	e->running = store_revision_doc(e->store, rev);
	if (!e->running) {
		log_err("boot: revision %lld is missing from the store", rev);
		return -1;
	}
	schema_upgrade(e->running);
	e->running_rev = rev;
	gen = gen_new(e);
	if (!gen || gen_render_all(e, e->running, gen, &res, NULL) < 0) {
		log_err("boot: %s", res.message ? res.message : "cannot render");
		apply_result_free(&res);
		free(gen);
		return -1;
	}
	old_gen = gen_active(e);
	gen_switch(e, gen);
	for (size_t i = 0; i < feature_count(); i++) {
		const struct feature *f = feature_table[i];
		char *err = NULL;
		int rc;

		if (!engine_applies(f)) {
			engine_set_feature(e, f->name, "ok", NULL, rev);
			continue;
		}
		rc = engine_apply_feature(e, f, e->running, NULL, NULL, &err);

		if (rc == 0)
			rc = engine_health_feature(e, f, e->running, &err);
		if (rc) {
			log_err("boot: %s failed: %s", f->name, err ? err : "?");
			failures++;
		}
		engine_set_feature(e, f->name, rc ? "failed" : "ok", err, rev);
		free(err);
	}
	gen_prune(e, gen, NULL);
	log_info("boot: revision %lld in force%s", rev, failures ? " with failures" : "");
	free(gen);
	free(old_gen);
	apply_result_free(&res);
	return failures ? -1 : 0;
}

