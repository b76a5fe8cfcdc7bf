#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "core/log.h"

static enum log_level log_level = LOG_INFO;
static const char *const log_names[] = { "error", "warning", "info", "debug" };

void log_set_level(enum log_level l)
{
	log_level = l;
}

void log_msg(enum log_level l, const char *fmt, ...)
{
	va_list ap;
	struct timespec ts;

	if (l > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%lld.%03ld difosd %s: ", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
		log_names[l]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
