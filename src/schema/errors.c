/*
 * Validation error list: each entry keeps the path, the offending value as
 * text and the full sentence "<path>: <value> <reason>".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/schema.h"

/* An error report that cannot be recorded must not pass for success. */
static void *sc_err_alloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "difos: out of memory\n");
		abort();
	}
	return p;
}

static char *sc_err_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(sc_err_alloc(NULL, n), s, n);
}

static char *sc_err_vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return sc_err_strdup("(unprintable reason)");
	s = sc_err_alloc(NULL, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static char *sc_err_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *sc_err_format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sc_err_vformat(fmt, ap);
	va_end(ap);
	return s;
}

void sc_errors_init(struct sc_error_list *e)
{
	e->v = NULL;
	e->n = 0;
	e->cap = 0;
}

void sc_errors_free(struct sc_error_list *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->v[i].path);
		free(e->v[i].value);
		free(e->v[i].message);
	}
	free(e->v);
	sc_errors_init(e);
}

/* Takes ownership of value (may be NULL). */
static void sc_error_vadd(struct sc_error_list *e, const char *path, char *value,
			  const char *fmt, va_list ap)
{
	struct sc_error *err;
	char *reason;

	if (!path)
		path = "";
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 8;
		e->v = sc_err_alloc(e->v, e->cap * sizeof(*e->v));
	}
	reason = sc_err_vformat(fmt, ap);
	err = &e->v[e->n++];
	err->path = sc_err_strdup(path);
	err->value = value;
	if (value)
		err->message = sc_err_format("%s: %s %s", path, value, reason);
	else
		err->message = sc_err_format("%s: %s", path, reason);
	free(reason);
}

/*
 * Values are shown without quotes, but control characters are escaped so
 * that a hostile value cannot forge lines in logs or CLI output.
 */
static char *sc_err_string_text(const char *s, size_t n)
{
	char *out = sc_err_alloc(NULL, n * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (c == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (c == '\r') {
			*o++ = '\\';
			*o++ = 'r';
		} else if (c < 0x20 || c == 0x7f) {
			o += sprintf(o, "\\x%02x", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	return out;
}

void sc_error_add(struct sc_error_list *e, const char *path, const char *value,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sc_error_vadd(e, path, value ? sc_err_string_text(value, strlen(value)) : NULL,
		      fmt, ap);
	va_end(ap);
}

static char *sc_err_json_text(const json_t *v)
{
	json_malloc_t jmalloc;
	json_free_t jfree;
	char *dumped, *s;

	if (!v)
		return NULL;
	if (json_is_string(v))
		return sc_err_string_text(json_string_value(v), json_string_length(v));
	dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!dumped)
		return sc_err_strdup("(unprintable value)");
	/* json_dumps uses jansson's allocator, which may not be malloc */
	s = sc_err_strdup(dumped);
	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(dumped);
	return s;
}

void sc_error_addj(struct sc_error_list *e, const char *path, const json_t *value,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sc_error_vadd(e, path, sc_err_json_text(value), fmt, ap);
	va_end(ap);
}

/*
 * Paths and values passed to sc_error_add may come straight from CLI text;
 * jansson refuses invalid UTF-8, so such bytes are shown as '?'.
 */
static json_t *sc_err_json_string(const char *s)
{
	json_t *j = json_string(s);
	char *copy, *p;

	if (j)
		return j;
	copy = sc_err_strdup(s);
	for (p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *sc_errors_to_json(const struct sc_error_list *e)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < e->n; i++) {
		const struct sc_error *err = &e->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "path", sc_err_json_string(err->path));
		if (err->value)
			json_object_set_new(o, "value", sc_err_json_string(err->value));
		json_object_set_new(o, "message", sc_err_json_string(err->message));
		json_array_append_new(arr, o);
	}
	return arr;
}
