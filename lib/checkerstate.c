/*
 * The checker's service figures and their row.  See checkerstate.h.
 */
#include <stdlib.h>
#include <string.h>

#include "checkerstate.h"
#include "db.h"

enum stmt {
	STMT_PUT,
	STMT_GET,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_PUT */
	"INSERT INTO checker_state (id, running, started_at, "
	"updated_at, window_ms, slots, team_slots, in_flight, waiting, "
	"checks, late, lag_p50_ms, lag_p99_ms, lag_max_ms, behind) "
	"VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"ON CONFLICT (id) DO UPDATE SET running = excluded.running, "
	"started_at = excluded.started_at, updated_at = excluded.updated_at, "
	"window_ms = excluded.window_ms, slots = excluded.slots, "
	"team_slots = excluded.team_slots, in_flight = excluded.in_flight, "
	"waiting = excluded.waiting, checks = excluded.checks, "
	"late = excluded.late, lag_p50_ms = excluded.lag_p50_ms, "
	"lag_p99_ms = excluded.lag_p99_ms, lag_max_ms = excluded.lag_max_ms, "
	"behind = excluded.behind",
	/* STMT_GET */
	"SELECT running, started_at, updated_at, window_ms, slots, "
	"team_slots, in_flight, waiting, checks, late, lag_p50_ms, "
	"lag_p99_ms, lag_max_ms, behind FROM checker_state WHERE id = 1",
};

static int
lag_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile q (0..100) of the n sorted lags. */
static long
lag_rank(const int64_t *lags, size_t n, unsigned q)
{
	size_t	 k = (n * q + 99) / 100;

	return (long)lags[k > 0 ? k - 1 : 0];
}

void
checker_state_figures(struct checker_state *st, int64_t *lags, size_t n)
{
	size_t	 i;

	st->checks = (long)n;
	st->late = 0;
	st->lag_p50_ms = st->lag_p99_ms = st->lag_max_ms = -1;
	if (n > 0) {
		qsort(lags, n, sizeof(*lags), lag_cmp);
		for (i = 0; i < n; i++)
			if (lags[i] > CHECKER_LATE_MS)
				st->late++;
		st->lag_p50_ms = lag_rank(lags, n, 50);
		st->lag_p99_ms = lag_rank(lags, n, 99);
		st->lag_max_ms = (long)lags[n - 1];
	}
	st->behind = st->late > 0 || st->waiting > 0;
}

int
checker_state_put(struct db *db, const struct checker_state *s)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_PUT])) == NULL)
		return DB_ERROR;
	db_bind_int(st, 1, s->running);
	db_bind_int64(st, 2, s->started_at);
	db_bind_int64(st, 3, s->updated_at);
	db_bind_int64(st, 4, s->window_ms);
	db_bind_int64(st, 5, s->slots);
	db_bind_int64(st, 6, s->team_slots);
	db_bind_int64(st, 7, s->in_flight);
	db_bind_int64(st, 8, s->waiting);
	db_bind_int64(st, 9, s->checks);
	db_bind_int64(st, 10, s->late);
	db_bind_opt(st, 11, s->lag_p50_ms);
	db_bind_opt(st, 12, s->lag_p99_ms);
	db_bind_opt(st, 13, s->lag_max_ms);
	db_bind_int(st, 14, s->behind);
	return db_exec_stmt(st);
}

/* A lag column: -1 for NULL. */
static long
col_lag(struct db_stmt *st, int i)
{
	return db_col_null(st, i) ? -1 :
	    (long)db_col_int64(st, i);
}

static void
get_row(struct db_stmt *st, void *out)
{
	struct checker_state	*s = out;

	s->running = db_col_int(st, 0);
	s->started_at = db_col_int64(st, 1);
	s->updated_at = db_col_int64(st, 2);
	s->window_ms = db_col_int64(st, 3);
	s->slots = (long)db_col_int64(st, 4);
	s->team_slots = (long)db_col_int64(st, 5);
	s->in_flight = (long)db_col_int64(st, 6);
	s->waiting = (long)db_col_int64(st, 7);
	s->checks = (long)db_col_int64(st, 8);
	s->late = (long)db_col_int64(st, 9);
	s->lag_p50_ms = col_lag(st, 10);
	s->lag_p99_ms = col_lag(st, 11);
	s->lag_max_ms = col_lag(st, 12);
	s->behind = db_col_int(st, 13);
}

int
checker_state_get(struct db *db, struct checker_state *s)
{
	struct db_stmt	*st;

	memset(s, 0, sizeof(*s));
	if ((st = db_stmt(db, sqls[STMT_GET])) == NULL)
		return DB_ERROR;
	return db_step_one(st, get_row, s);
}
