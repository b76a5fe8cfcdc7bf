/*
 * Services › Intrusion Prevention: General (the services watched, ban
 * time, maximum retries, find time, the IPv6 prefix banned) and the
 * allowed list (addresses and networks never banned: a softphone
 * provider's servers). The blocked list is state, not settings: the
 * methods show it (ips_methods.c).
 */
#include "features/services/ips/ips_int.h"
#include "schema/schema.h"

static const struct sc_tab tab_general = { "general", "General" };
static const struct sc_tab tab_lists = { "lists", "Blocked & Allowed Lists" };

static const char *const ips_service_choices[] = { "ssh", "asterisk", "gui", NULL };
static const char *const ips_service_labels[] = { "SSH", "Asterisk", "Difos GUI", NULL };
static const char *const ips_sources[] = { "auto", "journal", "file", NULL };
static const char *const ips_source_labels[] = { "Automatic", "systemd journal", "Log file",
						 NULL };
static const char *const ips_source_file[] = { "file", NULL };

static const struct sc_field allowed_fields[] = {
	{ .name = "address", .kind = SC_CIDR, .flags = SC_F_REQUIRED | SC_F_UNIQUE,
	  .title = "Address", .help = "An address or a network (192.0.2.10, 198.51.100.0/24, "
				      "2001:db8::/48) that is never banned." },
	{ .name = "description", .kind = SC_STRING, .max = 64, .title = "Description" },
	{ .name = NULL }
};

static const struct sc_field ips_fields[] = {
	{ .name = "services", .kind = SC_LIST, .item = SC_ENUM, .flags = SC_F_UNIQUE,
	  .choices = ips_service_choices, .labels = ips_service_labels, .def = "[]",
	  .title = "Services selected", .tab = &tab_general,
	  .help = "The services whose failed logins are watched; none: intrusion prevention "
		  "is off." },
	{ .name = "ban_time", .kind = SC_DURATION, .min = 1, .max = 365 * 86400,
	  .def = "\"1h\"", .title = "Ban time", .tab = &tab_general,
	  .help = "How long a banned address can reach neither the router nor anything "
		  "through it (e.g. 10m, 1h, 7d)." },
	{ .name = "max_retries", .kind = SC_INT, .min = 1, .max = 100, .def = "5",
	  .title = "Maximum retries", .tab = &tab_general,
	  .help = "Failed logins from one address, within the find time, that ban it." },
	{ .name = "find_time", .kind = SC_DURATION, .min = 1, .max = 7 * 86400, .def = "\"10m\"",
	  .title = "Find time", .tab = &tab_general,
	  .help = "The window the failures are counted in." },
	{ .name = "ipv6_prefix", .kind = SC_INT, .min = 32, .max = 128, .def = "64",
	  .title = "IPv6 prefix banned", .tab = &tab_general,
	  .help = "An IPv6 offender is banned with its whole network of this length: one "
		  "host has a /64 of addresses to try from." },
	{ .name = "ssh_source", .kind = SC_ENUM, .choices = ips_sources, .labels = ips_source_labels,
	  .def = "\"auto\"", .title = "SSH log", .tab = &tab_general,
	  .help = "Where sshd's lines are read: Automatic takes /var/log/auth.log when the "
		  "system writes it, else the systemd journal." },
	{ .name = "ssh_log", .kind = SC_STRING, .min = 2, .max = 255, .pattern = "/[A-Za-z0-9._/-]+",
	  .pattern_says = "must be an absolute path of letters, digits and . _ - /",
	  .def = "\"/var/log/auth.log\"",
	  .title = "SSH log file", .tab = &tab_general, .when = { "ssh_source", ips_source_file } },
	{ .name = "allowed", .kind = SC_COLLECTION, .fields = allowed_fields, .max = 1024,
	  .title = "Allowed list", .tab = &tab_lists,
	  .help = "Addresses and networks never banned." },
	{ .name = NULL }
};

static const struct sc_field ips_section = {
	.name = "ips", .kind = SC_OBJECT, .fields = ips_fields, .title = "Intrusion Prevention",
	.help = "Bans addresses that fail to log in to SSH, the PBX or this GUI too often.",
};

const struct sc_field *const ips_sections[] = { &ips_section, NULL };
