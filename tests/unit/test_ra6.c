/* difos-ra6: its command line and the RA it builds (flags, prefixes with
 * RFC 9096's limits, a deprecated prefix, RDNSS, MTU, source link-layer). */
#include <arpa/inet.h>
#include <stdlib.h>

#include "ra6/ra6_build.h"
#include "t.h"

/* the conf keeps pointers into argv: the copies live until the end */
static char *copies[32];
static int ncopies;

static int parse(const char *line, struct ra6_conf *c, char *err)
{
	char *copy = strdup(line), *argv[16] = { "difos-ra6" }, *save = NULL;
	int argc = 1, rc;

	for (char *t = strtok_r(copy, " ", &save); t && argc < 15; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	rc = ra6_parse_args(argc, argv, c, err, 256);
	if (ncopies < 32)
		copies[ncopies++] = copy;
	else
		free(copy);
	return rc;
}

static void test_args(void)
{
	struct ra6_conf c;
	char err[256];

	T_CHECK(parse("--interface br-lan --managed --other --rdnss fd00::1", &c, err) == 0);
	T_CHECK_STR(c.ifname, "br-lan");
	T_CHECK(c.managed && c.other && c.autonomous && c.n_rdnss == 1);
	T_CHECK(c.router_lifetime == RA6_ROUTER_LIFETIME);
	T_CHECK(parse("--interface lan --no-autonomous --router-lifetime 0", &c, err) == 0);
	T_CHECK(!c.autonomous && c.router_lifetime == 0 && !c.managed);
	T_CHECK(parse("--managed", &c, err) < 0);
	T_CHECK_STR(err, "--interface is required");
	T_CHECK(parse("--interface br-lan --rdnss 10.0.0.1", &c, err) < 0);
	T_CHECK_STR(err, "--rdnss: '10.0.0.1' is not an IPv6 address");
	T_CHECK(parse("--interface br-lan --router-lifetime 9001", &c, err) < 0);
	T_CHECK_STR(err, "--router-lifetime: '9001' is not 0 to 9000 seconds");
	T_CHECK(parse("--interface a/b", &c, err) < 0);
	T_CHECK(parse("--interface br-lan --bogus", &c, err) < 0);
	T_CHECK_STR(err, "'--bogus' is not an option");
	T_CHECK(parse("--interface br-lan --rdnss ::1 --rdnss ::2 --rdnss ::3 --rdnss ::4", &c,
		      err) < 0);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_lifetimes(void)
{
	struct ra6_prefix p = { .preferred = 0xffffffffu, .valid = 0xffffffffu };
	uint32_t pref, valid;

	ra6_lifetimes(&p, &pref, &valid);
	T_CHECK(pref == 2700 && valid == 5400);
	p.preferred = 300;
	p.valid = 600;
	ra6_lifetimes(&p, &pref, &valid);
	T_CHECK(pref == 300 && valid == 600);
	p.preferred = 0;                      /* deprecated: stays 0 */
	ra6_lifetimes(&p, &pref, &valid);
	T_CHECK(pref == 0 && valid == 600);
	p.preferred = 9000;
	p.valid = 100;                        /* never preferred longer than valid */
	ra6_lifetimes(&p, &pref, &valid);
	T_CHECK(pref == 100 && valid == 100);
}

static void test_build(void)
{
	struct ra6_conf c = { .ifname = "br-lan", .managed = true, .other = true,
			      .autonomous = true, .router_lifetime = 1800 };
	struct ra6_prefix p[2] = { { .len = 64, .preferred = 300, .valid = 600 },
				   { .len = 64, .preferred = 0, .valid = 90 } };
	struct in6_addr own;
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, 9 };
	uint8_t buf[512];
	size_t n;

	inet_pton(AF_INET6, "2001:db8:1::", &p[0].prefix);
	inet_pton(AF_INET6, "2001:db8:2::", &p[1].prefix);
	inet_pton(AF_INET6, "fe80::1", &own);
	n = ra6_build(&c, p, 2, &own, 1500, mac, buf, sizeof(buf));
	T_CHECK(n == 16 + 64 + 24 + 8 + 8);
	T_CHECK(buf[0] == 134 && buf[1] == 0 && buf[4] == 64);
	T_CHECK(buf[5] == 0xc0);                          /* M, O */
	T_CHECK(buf[6] == 1800 >> 8 && buf[7] == (1800 & 0xff));
	/* the first prefix: L and A, its lifetimes */
	T_CHECK(buf[16] == 3 && buf[17] == 4 && buf[18] == 64 && buf[19] == 0xc0);
	T_CHECK(get32(buf + 20) == 600 && get32(buf + 24) == 300);
	T_CHECK(!memcmp(buf + 32, &p[0].prefix, 16));
	/* the deprecated one: preferred 0 */
	T_CHECK(get32(buf + 52) == 90 && get32(buf + 56) == 0);
	/* RDNSS: own address when none given, lifetime 1800 */
	T_CHECK(buf[80] == 25 && buf[81] == 3 && get32(buf + 84) == 1800);
	T_CHECK(!memcmp(buf + 88, &own, 16));
	/* MTU, then the source link-layer address */
	T_CHECK(buf[104] == 5 && get32(buf + 108) == 1500);
	T_CHECK(buf[112] == 1 && buf[113] == 1 && !memcmp(buf + 114, mac, 6));
	/* too small a buffer: nothing */
	T_CHECK(ra6_build(&c, p, 2, &own, 1500, mac, buf, 40) == 0);
	/* SLAAC off, no flags, router leaving */
	c.managed = c.other = c.autonomous = false;
	c.router_lifetime = 0;
	n = ra6_build(&c, p, 1, NULL, 0, NULL, buf, sizeof(buf));
	T_CHECK(n == 48 && buf[5] == 0 && buf[6] == 0 && buf[7] == 0 && buf[19] == 0x80);
}

static void test_interval(void)
{
	struct ra6_prefix p[2] = { { .len = 64, .preferred = 0xffffffffu, .valid = 0xffffffffu },
				   { .len = 64, .preferred = 300, .valid = 600 } };

	T_CHECK(ra6_interval(NULL, 0, 0) == 200);
	T_CHECK(ra6_interval(NULL, 0, 400) == 600);
	T_CHECK(ra6_interval(NULL, 0, 401) == 200);
	T_CHECK(ra6_interval(p, 1, 400) == 600);        /* forever: capped at 5400, no hurry */
	T_CHECK(ra6_interval(p, 2, 400) == 200);        /* 600 s valid: within 200 s */
	T_CHECK(ra6_interval(p, 2, 0) == 200);
	p[1].valid = 6;
	T_CHECK(ra6_interval(p, 2, 0) == 4);            /* never a storm */
}

int main(void)
{
	T_RUN(test_args);
	T_RUN(test_lifetimes);
	T_RUN(test_build);
	T_RUN(test_interval);
	for (int i = 0; i < ncopies; i++)
		free(copies[i]);
	return t_done("ra6");
}
