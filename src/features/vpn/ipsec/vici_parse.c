/*
 * Parsing vici packets and messages (vici_msg.h): what charon sends, read
 * as outside data (fuzzed by tests/fuzz/fuzz_vici.c).
 */
#include <stdio.h>
#include <string.h>

#include "features/vpn/ipsec/vici_msg.h"

struct rd {
	const unsigned char *p;
	size_t len, off;
	char *err;
	size_t errlen;
};

static int rd_fail(struct rd *r, const char *what)
{
	snprintf(r->err, r->errlen, "%s at byte %zu", what, r->off);
	return -1;
}

static int rd_name(struct rd *r, char name[256])
{
	size_t n;

	if (r->off >= r->len)
		return rd_fail(r, "a name is cut short");
	n = r->p[r->off++];
	if (n > r->len - r->off)
		return rd_fail(r, "a name is cut short");
	memcpy(name, r->p + r->off, n);
	name[n] = '\0';
	/* a NUL inside would cut the key short: another key than charon meant */
	if (memchr(name, '\0', n))
		return rd_fail(r, "a name holds a NUL byte");
	r->off += n;
	return 0;
}

static json_t *rd_value(struct rd *r)
{
	size_t n;
	char *s;
	json_t *v;

	if (r->len - r->off < 2) {
		rd_fail(r, "a value's length is cut short");
		return NULL;
	}
	n = (size_t)r->p[r->off] << 8 | r->p[r->off + 1];
	r->off += 2;
	if (n > r->len - r->off) {
		rd_fail(r, "a value is cut short");
		return NULL;
	}
	s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = r->p[r->off + i];
		s[i] = c < 0x20 || c > 0x7e ? '?' : (char)c;
	}
	s[n] = '\0';
	r->off += n;
	v = json_stringn(s, n);
	free(s);
	return v;
}

/* the elements of one section, up to its end (or the message's when depth 0) */
static int rd_section(struct rd *r, json_t *obj, int depth)
{
	char name[256];

	while (r->off < r->len) {
		unsigned char e = r->p[r->off++];
		json_t *v;

		switch (e) {
		case VICI_SECTION_START:
			if (depth >= VICI_DEPTH_MAX)
				return rd_fail(r, "sections nested too deep");
			if (rd_name(r, name) < 0)
				return -1;
			v = json_object();
			json_object_set_new(obj, name, v);
			if (rd_section(r, v, depth + 1) < 0)
				return -1;
			break;
		case VICI_SECTION_END:
			if (depth == 0)
				return rd_fail(r, "a section ends that never started");
			return 0;
		case VICI_KEY_VALUE:
			if (rd_name(r, name) < 0 || !(v = rd_value(r)))
				return -1;
			json_object_set_new(obj, name, v);
			break;
		case VICI_LIST_START:
			if (rd_name(r, name) < 0)
				return -1;
			v = json_array();
			json_object_set_new(obj, name, v);
			for (;;) {
				json_t *item;

				if (r->off >= r->len)
					return rd_fail(r, "a list never ends");
				e = r->p[r->off++];
				if (e == VICI_LIST_END)
					break;
				if (e != VICI_LIST_ITEM)
					return rd_fail(r, "a list holds something else than items");
				if (!(item = rd_value(r)))
					return -1;
				json_array_append_new(v, item);
			}
			break;
		default:
			r->off--;
			return rd_fail(r, "an unknown element");
		}
	}
	if (depth > 0)
		return rd_fail(r, "a section never ends");
	return 0;
}

int vici_parse(const unsigned char *p, size_t len, int *type, char name[256], json_t **msg,
	       char *err, size_t errlen)
{
	struct rd r = { p, len, 0, err, errlen };
	json_t *m;

	*msg = NULL;
	name[0] = '\0';
	if (len == 0)
		return rd_fail(&r, "an empty packet");
	if (len > VICI_PACKET_MAX)
		return rd_fail(&r, "a packet too large");
	*type = p[r.off++];
	if (*type > VICI_EVENT)
		return rd_fail(&r, "an unknown packet type");
	if (vici_type_named(*type) && rd_name(&r, name) < 0)
		return -1;
	m = json_object();
	if (rd_section(&r, m, 0) < 0) {
		json_decref(m);
		return -1;
	}
	*msg = m;
	return 0;
}
