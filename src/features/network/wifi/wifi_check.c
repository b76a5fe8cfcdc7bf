/*
 * hostapd's own reader on the new files, without a radio. hostapd has no
 * check option, but it reads the whole file first and reports every line
 * it cannot take ("Line 7: invalid WPA passphrase length ...", then "N
 * errors found in configuration file") before it opens the driver. So the
 * check runs it on the file with the interface replaced (-i) by one that
 * does not exist: it parses the file, then fails at the driver (here: no
 * nl80211 at all; on a device: no such interface), never touching the
 * radio in use or its control socket. Only its parse errors fail the
 * check. What depends on the hardware (a channel the radio or the
 * regulatory domain disables, capabilities it lacks) only hostapd's start
 * finds; the schema's checks cover the band's channels and widths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/system.h"
#include "features/network/wifi/wifi_int.h"

/* No device has this name (difos never makes one): the driver step fails. */
#define WIFI_CHECK_IFNAME "difoschk0"

char *wifi_check_verdict(const char *output)
{
	struct sbuf b;
	const char *line = output;

	if (!output || (!strstr(output, "errors found in configuration file") &&
			!strstr(output, "Failed to set up interface with")))
		return NULL;
	sbuf_init(&b);
	/* hostapd's words: the lines naming what it refused */
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (!strncmp(line, "Line ", 5) || strstr(line, "errors found") ||
		    (n && !strncmp(line, "Invalid", 7)))
			sbuf_printf(&b, "%s%.*s", b.len ? "; " : "", (int)n, line);
		line = end ? end + 1 : NULL;
	}
	if (!b.len)
		sbuf_add(&b, "hostapd cannot read the configuration");
	return sbuf_steal(&b);
}

int wifi_check(struct feature_ctx *ctx)
{
	for (size_t i = 0; i < WIFI_BANDS; i++) {
		const struct wifi_band *bd = &wifi_bands[i];
		char *path = xasprintf("%s/%s", ctx->dir, bd->conf), *out = NULL, *why;
		char *const argv[] = { "hostapd", "-i", WIFI_CHECK_IFNAME, path, NULL };
		int rc;

		if (access(path, F_OK) != 0) {
			free(path);
			continue;
		}
		rc = ctx->env->sys->run(ctx->env->sys, argv, NULL, 10000, &out);
		why = rc < 0 || rc == 127 ? xstrdup("hostapd cannot run (is it installed?)") :
		      wifi_check_verdict(out);
		free(out);
		free(path);
		if (why) {
			ctx->err = xasprintf("%s radio: %s", bd->title, why);
			free(why);
			return -1;
		}
	}
	return 0;
}
