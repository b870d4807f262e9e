/*
 * Unit tests of lib/maintenance.c: the expansion of one-off and recurring
 * windows (daily, weekly on chosen weekdays, monthly on the 31st,
 * interval, until) checked against dates worked out by hand, and weeks
 * with daylight-saving changes in Europe/Berlin and America/New_York
 * checked against tests/unit/maintenance_ref.py (Python's zoneinfo); the
 * state of a window, ending early and cancelling; validation (every
 * field named); and, on a database, maint_at, maint_spans and
 * maint_list_public.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "maintenance.h"
#include "recurrence.h"
#include "unit.h"

#define MIN	(60 * (int64_t)1000)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

static struct db	*tdb;

/* An RFC 3339 time, which must parse. */
static int64_t
T(const char *s)
{
	int64_t	 t;

	if (time_parse(s, &t) == -1) {
		fprintf(stderr, "bad time in test: %s\n", s);
		exit(1);
	}
	return t;
}

static const char *
fmt(int64_t t)
{
	static char	 buf[4][TIME_MAX];
	static int	 i;

	i = (i + 1) % 4;
	return time_format(t, buf[i]);
}

static unsigned
days_mask(const char *days)
{
	unsigned	 m = 0;
	int		 i;

	for (i = 0; i < 7; i++)
		if (strstr(days, maint_day_names[i]) != NULL)
			m |= 1u << i;
	return m;
}

/* A window [start, start + dur) recurring as given (until "" for none). */
static void
win(struct maint_window *w, const char *tz, const char *start, int64_t dur,
    enum maint_freq f, int interval, const char *days, const char *until)
{
	maint_init(w, 0);
	snprintf(w->id, sizeof(w->id), "mw_test");
	snprintf(w->timezone, sizeof(w->timezone), "%s", tz);
	w->starts_at = T(start);
	w->ends_at = w->starts_at + dur;
	w->freq = f;
	w->interval = interval;
	w->by_weekday = days_mask(days);
	w->until = until[0] ? T(until) : 0;
	w->horizon = maint_horizon(w);
}

/* ---- expansion, worked out by hand ---- */

static void
test_one_off(void)
{
	struct maint_window	 w;
	struct maint_occ	 o[4];

	win(&w, "UTC", "2026-02-14T10:00:00Z", 2 * HOUR, MAINT_ONCE, 1, "",
	    "");
	CHECK_INT(maint_expand(&w, T("2026-02-01T00:00:00Z"),
	    T("2026-03-01T00:00:00Z"), o, 4), 1);
	CHECK_STR(fmt(o[0].start), "2026-02-14T10:00:00.000Z");
	CHECK_STR(fmt(o[0].end), "2026-02-14T12:00:00.000Z");
	/* A range touching neither end. */
	CHECK_INT(maint_expand(&w, T("2026-02-14T12:00:00Z"),
	    T("2026-03-01T00:00:00Z"), o, 4), 0);
	CHECK_INT(maint_expand(&w, T("2026-02-01T00:00:00Z"),
	    T("2026-02-14T10:00:00Z"), o, 4), 0);
	CHECK_INT(w.horizon, T("2026-02-14T12:00:00Z"));
}

static void
test_daily_interval_until(void)
{
	struct maint_window	 w;
	struct maint_occ	 o[10];
	int			 n;

	/* Every third day at 22:00 UTC for 3 hours, until (inclusive) the
	 * start on the 13th: the 1st, 4th, 7th, 10th and 13th. */
	win(&w, "UTC", "2026-05-01T22:00:00Z", 3 * HOUR, MAINT_DAILY, 3, "",
	    "2026-05-13T22:00:00Z");
	n = maint_expand(&w, T("2026-04-01T00:00:00Z"),
	    T("2026-07-01T00:00:00Z"), o, 10);
	CHECK_INT(n, 5);
	CHECK_STR(fmt(o[0].start), "2026-05-01T22:00:00.000Z");
	CHECK_STR(fmt(o[1].start), "2026-05-04T22:00:00.000Z");
	CHECK_STR(fmt(o[4].start), "2026-05-13T22:00:00.000Z");
	CHECK_STR(fmt(o[4].end), "2026-05-14T01:00:00.000Z");
	CHECK_STR(fmt(w.horizon), "2026-05-14T01:00:00.000Z");
	/* A range starting inside an occurrence includes it. */
	n = maint_expand(&w, T("2026-05-05T00:30:00Z"),
	    T("2026-05-08T00:00:00Z"), o, 10);
	CHECK_INT(n, 2);
	CHECK_STR(fmt(o[0].start), "2026-05-04T22:00:00.000Z");
	CHECK_STR(fmt(o[1].start), "2026-05-07T22:00:00.000Z");
	/* Far from the start: the 100th occurrence, 297 days on (May has
	 * 31 days, so 2026-05-01 + 297 days is 2027-02-22). */
	win(&w, "UTC", "2026-05-01T22:00:00Z", 3 * HOUR, MAINT_DAILY, 3, "",
	    "");
	CHECK_INT(w.horizon, MAINT_FOREVER);
	n = maint_expand(&w, T("2027-02-22T23:00:00Z"),
	    T("2027-02-23T00:00:00Z"), o, 10);
	CHECK_INT(n, 1);
	CHECK_STR(fmt(o[0].start), "2027-02-22T22:00:00.000Z");
}

static void
test_weekly_days(void)
{
	struct maint_window	 w;
	struct maint_occ	 o[8];
	int			 n;

	/* Starting on Wednesday 2026-02-11, on MO, WE, FR. */
	win(&w, "UTC", "2026-02-11T06:00:00Z", HOUR, MAINT_WEEKLY, 1,
	    "MO,WE,FR", "");
	n = maint_expand(&w, T("2026-02-01T00:00:00Z"),
	    T("2026-02-21T00:00:00Z"), o, 8);
	CHECK_INT(n, 5);
	CHECK_STR(fmt(o[0].start), "2026-02-11T06:00:00.000Z");
	CHECK_STR(fmt(o[1].start), "2026-02-13T06:00:00.000Z");
	CHECK_STR(fmt(o[2].start), "2026-02-16T06:00:00.000Z");
	CHECK_STR(fmt(o[3].start), "2026-02-18T06:00:00.000Z");
	CHECK_STR(fmt(o[4].start), "2026-02-20T06:00:00.000Z");
	/* Starting on a Tuesday for Thursdays only: the first is the 12th. */
	win(&w, "UTC", "2026-02-10T06:00:00Z", HOUR, MAINT_WEEKLY, 1, "TH",
	    "");
	n = maint_expand(&w, T("2026-02-01T00:00:00Z"),
	    T("2026-02-27T00:00:00Z"), o, 8);
	CHECK_INT(n, 3);
	CHECK_STR(fmt(o[0].start), "2026-02-12T06:00:00.000Z");
	CHECK_STR(fmt(o[2].start), "2026-02-26T06:00:00.000Z");
	/* Every other week, on Sunday and Monday, from Sunday 2026-02-15:
	 * weeks start on Monday, so the 15th is in the first week and the
	 * 16th in the second, which is skipped. */
	win(&w, "UTC", "2026-02-15T06:00:00Z", HOUR, MAINT_WEEKLY, 2, "MO,SU",
	    "");
	n = maint_expand(&w, T("2026-02-01T00:00:00Z"),
	    T("2026-03-10T00:00:00Z"), o, 8);
	CHECK_INT(n, 4);
	CHECK_STR(fmt(o[0].start), "2026-02-15T06:00:00.000Z");
	CHECK_STR(fmt(o[1].start), "2026-02-23T06:00:00.000Z");
	CHECK_STR(fmt(o[2].start), "2026-03-01T06:00:00.000Z");
	CHECK_STR(fmt(o[3].start), "2026-03-09T06:00:00.000Z");
}

static void
test_monthly(void)
{
	struct maint_window	 w;
	struct maint_occ	 o[8];
	int			 n;

	/* The 31st: the last day of shorter months, leap years too. */
	win(&w, "UTC", "2027-12-31T20:00:00Z", HOUR, MAINT_MONTHLY, 1, "",
	    "");
	n = maint_expand(&w, T("2027-12-01T00:00:00Z"),
	    T("2028-05-01T00:00:00Z"), o, 8);
	CHECK_INT(n, 5);
	CHECK_STR(fmt(o[0].start), "2027-12-31T20:00:00.000Z");
	CHECK_STR(fmt(o[1].start), "2028-01-31T20:00:00.000Z");
	CHECK_STR(fmt(o[2].start), "2028-02-29T20:00:00.000Z");
	CHECK_STR(fmt(o[3].start), "2028-03-31T20:00:00.000Z");
	CHECK_STR(fmt(o[4].start), "2028-04-30T20:00:00.000Z");
	/* Every second month on the 15th, until (exclusive here) June. */
	win(&w, "UTC", "2026-01-15T08:00:00Z", HOUR, MAINT_MONTHLY, 2, "",
	    "2026-07-15T07:59:59Z");
	n = maint_expand(&w, 0, T("2030-01-01T00:00:00Z"), o, 8);
	CHECK_INT(n, 3);
	CHECK_STR(fmt(o[1].start), "2026-03-15T08:00:00.000Z");
	CHECK_STR(fmt(o[2].start), "2026-05-15T08:00:00.000Z");
	CHECK_STR(fmt(w.horizon), "2026-05-15T09:00:00.000Z");
}

/* ---- daylight saving, against tests/unit/maintenance_ref.py ---- */

static const struct {
	const char	*name, *tz, *start;
	enum maint_freq	 freq;
	int		 interval;
	const char	*days;
	int		 n;
	const char	*want[8];
} dst[] = {
	/* Rows printed by python3 tests/unit/maintenance_ref.py. */
	{ "berlin_spring_daily", "Europe/Berlin", "2026-03-26T02:30:00+01:00", MAINT_DAILY, 1, "", 6, {
	    "2026-03-26T01:30:00.000Z", "2026-03-27T01:30:00.000Z",
	    "2026-03-28T01:30:00.000Z", "2026-03-29T01:30:00.000Z",
	    "2026-03-30T00:30:00.000Z", "2026-03-31T00:30:00.000Z",
	} },
	{ "berlin_autumn_daily", "Europe/Berlin", "2026-10-23T02:30:00+02:00", MAINT_DAILY, 1, "", 5, {
	    "2026-10-23T00:30:00.000Z", "2026-10-24T00:30:00.000Z",
	    "2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z",
	    "2026-10-27T01:30:00.000Z",
	} },
	{ "berlin_weekly_mo_su", "Europe/Berlin", "2026-03-23T09:00:00+01:00", MAINT_WEEKLY, 1, "MO,SU", 6, {
	    "2026-03-23T08:00:00.000Z", "2026-03-29T07:00:00.000Z",
	    "2026-03-30T07:00:00.000Z", "2026-04-05T07:00:00.000Z",
	    "2026-04-06T07:00:00.000Z", "2026-04-12T07:00:00.000Z",
	} },
	{ "berlin_daily_night", "Europe/Berlin", "2026-03-28T01:00:00+01:00", MAINT_DAILY, 1, "", 3, {
	    "2026-03-28T00:00:00.000Z", "2026-03-29T00:00:00.000Z",
	    "2026-03-29T23:00:00.000Z",
	} },
	{ "ny_autumn_daily", "America/New_York", "2026-10-30T01:30:00-04:00", MAINT_DAILY, 1, "", 4, {
	    "2026-10-30T05:30:00.000Z", "2026-10-31T05:30:00.000Z",
	    "2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z",
	} },
	{ "ny_spring_weekly", "America/New_York", "2026-03-01T02:30:00-05:00", MAINT_WEEKLY, 1, "SU", 3, {
	    "2026-03-01T07:30:00.000Z", "2026-03-08T07:30:00.000Z",
	    "2026-03-15T06:30:00.000Z",
	} },
	{ "ny_monthly_31st", "America/New_York", "2026-01-31T23:00:00-05:00", MAINT_MONTHLY, 1, "", 7, {
	    "2026-02-01T04:00:00.000Z", "2026-03-01T04:00:00.000Z",
	    "2026-04-01T03:00:00.000Z", "2026-05-01T03:00:00.000Z",
	    "2026-06-01T03:00:00.000Z", "2026-07-01T03:00:00.000Z",
	    "2026-08-01T03:00:00.000Z",
	} },
	{ "ny_weekly_2_tu_th", "America/New_York", "2026-10-20T12:00:00-04:00", MAINT_WEEKLY, 2, "TU,TH", 6, {
	    "2026-10-20T16:00:00.000Z", "2026-10-22T16:00:00.000Z",
	    "2026-11-03T17:00:00.000Z", "2026-11-05T17:00:00.000Z",
	    "2026-11-17T17:00:00.000Z", "2026-11-19T17:00:00.000Z",
	} },
};

static void
test_dst_reference(void)
{
	struct maint_window	 w;
	struct maint_occ	 o[8], c;
	size_t			 i;
	int			 k, n;

	for (i = 0; i < sizeof(dst) / sizeof(dst[0]); i++) {
		win(&w, dst[i].tz, dst[i].start, 90 * MIN, dst[i].freq,
		    dst[i].interval, dst[i].days, "");
		n = maint_expand(&w, w.starts_at - DAY, T("2027-01-01T00:00:00Z"),
		    o, (size_t)dst[i].n);
		if (n != dst[i].n)
			fprintf(stderr, "case %s\n", dst[i].name);
		CHECK_INT(n, dst[i].n);
		for (k = 0; k < n && k < dst[i].n; k++) {
			if (strcmp(fmt(o[k].start), dst[i].want[k]) != 0)
				fprintf(stderr, "case %s, occurrence %d\n",
				    dst[i].name, k);
			CHECK_STR(fmt(o[k].start), dst[i].want[k]);
			/* The duration is kept in real time. */
			CHECK_INT(o[k].end - o[k].start, 90 * MIN);
			/* Found from the middle of it, too. */
			CHECK_INT(maint_occurrence(&w, o[k].start + 45 * MIN,
			    &c), 1);
			CHECK_INT(c.start, o[k].start);
		}
	}
}

static void
test_tz_restored(void)
{
	struct maint_window	 w;
	struct maint_occ	 o[2];

	setenv("TZ", "Asia/Tokyo", 1);
	win(&w, "America/New_York", "2026-03-01T02:30:00-05:00", HOUR,
	    MAINT_DAILY, 1, "", "");
	CHECK_INT(maint_expand(&w, w.starts_at, w.starts_at + 2 * DAY, o, 2),
	    2);
	CHECK_STR(getenv("TZ"), "Asia/Tokyo");
	unsetenv("TZ");
	CHECK_INT(maint_expand(&w, w.starts_at, w.starts_at + 2 * DAY, o, 2),
	    2);
	CHECK(getenv("TZ") == NULL);
}

/* ---- state, ending early, cancelling ---- */

static void
test_state(void)
{
	struct maint_window	 w;
	struct maint_occ	 o;
	int64_t			 s;

	win(&w, "UTC", "2026-02-14T10:00:00Z", 2 * HOUR, MAINT_ONCE, 1, "",
	    "");
	s = w.starts_at;
	CHECK_INT(maint_state(&w, s - 1), MAINT_SCHEDULED);
	CHECK_INT(maint_occurrence(&w, s - 1, &o), 0);
	CHECK_INT(o.start, s);
	CHECK_INT(maint_state(&w, s), MAINT_ACTIVE);
	CHECK_INT(maint_state(&w, s + 2 * HOUR - 1), MAINT_ACTIVE);
	CHECK_INT(maint_state(&w, s + 2 * HOUR), MAINT_COMPLETED);
	CHECK_INT(maint_occurrence(&w, s + 2 * HOUR, &o), -1);
	/* Asked again for an earlier time (answers are remembered for
	 * later times only). */
	CHECK_INT(maint_state(&w, s - 1), MAINT_SCHEDULED);
	CHECK_INT(maint_state(&w, s + HOUR), MAINT_ACTIVE);

	/* Ended early after 30 minutes: completed from then on. */
	w.ended_early_at = s + 30 * MIN;
	w.ended_occurrence_at = s;
	CHECK_INT(maint_state(&w, s + 30 * MIN), MAINT_COMPLETED);
	CHECK_INT(maint_horizon(&w), s + 30 * MIN);

	/* A daily window ended early goes on with the next occurrence. */
	win(&w, "UTC", "2026-02-14T10:00:00Z", 2 * HOUR, MAINT_DAILY, 1, "",
	    "");
	w.ended_early_at = s + 30 * MIN;
	w.ended_occurrence_at = s;
	CHECK_INT(maint_occurrence(&w, s + 31 * MIN, &o), 0);
	CHECK_INT(o.start, s + DAY);
	CHECK_INT(maint_state(&w, s + 31 * MIN), MAINT_SCHEDULED);
	CHECK_INT(maint_state(&w, s + DAY), MAINT_ACTIVE);

	/* Cancelled while active: nothing from then on. */
	w.cancelled_at = s + DAY + HOUR;
	CHECK_INT(maint_state(&w, s + DAY), MAINT_CANCELLED);
	CHECK_INT(maint_occurrence(&w, s + DAY, &o), 1);
	CHECK_INT(o.end, s + DAY + HOUR);
	CHECK_INT(maint_occurrence(&w, s + DAY + HOUR, &o), -1);
	CHECK_INT(maint_horizon(&w), s + DAY + HOUR);
}

/* ---- validation ---- */

static int
has_error(const struct verrs *v, const char *pointer)
{
	size_t	 i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->e[i].pointer, pointer) == 0)
			return 1;
	return 0;
}

/* Apply JSON text to a new window of team_a; the errors into v. */
static void
apply_text(struct maint_window *w, const char *json, int creating,
    struct verrs *v)
{
	cJSON	*body = cJSON_Parse(json);

	if (body == NULL) {
		fprintf(stderr, "bad JSON in test: %s\n", json);
		exit(1);
	}
	memset(v, 0, sizeof(*v));
	if (creating) {
		maint_init(w, T("2026-02-14T00:00:00Z"));
		snprintf(w->team_id, sizeof(w->team_id), "team_a");
	}
	maint_apply(tdb, w, body, creating, v);
	cJSON_Delete(body);
}

/* A fresh database in memory: teams a and b, two monitors of a, one of b. */
static void
t_open(void)
{
	char	 err[256];

	if ((tdb = db_open(":memory:", 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		exit(1);
	}
	if (sqlite3_exec(db_handle(tdb),
	    "INSERT INTO teams VALUES ('team_a', 'a', 0), ('team_b', 'b', 0);"
	    "INSERT INTO monitors (id, team_id, name, type, interval_s, "
	    "timeout_s, confirmations, next_check_at, created_at, updated_at) "
	    "VALUES ('mon_AAAAAAAAAAAAAAAAAAA1', 'team_a', 'a1', 'http', 60, "
	    "10, 1, 0, 0, 0), ('mon_AAAAAAAAAAAAAAAAAAA2', 'team_a', 'a2', "
	    "'http', 60, 10, 1, 0, 0, 0), ('mon_BBBBBBBBBBBBBBBBBBB1', "
	    "'team_b', 'b1', 'http', 60, 10, 1, 0, 0, 0)", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "setup: %s\n", sqlite3_errmsg(db_handle(tdb)));
		exit(1);
	}
}

static void
t_close(void)
{
	db_close(tdb);
	tdb = NULL;
}

static void
test_validation_negative(void)
{
	struct maint_window	*w = malloc(sizeof(*w));
	struct verrs		 v;

	t_open();
	/* Nothing given: the required fields. */
	apply_text(w, "{}", 1, &v);
	CHECK(has_error(&v, "/title"));
	CHECK(has_error(&v, "/startsAt"));
	CHECK(has_error(&v, "/endsAt"));
	/* Every field wrong at once. */
	apply_text(w, "{\"title\": \"\", \"description\": 5, \"startsAt\": "
	    "\"yesterday\", \"endsAt\": 1, \"timezone\": \"Mars/Olympus\", "
	    "\"recurrence\": {\"frequency\": \"hourly\", \"interval\": 0, "
	    "\"byWeekday\": [\"MO\", \"XX\", \"MO\"], \"until\": \"soon\", "
	    "\"count\": 3}, \"monitorIds\": [\"mon_AAAAAAAAAAAAAAAAAAA1\", "
	    "\"nope\", \"mon_BBBBBBBBBBBBBBBBBBB1\", "
	    "\"mon_AAAAAAAAAAAAAAAAAAA1\"], \"suppressAlerts\": \"yes\", "
	    "\"showOnStatusPage\": 1, \"pauseChecks\": null, \"state\": "
	    "\"active\", \"colour\": \"red\"}", 1, &v);
	CHECK(has_error(&v, "/title"));
	CHECK(has_error(&v, "/description"));
	CHECK(has_error(&v, "/startsAt"));
	CHECK(has_error(&v, "/endsAt"));
	CHECK(has_error(&v, "/timezone"));
	CHECK(has_error(&v, "/recurrence/frequency"));
	CHECK(has_error(&v, "/recurrence/interval"));
	CHECK(has_error(&v, "/recurrence/byWeekday/1"));
	CHECK(has_error(&v, "/recurrence/byWeekday/2"));
	CHECK(has_error(&v, "/recurrence/until"));
	CHECK(has_error(&v, "/recurrence/count"));
	CHECK(has_error(&v, "/monitorIds/1"));
	CHECK(has_error(&v, "/monitorIds/2"));	/* another team's */
	CHECK(has_error(&v, "/monitorIds/3"));	/* twice */
	CHECK(!has_error(&v, "/monitorIds/0"));
	CHECK(has_error(&v, "/suppressAlerts"));
	CHECK(has_error(&v, "/showOnStatusPage"));
	CHECK(has_error(&v, "/pauseChecks"));
	CHECK(has_error(&v, "/state"));
	CHECK(has_error(&v, "/colour"));
	/* The rules across fields. */
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-01T10:00:00Z\", \"endsAt\": \"2026-03-01T10:00:00Z\"}",
	    1, &v);
	CHECK(has_error(&v, "/endsAt"));
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-01T10:00:00Z\", \"endsAt\": \"2027-03-02T10:00:01Z\"}",
	    1, &v);
	CHECK(has_error(&v, "/endsAt"));	/* over 366 days */
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-01T10:00:00Z\", \"endsAt\": \"2027-03-02T10:00:00Z\"}",
	    1, &v);
	CHECK_INT(v.n, 0);			/* 366 days exactly */
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-01T10:00:00Z\", \"endsAt\": \"2026-03-02T10:00:01Z\", "
	    "\"recurrence\": {\"frequency\": \"daily\"}}", 1, &v);
	CHECK(has_error(&v, "/endsAt"));	/* longer than a day */
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-02T10:00:00Z\", \"endsAt\": \"2026-03-03T12:00:00Z\", "
	    "\"recurrence\": {\"frequency\": \"weekly\", \"byWeekday\": "
	    "[\"MO\", \"TU\"]}}", 1, &v);
	CHECK(has_error(&v, "/endsAt"));	/* MO to TU is one day */
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-01T10:00:00Z\", \"endsAt\": \"2026-03-01T11:00:00Z\", "
	    "\"recurrence\": {\"frequency\": \"daily\", \"until\": "
	    "\"2026-03-01T09:00:00Z\"}}", 1, &v);
	CHECK(has_error(&v, "/recurrence/until"));
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-02T10:00:00Z\", \"endsAt\": \"2026-03-02T11:00:00Z\", "
	    "\"recurrence\": {\"frequency\": \"weekly\", \"byWeekday\": "
	    "[\"FR\"], \"until\": \"2026-03-05T00:00:00Z\"}}", 1, &v);
	CHECK(has_error(&v, "/recurrence/until"));	/* no Friday before */
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-02T10:00:00Z\", \"endsAt\": \"2026-03-02T11:00:00Z\", "
	    "\"recurrence\": {\"frequency\": \"daily\", \"byWeekday\": "
	    "[\"FR\"]}}", 1, &v);
	CHECK(has_error(&v, "/recurrence/byWeekday"));
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-02T10:00:00Z\", \"endsAt\": \"2026-03-02T11:00:00Z\", "
	    "\"monitorIds\": []}", 1, &v);
	CHECK(has_error(&v, "/monitorIds"));
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-02T10:00:00Z\", \"endsAt\": \"2026-03-02T11:00:00Z\", "
	    "\"recurrence\": [\"daily\"]}", 1, &v);
	CHECK(has_error(&v, "/recurrence"));
	apply_text(w, "{\"title\": \"t\", \"startsAt\": "
	    "\"2026-03-02T10:00:00Z\", \"endsAt\": \"2026-03-02T11:00:00Z\", "
	    "\"timezone\": \"../../etc/passwd\"}", 1, &v);
	CHECK(has_error(&v, "/timezone"));
	free(w);
	t_close();
}

static void
test_validation(void)
{
	struct maint_window	*w = malloc(sizeof(*w));
	struct verrs		 v;

	t_open();
	apply_text(w, "{\"title\": \"Upgrade\", \"description\": null, "
	    "\"startsAt\": \"2026-03-02T10:00:00+01:00\", \"endsAt\": "
	    "\"2026-03-02T11:30:00+01:00\", \"timezone\": \"Europe/Berlin\", "
	    "\"recurrence\": {\"frequency\": \"weekly\", \"interval\": 2, "
	    "\"until\": null}, \"monitorIds\": [\"mon_AAAAAAAAAAAAAAAAAAA2\"], "
	    "\"pauseChecks\": true}", 1, &v);
	CHECK_INT(v.n, 0);
	CHECK_INT(w->starts_at, T("2026-03-02T09:00:00Z"));
	CHECK_INT(w->freq, MAINT_WEEKLY);
	CHECK_INT(w->interval, 2);
	/* No weekdays given: the weekday of startsAt (Monday) is kept. */
	CHECK_INT(w->by_weekday, 1);
	CHECK_INT(w->all_monitors, 0);
	CHECK_INT(w->nmonitors, 1);
	CHECK_STR(w->monitor_ids[0], "mon_AAAAAAAAAAAAAAAAAAA2");
	CHECK_INT(w->suppress_alerts, 1);
	CHECK_INT(w->show_on_status_page, 1);
	CHECK_INT(w->pause_checks, 1);
	CHECK_INT(w->horizon, MAINT_FOREVER);
	/* PATCH: only what is given; recurrence null makes it one-off. */
	apply_text(w, "{\"recurrence\": null, \"monitorIds\": null, "
	    "\"endsAt\": \"2026-03-02T12:00:00+01:00\"}", 0, &v);
	CHECK_INT(v.n, 0);
	CHECK_INT(w->freq, MAINT_ONCE);
	CHECK_INT(w->all_monitors, 1);
	CHECK_INT(w->horizon, T("2026-03-02T11:00:00Z"));
	CHECK_STR(w->title, "Upgrade");
	/* A PATCH moving startsAt past endsAt names startsAt. */
	apply_text(w, "{\"startsAt\": \"2026-03-02T12:00:00+01:00\"}", 0, &v);
	CHECK(has_error(&v, "/startsAt"));
	free(w);
	t_close();
}

/* ---- on a database: the effects ---- */

/* Insert a window from JSON for team_a; its id into id. */
static void
mk(const char *json, char *id)
{
	struct maint_window	*w = malloc(sizeof(*w));
	struct verrs		 v;

	apply_text(w, json, 1, &v);
	CHECK_INT(v.n, 0);
	if (v.n > 0)
		fprintf(stderr, "%s: %s\n", v.e[0].pointer, v.e[0].detail);
	CHECK_INT(maint_insert(tdb, w), DB_OK);
	snprintf(id, ID_MAX, "%s", w->id);
	free(w);
}

static void
test_at(void)
{
	struct maint_effect	 e;
	struct maint_window	*w = malloc(sizeof(*w));
	char			 a[ID_MAX], b[ID_MAX], c[ID_MAX];
	const char		*m1 = "mon_AAAAAAAAAAAAAAAAAAA1";
	const char		*m2 = "mon_AAAAAAAAAAAAAAAAAAA2";
	const char		*mb = "mon_BBBBBBBBBBBBBBBBBBB1";

	t_open();
	/* a: every monitor, 10:00-12:00, suppressing alerts. */
	mk("{\"title\": \"all\", \"startsAt\": \"2026-03-02T10:00:00Z\", "
	    "\"endsAt\": \"2026-03-02T12:00:00Z\"}", a);
	/* b: m2 only, 11:00-13:00, pausing checks, alerts not suppressed. */
	mk("{\"title\": \"m2\", \"startsAt\": \"2026-03-02T11:00:00Z\", "
	    "\"endsAt\": \"2026-03-02T13:00:00Z\", \"monitorIds\": "
	    "[\"mon_AAAAAAAAAAAAAAAAAAA2\"], \"suppressAlerts\": false, "
	    "\"pauseChecks\": true}", b);
	/* c: daily 00:00-01:00 in New York, for m1. */
	mk("{\"title\": \"nightly\", \"startsAt\": "
	    "\"2026-03-01T00:00:00-05:00\", \"endsAt\": "
	    "\"2026-03-01T01:00:00-05:00\", \"timezone\": \"America/New_York\","
	    " \"recurrence\": {\"frequency\": \"daily\"}, \"monitorIds\": "
	    "[\"mon_AAAAAAAAAAAAAAAAAAA1\"]}", c);

	CHECK_INT(maint_at(tdb, "team_a", m1, T("2026-03-02T09:59:59Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 0);
	CHECK_INT(maint_at(tdb, "team_a", m1, T("2026-03-02T10:00:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 1);
	CHECK_INT(e.suppress_alerts, 1);
	CHECK_INT(e.pause_checks, 0);
	CHECK_STR(e.window_id, a);
	CHECK_INT(e.ends_at, T("2026-03-02T12:00:00Z"));
	/* Overlapping a and b on m2: both flags, the later end. */
	CHECK_INT(maint_at(tdb, NULL, m2, T("2026-03-02T11:30:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 1);
	CHECK_INT(e.suppress_alerts, 1);
	CHECK_INT(e.pause_checks, 1);
	CHECK_STR(e.window_id, b);
	CHECK_INT(e.ends_at, T("2026-03-02T13:00:00Z"));
	CHECK_INT(e.pause_until, T("2026-03-02T13:00:00Z"));
	/* b alone: not suppressing. */
	CHECK_INT(maint_at(tdb, "team_a", m2, T("2026-03-02T12:30:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 1);
	CHECK_INT(e.suppress_alerts, 0);
	/* The other team's monitor: none of team_a's windows. */
	CHECK_INT(maint_at(tdb, NULL, mb, T("2026-03-02T11:30:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 0);
	CHECK_INT(maint_at(tdb, "team_b", m1, T("2026-03-02T11:30:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 0);
	/* c, a hundred days on, across the March change: 00:30 EDT. */
	CHECK_INT(maint_at(tdb, "team_a", m1, T("2026-06-09T04:30:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 1);
	CHECK_STR(e.window_id, c);
	CHECK_INT(maint_at(tdb, "team_a", m2, T("2026-06-09T04:30:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 0);

	/* Ending a early at 10:30: not active after, still before. */
	CHECK_INT(maint_get(tdb, "team_a", a, w), DB_OK);
	CHECK_INT(maint_end(tdb, w, T("2026-03-02T10:30:00Z")), DB_OK);
	CHECK_INT(maint_end(tdb, w, T("2026-03-02T10:31:00Z")), DB_CONFLICT);
	CHECK_INT(maint_at(tdb, "team_a", m1, T("2026-03-02T10:45:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 0);
	CHECK_INT(maint_at(tdb, "team_a", m1, T("2026-03-02T10:15:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 1);
	CHECK_INT(maint_get(tdb, "team_a", a, w), DB_OK);
	CHECK_INT(w->ended_early_at, T("2026-03-02T10:30:00Z"));
	CHECK_INT(w->horizon, T("2026-03-02T10:30:00Z"));

	/* Cancelling c on June 9 at 04:15: active before, not after. */
	CHECK_INT(maint_get(tdb, "team_a", c, w), DB_OK);
	CHECK_INT(maint_cancel(tdb, w, T("2026-06-09T04:15:00Z")), DB_OK);
	CHECK_INT(maint_at(tdb, "team_a", m1, T("2026-06-09T04:10:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 1);
	CHECK_INT(maint_at(tdb, "team_a", m1, T("2026-06-09T04:30:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 0);
	CHECK_INT(maint_at(tdb, "team_a", m1, T("2026-06-10T04:30:00Z"), &e),
	    DB_OK);
	CHECK_INT(e.active, 0);
	free(w);
	t_close();
}

static void
test_spans(void)
{
	struct maint_window	*w = malloc(sizeof(*w));
	struct maint_occ	 sp[16];
	char			 a[ID_MAX], b[ID_MAX];
	size_t			 n, k;
	const char		*m1 = "mon_AAAAAAAAAAAAAAAAAAA1";

	t_open();
	/* Daily 10:00-11:00 UTC from March 1, and 10:30-12:00 on March 3:
	 * merged into 10:00-12:00 that day. */
	mk("{\"title\": \"d\", \"startsAt\": \"2026-03-01T10:00:00Z\", "
	    "\"endsAt\": \"2026-03-01T11:00:00Z\", \"recurrence\": "
	    "{\"frequency\": \"daily\"}}", a);
	mk("{\"title\": \"o\", \"startsAt\": \"2026-03-03T10:30:00Z\", "
	    "\"endsAt\": \"2026-03-03T12:00:00Z\", \"monitorIds\": "
	    "[\"mon_AAAAAAAAAAAAAAAAAAA1\"]}", b);
	/* End March 2's occurrence at 10:20. */
	CHECK_INT(maint_get(tdb, "team_a", a, w), DB_OK);
	CHECK_INT(maint_end(tdb, w, T("2026-03-02T10:20:00Z")), DB_OK);
	CHECK_INT(maint_spans(tdb, NULL, m1, T("2026-03-01T10:30:00Z"),
	    T("2026-03-04T10:15:00Z"), sp, 16, &n), DB_OK);
	CHECK_INT(n, 4);
	CHECK_STR(fmt(sp[0].start), "2026-03-01T10:30:00.000Z");	/* clipped */
	CHECK_STR(fmt(sp[0].end), "2026-03-01T11:00:00.000Z");
	CHECK_STR(fmt(sp[1].start), "2026-03-02T10:00:00.000Z");
	CHECK_STR(fmt(sp[1].end), "2026-03-02T10:20:00.000Z");	/* early */
	CHECK_STR(fmt(sp[2].start), "2026-03-03T10:00:00.000Z");
	CHECK_STR(fmt(sp[2].end), "2026-03-03T12:00:00.000Z");	/* merged */
	CHECK_STR(fmt(sp[3].start), "2026-03-04T10:00:00.000Z");
	CHECK_STR(fmt(sp[3].end), "2026-03-04T10:15:00.000Z");	/* clipped */
	/* A later early end keeps the earlier one for history. */
	CHECK_INT(maint_get(tdb, "team_a", a, w), DB_OK);
	CHECK_INT(maint_end(tdb, w, T("2026-03-04T10:05:00Z")), DB_OK);
	CHECK_INT(maint_spans(tdb, "team_a", m1, T("2026-03-02T00:00:00Z"),
	    T("2026-03-05T00:00:00Z"), sp, 16, &n), DB_OK);
	CHECK_INT(n, 3);
	CHECK_STR(fmt(sp[0].end), "2026-03-02T10:20:00.000Z");
	CHECK_STR(fmt(sp[2].end), "2026-03-04T10:05:00.000Z");
	/* The bound: at most max occurrences (31 are due), still sorted
	 * and apart. */
	CHECK_INT(maint_spans(tdb, "team_a", m1, T("2026-03-01T00:00:00Z"),
	    T("2026-04-01T00:00:00Z"), sp, 5, &n), DB_OK);
	CHECK(n >= 1 && n <= 5);
	CHECK_STR(fmt(sp[0].start), "2026-03-01T10:00:00.000Z");
	for (k = 1; k < n; k++)
		CHECK(sp[k].start > sp[k - 1].end);
	/* The other monitor has only the daily window. */
	CHECK_INT(maint_spans(tdb, "team_a", "mon_AAAAAAAAAAAAAAAAAAA2",
	    T("2026-03-03T00:00:00Z"), T("2026-03-04T00:00:00Z"), sp, 16, &n),
	    DB_OK);
	CHECK_INT(n, 1);
	CHECK_STR(fmt(sp[0].end), "2026-03-03T11:00:00.000Z");
	free(w);
	t_close();
}

struct pubs {
	int	 n;
	char	 titles[8][32];
	int64_t	 starts[8];
	int	 active[8];
	size_t	 nmon[8];
	int	 all[8];
};

static int
pub_one(const struct maint_public *p, void *arg)
{
	struct pubs	*ps = arg;

	if (ps->n < 8) {
		snprintf(ps->titles[ps->n], 32, "%s", p->title);
		ps->starts[ps->n] = p->starts_at;
		ps->active[ps->n] = p->active;
		ps->nmon[ps->n] = p->nmonitors;
		ps->all[ps->n] = p->all_monitors;
	}
	ps->n++;
	return 0;
}

static void
test_public(void)
{
	struct pubs	 ps;
	char		 id[ID_MAX];
	int64_t		 now = T("2026-03-02T10:30:00Z");

	t_open();
	mk("{\"title\": \"later\", \"startsAt\": \"2026-03-05T10:00:00Z\", "
	    "\"endsAt\": \"2026-03-05T11:00:00Z\", \"monitorIds\": "
	    "[\"mon_AAAAAAAAAAAAAAAAAAA1\", \"mon_AAAAAAAAAAAAAAAAAAA2\"]}", id);
	mk("{\"title\": \"now\", \"startsAt\": \"2026-03-02T10:00:00Z\", "
	    "\"endsAt\": \"2026-03-02T11:00:00Z\"}", id);
	mk("{\"title\": \"hidden\", \"startsAt\": \"2026-03-02T10:00:00Z\", "
	    "\"endsAt\": \"2026-03-02T11:00:00Z\", \"showOnStatusPage\": "
	    "false}", id);
	mk("{\"title\": \"over\", \"startsAt\": \"2026-03-01T10:00:00Z\", "
	    "\"endsAt\": \"2026-03-01T11:00:00Z\"}", id);
	mk("{\"title\": \"weekly\", \"startsAt\": \"2026-02-23T09:00:00Z\", "
	    "\"endsAt\": \"2026-02-23T10:00:00Z\", \"recurrence\": "
	    "{\"frequency\": \"weekly\"}}", id);
	memset(&ps, 0, sizeof(ps));
	CHECK_INT(maint_list_public(tdb, "team_a", now, pub_one, &ps), DB_OK);
	CHECK_INT(ps.n, 3);
	CHECK_STR(ps.titles[0], "now");
	CHECK_INT(ps.active[0], 1);
	CHECK_INT(ps.all[0], 1);
	CHECK_STR(ps.titles[1], "later");
	CHECK_INT(ps.active[1], 0);
	CHECK_INT(ps.nmon[1], 2);
	CHECK_STR(ps.titles[2], "weekly");
	CHECK_STR(fmt(ps.starts[2]), "2026-03-09T09:00:00.000Z");
	memset(&ps, 0, sizeof(ps));
	CHECK_INT(maint_list_public(tdb, "team_b", now, pub_one, &ps), DB_OK);
	CHECK_INT(ps.n, 0);
	t_close();
}

int
main(void)
{
	UNIT_RUN(test_one_off);
	UNIT_RUN(test_daily_interval_until);
	UNIT_RUN(test_weekly_days);
	UNIT_RUN(test_monthly);
	UNIT_RUN(test_dst_reference);
	UNIT_RUN(test_tz_restored);
	UNIT_RUN(test_state);
	UNIT_RUN(test_validation_negative);
	UNIT_RUN(test_validation);
	UNIT_RUN(test_at);
	UNIT_RUN(test_spans);
	UNIT_RUN(test_public);
	return unit_finish();
}
