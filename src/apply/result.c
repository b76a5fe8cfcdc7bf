/* What an apply answers, and the clock its steps are timed with. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/engine_int.h"
#include "core/util.h"

void apply_result_free(struct apply_result *r)
{
	free(r->reason);
	free(r->feature);
	free(r->message);
	json_decref(r->errors);
	json_decref(r->touched);
	memset(r, 0, sizeof(*r));
}

/* Milliseconds of the monotonic clock, for the step timings at --debug. */
double apply_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void apply_fail(struct apply_result *r, const char *reason, const char *feature,
		const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(r->reason);
	free(r->feature);
	free(r->message);
	r->reason = xstrdup(reason);
	r->feature = feature ? xstrdup(feature) : NULL;
	r->message = msg ? msg : xstrdup(reason);
	r->revision = -1;
}

