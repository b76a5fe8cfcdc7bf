/* Encoding vici packets and messages (vici_msg.h): what difosd sends charon. */
#include <stdio.h>
#include <string.h>

#include "features/vpn/ipsec/vici_msg.h"

bool vici_type_named(int type)
{
	return type == VICI_CMD_REQUEST || type == VICI_EVENT_REGISTER ||
	       type == VICI_EVENT_UNREGISTER || type == VICI_EVENT;
}

static int put_name(struct sbuf *b, const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);
	unsigned char c = (unsigned char)n;

	if (n > 255) {
		snprintf(err, errlen, "the name %.40s... is longer than 255 bytes", name);
		return -1;
	}
	sbuf_addn(b, (const char *)&c, 1);
	sbuf_addn(b, name, n);
	return 0;
}

static int put_value(struct sbuf *b, const char *key, const json_t *v, char *err, size_t errlen)
{
	char num[32];
	const char *s;
	size_t n;
	unsigned char len[2];

	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		s = num;
		n = strlen(num);
	} else if (json_is_boolean(v)) {
		s = json_is_true(v) ? "yes" : "no";
		n = strlen(s);
	} else {
		snprintf(err, errlen, "%s: a value must be a string, a number or a boolean", key);
		return -1;
	}
	if (n > 0xffff) {
		snprintf(err, errlen, "%s: the value is longer than 65535 bytes", key);
		return -1;
	}
	len[0] = (unsigned char)(n >> 8);
	len[1] = (unsigned char)n;
	sbuf_addn(b, (const char *)len, 2);
	sbuf_addn(b, s, n);
	return 0;
}

static int put_section(struct sbuf *b, const json_t *obj, int depth, char *err, size_t errlen)
{
	const char *key;
	const json_t *v;
	char e;

	if (depth > VICI_DEPTH_MAX) {
		snprintf(err, errlen, "sections nested deeper than %d", VICI_DEPTH_MAX);
		return -1;
	}
	json_object_foreach((json_t *)obj, key, v) {
		if (json_is_object(v)) {
			e = VICI_SECTION_START;
			sbuf_addn(b, &e, 1);
			if (put_name(b, key, err, errlen) < 0 ||
			    put_section(b, v, depth + 1, err, errlen) < 0)
				return -1;
			e = VICI_SECTION_END;
			sbuf_addn(b, &e, 1);
		} else if (json_is_array(v)) {
			size_t i;
			const json_t *item;

			e = VICI_LIST_START;
			sbuf_addn(b, &e, 1);
			if (put_name(b, key, err, errlen) < 0)
				return -1;
			json_array_foreach(v, i, item) {
				e = VICI_LIST_ITEM;
				sbuf_addn(b, &e, 1);
				if (put_value(b, key, item, err, errlen) < 0)
					return -1;
			}
			e = VICI_LIST_END;
			sbuf_addn(b, &e, 1);
		} else {
			e = VICI_KEY_VALUE;
			sbuf_addn(b, &e, 1);
			if (put_name(b, key, err, errlen) < 0 || put_value(b, key, v, err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

int vici_encode(struct sbuf *out, int type, const char *name, const json_t *msg,
		char *err, size_t errlen)
{
	struct sbuf b;
	unsigned char t = (unsigned char)type, len[4];
	int rc = 0;

	sbuf_init(&b);
	sbuf_addn(&b, (const char *)&t, 1);
	if (vici_type_named(type))
		rc = put_name(&b, name ? name : "", err, errlen);
	if (rc == 0 && msg) {
		if (!json_is_object(msg)) {
			snprintf(err, errlen, "a message must be an object");
			rc = -1;
		} else {
			rc = put_section(&b, msg, 0, err, errlen);
		}
	}
	if (rc == 0 && b.len > VICI_PACKET_MAX) {
		snprintf(err, errlen, "the packet is larger than %d bytes", VICI_PACKET_MAX);
		rc = -1;
	}
	if (rc == 0) {
		len[0] = (unsigned char)(b.len >> 24);
		len[1] = (unsigned char)(b.len >> 16);
		len[2] = (unsigned char)(b.len >> 8);
		len[3] = (unsigned char)b.len;
		sbuf_addn(out, (const char *)len, 4);
		sbuf_addn(out, b.s, b.len);
	}
	sbuf_free(&b);
	return rc;
}

