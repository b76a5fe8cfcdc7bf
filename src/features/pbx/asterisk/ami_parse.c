/* The AMI reader and action writer (ami_parse.h): text only, no I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "features/pbx/asterisk/ami_parse.h"

#define AMI_BANNER_PREFIX "Asterisk Call Manager/"

struct ami_msg *ami_msg_new(void)
{
	return xcalloc(1, sizeof(struct ami_msg));
}

void ami_msg_free(struct ami_msg *m)
{
	if (!m)
		return;
	/* key and value share one block, the key's */
	for (size_t i = 0; i < m->n; i++)
		free((char *)m->fields[i].key);
	free(m->fields);
	free(m);
}

static void ami_msg_addn(struct ami_msg *m, const char *key, size_t klen, const char *value,
			 size_t vlen)
{
	char *block = xmalloc(klen + vlen + 2);

	memcpy(block, key, klen);
	block[klen] = '\0';
	memcpy(block + klen + 1, value, vlen);
	block[klen + 1 + vlen] = '\0';
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->fields = xrealloc(m->fields, m->cap * sizeof(*m->fields));
	}
	m->fields[m->n].key = block;
	m->fields[m->n].value = block + klen + 1;
	m->n++;
	m->bytes += klen + vlen + 4;
}

void ami_msg_add(struct ami_msg *m, const char *key, const char *value)
{
	ami_msg_addn(m, key, strlen(key), value, strlen(value));
}

const char *ami_get_next(const struct ami_msg *m, const char *key, size_t *pos)
{
	for (; m && *pos < m->n; (*pos)++)
		if (!strcasecmp(m->fields[*pos].key, key))
			return m->fields[(*pos)++].value;
	return NULL;
}

const char *ami_get(const struct ami_msg *m, const char *key)
{
	size_t pos = 0;

	return ami_get_next(m, key, &pos);
}

bool ami_is(const struct ami_msg *m, const char *key, const char *value)
{
	const char *v = ami_get(m, key);

	return v && !strcasecmp(v, value);
}

json_t *ami_msg_json(const struct ami_msg *m)
{
	json_t *o = json_object();

	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->fields[i].key;
		json_t *v = json_stringn(m->fields[i].value, strlen(m->fields[i].value));
		json_t *had = json_object_get(o, k);

		/* Asterisk's text is not always UTF-8: a value that is not
		 * shows as null rather than being dropped silently */
		if (!v)
			v = json_null();
		if (!had) {
			json_object_set_new(o, k, v);
		} else if (json_is_array(had)) {
			json_array_append_new(had, v);
		} else {
			json_t *a = json_array();

			json_array_append(a, had);
			json_array_append_new(a, v);
			json_object_set_new(o, k, a);
		}
	}
	return o;
}

const char *ami_banner_version(const char *banner)
{
	size_t n = strlen(AMI_BANNER_PREFIX);

	if (!banner || strncmp(banner, AMI_BANNER_PREFIX, n) != 0 || !banner[n])
		return NULL;
	return banner + n;
}

void ami_reader_init(struct ami_reader *r, bool banner)
{
	memset(r, 0, sizeof(*r));
	r->want_banner = banner;
}

void ami_reader_free(struct ami_reader *r)
{
	free(r->line);
	ami_msg_free(r->msg);
	free(r->banner);
	memset(r, 0, sizeof(*r));
}

static enum ami_read ami_reader_fail(struct ami_reader *r, const char *what, long cap)
{
	r->broken = true;
	snprintf(r->error, sizeof(r->error), what, cap);
	ami_msg_free(r->msg);
	r->msg = NULL;
	r->line_len = 0;
	return AMI_ERROR;
}

/* One whole line (its end taken off): the banner, a field, or the end of
 * a message. */
static enum ami_read ami_reader_line(struct ami_reader *r, struct ami_msg **out)
{
	const char *line = r->line ? r->line : "";
	size_t len = r->line_len;
	const char *colon;

	if (r->want_banner) {
		r->want_banner = false;
		r->banner = xstrndup(line, len);
		return AMI_BANNER;
	}
	if (len == 0) {
		if (!r->msg)
			return AMI_MORE;   /* blank lines between messages */
		*out = r->msg;
		r->msg = NULL;
		return AMI_MESSAGE;
	}
	if (!r->msg)
		r->msg = ami_msg_new();
	if (r->msg->n >= AMI_FIELDS_MAX)
		return ami_reader_fail(r, "message over %ld lines", AMI_FIELDS_MAX);
	colon = memchr(line, ':', len);
	if (!colon) {
		ami_msg_addn(r->msg, "", 0, line, len);
	} else {
		size_t klen = (size_t)(colon - line);
		const char *v = colon + 1;

		/* "Key: Value": exactly one space goes, the rest is the
		 * value's (a command's output keeps its indentation) */
		if (v < line + len && *v == ' ')
			v++;
		ami_msg_addn(r->msg, line, klen, v, (size_t)(line + len - v));
	}
	if (r->msg->bytes > AMI_MSG_MAX)
		return ami_reader_fail(r, "message over %ld bytes", AMI_MSG_MAX);
	return AMI_MORE;
}

enum ami_read ami_reader_feed(struct ami_reader *r, const char *buf, size_t n, size_t *used,
			      struct ami_msg **out)
{
	*used = 0;
	*out = NULL;
	if (r->broken)
		return AMI_ERROR;
	while (*used < n) {
		const char *p = buf + *used;
		const char *nl = memchr(p, '\n', n - *used);
		size_t take = nl ? (size_t)(nl - p) : n - *used;
		enum ami_read rc;

		if (r->line_len + take > AMI_LINE_MAX)
			return ami_reader_fail(r, "line over %ld bytes", AMI_LINE_MAX);
		/* values are C strings: a NUL would cut one short unseen */
		if (memchr(p, '\0', take))
			return ami_reader_fail(r, "NUL byte in a line", 0);
		if (r->line_len + take + 1 > r->line_cap) {
			size_t cap = r->line_cap ? r->line_cap : 256;

			while (cap < r->line_len + take + 1)
				cap *= 2;
			r->line = xrealloc(r->line, cap);
			r->line_cap = cap;
		}
		memcpy(r->line + r->line_len, p, take);
		r->line_len += take;
		*used += take;
		if (!nl)
			return AMI_MORE;
		(*used)++;
		if (r->line_len && r->line[r->line_len - 1] == '\r')
			r->line_len--;
		r->line[r->line_len] = '\0';
		rc = ami_reader_line(r, out);
		r->line_len = 0;
		if (rc != AMI_MORE)
			return rc;
	}
	return AMI_MORE;
}

/* A word of letters, digits, '-' and '_' (an action's or a key's name). */
static bool ami_word(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* The value shown in an error: quoted, control characters escaped, cut. */
static char *ami_quote(const char *s)
{
	struct sbuf b;
	size_t shown = 0;

	sbuf_init(&b);
	sbuf_add(&b, "\"");
	for (; s && *s && shown < 80; s++, shown++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r')
			sbuf_add(&b, "\\r");
		else if (c == '\n')
			sbuf_add(&b, "\\n");
		else if (c == '"' || c == '\\')
			sbuf_printf(&b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sbuf_printf(&b, "\\x%02x", c);
		else
			sbuf_addn(&b, (const char *)&c, 1);
	}
	sbuf_add(&b, s && *s ? "\"..." : "\"");
	return sbuf_steal(&b);
}

static char *ami_refuse(const char *what, const char *name, const char *value, const char *why)
{
	char *q = ami_quote(value);
	char *e = name ? xasprintf("%s '%s' %s: %s", what, name, why, q)
		       : xasprintf("%s %s: %s", what, why, q);

	free(q);
	return e;
}

const char *ami_value_bad(const char *value)
{
	if (!value)
		return "is missing";
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p == '\r' || *p == '\n')
			return "may not hold a line break (CR or LF)";
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return "may not hold a control character";
	}
	return NULL;
}

static bool ami_line_add(struct sbuf *b, const char *key, const char *value)
{
	size_t n = strlen(key) + 2 + strlen(value) + 1;

	if (n > AMI_LINE_MAX)
		return false;
	sbuf_add(b, key);
	sbuf_add(b, ": ");
	sbuf_add(b, value);
	sbuf_add(b, "\r\n");
	return true;
}

int ami_action_write(struct sbuf *out, const char *action, const char *action_id,
		     const char *const *kv, char **err)
{
	struct sbuf b;
	const char *why;

	*err = NULL;
	if (!ami_word(action)) {
		*err = ami_refuse("action", NULL, action, "must be a word of letters, digits, - and _");
		return -1;
	}
	if ((why = ami_value_bad(action_id)) || !*action_id) {
		*err = ami_refuse("ActionID of", action, action_id, why ? why : "may not be empty");
		return -1;
	}
	sbuf_init(&b);
	ami_line_add(&b, "Action", action);
	if (!ami_line_add(&b, "ActionID", action_id))
		goto too_long;
	for (size_t i = 0; kv && kv[i]; i += 2) {
		const char *key = kv[i], *value = kv[i + 1];

		if (!ami_word(key)) {
			*err = ami_refuse("key", NULL, key, "must be a word of letters, digits, - and _");
			goto refused;
		}
		if (!strcasecmp(key, "Action") || !strcasecmp(key, "ActionID")) {
			*err = ami_refuse("key", NULL, key, "is set by the client");
			goto refused;
		}
		if ((why = ami_value_bad(value))) {
			*err = ami_refuse("value of", key, value, why);
			goto refused;
		}
		if (!ami_line_add(&b, key, value)) {
			*err = xasprintf("value of '%s' is over %ld bytes", key, AMI_LINE_MAX);
			goto refused;
		}
	}
	sbuf_add(&b, "\r\n");
	if (b.len > AMI_MSG_MAX) {
		*err = xasprintf("action '%s' is over %ld bytes", action, AMI_MSG_MAX);
		goto refused;
	}
	sbuf_addn(out, b.s, b.len);
	/* it may hold a secret (Login) */
	explicit_bzero(b.s, b.len);
	sbuf_free(&b);
	return 0;
too_long:
	*err = xasprintf("action '%s' has an ActionID over %ld bytes", action, AMI_LINE_MAX);
refused:
	explicit_bzero(b.s, b.len);
	sbuf_free(&b);
	return -1;
}
