/*
 * Rollups: the hourly and daily summaries of check results, the latency
 * histogram they carry, the stats answered from them and the pruning of
 * old history.  All SQL touching rollups_hourly and rollups_daily lives
 * here, and so do the maintainer's deletes of old results and events.
 * See docs/lib/rollup.md.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "json.h"
#include "maintenance.h"
#include "rollup.h"

/* (monitor, day) pairs rebuilt per transaction by rollup_daily. */
#define DAILY_BATCH		128
/* Pause between two full delete batches, so the checker gets the lock. */
#define PRUNE_PAUSE_MS		20
/* Longest monitor id read back from the database. */
#define MONITOR_IDMAX		128

#define AGG_COLS "total, up, degraded, down, samples, sum_ms, min_ms, " \
	"max_ms, hist"
/*
 * STMT_TEAM_COUNTS: the sum of col over the window of monitor t.id that
 * starts at s, its first whole day at d: the hourly rows before that day
 * or from cut on, the daily rows from d to cut.  (The smaller and larger
 * of two as CASE: PostgreSQL's min and max take one argument.)
 */
#define SMALLER(a, b)	"CASE WHEN " a " < " b " THEN " a " ELSE " b " END"
#define LARGER(a, b)	"CASE WHEN " a " > " b " THEN " a " ELSE " b " END"
#define IN_WINDOW(col, s, d) \
	"coalesce((SELECT sum(" col ") FROM rollups_hourly h " \
	"WHERE h.monitor_id = t.id AND h.bucket >= " s " " \
	"AND h.bucket < " SMALLER(d, "t.cut") "), 0) + " \
	"coalesce((SELECT sum(" col ") FROM rollups_hourly h " \
	"WHERE h.monitor_id = t.id AND h.bucket >= " LARGER(s, "t.cut") \
	" AND h.bucket < ?2), 0) + " \
	"coalesce((SELECT sum(" col ") FROM rollups_daily d " \
	"WHERE d.monitor_id = t.id AND d.bucket >= " d " " \
	"AND d.bucket < " SMALLER("t.cut", "?2") "), 0)"

/* The stored row in an upsert's SET (PostgreSQL wants it named). */
#define HOURLY	"rollups_hourly."

enum stmt {
	STMT_ADD_GET,
	STMT_ADD_PUT,
	STMT_ADD_PUT_DIRTY,
	STMT_HOURLY_RANGE,
	STMT_DAILY_RANGE,
	STMT_DAILY_LAST,
	STMT_OUTAGES,
	STMT_LOC_OUTAGES,
	STMT_LOC_FIRST,
	STMT_DIRTY_DAYS,
	STMT_DAILY_PUT,
	STMT_DIRTY_CLEAR,
	STMT_PRUNE_RESULTS,
	STMT_PRUNE_HOURLY,
	STMT_PRUNE_DAILY,
	STMT_PRUNE_EVENTS,
	STMT_PRUNE_LOC_EVENTS,
	STMT_PRUNE_NOTIFICATIONS,
	STMT_PRUNE_MAIL,
	STMT_DAYS_DAILY,
	STMT_DAYS_HOURLY,
	STMT_TEAM_COUNTS,
	STMT_HOURLY_ROWS,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_ADD_GET */
	"SELECT dirty, min_ms, max_ms, hist FROM rollups_hourly "
	"WHERE monitor_id = ? AND bucket = ? AND location = ?",
	/*
	 * STMT_ADD_PUT: ?3..?5 are 0/1 for up, degraded, down; ?6 is 1 with
	 * a latency sample of ?7 ms; ?8..?10 are the new min, max and
	 * histogram, computed from STMT_ADD_GET's row; ?11 the location.
	 * The row is already dirty, so dirty stays out of the SET and its
	 * index is not touched.
	 */
	"INSERT INTO rollups_hourly (monitor_id, bucket, total, up, "
	"degraded, down, samples, sum_ms, min_ms, max_ms, hist, location) "
	"VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	"ON CONFLICT (monitor_id, bucket, location) DO UPDATE SET "
	"total = " HOURLY "total + 1, up = " HOURLY "up + ?3, "
	"degraded = " HOURLY "degraded + ?4, down = " HOURLY "down + ?5, "
	"samples = " HOURLY "samples + ?6, sum_ms = " HOURLY "sum_ms + ?7, "
	"min_ms = ?8, max_ms = ?9, hist = ?10",
	/* STMT_ADD_PUT_DIRTY: the same, for a new or clean row. */
	"INSERT INTO rollups_hourly (monitor_id, bucket, total, up, "
	"degraded, down, samples, sum_ms, min_ms, max_ms, hist, location) "
	"VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	"ON CONFLICT (monitor_id, bucket, location) DO UPDATE SET "
	"total = " HOURLY "total + 1, up = " HOURLY "up + ?3, "
	"degraded = " HOURLY "degraded + ?4, down = " HOURLY "down + ?5, "
	"samples = " HOURLY "samples + ?6, sum_ms = " HOURLY "sum_ms + ?7, "
	"min_ms = ?8, max_ms = ?9, hist = ?10, dirty = 1",
	/* STMT_HOURLY_RANGE: every location's rows, or ?4's. */
	"SELECT " AGG_COLS " FROM rollups_hourly WHERE monitor_id = ?1 "
	"AND bucket >= ?2 AND bucket < ?3 AND (location = ?4 OR ?4 IS NULL)",
	/* STMT_DAILY_RANGE */
	"SELECT " AGG_COLS " FROM rollups_daily WHERE monitor_id = ?1 "
	"AND bucket >= ?2 AND bucket < ?3 AND (location = ?4 OR ?4 IS NULL)",
	/* STMT_DAILY_LAST */
	"SELECT max(bucket) FROM rollups_daily WHERE monitor_id = ?",
	/* STMT_OUTAGES: overlapping [?2, ?3). */
	"SELECT started_at, ended_at FROM outages WHERE monitor_id = ?1 "
	"AND started_at < ?3 AND (ended_at IS NULL OR ended_at > ?2)",
	/* STMT_LOC_OUTAGES: the same, of location ?4. */
	"SELECT started_at, ended_at FROM location_outages WHERE "
	"monitor_id = ?1 AND location = ?4 AND started_at < ?3 AND "
	"(ended_at IS NULL OR ended_at > ?2)",
	/* STMT_LOC_FIRST: the first hour a location's check counted in. */
	"SELECT min(b) FROM (SELECT min(bucket) AS b FROM rollups_daily "
	"WHERE monitor_id = ?1 AND location = ?2 UNION ALL SELECT "
	"min(bucket) FROM rollups_hourly WHERE monitor_id = ?1 AND "
	"location = ?2) AS x",
	/* STMT_DIRTY_DAYS: days before ?1 with changed hours, ?2 of them. */
	"SELECT DISTINCT monitor_id, location, bucket / 86400000 * 86400000 "
	"FROM rollups_hourly WHERE dirty = 1 AND bucket < ?1 LIMIT ?2",
	/* STMT_DAILY_PUT */
	"INSERT INTO rollups_daily (monitor_id, bucket, " AGG_COLS ", "
	"location) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"ON CONFLICT (monitor_id, bucket, location) DO UPDATE SET "
	"total = excluded.total, up = excluded.up, "
	"degraded = excluded.degraded, down = excluded.down, "
	"samples = excluded.samples, sum_ms = excluded.sum_ms, "
	"min_ms = excluded.min_ms, max_ms = excluded.max_ms, "
	"hist = excluded.hist",
	/* STMT_DIRTY_CLEAR */
	"UPDATE rollups_hourly SET dirty = 0 WHERE monitor_id = ? "
	"AND bucket >= ? AND bucket < ? AND location = ? AND dirty = 1",
	/* STMT_PRUNE_RESULTS */
	"DELETE FROM check_results WHERE id IN (SELECT id FROM "
	"check_results WHERE checked_at < ? LIMIT ?)",
	/* STMT_PRUNE_HOURLY */
	"DELETE FROM rollups_hourly WHERE (monitor_id, bucket, location) IN "
	"(SELECT monitor_id, bucket, location FROM rollups_hourly "
	"WHERE bucket < ? LIMIT ?)",
	/* STMT_PRUNE_DAILY */
	"DELETE FROM rollups_daily WHERE (monitor_id, bucket, location) IN "
	"(SELECT monitor_id, bucket, location FROM rollups_daily "
	"WHERE bucket < ? LIMIT ?)",
	/* STMT_PRUNE_EVENTS: monitor_events is small (state changes only):
	 * a scan per batch is fine. */
	"DELETE FROM monitor_events WHERE id IN (SELECT id FROM "
	"monitor_events WHERE processed_at IS NOT NULL AND at < ? LIMIT ?)",
	/* STMT_PRUNE_LOC_EVENTS: the same for location health changes. */
	"DELETE FROM location_events WHERE id IN (SELECT id FROM "
	"location_events WHERE processed_at IS NOT NULL AND at < ? LIMIT ?)",
	/* STMT_PRUNE_NOTIFICATIONS: delivered or given up; their attempts
	 * go with them (ON DELETE CASCADE). */
	"DELETE FROM notifications WHERE id IN (SELECT id FROM "
	"notifications WHERE status <> 'pending' AND created_at < ? "
	"LIMIT ?)",
	/* STMT_PRUNE_MAIL */
	"DELETE FROM mail_outbox WHERE id IN (SELECT id FROM mail_outbox "
	"WHERE created_at < ? LIMIT ?)",
	/* STMT_DAYS_DAILY: the rows (one a location) of the days in
	 * [?2, ?3). */
	"SELECT bucket, total, up, degraded, down FROM rollups_daily "
	"WHERE monitor_id = ? AND bucket >= ? AND bucket < ?",
	/* STMT_DAYS_HOURLY: the hourly rows of [?2, ?3) summed by day. */
	"SELECT bucket / 86400000 * 86400000, sum(total), sum(up), "
	"sum(degraded), sum(down) FROM rollups_hourly "
	"WHERE monitor_id = ? AND bucket >= ? AND bucket < ? GROUP BY 1",
	/*
	 * STMT_TEAM_COUNTS: ?1 the team, ?2 now; window k starts at
	 * ?(3 + 2k) (on the hour) and its first whole day at ?(4 + 2k).
	 * t: the team's monitors and cut, the end of each one's newest
	 * daily row.  Each sum reads one range of one monitor's rows.
	 */
	"WITH t(id, cut) AS (SELECT m.id, coalesce((SELECT max(d.bucket) "
	"FROM rollups_daily d WHERE d.monitor_id = m.id) + 86400000, 0) "
	"FROM monitors m WHERE m.team_id = ?1) SELECT id, "
	IN_WINDOW("total", "?3", "?4") ", "
	IN_WINDOW("up + degraded", "?3", "?4") ", "
	IN_WINDOW("total", "?5", "?6") ", "
	IN_WINDOW("up + degraded", "?5", "?6") ", "
	IN_WINDOW("total", "?7", "?8") ", "
	IN_WINDOW("up + degraded", "?7", "?8") " "
	"FROM t ORDER BY id",
	/* STMT_HOURLY_ROWS: each hourly row of [?2, ?3), its bucket first. */
	"SELECT bucket, " AGG_COLS " FROM rollups_hourly "
	"WHERE monitor_id = ? AND bucket >= ? AND bucket < ?",
};

/*
 * Inclusive upper bounds of the histogram buckets, in ms.  Exact to 6 ms,
 * then 10 * 12000^(i/39) rounded, i = 0..39, from 10 to 120000 ms: each
 * bound is at most 27.3 % above the smallest integer its bucket holds.
 * The last bucket (index ROLLUP_BUCKETS - 1) is open-ended.
 */
static const long hist_upper[ROLLUP_BUCKETS - 1] = {
	1, 2, 3, 4, 5, 6, 8,
	10, 13, 16, 21, 26, 33, 42, 54, 69, 87,
	111, 141, 180, 229, 291, 371, 472, 600, 763, 971,
	1236, 1572, 2000, 2545, 3238, 4120, 5241, 6669, 8485, 10795,
	13735, 17475, 22234, 28289, 35992, 45793, 58264, 74130, 94316,
	ROLLUP_HIST_MAXMS,
};

/* The counts and latency of a set of rollup rows, summed. */
struct agg {
	long long		 total, up, degraded, down;
	long long		 samples, sum_ms;
	long			 min_ms, max_ms;	/* when samples > 0 */
	struct rollup_hist	 hist;
};

static int64_t
floor_to(int64_t t, int64_t unit)
{
	int64_t	 r = t % unit;

	return r < 0 ? t - r - unit : t - r;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int
rollup_hist_bucket(long ms)
{
	int	 lo = 0, hi = ROLLUP_BUCKETS - 1, mid;

	/* The first bucket whose upper bound is >= ms. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ms <= hist_upper[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

long
rollup_hist_upper(int i)
{
	if (i < 0 || i >= ROLLUP_BUCKETS - 1)
		return -1;
	return hist_upper[i];
}

static void
sat_add(uint32_t *c, uint32_t n)
{
	*c = *c > UINT32_MAX - n ? UINT32_MAX : *c + n;
}

void
rollup_hist_add(struct rollup_hist *h, long ms)
{
	sat_add(&h->n[rollup_hist_bucket(ms)], 1);
}

void
rollup_hist_merge(struct rollup_hist *dst, const struct rollup_hist *src)
{
	int	 i;

	for (i = 0; i < ROLLUP_BUCKETS; i++)
		sat_add(&dst->n[i], src->n[i]);
}

uint64_t
rollup_hist_count(const struct rollup_hist *h)
{
	uint64_t	 n = 0;
	int		 i;

	for (i = 0; i < ROLLUP_BUCKETS; i++)
		n += h->n[i];
	return n;
}

long
rollup_hist_percentile(const struct rollup_hist *h, int pct, long min,
    long max)
{
	uint64_t	 n, rank, seen = 0;
	long		 v;
	int		 i;

	if ((n = rollup_hist_count(h)) == 0)
		return -1;
	if (pct < 1)
		pct = 1;
	if (pct > 100)
		pct = 100;
	rank = (n * (uint64_t)pct + 99) / 100;
	for (i = 0; i < ROLLUP_BUCKETS - 1; i++) {
		seen += h->n[i];
		if (seen >= rank)
			break;
	}
	/* The open last bucket has no bound: its samples are <= max. */
	v = i < ROLLUP_BUCKETS - 1 ? hist_upper[i] : max;
	if (v > max)
		v = max;
	if (v < min)
		v = min;
	return v;
}

void
rollup_hist_encode(const struct rollup_hist *h,
    unsigned char out[ROLLUP_HISTBYTES])
{
	int	 i;

	for (i = 0; i < ROLLUP_BUCKETS; i++) {
		out[i * 4] = h->n[i] & 0xff;
		out[i * 4 + 1] = (h->n[i] >> 8) & 0xff;
		out[i * 4 + 2] = (h->n[i] >> 16) & 0xff;
		out[i * 4 + 3] = (h->n[i] >> 24) & 0xff;
	}
}

int
rollup_hist_decode(struct rollup_hist *h, const void *blob, size_t len)
{
	const unsigned char	*p = blob;
	int			 i;

	memset(h, 0, sizeof(*h));
	if (len == 0)
		return 0;
	if (p == NULL || len != ROLLUP_HISTBYTES)
		return -1;
	for (i = 0; i < ROLLUP_BUCKETS; i++)
		h->n[i] = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 |
		    (uint32_t)p[i * 4 + 2] << 16 | (uint32_t)p[i * 4 + 3] << 24;
	return 0;
}

/* Decode the histogram in column col, or log and leave h empty. */
static void
col_hist(struct db_stmt *st, int col, struct rollup_hist *h)
{
	const void	*blob = db_col_blob(st, col);
	int		 len = db_col_bytes(st, col);

	if (rollup_hist_decode(h, blob, (size_t)len) == -1)
		fprintf(stderr, "rollup: histogram of %d bytes ignored "
		    "(want %d)\n", len, ROLLUP_HISTBYTES);
}

int
rollup_add(struct db *db, const char *monitor_id, const char *location,
    int64_t at_ms, const char *status, long response_ms)
{
	struct db_stmt		*st;
	struct rollup_hist	 h;
	unsigned char		 blob[ROLLUP_HISTBYTES];
	int			 up, degraded, down, found = 0, dirty = 0;
	int			 own = 0, has = 0, rc = DB_ERROR;
	long			 min = 0, max = 0;

	up = strcmp(status, "up") == 0;
	degraded = strcmp(status, "degraded") == 0;
	down = strcmp(status, "down") == 0;
	if (!up && !degraded && !down) {
		fprintf(stderr, "rollup_add: %s: bad status \"%.16s\"\n",
		    monitor_id, status);
		return DB_ERROR;
	}
	memset(&h, 0, sizeof(h));
	if (db_autocommit(db)) {
		if ((rc = db_begin(db)) != DB_OK)
			return rc;
		own = 1;
		rc = DB_ERROR;
	}

	if ((st = db_stmt(db, sqls[STMT_ADD_GET])) == NULL)
		goto out;
	db_bind_text(st, 1, monitor_id);
	db_bind_int64(st, 2, floor_to(at_ms, ROLLUP_HOUR_MS));
	db_bind_text(st, 3, location);
	if ((rc = db_step(st)) == DB_ROW) {
		found = 1;
		dirty = db_col_int(st, 0);
		if (!db_col_null(st, 1)) {
			has = 1;
			min = (long)db_col_int64(st, 1);
			max = (long)db_col_int64(st, 2);
			col_hist(st, 3, &h);
		}
		rc = DB_OK;
	} else
		rc = db_rc(rc);
	db_reset(st);
	if (rc != DB_OK)
		goto out;

	if (response_ms >= 0) {
		if (!has || response_ms < min)
			min = response_ms;
		if (!has || response_ms > max)
			max = response_ms;
		has = 1;
		rollup_hist_add(&h, response_ms);
	}

	rc = DB_ERROR;
	if ((st = db_stmt(db, sqls[found && dirty ? STMT_ADD_PUT :
	    STMT_ADD_PUT_DIRTY])) == NULL)
		goto out;
	db_bind_text(st, 1, monitor_id);
	db_bind_int64(st, 2, floor_to(at_ms, ROLLUP_HOUR_MS));
	db_bind_int(st, 3, up);
	db_bind_int(st, 4, degraded);
	db_bind_int(st, 5, down);
	db_bind_int(st, 6, response_ms >= 0);
	db_bind_int64(st, 7, response_ms >= 0 ? response_ms : 0);
	if (has) {
		db_bind_int64(st, 8, min);
		db_bind_int64(st, 9, max);
		rollup_hist_encode(&h, blob);
		db_bind_blob(st, 10, blob, sizeof(blob));
	}
	db_bind_text(st, 11, location);
	rc = db_exec_stmt(st);
out:
	if (own) {
		if (rc == DB_OK)
			rc = db_commit(db);
		else
			db_rollback(db);
	}
	return rc;
}

/* Add the row of st whose AGG_COLS start at column c into a. */
static void
agg_row(struct db_stmt *st, int c, struct agg *a)
{
	struct rollup_hist	 h;
	long long		 samples;
	long			 min, max;

	a->total += db_col_int64(st, c);
	a->up += db_col_int64(st, c + 1);
	a->degraded += db_col_int64(st, c + 2);
	a->down += db_col_int64(st, c + 3);
	if ((samples = db_col_int64(st, c + 4)) <= 0)
		return;
	a->sum_ms += db_col_int64(st, c + 5);
	min = (long)db_col_int64(st, c + 6);
	max = (long)db_col_int64(st, c + 7);
	if (a->samples == 0 || min < a->min_ms)
		a->min_ms = min;
	if (a->samples == 0 || max > a->max_ms)
		a->max_ms = max;
	a->samples += samples;
	col_hist(st, c + 8, &h);
	rollup_hist_merge(&a->hist, &h);
}

/*
 * Add the rows of a range statement (monitor, [lo, hi), of every
 * location or of location) into a.
 */
static int
agg_read(struct db *db, enum stmt which, const char *monitor_id,
    const char *location, int64_t lo, int64_t hi, struct agg *a)
{
	struct db_stmt		*st;
	int			 rc;

	if ((st = db_query(db, sqls[which], "tIIt", monitor_id, lo, hi,
	    location)) == NULL)
		return DB_ERROR;
	while ((rc = db_step(st)) == DB_ROW)
		agg_row(st, 0, a);
	rc = rc == DB_DONE ? DB_OK : db_rc(rc);
	db_reset(st);
	return rc;
}

/* The start of the day after the monitor's newest daily row, or 0. */
static int
daily_end(struct db *db, const char *monitor_id, int64_t *end)
{
	struct db_stmt	*st;
	int		 rc;

	*end = 0;
	if ((st = db_stmt(db, sqls[STMT_DAILY_LAST])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, monitor_id);
	if ((rc = db_step(st)) == DB_ROW) {
		if (!db_col_null(st, 0))
			*end = db_col_int64(st, 0) + ROLLUP_DAY_MS;
		rc = DB_OK;
	} else
		rc = db_rc(rc);
	db_reset(st);
	return rc;
}

static int64_t	 spans_overlap(const struct maint_occ *, size_t, int64_t,
		    int64_t);

/*
 * The monitor's outages overlapping [lo, hi) (those of d->location when
 * set: its own down periods), an open one lasting until now.  Their
 * part inside the maintenance spans sp[0..nsp) (merged, sorted) is summed into d->in_maint, the rest into d->ms and, when
 * d->days is set, spread over the d->ndays days from d->start.  d->count
 * counts the outages.
 */
struct downtime {
	const char		*location;
	int64_t			 ms, in_maint;
	long long		 count;
	int64_t			 start;
	int			 ndays;
	struct rollup_day	*days;
};

static int
downtime(struct db *db, const char *monitor_id, int64_t lo, int64_t hi,
    int64_t now, const struct maint_occ *sp, size_t nsp, struct downtime *d)
{
	struct db_stmt	*st;
	int64_t		 s, e, m, i, ds, de;
	int		 rc;

	if (hi <= lo)
		return DB_OK;
	if ((st = db_query(db, sqls[d->location != NULL ? STMT_LOC_OUTAGES :
	    STMT_OUTAGES], "tII", monitor_id, lo, hi)) == NULL)
		return DB_ERROR;
	if (d->location != NULL)
		db_bind_text(st, 4, d->location);
	while ((rc = db_step(st)) == DB_ROW) {
		s = max64(db_col_int64(st, 0), lo);
		if (db_col_null(st, 1))
			e = now;	/* still open */
		else
			e = db_col_int64(st, 1);
		e = min64(e, hi);
		d->count++;
		if (e <= s)
			continue;
		m = spans_overlap(sp, nsp, s, e);
		d->ms += e - s - m;
		d->in_maint += m;
		for (i = (s - d->start) / ROLLUP_DAY_MS; d->days != NULL &&
		    i < d->ndays; i++) {
			ds = max64(s, d->start + i * ROLLUP_DAY_MS);
			de = min64(e, d->start + (i + 1) * ROLLUP_DAY_MS);
			if (de <= ds)
				break;
			d->days[i].down_ms += de - ds - spans_overlap(sp, nsp,
			    ds, de);
		}
	}
	rc = rc == DB_DONE ? DB_OK : db_rc(rc);
	db_reset(st);
	return rc;
}

/*
 * The start of the first hour location's checks of the monitor counted
 * in (its rollups began with schema/023), or INT64_MAX when none did.
 */
static int
location_since(struct db *db, const char *monitor_id, const char *location,
    int64_t *since)
{
	struct db_stmt	*st;
	int		 rc;

	*since = INT64_MAX;
	if ((st = db_query(db, sqls[STMT_LOC_FIRST], "tt", monitor_id,
	    location)) == NULL)
		return DB_ERROR;
	if ((rc = db_step(st)) == DB_ROW) {
		if (!db_col_null(st, 0))
			*since = db_col_int64(st, 0);
		rc = DB_OK;
	} else
		rc = db_rc(rc);
	db_reset(st);
	return rc;
}

/*
 * rollup_stats, or with location rollup_location_stats: the location's
 * rows and down periods, observed from its first counted hour on.
 */
static int
stats_of(struct db *db, const char *monitor_id, const char *location,
    int64_t created_at, int64_t from, int64_t to, int64_t now,
    struct stats *st)
{
	struct agg	 a;
	int64_t		 hstart, dstart, cut, lo, hi, observed_ms;
	struct downtime	 d = { 0 };
	struct maint_occ *sp;
	size_t		 nsp;
	int		 own = 0, rc;

	memset(st, 0, sizeof(*st));
	memset(&a, 0, sizeof(a));
	st->from = from;
	st->to = to;
	st->avg_ms = -1.0;
	st->min_ms = st->max_ms = -1;
	st->p50_ms = st->p95_ms = st->p99_ms = -1;
	if ((sp = malloc(MAINT_MAXSPANS * sizeof(*sp))) == NULL)
		return DB_ERROR;

	/* One read transaction: a consistent snapshot of all the reads. */
	if ((rc = db_read_begin(db, &own)) != DB_OK) {
		free(sp);
		return rc;
	}
	d.location = location;
	if (location != NULL && (rc = location_since(db, monitor_id, location,
	    &created_at)) != DB_OK)
		goto out;

	hstart = floor_to(from, ROLLUP_HOUR_MS);
	if (from < now - ROLLUP_HOURLY_DAYS * ROLLUP_DAY_MS) {
		/* Older than the hourly rows: days from their daily rows,
		 * the rest (days not rolled up yet) from hourly rows. */
		dstart = floor_to(from, ROLLUP_DAY_MS);
		if ((rc = daily_end(db, monitor_id, &cut)) != DB_OK)
			goto out;
		cut = min64(max64(cut, dstart), max64(to, dstart));
		if (cut > dstart && (rc = agg_read(db, STMT_DAILY_RANGE,
		    monitor_id, location, dstart, cut, &a)) != DB_OK)
			goto out;
		hstart = cut;
	}
	if (hstart < to && (rc = agg_read(db, STMT_HOURLY_RANGE, monitor_id,
	    location, hstart, to, &a)) != DB_OK)
		goto out;

	/* The observed time: from creation (or from) until to or now. */
	lo = max64(from, created_at);
	hi = min64(to, now);
	/*
	 * Maintenance windows covering the monitor: the downtime inside
	 * them goes to d.in_maint instead of d.ms, and their time is not
	 * observed time.
	 */
	if ((rc = maint_spans(db, NULL, monitor_id, lo, hi, sp,
	    MAINT_MAXSPANS, &nsp)) != DB_OK ||
	    (rc = downtime(db, monitor_id, lo, hi, now, sp, nsp, &d)) !=
	    DB_OK)
		goto out;
	observed_ms = hi > lo ? hi - lo - spans_overlap(sp, nsp, lo, hi) : 0;

	st->total = a.total;
	st->up = a.up;
	st->degraded = a.degraded;
	st->down = a.down;
	st->samples = a.samples;
	if (a.samples > 0) {
		st->avg_ms = (double)a.sum_ms / (double)a.samples;
		st->min_ms = a.min_ms;
		st->max_ms = a.max_ms;
		st->p50_ms = rollup_hist_percentile(&a.hist, 50, a.min_ms,
		    a.max_ms);
		st->p95_ms = rollup_hist_percentile(&a.hist, 95, a.min_ms,
		    a.max_ms);
		st->p99_ms = rollup_hist_percentile(&a.hist, 99, a.min_ms,
		    a.max_ms);
	}
	st->outages = d.count;
	st->downtime_s = (double)d.ms / 1000.0;
	st->maintenance_s = (double)d.in_maint / 1000.0;
	st->observed_ms = observed_ms;
	st->has_data = (a.total > 0 || st->outages > 0) && observed_ms > 0;
	if (st->has_data) {
		st->uptime_percent = 100.0 * (1.0 - (double)d.ms /
		    (double)observed_ms);
		if (st->uptime_percent < 0.0)
			st->uptime_percent = 0.0;
	}
	rc = DB_OK;
out:
	rc = db_read_end(db, own, rc);
	free(sp);
	return rc;
}

int
rollup_stats(struct db *db, const char *monitor_id, int64_t created_at,
    int64_t from, int64_t to, int64_t now, struct stats *st)
{
	return stats_of(db, monitor_id, NULL, created_at, from, to, now, st);
}

int
rollup_location_stats(struct db *db, const char *monitor_id,
    const char *location, int64_t from, int64_t to, int64_t now,
    struct stats *st)
{
	return stats_of(db, monitor_id, location, 0, from, to, now, st);
}

/* Add the day rows of STMT_DAYS_DAILY or _HOURLY over [lo, hi). */
static int
days_read(struct db *db, enum stmt which, const char *monitor_id,
    int64_t lo, int64_t hi, int64_t start, int ndays, struct rollup_day *out)
{
	struct db_stmt	*st;
	int64_t		 i;
	int		 rc;

	if ((st = db_query(db, sqls[which], "tII", monitor_id, lo, hi)) ==
	    NULL)
		return DB_ERROR;
	while ((rc = db_step(st)) == DB_ROW) {
		i = (db_col_int64(st, 0) - start) / ROLLUP_DAY_MS;
		if (i < 0 || i >= ndays)
			continue;
		out[i].total += db_col_int64(st, 1);
		out[i].up += db_col_int64(st, 2);
		out[i].degraded += db_col_int64(st, 3);
		out[i].down += db_col_int64(st, 4);
	}
	rc = rc == DB_DONE ? DB_OK : db_rc(rc);
	db_reset(st);
	return rc;
}

/* The part of [s, e) inside the merged, sorted spans. */
static int64_t
spans_overlap(const struct maint_occ *sp, size_t n, int64_t s, int64_t e)
{
	int64_t	 sum = 0, a, b;
	size_t	 i;

	for (i = 0; i < n && sp[i].start < e; i++) {
		a = max64(s, sp[i].start);
		b = min64(e, sp[i].end);
		if (b > a)
			sum += b - a;
	}
	return sum;
}

int
rollup_days(struct db *db, const char *monitor_id, int64_t created_at,
    int64_t from_day, int ndays, int64_t now, struct rollup_day *out)
{
	struct maint_occ	*sp = NULL;
	struct downtime		 d = { 0 };
	size_t			 nsp = 0;
	int64_t			 start, end, cut, lo, hi;
	int			 rc, i;

	if (ndays < 1 || ndays > ROLLUP_MAXDAYS)
		return DB_ERROR;
	start = floor_to(from_day, ROLLUP_DAY_MS);
	end = start + ndays * ROLLUP_DAY_MS;
	memset(out, 0, sizeof(*out) * (size_t)ndays);
	for (i = 0; i < ndays; i++) {
		out[i].day = start + i * ROLLUP_DAY_MS;
		lo = max64(out[i].day, created_at);
		hi = min64(out[i].day + ROLLUP_DAY_MS, now);
		out[i].observed_ms = hi > lo ? hi - lo : 0;
	}
	if ((sp = malloc(MAINT_MAXSPANS * sizeof(*sp))) == NULL)
		return DB_ERROR;

	if ((rc = daily_end(db, monitor_id, &cut)) != DB_OK)
		goto out;
	cut = min64(max64(cut, start), end);
	if (cut > start && (rc = days_read(db, STMT_DAYS_DAILY, monitor_id,
	    start, cut, start, ndays, out)) != DB_OK)
		goto out;
	if (cut < end && (rc = days_read(db, STMT_DAYS_HOURLY, monitor_id,
	    cut, end, start, ndays, out)) != DB_OK)
		goto out;
	lo = max64(start, created_at);
	hi = min64(end, now);
	if ((rc = maint_spans(db, NULL, monitor_id, lo, hi, sp,
	    MAINT_MAXSPANS, &nsp)) != DB_OK)
		goto out;
	for (i = 0; i < ndays; i++)
		out[i].maint_ms = spans_overlap(sp, nsp,
		    max64(out[i].day, lo), min64(out[i].day + ROLLUP_DAY_MS,
		    hi));
	d.start = start;
	d.ndays = ndays;
	d.days = out;
	if ((rc = downtime(db, monitor_id, lo, hi, now, sp, nsp, &d)) != DB_OK)
		goto out;
	for (i = 0; i < ndays; i++)
		out[i].has_data = out[i].total > 0 || out[i].down_ms > 0 ||
		    out[i].maint_ms > 0;
	rc = DB_OK;
out:
	free(sp);
	return rc;
}

int
rollup_series(struct db *db, const char *monitor_id, int64_t from,
    int64_t step_ms, int n, struct rollup_point *out)
{
	struct db_stmt	*st;
	struct agg	*a;
	int64_t		 start, i;
	int		 rc, k;

	if (n < 1 || n > ROLLUP_MAXPOINTS || step_ms < ROLLUP_HOUR_MS ||
	    step_ms % ROLLUP_HOUR_MS != 0)
		return DB_ERROR;
	if ((a = calloc((size_t)n, sizeof(*a))) == NULL)
		return DB_ERROR;
	start = floor_to(from, ROLLUP_HOUR_MS);
	if ((st = db_query(db, sqls[STMT_HOURLY_ROWS], "tII", monitor_id,
	    start, start + n * step_ms)) == NULL) {
		free(a);
		return DB_ERROR;
	}
	while ((rc = db_step(st)) == DB_ROW)
		if ((i = (db_col_int64(st, 0) - start) / step_ms) >= 0 &&
		    i < n)
			agg_row(st, 1, &a[i]);
	rc = rc == DB_DONE ? DB_OK : db_rc(rc);
	db_reset(st);
	for (k = 0; k < n; k++) {
		out[k].start = start + k * step_ms;
		out[k].total = a[k].total;
		out[k].up = a[k].up;
		out[k].degraded = a[k].degraded;
		out[k].down = a[k].down;
		out[k].p50_ms = out[k].p95_ms = -1;
		if (a[k].samples == 0)
			continue;
		out[k].p50_ms = rollup_hist_percentile(&a[k].hist, 50,
		    a[k].min_ms, a[k].max_ms);
		out[k].p95_ms = rollup_hist_percentile(&a[k].hist, 95,
		    a[k].min_ms, a[k].max_ms);
	}
	free(a);
	return rc;
}

int
rollup_team_counts(struct db *db, const char *team,
    const int days[ROLLUP_TEAM_WINDOWS], int64_t now,
    int (*fn)(const struct rollup_counts *, void *), void *arg)
{
	struct rollup_counts	 c;
	struct db_stmt		*st;
	int64_t			 s;
	int			 rc, i;

	for (i = 0; i < ROLLUP_TEAM_WINDOWS; i++)
		if (days[i] < 1 || days[i] > ROLLUP_HOURLY_DAYS)
			return DB_ERROR;
	if ((st = db_stmt(db, sqls[STMT_TEAM_COUNTS])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	db_bind_int64(st, 2, now);
	for (i = 0; i < ROLLUP_TEAM_WINDOWS; i++) {
		s = floor_to(now - days[i] * ROLLUP_DAY_MS, ROLLUP_HOUR_MS);
		db_bind_int64(st, 3 + 2 * i, s);
		db_bind_int64(st, 4 + 2 * i,
		    floor_to(s + ROLLUP_DAY_MS - 1, ROLLUP_DAY_MS));
	}
	while ((rc = db_step(st)) == DB_ROW) {
		c.monitor_id = db_col_str(st, 0);
		for (i = 0; i < ROLLUP_TEAM_WINDOWS; i++) {
			c.total[i] = db_col_int64(st, 1 + 2 * i);
			c.ok[i] = db_col_int64(st, 2 + 2 * i);
		}
		if (c.monitor_id == NULL || fn(&c, arg) == -1) {
			db_reset(st);
			return DB_ERROR;
		}
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}

static double
round_to(double v, double scale)
{
	return round(v * scale) / scale;
}

const char *const stats_window_names[SW__MAX] = { "24h", "7d", "30d", "90d" };
const int64_t stats_window_ms[SW__MAX] = {
	ROLLUP_DAY_MS, 7 * ROLLUP_DAY_MS, 30 * ROLLUP_DAY_MS, 90 * ROLLUP_DAY_MS,
};

cJSON *
stats_json(const struct stats *st)
{
	cJSON	*o, *c, *r;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	json_add_time(o, "from", st->from);
	json_add_time(o, "to", st->to);
	if (st->has_data) {
		cJSON_AddNumberToObject(o, "uptimePercent",
		    round_to(st->uptime_percent, 1000.0));
		cJSON_AddNumberToObject(o, "downtimeSeconds",
		    round_to(st->downtime_s, 1000.0));
		cJSON_AddNumberToObject(o, "maintenanceSeconds",
		    round_to(st->maintenance_s, 1000.0));
	} else {
		cJSON_AddNullToObject(o, "uptimePercent");
		cJSON_AddNullToObject(o, "downtimeSeconds");
		cJSON_AddNullToObject(o, "maintenanceSeconds");
	}
	if ((c = cJSON_AddObjectToObject(o, "checks")) == NULL)
		goto fail;
	cJSON_AddNumberToObject(c, "total", (double)st->total);
	cJSON_AddNumberToObject(c, "up", (double)st->up);
	cJSON_AddNumberToObject(c, "degraded", (double)st->degraded);
	cJSON_AddNumberToObject(c, "down", (double)st->down);
	if ((r = cJSON_AddObjectToObject(o, "responseTimeMs")) == NULL)
		goto fail;
	if (st->samples > 0) {
		cJSON_AddNumberToObject(r, "avg", round(st->avg_ms));
		cJSON_AddNumberToObject(r, "min", (double)st->min_ms);
		cJSON_AddNumberToObject(r, "max", (double)st->max_ms);
		cJSON_AddNumberToObject(r, "p50", (double)st->p50_ms);
		cJSON_AddNumberToObject(r, "p95", (double)st->p95_ms);
		cJSON_AddNumberToObject(r, "p99", (double)st->p99_ms);
	} else {
		cJSON_AddNullToObject(r, "avg");
		cJSON_AddNullToObject(r, "min");
		cJSON_AddNullToObject(r, "max");
		cJSON_AddNullToObject(r, "p50");
		cJSON_AddNullToObject(r, "p95");
		cJSON_AddNullToObject(r, "p99");
	}
	if (cJSON_AddNumberToObject(o, "outages", (double)st->outages) == NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/*
 * Recompute one (monitor, location, day) from its hourly rows; mark them
 * clean.
 */
static int
daily_build(struct db *db, const char *monitor_id, const char *location,
    int64_t day)
{
	struct db_stmt	*st;
	struct agg	 a;
	unsigned char	 blob[ROLLUP_HISTBYTES];
	int		 rc;

	memset(&a, 0, sizeof(a));
	if ((rc = agg_read(db, STMT_HOURLY_RANGE, monitor_id, location, day,
	    day + ROLLUP_DAY_MS, &a)) != DB_OK)
		return rc;
	if ((st = db_stmt(db, sqls[STMT_DAILY_PUT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, monitor_id);
	db_bind_int64(st, 2, day);
	db_bind_int64(st, 3, a.total);
	db_bind_int64(st, 4, a.up);
	db_bind_int64(st, 5, a.degraded);
	db_bind_int64(st, 6, a.down);
	db_bind_int64(st, 7, a.samples);
	db_bind_int64(st, 8, a.sum_ms);
	if (a.samples > 0) {
		db_bind_int64(st, 9, a.min_ms);
		db_bind_int64(st, 10, a.max_ms);
		rollup_hist_encode(&a.hist, blob);
		db_bind_blob(st, 11, blob, sizeof(blob));
	}
	db_bind_text(st, 12, location);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	return db_exec_stmt(db_query(db, sqls[STMT_DIRTY_CLEAR], "tIIt",
	    monitor_id, day, day + ROLLUP_DAY_MS, location));
}

struct dirty_day {
	char	 monitor_id[MONITOR_IDMAX];
	char	 location[MONITOR_IDMAX];
	int64_t	 day;
};

int
rollup_daily(struct db *db, int64_t now, long long *ndays)
{
	struct db_stmt		*st;
	struct dirty_day	 dirty[DAILY_BATCH];
	int64_t			 before = floor_to(now, ROLLUP_DAY_MS);
	int			 n, i, rc;

	if (ndays != NULL)
		*ndays = 0;
	for (;;) {
		if ((rc = db_begin(db)) != DB_OK)
			return rc;
		if ((st = db_stmt(db, sqls[STMT_DIRTY_DAYS])) == NULL) {
			rc = DB_ERROR;
			goto fail;
		}
		db_bind_int64(st, 1, before);
		db_bind_int(st, 2, DAILY_BATCH);
		n = 0;
		while ((rc = db_step(st)) == DB_ROW &&
		    n < DAILY_BATCH) {
			if (db_col_bytes(st, 0) >= MONITOR_IDMAX ||
			    db_col_bytes(st, 1) >= MONITOR_IDMAX) {
				fprintf(stderr, "rollup_daily: id of %d or %d "
				    "bytes\n", db_col_bytes(st, 0),
				    db_col_bytes(st, 1));
				rc = DB_ERROR;
				break;
			}
			db_col_text(st, 0, dirty[n].monitor_id,
			    sizeof(dirty[n].monitor_id));
			db_col_text(st, 1, dirty[n].location,
			    sizeof(dirty[n].location));
			dirty[n].day = db_col_int64(st, 2);
			n++;
		}
		rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : db_rc(rc);
		db_reset(st);
		if (rc != DB_OK)
			goto fail;
		for (i = 0; i < n; i++)
			if ((rc = daily_build(db, dirty[i].monitor_id,
			    dirty[i].location, dirty[i].day)) != DB_OK)
				goto fail;
		if ((rc = db_commit(db)) != DB_OK)
			return rc;
		if (ndays != NULL)
			*ndays += n;
		if (n < DAILY_BATCH)
			return DB_OK;
	}
fail:
	db_rollback(db);
	return rc;
}

static void
pause_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Run a batched delete of rows older than before until none is left. */
static int
prune_batches(struct db *db, enum stmt which, int64_t before,
    long long *count)
{
	struct db_stmt	*st;
	int		 rc, n;

	for (;;) {
		if ((rc = db_begin(db)) != DB_OK)
			return rc;
		if ((st = db_stmt(db, sqls[which])) == NULL) {
			db_rollback(db);
			return DB_ERROR;
		}
		db_bind_int64(st, 1, before);
		db_bind_int(st, 2, ROLLUP_BATCH);
		if ((rc = db_exec_stmt(st)) != DB_OK) {
			db_rollback(db);
			return rc;
		}
		n = db_changes(db);
		if ((rc = db_commit(db)) != DB_OK)
			return rc;
		*count += n;
		if (n < ROLLUP_BATCH)
			return DB_OK;
		pause_ms(PRUNE_PAUSE_MS);
	}
}

int
rollup_prune(struct db *db, int64_t now, long raw_days, long audit_days,
    struct rollup_pruned *pruned)
{
	struct rollup_pruned	 dummy;
	int			 rc;

	if (pruned == NULL)
		pruned = &dummy;
	memset(pruned, 0, sizeof(*pruned));
	if ((rc = prune_batches(db, STMT_PRUNE_RESULTS,
	    now - raw_days * ROLLUP_DAY_MS, &pruned->results)) != DB_OK ||
	    (rc = prune_batches(db, STMT_PRUNE_HOURLY,
	    floor_to(now, ROLLUP_HOUR_MS) -
	    ROLLUP_HOURLY_KEEP_DAYS * ROLLUP_DAY_MS,
	    &pruned->hourly)) != DB_OK ||
	    (rc = prune_batches(db, STMT_PRUNE_DAILY,
	    floor_to(now, ROLLUP_DAY_MS) - ROLLUP_DAILY_DAYS * ROLLUP_DAY_MS,
	    &pruned->daily)) != DB_OK ||
	    (rc = prune_batches(db, STMT_PRUNE_EVENTS,
	    now - ROLLUP_EVENTS_DAYS * ROLLUP_DAY_MS,
	    &pruned->events)) != DB_OK ||
	    (rc = prune_batches(db, STMT_PRUNE_LOC_EVENTS,
	    now - ROLLUP_EVENTS_DAYS * ROLLUP_DAY_MS,
	    &pruned->events)) != DB_OK ||
	    (rc = prune_batches(db, STMT_PRUNE_NOTIFICATIONS,
	    now - audit_days * ROLLUP_DAY_MS,
	    &pruned->notifications)) != DB_OK ||
	    (rc = prune_batches(db, STMT_PRUNE_MAIL,
	    now - audit_days * ROLLUP_DAY_MS, &pruned->mail)) != DB_OK)
		return rc;

	/* audit.c deletes in one statement; the table is indexed by at. */
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = audit_prune(db, now - audit_days * ROLLUP_DAY_MS)) !=
	    DB_OK) {
		db_rollback(db);
		return rc;
	}
	pruned->audit = db_changes(db);
	return db_commit(db);
}
