/* difos-relay6's command line (see r6_args.h). */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r6_args.h"

const char r6_usage[] =
	"usage: difos-relay6 --upstream DEV --downstream DEV [--ra] [--dhcpv6] [--ndp]\n"
	"                    [--hybrid] [--neigh-refresh SECONDS]\n";

/* an interface name the kernel could have: 1..15 bytes, no '/', no space */
static int ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < IFNAMSIZ && !strpbrk(s, "/ \t\n:") && strcmp(s, ".") && strcmp(s, "..");
}

/* the value of option name: "--name=v" or "--name v" */
static const char *value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int has_value(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

int r6_parse_args(int argc, char **argv, struct r6_args *a, char *err, size_t errlen)
{
	static const struct { const char *name; size_t off; } flags[] = {
		{ "--ra", offsetof(struct r6_args, ra) },
		{ "--dhcpv6", offsetof(struct r6_args, dhcpv6) },
		{ "--ndp", offsetof(struct r6_args, ndp) },
		{ "--hybrid", offsetof(struct r6_args, hybrid) },
		{ "--help", offsetof(struct r6_args, help) },
	};
	int i;

	memset(a, 0, sizeof(*a));
	a->refresh_s = 30;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		size_t f;

		for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			if (strcmp(arg, flags[f].name) == 0)
				break;
		if (f < sizeof(flags) / sizeof(flags[0])) {
			*(int *)((char *)a + flags[f].off) = 1;
			continue;
		}
		if (has_value(arg, "--upstream") || has_value(arg, "--downstream")) {
			int up = has_value(arg, "--upstream");

			v = value(argc, argv, &i, up ? "--upstream" : "--downstream");
			if (!v || !ifname_ok(v)) {
				snprintf(err, errlen, "%s: not an interface name: \"%s\"",
					 up ? "--upstream" : "--downstream", v ? v : "");
				return -1;
			}
			*(up ? &a->up : &a->down) = v;
		} else if (has_value(arg, "--neigh-refresh")) {
			char *end;
			unsigned long s;

			v = value(argc, argv, &i, "--neigh-refresh");
			s = v ? strtoul(v, &end, 10) : 0;
			if (!v || !*v || *end || s < 2 || s > 3600) {
				snprintf(err, errlen, "--neigh-refresh: not a number of seconds "
					 "from 2 to 3600: \"%s\"", v ? v : "");
				return -1;
			}
			a->refresh_s = (unsigned)s;
		} else {
			snprintf(err, errlen, "unknown argument \"%s\"", arg);
			return -1;
		}
	}
	if (a->help)
		return 0;
	if (a->hybrid)
		a->dhcpv6 = 1;
	if (!a->up || !a->down) {
		snprintf(err, errlen, "%s is required", a->up ? "--downstream" : "--upstream");
		return -1;
	}
	if (strcmp(a->up, a->down) == 0) {
		snprintf(err, errlen, "--upstream and --downstream are the same interface \"%s\"", a->up);
		return -1;
	}
	if (!a->ra && !a->dhcpv6 && !a->ndp) {
		snprintf(err, errlen, "nothing to relay: give --ra, --dhcpv6, --ndp or --hybrid");
		return -1;
	}
	return 0;
}
