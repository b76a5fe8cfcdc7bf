/*
 * Intrusion prevention's pure parts: the failure counter (fail2ban's
 * sliding window, the cap, deletions in the open-addressing table checked
 * against a plain list), the ban key of an address, the reader's records
 * read strictly, and the reader's frame stream (cut anywhere, the same
 * records; an overlong line dropped; a malformed frame refused).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "features/services/ips/ips_int.h"
#include "features/services/ips/ips_parse.h"
#include "ips-reader/ipr.h"

static struct ips_key key4(unsigned n)
{
	struct net_prefix a = { .family = 4, .len = 32 };
	struct ips_key k;

	a.addr[0] = 198, a.addr[1] = 51, a.addr[2] = (unsigned char)(n >> 8), a.addr[3] = (unsigned char)n;
	ips_key_of(&a, 64, IPS_SVC_SSH, &k);
	return k;
}

static void test_window(void)
{
	struct ips_counter *c = ips_counter_new(100);
	struct ips_key k = key4(1), other = key4(2);

	/* three failures within ten seconds ban; the ban forgets the count */
	T_CHECK(!ips_counter_fail(c, &k, 100, 3, 10));
	T_CHECK(!ips_counter_fail(c, &other, 101, 3, 10));
	T_CHECK(!ips_counter_fail(c, &k, 105, 3, 10));
	T_CHECK(ips_counter_fail(c, &k, 109, 3, 10));
	T_CHECK(!ips_counter_fail(c, &k, 110, 3, 10));
	/* spread wider than the window: never */
	for (int i = 0; i < 10; i++)
		T_CHECK(!ips_counter_fail(c, &other, 200 + i * 6, 3, 10));
	/* the window slides: 248 and 254 are within 10 s of 257 */
	T_CHECK(ips_counter_fail(c, &other, 257, 3, 10));
	/* a service is counted apart */
	struct ips_key gui = key4(3), ssh = key4(3);
	gui.service = IPS_SVC_GUI;
	T_CHECK(!ips_counter_fail(c, &ssh, 300, 2, 10));
	T_CHECK(!ips_counter_fail(c, &gui, 300, 2, 10));
	T_CHECK(ips_counter_fail(c, &ssh, 301, 2, 10));
	/* max 1: the first failure bans */
	T_CHECK(ips_counter_fail(c, &other, 400, 1, 10));
	/* a changed max retries starts the address over */
	T_CHECK(!ips_counter_fail(c, &k, 500, 3, 10));
	T_CHECK(!ips_counter_fail(c, &k, 501, 2, 10));
	T_CHECK(ips_counter_fail(c, &k, 502, 2, 10));
	ips_counter_free(c);
}

static void test_cap(void)
{
	struct ips_counter *c = ips_counter_new(4);

	for (unsigned i = 0; i < 4; i++) {
		struct ips_key k = key4(i);
		T_CHECK(!ips_counter_fail(c, &k, 100, 5, 60));
	}
	T_CHECK(ips_counter_size(c) == 4);
	struct ips_key late = key4(99);
	T_CHECK(!ips_counter_fail(c, &late, 110, 5, 60));
	T_CHECK(ips_counter_untracked(c) == 1);
	T_CHECK(ips_counter_size(c) == 4);
	/* once the others aged out of the window, there is room again */
	T_CHECK(!ips_counter_fail(c, &late, 200, 2, 60));
	T_CHECK(ips_counter_size(c) == 1);
	T_CHECK(ips_counter_fail(c, &late, 201, 2, 60));
	T_CHECK(ips_counter_size(c) == 0);
	ips_counter_free(c);
}

/* Random failures of many addresses, against a plain model: every ban
 * the table says is the one the model says (deletion by backward shift
 * must never lose or mix up an entry). */
static void test_against_model(void)
{
	enum { KEYS = 300, STEPS = 200000, MAX = 3, WINDOW = 50 };
	struct ips_counter *c = ips_counter_new(4096);
	static long long times[KEYS][MAX];
	static int n[KEYS];
	unsigned seed = 7;
	long long now = 1000;
	int mismatches = 0, bans = 0;

	for (int s = 0; s < STEPS; s++) {
		seed = seed * 1103515245u + 12345u;
		unsigned i = (seed >> 8) % KEYS;
		struct ips_key k = key4(i);
		bool want, got;
		int inw = 0;

		now += (seed >> 20) % 3;
		/* the model: the last MAX failure times */
		memmove(times[i] + 1, times[i], (MAX - 1) * sizeof(long long));
		times[i][0] = now;
		if (n[i] < MAX)
			n[i]++;
		for (int j = 0; j < n[i]; j++)
			if (times[i][j] > now - WINDOW)
				inw++;
		want = inw >= MAX;
		if (want)
			n[i] = 0;
		got = ips_counter_fail(c, &k, now, MAX, WINDOW);
		mismatches += want != got;
		bans += got;
	}
	T_CHECK(mismatches == 0);
	T_CHECK(bans > 1000);
	ips_counter_free(c);
}

static void test_key(void)
{
	struct net_prefix a;
	struct ips_key k1, k2, k3;

	net_prefix_parse("2001:db8:1:2:aaaa::1", 6, false, &a);
	ips_key_of(&a, 64, IPS_SVC_SSH, &k1);
	net_prefix_parse("2001:db8:1:2:bbbb::9", 6, false, &a);
	ips_key_of(&a, 64, IPS_SVC_SSH, &k2);
	net_prefix_parse("2001:db8:1:3::1", 6, false, &a);
	ips_key_of(&a, 64, IPS_SVC_SSH, &k3);
	T_CHECK(!memcmp(&k1, &k2, sizeof(k1)));
	T_CHECK(memcmp(&k1, &k3, sizeof(k1)) != 0);
	ips_key_of(&a, 128, IPS_SVC_SSH, &k3);
	T_CHECK(k3.addr[15] == 1);
}

static void test_records(void)
{
	struct ips_record r;
	char big[IPS_LINE_MAX + 100];
	const char *good = "ips ssh failure 192.0.2.66 invalid_user Nov 30 sshd[1]: Failed password";

	T_CHECK(ips_record_parse(good, strlen(good), &r));
	T_CHECK(r.service == IPS_SVC_SSH && r.failure && r.addr.family == 4);
	T_CHECK_STR(r.reason, "invalid user");
	T_CHECK_STR(r.line, "Nov 30 sshd[1]: Failed password");
	good = "ips gui success 2001:db8::7 login ok";
	T_CHECK(ips_record_parse(good, strlen(good), &r));
	T_CHECK(!r.failure && r.service == IPS_SVC_GUI && r.addr.family == 6);
	static const char *const bad[] = {
		"ips manual failure 192.0.2.1 x y",      /* the reader never says manual */
		"ips telnet failure 192.0.2.1 x y",
		"ips ssh fail 192.0.2.1 x y",
		"ips ssh failure 192.0.2.0/24 x y",      /* an address, never a network */
		"ips ssh failure 192.0.2.256 x y",
		"ips ssh failure 192.0.2.1 x1 y",
		"ips ssh failure 192.0.2.1 x",
		"ips ssh failure 192.0.2.1 x \x01",
		"ips ssh failure 192.0.2.1 x a\xc3\xa9",
		"ips  ssh failure 192.0.2.1 x y",
		"IPS ssh failure 192.0.2.1 x y",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_CHECK(!ips_record_parse(bad[i], strlen(bad[i]), &r));
	memset(big, 'a', sizeof(big));
	memcpy(big, "ips ssh failure 192.0.2.1 x ", 28);
	T_CHECK(!ips_record_parse(big, 28 + IPS_LINE_MAX + 1, &r));   /* a line over the cap */
	T_CHECK(ips_record_parse(big, 28 + IPS_LINE_MAX, &r));
}

struct sink {
	char text[8192];
	size_t len;
};

static void sink_emit(void *arg, const char *rec, size_t len)
{
	struct sink *s = arg;

	if (s->len + len < sizeof(s->text)) {
		memcpy(s->text + s->len, rec, len);
		s->len += len;
		s->text[s->len] = '\0';
	}
}

static size_t frame(unsigned char *out, int svc, const char *text)
{
	size_t n = strlen(text);

	ips_frame_header(out, svc, (uint32_t)n);
	memcpy(out + IPS_FRAME_HEADER, text, n);
	return IPS_FRAME_HEADER + n;
}

static void test_stream(void)
{
	static unsigned char buf[16384];
	static struct ipr r;
	struct sink whole = { .len = 0 }, cut;
	size_t n = 0;
	const char *ssh1 = "Nov 30 07:00:00 r sshd[12]: Failed password for invalid user x from 1.2.3.4 "
			   "port 22 from 192.0.2.66 port 4242 ssh2\n";

	/* a line split across two frames of the same service, with another
	 * service's line between them */
	n += frame(buf + n, 0, "Nov 30 07:00:00 r sshd[12]: Failed password for root from 192.0.2.9 ");
	n += frame(buf + n, 2, "2026-11-30T07:00:00Z login-failed peer=198.51.100.9 user=admin\n");
	n += frame(buf + n, 0, "port 22 ssh2\nnothing here\n");
	n += frame(buf + n, 0, ssh1);
	ipr_init(&r);
	T_CHECK(ipr_feed(&r, buf, n, sink_emit, &whole) == 0);
	/* the web login's line was whole first */
	T_CHECK(strstr(whole.text, "ips gui failure 198.51.100.9 bad_password ") == whole.text);
	T_CHECK(strstr(whole.text, "\nips ssh failure 192.0.2.9 bad_password ") != NULL);
	T_CHECK(strstr(whole.text, "\nips ssh failure 192.0.2.66 invalid_user ") != NULL);
	T_CHECK(strstr(whole.text, "1.2.3.4 invalid") == NULL);
	T_CHECK(r.events == 3 && r.lines == 4);
	/* byte by byte: the same records */
	memset(&cut, 0, sizeof(cut));
	ipr_init(&r);
	for (size_t i = 0; i < n; i++)
		T_CHECK(ipr_feed(&r, buf + i, 1, sink_emit, &cut) == 0);
	T_CHECK_STR(cut.text, whole.text);
	/* a line longer than any log writes is dropped whole, the next one read */
	{
		static char longline[IPR_LINE_MAX + 100];
		memset(longline, 'x', sizeof(longline) - 1);
		longline[sizeof(longline) - 1] = '\0';
		memset(&cut, 0, sizeof(cut));
		ipr_init(&r);
		n = frame(buf, 0, longline);
		T_CHECK(ipr_feed(&r, buf, n, sink_emit, &cut) == 0);
		n = frame(buf, 0, " from 192.0.2.5 port 1 ssh2\n");
		T_CHECK(ipr_feed(&r, buf, n, sink_emit, &cut) == 0);
		n = frame(buf, 0, ssh1);
		T_CHECK(ipr_feed(&r, buf, n, sink_emit, &cut) == 0);
		T_CHECK(r.dropped == 1 && r.events == 1);
		T_CHECK(strstr(cut.text, "192.0.2.5") == NULL);
	}
	/* one failed login is one failure, whatever sshd says of it: an
	 * unknown user with a password (three lines), a known one (two), a
	 * probe without any attempt (two), three passwords on one connection */
	{
		static const char *const lines[] = {
			"Invalid user x from 10.9.9.2 port 100\n",
			"Failed password for invalid user x from 10.9.9.2 port 100 ssh2\n",
			"Connection closed by invalid user x 10.9.9.2 port 100 [preauth]\n",
			"Failed password for root from 10.9.9.2 port 101 ssh2\n",
			"Connection closed by authenticating user root 10.9.9.2 port 101 [preauth]\n",
			"Invalid user y from 10.9.9.2 port 102\n",
			"Connection closed by invalid user y 10.9.9.2 port 102 [preauth]\n",
			"Connection closed by authenticating user root 10.9.9.2 port 103 [preauth]\n",
			"Invalid user z from 10.9.9.2 port 104\n",
			"Failed password for invalid user z from 10.9.9.2 port 104 ssh2\n",
			"Failed password for invalid user z from 10.9.9.2 port 104 ssh2\n",
			"Failed password for invalid user z from 10.9.9.2 port 104 ssh2\n",
			("error: maximum authentication attempts exceeded for invalid user z from "
			 "10.9.9.2 port 104 ssh2 [preauth]\n"),
		};
		memset(&cut, 0, sizeof(cut));
		ipr_init(&r);
		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			n = frame(buf, 0, lines[i]);
			T_CHECK(ipr_feed(&r, buf, n, sink_emit, &cut) == 0);
		}
		T_CHECK(r.events == 1 + 1 + 1 + 1 + 3);
	}
	/* frames the writer never makes */
	ipr_init(&r);
	ips_frame_header(buf, 3, 1);
	T_CHECK(ipr_feed(&r, buf, IPS_FRAME_HEADER, sink_emit, &cut) < 0);
	ipr_init(&r);
	ips_frame_header(buf, 0, IPS_FRAME_MAX + 1);
	T_CHECK(ipr_feed(&r, buf, IPS_FRAME_HEADER, sink_emit, &cut) < 0);
	ipr_init(&r);
	ips_frame_header(buf, 0, 1);
	buf[2] = 1;
	T_CHECK(ipr_feed(&r, buf, IPS_FRAME_HEADER, sink_emit, &cut) < 0);
}

/* A record whole, at its longest: the longest IPv6 text, a displayed line
 * cut at IPS_LINE_MAX; and the longest service name and a success. */
static void test_record_text(void)
{
	static struct ipr r;
	char line[IPS_LINE_MAX + 200], want[IPR_RECORD_MAX + 200], rec[IPR_RECORD_MAX];
	const char *a6 = "2001:db8:1111:2222:3333:4444:5555:6666";
	const char *head = "Nov 30 07:00:00 r sshd[12]: Failed password for invalid user ";
	size_t n;

	snprintf(line, sizeof(line), "%s%0*d from %s port 65535 ssh2\n", head, IPS_LINE_MAX, 7, a6);
	ipr_init(&r);
	n = ipr_record(&r, 0, line, strlen(line), rec);
	snprintf(want, sizeof(want), "ips ssh failure %s invalid_user %.*s\n", a6, IPS_LINE_MAX,
		 line);
	T_CHECK(n == strlen(want) && n < IPR_RECORD_MAX);
	T_CHECK(!memcmp(rec, want, n) && rec[n] == '\0');
	snprintf(line, sizeof(line), "Event: SuccessfulAuth\r\nRemoteAddress: IPV4/UDP/192.0.2.8/5060"
		 "\r\n");
	n = ipr_record(&r, 1, line, strlen(line), rec);
	T_CHECK(n > 46 && !strncmp(rec, "ips asterisk success 192.0.2.8 SuccessfulAuth ", 46));
	T_CHECK(rec[n - 1] == '\n' && rec[n] == '\0');
	/* no event: no record */
	T_CHECK(ipr_record(&r, 0, "nothing", 7, rec) == 0);
	T_CHECK(ipr_record(&r, 3, line, strlen(line), rec) == 0);
}

int main(void)
{
	T_RUN(test_window);
	T_RUN(test_cap);
	T_RUN(test_against_model);
	T_RUN(test_key);
	T_RUN(test_records);
	T_RUN(test_stream);
	T_RUN(test_record_text);
	return t_done("ips");
}
