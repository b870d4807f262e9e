/*
 * The checker's service figures (cron/uptime-check, docs/checker.md):
 * how many checks it started lately, how late, and whether it is falling
 * behind, kept in the one row of checker_state for a metrics endpoint.
 */
#ifndef CHECKERSTATE_H
#define CHECKERSTATE_H

#include "base.h"
#include "db.h"

/* A check that starts more than this after it was due is late. */
#define CHECKER_LATE_MS	1000

struct checker_state {
	int		 running;	/* 0 in the last row a checker writes */
	int64_t		 started_at;
	int64_t		 updated_at;
	int64_t		 window_ms;	/* what the figures below cover */
	long		 slots;
	long		 team_slots;
	long		 in_flight;
	long		 waiting;	/* due for over CHECKER_LATE_MS */
	long		 checks;	/* started in the window */
	long		 late;		/* of them, late */
	long		 lag_p50_ms;	/* -1 when checks is 0 */
	long		 lag_p99_ms;
	long		 lag_max_ms;
	int		 behind;	/* late or waiting checks */
};

/*
 * Fill checks, late, the lag figures and behind of st from the start
 * lags of the n checks of a window (lags is sorted in place; it may be
 * NULL when n is 0) and st->waiting.
 */
void	 checker_state_figures(struct checker_state *st, int64_t *lags,
	    size_t n);
/* Write st as the row of checker_state.  DB_* code. */
int	 checker_state_put(struct db *, const struct checker_state *st);
/* Read the row into st: DB_OK, DB_NOTFOUND when no checker has written
 * one yet, or another DB_* code. */
int	 checker_state_get(struct db *, struct checker_state *st) WUR;

#endif /* CHECKERSTATE_H */
