/*
 * libFuzzer target: what chronyc writes (features/admin/time/time.h),
 * each line of the input taken as a line of `chronyc -c sources` and of
 * `chronyc -c tracking`: a line taken gives an object whose fields stay in
 * their ranges (a stratum of NTP, an 8-bit reach register, a known mode and
 * state); and the input as a tzdata table: every name taken is one
 * time_zone_name_ok accepts (no path out of the zone folder).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/admin/time/time.h"

static void check_source(const json_t *s)
{
	json_int_t stratum = json_integer_value(json_object_get(s, "stratum"));
	json_int_t reach = json_integer_value(json_object_get(s, "reach"));
	const char *addr = json_string_value(json_object_get(s, "address"));

	if (stratum < 0 || stratum > 16 || reach < 0 || reach > 0377 || !addr || !*addr ||
	    !json_string_value(json_object_get(s, "mode")) ||
	    !json_string_value(json_object_get(s, "state")))
		abort();
	for (const char *p = addr; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == ',')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t i = 0;
	json_t *names = json_array(), *v;

	while (i < size) {
		size_t end = i;
		json_t *o;

		while (end < size && text[end] != '\n')
			end++;
		if ((o = time_parse_source(text + i, end - i))) {
			check_source(o);
			json_decref(o);
		}
		if ((o = time_parse_tracking(text + i, end - i))) {
			json_int_t stratum = json_integer_value(json_object_get(o, "stratum"));
			if (stratum < 0 || stratum > 16 || !json_is_boolean(json_object_get(o, "synchronised")))
				abort();
			json_decref(o);
		}
		i = end + 1;
	}
	time_zones_parse(text, size, names);
	json_array_foreach(names, i, v)
		if (!time_zone_name_ok(json_string_value(v)))
			abort();
	json_decref(names);
	return 0;
}
