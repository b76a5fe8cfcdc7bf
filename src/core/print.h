/* Printing JSON results for people: difosctl's output, shared by the
 * printers every method declares next to itself. */
#ifndef DIFOS_PRINT_H
#define DIFOS_PRINT_H

#include <jansson.h>

/* Indented, keys sorted, on stdout. */
void print_json(const json_t *v);
/* A string bare, anything else as compact JSON, "(none)" for NULL (malloc'd). */
char *print_value_text(const json_t *v);
/* A single value bare (for scripts), a subtree as JSON. */
void print_value(const json_t *v);
/* "never" for 0, else the local time "YYYY-mm-dd HH:MM:SS" in out. */
void print_time(long long t, const char *never, char out[32]);
/* "never" for 0 (or less), else "YYYY-mm-dd HH:MM:SS UTC" in out: the same
 * on every machine, whatever its time zone. */
void print_utc(long long t, const char *never, char out[32]);
/* A span of seconds for people: "42 s", "3 min", "5 h 2 min", "12 d 3 h". */
void print_duration(long long secs, char out[32]);

#endif
