/*
 * The Prometheus text exposition format (version 0.0.4): a family's HELP
 * and TYPE lines, then its samples, each a name, labels and a value. The
 * metrics method and the features' metrics hooks write through these, so
 * the escaping is done in one place.
 */
#ifndef DIFOS_PROM_H
#define DIFOS_PROM_H

#include "core/util.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram) */
void prom_family(struct sbuf *b, const char *name, const char *type, const char *help);
/*
 * One sample: name{k1="v1",k2="v2"} value. labels is NULL or a
 * NULL-terminated list of key, value pairs; a pair whose value is NULL is
 * left out. Values are escaped (backslash, double quote, newline).
 */
void prom_sample(struct sbuf *b, const char *name, const char *const *labels, double value);
/* the same for an integer value (counters beyond 2^53 stay exact) */
void prom_sample_u(struct sbuf *b, const char *name, const char *const *labels,
		   unsigned long long value);
/* a label value as the format escapes it, appended to b */
void prom_escape(struct sbuf *b, const char *v);

#endif
