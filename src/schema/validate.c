/* Validation: a document walked against the schema, every error collected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "schema/kind_int.h"
#include "schema/schema.h"
#include "store/jpath.h"

/*
 * The walk keeps the path of the value at hand in one buffer, extended on
 * the way down and cut back on the way up: a document of thousands of
 * entries is checked without an allocation per member.
 */
struct schema_walk {
	const json_t *doc;
	struct sc_error_list *errs;
	char path[1024];
	size_t len;
	json_t *unique;   /* {set: {key: the entry that holds it}} of the unique fields */
};

/* Appends ".key" (or "key" at the top), or "[n]" / "[#n]" when key is
 * NULL (mark "#" or ""); returns the length to cut back to. Plain copies:
 * this runs for every member of the document. */
static void schema_path_add(struct schema_walk *w, const char *s, size_t n)
{
	if (n > sizeof(w->path) - 1 - w->len)
		n = sizeof(w->path) - 1 - w->len;
	memcpy(w->path + w->len, s, n);
	w->len += n;
	w->path[w->len] = '\0';
}

static size_t schema_path_push(struct schema_walk *w, const char *mark_text, const char *key,
			       long long n)
{
	size_t mark = w->len;
	char num[24], *d = num + sizeof(num);
	unsigned long long u = n < 0 ? 0 : (unsigned long long)n;

	if (key) {
		if (w->len)
			schema_path_add(w, ".", 1);
		schema_path_add(w, key, strlen(key));
		return mark;
	}
	*--d = ']';
	do
		*--d = (char)('0' + u % 10);
	while ((u /= 10));
	schema_path_add(w, "[", 1);
	schema_path_add(w, mark_text, strlen(mark_text));
	schema_path_add(w, d, (size_t)(num + sizeof(num) - d));
	return mark;
}

static void schema_path_pop(struct schema_walk *w, size_t mark)
{
	w->len = mark;
	w->path[mark] = '\0';
}

static void schema_check_value(struct schema_walk *w, const struct sc_field *f,
			       const json_t *v);

static void schema_check_ref(struct schema_walk *w, const struct sc_field *f, const json_t *v)
{
	struct jpath p;
	json_t *coll;

	if (!f->ref || !jpath_parse(f->ref, &p))
		return;
	coll = jpath_get((json_t *)w->doc, &p);
	if (!jpath_find_id(coll, json_integer_value(v), NULL))
		sc_error_addj(w->errs, w->path, v, "does not name an existing entry of %s", f->ref);
}

static void schema_check_scalar(struct schema_walk *w, const struct sc_field *f,
				enum sc_kind kind, const json_t *v)
{
	char why[256];

	if (!sc_check_scalar(f, kind, v, why, sizeof(why))) {
		/* a secret is named, never quoted (the error goes back to every door) */
		if (f->flags & SC_F_SECRET)
			sc_error_add(w->errs, w->path, NULL, "%s", why);
		else
			sc_error_addj(w->errs, w->path, v, "%s", why);
		return;
	}
	if (kind == SC_REF)
		schema_check_ref(w, f, v);
}

static void schema_check_size(struct schema_walk *w, const struct sc_field *f, const json_t *v)
{
	long long n = (long long)json_array_size(v);

	if ((f->min || f->max) && n < f->min)
		sc_error_add(w->errs, w->path, NULL, "needs at least %lld entr%s", f->min,
			     f->min == 1 ? "y" : "ies");
	if ((f->min || f->max) && f->max && n > f->max)
		sc_error_add(w->errs, w->path, NULL, "has %lld entries, more than the maximum %lld",
			     n, f->max);
}

/* "accept, drop, reject" */
static bool choices_text(const struct sc_field *f, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const char *const *c = f->choices; c && *c && off < len; c++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", c == f->choices ? "" : ", ", *c);
	return buf[0] != '\0';
}

static void schema_check_object(struct schema_walk *w, const struct sc_field *of,
				const json_t *obj, bool element)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		sc_error_addj(w->errs, w->len ? w->path : "(document)", obj, "is not an object");
		return;
	}
	json_object_foreach((json_t *)obj, key, v) {
		const struct sc_field *f = schema_member(of, key);
		size_t mark = schema_path_push(w, NULL, key, 0);

		if (element && !strcmp(key, "id")) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				sc_error_addj(w->errs, w->path, v, "is not a positive integer id");
		} else if (!f) {
			sc_error_add(w->errs, w->path, NULL, "is not a known setting");
		} else {
			schema_check_value(w, f, v);
		}
		schema_path_pop(w, mark);
	}
	for (const struct sc_field *f = of->fields; f && f->name; f++) {
		if ((f->flags & SC_F_REQUIRED) && !json_object_get(obj, f->name)) {
			size_t mark = schema_path_push(w, NULL, f->name, 0);
			char one_of[256];

			/* a choice without a default: say what may be chosen */
			if (f->kind == SC_ENUM && choices_text(f, one_of, sizeof(one_of)))
				sc_error_add(w->errs, w->path, NULL, "is required: one of %s", one_of);
			else
				sc_error_add(w->errs, w->path, NULL, "is required");
			schema_path_pop(w, mark);
		}
	}
	if (of->check && w->errs->n == 0)
		of->check(obj, w->path, w->doc, w->errs);
}

static int schema_id_order(const void *a, const void *b)
{
	json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;

	return x < y ? -1 : x > y;
}

/* The set a unique member's values must be distinct in: its own name
 * (shared across collections), or the collection's path and the member. */
static json_t *schema_unique_set(struct schema_walk *w, const struct sc_field *m)
{
	char *name = m->unique ? xstrdup(m->unique) : xasprintf("%s.%s", w->path, m->name);
	json_t *set = json_object_get(w->unique, name);

	if (!set) {
		set = json_object();
		json_object_set_new(w->unique, name, set);
	}
	free(name);
	return set;
}

/* Later entries holding a value an earlier one holds are reported: the first stands. */
static void schema_check_unique(struct schema_walk *w, const struct sc_field *f, const json_t *v)
{
	for (const struct sc_field *m = f->fields; m && m->name; m++) {
		json_t *set, *el;
		size_t i;

		/* a unique list's items are unique in it (schema_check_list_unique) */
		if ((!(m->flags & SC_F_UNIQUE) && !m->unique) || m->kind == SC_LIST)
			continue;
		set = schema_unique_set(w, m);
		json_array_foreach(v, i, el) {
			json_t *val = json_object_get(el, m->name), *id = json_object_get(el, "id");
			char key[256], why[256];
			const char *first;
			char *entry;

			if (!val || !json_is_integer(id) || !sc_check_scalar(m, m->kind, val, why, sizeof(why)))
				continue;
			sc_kind_key(m->kind, val, key, sizeof(key));
			entry = xasprintf("%s[%lld]", w->path, (long long)json_integer_value(id));
			first = json_string_value(json_object_get(set, key));
			if (first) {
				char *p = xasprintf("%s.%s", entry, m->name);
				sc_error_addj(w->errs, p, val, "%s %s",
					      m->unique_says ? m->unique_says : "is already used by", first);
				free(p);
			} else {
				json_object_set_new(set, key, json_string(entry));
			}
			free(entry);
		}
	}
}

/* The value of member name of an entry, or its default (a new reference). */
static json_t *schema_member_value(const struct sc_field *f, const json_t *el, const char *name)
{
	const struct sc_field *m = schema_member(f, name);
	json_t *v = json_object_get(el, name);

	if (v)
		return json_incref(v);
	return m && m->def ? json_loads(m->def, JSON_DECODE_ANY, NULL) : NULL;
}

/* How a duplicate key is told: unique_says with each {member} replaced. */
static char *schema_key_says(const struct sc_field *f, const json_t *el)
{
	struct sbuf b;
	const char *s = f->unique_says;

	sbuf_init(&b);
	if (!s) {
		for (const char *const *k = f->unique_key + 1; *k; k++)
			sbuf_printf(&b, "%s%s {%s}", k == f->unique_key + 1 ? "with " : ", ", *k, *k);
		sbuf_add(&b, b.len ? " is already used by" : "is already used by");
		s = b.s;
	}
	{
		struct sbuf out;

		sbuf_init(&out);
		while (*s) {
			const char *close = *s == '{' ? strchr(s, '}') : NULL;

			if (close) {
				char *name = xstrndup(s + 1, (size_t)(close - s - 1));
				json_t *v = schema_member_value(f, el, name);
				char *text = !v ? xstrdup("(none)") : json_is_string(v) ?
					     xstrdup(json_string_value(v)) :
					     json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

				sbuf_add(&out, text ? text : "");
				free(text);
				json_decref(v);
				free(name);
				s = close + 1;
			} else {
				sbuf_addn(&out, s++, 1);
			}
		}
		sbuf_free(&b);
		return sbuf_steal(&out);
	}
}

/* A collection's compound key (unique_key): later entries holding the
 * values an earlier one holds are reported on the key's first member. */
static void schema_check_unique_key(struct schema_walk *w, const struct sc_field *f,
				    const json_t *v)
{
	json_t *seen, *el;
	size_t i;

	if (!f->unique_key || !f->unique_key[0])
		return;
	seen = json_object();
	json_array_foreach(v, i, el) {
		json_t *id = json_object_get(el, "id");
		struct sbuf key;
		bool ok = json_is_integer(id);
		const char *first;

		sbuf_init(&key);
		for (const char *const *k = f->unique_key; ok && *k; k++) {
			const struct sc_field *m = schema_member(f, *k);
			json_t *val = m ? schema_member_value(f, el, *k) : NULL;
			char part[256], why[256];

			ok = val && sc_check_scalar(m, m->kind, val, why, sizeof(why));
			if (ok) {
				sc_kind_key(m->kind, val, part, sizeof(part));
				sbuf_printf(&key, "%zu:%s\n", strlen(part), part);
			}
			json_decref(val);
		}
		first = ok ? json_string_value(json_object_get(seen, key.s)) : NULL;
		if (first) {
			char *p = xasprintf("%s[%lld].%s", w->path, (long long)json_integer_value(id),
					    f->unique_key[0]);
			char *says = schema_key_says(f, el);

			sc_error_addj(w->errs, p, json_object_get(el, f->unique_key[0]), "%s %s", says,
				      first);
			free(says);
			free(p);
		} else if (ok) {
			json_object_set_new(seen, key.s, json_sprintf("%s[%lld]", w->path,
					    (long long)json_integer_value(id)));
		}
		sbuf_free(&key);
	}
	json_decref(seen);
}

/* A unique list: no item twice (the first stands). */
static void schema_check_list_unique(struct schema_walk *w, const struct sc_field *f,
				     const json_t *v)
{
	json_t *seen = json_object(), *item;
	size_t i;

	json_array_foreach(v, i, item) {
		char key[256], why[256];

		if (!sc_check_scalar(f, f->item, item, why, sizeof(why)))
			continue;
		sc_kind_key(f->item, item, key, sizeof(key));
		if (json_object_get(seen, key))
			sc_error_addj(w->errs, w->path, item, "is listed twice");
		else
			json_object_set_new(seen, key, json_true());
	}
	json_decref(seen);
}

static void schema_check_collection(struct schema_walk *w, const struct sc_field *f,
				    const json_t *v)
{
	size_t i, n = 0;
	json_t *el;
	json_int_t *ids;

	if (!json_is_array(v)) {
		sc_error_addj(w->errs, w->path, v, "is not a list");
		return;
	}
	schema_check_size(w, f, v);
	ids = xcalloc(json_array_size(v) + 1, sizeof(*ids));
	json_array_foreach(v, i, el) {
		json_t *jid = json_object_get(el, "id");
		size_t mark;

		if (!json_is_integer(jid) || json_integer_value(jid) <= 0) {
			mark = schema_path_push(w, "#", NULL, (long long)i + 1);
			sc_error_add(w->errs, w->path, NULL, "has no positive integer id");
			schema_path_pop(w, mark);
			continue;
		}
		ids[n++] = json_integer_value(jid);
		mark = schema_path_push(w, "", NULL, (long long)json_integer_value(jid));
		schema_check_object(w, f, el, true);
		schema_path_pop(w, mark);
	}
	schema_check_unique(w, f, v);
	schema_check_unique_key(w, f, v);
	/* each id once: sorted, a repeat sits next to its twin */
	qsort(ids, n, sizeof(*ids), schema_id_order);
	for (i = 1; i < n; i++) {
		if (ids[i] == ids[i - 1]) {
			json_t *jid = json_integer(ids[i]);
			sc_error_addj(w->errs, w->path, jid, "is used as id twice");
			json_decref(jid);
			while (i + 1 < n && ids[i + 1] == ids[i])
				i++;
		}
	}
	free(ids);
}

static void schema_check_value(struct schema_walk *w, const struct sc_field *f, const json_t *v)
{
	size_t i;
	json_t *item;

	switch (f->kind) {
	case SC_OBJECT:
		schema_check_object(w, f, v, false);
		break;
	case SC_COLLECTION:
		schema_check_collection(w, f, v);
		break;
	case SC_LIST:
		if (!json_is_array(v)) {
			sc_error_addj(w->errs, w->path, v, "is not a list");
			break;
		}
		schema_check_size(w, f, v);
		json_array_foreach(v, i, item)
			schema_check_scalar(w, f, f->item, item);
		if (f->flags & SC_F_UNIQUE)
			schema_check_list_unique(w, f, v);
		break;
	default:
		schema_check_scalar(w, f, f->kind, v);
	}
}

void schema_validate(const json_t *doc, struct sc_error_list *errs)
{
	struct schema_walk w = { .doc = doc, .errs = errs, .unique = json_object() };

	/* cross-field checks run only while no error was found before them,
	 * so a check can rely on well-typed values and the user sees the
	 * first cause, not its echoes */
	if (schema_root())
		schema_check_object(&w, schema_root(), doc, false);
	json_decref(w.unique);
}
