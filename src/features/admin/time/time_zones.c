/*
 * The IANA timezone names, as Debian's tzdata ships them: zone1970.tab
 * (one line per zone since 1970) and zone.tab (one per country, so
 * "Europe/Oslo" is there although it shares Berlin's rules), plus "UTC".
 * Read once when first needed; a name is valid when it is in that list and
 * its file is there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/util.h"
#include "features/admin/time/time.h"

bool time_zone_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "..") ||
	    strstr(s, "//"))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '+' || c == '/'))
			return false;
	}
	return true;
}

size_t time_zones_parse(const char *text, size_t len, json_t *names)
{
	size_t added = 0, i = 0;

	while (i < len) {
		size_t end = i, col = 0, start = i;
		char name[80];

		while (end < len && text[end] != '\n')
			end++;
		/* columns: country codes, coordinates, the zone name, comments */
		if (text[i] != '#') {
			for (size_t j = i; j <= end; j++) {
				if (j < end && text[j] != '\t')
					continue;
				if (col == 2 && j - start < sizeof(name)) {
					memcpy(name, text + start, j - start);
					name[j - start] = '\0';
					if (time_zone_name_ok(name)) {
						json_array_append_new(names, json_string(name));
						added++;
					}
				}
				col++;
				start = j + 1;
			}
		}
		i = end + 1;
	}
	return added;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

static json_t *zones;

const json_t *time_zones(void)
{
	static const char *const tables[] = { "zone1970.tab", "zone.tab" };
	json_t *all, *v;
	json_t **items;
	size_t i, n;

	if (zones)
		return zones;
	all = json_array();
	json_array_append_new(all, json_string("UTC"));
	for (i = 0; i < sizeof(tables) / sizeof(*tables); i++) {
		char *path = xasprintf("%s/%s", TIME_ZONEINFO, tables[i]);
		size_t len = 0;
		char *text = file_read(path, &len);

		if (text)
			time_zones_parse(text, len, all);
		free(text);
		free(path);
	}
	n = json_array_size(all);
	items = xcalloc(n ? n : 1, sizeof(*items));
	json_array_foreach(all, i, v)
		items[i] = v;
	qsort(items, n, sizeof(*items), by_name);
	zones = json_array();
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(json_string_value(items[i]), json_string_value(items[i - 1])))
			json_array_append(zones, items[i]);
	free(items);
	json_decref(all);
	return zones;
}

bool time_zone_known(const char *name)
{
	const json_t *z = time_zones();
	size_t lo = 0, hi = json_array_size(z);

	if (!name || !time_zone_name_ok(name))
		return false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, json_string_value(json_array_get(z, mid)));

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/*
 * The C library knows one zone at a time, the process's TZ: it is set to
 * the zone's file for one conversion and put back. Only the core calls
 * this, under its lock, so no other conversion of ours runs meanwhile.
 * TZ is never removed once set (an unset TZ is first made the explicit
 * ":/etc/localtime", which means the same): replacing a variable that
 * exists changes one pointer of the environment, where adding or removing
 * one moves the array a getenv of another thread may be reading.
 */
bool time_local(const char *zone, time_t t, struct tm *out)
{
	char *old, *tz;
	bool ok;

	if (!time_zone_known(zone))
		return false;
	if (!getenv("TZ"))
		setenv("TZ", ":/etc/localtime", 1);
	old = xstrdup(getenv("TZ"));
	tz = xasprintf(":%s/%s", TIME_ZONEINFO, zone);
	setenv("TZ", tz, 1);
	tzset();
	ok = localtime_r(&t, out) != NULL;
	setenv("TZ", old, 1);
	tzset();
	free(old);
	free(tz);
	return ok;
}
