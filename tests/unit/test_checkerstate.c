/*
 * Unit tests of lib/checkerstate.c: the start-lag figures of a window
 * (nearest-rank percentiles, late checks, falling behind).
 */
#include <stdio.h>
#include <string.h>

#include "uptime.h"
#include "checkerstate.h"
#include "unit.h"

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

int
main(void)
{
	UNIT_RUN(test_figures);
	return unit_finish();
}
