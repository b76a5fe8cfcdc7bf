/*
 * Aliases as nft named sets: an IP alias becomes an interval set per
 * family it holds (a4_<name>, a6_<name>), a port alias an interval set of
 * services (p_<name>). Elements are kept apart from the declarations so a
 * change of contents reaches the kernel as element updates only.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply/feature.h"
#include "core/files.h"
#include "features/firewall/ruleset/firewall.h"
#include "store/doc.h"

char *fw_lists_dir(const struct feature_env *env)
{
	return xasprintf("%s/lists/countries", env->paths.state);
}

void fw_alias_set_name(char *out, size_t outlen, int family, const char *alias)
{
	snprintf(out, outlen, "%s_%s", family == 4 ? "a4" : family == 6 ? "a6" : "p", alias);
}

unsigned fw_alias_families(const json_t *alias)
{
	const char *type = json_string_value(json_object_get(alias, "type"));
	json_t *first = json_array_get(json_object_get(alias, "addresses"), 0);
	struct net_prefix c;
	char why[128];

	if (type && !strcmp(type, "automated"))
		return 3;
	if (first && fw_cidr_parse(json_string_value(first), true, &c, why, sizeof(why)))
		return c.family == 4 ? 1 : 2;
	return 1;
}

void fw_sets_add(struct fw_sets *s, const char *name, char *decl, char *elements)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n].name = xstrdup(name);
	s->v[s->n].decl = decl;
	s->v[s->n].elements = elements;
	s->n++;
}

void fw_sets_free(struct fw_sets *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].decl);
		free(s->v[i].elements);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static char *cidr_lines(struct net_prefix *v, size_t n)
{
	struct sbuf b;
	char t[64];

	sbuf_init(&b);
	n = fw_cidr_canonical(v, n);
	for (size_t i = 0; i < n; i++) {
		net_prefix_text(&v[i], false, t, sizeof(t));
		sbuf_add(&b, t);
		sbuf_add(&b, "\n");
	}
	return sbuf_steal(&b);
}

static void add_ip_set(struct fw_sets *out, const char *alias, int family, char *elements)
{
	char name[64];

	fw_alias_set_name(name, sizeof(name), family, alias);
	fw_sets_add(out, name,
		    xasprintf("\tset %s {\n\t\ttype %s\n\t\tflags interval\n\t}\n", name,
			      family == 4 ? "ipv4_addr" : "ipv6_addr"),
		    elements);
}

static void manual_alias(const json_t *alias, const char *name, struct fw_sets *out)
{
	json_t *addrs = json_object_get(alias, "addresses"), *a;
	struct net_prefix *v = xcalloc(json_array_size(addrs) + 1, sizeof(*v));
	size_t n = 0, i;
	char why[128];

	json_array_foreach(addrs, i, a)
		if (fw_cidr_parse(json_string_value(a), true, &v[n], why, sizeof(why)))
			n++;
	add_ip_set(out, name, (fw_alias_families(alias) & 1) ? 4 : 6, cidr_lines(v, n));
	free(v);
}

/*
 * The elements of country aliases, remembered by the identity of their
 * lists. Every apply renders the aliases again, while the lists change
 * about once a day; reading, parsing, sorting and printing 100,000s of
 * CIDRs was most of an apply's time. The key is a BLAKE2b digest of the
 * family and, for every list, its name and what stat says of the file
 * (absent, or device, inode, size, change and modification times to the
 * nanosecond, as version control tools tell a changed file): an update
 * renames a new file into place, an edit changes the times, and either
 * makes the list read again. Entries the latest render did not use are
 * dropped.
 */
struct lists_memo {
	unsigned char key[crypto_generichash_BYTES];
	char *elements;
	unsigned used; /* render that last used it */
};

static struct lists_memo *memo;
static size_t nmemo;
static unsigned memo_render;

/* The lists of an alias for one family: NULL where a list is absent. */
struct lists {
	char **text;
	size_t *len, n;
};

static char *list_path(const char *dir, const json_t *cc, int family)
{
	return xasprintf("%s/%s.v%d", dir, json_string_value(cc), family);
}

static void lists_read(const char *dir, const json_t *countries, int family, struct lists *l)
{
	size_t i;
	json_t *cc;

	l->n = json_array_size(countries);
	l->text = xcalloc(l->n + 1, sizeof(*l->text));
	l->len = xcalloc(l->n + 1, sizeof(*l->len));
	json_array_foreach(countries, i, cc) {
		char *path = list_path(dir, cc, family);
		l->text[i] = file_read(path, &l->len[i]);
		free(path);
	}
}

static void lists_free(struct lists *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->text[i]);
	free(l->text);
	free(l->len);
}

/* What identifies a list file's contents without reading them. */
struct list_stamp {
	uint64_t present, dev, ino, size;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
};

static void lists_key(const char *dir, const json_t *countries, int family,
		      unsigned char key[crypto_generichash_BYTES])
{
	crypto_generichash_state st;
	unsigned char fam = (unsigned char)family;
	size_t i;
	json_t *cc;

	crypto_generichash_init(&st, NULL, 0, crypto_generichash_BYTES);
	crypto_generichash_update(&st, &fam, 1);
	json_array_foreach(countries, i, cc) {
		const char *name = json_string_value(cc);
		char *path = list_path(dir, cc, family);
		struct list_stamp ls = { 0 };
		struct stat sb;

		if (stat(path, &sb) == 0) {
			ls = (struct list_stamp){
				.present = 1, .dev = sb.st_dev, .ino = sb.st_ino,
				.size = (uint64_t)sb.st_size,
				.mtime_s = sb.st_mtim.tv_sec, .mtime_ns = sb.st_mtim.tv_nsec,
				.ctime_s = sb.st_ctim.tv_sec, .ctime_ns = sb.st_ctim.tv_nsec,
			};
		}
		free(path);
		if (name)
			crypto_generichash_update(&st, (const unsigned char *)name, strlen(name) + 1);
		crypto_generichash_update(&st, (const unsigned char *)&ls, sizeof(ls));
	}
	crypto_generichash_final(&st, key, crypto_generichash_BYTES);
}

static struct lists_memo *memo_find(const unsigned char *key)
{
	for (size_t i = 0; i < nmemo; i++)
		if (!memcmp(memo[i].key, key, crypto_generichash_BYTES))
			return &memo[i];
	return NULL;
}

static void memo_add(const unsigned char *key, const char *elements)
{
	memo = xrealloc(memo, (nmemo + 1) * sizeof(*memo));
	memcpy(memo[nmemo].key, key, crypto_generichash_BYTES);
	memo[nmemo].elements = xstrdup(elements);
	memo[nmemo].used = memo_render;
	nmemo++;
}

static void memo_prune(void)
{
	size_t out = 0;

	for (size_t i = 0; i < nmemo; i++) {
		if (memo[i].used == memo_render)
			memo[out++] = memo[i];
		else
			free(memo[i].elements);
	}
	nmemo = out;
}

/* A country list that was never fetched reads as empty, as the manual warns. */
static void country_alias(const json_t *alias, const char *name, const struct feature_env *env,
			  struct fw_sets *out)
{
	char *dir = fw_lists_dir(env);
	const json_t *countries = json_object_get(alias, "countries");

	for (int family = 4; family <= 6; family += 2) {
		unsigned char key[crypto_generichash_BYTES];
		struct net_prefix *all = NULL;
		size_t n = 0, cap = 0;
		struct lists_memo *m;
		struct lists l;
		char *elements;

		lists_key(dir, countries, family, key);
		if ((m = memo_find(key))) {
			m->used = memo_render;
			add_ip_set(out, name, family, xstrdup(m->elements));
			continue;
		}
		lists_read(dir, countries, family, &l);
		for (size_t i = 0; i < l.n; i++) {
			struct net_prefix *v;
			size_t k = fw_cidr_read_text(l.text[i], l.text[i] ? l.len[i] : 0, family, &v, NULL);

			if (n + k > cap) {
				cap = (n + k) * 2;
				all = xrealloc(all, cap * sizeof(*all));
			}
			if (k)
				memcpy(all + n, v, k * sizeof(*v));
			n += k;
			free(v);
		}
		elements = cidr_lines(all, n);
		memo_add(key, elements);
		add_ip_set(out, name, family, elements);
		free(all);
		lists_free(&l);
	}
	free(dir);
}

struct port_range {
	long lo, hi;
};

static int range_cmp(const void *pa, const void *pb)
{
	const struct port_range *a = pa, *b = pb;

	return a->lo != b->lo ? (a->lo < b->lo ? -1 : 1) : (a->hi < b->hi ? -1 : a->hi > b->hi);
}

/* Port ranges merged where they overlap: interval sets refuse overlaps. */
static char *port_lines(const json_t *ports)
{
	struct port_range *v = xcalloc(json_array_size(ports) + 1, sizeof(*v));
	size_t n = 0, i, out = 0;
	struct sbuf b;
	json_t *p;

	json_array_foreach(ports, i, p) {
		if (sc_port_range_parse(json_string_value(p), &v[n].lo, &v[n].hi))
			n++;
	}
	qsort(v, n, sizeof(*v), range_cmp);
	for (i = 0; i < n; i++) {
		if (out > 0 && v[i].lo <= v[out - 1].hi) {
			if (v[i].hi > v[out - 1].hi)
				v[out - 1].hi = v[i].hi;
			continue;
		}
		v[out++] = v[i];
	}
	sbuf_init(&b);
	for (i = 0; i < out; i++) {
		if (v[i].lo == v[i].hi)
			sbuf_printf(&b, "%ld\n", v[i].lo);
		else
			sbuf_printf(&b, "%ld-%ld\n", v[i].lo, v[i].hi);
	}
	free(v);
	return sbuf_steal(&b);
}

void fw_alias_sets(const json_t *doc, const struct feature_env *env, struct fw_sets *out)
{
	json_t *el;
	size_t i;

	memo_render++;
	json_array_foreach(doc_get(doc, "firewall.ip_aliases"), i, el) {
		const char *name = json_string_value(json_object_get(el, "name"));
		const char *type = json_string_value(json_object_get(el, "type"));

		if (!name)
			continue;
		if (type && !strcmp(type, "automated"))
			country_alias(el, name, env, out);
		else
			manual_alias(el, name, out);
	}
	json_array_foreach(doc_get(doc, "firewall.port_aliases"), i, el) {
		const char *name = json_string_value(json_object_get(el, "name"));
		char set[64];

		if (!name)
			continue;
		fw_alias_set_name(set, sizeof(set), 0, name);
		fw_sets_add(out, set,
			    xasprintf("\tset %s {\n\t\ttype inet_service\n\t\tflags interval\n\t}\n", set),
			    port_lines(json_object_get(el, "ports")));
	}
	memo_prune();
}
