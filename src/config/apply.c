/* apply, confirm, history, pin, diff, rollback, status. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "auth/auth.h"
#include "config/methods.h"
#include "core/lock.h"
#include "core/print.h"
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

/*
 * A confirm token lets the GUI confirm from the LAN address an apply
 * moved it to, where its session cookie is not sent: the apply names the
 * token, the confirm gives it back without a session. Only its hash is
 * kept, bound to the revision it confirms.
 */
static unsigned char confirm_key[32];
static long long confirm_key_rev = -1;

/* One apply's answer, built when the engine's run ends (now, or on the
 * loop thread after the worker). */
struct apply_answer {
	struct rpc_call *c;        /* the call, when it is answered now */
	struct rpc_later *later;   /* or its later answer */
	struct engine *engine;
	int confirm_secs;
	char *token;
	json_t *out;
};

static void apply_done(void *ctx, struct apply_result *res, int rc)
{
	struct apply_answer *a = ctx;
	struct rpc_call *c = a->later ? rpc_later_call(a->later) : a->c;
	json_t *out = NULL;

	if (rc < 0) {
		const char *reason = !strcmp(res->reason, "invalid") ? RPC_INVALID :
				     !strcmp(res->reason, "pending") ? RPC_CONFLICT : RPC_APPLY;
		rpc_fail(c, reason, NULL, NULL, "%s", res->message);
		rpc_fail_data(c, "stage", json_string(res->reason));
		if (res->feature)
			rpc_fail_data(c, "feature", json_string(res->feature));
		if (res->errors)
			rpc_fail_data(c, "errors", json_incref(res->errors));
		rpc_fail_data(c, "rolled_back", json_boolean(strcmp(res->reason, "invalid") &&
							     strcmp(res->reason, "pending")));
	} else {
		out = json_pack("{s:I, s:O}", "revision", (json_int_t)res->revision, "touched",
				res->touched);
		if (a->confirm_secs > 0)
			json_object_set_new(out, "confirm_deadline",
					    json_integer(a->engine->confirm_deadline));
		if (a->token) {
			auth_hash_token(a->token, confirm_key);
			confirm_key_rev = res->revision;
		}
	}
	free(a->token);
	if (a->later) {
		rpc_later_finish(a->later, out);
		free(a);
	} else {
		a->out = out;
	}
}

/* Applies doc (stolen): off the loop when the caller can wait for the
 * answer, which comes when the run has ended. */
json_t *config_apply_run(struct rpc_call *c, json_t *doc, const char *comment)
{
	int secs = apply_confirm_secs(c);
	const char *token = rpc_str(c, "confirm_token");
	struct engine *e = c->env->engine;
	struct apply_answer now = { 0 }, *a;

	if (secs < 0 || secs > 3600) {
		json_decref(doc);
		return rpc_fail(c, RPC_BAD, "confirm", json_object_get(c->params, "confirm"),
				"confirm: must be between 1 and 3600 seconds");
	}
	if (token && (strlen(token) < 32 || strlen(token) > 128)) {
		json_decref(doc);
		return rpc_fail(c, RPC_INVALID, "confirm_token", NULL,
				"confirm_token: 32 to 128 characters are required");
	}
	if (e->busy) {
		json_decref(doc);
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL,
				"an apply is running; try again when it has finished");
	}
	a = e->env.loop ? xcalloc(1, sizeof(*a)) : &now;
	a->c = c;
	a->engine = e;
	a->confirm_secs = secs;
	a->token = token ? xstrdup(token) : NULL;
	a->later = a != &now ? rpc_answer_later(c) : NULL;
	if (!a->later) {
		struct apply_result res;
		int rc = engine_apply(e, doc, c->author, comment, secs, &res);

		if (a != &now) {
			now = *a;
			free(a);
			a = &now;
		}
		apply_done(a, &res, rc);
		apply_result_free(&res);
		json_decref(doc);
		return a->out;
	}
	engine_run_async(e, doc, c->author, comment, secs, true, apply_done, a);
	json_decref(doc);
	return NULL;
}

static json_t *apply_method(struct rpc_call *c)
{
	/* the store's own document: the engine neither changes nor copies it */
	json_t *doc = json_incref((json_t *)store_staged_peek(c->env->engine->store));

	if (!doc)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "nothing to apply: no staged changes");
	return config_apply_run(c, doc, rpc_str(c, "comment"));
}

/* Nobody logged in: the token of the pending apply stands in for a session. */
static bool confirm_by_token(struct rpc_call *c)
{
	const char *token = rpc_str(c, "token");
	unsigned char key[32];

	if (!token || confirm_key_rev < 0 || c->env->engine->confirm_rev != confirm_key_rev) {
		rpc_fail(c, RPC_UNAUTHORIZED, NULL, NULL,
			 "log in first, or give the token of the pending apply");
		return false;
	}
	auth_hash_token(token, key);
	if (sodium_memcmp(key, confirm_key, sizeof(key))) {
		auth_throttle_failed(c->peer, "confirm");
		rpc_fail(c, RPC_FORBIDDEN, "token", NULL, "token: not the pending apply's");
		return false;
	}
	return true;
}

static json_t *confirm_method(struct rpc_call *c)
{
	long long rev = c->env->engine->confirm_rev;
	bool anonymous = !c->author || !*c->author;

	if (anonymous && !confirm_by_token(c))
		return NULL;
	if (engine_confirm(c->env->engine, anonymous ? "confirm-token" : c->author) < 0)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL, "no revision waits for confirmation");
	confirm_key_rev = -1;
	sodium_memzero(confirm_key, sizeof(confirm_key));
	return json_pack("{s:I}", "confirmed", (json_int_t)rev);
}

static json_t *history_method(struct rpc_call *c)
{
	json_t *lim = json_object_get(c->params, "limit");

	return store_history(c->env->engine->store, json_is_integer(lim) ? (int)json_integer_value(lim) : 100);
}

static json_t *pin_method(struct rpc_call *c)
{
	json_t *rev = json_object_get(c->params, "revision"), *on = json_object_get(c->params, "pinned");
	bool pinned = !json_is_false(on);

	if (store_pin(c->env->engine->store, json_integer_value(rev), pinned) < 0)
		return rpc_fail(c, RPC_NOTFOUND, "revision", rev, "revision: no revision %lld",
				(long long)json_integer_value(rev));
	return json_pack("{s:O, s:b}", "revision", rev, "pinned", pinned);
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
	schema_upgrade(doc);
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
	res = config_apply_run(c, doc, comment);
	free(comment);
	return res;
}

/*
 * The features' details (netlink dumps, engines' states and last lines)
 * are kept while nothing in the core changed, for a second at most: what
 * changes outside it (a lease file, counters) shows a second late at most,
 * and a dashboard polled by many costs one gathering a second. So is the
 * whole answer, handed to every caller and only ever read, so the REST
 * door writes its text once too (rpc_kept); while an apply runs or a
 * confirm counts down, its top (applying, seconds left) is made for each
 * call around the kept details.
 */
#define STATUS_KEEP_MS 1000

struct status_keep {
	json_t *v;
	unsigned long version;
	long long at;
};
static struct status_keep status_details_kept, status_answer_kept;

static bool status_keep_fresh(const struct status_keep *k, long long now)
{
	return k->v && k->version == core_state_version() && now - k->at < STATUS_KEEP_MS &&
	       now >= k->at;
}

static void status_keep_set(struct status_keep *k, json_t *v, long long now)
{
	json_decref(k->v);
	k->v = v;
	k->version = core_state_version();
	k->at = now;
}

static json_t *status_details(const struct feature_env *env, long long now)
{
	struct feature_ctx ctx = { .env = env, .doc = env->engine->running };
	json_t *details;

	if (status_keep_fresh(&status_details_kept, now))
		return status_details_kept.v;
	details = json_object();
	for (size_t i = 0; i < feature_count(); i++) {
		json_t *detail = feature_status(feature_table[i], &ctx);
		if (detail)
			json_object_set_new(details, feature_table[i]->name, detail);
	}
	status_keep_set(&status_details_kept, details, now);
	return details;
}

static json_t *status_make(const struct feature_env *env, long long now)
{
	json_t *st = engine_status(env->engine), *feats = json_object();
	json_t *details = status_details(env, now), *fs, *detail;
	const json_t *staged = store_staged_peek(env->engine->store);
	const char *name;

	/* each feature's state copied: the engine's own stay its own; the
	 * details are shared with the kept ones, only ever read */
	json_object_foreach(json_object_get(st, "features"), name, fs)
		json_object_set_new(feats, name, json_copy(fs));
	for (size_t i = 0; i < feature_count(); i++) {
		const struct feature *f = feature_table[i];
		if (!(fs = json_object_get(feats, f->name)))
			continue;
		if ((detail = json_object_get(details, f->name)))
			json_object_set(fs, "detail", detail);
		json_object_set_new(fs, "title", json_string(f->title));
	}
	json_object_set_new(st, "features", feats);
	json_object_set_new(st, "staged", json_boolean(staged != NULL));
	return st;
}

static json_t *status_method(struct rpc_call *c)
{
	const struct engine *e = c->env->engine;
	long long now = now_ms();

	if (e->busy || e->confirm_rev)
		return status_make(c->env, now);
	if (!status_keep_fresh(&status_answer_kept, now))
		status_keep_set(&status_answer_kept, rpc_kept(status_make(c->env, now)), now);
	return json_incref(status_answer_kept.v);
}

#define APPLY "Apply and history"

#define APPLY_PARAMS \
	{ .name = "confirm", .kind = SC_JSON, .help = "seconds (1-3600) to wait for a confirm before "\
	  "rolling back, or true for 90" }, \
	{ .name = "confirm_token", .kind = SC_STRING, .flags = SC_F_SECRET, .help = "32 to 128 "\
	  "characters that confirm this apply without a session (the GUI, at a moved LAN address)" }

static const struct sc_field apply_params[] = {
	APPLY_PARAMS,
	{ .name = "comment", .kind = SC_STRING, .max = 1024, .help = "kept with the revision" },
	{ .name = NULL }
};

static const struct sc_field rollback_params[] = {
	{ .name = "revision", .kind = SC_INT, .flags = SC_F_REQUIRED, .help = "the revision to apply again" },
	APPLY_PARAMS,
	{ .name = NULL }
};

static const struct sc_field confirm_params[] = {
	{ .name = "token", .kind = SC_STRING, .flags = SC_F_SECRET,
	  .help = "without a session: the apply's confirm_token" },
	{ .name = NULL }
};

static const struct sc_field history_params[] = {
	{ .name = "limit", .kind = SC_INT, .min = 1, .max = 100000, .help = "at most this many (100)" },
	{ .name = NULL }
};

static const struct sc_field pin_params[] = {
	{ .name = "revision", .kind = SC_INT, .flags = SC_F_REQUIRED, .help = "a revision" },
	{ .name = "pinned", .kind = SC_BOOL, .help = "false unpins (true)" },
	{ .name = NULL }
};

static const struct sc_field diff_params[] = {
	{ .name = "from", .kind = SC_INT, .flags = SC_F_REQUIRED, .help = "a revision" },
	{ .name = "to", .kind = SC_INT, .flags = SC_F_REQUIRED, .help = "a later (or earlier) revision" },
	{ .name = NULL }
};

const struct rpc_method apply_methods[] = {
	{ "apply", apply_method, "apply the staged changes", APPLY, apply_params,
	  "{revision, touched: [features], confirm_deadline?}", RPC_CONFIG, .flags = RPC_F_APPLIES,
	  .rest = { { "POST", "/apply", .summary = "apply the staged changes" } },
	  .cli = { "apply", .usage = "[--confirm [SECS]] [--comment TEXT]",
		   .help = "apply; with --confirm roll back unless confirmed",
		   .run = config_cli_apply } },
	{ "confirm", confirm_method, "confirm the revision applied with confirm", APPLY,
	  confirm_params, "{confirmed: revision}", RPC_PUBLIC,
	  .rest = { { "POST", "/confirm",
		      .summary = "confirm the pending revision (session, or the apply's confirm_token)" } },
	  .cli = { "confirm", .help = "keep the revision applied with --confirm", .print = print_json } },
	{ "history", history_method, "list revisions, newest first", APPLY, history_params,
	  "[{id, time, author, comment, state, pinned}]; state: applied, pending, reverted", RPC_READ,
	  .rest = { { "GET", "/history", .summary = "revisions, newest first" } },
	  .cli = { "history", .help = "revisions, newest first", .print = config_print_history } },
	{ "pin", pin_method, "keep a revision whatever system.keep_revisions says, or stop keeping it",
	  APPLY, pin_params, "{revision, pinned}", RPC_CONFIG,
	  .rest = { { "POST", "/pin", .summary = "pin or unpin a revision" } },
	  .cli = { "pin", "revision pinned?", .usage = "REV [true|false]",
		   .help = "keep revision REV (false: let it go)", .print = print_json } },
	{ "diff", diff_method, "changes between two revisions", APPLY, diff_params,
	  "the change list, as config.changes", RPC_READ,
	  .rest = { { "GET", "/diff" } },
	  .cli = { "diff", "from to", .usage = "REV_A REV_B", .print = config_print_diff } },
	{ "rollback", rollback_method, "apply an earlier revision again", APPLY, rollback_params,
	  "as apply", RPC_CONFIG, .flags = RPC_F_APPLIES,
	  .rest = { { "POST", "/rollback" } },
	  .cli = { "rollback", .usage = "REV [--confirm [SECS]]", .run = config_cli_rollback } },
	{ "status", status_method, "state of each feature and the pending confirm", APPLY, NULL,
	  "{running, staged, confirm?, features: {name: {state, message, revision, time, title, detail}}}",
	  RPC_READ,
	  .rest = { { "GET", "/status", .summary = "state of each feature; the pending confirm" } },
	  .cli = { "status", .print = config_print_status } },
	{ NULL }
};
