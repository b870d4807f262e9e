/*
 * Unit tests of lib/checkerstate.c: the start-lag figures of a window
 * (nearest-rank percentiles, late checks, falling behind), and the row
 * written and read back.
 */
#include <stdio.h>
#include <string.h>

#include "uptime.h"
#include "checkerstate.h"
#include "unit.h"
#include "unit_db.h"

static void
test_figures(void)
{
	struct checker_state	 st;
	int64_t			 lags[200];
	size_t			 i;

	memset(&st, 0, sizeof(st));
	checker_state_figures(&st, NULL, 0);
	CHECK_INT(st.checks, 0);
	CHECK_INT(st.lag_p50_ms, -1);
	CHECK_INT(st.lag_max_ms, -1);
	CHECK_INT(st.behind, 0);

	/* 1..200 ms, shuffled a little: p50 100, p99 198, none late. */
	for (i = 0; i < 200; i++)
		lags[i] = (int64_t)((i * 7) % 200) + 1;
	checker_state_figures(&st, lags, 200);
	CHECK_INT(st.checks, 200);
	CHECK_INT(st.lag_p50_ms, 100);
	CHECK_INT(st.lag_p99_ms, 198);
	CHECK_INT(st.lag_max_ms, 200);
	CHECK_INT(st.late, 0);
	CHECK_INT(st.behind, 0);

	/* Two late checks: behind. */
	lags[0] = CHECKER_LATE_MS + 1;
	lags[1] = 5000;
	checker_state_figures(&st, lags, 200);
	CHECK_INT(st.late, 2);
	CHECK_INT(st.lag_max_ms, 5000);
	CHECK_INT(st.behind, 1);

	/* On time, but due checks wait for a slot: behind too. */
	lags[0] = lags[1] = 0;
	st.waiting = 3;
	checker_state_figures(&st, lags, 1);
	CHECK_INT(st.late, 0);
	CHECK_INT(st.lag_p99_ms, 0);
	CHECK_INT(st.behind, 1);
}

static void
test_row(void)
{
	struct checker_state	 st, got;

	udb_open("test_checkerstate");
	CHECK_INT(checker_state_get(udb, &got), DB_NOTFOUND);
	memset(&st, 0, sizeof(st));
	st.running = 1;
	st.started_at = 1000;
	st.updated_at = 11000;
	st.window_ms = 10000;
	st.slots = 4096;
	st.team_slots = 1024;
	st.in_flight = 7;
	st.waiting = 0;
	checker_state_figures(&st, NULL, 0);	/* no check: no lag */
	CHECK_INT(checker_state_put(udb, &st), DB_OK);
	CHECK_INT(checker_state_get(udb, &got), DB_OK);
	CHECK(memcmp(&st, &got, sizeof(st)) == 0);
	CHECK_INT(got.lag_p50_ms, -1);

	st.running = 0;
	st.waiting = 3;
	st.lag_p50_ms = 5;	/* as checker_state_figures leaves them */
	st.lag_p99_ms = 1200;
	st.lag_max_ms = 1300;
	st.checks = 40;
	st.late = 2;
	st.behind = 1;
	CHECK_INT(checker_state_put(udb, &st), DB_OK);
	CHECK_INT(checker_state_get(udb, &got), DB_OK);
	CHECK(memcmp(&st, &got, sizeof(st)) == 0);
	CHECK_INT(udb_int("SELECT count(*) FROM checker_state"), 1);
	udb_close();
}

int
main(void)
{
	UNIT_RUN(test_figures);
	UNIT_RUN(test_row);
	return unit_finish();
}
