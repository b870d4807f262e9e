/*
 * Unit tests of lib/timefmt.c: RFC 3339 parsing with offsets and
 * fractions, calendar ranges, and formatting.
 *
 * Every epoch value below was computed outside the library, with
 * python3 calendar.timegm / datetime.fromisoformat or GNU
 * `date -u -d <time> +%s`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uptime.h"
#include "unit.h"

struct tcase {
	const char	*s;
	int64_t		 ms;
};

static void
check_ok(const char *s, int64_t want, int line)
{
	int64_t	 got = -12345;

	if (time_parse(s, &got) != 0) {
		fprintf(stderr, "%s:%d: time_parse(\"%s\") refused\n",
		    __FILE__, line, s);
		unit_current_failed = 1;
	} else if (got != want) {
		fprintf(stderr, "%s:%d: time_parse(\"%s\") = %lld, want %lld\n",
		    __FILE__, line, s, (long long)got, (long long)want);
		unit_current_failed = 1;
	}
}

static void
check_bad(const char *s, int line)
{
	int64_t	 got = -12345;

	if (time_parse(s, &got) != -1) {
		fprintf(stderr, "%s:%d: time_parse(\"%s\") accepted (%lld)\n",
		    __FILE__, line, s ? s : "(null)", (long long)got);
		unit_current_failed = 1;
	} else if (got != -12345) {
		fprintf(stderr, "%s:%d: time_parse(\"%s\") wrote *ms on error\n",
		    __FILE__, line, s ? s : "(null)");
		unit_current_failed = 1;
	}
}

#define OK(s, ms)	check_ok((s), (ms), __LINE__)
#define BAD(s)		check_bad((s), __LINE__)

static void
test_parse_utc(void)
{
	OK("2026-02-14T12:00:00Z", 1771070400000);
	OK("2026-02-14T12:00:00.000Z", 1771070400000);
	OK("1970-01-01T00:00:00Z", 0);
	OK("1970-01-01T00:00:00.001Z", 1);
	OK("2038-01-19T03:14:08Z", 2147483648000);
	OK("2026-12-31T23:59:59Z", 1798761599000);
	OK("2026-04-30T00:00:00Z", 1777507200000);
	OK("9999-12-31T23:59:59.999Z", 253402300799999);
}

static void
test_parse_lowercase(void)
{
	OK("2026-02-14t12:00:00z", 1771070400000);
	OK("2026-02-14t12:00:00Z", 1771070400000);
	OK("2026-02-14T12:00:00.5z", 1771070400500);
}

static void
test_parse_offsets(void)
{
	OK("2026-02-14T12:00:00+00:00", 1771070400000);
	OK("2026-02-14T12:00:00-00:00", 1771070400000);
	OK("2026-02-14T14:00:00+02:00", 1771070400000);
	OK("2026-02-14T12:00:00+02:00", 1771063200000);
	OK("2026-02-14T12:00:00-05:30", 1771090200000);
	OK("2026-02-14T06:30:00-05:30", 1771070400000);
	OK("2026-02-15T10:00:00+13:45", 1771100100000);
	OK("2026-02-14T12:00:00-23:59", 1771156740000);
	OK("2026-02-14T12:00:00+23:59", 1770984060000);
	/* An offset that crosses into 1970 from the first hour. */
	OK("1970-01-01T01:00:00+01:00", 0);
	OK("2026-02-14T12:00:00.250+02:00", 1771063200250);
}

static void
test_parse_fraction_digits(void)
{
	/* One to nine digits; past three they are cut, not rounded. */
	OK("2026-02-14T12:00:00.1Z", 1771070400100);
	OK("2026-02-14T12:00:00.12Z", 1771070400120);
	OK("2026-02-14T12:00:00.123Z", 1771070400123);
	OK("2026-02-14T12:00:00.1234Z", 1771070400123);
	OK("2026-02-14T12:00:00.12345Z", 1771070400123);
	OK("2026-02-14T12:00:00.123456Z", 1771070400123);
	OK("2026-02-14T12:00:00.1234567Z", 1771070400123);
	OK("2026-02-14T12:00:00.12345678Z", 1771070400123);
	OK("2026-02-14T12:00:00.123456789Z", 1771070400123);
	OK("2026-02-14T12:00:00.999999999Z", 1771070400999);
	OK("2026-02-14T12:00:00.000000001Z", 1771070400000);
	OK("2026-02-14T12:00:00.05Z", 1771070400050);
	OK("2026-02-14T12:00:00.007Z", 1771070400007);
	OK("1999-12-31T23:59:59.5Z", 946684799500);
	/* Zero digits after the point. */
	BAD("2026-02-14T12:00:00.Z");
	BAD("2026-02-14T12:00:00.+02:00");
	BAD("2026-02-14T12:00:00.");
	BAD("2026-02-14T12:00:00,5Z");
	BAD("2026-02-14T12:00:00.5.5Z");
}

static void
test_parse_leap_day(void)
{
	OK("2024-02-29T00:00:00Z", 1709164800000);
	OK("2000-02-29T23:59:59.999Z", 951868799999);
	BAD("2023-02-29T00:00:00Z");
	BAD("2100-02-29T00:00:00Z");	/* divisible by 100, not 400 */
	BAD("2024-02-30T00:00:00Z");
	OK("2023-02-28T00:00:00Z", 1677542400000);
}

static void
test_parse_ranges(void)
{
	BAD("2026-00-14T12:00:00Z");
	BAD("2026-13-14T12:00:00Z");
	BAD("2026-02-00T12:00:00Z");
	BAD("2026-01-32T12:00:00Z");
	BAD("2026-04-31T12:00:00Z");
	BAD("2026-06-31T12:00:00Z");
	BAD("2026-09-31T12:00:00Z");
	BAD("2026-11-31T12:00:00Z");
	OK("2026-12-31T00:00:00Z", 1798675200000);
	BAD("2026-02-14T24:00:00Z");
	BAD("2026-02-14T12:60:00Z");
	BAD("2026-02-14T12:00:61Z");
	BAD("2026-02-14T12:00:99Z");
	OK("2026-02-14T23:59:59Z", 1771113599000);
	/* Offsets out of range. */
	BAD("2026-02-14T12:00:00+24:00");
	BAD("2026-02-14T12:00:00+02:60");
	BAD("2026-02-14T12:00:00-99:00");
}

static void
test_parse_leap_second(void)
{
	int64_t	 ms = 0;

	/* 23:59:60 is taken, within the second that ends the day. */
	CHECK_INT(time_parse("2016-12-31T23:59:60Z", &ms), 0);
	CHECK(ms >= 1483228799000 && ms <= 1483228800000);
}

static void
test_parse_garbage(void)
{
	char	 longs[128];

	BAD(NULL);
	BAD("");
	BAD("garbage");
	BAD("now");
	BAD("2026");
	BAD("2026-02-14");
	BAD("2026-02-14T12:00Z");
	BAD("2026-02-14T12:00:00");
	BAD("2026-02-14 12:00:00Z");
	BAD("2026-02-14_12:00:00Z");
	BAD("2026-2-14T12:00:00Z");
	BAD("2026-02-4T12:00:00Z");
	BAD("26-02-14T12:00:00Z");
	BAD("+2026-02-14T12:00:00Z");
	BAD(" 2026-02-14T12:00:00Z");
	BAD("2026-02-14T12:00:00Z ");
	BAD("2026-02-14T12:00:00Zjunk");
	BAD("2026-02-14T12:00:00ZZ");
	BAD("2026-02-14T12:00:00+0200");
	BAD("2026-02-14T12:00:00+02");
	BAD("2026-02-14T12:00:00+2:00");
	BAD("2026-02-14T12:00:00 +02:00");
	BAD("2026-02-14T12:00:00UTC");
	BAD("2026/02/14T12:00:00Z");
	BAD("2026-02-14T12-00-00Z");
	BAD("2026-0a-14T12:00:00Z");
	BAD("2026-02-14T1a:00:00Z");
	BAD("1771070400000");
	/* Long input: a valid time followed by many fraction digits. */
	snprintf(longs, sizeof(longs), "2026-02-14T12:00:00.%sZ",
	    "1234567890123456789012345678901234567890");
	BAD(longs);
}

static void
test_parse_before_1970(void)
{
	BAD("1969-12-31T23:59:59Z");
	BAD("1969-12-31T23:59:59.999Z");
	BAD("1900-01-01T00:00:00Z");
	BAD("0000-01-01T00:00:00Z");
	/* 1970 in the offset's zone but 1969 in UTC. */
	BAD("1970-01-01T00:30:00+01:00");
	BAD("1970-01-01T00:00:00+00:01");
	OK("1970-01-01T00:00:00-00:01", 60000);
}

static void
test_format_known(void)
{
	char	 out[TIME_MAX];

	CHECK_STR(time_format(0, out), "1970-01-01T00:00:00.000Z");
	CHECK_STR(time_format(1771070400000, out), "2026-02-14T12:00:00.000Z");
	CHECK_STR(time_format(1, out), "1970-01-01T00:00:00.001Z");
	CHECK_STR(time_format(999, out), "1970-01-01T00:00:00.999Z");
	CHECK_STR(time_format(1000, out), "1970-01-01T00:00:01.000Z");
	CHECK_STR(time_format(951868799999, out), "2000-02-29T23:59:59.999Z");
	CHECK_STR(time_format(1709164800000, out), "2024-02-29T00:00:00.000Z");
	CHECK_STR(time_format(2147483648000, out), "2038-01-19T03:14:08.000Z");
	CHECK_STR(time_format(946684799500, out), "1999-12-31T23:59:59.500Z");
	CHECK_STR(time_format(253402300799999, out),
	    "9999-12-31T23:59:59.999Z");
	CHECK_STR(time_format(1771063200250, out), "2026-02-14T10:00:00.250Z");
	/* It returns its argument and writes 24 characters. */
	CHECK(time_format(5, out) == out);
	CHECK_INT(strlen(out), 24);
	CHECK(TIME_MAX >= 25);
}

static void
test_format_parse_round_trip(void)
{
	static const int64_t fixed[] = {
		0, 1, 999, 1000, 59999, 86399999, 86400000, 951782400000,
		951868799999, 1709164800000, 1771070400000, 2147483647999,
		4102444800000, 253402300799999,
	};
	char	 out[TIME_MAX];
	int64_t	 v, back;
	size_t	 i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		back = -1;
		CHECK_INT(time_parse(time_format(fixed[i], out), &back), 0);
		CHECK_INT(back, fixed[i]);
	}
	/* Pseudo-random times up to year 9999, seeded for repeatability. */
	srand(20260214);
	for (i = 0; i < 20000; i++) {
		v = ((int64_t)rand() << 31 ^ rand()) % 253402300800000;
		if (v < 0)
			v = -v;
		back = -1;
		if (time_parse(time_format(v, out), &back) != 0 || back != v) {
			fprintf(stderr, "round trip %lld -> %s -> %lld\n",
			    (long long)v, out, (long long)back);
			CHECK(0);
			break;
		}
	}
}

/* Formatting agrees with the C library's gmtime for whole seconds. */
static void
test_format_matches_strftime(void)
{
	char		 out[TIME_MAX], want[64];
	struct tm	 tm;
	time_t		 s;
	int		 i;

	srand(7);
	for (i = 0; i < 2000; i++) {
		s = (time_t)(((int64_t)rand() << 31 ^ rand()) % 253402300800LL);
		if (s < 0)
			s = -s;
		gmtime_r(&s, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
		time_format((int64_t)s * 1000, out);
		if (strcmp(out, want) != 0) {
			CHECK_STR(out, want);
			break;
		}
	}
}

static void
test_now(void)
{
	int64_t	 a = (int64_t)time(NULL) * 1000, n = time_now_ms();
	int64_t	 b = (int64_t)time(NULL) * 1000 + 1000;

	CHECK(n >= a && n <= b);
	/* After 2026-01-01, which is when this code was written. */
	CHECK(n > 1767225600000);
}

/* The calendar lib/recurrence.c counts local dates with. */
static void
test_calendar(void)
{
	struct tm	 tm;
	int64_t		 y;
	int		 m, d, bad = 0;

	CHECK_INT(time_days_from_civil(1970, 1, 1), 0);
	CHECK_INT(time_days_from_civil(2026, 2, 14), 20498);
	CHECK_INT(time_days_from_civil(1969, 12, 31), -1);
	CHECK_INT(time_days_in_month(2024, 2), 29);
	CHECK_INT(time_days_in_month(2023, 2), 28);
	CHECK_INT(time_days_in_month(2000, 2), 29);
	CHECK_INT(time_days_in_month(2100, 2), 28);
	CHECK_INT(time_days_in_month(2026, 4), 30);
	CHECK_INT(time_days_in_month(2026, 12), 31);
	/* Every day of 1600..2600 against timegm. */
	for (y = 1600; y <= 2600; y++)
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= time_days_in_month(y, m); d++) {
				memset(&tm, 0, sizeof(tm));
				tm.tm_year = (int)y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = d;
				if (time_days_from_civil(y, (unsigned)m,
				    (unsigned)d) * 86400 != (int64_t)timegm(&tm))
					bad++;
			}
	CHECK_INT(bad, 0);
}

int
main(void)
{
	UNIT_RUN(test_parse_utc);
	UNIT_RUN(test_parse_lowercase);
	UNIT_RUN(test_parse_offsets);
	UNIT_RUN(test_parse_fraction_digits);
	UNIT_RUN(test_parse_leap_day);
	UNIT_RUN(test_parse_ranges);
	UNIT_RUN(test_parse_leap_second);
	UNIT_RUN(test_parse_garbage);
	UNIT_RUN(test_parse_before_1970);
	UNIT_RUN(test_format_known);
	UNIT_RUN(test_format_parse_round_trip);
	UNIT_RUN(test_format_matches_strftime);
	UNIT_RUN(test_now);
	UNIT_RUN(test_calendar);
	return unit_finish();
}
