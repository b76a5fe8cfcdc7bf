/*
 * Region & Time: the pieces the tests and the fuzzer reach. The timezone
 * list is read from tzdata's tables; chronyc's CSV lines (-c) are parsed
 * into the status's sources and tracking.
 */
#ifndef DIFOS_FEATURE_TIME_H
#define DIFOS_FEATURE_TIME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Where Debian's tzdata keeps the zones and their tables. */
#define TIME_ZONEINFO "/usr/share/zoneinfo"

/* The zone names of one tzdata table (zone.tab, zone1970.tab: the third
 * column of each line that is no comment) added to names (an array) when
 * they are plausible zone names; returns how many were added. */
size_t time_zones_parse(const char *text, size_t len, json_t *names);
/* Is s shaped like an IANA zone name (letters, digits, '_', '-', '+', '/';
 * no '..', no leading '/')? */
bool time_zone_name_ok(const char *s);
/* The sorted, unique IANA names Debian's tzdata offers (with "UTC"), read
 * once; borrowed. */
const json_t *time_zones(void);
bool time_zone_known(const char *name);
/* The broken-down local time of t in zone (a name time_zone_known
 * accepts); false when the zone cannot be read. */
bool time_local(const char *zone, time_t t, struct tm *out);

/* One line of `chronyc -c sources` as an object {mode, state, address,
 * stratum, poll, reach, last_rx, offset, measured, error}; NULL when the
 * line is not one. */
json_t *time_parse_source(const char *line, size_t len);
/* One line of `chronyc -c tracking` as {reference_id, reference, stratum,
 * ref_time, system_offset, last_offset, rms_offset, frequency, skew,
 * root_delay, root_dispersion, leap}; NULL when the line is not one. */
json_t *time_parse_tracking(const char *line, size_t len);

#endif
