/*
 * Unit tests of lib/cronexpr.c (parsing, time zone names, the next
 * firing across daylight-saving changes) and of the expected-ping times
 * of lib/heartbeat.c (interval and schedule).
 *
 * The firings in `seqs` were computed independently of the library by
 * tests/unit/cronexpr_ref.py, a brute-force walk over UTC minutes with
 * Python's zoneinfo; run it to print the table again.  Spot checks with
 * GNU date: `TZ=Europe/Berlin date -d @1774746000` is "Sun Mar 29
 * 03:00:00 CEST 2026" (2026-03-29T01:00:00Z, the first instant after the
 * skipped hour).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uptime.h"
#include "cronexpr.h"
#include "heartbeat.h"
#include "unit.h"

static int64_t
ms(const char *s)
{
	int64_t	 t = -1;

	if (time_parse(s, &t) == -1) {
		fprintf(stderr, "bad time in the test: %s\n", s);
		exit(2);
	}
	return t;
}

/* ---- parsing ---- */

struct accept {
	const char	*expr;
	uint64_t	 minute;
	uint32_t	 hour, dom;
	uint16_t	 month;
	uint8_t		 dow;
	unsigned	 flags;
};

#define ALLMIN	((1ull << 60) - 1)
#define ALLHOUR	((1u << 24) - 1)
#define ALLDOM	0xfffffffeu
#define ALLMON	(((1u << 13) - 1) & ~1u)
#define ALLDOW	0x7f
#define STARS	(CRON_MIN_STAR | CRON_HOUR_STAR | CRON_DOM_STAR | CRON_DOW_STAR)

static const struct accept accepts[] = {
	{ "* * * * *", ALLMIN, ALLHOUR, ALLDOM, ALLMON, ALLDOW, STARS },
	{ "*/15 * * * *", 1ull | 1ull << 15 | 1ull << 30 | 1ull << 45,
	    ALLHOUR, ALLDOM, ALLMON, ALLDOW, STARS },
	{ "0 9 * * MON-FRI", 1, 1u << 9, ALLDOM, ALLMON, 0x3e,
	    CRON_DOM_STAR },
	{ "0 0 * * 7", 1, 1, ALLDOM, ALLMON, 0x01,
	    CRON_DOM_STAR },
	{ "0 0 * * 5-7", 1, 1, ALLDOM, ALLMON, 0x61, CRON_DOM_STAR },
	{ "0 0 1 jan,Jul *", 1, 1, 1u << 1, 1u << 1 | 1u << 7, ALLDOW,
	    CRON_DOW_STAR },
	{ "5/20 * * * *", 1ull << 5 | 1ull << 25 | 1ull << 45, ALLHOUR,
	    ALLDOM, ALLMON, ALLDOW, STARS & ~CRON_MIN_STAR },
	{ "0-10/5 1,2,22-23 * * *", 1ull | 1ull << 5 | 1ull << 10,
	    1u << 1 | 1u << 2 | 1u << 22 | 1u << 23, ALLDOM, ALLMON, ALLDOW,
	    CRON_DOM_STAR | CRON_DOW_STAR },
	{ "  0\t12   * *  *  ", 1, 1u << 12, ALLDOM, ALLMON, ALLDOW,
	    CRON_DOM_STAR | CRON_DOW_STAR },
	{ "59 23 31 12 6", 1ull << 59, 1u << 23, 1u << 31, 1u << 12, 1u << 6,
	    0 },
	{ "0 0 30 2 MON", 1, 1, 1u << 30, 1u << 2, 1u << 1, 0 },
	{ "0 0 * * mon/2", 1, 1, ALLDOM, ALLMON, 0x2b, CRON_DOM_STAR },
	{ "0 0 */10 * 1", 1, 1, 1u << 1 | 1u << 11 | 1u << 21 | 1u << 31,
	    ALLMON, 0x02, CRON_DOM_STAR },
};

static void
test_parse_accepts(void)
{
	struct cronexpr	 ce;
	char		 err[160];
	size_t		 i;

	for (i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++) {
		const struct accept *a = &accepts[i];

		err[0] = '\0';
		if (cronexpr_parse(&ce, a->expr, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s:%d: \"%s\" refused: %s\n", __FILE__,
			    __LINE__, a->expr, err);
			unit_current_failed = 1;
			continue;
		}
		if (ce.minute != a->minute || ce.hour != a->hour ||
		    ce.dom != a->dom || ce.month != a->month ||
		    ce.dow != a->dow || ce.flags != a->flags) {
			fprintf(stderr, "%s:%d: \"%s\": minute %llx hour %x "
			    "dom %x month %x dow %x flags %x\n", __FILE__, __LINE__,
			    a->expr, (unsigned long long)ce.minute, ce.hour,
			    ce.dom, ce.month, ce.dow, ce.flags);
			unit_current_failed = 1;
		}
	}
}

struct refuse {
	const char	*expr;
	const char	*msg;		/* a part of the message */
};

static const struct refuse refuses[] = {
	{ "", "must not be empty" },
	{ "   ", "needs five fields (minute hour day-of-month month "
	    "day-of-week), not 0" },
	{ "* * * *", "not 4" },
	{ "* * * * * *", "not 6" },
	{ "@daily", "may only hold" },
	{ "* * * * *;", "may only hold" },
	{ "60 * * * *", "minute: 60 is out of range 0-59" },
	{ "100 * * * *", "minute: \"100\" is out of range 0-59" },
	{ "* 24 * * *", "hour: 24 is out of range 0-23" },
	{ "* * 0 * *", "day-of-month: 0 is out of range 1-31" },
	{ "* * 32 * *", "day-of-month: 32 is out of range 1-31" },
	{ "* * * 13 *", "month: 13 is out of range 1-12" },
	{ "* * * 0 *", "month: 0 is out of range 1-12" },
	{ "* * * * 8", "day-of-week: 8 is out of range 0-7" },
	{ "* * * FOO *", "month: \"FOO\" is not a month name (JAN-DEC)" },
	{ "* * * JAN-FOO *", "month: \"FOO\" is not a month name" },
	{ "* * * * FUNDAY", "day-of-week: \"FUNDAY\" is not a day name" },
	{ "* * * MON *", "month: \"MON\" is not a month name" },
	{ "* * JAN * *", "day-of-month: \"JAN\" is not a number" },
	{ "x * * * *", "minute: \"x\" is not a number" },
	{ "5-1 * * * *", "minute: the range 5-1 runs backwards" },
	{ "* * * * FRI-SUN", "day-of-week: the range 5-0 runs backwards" },
	{ "*/0 * * * *", "minute: a step must be a number from 1 to 60" },
	{ "*/61 * * * *", "minute: a step must be a number from 1 to 60" },
	{ "* */25 * * *", "hour: a step must be a number from 1 to 24" },
	{ "*/x * * * *", "minute: a step must be" },
	{ "*/ * * * *", "minute: a step must be" },
	{ "1,,2 * * * *", "minute: a list has an empty item" },
	{ "1, * * * *", "minute: a list has an empty item" },
	{ "1-2-3 * * * *", "minute: unexpected \"-3\"" },
	{ "** * * * *", "minute: unexpected \"*\"" },
	{ "- * * * *", "minute: expected a number at \"-\"" },
	{ "0 0 30 2 *", "never fires" },
	{ "0 0 31 4,6,9,11 *", "never fires" },
	{ "0 0 30-31 FEB *", "never fires" },
	{ "0 0 1 1 1 " "                                                  "
	    "                                                  "
	    "                            ", "at most 128 characters" },
};

static void
test_parse_refuses(void)
{
	struct cronexpr	 ce;
	char		 err[160];
	size_t		 i;

	for (i = 0; i < sizeof(refuses) / sizeof(refuses[0]); i++) {
		strcpy(err, "(none)");
		if (cronexpr_parse(&ce, refuses[i].expr, err, sizeof(err)) !=
		    -1) {
			fprintf(stderr, "%s:%d: \"%s\" accepted\n", __FILE__,
			    __LINE__, refuses[i].expr);
			unit_current_failed = 1;
		} else if (strstr(err, refuses[i].msg) == NULL) {
			fprintf(stderr, "%s:%d: \"%s\": message \"%s\", want "
			    "\"%s\"\n", __FILE__, __LINE__, refuses[i].expr,
			    err, refuses[i].msg);
			unit_current_failed = 1;
		}
	}
	CHECK(cronexpr_parse(&ce, NULL, err, sizeof(err)) == -1);
}

/* ---- time zones ---- */

static void
test_tz_names(void)
{
	static const char *const good[] = { "Europe/Berlin", "UTC",
	    "America/New_York", "Etc/GMT+5", "America/Argentina/Buenos_Aires",
	    "Australia/Lord_Howe" };
	static const char *const bad[] = { "", "Mars/Olympus", "../etc/passwd",
	    "/etc/passwd", "Europe//Berlin", "Europe/Berlin/", "Europe",
	    "europe/berlin", "right/UTC", "localtime", "posixrules",
	    "Europe/Berlin ", "Europe/Ber lin", "-UTC",
	    "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!cronexpr_tz_valid(good[i])) {
			fprintf(stderr, "%s:%d: \"%s\" refused\n", __FILE__,
			    __LINE__, good[i]);
			unit_current_failed = 1;
		}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cronexpr_tz_valid(bad[i])) {
			fprintf(stderr, "%s:%d: \"%s\" accepted\n", __FILE__,
			    __LINE__, bad[i]);
			unit_current_failed = 1;
		}
	CHECK(!cronexpr_tz_valid(NULL));
}

/* ---- the next firing ---- */

struct seq {
	const char	*expr;
	const char	*tz;
	const char	*start;
	const char	*want[8];	/* NULL-terminated */
};

static const struct seq seqs[] = {
	{ "30 2 * * *", "Europe/Berlin", "2026-03-26T00:00:00Z", {
	    "2026-03-26T01:30:00Z",
	    "2026-03-27T01:30:00Z",
	    "2026-03-28T01:30:00Z",
	    "2026-03-29T01:00:00Z",
	    "2026-03-30T00:30:00Z",
	    "2026-03-31T00:30:00Z",
	    "2026-04-01T00:30:00Z",
	} },
	{ "0,30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", {
	    "2026-03-28T01:00:00Z",
	    "2026-03-28T01:30:00Z",
	    "2026-03-29T01:00:00Z",
	    "2026-03-30T00:00:00Z",
	} },
	{ "0 3 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", {
	    "2026-03-28T02:00:00Z",
	    "2026-03-29T01:00:00Z",
	    "2026-03-30T01:00:00Z",
	    "2026-03-31T01:00:00Z",
	} },
	{ "30 2 * * *", "Europe/Berlin", "2026-10-22T00:00:00Z", {
	    "2026-10-22T00:30:00Z",
	    "2026-10-23T00:30:00Z",
	    "2026-10-24T00:30:00Z",
	    "2026-10-25T00:30:00Z",
	    "2026-10-26T01:30:00Z",
	    "2026-10-27T01:30:00Z",
	    "2026-10-28T01:30:00Z",
	} },
	{ "15 * * * *", "Europe/Berlin", "2026-03-28T23:00:00Z", {
	    "2026-03-28T23:15:00Z",
	    "2026-03-29T00:15:00Z",
	    "2026-03-29T01:15:00Z",
	    "2026-03-29T02:15:00Z",
	    "2026-03-29T03:15:00Z",
	} },
	{ "15 * * * *", "Europe/Berlin", "2026-10-24T23:00:00Z", {
	    "2026-10-24T23:15:00Z",
	    "2026-10-25T00:15:00Z",
	    "2026-10-25T01:15:00Z",
	    "2026-10-25T02:15:00Z",
	    "2026-10-25T03:15:00Z",
	    "2026-10-25T04:15:00Z",
	} },
	{ "*/20 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", {
	    "2026-10-25T00:00:00Z",
	    "2026-10-25T00:20:00Z",
	    "2026-10-25T00:40:00Z",
	    "2026-10-25T01:00:00Z",
	    "2026-10-25T01:20:00Z",
	    "2026-10-25T01:40:00Z",
	    "2026-10-26T01:00:00Z",
	} },
	{ "0 9 * * MON-FRI", "Europe/Berlin", "2026-03-25T12:00:00Z", {
	    "2026-03-26T08:00:00Z",
	    "2026-03-27T08:00:00Z",
	    "2026-03-30T07:00:00Z",
	    "2026-03-31T07:00:00Z",
	    "2026-04-01T07:00:00Z",
	    "2026-04-02T07:00:00Z",
	} },
	{ "30 2 * * *", "America/New_York", "2026-03-05T00:00:00Z", {
	    "2026-03-05T07:30:00Z",
	    "2026-03-06T07:30:00Z",
	    "2026-03-07T07:30:00Z",
	    "2026-03-08T07:00:00Z",
	    "2026-03-09T06:30:00Z",
	    "2026-03-10T06:30:00Z",
	    "2026-03-11T06:30:00Z",
	} },
	{ "30 1 * * *", "America/New_York", "2026-10-29T12:00:00Z", {
	    "2026-10-30T05:30:00Z",
	    "2026-10-31T05:30:00Z",
	    "2026-11-01T05:30:00Z",
	    "2026-11-02T06:30:00Z",
	    "2026-11-03T06:30:00Z",
	    "2026-11-04T06:30:00Z",
	    "2026-11-05T06:30:00Z",
	} },
	{ "0 1-3 * * *", "America/New_York", "2026-10-31T12:00:00Z", {
	    "2026-11-01T05:00:00Z",
	    "2026-11-01T07:00:00Z",
	    "2026-11-01T08:00:00Z",
	    "2026-11-02T06:00:00Z",
	    "2026-11-02T07:00:00Z",
	    "2026-11-02T08:00:00Z",
	} },
	{ "*/30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", {
	    "2026-11-01T05:00:00Z",
	    "2026-11-01T05:30:00Z",
	    "2026-11-01T06:00:00Z",
	    "2026-11-01T06:30:00Z",
	    "2026-11-02T06:00:00Z",
	    "2026-11-02T06:30:00Z",
	} },
	{ "45 23 * * SUN", "America/New_York", "2026-03-01T00:00:00Z", {
	    "2026-03-02T04:45:00Z",
	    "2026-03-09T03:45:00Z",
	    "2026-03-16T03:45:00Z",
	} },
	{ "0 0 13 * FRI", "UTC", "2026-04-01T00:00:00Z", {
	    "2026-04-03T00:00:00Z",
	    "2026-04-10T00:00:00Z",
	    "2026-04-13T00:00:00Z",
	    "2026-04-17T00:00:00Z",
	    "2026-04-24T00:00:00Z",
	} },
	{ "0 0 */10 * 1", "UTC", "2026-01-01T00:00:00Z", {
	    "2026-05-11T00:00:00Z",
	    "2026-06-01T00:00:00Z",
	    "2026-08-31T00:00:00Z",
	    "2026-09-21T00:00:00Z",
	} },
	{ "0 12 29 2 *", "Asia/Tokyo", "2026-01-01T00:00:00Z", {
	    "2028-02-29T03:00:00Z",
	    "2032-02-29T03:00:00Z",
	} },
	{ "5 4 1 JAN,jul *", "Asia/Kolkata", "2026-03-01T00:00:00Z", {
	    "2026-06-30T22:35:00Z",
	    "2026-12-31T22:35:00Z",
	    "2027-06-30T22:35:00Z",
	} },
	{ "*/15 * * * *", "UTC", "2026-05-05T10:07:30Z", {
	    "2026-05-05T10:15:00Z",
	    "2026-05-05T10:30:00Z",
	    "2026-05-05T10:45:00Z",
	} },
	{ "0 0 * * 7", "Australia/Lord_Howe", "2026-03-30T00:00:00Z", {
	    "2026-04-04T13:00:00Z",
	    "2026-04-11T13:30:00Z",
	} },
	{ "45 1 * * *", "Australia/Lord_Howe", "2026-04-03T00:00:00Z", {
	    "2026-04-03T14:45:00Z",
	    "2026-04-04T14:45:00Z",
	    "2026-04-05T15:15:00Z",
	} },
	{ "*/20 1 * * *", "Australia/Lord_Howe", "2026-04-04T12:00:00Z", {
	    "2026-04-04T14:00:00Z",
	    "2026-04-04T14:20:00Z",
	    "2026-04-04T14:40:00Z",
	    "2026-04-04T15:10:00Z",
	    "2026-04-05T14:30:00Z",
	} },
	{ "15 2 * * *", "Australia/Lord_Howe", "2026-10-02T00:00:00Z", {
	    "2026-10-02T15:45:00Z",
	    "2026-10-03T15:30:00Z",
	    "2026-10-04T15:15:00Z",
	} },
};

static void
test_next_sequences(void)
{
	struct cronexpr	 ce;
	char		 err[160], got[TIME_MAX];
	int64_t		 t, next;
	size_t		 i, k;

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		const struct seq *s = &seqs[i];

		if (cronexpr_parse(&ce, s->expr, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s:%d: \"%s\" refused: %s\n", __FILE__,
			    __LINE__, s->expr, err);
			unit_current_failed = 1;
			continue;
		}
		t = ms(s->start);
		for (k = 0; k < 8 && s->want[k] != NULL; k++) {
			if (cronexpr_next(&ce, s->tz, t, &next) != 0) {
				fprintf(stderr, "%s:%d: \"%s\" in %s after %s: "
				    "no firing\n", __FILE__, __LINE__, s->expr,
				    s->tz, time_format(t, got));
				unit_current_failed = 1;
				break;
			}
			if (next != ms(s->want[k])) {
				fprintf(stderr, "%s:%d: \"%s\" in %s, firing "
				    "%zu: %s, want %s\n", __FILE__, __LINE__,
				    s->expr, s->tz, k + 1,
				    time_format(next, got), s->want[k]);
				unit_current_failed = 1;
				break;
			}
			t = next;
		}
	}
}

static void
test_next_strictly_after(void)
{
	struct cronexpr	 ce;
	char		 err[160];
	int64_t		 next = 0;

	CHECK(cronexpr_parse(&ce, "*/15 * * * *", err, sizeof(err)) == 0);
	CHECK(cronexpr_next(&ce, "UTC", ms("2026-05-05T10:15:00Z"), &next) == 0);
	CHECK_INT(next, ms("2026-05-05T10:30:00Z"));
	CHECK(cronexpr_next(&ce, "UTC", ms("2026-05-05T10:14:59.999Z"),
	    &next) == 0);
	CHECK_INT(next, ms("2026-05-05T10:15:00Z"));
	CHECK(cronexpr_next(&ce, "UTC", ms("2026-05-05T10:15:00.001Z"),
	    &next) == 0);
	CHECK_INT(next, ms("2026-05-05T10:30:00Z"));
	/* Once a year, from the day after. */
	CHECK(cronexpr_parse(&ce, "0 0 1 1 *", err, sizeof(err)) == 0);
	CHECK(cronexpr_next(&ce, "UTC", ms("2026-01-01T00:00:00Z"), &next) == 0);
	CHECK_INT(next, ms("2027-01-01T00:00:00Z"));
}

static void
test_next_refusals(void)
{
	struct cronexpr	 ce;
	char		 err[160];
	int64_t		 next = 42;

	CHECK(cronexpr_parse(&ce, "* * * * *", err, sizeof(err)) == 0);
	CHECK(cronexpr_next(&ce, "../../etc/passwd", 0, &next) == -1);
	CHECK(cronexpr_next(&ce, "", 0, &next) == -1);
	CHECK(cronexpr_next(&ce, NULL, 0, &next) == -1);
	CHECK(cronexpr_next(&ce, "UTC", -1, &next) == -1);
	CHECK_INT(next, 42);
}

/* The caller's TZ is the same after a computation, set or not. */
static void
test_tz_restored(void)
{
	struct cronexpr	 ce;
	struct tm	 tm;
	char		 err[160];
	int64_t		 next;
	time_t		 t = 1780000000;

	CHECK(cronexpr_parse(&ce, "0 3 * * *", err, sizeof(err)) == 0);
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	CHECK(cronexpr_next(&ce, "America/New_York", 0, &next) == 0);
	CHECK_STR(getenv("TZ"), "Asia/Tokyo");
	CHECK(localtime_r(&t, &tm) != NULL);
	CHECK_INT(tm.tm_gmtoff, 9 * 3600);
	unsetenv("TZ");
	tzset();
	CHECK(cronexpr_next(&ce, "America/New_York", 0, &next) == 0);
	CHECK(getenv("TZ") == NULL);
}

/* ---- heartbeats: when the next ping is expected ---- */

static void
hb(struct monitor *m, const char *config, long interval)
{
	monitor_init(m, 0);
	m->type = MON_HEARTBEAT;
	m->interval_s = interval;
	cJSON_Delete(m->config);
	m->config = cJSON_Parse(config);
	CHECK(m->config != NULL);
}

static void
test_expected_interval(void)
{
	struct monitor	 m;
	int64_t		 e = 0;

	hb(&m, "{\"schedule\":null,\"timezone\":null,"
	    "\"gracePeriodSeconds\":300}", 3600);
	CHECK(heartbeat_expected_after(&m, ms("2026-03-29T00:30:00Z"), &e) == 0);
	CHECK_INT(e, ms("2026-03-29T01:30:00Z"));
	/* The clock restarted at 12:00: due at 13:00, looked at 13:05. */
	CHECK(heartbeat_restart(&m, ms("2026-05-05T12:00:00Z")) == 0);
	CHECK_INT(m.ping_expected_at, ms("2026-05-05T13:00:00Z"));
	CHECK_INT(m.next_check_at, ms("2026-05-05T13:05:00Z"));
	CHECK_INT(m.run_started_at, 0);
	monitor_free(&m);
}

static void
test_expected_schedule(void)
{
	struct monitor	 m;
	int64_t		 e = 0;

	/* 02:30 does not exist in Berlin on 29 March 2026: 03:00 CEST. */
	hb(&m, "{\"schedule\":\"30 2 * * *\",\"timezone\":\"Europe/Berlin\","
	    "\"gracePeriodSeconds\":600}", 60);
	CHECK(heartbeat_expected_after(&m, ms("2026-03-28T12:00:00Z"), &e) == 0);
	CHECK_INT(e, ms("2026-03-29T01:00:00Z"));
	m.run_started_at = 1;
	CHECK(heartbeat_restart(&m, ms("2026-10-24T12:00:00Z")) == 0);
	/* The first of the two 02:30s of 25 October (CEST), plus grace. */
	CHECK_INT(m.ping_expected_at, ms("2026-10-25T00:30:00Z"));
	CHECK_INT(m.next_check_at, ms("2026-10-25T00:40:00Z"));
	CHECK_INT(m.run_started_at, 0);
	monitor_free(&m);

	/* Without a timezone member: UTC. */
	hb(&m, "{\"schedule\":\"0 12 * * *\",\"gracePeriodSeconds\":0}", 60);
	CHECK(heartbeat_expected_after(&m, ms("2026-01-01T12:00:00Z"), &e) == 0);
	CHECK_INT(e, ms("2026-01-02T12:00:00Z"));
	monitor_free(&m);

	/* A schedule that cannot be read (never stored by the API). */
	hb(&m, "{\"schedule\":\"61 * * * *\",\"timezone\":\"UTC\"}", 60);
	CHECK(heartbeat_expected_after(&m, 0, &e) == -1);
	monitor_free(&m);
}

int
main(void)
{
	UNIT_RUN(test_parse_accepts);
	UNIT_RUN(test_parse_refuses);
	UNIT_RUN(test_tz_names);
	UNIT_RUN(test_next_sequences);
	UNIT_RUN(test_next_strictly_after);
	UNIT_RUN(test_next_refusals);
	UNIT_RUN(test_tz_restored);
	UNIT_RUN(test_expected_interval);
	UNIT_RUN(test_expected_schedule);
	return unit_finish();
}
