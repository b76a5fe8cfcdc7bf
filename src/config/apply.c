/* apply, confirm, history, diff, rollback, status. */
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "config/methods.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/diff.h"
#include "store/store.h"

static int apply_confirm_secs(struct rpc_call *c)
{
	json_t *v = json_object_get(c->params, "confirm");

	if (json_is_integer(v))
		return (int)json_integer_value(v);
	if (json_is_true(v))
		return 90;
	return 0;
}

static json_t *apply_run(struct rpc_call *c, json_t *doc, const char *comment)
{
	struct apply_result res;
	int secs = apply_confirm_secs(c);
	json_t *out;

	if (secs < 0 || secs > 3600) {
		json_decref(doc);
		return rpc_fail(c, RPC_BAD, "confirm", json_object_get(c->params, "confirm"),
				"confirm: must be between 1 and 3600 seconds");
	}
	if (engine_apply(c->env->engine, doc, c->author, comment, secs, &res) < 0) {
		const char *reason = !strcmp(res.reason, "invalid") ? RPC_INVALID :
				     !strcmp(res.reason, "pending") ? RPC_CONFLICT : RPC_APPLY;
		rpc_fail(c, reason, NULL, NULL, "%s", res.message);
		rpc_fail_data(c, "stage", json_string(res.reason));
		if (res.feature)
			rpc_fail_data(c, "feature", json_string(res.feature));
		if (res.errors)
			rpc_fail_data(c, "errors", json_incref(res.errors));
		rpc_fail_data(c, "rolled_back", json_boolean(strcmp(res.reason, "invalid") &&
							     strcmp(res.reason, "pending")));
		apply_result_free(&res);
		json_decref(doc);
		return NULL;
	}
	out = json_pack("{s:I, s:O}", "revision", (json_int_t)res.revision, "touched", res.touched);
	if (secs > 0)
		json_object_set_new(out, "confirm_deadline",
				    json_integer(c->env->engine->confirm_deadline));
	apply_result_free(&res);
	json_decref(doc);
	return out;
}

static json_t *apply_method(struct rpc_call *c)
{
	/* the store's own document: the engine neither changes nor copies it */
	json_t *doc = json_incref((json_t *)store_staged_peek(c->env->engine->store));

	if (!doc)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "nothing to apply: no staged changes");
	return apply_run(c, doc, rpc_str(c, "comment"));
}

static json_t *confirm_method(struct rpc_call *c)
{
	long long rev = c->env->engine->confirm_rev;

	if (engine_confirm(c->env->engine, c->author) < 0)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "no revision waits for confirmation");
	return json_pack("{s:I}", "confirmed", (json_int_t)rev);
}

static json_t *history_method(struct rpc_call *c)
{
	json_t *lim = json_object_get(c->params, "limit");

	return store_history(c->env->engine->store, json_is_integer(lim) ? (int)json_integer_value(lim) : 100);
}

static json_t *revision_param(struct rpc_call *c, const char *key, long long *rev)
{
	json_t *v = json_object_get(c->params, key), *doc;

	if (!json_is_integer(v))
		return rpc_fail(c, RPC_BAD, key, v, "%s: a revision number is required", key);
	*rev = json_integer_value(v);
	doc = store_revision_doc(c->env->engine->store, *rev);
	if (!doc)
		return rpc_fail(c, RPC_NOTFOUND, key, v, "%s: no revision %lld", key, *rev);
	schema_fill_defaults(doc);
	return doc;
}

static json_t *diff_method(struct rpc_call *c)
{
	long long ra = 0, rb = 0;
	json_t *a, *b, *ma, *mb, *d;

	a = revision_param(c, "from", &ra);
	if (!a)
		return NULL;
	b = revision_param(c, "to", &rb);
	if (!b) {
		json_decref(a);
		return NULL;
	}
	ma = schema_mask_secrets(a);
	mb = schema_mask_secrets(b);
	d = diff_docs(ma, mb);
	json_decref(a);
	json_decref(b);
	json_decref(ma);
	json_decref(mb);
	return d;
}

static json_t *rollback_method(struct rpc_call *c)
{
	long long rev = 0;
	json_t *doc = revision_param(c, "revision", &rev);
	char *comment;
	json_t *res;

	if (!doc)
		return NULL;
	comment = xasprintf("rollback to revision %lld", rev);
	res = apply_run(c, doc, comment);
	free(comment);
	return res;
}

static json_t *status_method(struct rpc_call *c)
{
	json_t *st = engine_status(c->env->engine), *feats = json_object_get(st, "features");
	const json_t *staged = store_staged_peek(c->env->engine->store);
	struct feature_ctx ctx = { .env = c->env, .doc = c->env->engine->running };

	for (size_t i = 0; i < feature_count(); i++) {
		const struct feature *f = feature_table[i];
		json_t *fs = json_object_get(feats, f->name), *detail;
		if (fs && (detail = feature_status(f, &ctx)))
			json_object_set_new(fs, "detail", detail);
		if (fs)
			json_object_set_new(fs, "title", json_string(f->title));
	}
	json_object_set_new(st, "staged", json_boolean(staged != NULL));
	return st;
}

const struct rpc_method apply_methods[] = {
	{ "apply", apply_method, "apply the staged changes (confirm: seconds to wait for confirm)" },
	{ "confirm", confirm_method, "confirm the revision applied with confirm" },
	{ "history", history_method, "list revisions, newest first" },
	{ "diff", diff_method, "changes between two revisions (from, to)" },
	{ "rollback", rollback_method, "apply an earlier revision again" },
	{ "status", status_method, "state of each feature and the pending confirm" },
	{ NULL, NULL, NULL }
};
