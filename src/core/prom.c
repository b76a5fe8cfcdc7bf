/* The Prometheus text exposition format: families and samples (prom.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/prom.h"

void prom_family(struct sbuf *b, const char *name, const char *type, const char *help)
{
	/* HELP text escapes a backslash and a newline (not quotes) */
	sbuf_printf(b, "# HELP %s ", name);
	for (const char *p = help; *p; p++) {
		if (*p == '\\')
			sbuf_add(b, "\\\\");
		else if (*p == '\n')
			sbuf_add(b, "\\n");
		else
			sbuf_addn(b, p, 1);
	}
	sbuf_printf(b, "\n# TYPE %s %s\n", name, type);
}

void prom_escape(struct sbuf *b, const char *v)
{
	for (const char *p = v; *p; p++) {
		size_t run = strcspn(p, "\\\"\n");
		if (run) {
			sbuf_addn(b, p, run);
			p += run;
			if (!*p)
				break;
		}
		sbuf_add(b, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\");
	}
}

static void prom_name_labels(struct sbuf *b, const char *name, const char *const *labels)
{
	bool first = true;

	sbuf_add(b, name);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		if (!labels[i + 1])
			continue;
		sbuf_add(b, first ? "{" : ",");
		first = false;
		sbuf_add(b, labels[i]);
		sbuf_add(b, "=\"");
		prom_escape(b, labels[i + 1]);
		sbuf_add(b, "\"");
	}
	if (!first)
		sbuf_add(b, "}");
}

void prom_sample(struct sbuf *b, const char *name, const char *const *labels, double value)
{
	prom_name_labels(b, name, labels);
	if (isinf(value))
		sbuf_add(b, value > 0 ? " +Inf\n" : " -Inf\n");
	else if (isnan(value))
		sbuf_add(b, " NaN\n");
	else
		sbuf_printf(b, " %.15g\n", value);
}

void prom_sample_u(struct sbuf *b, const char *name, const char *const *labels,
		   unsigned long long value)
{
	prom_name_labels(b, name, labels);
	sbuf_printf(b, " %llu\n", value);
}
