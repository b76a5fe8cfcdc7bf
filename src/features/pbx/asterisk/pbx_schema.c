/*
 * The "pbx" section: PBX › Settings of the manual (Network, Security,
 * Extras), and whether the PBX runs at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/pbx/asterisk/pbx.h"
#include "schema/schema.h"
#include "store/doc.h"

static const char *const pbx_on[] = { "true", NULL };
static const struct sc_tab tab_network = { "network", "Network" };
static const struct sc_tab tab_security = { "security", "Security" };
static const struct sc_tab tab_extras = { "extras", "Extras" };

static const struct sc_field pbx_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "PBX",
	  .help = "Run the PBX (Asterisk) while at least one extension or trunk exists.",
	  .tab = &tab_network },
	{ .name = "udp_port", .kind = SC_PORT, .def = "6067", .title = "UDP port",
	  .help = "SIP over UDP. Changing a port restarts the PBX: calls in progress end.",
	  .tab = &tab_network },
	{ .name = "tcp_port", .kind = SC_PORT, .def = "6068", .title = "TCP port",
	  .help = "SIP over TCP. Changing a port restarts the PBX: calls in progress end.",
	  .tab = &tab_network },
	{ .name = "tls_port", .kind = SC_PORT, .def = "6069", .title = "TLS port",
	  .help = "SIP over TLS, with the router's certificate. Changing a port restarts the PBX.",
	  .tab = &tab_network },
	{ .name = "rtp_start", .kind = SC_PORT, .def = "20000", .title = "RTP ports from",
	  .help = "First UDP port of the calls' audio.", .tab = &tab_network },
	{ .name = "rtp_end", .kind = SC_PORT, .def = "30000", .title = "RTP ports to",
	  .help = "Last UDP port of the calls' audio.", .tab = &tab_network },
	{ .name = "external_media_address", .kind = SC_FQDN, .title = "External media address",
	  .help = "Behind another gateway's NAT: the public address (or a name resolving to it) "
		  "put in the audio description (SDP) for peers outside the local subnets.",
	  .tab = &tab_network },
	{ .name = "external_signaling_address", .kind = SC_FQDN,
	  .title = "External signalling address",
	  .help = "Behind another gateway's NAT: the public address (or a name resolving to it) "
		  "put in SIP headers (Contact, Via) for peers outside the local subnets.",
	  .tab = &tab_network },
	{ .name = "local_subnets", .kind = SC_LIST, .item = SC_CIDR4, .flags = SC_F_UNIQUE,
	  .max = 64, .def = "[]", .title = "Local IP subnets",
	  .help = "Networks reached without NAT (the LAN is always one): their peers get the "
		  "router's own addresses.", .tab = &tab_network },
	{ .name = "open_on_wan", .kind = SC_BOOL, .def = "false", .title = "Open on the WAN",
	  .help = "Let phones outside reach the PBX: the SIP ports and the RTP ports are opened "
		  "on the WAN (use strong extension passwords). Trunks' own addresses are always "
		  "let in.", .tab = &tab_network },
	{ .name = "open_on_wan_from", .kind = SC_LIST, .item = SC_CIDR4, .flags = SC_F_UNIQUE,
	  .max = 64, .def = "[]", .title = "Only from",
	  .help = "With Open on the WAN: only from these networks (the softphones' or a "
		  "provider's); empty: from anywhere.", .tab = &tab_network,
	  .when = { "open_on_wan", pbx_on } },
	{ .name = "ami_port", .kind = SC_PORT, .def = "5038", .title = "AMI port",
	  .help = "The Asterisk manager's port on the loopback, which difos uses to run the PBX.",
	  .tab = &tab_security },
	{ .name = "ami_password", .kind = SC_STRING, .flags = SC_F_SECRET, .min = 12, .max = 128,
	  .title = "AMI password",
	  .help = "The Asterisk manager's password; empty: a random one kept by the router.",
	  .tab = &tab_security },
	{ .name = "recordings_path", .kind = SC_STRING, .max = 200,
	  .pattern = "/[A-Za-z0-9._/-]*", .pattern_says = "is not an absolute path of letters, "
	  "digits, '.', '_', '-' and '/'", .title = "Voice recordings",
	  .help = "A mounted drive for the calls' recordings (a folder asterisk_recordings is made "
		  "in it); empty: the router's own storage.", .tab = &tab_extras },
	{ .name = "pjsip_extra", .kind = SC_TEXT, .max = 65536, .def = "\"\"",
	  .title = "Additions to pjsip.conf",
	  .help = "Appended to pjsip.conf as written; Asterisk must accept it, or the apply "
		  "is rolled back.", .tab = &tab_extras },
	{ .name = "extensions_extra", .kind = SC_TEXT, .max = 65536, .def = "\"\"",
	  .title = "Additions to extensions.conf",
	  .help = "Appended to extensions.conf (the dialplan) as written.", .tab = &tab_extras },
	{ .name = "queues_extra", .kind = SC_TEXT, .max = 65536, .def = "\"\"",
	  .title = "Additions to queues.conf",
	  .help = "Appended to queues.conf as written.", .tab = &tab_extras },
	{ .name = NULL }
};

static void pbx_check(const json_t *sec, const char *path, const json_t *doc,
		      struct sc_error_list *errs)
{
	static const char *const ports[] = { "udp_port", "tcp_port", "tls_port" };
	long long start = doc_int(sec, "rtp_start", 20000), end = doc_int(sec, "rtp_end", 30000);

	(void)doc;
	if (end < start) {
		char *p = xasprintf("%s.rtp_end", path);
		sc_error_add(errs, p, NULL, "%lld is below the first RTP port %lld", end, start);
		free(p);
	}
	/* a SIP port inside the RTP range would be taken by a call's audio */
	for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
		long long port = doc_int(sec, ports[i], 0);
		char *p;
		if (port < start || port > end)
			continue;
		p = xasprintf("%s.%s", path, ports[i]);
		sc_error_add(errs, p, NULL, "%lld is inside the RTP ports %lld-%lld", port, start, end);
		free(p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		for (size_t j = i + 1; j < ARRAY_SIZE(ports); j++)
			if (doc_int(sec, ports[i], 0) == doc_int(sec, ports[j], -1)) {
				char *p = xasprintf("%s.%s", path, ports[j]);
				sc_error_add(errs, p, NULL, "%lld is already the %s",
					     doc_int(sec, ports[j], 0), ports[i]);
				free(p);
			}
}

static const struct sc_field pbx_section = {
	.name = "pbx", .kind = SC_OBJECT, .fields = pbx_fields, .check = pbx_check,
	.title = "PBX settings",
	.help = "Transports, NAT, the Asterisk manager and additions to the Asterisk files.",
};

const struct sc_field *const pbx_sections[] = { &pbx_section, NULL };
