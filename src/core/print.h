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

#endif
