#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/jpath.h"

bool jpath_parse(const char *text, struct jpath *p)
{
	const char *s = text;

	p->n = 0;
	if (!*s)
		return true;
	for (;;) {
		struct jpath_step *st;
		size_t len = 0;

		if (p->n == JPATH_MAX_STEPS)
			return false;
		st = &p->step[p->n++];
		while (s[len] && s[len] != '.' && s[len] != '[') {
			if (!(isalnum((unsigned char)s[len]) || s[len] == '_' || s[len] == '-'))
				return false;
			len++;
		}
		if (len == 0 || len >= sizeof(st->name))
			return false;
		memcpy(st->name, s, len);
		st->name[len] = '\0';
		st->id = -1;
		s += len;
		if (*s == '[') {
			char *end;
			s++;
			if (!isdigit((unsigned char)*s))
				return false;
			errno = 0;
			st->id = strtoll(s, &end, 10);
			if (*end != ']' || st->id <= 0 || errno == ERANGE)
				return false;
			s = end + 1;
		}
		if (!*s)
			return true;
		if (*s != '.')
			return false;
		s++;
	}
}

json_t *jpath_find_id(json_t *arr, long long id, size_t *index_out)
{
	size_t i;
	json_t *el;

	if (!json_is_array(arr))
		return NULL;
	json_array_foreach(arr, i, el) {
		json_t *jid = json_object_get(el, "id");
		if (json_is_integer(jid) && json_integer_value(jid) == id) {
			if (index_out)
				*index_out = i;
			return el;
		}
	}
	return NULL;
}

long long jpath_next_id(const json_t *arr)
{
	long long max = 0;
	size_t i;
	json_t *el;

	json_array_foreach(arr, i, el) {
		json_t *jid = json_object_get(el, "id");
		if (json_is_integer(jid) && json_integer_value(jid) > max)
			max = json_integer_value(jid);
	}
	return max + 1;
}

static bool jpath_is_container(const json_t *v)
{
	return json_is_object(v) || json_is_array(v);
}

void jpath_unshare(json_t *doc, const struct jpath *p)
{
	json_t *cur = doc;

	for (int i = 0; i < p->n; i++) {
		const struct jpath_step *st = &p->step[i];
		json_t *v = json_object_get(cur, st->name);
		size_t idx;

		if (!jpath_is_container(v))
			return;
		/* held by cur (private) and by someone else: copy it */
		if (v->refcount > 1) {
			json_t *own = json_copy(v);
			json_object_set_new(cur, st->name, own);
			v = own;
		}
		if (st->id >= 0) {
			json_t *el = jpath_find_id(v, st->id, &idx);
			if (!jpath_is_container(el))
				return;
			if (el->refcount > 1) {
				json_t *own = json_copy(el);
				json_array_set_new(v, idx, own);
				el = own;
			}
			v = el;
		}
		if (!json_is_object(v))
			return;
		cur = v;
	}
}

static json_t *jpath_step_get(json_t *cur, const struct jpath_step *st)
{
	json_t *v = json_object_get(cur, st->name);

	if (v && st->id >= 0)
		v = jpath_find_id(v, st->id, NULL);
	return v;
}

json_t *jpath_get(json_t *doc, const struct jpath *p)
{
	json_t *cur = doc;

	for (int i = 0; i < p->n && cur; i++)
		cur = jpath_step_get(cur, &p->step[i]);
	return cur;
}

int jpath_set(json_t *doc, const struct jpath *p, json_t *value)
{
	json_t *cur = doc;
	const struct jpath_step *last;

	if (p->n == 0) {
		json_decref(value);
		return -1;
	}
	for (int i = 0; i < p->n - 1; i++) {
		json_t *next = jpath_step_get(cur, &p->step[i]);
		if (!next && p->step[i].id < 0 && json_is_object(cur)) {
			next = json_object();
			json_object_set_new(cur, p->step[i].name, next);
		}
		if (!json_is_object(next)) {
			json_decref(value);
			return -1;
		}
		cur = next;
	}
	last = &p->step[p->n - 1];
	if (!json_is_object(cur)) {
		json_decref(value);
		return -1;
	}
	if (last->id < 0)
		return json_object_set_new(cur, last->name, value) == 0 ? 0 : -1;
	{
		size_t idx;
		json_t *arr = json_object_get(cur, last->name);
		if (!jpath_find_id(arr, last->id, &idx) || !json_is_object(value)) {
			json_decref(value);
			return -1;
		}
		json_object_set_new(value, "id", json_integer(last->id));
		return json_array_set_new(arr, idx, value) == 0 ? 0 : -1;
	}
}

int jpath_delete(json_t *doc, const struct jpath *p)
{
	json_t *parent;
	struct jpath up = *p;
	const struct jpath_step *last;

	if (p->n == 0)
		return -1;
	up.n--;
	parent = jpath_get(doc, &up);
	last = &p->step[p->n - 1];
	if (!json_is_object(parent))
		return -1;
	if (last->id < 0)
		return json_object_del(parent, last->name) == 0 ? 0 : -1;
	{
		size_t idx;
		json_t *arr = json_object_get(parent, last->name);
		if (!jpath_find_id(arr, last->id, &idx))
			return -1;
		return json_array_remove(arr, idx) == 0 ? 0 : -1;
	}
}
