/*
 * The call records' pure parts (features/pbx/cdr/cdr_parse.c): the
 * recording's file name a caller may ask for, the dates of the filters,
 * the trunk of a channel name, the recording of a userfield.
 */
#include <stdlib.h>
#include <time.h>

#include "features/pbx/cdr/cdr.h"
#include "t.h"

static void test_file_names(void)
{
	T_CHECK(cdr_file_ok("20261129-230102-1764457262.12.wav"));
	T_CHECK(cdr_file_ok("a"));
	T_CHECK(cdr_file_ok("rec_1-x.WAV"));
	T_CHECK(!cdr_file_ok(NULL));
	T_CHECK(!cdr_file_ok(""));
	T_CHECK(!cdr_file_ok("."));
	T_CHECK(!cdr_file_ok(".."));
	T_CHECK(!cdr_file_ok("../etc/shadow"));
	T_CHECK(!cdr_file_ok("..wav"));
	T_CHECK(!cdr_file_ok("a..b"));
	T_CHECK(!cdr_file_ok("a/b.wav"));
	T_CHECK(!cdr_file_ok("/etc/passwd"));
	T_CHECK(!cdr_file_ok(".hidden"));
	T_CHECK(!cdr_file_ok("a b.wav"));
	T_CHECK(!cdr_file_ok("a\nb"));
	T_CHECK(!cdr_file_ok("a\\b"));
	char longname[202];
	memset(longname, 'a', 201);
	longname[201] = '\0';
	T_CHECK(!cdr_file_ok(longname));
	longname[200] = '\0';
	T_CHECK(cdr_file_ok(longname));
}

static void test_times_utc(void)
{
	long long t = -1;

	setenv("TZ", "UTC0", 1);
	tzset();
	T_CHECK(cdr_time_parse("1795996800", false, &t) == 0 && t == 1795996800);
	T_CHECK(cdr_time_parse("0", false, &t) == 0 && t == 0);
	T_CHECK(cdr_time_parse("2026-11-30", false, &t) == 0 && t == 1795996800);
	/* a "to" date takes in its whole day */
	T_CHECK(cdr_time_parse("2026-11-30", true, &t) == 0 && t == 1795996800 + 86400);
	T_CHECK(cdr_time_parse("2026-11-30T08:30", false, &t) == 0 && t == 1795996800 + 30600);
	T_CHECK(cdr_time_parse("2026-11-30 08:30:15", true, &t) == 0 &&
		t == 1795996800 + 30615);
	/* the end of a month and of a year */
	T_CHECK(cdr_time_parse("2026-12-31", true, &t) == 0 && t == 1798761600);
	T_CHECK(cdr_time_parse("2028-02-29", false, &t) == 0);
	t = 7;
	T_CHECK(cdr_time_parse("2026-02-29", false, &t) < 0 && t == 7);
	T_CHECK(cdr_time_parse("2026-04-31", false, &t) < 0);
	T_CHECK(cdr_time_parse("2026-13-01", false, &t) < 0);
	T_CHECK(cdr_time_parse("2026-00-10", false, &t) < 0);
	T_CHECK(cdr_time_parse("2026-11-30T24:00", false, &t) < 0);
	T_CHECK(cdr_time_parse("2026-11-30T08", false, &t) < 0);
	T_CHECK(cdr_time_parse("2026-11-30T08:30:", false, &t) < 0);
	T_CHECK(cdr_time_parse("2026-11-30Z", false, &t) < 0);
	T_CHECK(cdr_time_parse("2026-1-30", false, &t) < 0);
	T_CHECK(cdr_time_parse("1969-12-31", false, &t) < 0);
	T_CHECK(cdr_time_parse("", false, &t) < 0);
	T_CHECK(cdr_time_parse(NULL, false, &t) < 0);
	T_CHECK(cdr_time_parse("-5", false, &t) < 0);
	T_CHECK(cdr_time_parse("1e9", false, &t) < 0);
	T_CHECK(cdr_time_parse("1234567890123", false, &t) < 0);
	T_CHECK(cdr_time_parse("yesterday", false, &t) < 0);
	T_CHECK(t == 7);
}

/* dates are the router's local days */
static void test_times_local(void)
{
	long long t = -1;

	setenv("TZ", "GST-4", 1);   /* four hours east of UTC */
	tzset();
	T_CHECK(cdr_time_parse("2026-11-30", false, &t) == 0 && t == 1795996800 - 4 * 3600);
	T_CHECK(cdr_time_parse("2026-11-30", true, &t) == 0 && t == 1795996800 + 20 * 3600);
	/* epoch seconds are no local time */
	T_CHECK(cdr_time_parse("1795996800", false, &t) == 0 && t == 1795996800);
	setenv("TZ", "UTC0", 1);
	tzset();
}

static void test_trunks(void)
{
	char out[32];

	T_CHECK(cdr_trunk_of("PJSIP/trunk-office-0000000a", out, sizeof(out)));
	T_CHECK_STR(out, "office");
	/* a trunk's name may hold '-' itself */
	T_CHECK(cdr_trunk_of("PJSIP/trunk-my-sip_2-00000013", out, sizeof(out)));
	T_CHECK_STR(out, "my-sip_2");
	T_CHECK(!cdr_trunk_of("PJSIP/1001-00000002", out, sizeof(out)));
	T_CHECK_STR(out, "");
	T_CHECK(!cdr_trunk_of("PJSIP/trunk-office", out, sizeof(out)));
	T_CHECK(!cdr_trunk_of("PJSIP/trunk--00000002", out, sizeof(out)));
	T_CHECK(!cdr_trunk_of("PJSIP/trunk-office-0000000G", out, sizeof(out)));
	T_CHECK(!cdr_trunk_of("PJSIP/trunk-office-000000001", out, sizeof(out)));
	T_CHECK(!cdr_trunk_of("SIP/trunk-office-00000002", out, sizeof(out)));
	T_CHECK(!cdr_trunk_of("", out, sizeof(out)));
	T_CHECK(!cdr_trunk_of(NULL, out, sizeof(out)));
	/* too long for out: no half name */
	T_CHECK(!cdr_trunk_of("PJSIP/trunk-a-very-long-trunk-name-here-00000002", out, 8));
	T_CHECK_STR(out, "");
}

static void test_recordings(void)
{
	T_CHECK_STR(cdr_recording_of("recording=20261129-230102-1.2.wav"), "20261129-230102-1.2.wav");
	T_CHECK(cdr_recording_of("blocked") == NULL);
	T_CHECK(cdr_recording_of("") == NULL);
	T_CHECK(cdr_recording_of(NULL) == NULL);
	T_CHECK(cdr_recording_of("recording=") == NULL);
	T_CHECK(cdr_recording_of("recording=../x.wav") == NULL);
}

int main(void)
{
	T_RUN(test_file_names);
	T_RUN(test_times_utc);
	T_RUN(test_times_local);
	T_RUN(test_trunks);
	T_RUN(test_recordings);
	return t_done("pbx_cdr");
}
