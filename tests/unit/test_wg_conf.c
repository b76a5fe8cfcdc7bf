/*
 * wg-quick files (features/vpn/wg_conf.h): the manual's two example files
 * imported to the client form's values, every refusal with its line, and
 * a written client file read back to the same values.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/vpn/wg_conf.h"
#include "t.h"
#include "t_json.h"

/* the manual's "Routing WAN Traffic" file, as printed */
static const char manual_wan[] =
	"[Interface]\n"
	"Address = 172.19.210.3/32,fc00:deeb:2a4e:0000:0000:0000:0000:0003/128\n"
	"PrivateKey = yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04=\n"
	"DNS = 1.1.1.1,2606:4700:4700::1111\n"
	"MTU = 1280\n"
	"\n"
	"[Peer]\n"
	"PublicKey = ySvXw64LcpJK5TOBglw64LcpJK5h7yN6bL5x4=\n"
	"AllowedIPs = 0.0.0.0/0,::0/0\n"
	"Endpoint = example.example.com:46170\n"
	"PersistentKeepalive = 25\n";

/* the manual's "Site-To-Site VPN" file */
static const char manual_site[] =
	"[Interface]\n"
	"Address = 172.19.210.2/32,fc00:deeb:2a4e:0000:0000:0000:0000:0002/128\n"
	"PrivateKey = wGiO88ShFkNXEbCWX/9Cw5UbV9goh4AgfLhKyoX0r1E=\n"
	"DNS = 172.19.210.1,fc00:deeb:2a4e::1\n"
	"MTU = 1280\n"
	"\n"
	"[Peer]\n"
	"PublicKey = ySvXw64LcpJK5TOaT7J5wDBBglcjrppg9h7yN6bL5x4=\n"
	"AllowedIPs = 172.19.210.1/24,fc00:deeb:2a4e::1/64,10.254.248.0/24\n"
	"Endpoint = example.example.com:46170\n"
	"PersistentKeepalive = 25\n";

#define KEY_A "yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04="
#define KEY_B "ySvXw64LcpJK5TOaT7J5wDBBglcjrppg9h7yN6bL5x4="
#define KEY_C "wGiO88ShFkNXEbCWX/9Cw5UbV9goh4AgfLhKyoX0r1E="

static json_t *parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return wg_conf_parse(text, strlen(text), err, errlen);
}

static void check_json(json_t *got, const char *want)
{
	json_t *w = J(want);

	if (!got || !json_equal(got, w)) {
		char *g = got ? json_dumps(got, JSON_SORT_KEYS) : NULL;
		char *ws = json_dumps(w, JSON_SORT_KEYS);

		fprintf(stderr, "    got  %s\n    want %s\n", g ? g : "(null)", ws);
		free(g);
		free(ws);
		T_CHECK(0);
	}
	json_decref(w);
}

static void test_manual_site_to_site(void)
{
	char err[256];
	json_t *c = parse(manual_site, err, sizeof(err));

	T_CHECK_STR(err, "");
	check_json(c, "{\"private_key\": \"" KEY_C "\","
		   "\"addresses\": [\"172.19.210.2/32\", \"fc00:deeb:2a4e::2/128\"],"
		   "\"dns\": [\"172.19.210.1\", \"fc00:deeb:2a4e::1\"], \"mtu\": 1280,"
		   "\"public_key\": \"" KEY_B "\","
		   "\"allowed_ips\": [\"172.19.210.0/24\", \"fc00:deeb:2a4e::/64\", "
		   "\"10.254.248.0/24\"],"
		   "\"endpoint\": \"example.example.com:46170\", \"keepalive\": 25,"
		   "\"notes\": [\"line 9: AllowedIPs 172.19.210.1/24 has host bits: imported as "
		   "its network 172.19.210.0/24\", \"line 9: AllowedIPs fc00:deeb:2a4e::1/64 has "
		   "host bits: imported as its network fc00:deeb:2a4e::/64\"]}");
	json_decref(c);
}

/* The manual's first file has a server key of 38 characters (a printing
 * error): refused on its line; with a whole key it imports. */
static void test_manual_wan(void)
{
	char err[256], *fixed;
	json_t *c = parse(manual_wan, err, sizeof(err));

	T_CHECK(c == NULL);
	T_CHECK_STR(err, "line 8: PublicKey \"ySvXw64LcpJK5TOBglw64LcpJK5h7yN6bL5x4=\" is not a "
		    "WireGuard key: 44 characters of base64, 32 bytes");
	/* the 38-character key replaced by a whole one */
	fixed = xasprintf("%.*s%s%s", (int)(strstr(manual_wan, "ySvX") - manual_wan), manual_wan,
			  KEY_B, strstr(manual_wan, "\nAllowedIPs"));
	c = parse(fixed, err, sizeof(err));
	T_CHECK_STR(err, "");
	check_json(c, "{\"private_key\": \"" KEY_A "\","
		   "\"addresses\": [\"172.19.210.3/32\", \"fc00:deeb:2a4e::3/128\"],"
		   "\"dns\": [\"1.1.1.1\", \"2606:4700:4700::1111\"], \"mtu\": 1280,"
		   "\"public_key\": \"" KEY_B "\","
		   "\"allowed_ips\": [\"0.0.0.0/0\", \"::/0\"],"
		   "\"endpoint\": \"example.example.com:46170\", \"keepalive\": 25}");
	json_decref(c);
	free(fixed);
}

/* wg-quick's leniencies: any case, comments, spaces, CRLF, lists over
 * several lines, bare addresses, search domains, a static port */
static void test_forms(void)
{
	char err[256];
	json_t *c = parse("# made by a provider\r\n"
			  "[interface]   # the client\r\n"
			  "  privatekey=" KEY_A "\r\n"
			  "ADDRESS = 10.0.0.2 , 2001:db8::2\r\n"
			  "address = 10.0.1.2/24\r\n"
			  "Dns = 10.0.0.1, corp.example, lan\r\n"
			  "ListenPort = 51821\r\n"
			  "[PEER]\r\n"
			  "PublicKey\t=\t" KEY_B "\r\n"
			  "PresharedKey = " KEY_C "\r\n"
			  "AllowedIPs = 10.0.0.0/24\r\n"
			  "AllowedIPs = 2001:db8::/64   # the other side\r\n"
			  "Endpoint = [2001:DB8:0::1]:51820\r\n"
			  "PersistentKeepalive = off\r\n", err, sizeof(err));

	T_CHECK_STR(err, "");
	check_json(c, "{\"private_key\": \"" KEY_A "\","
		   "\"addresses\": [\"10.0.0.2/32\", \"2001:db8::2/128\", \"10.0.1.2/24\"],"
		   "\"dns\": [\"10.0.0.1\"], \"dns_search\": [\"corp.example\", \"lan\"],"
		   "\"static_port\": true, \"listen_port\": 51821,"
		   "\"public_key\": \"" KEY_B "\", \"preshared_key\": \"" KEY_C "\","
		   "\"allowed_ips\": [\"10.0.0.0/24\", \"2001:db8::/64\"],"
		   "\"endpoint\": \"[2001:db8::1]:51820\", \"keepalive\": 0}");
	json_decref(c);
	c = parse("[Interface]\nPrivateKey = " KEY_A "\nAddress = 10.0.0.2/32\n[Peer]\n"
		  "PublicKey = " KEY_B "\nAllowedIPs = 0.0.0.0/0\nEndpoint = 192.0.2.1:51820",
		  err, sizeof(err));
	T_CHECK_STR(err, "");
	T_CHECK_STR(json_string_value(json_object_get(c, "endpoint")), "192.0.2.1:51820");
	T_CHECK(json_object_get(c, "keepalive") == NULL && json_object_get(c, "mtu") == NULL);
	json_decref(c);
}

#define IFACE "[Interface]\nPrivateKey = " KEY_A "\nAddress = 10.0.0.2/32\n"
#define PEER "[Peer]\nPublicKey = " KEY_B "\nAllowedIPs = 0.0.0.0/0\nEndpoint = vpn.example:51820\n"

static void refused(const char *text, const char *want)
{
	char err[256];
	json_t *c = parse(text, err, sizeof(err));

	T_CHECK(c == NULL);
	T_CHECK_STR(err, want);
	json_decref(c);
}

static void test_errors(void)
{
	/* keys wg-quick has and the router refuses */
	refused(IFACE "DNS = 1.1.1.1\nMTU = 1280\nListenPort = 5\nPostUp = iptables -F\n" PEER,
		"line 7: PostUp is not supported: the router runs no commands from a VPN file");
	refused(IFACE "predown = x\n" PEER,
		"line 4: PreDown is not supported: the router runs no commands from a VPN file");
	refused(IFACE "Table = off\n" PEER, "line 4: Table is not supported: the router routes "
		"AllowedIPs itself (above the WANs' metric); use a policy route to send traffic "
		"through the client");
	refused(IFACE "FwMark = 0x1\n" PEER,
		"line 4: FwMark is not supported: the router marks no traffic for a VPN client");
	refused(IFACE "SaveConfig = true\n" PEER,
		"line 4: SaveConfig is not supported: the router keeps the configuration itself");
	refused(IFACE "Colour = blue\n" PEER, "line 4: Colour is not a key of a WireGuard file");
	refused(IFACE PEER "Address = 10.0.0.3/32\n",
		"line 8: Address belongs in [Interface], not in [Peer]");
	/* malformed values */
	refused("[Interface]\nPrivateKey = abc\n",
		"line 2: PrivateKey (3 characters) is not a WireGuard key: 44 characters of "
		"base64, 32 bytes");
	/* 44 characters, but the last one's unused bits set: not a canonical key */
	refused("[Interface]\nPrivateKey = yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX05=\n",
		"line 2: PrivateKey (44 characters) is not a WireGuard key: 44 characters of "
		"base64, 32 bytes");
	refused(IFACE "[Peer]\nPublicKey = " KEY_B "x\n",
		"line 5: PublicKey \"" KEY_B "x\" is not a WireGuard key: 44 characters of "
		"base64, 32 bytes");
	refused(IFACE "[Peer]\nPresharedKey = not a key\n",
		"line 5: PresharedKey (9 characters) is not a WireGuard key: 44 characters of "
		"base64, 32 bytes");
	refused("[Interface]\nAddress = 10.0.0.300/32\n",
		"line 2: Address \"10.0.0.300/32\" is not an IPv4 or IPv6 address (with its "
		"length)");
	refused("[Interface]\nAddress = 10.0.0.3/33\n",
		"line 2: Address \"10.0.0.3/33\" is not an IPv4 or IPv6 address (with its length)");
	refused("[Interface]\nAddress = 10.0.0.3/32,,10.0.0.4/32\n",
		"line 2: Address has an empty entry");
	refused("[Interface]\nDNS = 1.1.1.1, bad_name!\n",
		"line 2: DNS \"bad_name!\" is not an IPv4 or IPv6 address or a search domain");
	refused("[Interface]\nDNS = 1.1.1.256\n",
		"line 2: DNS \"1.1.1.256\" is not an IPv4 or IPv6 address or a search domain");
	refused("[Interface]\nMTU = 9000\n", "line 2: MTU \"9000\" is not a number from 1280 to 1500");
	refused("[Interface]\nListenPort = 0\n",
		"line 2: ListenPort \"0\" is not a number from 1 to 65535");
	refused(IFACE "[Peer]\nAllowedIPs = 10.0.0.0/8, fe80::/ten\n",
		"line 5: AllowedIPs \"fe80::/ten\" is not an IPv4 or IPv6 network");
	refused(IFACE "[Peer]\nEndpoint = 2001:db8::1:51820\n",
		"line 5: Endpoint \"2001:db8::1:51820\" is not host:port ([IPv6]:port for an IPv6 "
		"address, port 1-65535)");
	refused(IFACE "[Peer]\nEndpoint = vpn.example:70000\n",
		"line 5: Endpoint \"vpn.example:70000\" is not host:port ([IPv6]:port for an IPv6 "
		"address, port 1-65535)");
	refused(IFACE "[Peer]\nEndpoint = vpn.example\n",
		"line 5: Endpoint \"vpn.example\" is not host:port ([IPv6]:port for an IPv6 "
		"address, port 1-65535)");
	refused(IFACE "[Peer]\nPersistentKeepalive = -1\n",
		"line 5: PersistentKeepalive \"-1\" is not a number from 0 to 65535");
	refused(IFACE "[Peer]\nEndpoint =\n", "line 5: Endpoint has no value");
	refused(IFACE "[Peer]\nthis line has no equals sign\n",
		"line 5: \"this line has no equals sign\" is not key = value");
	/* a value quoted in a message: printable, cut */
	refused(IFACE "[Peer]\nEndpoint = \x01\xff"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		"line 5: Endpoint \"??aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not "
		"host:port ([IPv6]:port for an IPv6 address, port 1-65535)");
	/* duplicates of single keys */
	refused(IFACE "PrivateKey = " KEY_C "\n" PEER,
		"line 4: PrivateKey is given twice (first on line 2)");
	refused(IFACE "MTU = 1280\nmtu = 1400\n" PEER, "line 5: MTU is given twice (first on line 4)");
	refused(IFACE PEER "Endpoint = vpn.example:1\n",
		"line 8: Endpoint is given twice (first on line 7)");
	/* sections */
	refused(PEER, "line 4: no [Interface] section: the client's PrivateKey and Address go "
		"there");
	refused(IFACE "\n# nothing else\n", "line 5: no [Peer] section: the server's PublicKey, "
		"AllowedIPs and Endpoint go there");
	refused("", "line 1: no [Interface] section: the client's PrivateKey and Address go there");
	refused(IFACE PEER "[Peer]\nPublicKey = " KEY_C "\n",
		"line 8: a second [Peer] (the first is on line 4): a client has one server");
	refused(IFACE IFACE, "line 4: a second [Interface] (the first is on line 1)");
	refused("PrivateKey = " KEY_A "\n" IFACE,
		"line 1: text outside a section: keys go under [Interface] or [Peer]");
	refused("[Interface\n", "line 1: [Interface is not a section: [Interface] or [Peer]");
	refused("[WireGuard]\n", "line 1: [WireGuard] is not a section: [Interface] or [Peer]");
	/* keys a section must have: named at the section's line */
	refused("[Interface]\nAddress = 10.0.0.2/32\n" PEER, "line 1: [Interface] has no PrivateKey");
	refused("[Interface]\nPrivateKey = " KEY_A "\n" PEER, "line 1: [Interface] has no Address");
	refused(IFACE "[Peer]\nAllowedIPs = 0.0.0.0/0\nEndpoint = a.b:1\n",
		"line 4: [Peer] has no PublicKey");
	refused(IFACE "[Peer]\nPublicKey = " KEY_B "\nEndpoint = a.b:1\n",
		"line 4: [Peer] has no AllowedIPs");
	refused(IFACE "[Peer]\nPublicKey = " KEY_B "\nAllowedIPs = ::/0\n",
		"line 4: [Peer] has no Endpoint");
}

static void test_limits(void)
{
	char err[256], *big = xmalloc(WG_CONF_MAX + 2);
	json_t *c;

	/* a NUL in the text */
	c = wg_conf_parse(IFACE "\0" PEER, sizeof(IFACE PEER), err, sizeof(err));
	T_CHECK(c == NULL);
	T_CHECK_STR(err, "line 4: a NUL byte: not a text file");
	/* 64 KiB of comments and the file around them: read; a byte more: refused */
	memset(big, '#', WG_CONF_MAX);
	memcpy(big, IFACE PEER, strlen(IFACE PEER));
	big[strlen(IFACE PEER)] = '\n';
	c = wg_conf_parse(big, WG_CONF_MAX, err, sizeof(err));
	T_CHECK(c != NULL);
	json_decref(c);
	big[WG_CONF_MAX] = '#';
	c = wg_conf_parse(big, WG_CONF_MAX + 1, err, sizeof(err));
	T_CHECK(c == NULL);
	T_CHECK_STR(err, "the file is 65537 bytes: a WireGuard file is at most 65536");
	free(big);
}

static const char emitted[] =
	"[Interface]\n"
	"PrivateKey = " KEY_A "\n"
	"Address = 10.7.0.2/32, fd00:7::2/128\n"
	"DNS = 10.7.0.1, fd00:7::1, home.example\n"
	"MTU = 1420\n"
	"\n"
	"[Peer]\n"
	"PublicKey = " KEY_B "\n"
	"PresharedKey = " KEY_C "\n"
	"AllowedIPs = 0.0.0.0/0, ::/0\n"
	"Endpoint = [2001:db8::1]:51820\n"
	"PersistentKeepalive = 25\n";

static void test_emit(void)
{
	char err[256];
	json_t *c = J("{\"private_key\": \"" KEY_A "\", \"addresses\": [\"10.7.0.2/32\", "
		      "\"fd00:7:0::2\"], \"dns\": [\"10.7.0.1\", \"fd00:7::1\"], \"dns_search\": "
		      "[\"home.example\"], \"mtu\": 1420, \"public_key\": \"" KEY_B "\", "
		      "\"preshared_key\": \"" KEY_C "\", \"allowed_ips\": [\"0.0.0.0/0\", "
		      "\"::/0\"], \"endpoint\": \"[2001:db8::1]:51820\", \"keepalive\": 25}");
	char *text = wg_conf_emit(c, err, sizeof(err)), *again;
	json_t *back;

	T_CHECK_STR(text, emitted);
	/* read back: the same values (in canonical text) */
	back = parse(text, err, sizeof(err));
	T_CHECK_STR(err, "");
	json_object_set_new(c, "addresses", J("[\"10.7.0.2/32\", \"fd00:7::2/128\"]"));
	again = json_dumps(c, 0);
	check_json(back, again);
	free(again);
	again = wg_conf_emit(back, err, sizeof(err));
	T_CHECK_STR(again, emitted);
	free(again);
	free(text);
	json_decref(back);

	/* no keepalive and no DNS: their lines left out; a static port written */
	json_object_set_new(c, "keepalive", json_integer(0));
	json_object_del(c, "dns");
	json_object_del(c, "dns_search");
	json_object_del(c, "preshared_key");
	json_object_set_new(c, "static_port", json_true());
	json_object_set_new(c, "listen_port", json_integer(51000));
	json_object_set_new(c, "endpoint", json_string("vpn.example:51820"));
	text = wg_conf_emit(c, err, sizeof(err));
	T_CHECK_STR(text, "[Interface]\nPrivateKey = " KEY_A "\nAddress = 10.7.0.2/32, "
		    "fd00:7::2/128\nMTU = 1420\nListenPort = 51000\n\n[Peer]\nPublicKey = " KEY_B
		    "\nAllowedIPs = 0.0.0.0/0, ::/0\nEndpoint = vpn.example:51820\n");
	free(text);
	json_decref(c);
}

/* the manual's file, imported, written and imported again: the same */
static void test_round_trip(void)
{
	char err[256], *text;
	json_t *c = parse(manual_site, err, sizeof(err)), *back;

	json_object_del(c, "notes");
	text = wg_conf_emit(c, err, sizeof(err));
	T_CHECK(text != NULL);
	back = parse(text ? text : "", err, sizeof(err));
	T_CHECK(back && json_equal(back, c));
	free(text);
	json_decref(back);
	json_decref(c);
}

static void emit_refused(const char *field, const char *value, const char *want)
{
	char err[256];
	json_t *c = J("{\"private_key\": \"" KEY_A "\", \"addresses\": [\"10.7.0.2/32\"], "
		      "\"public_key\": \"" KEY_B "\", \"allowed_ips\": [\"0.0.0.0/0\"], "
		      "\"endpoint\": \"vpn.example:51820\"}");
	char *text;

	if (value)
		json_object_set_new(c, field, J(value));
	else
		json_object_del(c, field);
	text = wg_conf_emit(c, err, sizeof(err));
	T_CHECK(text == NULL);
	T_CHECK_STR(err, want);
	free(text);
	json_decref(c);
}

/* what would not read back the same is not written */
static void test_emit_refuses(void)
{
	emit_refused("endpoint", "\"vpn.example:1\\nPostUp = rm -rf /\"",
		     "endpoint \"vpn.example:1?PostUp = rm -rf /\" is not host:port ([IPv6]:port "
		     "for an IPv6 address)");
	emit_refused("endpoint", "\"2001:db8::1:51820\"", "endpoint \"2001:db8::1:51820\" is not "
		     "host:port ([IPv6]:port for an IPv6 address)");
	emit_refused("allowed_ips", "[\"10.0.0.1/8\"]", "allowed_ips \"10.0.0.1/8\" is not an "
		     "IPv4 or IPv6 network without host bits");
	emit_refused("allowed_ips", "[]", "allowed_ips is missing: a list of at least one entry");
	emit_refused("addresses", NULL, "addresses is missing: a list of at least one entry");
	emit_refused("private_key", "\"short\"", "private_key is not a WireGuard key: 44 "
		     "characters of base64, 32 bytes");
	emit_refused("public_key", NULL, "public_key is missing: 44 characters of base64, 32 bytes");
	emit_refused("dns", "[\"one.one\"]", "dns \"one.one\" is not an IPv4 or IPv6 address");
	emit_refused("mtu", "9000", "mtu is not a number from 1280 to 1500");
	emit_refused("static_port", "true", "listen_port is missing: static_port needs it");
	emit_refused("endpoint", NULL, "endpoint is missing");
}

static void test_endpoint_text(void)
{
	char out[300];

	T_CHECK(wg_conf_endpoint_text("2001:db8:0:0::1", 51820, out, sizeof(out)));
	T_CHECK_STR(out, "[2001:db8::1]:51820");
	T_CHECK(wg_conf_endpoint_text("192.0.2.1", 1, out, sizeof(out)));
	T_CHECK_STR(out, "192.0.2.1:1");
	T_CHECK(wg_conf_endpoint_text("home.example", 65535, out, sizeof(out)));
	T_CHECK_STR(out, "home.example:65535");
	T_CHECK(!wg_conf_endpoint_text("home.example", 0, out, sizeof(out)));
	T_CHECK(!wg_conf_endpoint_text("home example", 1, out, sizeof(out)));
	T_CHECK(!wg_conf_endpoint_text("-home.example", 1, out, sizeof(out)));
	T_CHECK(wg_conf_key_ok(KEY_A) && !wg_conf_key_ok(KEY_A "A") && !wg_conf_key_ok(""));
}

int main(void)
{
	T_RUN(test_manual_site_to_site);
	T_RUN(test_manual_wan);
	T_RUN(test_forms);
	T_RUN(test_errors);
	T_RUN(test_limits);
	T_RUN(test_emit);
	T_RUN(test_round_trip);
	T_RUN(test_emit_refuses);
	T_RUN(test_endpoint_text);
	return t_done("wg_conf");
}
