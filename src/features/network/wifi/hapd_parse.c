/* hostapd's control-socket replies: stations and key=value lines (hapd_parse.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/wifi/hapd_parse.h"

/* flags=[AUTH][ASSOC]...: at most this many kept */
#define HAPD_FLAGS_MAX 32

bool hapd_mac_ok(const char *s, size_t len)
{
	if (len != 17)
		return false;
	for (size_t i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* The next line of [*pos, end): its start and length (without the '\n'). */
static bool hapd_line(const char **pos, const char *end, const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= end)
		return false;
	*line = *pos;
	nl = memchr(*pos, '\n', (size_t)(end - *pos));
	*n = nl ? (size_t)(nl - *pos) : (size_t)(end - *pos);
	*pos = nl ? nl + 1 : end;
	return true;
}

/* A decimal integer filling all of [s, s+n) (an optional '-'), in [lo, hi]. */
static bool hapd_int(const char *s, size_t n, long long lo, long long hi, long long *out)
{
	char tmp[24], *end;
	long long v;

	if (!n || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!isdigit((unsigned char)tmp[tmp[0] == '-']))
		return false;
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static void hapd_set_int(json_t *o, const char *key, const char *v, size_t n, long long lo,
			 long long hi)
{
	long long x;

	if (hapd_int(v, n, lo, hi, &x))
		json_object_set_new(o, key, json_integer(x));
}

/* flags=[AUTH][ASSOC][AUTHORIZED]: the words, only letters, digits and '_' */
static json_t *hapd_flags(const char *v, size_t n)
{
	json_t *a = json_array();
	size_t i = 0;

	while (i < n && json_array_size(a) < HAPD_FLAGS_MAX) {
		size_t j;
		if (v[i] != '[')
			break;
		for (j = i + 1; j < n && (isalnum((unsigned char)v[j]) || v[j] == '_'); j++)
			;
		if (j >= n || v[j] != ']' || j == i + 1)
			break;
		json_array_append_new(a, json_stringn(v + i + 1, j - i - 1));
		i = j + 1;
	}
	return a;
}

/* rx_rate_info=1733 mcs 9 vhtmcs 9 vhtnss 2 shortGI: Mbit/s, and the MCS */
static void hapd_rate(json_t *o, const char *key, const char *mcs_key, const char *v, size_t n)
{
	size_t d = 0;
	long long x;
	const char *m;

	while (d < n && isdigit((unsigned char)v[d]))
		d++;
	if (!hapd_int(v, d, 0, 100000000, &x))
		return;
	json_object_set_new(o, key, json_real((double)x / 10.0));
	/* " mcs N" (HT) */
	for (m = v + d; m + 5 <= v + n; m++) {
		if (!memcmp(m, " mcs ", 5)) {
			size_t k = 0;
			while (m + 5 + k < v + n && isdigit((unsigned char)m[5 + k]))
				k++;
			hapd_set_int(o, mcs_key, m + 5, k, 0, 255);
			break;
		}
	}
}

enum hapd_sta_result hapd_parse_sta(const char *buf, size_t len, json_t **out)
{
	const char *pos = buf, *end = buf + len, *line;
	size_t n;
	json_t *o, *flags = NULL;
	char mac[18];

	*out = NULL;
	if (!len)
		return HAPD_STA_END;
	if (memchr(buf, '\0', len) || !hapd_line(&pos, end, &line, &n) || !hapd_mac_ok(line, n))
		return HAPD_STA_BAD;
	for (size_t i = 0; i < 17; i++)
		mac[i] = (char)tolower((unsigned char)line[i]);
	mac[17] = '\0';
	o = json_pack("{s:s}", "mac", mac);
	while (hapd_line(&pos, end, &line, &n)) {
		const char *eq = memchr(line, '=', n), *v;
		size_t kn, vn;
		if (!eq)
			continue;
		kn = (size_t)(eq - line);
		v = eq + 1;
		vn = n - kn - 1;
#define KEY(k) (kn == sizeof(k) - 1 && !memcmp(line, k, kn))
		if (KEY("flags") && !flags)
			flags = hapd_flags(v, vn);
		else if (KEY("signal"))
			hapd_set_int(o, "signal", v, vn, -150, 50);
		else if (KEY("rx_rate_info"))
			hapd_rate(o, "rx_rate", "rx_mcs", v, vn);
		else if (KEY("tx_rate_info"))
			hapd_rate(o, "tx_rate", "tx_mcs", v, vn);
		else if (KEY("connected_time"))
			hapd_set_int(o, "connected_time", v, vn, 0, 1LL << 40);
		else if (KEY("inactive_msec"))
			hapd_set_int(o, "inactive_ms", v, vn, 0, 1LL << 50);
		else if (KEY("rx_bytes"))
			hapd_set_int(o, "rx_bytes", v, vn, 0, 1LL << 62);
		else if (KEY("tx_bytes"))
			hapd_set_int(o, "tx_bytes", v, vn, 0, 1LL << 62);
#undef KEY
	}
	if (!flags)
		flags = json_array();
	{
		bool authorized = false;
		size_t i;
		json_t *f;
		json_array_foreach(flags, i, f)
			if (!strcmp(json_string_value(f), "AUTHORIZED"))
				authorized = true;
		json_object_set_new(o, "authorized", json_boolean(authorized));
	}
	json_object_set_new(o, "flags", flags);
	*out = o;
	return HAPD_STA_ONE;
}

bool hapd_kv(const char *buf, size_t len, const char *key, char *out, size_t outlen)
{
	const char *pos = buf, *end = buf + len, *line;
	size_t n, kn = strlen(key);

	if (!outlen || memchr(buf, '\0', len))
		return false;
	while (hapd_line(&pos, end, &line, &n)) {
		if (n > kn && line[kn] == '=' && !memcmp(line, key, kn)) {
			size_t vn = n - kn - 1;
			if (vn >= outlen)
				vn = outlen - 1;
			memcpy(out, line + kn + 1, vn);
			out[vn] = '\0';
			return true;
		}
	}
	return false;
}

json_t *hapd_parse_acl(const char *buf, size_t len)
{
	const char *pos = buf, *end = buf + len, *line;
	json_t *a;
	size_t n;

	if (memchr(buf, '\0', len))
		return NULL;
	a = json_array();
	while (hapd_line(&pos, end, &line, &n)) {
		char mac[18];
		if (!n)
			continue;
		if (n < 17 || !hapd_mac_ok(line, 17) || (n > 17 && line[17] != ' ')) {
			json_decref(a);
			return NULL;
		}
		for (size_t i = 0; i < 17; i++)
			mac[i] = (char)tolower((unsigned char)line[i]);
		mac[17] = '\0';
		json_array_append_new(a, json_string(mac));
	}
	return a;
}
