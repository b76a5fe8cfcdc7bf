/*
 * The firewall section of the schema and its cross-field checks: alias
 * names and contents, the address and port fields of rules, forwards and
 * NAT rules (which may name aliases), and overlapping port forwards.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/firewall/ruleset/firewall.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "store/doc.h"

static const char *const alias_types[] = { "manual", "automated", NULL };
static const char *const fw_protos[] = { "tcpudp", "tcp", "udp", NULL };
static const char *const rule_protos[] = { "all", "tcp", "udp", "tcpudp", "icmp", NULL };
static const char *const rule_families[] = { "any", "ipv4", "ipv6", NULL };
static const char *const src_zones[] = { "wan", "lan", "router", "any", NULL };
static const char *const dest_zones[] = { "router", "lan", "wan", "any", NULL };
static const char *const rule_actions[] = { "accept", "drop", "reject", NULL };
static const char *const nat_types[] = { "masquerade", "snat", NULL };
static const char *const nat_families[] = { "ipv4", "ipv6", NULL };

/* what forms show for each choice above, in the same order */
static const char *const alias_type_labels[] = { "Addresses", "Country lists" };
static const char *const fw_proto_labels[] = { "TCP and UDP", "TCP", "UDP" };
static const char *const rule_proto_labels[] = {
	"Any protocol", "TCP", "UDP", "TCP and UDP", "ICMP"
};
static const char *const rule_family_labels[] = { "IPv4 and IPv6", "IPv4", "IPv6" };
static const char *const src_zone_labels[] = { "WAN", "LAN", "The router", "Any zone" };
static const char *const dest_zone_labels[] = { "The router", "LAN", "WAN", "Any zone" };
static const char *const rule_action_labels[] = { "Accept", "Drop", "Reject" };
static const char *const nat_type_labels[] = { "Masquerade", "Source NAT to a fixed address" };
static const char *const nat_family_labels[] = { "IPv4", "IPv6" };

#define ALIAS_NAME_PATTERN "[A-Za-z][A-Za-z0-9_]{0,31}"
#define ALIAS_NAME_SAYS \
	"is not an alias name: a letter, then letters, digits or _ (32 at most)"

static void ip_alias_check(const json_t *el, const char *path, const json_t *doc,
			   struct sc_error_list *errs);
static void forward_check(const json_t *el, const char *path, const json_t *doc,
			  struct sc_error_list *errs);
static void rule_check(const json_t *el, const char *path, const json_t *doc,
		       struct sc_error_list *errs);
static void nat_check(const json_t *el, const char *path, const json_t *doc,
		      struct sc_error_list *errs);
static void firewall_check(const json_t *sec, const char *path, const json_t *doc,
			   struct sc_error_list *errs);

static const char *const when_manual[] = { "manual", NULL };
static const char *const when_automated[] = { "automated", NULL };
static const char *const when_ports[] = { "tcp", "udp", "tcpudp", NULL };
static const char *const when_snat[] = { "snat", NULL };

static const struct sc_field ip_alias_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1, .max = 32,
	  .pattern = ALIAS_NAME_PATTERN, .pattern_says = ALIAS_NAME_SAYS, .title = "Name",
	  .unique = "firewall alias names",
	  .help = "How rules name the alias: a letter, then letters, digits or _." },
	{ .name = "type", .kind = SC_ENUM, .choices = alias_types, .labels = alias_type_labels,
	  .def = "\"manual\"",
	  .title = "Type", .help = "manual: addresses you list; automated: country lists kept up to date." },
	{ .name = "addresses", .kind = SC_LIST, .item = SC_STRING, .max = 65536, .def = "[]",
	  .title = "Addresses",
	  .help = "CIDRs (a bare address is one host), all IPv4 or all IPv6: an alias never mixes them.",
	  .when = { "type", when_manual } },
	{ .name = "countries", .kind = SC_LIST, .item = SC_STRING, .max = 250, .min = 0,
	  .def = "[]", .pattern = "[a-z]{2}", .title = "Countries",
	  .help = "Country codes (ISO 3166, e.g. af) whose address lists the alias holds.",
	  .when = { "type", when_automated } },
	{ .name = "description", .kind = SC_STRING, .max = 128, .title = "Description" },
	{ .name = NULL }
};

static const struct sc_field port_alias_fields[] = {
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1, .max = 32,
	  .pattern = ALIAS_NAME_PATTERN, .pattern_says = ALIAS_NAME_SAYS, .title = "Name",
	  .unique = "firewall alias names",
	  .help = "How rules name the alias: a letter, then letters, digits or _." },
	{ .name = "ports", .kind = SC_LIST, .item = SC_PORT_RANGE, .flags = SC_F_REQUIRED, .min = 1,
	  .max = 1024, .title = "Ports", .help = "Ports and ranges, e.g. 80 443 8000-8080." },
	{ .name = "description", .kind = SC_STRING, .max = 128, .title = "Description" },
	{ .name = NULL }
};

static const struct sc_field forward_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = "description", .kind = SC_STRING, .max = 128, .title = "Description" },
	{ .name = "proto", .kind = SC_ENUM, .choices = fw_protos, .labels = fw_proto_labels,
	  .def = "\"tcpudp\"",
	  .title = "Protocol" },
	{ .name = "src", .kind = SC_LIST, .item = SC_STRING, .max = 64, .def = "[]",
	  .title = "Source",
	  .help = "Who may use the forward: IPv4 CIDRs or IP alias names; empty: anyone." },
	{ .name = "wan_port", .kind = SC_PORT_RANGE, .flags = SC_F_REQUIRED, .title = "WAN port",
	  .help = "Port or range (e.g. 2525 or 20000-30000) on the router's WAN address." },
	{ .name = "lan_ip", .kind = SC_IPV4, .flags = SC_F_REQUIRED, .title = "LAN address",
	  .help = "The LAN host that receives the traffic." },
	{ .name = "lan_port", .kind = SC_PORT_RANGE, .title = "LAN port",
	  .help = "Port on the LAN host; empty: the same port(s) as on the WAN. A WAN range goes to one port or keeps its ports." },
	{ .name = "reflection", .kind = SC_BOOL, .def = "true", .title = "NAT reflection",
	  .help = "LAN clients reach the forward through the WAN address too." },
	{ .name = NULL }
};

static const struct sc_field rule_fields[] = {
	{ .name = "description", .kind = SC_STRING, .max = 128, .title = "Description" },
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = "family", .kind = SC_ENUM, .choices = rule_families, .labels = rule_family_labels,
	  .def = "\"any\"",
	  .title = "Family", .help = "IPv4, IPv6 or both." },
	{ .name = "proto", .kind = SC_ENUM, .choices = rule_protos, .labels = rule_proto_labels,
	  .def = "\"all\"",
	  .title = "Protocol" },
	/* zones and action have no default: a rule says what it lets through
	 * (before, an empty rule accepted everything from the WAN to the LAN;
	 * rules stored then keep that meaning through stored_def) */
	{ .name = "src_zone", .kind = SC_ENUM, .choices = src_zones, .labels = src_zone_labels,
	  .flags = SC_F_REQUIRED, .stored_def = "\"wan\"",
	  .title = "Source zone", .help = "Where the traffic comes from; router: the router itself." },
	{ .name = "src", .kind = SC_LIST, .item = SC_STRING, .max = 64, .def = "[]",
	  .title = "Source addresses", .help = "CIDRs or IP alias names; empty: any." },
	{ .name = "src_ports", .kind = SC_LIST, .item = SC_PORT_RANGE, .max = 64, .def = "[]",
	  .title = "Source ports",
	  .when = { "proto", when_ports } },
	{ .name = "dest_zone", .kind = SC_ENUM, .choices = dest_zones, .labels = dest_zone_labels,
	  .flags = SC_F_REQUIRED, .stored_def = "\"lan\"",
	  .title = "Destination zone", .help = "Where the traffic goes; router: the router itself." },
	{ .name = "dest", .kind = SC_LIST, .item = SC_STRING, .max = 64, .def = "[]",
	  .title = "Destination addresses", .help = "CIDRs or IP alias names; empty: any." },
	{ .name = "dest_ports", .kind = SC_LIST, .item = SC_STRING, .max = 64, .def = "[]",
	  .title = "Destination ports",
	  .help = "Ports, ranges or a port alias; a port may name its protocol: 6067/udp, 20000-30000/udp.",
	  .when = { "proto", when_ports } },
	{ .name = "action", .kind = SC_ENUM, .choices = rule_actions, .labels = rule_action_labels,
	  .flags = SC_F_REQUIRED, .stored_def = "\"accept\"",
	  .title = "Action", .help = "reject answers at once; drop stays silent." },
	{ .name = "index", .kind = SC_INT, .flags = SC_F_SEQUENCE, .min = 1, .max = 1000000,
	  .title = "Index",
	  .help = "Order of evaluation, lowest first. New rules go last." },
	{ .name = NULL }
};

static const struct sc_field nat_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled" },
	{ .name = "description", .kind = SC_STRING, .max = 128, .title = "Description" },
	{ .name = "type", .kind = SC_ENUM, .choices = nat_types, .labels = nat_type_labels,
	  .def = "\"masquerade\"",
	  .title = "Type", .help = "masquerade: the outgoing interface's address; snat: a fixed address." },
	{ .name = "family", .kind = SC_ENUM, .choices = nat_families, .labels = nat_family_labels,
	  .def = "\"ipv4\"",
	  .title = "Family" },
	{ .name = "src", .kind = SC_LIST, .item = SC_STRING, .max = 64, .def = "[]",
	  .title = "Source addresses", .help = "CIDRs or IP alias names; empty: any." },
	{ .name = "dest", .kind = SC_LIST, .item = SC_STRING, .max = 64, .def = "[]",
	  .title = "Destination addresses", .help = "CIDRs or IP alias names; empty: any." },
	{ .name = "out_zone", .kind = SC_ENUM, .choices = dest_zones + 1, .labels = dest_zone_labels + 1,
	  .def = "\"wan\"",
	  .title = "Outgoing zone", .help = "Zone of the interface the traffic leaves by." },
	{ .name = "snat_address", .kind = SC_STRING, .max = 64, .title = "SNAT address",
	  .help = "snat: the source address to write (of the rule's family).",
	  .when = { "type", when_snat } },
	{ .name = NULL }
};

static const struct sc_field firewall_fields[] = {
	{ .name = "wan_ping", .kind = SC_BOOL, .def = "true", .title = "Answer ping on WAN",
	  .help = "Reply to ICMP echo requests that arrive on the WAN." },
	{ .name = "forward_lan_to_wan", .kind = SC_BOOL, .def = "true",
	  .title = "LAN to WAN", .help = "Let LAN clients reach the internet (with masquerade)." },
	{ .name = "ip_aliases", .kind = SC_COLLECTION, .fields = ip_alias_fields, .max = 1000,
	  .check = ip_alias_check, .title = "IP aliases",
	  .help = "Named groups of addresses that rules use as source or destination." },
	{ .name = "port_aliases", .kind = SC_COLLECTION, .fields = port_alias_fields, .max = 1000,
	  .title = "Port aliases",
	  .help = "Named groups of ports that rules use as destination ports." },
	{ .name = "port_forwards", .kind = SC_COLLECTION, .fields = forward_fields, .max = 10000,
	  .check = forward_check, .title = "Port forwards",
	  .help = "WAN ports sent on to a LAN host." },
	{ .name = "rules", .kind = SC_COLLECTION, .fields = rule_fields, .max = 100000,
	  .check = rule_check, .title = "Traffic rules",
	  .help = "Allow or block traffic between zones, in index order." },
	{ .name = "nat", .kind = SC_COLLECTION, .fields = nat_fields, .max = 1000,
	  .check = nat_check, .title = "NAT rules", .help = "Source NAT and masquerade." },
	{ .name = "lists_url_v4", .kind = SC_STRING, .min = 8, .max = 512,
	  .def = "\"https://www.ipdeny.com/ipblocks/data/aggregated/{cc}-aggregated.zone\"",
	  .pattern = "https?://[^ ]*\\{cc\\}[^ ]*", .title = "Country lists URL (IPv4)",
	  .help = "Where \"Update lists\" fetches a country's IPv4 list; {cc} is the country code." },
	{ .name = "lists_url_v6", .kind = SC_STRING, .min = 8, .max = 512,
	  .def = "\"https://www.ipdeny.com/ipv6/ipaddresses/aggregated/{cc}-aggregated.zone\"",
	  .pattern = "https?://[^ ]*\\{cc\\}[^ ]*", .title = "Country lists URL (IPv6)",
	  .help = "Where \"Update lists\" fetches a country's IPv6 list; {cc} is the country code." },
	{ .name = NULL }
};

const struct sc_field firewall_section = {
	.name = "firewall", .kind = SC_OBJECT, .fields = firewall_fields, .check = firewall_check,
	.title = "Firewall",
	.help = "Zones, aliases, port forwards, traffic rules and NAT.",
};

/* ---- lookups ---- */

bool fw_is_alias_name(const char *s)
{
	if (!s || !isalpha((unsigned char)*s))
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return strlen(s) <= 32;
}

static const json_t *find_named(const json_t *doc, const char *coll, const char *name)
{
	json_t *el;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(doc, "firewall"), coll), i, el) {
		const char *n = json_string_value(json_object_get(el, "name"));
		if (n && !strcmp(n, name))
			return el;
	}
	return NULL;
}

const json_t *fw_ip_alias(const json_t *doc, const char *name)
{
	return find_named(doc, "ip_aliases", name);
}

const json_t *fw_port_alias(const json_t *doc, const char *name)
{
	return find_named(doc, "port_aliases", name);
}

/* "<path>.<key>" in the caller's buffer: checks run for every entry */
struct fw_path {
	char s[320];
};

static const char *item_path(struct fw_path *b, const char *path, const char *key)
{
	size_t room = sizeof(b->s) - 1, lp = strlen(path), lk = strlen(key), n;

	/* paths of the schema are far shorter; a longer one is cut */
	if (lp > room)
		lp = room;
	memcpy(b->s, path, lp);
	n = lp;
	if (n < room)
		b->s[n++] = '.';
	if (lk > room - n)
		lk = room - n;
	memcpy(b->s + n, key, lk);
	b->s[n + lk] = '\0';
	return b->s;
}

/* ---- aliases ---- */

static void ip_alias_check(const json_t *el, const char *path, const json_t *doc,
			   struct sc_error_list *errs)
{
	const char *type = json_string_value(json_object_get(el, "type"));
	json_t *addrs = json_object_get(el, "addresses"), *cs = json_object_get(el, "countries");
	bool automated = type && !strcmp(type, "automated");
	const char *first = NULL;
	int family = 0;
	size_t i;
	json_t *v;
	const char *p;
	struct fw_path pb, pb2;

	(void)doc;
	p = item_path(&pb, path, automated ? "countries" : "addresses");
	if (automated && json_array_size(addrs) > 0) {
		const char *pa = item_path(&pb2, path, "addresses");
		sc_error_add(errs, pa, NULL, "must be empty in an automated alias (it holds country lists)");
	}
	if (!automated && json_array_size(cs) > 0) {
		const char *pc = item_path(&pb2, path, "countries");
		sc_error_add(errs, pc, NULL, "are only for automated aliases");
	}
	if (json_array_size(automated ? cs : addrs) == 0)
		sc_error_add(errs, p, NULL, "%s", automated ? "must name at least one country"
							 : "must hold at least one address");
	if (automated) {
		json_array_foreach(cs, i, v) {
			const char *cc = json_string_value(v);
			if (cc && !fw_country_name(cc))
				sc_error_add(errs, p, cc, "is not an ISO 3166 country code");
		}
		return;
	}
	json_array_foreach(addrs, i, v) {
		const char *s = json_string_value(v);
		struct net_prefix c;
		char why[128];

		if (!s)
			continue;
		if (!fw_cidr_parse(s, false, &c, why, sizeof(why))) {
			sc_error_add(errs, p, s, "%s", why);
			continue;
		}
		if (!family) {
			family = c.family;
			first = s;
		} else if (c.family != family) {
			sc_error_add(errs, p, s,
				     "is IPv%d but %s is IPv%d: an alias holds IPv4 or IPv6 addresses, never both",
				     c.family, first, family);
			break;
		}
	}
}

/* ---- address and port fields of rules ---- */

/*
 * Each item of an address list: a CIDR or the name of an IP alias. want is
 * 0 (any family), 4 or 6; the families found are ORed into *families
 * (bit 1: IPv4, bit 2: IPv6).
 */
static void check_addr_list(const json_t *list, const char *path, const json_t *doc, int want,
			    struct sc_error_list *errs, unsigned *families)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		const json_t *alias;
		struct net_prefix c;
		char why[128];

		if (!s)
			continue;
		if (fw_is_alias_name(s)) {
			unsigned fam;
			alias = fw_ip_alias(doc, s);
			if (!alias) {
				sc_error_add(errs, path, s, "is not the name of an IP alias");
				continue;
			}
			fam = fw_alias_families(alias);
			if (want && !(fam & (want == 4 ? 1u : 2u))) {
				sc_error_add(errs, path, s, "is an IPv%d alias, this rule is IPv%d only",
					     want == 4 ? 6 : 4, want);
				continue;
			}
			*families |= fam;
			continue;
		}
		if (!fw_cidr_parse(s, false, &c, why, sizeof(why))) {
			sc_error_add(errs, path, s, "is neither an address (%s) nor an alias name", why);
			continue;
		}
		if (want && c.family != want) {
			sc_error_add(errs, path, s, "is an IPv%d address, this rule is IPv%d only",
				     c.family, want);
			continue;
		}
		*families |= c.family == 4 ? 1u : 2u;
	}
}

/*
 * "80", "20000-30000", "6067/udp", "20000-30000/udp", or a port alias name.
 * Returns the protocol bits the item needs (1 tcp, 2 udp, 3 either) or 0
 * if invalid (error added).
 */
static unsigned check_port_item(const char *s, const char *path, const json_t *doc,
				struct sc_error_list *errs)
{
	static const struct sc_field range = { .name = "port", .kind = SC_PORT_RANGE };
	const char *slash = strchr(s, '/');
	unsigned need = 3;
	char why[128], *num;
	long lo, hi;
	json_t *j;
	bool ok;

	if (fw_is_alias_name(s)) {
		if (!fw_port_alias(doc, s)) {
			sc_error_add(errs, path, s, "is not a port, a range or the name of a port alias");
			return 0;
		}
		return 3;
	}
	if (slash) {
		if (!strcmp(slash, "/tcp"))
			need = 1;
		else if (!strcmp(slash, "/udp"))
			need = 2;
		else {
			sc_error_add(errs, path, s, "names the protocol \"%s\": only /tcp or /udp", slash + 1);
			return 0;
		}
	}
	num = xstrndup(s, slash ? (size_t)(slash - s) : strlen(s));
	if (sc_port_range_parse(num, &lo, &hi)) { /* the common case, without a JSON value */
		free(num);
		return need;
	}
	j = json_string(num);
	ok = sc_check_scalar(&range, SC_PORT_RANGE, j, why, sizeof(why));
	json_decref(j);
	free(num);
	if (!ok) {
		sc_error_add(errs, path, s, "%s", why);
		return 0;
	}
	return need;
}

static unsigned proto_bits(const char *proto)
{
	if (!proto)
		return 0;
	if (!strcmp(proto, "tcp"))
		return 1;
	if (!strcmp(proto, "udp"))
		return 2;
	if (!strcmp(proto, "tcpudp"))
		return 3;
	return 0;
}

static int family_num(const char *f)
{
	return f && !strcmp(f, "ipv4") ? 4 : f && !strcmp(f, "ipv6") ? 6 : 0;
}

static void rule_check(const json_t *el, const char *path, const json_t *doc,
		       struct sc_error_list *errs)
{
	const char *proto = json_string_value(json_object_get(el, "proto"));
	const char *sz = json_string_value(json_object_get(el, "src_zone"));
	const char *dz = json_string_value(json_object_get(el, "dest_zone"));
	int want = family_num(json_string_value(json_object_get(el, "family")));
	unsigned have = proto_bits(proto), fs = 0, fd = 0;
	json_t *ports = json_object_get(el, "dest_ports"), *v;
	const char *p;
	struct fw_path pb;
	size_t i;

	p = item_path(&pb, path, "src");
	check_addr_list(json_object_get(el, "src"), p, doc, want, errs, &fs);
	p = item_path(&pb, path, "dest");
	check_addr_list(json_object_get(el, "dest"), p, doc, want, errs, &fd);
	if (!want && fs && fd && !(fs & fd)) {
		p = item_path(&pb, path, "dest");
		sc_error_add(errs, p, NULL, "holds only IPv%d addresses while the source holds only IPv%d",
			     fd & 1 ? 4 : 6, fs & 1 ? 4 : 6);
	}
	if (sz && dz && !strcmp(sz, "router") && !strcmp(dz, "router")) {
		p = item_path(&pb, path, "dest_zone");
		sc_error_add(errs, p, dz, "cannot also be the source zone: traffic from the router to itself is always allowed");
	}
	p = item_path(&pb, path, "dest_ports");
	json_array_foreach(ports, i, v) {
		const char *s = json_string_value(v);
		unsigned need;

		if (!s)
			continue;
		need = check_port_item(s, p, doc, errs);
		if (!need)
			continue;
		if (!have) {
			sc_error_add(errs, p, s, "needs the protocol tcp, udp or tcpudp (the rule's is %s)",
				     proto ? proto : "unset");
			break;
		}
		if (need != 3 && !(need & have))
			sc_error_add(errs, p, s, "is a %s port but the rule's protocol is %s",
				     need == 1 ? "TCP" : "UDP", proto);
	}
	if (json_array_size(json_object_get(el, "src_ports")) > 0 && !have) {
		p = item_path(&pb, path, "src_ports");
		sc_error_add(errs, p, NULL, "need the protocol tcp, udp or tcpudp (the rule's is %s)",
			     proto ? proto : "unset");
	}
}

/* ---- port forwards ---- */

/* A LAN network of the router: the LAN's, or an enabled custom interface's
 * in zone lan. */
struct fw_lan_net {
	unsigned addr;
	int prefix;
};

static size_t lan_nets(const json_t *doc, struct fw_lan_net *out, size_t max)
{
	json_t *el;
	size_t i, n = 0;

	if (net_lan_subnet(doc, &out[0].addr, &out[0].prefix))
		n++;
	json_array_foreach(json_object_get(json_object_get(doc, "interfaces"), "custom"), i, el) {
		const json_t *en = json_object_get(el, "enabled");
		const char *zone = doc_str(el, "zone"), *a = doc_str(el, "ipv4_address");

		if (n < max && zone && !strcmp(zone, "lan") && a && !(en && !json_is_true(en)) &&
		    net_parse_cidr4(a, &out[n].addr, &out[n].prefix))
			n++;
	}
	return n;
}

/* The forward's target is a host of a LAN network, not the router itself:
 * traffic sent elsewhere would leave by the WAN again or be the router's. */
static void forward_target_check(const json_t *el, const char *path, const json_t *doc,
				 struct sc_error_list *errs)
{
	const char *ip_text = doc_str(el, "lan_ip");
	struct fw_lan_net nets[65];
	size_t n = lan_nets(doc, nets, 65);
	struct fw_path pb;
	const char *p = item_path(&pb, path, "lan_ip");
	char cidr[20];
	unsigned ip;

	if (!ip_text || !net_parse_ipv4(ip_text, &ip) || n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned m = net_mask(nets[i].prefix);

		if ((ip & m) != (nets[i].addr & m))
			continue;
		net_cidr_text(nets[i].addr, nets[i].prefix, cidr);
		if (ip == nets[i].addr)
			sc_error_add(errs, p, ip_text, "is the router's own address: a forward goes to a "
				     "LAN host (open a port of the router with a traffic rule to the router)");
		else if (nets[i].prefix < 31 && (ip == (nets[i].addr & m) || ip == (nets[i].addr | ~m)))
			sc_error_add(errs, p, ip_text, "is not a host address of %s", cidr);
		return;
	}
	net_cidr_text(nets[0].addr, nets[0].prefix, cidr);
	sc_error_add(errs, p, ip_text, "is outside the LAN %s%s: a forward goes to a LAN host",
		     cidr, n > 1 ? " and the LAN interfaces" : "");
}

static void forward_check(const json_t *el, const char *path, const json_t *doc,
			  struct sc_error_list *errs)
{
	const char *wan = json_string_value(json_object_get(el, "wan_port"));
	const char *lanp = json_string_value(json_object_get(el, "lan_port"));
	unsigned fams = 0;
	long wlo, whi, llo, lhi;
	const char *p;
	struct fw_path pb;

	p = item_path(&pb, path, "src");
	check_addr_list(json_object_get(el, "src"), p, doc, 4, errs, &fams);
	forward_target_check(el, path, doc, errs);
	/* nftables keeps a range's ports or sends them all to one port:
	 * a range cannot be shifted onto another range */
	if (lanp && sc_port_range_parse(wan, &wlo, &whi) &&
	    sc_port_range_parse(lanp, &llo, &lhi) && llo != lhi &&
	    (llo != wlo || lhi != whi)) {
		p = item_path(&pb, path, "lan_port");
		sc_error_add(errs, p, lanp, "must be one port, or the WAN range itself (%s)", wan);
	}
}

/* Overlapping enabled forwards that share a protocol: the first one stands.
 * Ranges are read once; the pairs compare numbers only. */
struct fw_span {
	const json_t *fwd;
	long lo, hi;
	unsigned protos;
};

static void forwards_overlap(const json_t *doc, struct sc_error_list *errs)
{
	const json_t *list = json_object_get(json_object_get(doc, "firewall"), "port_forwards");
	struct fw_span *sp = xcalloc(json_array_size(list) + 1, sizeof(*sp));
	size_t i, j, n = 0;

	for (i = 0; i < json_array_size(list); i++) {
		const json_t *a = json_array_get(list, i);
		const json_t *en = json_object_get(a, "enabled");
		struct fw_span *x = &sp[n];

		if ((en && !json_is_true(en)) ||
		    !sc_port_range_parse(json_string_value(json_object_get(a, "wan_port")), &x->lo, &x->hi))
			continue;
		x->fwd = a;
		x->protos = proto_bits(json_string_value(json_object_get(a, "proto")));
		for (j = 0; j < n; j++) {
			const struct fw_span *y = &sp[j];
			unsigned shared = x->protos & y->protos;
			struct fw_path pb;
			char at[64];

			if (!shared || x->hi < y->lo || y->hi < x->lo)
				continue;
			snprintf(at, sizeof(at), "firewall.port_forwards[%lld]",
				 (long long)json_integer_value(json_object_get(a, "id")));
			sc_error_add(errs, item_path(&pb, at, "wan_port"), doc_str(a, "wan_port"),
				     "overlaps %s/%s of firewall.port_forwards[%lld]", doc_str(y->fwd, "wan_port"),
				     shared == 3 ? "tcp+udp" : shared == 1 ? "tcp" : "udp",
				     (long long)json_integer_value(json_object_get(y->fwd, "id")));
			break;
		}
		n++;
	}
	free(sp);
}

/* ---- NAT ---- */

static void nat_check(const json_t *el, const char *path, const json_t *doc,
		      struct sc_error_list *errs)
{
	const char *type = json_string_value(json_object_get(el, "type"));
	const char *addr = json_string_value(json_object_get(el, "snat_address"));
	int want = family_num(json_string_value(json_object_get(el, "family")));
	unsigned fams = 0;
	const char *p;
	struct fw_path pb;

	p = item_path(&pb, path, "src");
	check_addr_list(json_object_get(el, "src"), p, doc, want, errs, &fams);
	p = item_path(&pb, path, "dest");
	check_addr_list(json_object_get(el, "dest"), p, doc, want, errs, &fams);
	p = item_path(&pb, path, "snat_address");
	if (type && !strcmp(type, "snat")) {
		struct net_prefix c;
		char why[128];

		if (!addr)
			sc_error_add(errs, p, NULL, "is required for an snat rule");
		else if (!fw_cidr_parse(addr, false, &c, why, sizeof(why)) ||
			 c.len != (c.family == 4 ? 32 : 128))
			sc_error_add(errs, p, addr, "is not an address");
		else if (c.family != want)
			sc_error_add(errs, p, addr, "is an IPv%d address in an IPv%d rule", c.family, want);
	} else if (addr) {
		sc_error_add(errs, p, addr, "is only for snat rules (masquerade uses the interface's address)");
	}
}

/* ---- whole section ---- */

static void firewall_check(const json_t *sec, const char *path, const json_t *doc,
			   struct sc_error_list *errs)
{
	(void)sec;
	(void)path;
	forwards_overlap(doc, errs);
}
