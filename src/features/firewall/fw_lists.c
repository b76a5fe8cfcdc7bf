/*
 * Country lists, the data of automated aliases. Each list is a file in
 * <state>/lists/countries named <cc>.v4 or <cc>.v6 with one CIDR per line
 * ('#' starts a comment) — the format of the aggregated zone files of
 * ipdeny.com, the default source. A list never fetched is simply absent
 * and the alias is empty, as the manual warns.
 *
 * "Update lists" fetches every list in use or already present (the manual:
 * an update refreshes all lists, not only the selected ones) with one
 * curl run, keeps a download only if every line is a CIDR of the right
 * family, and then applies the running configuration again: only the
 * alias sets' elements change, through netlink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/engine.h"
#include "core/daemon.h"
#include "core/log.h"
#include "core/spawn.h"
#include "features/common/netutil.h"
#include "features/firewall/firewall.h"
#include "features/firewall/fw_lists.h"

#define LISTS_TIMEOUT_S 90
#define LISTS_MAX_BYTES "33554432"

static char *lists_dir(void)
{
	return fw_lists_dir(difosd.engine->facts);
}

static json_t *list_info(const char *dir, const char *cc, int family, bool count)
{
	char *path = xasprintf("%s/%s.v%d", dir, cc, family);
	struct stat st;
	json_t *info = NULL;

	if (stat(path, &st) == 0) {
		info = json_pack("{s:I}", "updated", (json_int_t)st.st_mtime);
		if (count) {
			struct fw_cidr *v;
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

json_t *fw_lists_summary(const json_t *doc)
{
	json_t *used = json_object(), *out = json_object(), *v;
	char *dir = fw_lists_dir(difosd.engine ? difosd.engine->facts : NULL);
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
	char *dir = lists_dir();

	(void)c;
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
	struct fw_cidr *v;
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

static json_t *update_method(struct rpc_call *c)
{
	const json_t *doc = difosd.engine->running;
	json_t *want = json_object(), *extra = json_object_get(c->params, "countries"), *v;
	json_t *updated = json_array(), *failed = json_array(), *out;
	char *dir = lists_dir();
	const char *tmpl[2] = { doc_str(doc, "firewall.lists_url_v4"), doc_str(doc, "firewall.lists_url_v6") };
	const char **argv;
	size_t argc = 0, i, n;
	struct spawn_result r;
	struct apply_result res;
	const char *cc;

	used_countries(doc, want);
	collect_present(dir, want);
	json_array_foreach(extra, i, v) {
		if (!json_is_string(v) || !fw_country_name(json_string_value(v))) {
			json_decref(want);
			free(dir);
			return rpc_fail(c, RPC_INVALID, "countries", v,
					"countries: %s is not an ISO 3166 country code",
					json_is_string(v) ? json_string_value(v) : "(not a string)");
		}
		json_object_set_new(want, json_string_value(v), json_true());
	}
	n = json_object_size(want);
	if (n == 0) {
		json_decref(want);
		free(dir);
		return json_pack("{s:o, s:o, s:b}", "updated", updated, "failed", failed, "applied", 0);
	}
	mkdir_p(dir, 0755);
	argv = xcalloc(16 + n * 6, sizeof(*argv));
	argv[argc++] = "curl";
	argv[argc++] = "-fsSL";
	argv[argc++] = "--max-time";
	argv[argc++] = "60";
	argv[argc++] = "--max-filesize";
	argv[argc++] = LISTS_MAX_BYTES;
	argv[argc++] = "--proto";
	argv[argc++] = "=https,http";
	argv[argc++] = "--parallel";
	argv[argc++] = "--parallel-max";
	argv[argc++] = "8";
	json_object_foreach(want, cc, v) {
		for (int f = 0; f < 2; f++) {
			argv[argc++] = "-o";
			argv[argc++] = xasprintf("%s/.%s.v%d.new", dir, cc, f ? 6 : 4);
			argv[argc++] = url_for(tmpl[f] ? tmpl[f] : "", cc);
		}
	}
	argv[argc] = NULL;
	log_info("firewall: updating %zu country list(s)", n * 2);
	spawn_run((char *const *)argv, NULL, LISTS_TIMEOUT_S * 1000, &r);
	spawn_result_free(&r);
	json_object_foreach(want, cc, v) {
		for (int f = 0; f < 2; f++) {
			int family = f ? 6 : 4;
			char *tmp = xasprintf("%s/.%s.v%d.new", dir, cc, family);
			char *dst = xasprintf("%s/%s.v%d", dir, cc, family), *why = NULL;
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
	for (i = 11; i < argc; i += 3) {
		free((char *)argv[i + 1]);
		free((char *)argv[i + 2]);
	}
	free(argv);
	json_decref(want);
	free(dir);
	out = json_pack("{s:o, s:o}", "updated", updated, "failed", failed);
	if (json_array_size(updated) == 0) {
		json_object_set_new(out, "applied", json_false());
		return out;
	}
	/* the new lists reach the alias sets by applying the running config again */
	if (engine_refresh(difosd.engine, c->author, &res) < 0) {
		json_object_set_new(out, "applied", json_false());
		json_object_set_new(out, "apply_error", json_string(res.message));
	} else {
		json_object_set_new(out, "applied", json_true());
	}
	apply_result_free(&res);
	return out;
}

const struct rpc_method fw_lists_methods[] = {
	{ "firewall.countries", countries_method,
	  "countries an automated alias can hold, with the entries of their lists" },
	{ "firewall.update_lists", update_method,
	  "fetch every country list in use (or present) again and apply them" },
	{ NULL, NULL, NULL },
};
