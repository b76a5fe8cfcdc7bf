/*
 * Region & Time: chronyc's CSV lines as the status shows them (and lines
 * that are none refused), tzdata's tables read into zone names, the zone
 * list and the local time of a zone, and the section's rules naming the
 * path and the value.
 */
#include <string.h>

#include "apply/feature.h"
#include "features/admin/time/time.h"
#include "t.h"
#include "t_json.h"
#include "t_schema.h"

static json_t *src(const char *line)
{
	return time_parse_source(line, strlen(line));
}

static void test_sources(void)
{
	json_t *s = src("^,*,198.51.100.1,3,6,377,12,-0.000012345,-0.000012000,0.000250000");

	T_CHECK(s != NULL);
	T_CHECK_STR(json_string_value(json_object_get(s, "mode")), "server");
	T_CHECK_STR(json_string_value(json_object_get(s, "state")), "selected");
	T_CHECK_STR(json_string_value(json_object_get(s, "address")), "198.51.100.1");
	T_CHECK(json_integer_value(json_object_get(s, "stratum")) == 3);
	T_CHECK(json_integer_value(json_object_get(s, "reach")) == 255);   /* octal 377 */
	T_CHECK(json_integer_value(json_object_get(s, "last_rx")) == 12);
	T_CHECK(json_real_value(json_object_get(s, "offset")) < 0);
	json_decref(s);
	/* never heard: no last reception; a negative poll */
	s = src("^,?,2001:db8::1,0,-2,0,4294967295,0.000000000,0.000000000,0.000000000");
	T_CHECK(s && json_is_null(json_object_get(s, "last_rx")) &&
		json_integer_value(json_object_get(s, "poll")) == -2);
	json_decref(s);
	/* not a source line: a tracking line, an answer, bad fields */
	T_CHECK(src("00000000,,0,0.0,0.0,0.0,0.0,0.000,0.000,0.000,1.0,1.0,0.0,Not synchronised") == NULL);
	T_CHECK(src("506 Cannot talk to daemon") == NULL);
	T_CHECK(src("^,!,198.51.100.1,3,6,377,12,0.1,0.1,0.1") == NULL);     /* no such state */
	T_CHECK(src("^,*,198.51.100.1,17,6,377,12,0.1,0.1,0.1") == NULL);    /* stratum > 16 */
	T_CHECK(src("^,*,198.51.100.1,3,6,400,12,0.1,0.1,0.1") == NULL);     /* reach > 8 bits */
	T_CHECK(src("^,*,198.51.100.1,3,6,377,12,0.1,0.1,nan") == NULL);
	T_CHECK(src("^,*,198.51.100.1,3,6,377,12,0.1,0.1,0.1,extra") == NULL);
	T_CHECK(time_parse_source("^,*,a\0b,3,6,377,12,0.1,0.1,0.1", 30) == NULL);
}

static void test_tracking(void)
{
	static const char ok[] = "C6336401,198.51.100.1,4,1796025674.123,0.000001,-0.000002,"
				 "0.000010,-3.5,0.001,0.2,0.000300,0.000500,64.0,Normal";
	static const char off[] = "00000000,,0,0.000000000,0.000000000,0.000000000,0.000000000,"
				  "0.000,0.000,0.000,1.000000000,1.000000000,0.0,Not synchronised";
	json_t *t = time_parse_tracking(ok, strlen(ok));

	T_CHECK(t && json_is_true(json_object_get(t, "synchronised")));
	T_CHECK_STR(json_string_value(json_object_get(t, "reference")), "198.51.100.1");
	T_CHECK(json_integer_value(json_object_get(t, "stratum")) == 4);
	T_CHECK_STR(json_string_value(json_object_get(t, "leap")), "Normal");
	json_decref(t);
	t = time_parse_tracking(off, strlen(off));
	T_CHECK(t && json_is_false(json_object_get(t, "synchronised")) &&
		json_string_value(json_object_get(t, "reference")) == NULL);
	json_decref(t);
	T_CHECK(time_parse_tracking("C633640,x,4,1,1,1,1,1,1,1,1,1,1,Normal", 38) == NULL);
}

static void test_zone_tables(void)
{
	static const char tab[] = "# comment\tx\tNot/This\n"
				  "DE,DK,NO\t+5230+01322\tEurope/Berlin\tmost of Germany\n"
				  "AR\t-3436-05827\tAmerica/Argentina/Buenos_Aires\n"
				  "XX\t+0000+00000\t../etc/passwd\n"
				  "short line\n";
	json_t *names = json_array();

	T_CHECK(time_zones_parse(tab, strlen(tab), names) == 2);
	T_CHECK_STR(json_string_value(json_array_get(names, 0)), "Europe/Berlin");
	T_CHECK_STR(json_string_value(json_array_get(names, 1)), "America/Argentina/Buenos_Aires");
	json_decref(names);
	T_CHECK(!time_zone_name_ok("/etc/passwd") && !time_zone_name_ok("a/../b") &&
		!time_zone_name_ok("") && time_zone_name_ok("Etc/GMT+5"));
	/* Debian's tzdata: both tables, and UTC */
	T_CHECK(time_zone_known("UTC") && time_zone_known("Europe/Oslo") &&
		time_zone_known("Asia/Kolkata") && !time_zone_known("Mars/Olympus_Mons") &&
		!time_zone_known("Europe"));
}

static void test_local_time(void)
{
	struct tm tm;
	time_t t = 1700000000;   /* 2023-11-14 22:13:20 UTC */

	T_CHECK(time_local("Asia/Kolkata", t, &tm));
	T_CHECK(tm.tm_hour == 3 && tm.tm_min == 43 && tm.tm_gmtoff == 19800);
	T_CHECK(time_local("UTC", t, &tm) && tm.tm_hour == 22);
	T_CHECK(!time_local("Nowhere/Town", t, &tm));
}

static void test_rules(void)
{
	T_CHECK(valid(doc_with("time.timezone", "\"Europe/Berlin\"")));
	T_CHECK(has_error(doc_with("time.timezone", "\"Mars/Olympus_Mons\""), "time.timezone",
			  "time.timezone: Mars/Olympus_Mons is not a timezone of the IANA list "
			  "(e.g. Europe/Berlin, UTC)"));
	T_CHECK(valid(doc_with("time.ntp_servers", "[\"pool.ntp.org\", \"192.0.2.1\", \"2001:db8::1\"]")));
	T_CHECK(has_error(doc_with("time.ntp_servers", "[\"ok.example\", \"-bad.example\"]"),
			  "time.ntp_servers[1]",
			  "time.ntp_servers[1]: -bad.example is not a host name or an IP address"));
	T_CHECK(has_error(doc_with("time.ntp_servers", "[\"a..b\"]"), "time.ntp_servers[0]",
			  "time.ntp_servers[0]: a..b is not a host name or an IP address"));
}

int main(void)
{
	feature_schema_init();
	T_RUN(test_sources);
	T_RUN(test_tracking);
	T_RUN(test_zone_tables);
	T_RUN(test_local_time);
	T_RUN(test_rules);
	return t_done("time");
}
