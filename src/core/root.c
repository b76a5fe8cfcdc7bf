/* The root prefix (--root): tests and the demo run difosd in a folder of their own. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/root.h"
#include "core/util.h"

static char root_dir[4096] = "";

void root_set(const char *dir)
{
	size_t n;

	snprintf(root_dir, sizeof(root_dir), "%s", dir ? dir : "");
	n = strlen(root_dir);
	while (n > 0 && root_dir[n - 1] == '/')
		root_dir[--n] = '\0';
}

const char *root_get(void)
{
	return root_dir[0] ? root_dir : "/";
}

char *root_path(const char *fmt, ...)
{
	va_list ap;
	char *rel, *full;

	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = xasprintf("%s%s%s", root_dir, rel[0] == '/' ? "" : "/", rel);
	free(rel);
	return full;
}
