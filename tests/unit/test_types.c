/* Unit tests of the value kinds (kinds.c, check_*.c, coerce.c) and the error list (errors.c). */
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "core/util.h"
#include "schema/kind_int.h"
#include "schema/schema.h"
#include "net/addr.h"
#include "net/ipv4.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Checks one value (JSON text, or a plain string when is_str) against
 * field f as kind; prints the value when the outcome is not the expected
 * one, since T_CHECK only shows the expression.
 */
static bool expect(const struct sc_field *f, enum sc_kind kind, const char *text,
		   bool is_str, bool want_ok, const char *want_why)
{
	char why[256] = "";
	json_error_t err;
	json_t *v;
	bool ok;

	v = is_str ? json_string(text) : json_loads(text, JSON_DECODE_ANY, &err);
	if (!v) {
		fprintf(stderr, "    bad test value %s\n", text);
		return false;
	}
	ok = sc_check_scalar(f, kind, v, why, sizeof(why));
	json_decref(v);
	if (ok != want_ok) {
		fprintf(stderr, "    %s %s: expected %s, got %s (%s)\n",
			sc_kind_name(kind), text, want_ok ? "valid" : "invalid",
			ok ? "valid" : "invalid", why);
		return false;
	}
	if (ok && why[0]) {
		fprintf(stderr, "    %s %s: reason written on success\n", sc_kind_name(kind), text);
		return false;
	}
	if (!ok && !why[0]) {
		fprintf(stderr, "    %s %s: no reason given\n", sc_kind_name(kind), text);
		return false;
	}
	if (want_why && strcmp(why, want_why) != 0) {
		fprintf(stderr, "    %s %s: reason \"%s\", expected \"%s\"\n",
			sc_kind_name(kind), text, why, want_why);
		return false;
	}
	return true;
}

/* Valid / invalid plain strings, valid / invalid JSON texts. */
#define T_GOOD_S(f, ...) T_EACH(f, true, true, __VA_ARGS__)
#define T_BAD_S(f, ...) T_EACH(f, true, false, __VA_ARGS__)
#define T_GOOD_J(f, ...) T_EACH(f, false, true, __VA_ARGS__)
#define T_BAD_J(f, ...) T_EACH(f, false, false, __VA_ARGS__)
#define T_EACH(f, is_str, ok, ...) do { \
	static const char *const v_[] = { __VA_ARGS__ }; \
	for (size_t i_ = 0; i_ < NELEM(v_); i_++) \
		T_CHECK(expect(&(f), (f).kind, v_[i_], is_str, ok, NULL)); \
	} while (0)
#define T_WHY_S(f, s, w) T_CHECK(expect(&(f), (f).kind, s, true, false, w))
#define T_WHY_J(f, j, w) T_CHECK(expect(&(f), (f).kind, j, false, false, w))

/* ---- kinds ---- */

static void test_kind_names(void)
{
	T_CHECK_STR(sc_kind_name(SC_OBJECT), "object");
	T_CHECK_STR(sc_kind_name(SC_INT), "int");
	T_CHECK_STR(sc_kind_name(SC_PORT_RANGE), "port_range");
	T_CHECK_STR(sc_kind_name(SC_IPV6_SUFFIX), "ipv6_suffix");
	T_CHECK_STR(sc_kind_name(SC_IFNAME), "ifname");
	T_CHECK_STR(sc_kind_name(SC__KIND_COUNT), "unknown");
	T_CHECK_STR(sc_kind_name((enum sc_kind)-1), "unknown");
	for (int k = 0; k < SC__KIND_COUNT; k++)
		T_CHECK(strcmp(sc_kind_name((enum sc_kind)k), "unknown") != 0);
}

static void test_bool(void)
{
	static const struct sc_field f = { .name = "enabled", .kind = SC_BOOL };

	T_GOOD_J(f, "true", "false");
	T_BAD_J(f, "0", "1", "\"true\"", "\"on\"", "null", "[]", "{}", "1.0");
	T_WHY_J(f, "\"yes\"", "is not true or false");
	T_WHY_J(f, "null", "is not true or false");
}

static void test_int(void)
{
	static const struct sc_field any = { .name = "n", .kind = SC_INT };
	static const struct sc_field mtu = { .name = "mtu", .kind = SC_INT, .min = 68, .max = 9000 };

	T_GOOD_J(any, "0", "-1", "1", "9223372036854775807", "-9223372036854775807");
	T_BAD_J(any, "1.5", "1.0", "\"1\"", "true", "null", "[1]", "{}");
	T_WHY_J(any, "\"12\"", "is not an integer");
	T_WHY_J(any, "2.5", "is not an integer");

	T_GOOD_J(mtu, "68", "1500", "9000");
	T_BAD_J(mtu, "67", "9001", "0", "-1500");
	T_WHY_J(mtu, "67", "is below the minimum 68");
	T_WHY_J(mtu, "9001", "is above the maximum 9000");
}

static void test_int_bounds(void)
{
	static const struct sc_field lone_min = { .name = "n", .kind = SC_INT, .min = 1 };
	static const struct sc_field lone_max = { .name = "n", .kind = SC_INT, .max = 10 };
	static const struct sc_field negative = { .name = "n", .kind = SC_INT, .min = -12, .max = 0 };

	/* a lone min means "at least", not the empty range [1, 0] */
	T_GOOD_J(lone_min, "1", "2", "1000000");
	T_WHY_J(lone_min, "0", "is below the minimum 1");
	T_GOOD_J(lone_max, "0", "10");
	T_WHY_J(lone_max, "-1", "is below the minimum 0");
	T_WHY_J(lone_max, "11", "is above the maximum 10");
	T_GOOD_J(negative, "-12", "-1", "0");
	T_WHY_J(negative, "1", "is above the maximum 0");
	T_WHY_J(negative, "-13", "is below the minimum -12");
}

static void test_string(void)
{
	static const struct sc_field any = { .name = "s", .kind = SC_STRING };
	static const struct sc_field name = { .name = "s", .kind = SC_STRING, .min = 2, .max = 8 };
	char why[128];
	json_t *v;

	T_GOOD_S(any, "", "a", "hello world", "caf\xc3\xa9", "quote\" and 'single'", "~!@#$%^&*()");
	T_BAD_S(any, "a\nb", "tab\there", "\x01", "end\r", "del\x7f");
	T_BAD_J(any, "1", "true", "null", "[\"a\"]", "{}");
	T_WHY_J(any, "42", "is not a string");
	T_WHY_S(any, "line\nbreak", "contains a control character");

	T_GOOD_S(name, "ab", "abcdefgh");
	T_BAD_S(name, "", "a", "abcdefghi");
	T_WHY_S(name, "a", "is shorter than 2 characters");
	T_WHY_S(name, "abcdefghi", "is longer than 8 characters");
	/* limits are in bytes: four 2-byte characters fill 8 */
	T_GOOD_S(name, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	T_WHY_S(name, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "is longer than 8 bytes");

	/* an embedded NUL must not hide the rest of the string */
	v = json_stringn("ab\0cd", 5);
	T_CHECK(!sc_check_scalar(&any, SC_STRING, v, why, sizeof(why)));
	T_CHECK_STR(why, "contains a control character");
	json_decref(v);
}

static void test_string_length_64(void)
{
	static const struct sc_field f = { .name = "s", .kind = SC_STRING, .max = 64 };
	char buf[70];

	memset(buf, 'x', sizeof(buf));
	buf[64] = '\0';
	T_CHECK(expect(&f, SC_STRING, buf, true, true, NULL));
	buf[64] = 'x';
	buf[65] = '\0';
	T_CHECK(expect(&f, SC_STRING, buf, true, false, "is longer than 64 characters"));
}

static void test_string_pattern(void)
{
	static const struct sc_field f = {
		.name = "s", .kind = SC_STRING, .pattern = "[a-z][a-z0-9_]*",
	};
	static const struct sc_field alt = {
		.name = "s", .kind = SC_STRING, .pattern = "abc|def",
	};
	static const struct sc_field broken = {
		.name = "s", .kind = SC_STRING, .pattern = "[a-",
	};

	T_GOOD_S(f, "a", "abc_1", "x9");
	T_BAD_S(f, "", "1abc", "Abc", "abc-d", "abc ", " abc");
	T_WHY_S(f, "9", "does not match the pattern [a-z][a-z0-9_]*");
	/* the whole alternation is anchored, not just its ends */
	T_GOOD_S(alt, "abc", "def");
	T_BAD_S(alt, "abcx", "xdef", "abcdef");
	T_WHY_S(broken, "a", "cannot be checked (invalid pattern in the schema)");
}

static void test_enum(void)
{
	static const char *const modes[] = { "dhcp", "static", NULL };
	static const struct sc_field f = { .name = "mode", .kind = SC_ENUM, .choices = modes };
	static const struct sc_field none = { .name = "mode", .kind = SC_ENUM };

	T_GOOD_S(f, "dhcp", "static");
	T_BAD_S(f, "", "DHCP", "dhcp ", "pppoe", "stat");
	T_BAD_J(f, "1", "null", "true");
	T_WHY_S(f, "pppoe", "is not one of: dhcp, static");
	T_WHY_J(f, "0", "is not a string");
	T_WHY_S(none, "dhcp", "is not an allowed value");
}

static void test_enum_small_why(void)
{
	static const char *const modes[] = { "dhcp", "static", "pppoe", NULL };
	static const struct sc_field f = { .name = "mode", .kind = SC_ENUM, .choices = modes };
	json_t *v = json_string("x");
	char why[12];

	/* a short buffer truncates the reason, it never overflows */
	T_CHECK(!sc_check_scalar(&f, SC_ENUM, v, why, sizeof(why)));
	T_CHECK_STR(why, "is not one ");
	T_CHECK(!sc_check_scalar(&f, SC_ENUM, v, NULL, 0));
	json_decref(v);
}

static void test_ipv4(void)
{
	static const struct sc_field f = { .name = "ip", .kind = SC_IPV4 };

	T_GOOD_S(f, "0.0.0.0", "192.168.1.1", "10.0.0.254", "255.255.255.255", "1.2.3.4");
	T_BAD_S(f, "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "010.1.1.1",
		"1.2.3.04", "00.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "1.2.3.",
		".1.2.3", "0x1.2.3.4", "1.2.3.-4", "+1.2.3.4", "1.2.3.4/24", "a.b.c.d",
		"1234.1.1.1", "::1", "1.2.3.4\n");
	T_BAD_J(f, "16909060", "null");
	T_WHY_S(f, "010.1.1.1", "is not a valid IPv4 address");
	T_WHY_J(f, "1", "is not a string");
}

static void test_ipv6(void)
{
	static const struct sc_field f = { .name = "ip6", .kind = SC_IPV6 };

	T_GOOD_S(f, "::", "::1", "fe80::1", "2001:db8::1",
		 "2001:0db8:0000:0000:0000:0000:0000:0001", "FE80::ABCD", "::ffff:192.168.1.1");
	T_BAD_S(f, "", ":::", "1.2.3.4", "2001:db8::1::2", "2001:db8:::1", "fe80::1%eth0",
		"12345::1", "g::1", "2001:db8::/64", " ::1", "1:2:3:4:5:6:7:8:9");
	T_WHY_S(f, "fe80::1%eth0", "is not a valid IPv6 address");
	T_WHY_J(f, "[]", "is not a string");
}

static void test_cidr4(void)
{
	static const struct sc_field f = { .name = "net", .kind = SC_CIDR4 };

	T_GOOD_S(f, "192.168.1.0/24", "192.168.1.1/24", "10.0.0.0/8", "0.0.0.0/0",
		 "1.2.3.4/32", "1.2.3.4");
	T_BAD_S(f, "", "1.2.3.4/33", "1.2.3.4/", "/24", "1.2.3/24", "1.2.3.4/024",
		"1.2.3.4/-1", "1.2.3.4/24/1", "1.2.3.4/ 24", "010.2.3.4/24",
		"1.2.3.4/2a", "300.1.1.1/8", "1.2.3.4/99999999999");
	T_WHY_S(f, "1.2.3.4/33", "has an invalid prefix length (0-32)");
	T_WHY_S(f, "1.2.3/24", "is not a valid IPv4 network (a.b.c.d/len)");
	T_WHY_J(f, "24", "is not a string");
}

static void test_cidr6(void)
{
	static const struct sc_field f = { .name = "net6", .kind = SC_CIDR6 };

	T_GOOD_S(f, "2001:db8::/32", "2001:db8::1/64", "::/0", "fe80::1/128", "fe80::1");
	T_BAD_S(f, "", "2001:db8::/129", "2001:db8::/", "/64", "2001:db8::/064",
		"1.2.3.4/24", "2001:db8::g/64", "2001:db8::/64/1");
	T_WHY_S(f, "2001:db8::/129", "has an invalid prefix length (0-128)");
	T_WHY_S(f, "zz::/64", "is not a valid IPv6 network (x::y/len)");
}

static void test_mac(void)
{
	static const struct sc_field f = { .name = "mac", .kind = SC_MAC };

	T_GOOD_S(f, "00:11:22:33:44:55", "AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff",
		 "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "0a:1B:2c:3D:4e:5F");
	T_BAD_S(f, "", "00:11:22:33:44", "00:11:22:33:44:55:66", "00:11:22:33:44:5",
		"0:11:22:33:44:55", "00:11:22:33:44:5g", "00-11:22:33:44:55",
		"0011.2233.4455", "001122334455", "00:11:22:33:44:55 ", "00::11:22:33:44:5");
	T_WHY_S(f, "00:00:00:00:00:00", "is the all-zero MAC address");
	T_WHY_S(f, "00-00-00-00-00-00", "is the all-zero MAC address");
	T_WHY_S(f, "00:11:22", "is not a valid MAC address (aa:bb:cc:dd:ee:ff)");
}

static void test_hostname(void)
{
	static const struct sc_field f = { .name = "host", .kind = SC_HOSTNAME };
	char label[70];

	T_GOOD_S(f, "router", "a", "R2-D2", "host01", "0", "x-y-z");
	T_BAD_S(f, "", "-router", "router-", "rou_ter", "router.lan", "rou ter",
		"r\xc3\xa9seau", "router!");
	T_WHY_S(f, "-a", "is not a valid host name (1-63 letters, digits or '-', not at either end)");

	memset(label, 'a', sizeof(label));
	label[63] = '\0';
	T_CHECK(expect(&f, SC_HOSTNAME, label, true, true, NULL));
	label[63] = 'a';
	label[64] = '\0';
	T_CHECK(expect(&f, SC_HOSTNAME, label, true, false, NULL));
}

static void test_fqdn(void)
{
	static const struct sc_field f = { .name = "domain", .kind = SC_FQDN };
	char name[300];

	T_GOOD_S(f, "lan", "example.com", "a.b.c", "router-1.home.arpa", "1.2.3.4");
	T_BAD_S(f, "", ".", "example.com.", ".example.com", "a..b", "-a.com", "a-.com",
		"a_b.com", "exa mple.com", "*.example.com");
	T_WHY_S(f, "example..com", "is not a valid domain name");

	/* 4 labels of 63 + 3 dots = 255: too long; trimmed to 253: fine */
	for (int i = 0; i < 4; i++) {
		memset(name + i * 64, 'a', 63);
		name[i * 64 + 63] = '.';
	}
	name[255] = '\0';
	T_CHECK(expect(&f, SC_FQDN, name, true, false, NULL));
	name[253] = '\0';
	T_CHECK(expect(&f, SC_FQDN, name, true, true, NULL));
}

static void test_port(void)
{
	static const struct sc_field f = { .name = "port", .kind = SC_PORT };
	static const struct sc_field high = { .name = "port", .kind = SC_PORT, .min = 1024, .max = 49151 };

	T_GOOD_J(f, "1", "22", "8080", "65535");
	T_BAD_J(f, "0", "-1", "65536", "80.5", "\"80\"", "null", "true");
	T_WHY_J(f, "0", "is below the minimum 1");
	T_WHY_J(f, "65536", "is above the maximum 65535");
	T_WHY_J(f, "\"22\"", "is not an integer");

	T_GOOD_J(high, "1024", "49151");
	T_WHY_J(high, "80", "is below the minimum 1024");
	T_WHY_J(high, "50000", "is above the maximum 49151");
}

static void test_port_range(void)
{
	static const struct sc_field f = { .name = "ports", .kind = SC_PORT_RANGE };

	T_GOOD_S(f, "80", "1", "65535", "1-65535", "8000-8080", "443-443");
	T_BAD_S(f, "", "0", "65536", "0-10", "10-65536", "-", "80-", "-80", "80-90-100",
		"080", "80 - 90", "80:90", "abc", "1e3");
	T_BAD_J(f, "80", "null");
	T_WHY_S(f, "30000-20000", "has its start above its end");
	T_WHY_S(f, "80-", "is not a valid port range (N or N-M, 1-65535)");
	T_WHY_J(f, "80", "is not a string");
}

static void test_duration(void)
{
	static const struct sc_field f = { .name = "lease", .kind = SC_DURATION };
	static const struct sc_field inf = {
		.name = "lease", .kind = SC_DURATION, .flags = SC_F_INFINITE,
	};
	static const struct sc_field lim = {
		.name = "lease", .kind = SC_DURATION, .min = 120, .max = 86400,
	};

	T_GOOD_S(f, "1", "90", "90s", "30m", "12h", "7d", "2w", "3650d", "315360000");
	T_BAD_S(f, "", "0", "0s", "-5", "5x", "5S", "1h30m", "s", "h1", " 5m", "5m ",
		"1.5h", "infinite", "3651d", "522w", "99999999999999999999999s");
	T_WHY_S(f, "0m", "is not a positive duration");
	T_WHY_S(f, "12 h", "is not a valid duration (e.g. 90s, 30m, 12h, 7d, 2w)");
	T_WHY_S(f, "11000d", "is longer than 10 years");
	T_WHY_S(f, "infinite", "is not allowed here (a finite duration is required)");
	T_WHY_J(f, "3600", "is not a string");

	T_GOOD_S(inf, "infinite", "12h");
	T_BAD_S(inf, "Infinite", "forever", "inf");

	T_GOOD_S(lim, "2m", "120", "1d", "24h");
	T_WHY_S(lim, "119s", "is below the minimum 120s");
	T_WHY_S(lim, "25h", "is above the maximum 86400s");
}

static void test_duration_seconds(void)
{
	T_CHECK(sc_duration_seconds("1") == 1);
	T_CHECK(sc_duration_seconds("90s") == 90);
	T_CHECK(sc_duration_seconds("30m") == 1800);
	T_CHECK(sc_duration_seconds("12h") == 43200);
	T_CHECK(sc_duration_seconds("7d") == 604800);
	T_CHECK(sc_duration_seconds("2w") == 1209600);
	T_CHECK(sc_duration_seconds("3650d") == 315360000);
	T_CHECK(sc_duration_seconds("infinite") == -1);
	T_CHECK(sc_duration_seconds("0") == -2);
	T_CHECK(sc_duration_seconds("3651d") == -2);
	T_CHECK(sc_duration_seconds("5y") == -2);
	T_CHECK(sc_duration_seconds("") == -2);
	T_CHECK(sc_duration_seconds(NULL) == -2);
}

static void test_rate(void)
{
	static const struct sc_field f = { .name = "down", .kind = SC_RATE };
	static const struct sc_field cap = { .name = "down", .kind = SC_RATE, .max = 1000 };

	T_GOOD_J(f, "1", "0.5", "100", "2.5e3", "100000");
	T_BAD_J(f, "0", "0.0", "-1", "-0.5", "\"100\"", "null", "true");
	T_WHY_J(f, "0", "is not a positive rate");
	T_WHY_J(f, "\"10\"", "is not a number");

	T_GOOD_J(cap, "1000", "999.99", "0.001");
	T_WHY_J(cap, "1000.5", "is above the maximum 1000");
}

static void test_ref(void)
{
	static const struct sc_field f = { .name = "zone", .kind = SC_REF, .ref = "firewall.zones" };

	T_GOOD_J(f, "1", "2", "4096");
	T_BAD_J(f, "0", "-1", "1.5", "\"1\"", "null");
	T_WHY_J(f, "0", "is not a positive integer");
	T_WHY_J(f, "\"lan\"", "is not an integer");
}

static void test_duid(void)
{
	static const struct sc_field f = { .name = "duid", .kind = SC_DUID };
	char buf[400];

	T_GOOD_S(f, "00:01:00:01:2b:3c:4d:5e:00:11:22:33:44:55", "00:03",
		 "AB:cd:EF", "00:02:00:00:ab:11:aa:bb:cc:dd");
	T_BAD_S(f, "", "00", "0:01", "00:01:", ":00:01", "00-01-02", "00:0g",
		"00::01", "0001", "00:01 ", "000:01");
	T_WHY_S(f, "00", "is not a valid DUID (2-130 hex octets separated by ':')");

	/* 130 octets are fine, 131 are not */
	for (int i = 0; i < 131; i++)
		memcpy(buf + i * 3, "ab:", 3);
	buf[130 * 3 - 1] = '\0';
	T_CHECK(expect(&f, SC_DUID, buf, true, true, NULL));
	buf[130 * 3 - 1] = ':';
	buf[131 * 3 - 1] = '\0';
	T_CHECK(expect(&f, SC_DUID, buf, true, false, NULL));
}

static void test_ipv6_suffix(void)
{
	static const struct sc_field f = { .name = "suffix", .kind = SC_IPV6_SUFFIX };

	T_GOOD_S(f, "::1", "::42", "::1:2", "::a:b:c:d", "::ffff:ffff:ffff:ffff",
		 "0:0:0:0:0:0:0:1");
	T_BAD_S(f, "", "::", "1::", "2001:db8::1", "::1:0:0:0:0", "42", ":42", "::g",
		"1.2.3.4");
	T_WHY_S(f, "::", "is the all-zero interface identifier");
	T_WHY_S(f, "fe80::1", "is not a valid IPv6 interface identifier (e.g. ::42)");
}

static void test_ifname(void)
{
	static const struct sc_field f = { .name = "dev", .kind = SC_IFNAME };

	T_GOOD_S(f, "eth0", "br-lan", "wlan0.100", "a", "123456789012345", "ppp_wan", "lo");
	T_BAD_S(f, "", ".", "..", "eth/0", "eth:0", "eth 0", "eth\t0", "1234567890123456",
		"eth0\n");
	T_WHY_S(f, "eth0:1", "is not a valid interface name (1-15 characters, no '/', ':' or spaces)");
	T_WHY_J(f, "0", "is not a string");
}

/* the VPN kinds: WireGuard keys, networks of either family, endpoints */
static void test_vpn_kinds(void)
{
	static const struct sc_field key = { .name = "k", .kind = SC_WG_KEY };
	static const struct sc_field cidr = { .name = "c", .kind = SC_CIDR };
	static const struct sc_field ep = { .name = "e", .kind = SC_ENDPOINT };

	T_GOOD_S(key, "yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04=",
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	/* 38 characters (the manual's first example); the last bits set; no padding */
	T_BAD_S(key, "ySvXw64LcpJK5TOBglw64LcpJK5h7yN6bL5x4=",
		"yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX05=",
		"yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04", "", "yM-DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04=");
	T_WHY_S(key, "abc", "is not a WireGuard key (44 characters of base64, 32 bytes)");
	T_GOOD_S(cidr, "10.0.0.0/8", "10.0.0.1", "::/0", "2001:db8::1/64", "0.0.0.0/0");
	T_BAD_S(cidr, "10.0.0.0/33", "::/129", "a.b", "10.0.0.0/08", "");
	T_WHY_S(cidr, "10.0.0.0/33", "has an invalid prefix length (0-32)");
	T_WHY_S(cidr, "x", "is not a valid IPv4 or IPv6 network (a.b.c.d/len or x::y/len)");
	T_GOOD_S(ep, "192.0.2.1:51820", "[2001:db8::1]:1", "vpn.example.com:65535", "vpn:51820");
	T_BAD_S(ep, "2001:db8::1:51820", "vpn.example.com", "vpn.example.com:0",
		"vpn.example.com:65536", "[10.0.0.1]:1", "1.2.3.256:1", ":1", "[::1]1", "a b:1",
		"vpn:051820");
	T_WHY_S(ep, "vpn", "is not host:port (an IPv4 address, [IPv6] or a domain name; port "
		"1-65535)");
}

static void test_structural(void)
{
	static const struct sc_field obj = { .name = "o", .kind = SC_OBJECT };
	static const struct sc_field col = { .name = "c", .kind = SC_COLLECTION };
	static const struct sc_field list = { .name = "l", .kind = SC_LIST, .item = SC_STRING };
	char why[64];

	T_GOOD_J(obj, "{}", "{\"a\":1}");
	T_WHY_J(obj, "[]", "is not an object");
	T_GOOD_J(col, "[]", "[{\"id\":1}]");
	T_WHY_J(col, "{}", "is not an array");
	T_GOOD_J(list, "[]", "[\"a\"]");
	T_WHY_J(list, "\"a\"", "is not an array");

	T_CHECK(!sc_check_scalar(&obj, SC_INT, NULL, why, sizeof(why)));
	T_CHECK_STR(why, "is missing");
	T_CHECK(!sc_check_scalar(&obj, SC__KIND_COUNT, json_true(), why, sizeof(why)));
	T_CHECK_STR(why, "has an unknown type");
}

static void test_list_items(void)
{
	static const char *const protos[] = { "tcp", "udp", NULL };
	/* min/max limit the list size, never the items */
	static const struct sc_field ports = {
		.name = "ports", .kind = SC_LIST, .item = SC_PORT, .min = 1, .max = 4,
	};
	static const struct sc_field ints = {
		.name = "n", .kind = SC_LIST, .item = SC_INT, .min = 1, .max = 2,
	};
	static const struct sc_field names = {
		.name = "names", .kind = SC_LIST, .item = SC_STRING, .min = 1, .max = 2,
		.pattern = "[a-z]+",
	};
	static const struct sc_field dur = {
		.name = "d", .kind = SC_LIST, .item = SC_DURATION, .min = 1, .max = 2,
	};
	static const struct sc_field en = {
		.name = "p", .kind = SC_LIST, .item = SC_ENUM, .choices = protos,
	};
	static const struct sc_field nets = { .name = "nets", .kind = SC_LIST, .item = SC_CIDR4 };

	T_CHECK(expect(&ports, SC_PORT, "8080", false, true, NULL));
	T_CHECK(expect(&ports, SC_PORT, "65535", false, true, NULL));
	T_CHECK(expect(&ports, SC_PORT, "0", false, false, "is below the minimum 1"));
	T_CHECK(expect(&ports, SC_PORT, "65536", false, false, "is above the maximum 65535"));
	T_CHECK(expect(&ints, SC_INT, "1000", false, true, NULL));
	T_CHECK(expect(&ints, SC_INT, "-5", false, true, NULL));
	T_CHECK(expect(&names, SC_STRING, "abcdef", true, true, NULL));
	T_CHECK(expect(&names, SC_STRING, "", true, false, NULL));
	T_CHECK(expect(&names, SC_STRING, "ab1", true, false, "does not match the pattern [a-z]+"));
	T_CHECK(expect(&dur, SC_DURATION, "1h", true, true, NULL));
	T_CHECK(expect(&en, SC_ENUM, "udp", true, true, NULL));
	T_CHECK(expect(&en, SC_ENUM, "icmp", true, false, "is not one of: tcp, udp"));
	T_CHECK(expect(&nets, SC_CIDR4, "10.0.0.0/8", true, true, NULL));
	T_CHECK(expect(&nets, SC_CIDR4, "10.0.0.0/40", true, false, NULL));
}

/* ---- coercion ---- */

/* Coerces text for f and compares the compact JSON of the result. */
static bool coerce_is(const struct sc_field *f, const char *text, const char *want)
{
	char why[256] = "";
	json_t *v = sc_coerce_text(f, text, why, sizeof(why));
	char *got;
	bool same;

	if (!v) {
		fprintf(stderr, "    coerce %s: failed (%s), expected %s\n", text, why, want);
		return false;
	}
	got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	same = got && strcmp(got, want) == 0;
	if (!same)
		fprintf(stderr, "    coerce %s: got %s, expected %s\n", text, got, want);
	free(got);
	json_decref(v);
	return same;
}

/* Coercion must fail, with reason want_why when not NULL. */
static bool coerce_fails(const struct sc_field *f, const char *text, const char *want_why)
{
	char why[256] = "";
	json_t *v = sc_coerce_text(f, text, why, sizeof(why));

	if (v) {
		char *got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		fprintf(stderr, "    coerce %s: expected failure, got %s\n", text, got);
		free(got);
		json_decref(v);
		return false;
	}
	if (!why[0] || (want_why && strcmp(why, want_why) != 0)) {
		fprintf(stderr, "    coerce %s: reason \"%s\", expected \"%s\"\n",
			text, why, want_why ? want_why : "(any)");
		return false;
	}
	return true;
}

static void test_coerce_int(void)
{
	static const struct sc_field i = { .name = "n", .kind = SC_INT };
	static const struct sc_field p = { .name = "port", .kind = SC_PORT };
	static const struct sc_field r = { .name = "zone", .kind = SC_REF };

	T_CHECK(coerce_is(&i, "24", "24"));
	T_CHECK(coerce_is(&i, "-7", "-7"));
	T_CHECK(coerce_is(&i, "0", "0"));
	T_CHECK(coerce_is(&p, "8080", "8080"));
	T_CHECK(coerce_is(&r, "3", "3"));
	T_CHECK(coerce_fails(&i, "abc", "is not an integer"));
	T_CHECK(coerce_fails(&i, "", "is not an integer"));
	T_CHECK(coerce_fails(&i, "12abc", "is not an integer"));
	T_CHECK(coerce_fails(&i, "1.5", "is not an integer"));
	T_CHECK(coerce_fails(&i, " 12", "is not an integer"));
	T_CHECK(coerce_fails(&i, "+12", "is not an integer"));
	T_CHECK(coerce_fails(&i, "0x1f", "is not an integer"));
	T_CHECK(coerce_fails(&i, "-", "is not an integer"));
	T_CHECK(coerce_fails(&i, "99999999999999999999", "is out of range"));
	T_CHECK(coerce_fails(&p, "http", "is not an integer"));
	T_CHECK(coerce_fails(&i, NULL, "is missing"));
}

static void test_coerce_bool(void)
{
	static const struct sc_field b = { .name = "enabled", .kind = SC_BOOL };
	static const char *const yes[] = { "on", "true", "yes", "1", "ON", "True", "YES" };
	static const char *const no[] = { "off", "false", "no", "0", "OFF", "False", "No" };

	for (size_t i = 0; i < NELEM(yes); i++)
		T_CHECK(coerce_is(&b, yes[i], "true"));
	for (size_t i = 0; i < NELEM(no); i++)
		T_CHECK(coerce_is(&b, no[i], "false"));
	T_CHECK(coerce_fails(&b, "maybe", "is not true or false (on/off, yes/no, 1/0)"));
	T_CHECK(coerce_fails(&b, "", NULL));
	T_CHECK(coerce_fails(&b, "2", NULL));
	T_CHECK(coerce_fails(&b, "onn", NULL));
}

static void test_coerce_rate(void)
{
	static const struct sc_field r = { .name = "down", .kind = SC_RATE };

	T_CHECK(coerce_is(&r, "100", "100"));
	T_CHECK(coerce_is(&r, "0.5", "0.5"));
	T_CHECK(coerce_is(&r, "2.5e1", "25.0"));
	T_CHECK(coerce_is(&r, "-1", "-1"));
	T_CHECK(coerce_fails(&r, "fast", "is not a number"));
	T_CHECK(coerce_fails(&r, "inf", "is not a number"));
	T_CHECK(coerce_fails(&r, "nan", "is not a number"));
	T_CHECK(coerce_fails(&r, "0x10", "is not a number"));
	T_CHECK(coerce_fails(&r, ".5", "is not a number"));
	T_CHECK(coerce_fails(&r, "5.", "is not a number"));
	T_CHECK(coerce_fails(&r, "1e", "is not a number"));
	T_CHECK(coerce_fails(&r, "", "is not a number"));
	T_CHECK(coerce_fails(&r, "1e999", "is out of range"));
}

static void test_coerce_strings(void)
{
	static const struct sc_field s = { .name = "s", .kind = SC_STRING };
	static const struct sc_field mac = { .name = "mac", .kind = SC_MAC };
	static const struct sc_field pr = { .name = "ports", .kind = SC_PORT_RANGE };
	static const struct sc_field d = { .name = "lease", .kind = SC_DURATION };
	static const struct sc_field ip = { .name = "ip", .kind = SC_IPV4 };

	T_CHECK(coerce_is(&s, "hello world", "\"hello world\""));
	T_CHECK(coerce_is(&s, "", "\"\""));
	T_CHECK(coerce_is(&s, "\"quoted\"", "\"quoted\""));
	T_CHECK(coerce_is(&s, "\"half", "\"\\\"half\""));
	T_CHECK(coerce_is(&s, "123", "\"123\""));
	T_CHECK(coerce_fails(&s, "\xff\xfe", NULL));
	T_CHECK(coerce_is(&mac, "AA-BB-CC-DD-EE-0F", "\"aa:bb:cc:dd:ee:0f\""));
	T_CHECK(coerce_is(&mac, "AA:BB:CC:DD:EE:FF", "\"aa:bb:cc:dd:ee:ff\""));
	T_CHECK(coerce_is(&mac, "not-a-mac", "\"not-a-mac\""));
	T_CHECK(coerce_is(&pr, "80", "\"80\""));
	T_CHECK(coerce_is(&pr, "8000-8080", "\"8000-8080\""));
	T_CHECK(coerce_is(&d, "12h", "\"12h\""));
	T_CHECK(coerce_is(&d, "3600", "\"3600\""));
	T_CHECK(coerce_is(&ip, "192.168.1.1", "\"192.168.1.1\""));
}

static void test_coerce_object(void)
{
	static const struct sc_field o = { .name = "o", .kind = SC_OBJECT };
	static const struct sc_field c = { .name = "leases", .kind = SC_COLLECTION };

	T_CHECK(coerce_is(&o, "{\"a\":1}", "{\"a\":1}"));
	T_CHECK(coerce_fails(&o, "[1]", "is not a JSON object"));
	T_CHECK(coerce_fails(&o, "{\"a\":", NULL));
	T_CHECK(coerce_fails(&o, "{\"a\":1,\"a\":2}", NULL));
	T_CHECK(coerce_is(&c, "[{\"id\":1}]", "[{\"id\":1}]"));
	T_CHECK(coerce_is(&c, "{\"id\":1}", "{\"id\":1}"));
	T_CHECK(coerce_fails(&c, "a,b", "is not a JSON array or object"));
}

static void test_coerce_list(void)
{
	static const struct sc_field s = { .name = "dns", .kind = SC_LIST, .item = SC_STRING };
	static const struct sc_field p = { .name = "ports", .kind = SC_LIST, .item = SC_PORT };
	static const struct sc_field b = { .name = "flags", .kind = SC_LIST, .item = SC_BOOL };
	static const struct sc_field m = { .name = "macs", .kind = SC_LIST, .item = SC_MAC };

	T_CHECK(coerce_is(&s, "a,b", "[\"a\",\"b\"]"));
	T_CHECK(coerce_is(&s, " a , b ,c ", "[\"a\",\"b\",\"c\"]"));
	T_CHECK(coerce_is(&s, "1.1.1.1", "[\"1.1.1.1\"]"));
	T_CHECK(coerce_is(&s, "", "[]"));
	T_CHECK(coerce_is(&s, "   ", "[]"));
	T_CHECK(coerce_is(&p, "80,443", "[80,443]"));
	T_CHECK(coerce_is(&b, "on,off,yes", "[true,false,true]"));
	T_CHECK(coerce_is(&m, "AA-BB-CC-DD-EE-01,aa:bb:cc:dd:ee:02",
			  "[\"aa:bb:cc:dd:ee:01\",\"aa:bb:cc:dd:ee:02\"]"));
	T_CHECK(coerce_fails(&p, "80,http", "has an invalid item: http is not an integer"));
	T_CHECK(coerce_fails(&s, "a,,b", "has an empty item"));
	T_CHECK(coerce_fails(&s, "a,", "has an empty item"));
	T_CHECK(coerce_fails(&s, ",a", "has an empty item"));
}

static void test_coerce_list_json(void)
{
	static const struct sc_field s = { .name = "dns", .kind = SC_LIST, .item = SC_STRING };
	static const struct sc_field p = { .name = "ports", .kind = SC_LIST, .item = SC_PORT };

	T_CHECK(coerce_is(&s, "[\"a\"]", "[\"a\"]"));
	T_CHECK(coerce_is(&s, "[\"a,b\", \"c\"]", "[\"a,b\",\"c\"]"));
	T_CHECK(coerce_is(&s, "[]", "[]"));
	T_CHECK(coerce_is(&s, "  [\"x\"]", "[\"x\"]"));
	T_CHECK(coerce_is(&p, "[80, 443]", "[80,443]"));
	T_CHECK(coerce_fails(&s, "[\"a\"", NULL));
	T_CHECK(coerce_fails(&s, "[1] x", NULL));
}

/* Coerced values go through the validator: coercion does not range-check. */
static void test_coerce_then_check(void)
{
	static const struct sc_field p = { .name = "port", .kind = SC_PORT };
	char why[128];
	json_t *v = sc_coerce_text(&p, "70000", why, sizeof(why));

	T_CHECK(v && json_integer_value(v) == 70000);
	T_CHECK(!sc_check_scalar(&p, SC_PORT, v, why, sizeof(why)));
	T_CHECK_STR(why, "is above the maximum 65535");
	json_decref(v);
}

/* ---- canonical parsers ---- */

static void test_parse_ipv4(void)
{
	unsigned a = 0;

	T_CHECK(net_parse_ipv4("192.168.1.1", &a) && a == 0xc0a80101u);
	T_CHECK(net_parse_ipv4("0.0.0.0", &a) && a == 0);
	T_CHECK(net_parse_ipv4("255.255.255.255", &a) && a == 0xffffffffu);
	T_CHECK(net_parse_ipv4("10.0.0.1", NULL));
	T_CHECK(!net_parse_ipv4("010.0.0.1", &a));
	T_CHECK(!net_parse_ipv4("10.0.0", &a));
	T_CHECK(!net_parse_ipv4("10.0.0.256", &a));
	T_CHECK(!net_parse_ipv4("10.0.0.1.", &a));
	T_CHECK(!net_parse_ipv4("", &a));
	T_CHECK(!net_parse_ipv4(NULL, &a));
}

static void test_parse_cidr4(void)
{
	unsigned a = 0;
	int len = -1;

	T_CHECK(net_parse_cidr4("192.168.1.1/24", &a, &len) && a == 0xc0a80101u && len == 24);
	T_CHECK(net_parse_cidr4("10.0.0.0/8", &a, &len) && a == 0x0a000000u && len == 8);
	T_CHECK(net_parse_cidr4("0.0.0.0/0", &a, &len) && a == 0 && len == 0);
	T_CHECK(net_parse_cidr4("1.2.3.4", &a, &len) && a == 0x01020304u && len == 32);
	T_CHECK(net_parse_cidr4("1.2.3.4/32", NULL, NULL));
	T_CHECK(!net_parse_cidr4("1.2.3.4/33", &a, &len));
	T_CHECK(!net_parse_cidr4("1.2.3.4/", &a, &len));
	T_CHECK(!net_parse_cidr4("1.2.3.4/08", &a, &len));
	T_CHECK(!net_parse_cidr4("1.2.3.4444/8", &a, &len));
	T_CHECK(!net_parse_cidr4("123.123.123.123.1/8", &a, &len));
	T_CHECK(!net_parse_cidr4(NULL, &a, &len));
}

/* ---- errors.c ---- */

static void test_errors_format(void)
{
	struct sc_error_list e;

	sc_errors_init(&e);
	T_CHECK(e.n == 0);
	sc_error_add(&e, "lan.dhcp.start", "192.168.2.10", "is outside %s", "192.168.1.0/24");
	sc_error_add(&e, "wan", NULL, "needs %d of %s", 1, "ipv4 or ipv6");
	T_CHECK(e.n == 2);
	T_CHECK_STR(e.v[0].message, "lan.dhcp.start: 192.168.2.10 is outside 192.168.1.0/24");
	T_CHECK_STR(e.v[0].path, "lan.dhcp.start");
	T_CHECK_STR(e.v[0].value, "192.168.2.10");
	T_CHECK_STR(e.v[1].message, "wan: needs 1 of ipv4 or ipv6");
	T_CHECK(e.v[1].value == NULL);
	sc_errors_free(&e);
	T_CHECK(e.n == 0 && e.v == NULL);
	sc_errors_free(&e);
}

/* sc_error_addj does not take the value: drop our reference after. */
#define ADDJ(e, path, v, ...) do { \
	json_t *j_ = (v); \
	sc_error_addj(e, path, j_, __VA_ARGS__); \
	json_decref(j_); \
	} while (0)

static void test_errors_addj(void)
{
	struct sc_error_list e;

	sc_errors_init(&e);
	ADDJ(&e, "lan.ip", json_string("10.0.0.300"), "is not a valid IPv4 address");
	ADDJ(&e, "lan.mtu", json_integer(70000), "is above the maximum %d", 9000);
	ADDJ(&e, "wan.enabled", json_true(), "is not an integer");
	ADDJ(&e, "rate", json_real(1.5), "is above the maximum 1");
	ADDJ(&e, "x", json_null(), "is not a string");
	ADDJ(&e, "dns", json_pack("{s:i, s:[i,s]}", "a", 1, "b", 2, "x"), "is not a string");
	ADDJ(&e, "l", json_pack("[s,i]", "a", 1), "is not a string");
	ADDJ(&e, "name", json_string("evil\nwan: fine"), "contains a control character");
	ADDJ(&e, "s", json_stringn("a\0b", 3), "contains a control character");
	ADDJ(&e, "gone", NULL, "is required");
	T_CHECK(e.n == 10);
	T_CHECK_STR(e.v[0].message, "lan.ip: 10.0.0.300 is not a valid IPv4 address");
	T_CHECK_STR(e.v[0].value, "10.0.0.300");
	T_CHECK_STR(e.v[1].message, "lan.mtu: 70000 is above the maximum 9000");
	T_CHECK_STR(e.v[2].message, "wan.enabled: true is not an integer");
	T_CHECK_STR(e.v[3].message, "rate: 1.5 is above the maximum 1");
	T_CHECK_STR(e.v[4].message, "x: null is not a string");
	T_CHECK_STR(e.v[5].message, "dns: {\"a\":1,\"b\":[2,\"x\"]} is not a string");
	T_CHECK_STR(e.v[6].message, "l: [\"a\",1] is not a string");
	T_CHECK_STR(e.v[7].message, "name: evil\\nwan: fine contains a control character");
	T_CHECK_STR(e.v[8].value, "a\\x00b");
	T_CHECK_STR(e.v[9].message, "gone: is required");
	T_CHECK(e.v[9].value == NULL);
	sc_errors_free(&e);
}

static void test_errors_to_json(void)
{
	struct sc_error_list e;
	json_t *arr;
	char *s;

	sc_errors_init(&e);
	arr = sc_errors_to_json(&e);
	T_CHECK(json_is_array(arr) && json_array_size(arr) == 0);
	json_decref(arr);

	sc_error_add(&e, "lan.dhcp.start", "192.168.2.10", "is outside 192.168.1.0/24");
	sc_error_add(&e, "wan", NULL, "is required");
	sc_error_add(&e, "cli", "\xff", "is not valid UTF-8");
	arr = sc_errors_to_json(&e);
	s = json_dumps(arr, JSON_COMPACT);
	T_CHECK_STR(s, "[{\"path\":\"lan.dhcp.start\",\"value\":\"192.168.2.10\","
		       "\"message\":\"lan.dhcp.start: 192.168.2.10 is outside 192.168.1.0/24\"},"
		       "{\"path\":\"wan\",\"message\":\"wan: is required\"},"
		       "{\"path\":\"cli\",\"value\":\"?\",\"message\":\"cli: ? is not valid UTF-8\"}]");
	free(s);
	json_decref(arr);
	sc_errors_free(&e);
}

static void test_errors_many(void)
{
	struct sc_error_list e;
	char path[32];

	sc_errors_init(&e);
	for (int i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "c[%d].ip", i);
		sc_error_add(&e, path, "x", "is bad number %d", i);
	}
	T_CHECK(e.n == 1000 && e.cap >= 1000);
	T_CHECK_STR(e.v[0].message, "c[0].ip: x is bad number 0");
	T_CHECK_STR(e.v[999].message, "c[999].ip: x is bad number 999");
	sc_errors_free(&e);
}

/* The error list and the checker together, as the walker uses them. */
static void test_check_into_errors(void)
{
	static const struct sc_field f = { .name = "start", .kind = SC_IPV4 };
	struct sc_error_list e;
	json_t *v = json_string("010.1.1.1");
	char why[128];

	sc_errors_init(&e);
	if (!sc_check_scalar(&f, f.kind, v, why, sizeof(why)))
		sc_error_addj(&e, "lan.dhcp.start", v, "%s", why);
	T_CHECK(e.n == 1);
	if (e.n == 1)
		T_CHECK_STR(e.v[0].message, "lan.dhcp.start: 010.1.1.1 is not a valid IPv4 address");
	sc_errors_free(&e);
	json_decref(v);
}

/*
 * The pattern of each kind, what the GUI checks text with, agrees with the
 * daemon's own check: what the daemon accepts fits the pattern, and text
 * that does not fit is refused by the daemon. (The daemon may refuse more:
 * the rules after the pattern, limits.)
 */
static const struct {
	enum sc_kind kind;
	const char *text;
} kind_samples[] = {
	{ SC_IPV4, "0.0.0.0" }, { SC_IPV4, "192.168.1.1" }, { SC_IPV4, "255.255.255.255" },
	{ SC_IPV4, "" }, { SC_IPV4, "1.2.3" }, { SC_IPV4, "256.1.1.1" }, { SC_IPV4, "01.2.3.4" },
	{ SC_IPV4, "1.2.3.04" }, { SC_IPV4, " 1.2.3.4" }, { SC_IPV4, "1.2.3.4/24" },
	{ SC_IPV4, "0001.2.3.4" }, { SC_IPV4, "1..2.3" },
	{ SC_IPV6, "::" }, { SC_IPV6, "::1" }, { SC_IPV6, "2001:db8::1" }, { SC_IPV6, "fe80::1:2:3:4" },
	{ SC_IPV6, "1:2:3:4:5:6:7:8" }, { SC_IPV6, "1:2:3:4:5:6:7::" }, { SC_IPV6, "::ffff:192.168.1.1" },
	{ SC_IPV6, "1:2:3:4:5:6:1.2.3.4" }, { SC_IPV6, "ABCD::ef" }, { SC_IPV6, "1::2:3:4:5:6:7" },
	{ SC_IPV6, "1:2::3.4.5.6" }, { SC_IPV6, "::1.2.3.4" }, { SC_IPV6, "1:2:3:4:5::1.2.3.4" },
	{ SC_IPV6, "" }, { SC_IPV6, ":" }, { SC_IPV6, ":::" }, { SC_IPV6, "1:::2" }, { SC_IPV6, "1::2::3" },
	{ SC_IPV6, "1:2:3:4:5:6:7:8:9" }, { SC_IPV6, "12345::" }, { SC_IPV6, "g::1" },
	{ SC_IPV6, "1:2:3:4:5:6:7" }, { SC_IPV6, ":1::" }, { SC_IPV6, "::1.2.3" }, { SC_IPV6, "::01.2.3.4" },
	{ SC_IPV6, "1:2:3:4:5:6:7:1.2.3.4" }, { SC_IPV6, "1:2:3:4:5:6::1.2.3.4" },
	{ SC_CIDR4, "10.0.0.0/8" }, { SC_CIDR4, "10.0.0.1" }, { SC_CIDR4, "10.0.0.0/33" },
	{ SC_CIDR4, "10.0.0.0/08" }, { SC_CIDR4, "10.0.0/8" }, { SC_CIDR4, "0.0.0.0/0" },
	{ SC_CIDR6, "2001:db8::/32" }, { SC_CIDR6, "2001:db8::/129" }, { SC_CIDR6, "2001:db8:/32" },
	{ SC_CIDR6, "::/0" }, { SC_CIDR6, "::1/128" }, { SC_CIDR6, "::1/0128" },
	{ SC_MAC, "aa:bb:cc:dd:ee:ff" }, { SC_MAC, "AA-BB-CC-DD-EE-FF" }, { SC_MAC, "aa:bb-cc:dd:ee:ff" },
	{ SC_MAC, "aa:bb:cc:dd:ee" }, { SC_MAC, "aabbccddeeff" }, { SC_MAC, "00:00:00:00:00:00" },
	{ SC_HOSTNAME, "difos" }, { SC_HOSTNAME, "a-1" }, { SC_HOSTNAME, "-a" }, { SC_HOSTNAME, "a-" },
	{ SC_HOSTNAME, "a.b" }, { SC_HOSTNAME, "a_b" }, { SC_HOSTNAME, "" },
	{ SC_FQDN, "lan" }, { SC_FQDN, "example.com" }, { SC_FQDN, "a.-b.com" }, { SC_FQDN, "a..b" },
	{ SC_FQDN, "example.com." },
	{ SC_PORT_RANGE, "80" }, { SC_PORT_RANGE, "1000-2000" }, { SC_PORT_RANGE, "0" },
	{ SC_PORT_RANGE, "2000-1000" }, { SC_PORT_RANGE, "65536" }, { SC_PORT_RANGE, "1-" },
	{ SC_PORT_RANGE, "a" },
	{ SC_DURATION, "45" }, { SC_DURATION, "30m" }, { SC_DURATION, "12h" }, { SC_DURATION, "2w" },
	{ SC_DURATION, "infinite" }, { SC_DURATION, "0" }, { SC_DURATION, "12x" }, { SC_DURATION, "1h30m" },
	{ SC_DURATION, "99999w" },
	{ SC_DUID, "00:01:00:01" }, { SC_DUID, "00" }, { SC_DUID, "0:01" }, { SC_DUID, "00:01:" },
	{ SC_IFNAME, "br-lan" }, { SC_IFNAME, "eth0.10" }, { SC_IFNAME, "a/b" }, { SC_IFNAME, "a b" },
	{ SC_IFNAME, "xxxxxxxxxxxxxxxx" }, { SC_IFNAME, "." }, { SC_IFNAME, ".." }, { SC_IFNAME, ".a" },
	{ SC_IFNAME, "a." }, { SC_IFNAME, "x" }, { SC_IFNAME, "a:b" },
	{ SC_IPV6_SUFFIX, "::42" }, { SC_IPV6_SUFFIX, "::" }, { SC_IPV6_SUFFIX, "2001::42" },
	{ SC_IPV6_SUFFIX, "::1:2:3:4" }, { SC_IPV6_SUFFIX, "x" },
	{ SC_CIDR, "10.0.0.0/8" }, { SC_CIDR, "::/0" }, { SC_CIDR, "10.0.0.0/33" }, { SC_CIDR, "fe80::1" },
	{ SC_WG_KEY, "yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04=" },
	{ SC_WG_KEY, "yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX05=" }, { SC_WG_KEY, "abc=" },
	{ SC_ENDPOINT, "192.0.2.1:51820" }, { SC_ENDPOINT, "[2001:db8::1]:51820" },
	{ SC_ENDPOINT, "vpn.example:1" }, { SC_ENDPOINT, "vpn.example:65536" },
	{ SC_ENDPOINT, "2001:db8::1:51820" }, { SC_ENDPOINT, "1.2.3.256:1" },
};

static void test_kind_patterns_agree(void)
{
	for (size_t i = 0; i < NELEM(kind_samples); i++) {
		enum sc_kind kind = kind_samples[i].kind;
		const struct sc_kind_def *k = sc_kind_def(kind);
		struct sc_field f = { .name = "x", .kind = kind, .flags = SC_F_INFINITE };
		char *re_text = xasprintf("^(%s)$", k->pattern), why[256];
		json_t *v = json_string(kind_samples[i].text);
		regex_t re;
		bool fits, ok;

		T_CHECK(regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB) == 0);
		fits = regexec(&re, kind_samples[i].text, 0, NULL, 0) == 0;
		ok = sc_check_scalar(&f, kind, v, why, sizeof(why));
		if (ok && !fits)
			fprintf(stderr, "    %s %s: the daemon %s, the pattern %s\n", k->name,
				kind_samples[i].text, ok ? "accepts" : "refuses", fits ? "fits" : "does not");
		T_CHECK(!ok || fits);
		regfree(&re);
		json_decref(v);
		free(re_text);
	}
}

/* Every kind has its row: a name, a check, a reader; text kinds a hint. */
static void test_kind_table_complete(void)
{
	json_t *kinds = sc_kinds_export();

	for (int k = 0; k < SC__KIND_COUNT; k++) {
		const struct sc_kind_def *d = sc_kind_def((enum sc_kind)k);
		T_CHECK(d->name && d->check && d->read);
		T_CHECK(json_object_get(kinds, d->name) != NULL);
		if (d->pattern)
			T_CHECK(d->hint != NULL);
	}
	T_CHECK(json_object_size(kinds) == SC__KIND_COUNT);
	json_decref(kinds);
}

int main(void)
{
	T_RUN(test_kind_names);
	T_RUN(test_bool);
	T_RUN(test_int);
	T_RUN(test_int_bounds);
	T_RUN(test_string);
	T_RUN(test_string_length_64);
	T_RUN(test_string_pattern);
	T_RUN(test_enum);
	T_RUN(test_enum_small_why);
	T_RUN(test_ipv4);
	T_RUN(test_ipv6);
	T_RUN(test_cidr4);
	T_RUN(test_cidr6);
	T_RUN(test_mac);
	T_RUN(test_hostname);
	T_RUN(test_fqdn);
	T_RUN(test_port);
	T_RUN(test_port_range);
	T_RUN(test_duration);
	T_RUN(test_duration_seconds);
	T_RUN(test_rate);
	T_RUN(test_ref);
	T_RUN(test_duid);
	T_RUN(test_ipv6_suffix);
	T_RUN(test_ifname);
	T_RUN(test_vpn_kinds);
	T_RUN(test_structural);
	T_RUN(test_list_items);
	T_RUN(test_coerce_int);
	T_RUN(test_coerce_bool);
	T_RUN(test_coerce_rate);
	T_RUN(test_coerce_strings);
	T_RUN(test_coerce_object);
	T_RUN(test_coerce_list);
	T_RUN(test_coerce_list_json);
	T_RUN(test_coerce_then_check);
	T_RUN(test_parse_ipv4);
	T_RUN(test_parse_cidr4);
	T_RUN(test_errors_format);
	T_RUN(test_errors_addj);
	T_RUN(test_errors_to_json);
	T_RUN(test_errors_many);
	T_RUN(test_check_into_errors);
	T_RUN(test_kind_patterns_agree);
	T_RUN(test_kind_table_complete);
	return t_done("unit-types");
}
