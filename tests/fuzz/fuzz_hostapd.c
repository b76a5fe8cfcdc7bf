/*
 * libFuzzer target: hostapd's control-socket replies, as difosd reads them
 * (features/network/wifi/hapd_parse.c). The input is one reply; what the
 * readers promise is checked:
 *  - hapd_parse_sta answers END only for the empty reply, and ONE only with
 *    a station whose "mac" is a MAC in lower case, the reply's first line;
 *    its flags are words of letters, digits and '_'; its numbers are within
 *    their ranges (signal -150..50, rates and counters not negative);
 *  - hapd_kv never writes past its buffer and always ends it with a NUL,
 *    and finds nothing in a reply holding a NUL byte;
 *  - hapd_parse_acl gives only MACs in lower case, no more than the reply
 *    has lines, and nothing for a reply holding a NUL byte.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/wifi/hapd_parse.h"

static void check_station(const char *buf, size_t len, const json_t *s)
{
	const char *mac = json_string_value(json_object_get(s, "mac"));
	const json_t *v;
	size_t i;

	if (!mac || !hapd_mac_ok(mac, strlen(mac)) || len < 17 || strncasecmp(buf, mac, 17) ||
	    (len > 17 && buf[17] != '\n') || memchr(buf, '\0', len))
		abort();
	for (const char *p = mac; *p; p++)
		if (isupper((unsigned char)*p))
			abort();
	json_array_foreach(json_object_get(s, "flags"), i, v)
		for (const char *p = json_string_value(v); *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				abort();
	if ((v = json_object_get(s, "signal")) &&
	    (json_integer_value(v) < -150 || json_integer_value(v) > 50))
		abort();
	if ((v = json_object_get(s, "rx_rate")) && json_real_value(v) < 0)
		abort();
	if ((v = json_object_get(s, "connected_time")) && json_integer_value(v) < 0)
		abort();
	if ((v = json_object_get(s, "rx_bytes")) && json_integer_value(v) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	json_t *s = (json_t *)1, *acl;
	char out[8];

	switch (hapd_parse_sta(buf, size, &s)) {
	case HAPD_STA_END:
		if (size || s)
			abort();
		break;
	case HAPD_STA_ONE:
		check_station(buf, size, s);
		json_decref(s);
		break;
	case HAPD_STA_BAD:
		if (s)
			abort();
		break;
	}
	acl = hapd_parse_acl(buf, size);
	if (acl) {
		size_t lines = 1, i;
		json_t *m;
		if (memchr(buf, '\0', size))
			abort();
		for (size_t k = 0; k < size; k++)
			lines += buf[k] == '\n';
		if (json_array_size(acl) > lines)
			abort();
		json_array_foreach(acl, i, m) {
			const char *mac = json_string_value(m);
			if (!hapd_mac_ok(mac, strlen(mac)))
				abort();
			for (const char *p = mac; *p; p++)
				if (isupper((unsigned char)*p))
					abort();
		}
		json_decref(acl);
	}
	memset(out, 'x', sizeof(out));
	if (hapd_kv(buf, size, "state", out, sizeof(out))) {
		if (!memchr(out, '\0', sizeof(out)) || memchr(buf, '\0', size))
			abort();
	}
	return 0;
}
