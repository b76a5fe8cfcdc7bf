/*
 * Premade domain lists for policy routes: shipped data files
 * <data>/domain-lists/<name>.txt, one domain per line, '#' starts a
 * comment, the first comment line describes the list. A domain covers
 * its subdomains. Lines that are not domain names are skipped, so a bad
 * line can never reach dnsmasq's configuration.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/feature.h"
#include "core/files.h"
#include "features/network/routes/routes.h"
#include "schema/schema.h"
#include "store/doc.h"

/* a list larger than this is cut: it would only slow dnsmasq down */
#define DOMAIN_LIST_MAX 20000
#define DOMAIN_LIST_SUFFIX ".txt"

char *domain_lists_dir(const struct feature_env *env)
{
	const char *data = env ? env->paths.data : NULL;

	/* without an environment (offline checks): the source tree's data when running
	 * from the build tree, as difosd itself decides, else the installed one */
	if (!data)
		data = access(DIFOS_SOURCE_DATA, R_OK) == 0 ? DIFOS_SOURCE_DATA : DIFOS_DATA_DIR;
	return xasprintf("%s/domain-lists", data);
}

static bool domain_list_name_ok(const char *name)
{
	if (!*name || strlen(name) > 32)
		return false;
	for (const char *c = name; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
			return false;
	return true;
}

static bool domain_is_fqdn(const char *s)
{
	static const struct sc_field fqdn = { .name = "domain", .kind = SC_FQDN };
	json_t *v = json_string(s);
	char why[128];
	bool ok = v && sc_check_scalar(&fqdn, SC_FQDN, v, why, sizeof(why));

	json_decref(v);
	return ok;
}

/* Reads one list; description (if wanted) gets the first comment line. */
static json_t *domain_list_read(const char *dir, const char *name, char **description)
{
	char *path, *text, *save = NULL;
	json_t *seen, *out;
	bool first = true;

	if (description)
		*description = NULL;
	if (!domain_list_name_ok(name))
		return NULL;
	path = xasprintf("%s/%s%s", dir, name, DOMAIN_LIST_SUFFIX);
	text = file_read(path, NULL);
	free(path);
	if (!text)
		return NULL;
	seen = json_object();
	out = json_array();
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *s = line, *e;
		if (hash && first && description && !*description) {
			char *d = hash + 1;
			while (*d == ' ' || *d == '\t')
				d++;
			*description = xstrndup(d, strcspn(d, "\r"));
		}
		first = false;
		if (hash)
			*hash = '\0';
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		for (char *c = s; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!*s || json_object_get(seen, s) || !domain_is_fqdn(s))
			continue;
		if (json_array_size(out) >= DOMAIN_LIST_MAX)
			break;
		json_object_set_new(seen, s, json_true());
		json_array_append_new(out, json_string(s));
	}
	json_decref(seen);
	free(text);
	return out;
}

json_t *domain_list_load(const char *dir, const char *name)
{
	return domain_list_read(dir, name, NULL);
}

static int domain_list_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *domain_lists_index(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	json_t *out = json_array();

	if (!d)
		return out;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), sl = strlen(DOMAIN_LIST_SUFFIX);
		char *name;
		if (len <= sl || strcmp(de->d_name + len - sl, DOMAIN_LIST_SUFFIX))
			continue;
		name = xstrndup(de->d_name, len - sl);
		if (!domain_list_name_ok(name)) {
			free(name);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = name;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), domain_list_cmp);
	for (size_t i = 0; i < n; i++) {
		char *desc;
		json_t *list = domain_list_read(dir, names[i], &desc);
		if (list)
			json_array_append_new(out, json_pack("{s:s, s:I, s:s}", "name", names[i],
				"domains", (json_int_t)json_array_size(list), "description",
				desc ? desc : ""));
		json_decref(list);
		free(desc);
		free(names[i]);
	}
	free(names);
	return out;
}

static void domains_add(json_t *out, json_t *seen, const char *d)
{
	char *low = xstrdup(d);

	for (char *c = low; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (!json_object_get(seen, low)) {
		json_object_set_new(seen, low, json_true());
		json_array_append_new(out, json_string(low));
	}
	free(low);
}

json_t *routes_policy_domains(const json_t *policy, const char *dir)
{
	json_t *out = json_array(), *seen = json_object(), *v, *w;
	size_t i, j;

	json_array_foreach(json_object_get(policy, "domains"), i, v)
		if (json_is_string(v))
			domains_add(out, seen, json_string_value(v));
	json_array_foreach(json_object_get(policy, "domain_lists"), i, v) {
		json_t *list = json_is_string(v) ? domain_list_load(dir, json_string_value(v)) : NULL;
		json_array_foreach(list, j, w)
			domains_add(out, seen, json_string_value(w));
		json_decref(list);
	}
	json_decref(seen);
	return out;
}

void routes_set_name(const json_t *policy, char *out, size_t outlen)
{
	snprintf(out, outlen, "dyn_pbr%lld", doc_int(policy, "id", 0));
}
