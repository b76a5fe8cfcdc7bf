/*
 * Country lists, the data of automated aliases. Each list is a file in
 * <state>/lists/countries named <cc>.v4 or <cc>.v6 with one CIDR per line
 * ('#' starts a comment) — the format of the aggregated zone files of
 * ipdeny.com, the default source. A list never fetched is simply absent
 * and the alias is empty, as the manual warns.
 *
 * "Update lists" fetches every list in use or already present (the manual:
 * an update refreshes all lists, not only the selected ones) with one
 * curl run in the background, keeps a download only if every line is a
 * CIDR of the right family, and then applies the running configuration
 * again: only the alias sets' elements change, through netlink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "features/firewall/ruleset/firewall.h"
#include "features/firewall/ruleset/fw_lists.h"
#include "store/doc.h"

#define LISTS_TIMEOUT_S 90
#define LISTS_MAX_BYTES "33554432"

static json_t *list_info(const char *dir, const char *cc, int family, bool count)
{
	char *path = xasprintf("%s/%s.v%d", dir, cc, family);
	struct stat st;
	json_t *info = NULL;

	if (stat(path, &st) == 0) {
		info = json_pack("{s:I}", "updated", (json_int_t)st.st_mtime);
		if (count) {
			struct net_prefix *v;
			size_t n = fw_cidr_read_file(path, family, &v, NULL);
			free(v);
			json_object_set_new(info, "entries", json_integer((json_int_t)n));
		}
	}
	free(path);
	return info ? info : json_null();
}

static void used_countries(const json_t *doc, json_t *set)
{
	json_t *el, *cc;
	size_t i, k;

	json_array_foreach(doc_get(doc, "firewall.ip_aliases"), i, el) {
		if (!doc_str(el, "type") || strcmp(doc_str(el, "type"), "automated"))
			continue;
		json_array_foreach(json_object_get(el, "countries"), k, cc)
			if (json_is_string(cc))
				json_object_set_new(set, json_string_value(cc), json_true());
	}
}

json_t *fw_lists_summary(const struct feature_env *env, const json_t *doc)
{
	json_t *used = json_object(), *out = json_object(), *v;
	char *dir = fw_lists_dir(env);
	const char *cc;

	used_countries(doc, used);
	json_object_foreach(used, cc, v)
		json_object_set_new(out, cc, json_pack("{s:o, s:o}", "v4", list_info(dir, cc, 4, false),
						       "v6", list_info(dir, cc, 6, false)));
	json_decref(used);
	free(dir);
	return out;
}

/* firewall.countries: every country with what its lists hold */
static json_t *countries_method(struct rpc_call *c)
{
	json_t *out = json_array();
	char *dir = fw_lists_dir(c->env);

	for (const struct fw_country *k = fw_countries; k->code; k++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:o, s:o}", "code", k->code, "name",
						     k->name, "v4", list_info(dir, k->code, 4, true),
						     "v6", list_info(dir, k->code, 6, true)));
	free(dir);
	return json_pack("{s:o}", "countries", out);
}

static char *url_for(const char *tmpl, const char *cc)
{
	const char *at = strstr(tmpl, "{cc}");

	if (!at)
		return xstrdup(tmpl);
	return xasprintf("%.*s%s%s", (int)(at - tmpl), tmpl, cc, at + 4);
}

/* A download is kept only if it is all CIDRs of its family. */
static bool list_valid(const char *path, int family, size_t *entries, char **why)
{
	struct net_prefix *v;
	size_t skipped, n;
	struct stat st;

	if (stat(path, &st) < 0) {
		*why = xstrdup("not downloaded");
		return false;
	}
	n = fw_cidr_read_file(path, family, &v, &skipped);
	free(v);
	*entries = n;
	if (skipped) {
		*why = xasprintf("%zu line(s) are not IPv%d CIDRs", skipped, family);
		return false;
	}
	return true;
}

static void collect_present(const char *dir, json_t *set)
{
	for (const struct fw_country *k = fw_countries; k->code; k++) {
		for (int family = 4; family <= 6; family += 2) {
			char *path = xasprintf("%s/%s.v%d", dir, k->code, family);
			if (access(path, F_OK) == 0)
				json_object_set_new(set, k->code, json_true());
			free(path);
		}
	}
}

/*
 * The update runs in the background: curl is a job of the system backend
 * on the daemon's loop, and when it ends the downloads are checked, moved
 * into place and the running configuration applied again. Meanwhile the
 * daemon answers as usual; firewall.lists_status tells how far it is.
 */
static struct {
	bool running;
	const struct feature_env *env;
	json_t *want;      /* countries being fetched */
	char *dir;
	char **argv;
	char *author;
	time_t started;
	json_t *last;      /* the result of the last update */
} upd;

static void upd_free_argv(void)
{
	for (char **a = upd.argv; a && *a; a++)
		free(*a);
	free(upd.argv);
	upd.argv = NULL;
}

/* the new lists reach the alias sets by applying the running config
 * again, off the loop like any apply */
static void upd_refreshed(void *arg, struct apply_result *res, int rc)
{
	json_t *last = arg;

	json_object_set_new(last, "applied", json_boolean(rc == 0));
	if (rc < 0)
		json_object_set_new(last, "apply_error", json_string(res->message));
	json_decref(last);
}

static void upd_finish(void *arg, int status)
{
	json_t *updated = json_array(), *failed = json_array(), *v;
	const char *cc;

	(void)arg;
	(void)status;
	json_object_foreach(upd.want, cc, v) {
		for (int f = 0; f < 2; f++) {
			int family = f ? 6 : 4;
			char *tmp = xasprintf("%s/.%s.v%d.new", upd.dir, cc, family);
			char *dst = xasprintf("%s/%s.v%d", upd.dir, cc, family), *why = NULL;
			size_t entries = 0;

			if (list_valid(tmp, family, &entries, &why) && rename(tmp, dst) == 0) {
				json_array_append_new(updated, json_pack("{s:s, s:i, s:I}", "country", cc,
									 "family", family, "entries",
									 (json_int_t)entries));
			} else {
				json_array_append_new(failed, json_pack("{s:s, s:i, s:s}", "country", cc,
									"family", family, "error",
									why ? why : strerror(errno)));
				unlink(tmp);
			}
			free(why);
			free(tmp);
			free(dst);
		}
	}
	json_decref(upd.last);
	upd.last = json_pack("{s:b, s:I, s:I, s:o, s:o}", "running", 0, "started",
			     (json_int_t)upd.started, "finished", (json_int_t)time(NULL), "updated",
			     updated, "failed", failed);
	if (json_array_size(updated) == 0) {
		json_object_set_new(upd.last, "applied", json_false());
	} else if (engine_run_async(upd.env->engine, NULL, upd.author, NULL, 0, false,
				    upd_refreshed, json_incref(upd.last)) < 0) {
		json_decref(upd.last);
		json_object_set_new(upd.last, "applied", json_false());
		json_object_set_new(upd.last, "apply_error",
				    json_string("an apply was running; the new lists take effect "
						"with the next apply"));
	}
	log_info("firewall: country lists updated: %zu, failed: %zu", json_array_size(updated),
		 json_array_size(failed));
	json_decref(upd.want);
	upd.want = NULL;
	free(upd.dir);
	upd.dir = NULL;
	free(upd.author);
	upd.author = NULL;
	upd_free_argv();
	upd.running = false;
}

static void upd_build_argv(const json_t *doc)
{
	const char *tmpl[2] = { doc_str(doc, "firewall.lists_url_v4"),
				doc_str(doc, "firewall.lists_url_v6") };
	static const char *const head[] = {
		"curl", "-fsSL", "--max-time", "60", "--max-filesize", LISTS_MAX_BYTES, "--proto",
		"=https,http", "--parallel", "--parallel-max", "8",
	};
	size_t n = 0;
	const char *cc;
	json_t *v;

	upd.argv = xcalloc(ARRAY_SIZE(head) + json_object_size(upd.want) * 6 + 1, sizeof(char *));
	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		upd.argv[n++] = xstrdup(head[i]);
	json_object_foreach(upd.want, cc, v) {
		for (int f = 0; f < 2; f++) {
			upd.argv[n++] = xstrdup("-o");
			upd.argv[n++] = xasprintf("%s/.%s.v%d.new", upd.dir, cc, f ? 6 : 4);
			upd.argv[n++] = url_for(tmpl[f] ? tmpl[f] : "", cc);
		}
	}
}

static json_t *upd_state(void)
{
	if (upd.running)
		return json_pack("{s:b, s:I, s:O}", "running", 1, "started", (json_int_t)upd.started,
				 "countries", upd.want);
	return upd.last ? json_incref(upd.last) : json_pack("{s:b}", "running", 0);
}

static json_t *update_method(struct rpc_call *c)
{
	json_t *extra = json_object_get(c->params, "countries"), *v;
	size_t i;

	if (upd.running)
		return upd_state();
	if (!c->env->loop)
		return rpc_fail(c, RPC_APPLY, NULL, NULL, "no event loop to run the download on");
	json_array_foreach(extra, i, v) {
		if (!json_is_string(v) || !fw_country_name(json_string_value(v)))
			return rpc_fail(c, RPC_INVALID, "countries", v,
					"countries: %s is not an ISO 3166 country code",
					json_is_string(v) ? json_string_value(v) : "(not a string)");
	}
	upd.env = c->env;
	upd.want = json_object();
	upd.dir = fw_lists_dir(c->env);
	used_countries(c->env->engine->running, upd.want);
	collect_present(upd.dir, upd.want);
	json_array_foreach(extra, i, v)
		json_object_set_new(upd.want, json_string_value(v), json_true());
	upd.started = time(NULL);
	upd.author = xstrdup(c->author ? c->author : "?");
	upd.running = true;
	if (json_object_size(upd.want) == 0) {
		upd_finish(NULL, 0);
		return upd_state();
	}
	mkdir_p(upd.dir, 0755);
	upd_build_argv(c->env->engine->running);
	log_info("firewall: fetching %zu country list(s)", json_object_size(upd.want) * 2);
	/* a job that cannot start ends at once: every list "not downloaded" */
	if (c->env->sys->job(c->env->sys, c->env->loop, upd.argv, LISTS_TIMEOUT_S * 1000,
			     upd_finish, NULL) < 0)
		upd_finish(NULL, -1);
	return upd_state();
}

static json_t *status_method(struct rpc_call *c)
{
	(void)c;
	return upd_state();
}

static const struct sc_field update_params[] = {
	{ .name = "countries", .kind = SC_LIST, .item = SC_STRING, .max = 300,
	  .help = "ISO 3166 codes to fetch besides those in use" },
	{ .name = NULL }
};

#define FIREWALL "Firewall"

const struct rpc_method fw_lists_methods[] = {
	{ "firewall.countries", countries_method, "countries an automated alias can hold, with the "
	  "entries of their lists", FIREWALL, NULL,
	  "{countries: [{code, name, v4: {updated, entries} or null, v6}]}", RPC_READ,
	  .rest = { { "GET", "/firewall/countries" } },
	  .cli = { "countries", .usage = "[all]",
		   .help = "country lists of automated aliases (all: every country)",
		   .run = fw_cli_countries } },
	{ "firewall.update_lists", update_method, "start fetching every country list in use (or "
	  "present) again, and the countries given; applied when done", FIREWALL, update_params,
	  "the update's state, as firewall.lists_status", .flags = RPC_F_ANYTIME,
	  .rest = { { "POST", "/firewall/update-lists",
		      .summary = "start fetching every country list in use again (body: {countries: "
				 "[...]} adds more); applied when done" } },
	  .cli = { "update-lists", .usage = "[CC...]",
		   .help = "fetch the country lists in use (and CC...) and apply them",
		   .run = fw_cli_update_lists } },
	{ "firewall.lists_status", status_method, "the country list update: running, or the "
	  "result of the last one", FIREWALL, NULL,
	  "{running, started, countries?} or {running: false, finished, updated: [...], failed: "
	  "[...], applied, apply_error?}", RPC_READ,
	  .rest = { { "GET", "/firewall/update-lists" } } },
	{ NULL }
};
