/*
 * Rollups: hourly and daily summaries of check results, per monitor and
 * location, and the stats answered from them.  See docs/lib/rollup.md.
 *
 * The checker calls rollup_add() for every result inside its write
 * transaction, so the hourly rows are always current.  The maintainer
 * (cron/uptime-maintain) calls rollup_daily() and rollup_prune().  The
 * stats endpoint calls rollup_stats() and stats_json().
 */
#ifndef ROLLUP_H
#define ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "db.h"

/*
 * The latency histogram: ROLLUP_BUCKETS exponentially spaced buckets.
 * Bucket i holds samples in (upper(i - 1), upper(i)] ms; bucket 0 holds
 * 0 and 1 ms, the last bucket everything above 120000 ms.  Bounds are
 * exact up to 6 ms, then grow by at most 27.3 % a bucket.  In the
 * database (the hist BLOB) a histogram is ROLLUP_HISTBYTES bytes: one
 * little-endian uint32 count per bucket.
 */
#define ROLLUP_BUCKETS		48
#define ROLLUP_HISTBYTES	(ROLLUP_BUCKETS * 4)
#define ROLLUP_HIST_MAXMS	120000	/* last finite upper bound */

/* Retention of the rollups, and the deletion batch (rollup_prune). */
#define ROLLUP_HOURLY_DAYS	90	/* stats read hourly rows this far */
#define ROLLUP_HOURLY_KEEP_DAYS	(ROLLUP_HOURLY_DAYS + 1)
#define ROLLUP_DAILY_DAYS	800	/* at least 400 are promised */
#define ROLLUP_EVENTS_DAYS	30	/* processed monitor_events */
#define ROLLUP_BATCH		5000	/* rows deleted per transaction */

#define ROLLUP_HOUR_MS		(3600 * (int64_t)1000)
#define ROLLUP_DAY_MS		(24 * ROLLUP_HOUR_MS)

/* Counts saturate at UINT32_MAX. */
struct rollup_hist {
	uint32_t	 n[ROLLUP_BUCKETS];
};

/* The bucket a latency of ms falls into (negative ms: bucket 0). */
int	 rollup_hist_bucket(long ms);
/* The inclusive upper bound of bucket i in ms; -1 for the last one. */
long	 rollup_hist_upper(int i);
void	 rollup_hist_add(struct rollup_hist *, long ms);
/* Add every count of src to dst. */
void	 rollup_hist_merge(struct rollup_hist *dst,
	    const struct rollup_hist *src);
/* The number of samples in the histogram. */
uint64_t rollup_hist_count(const struct rollup_hist *);
/*
 * The pct-th percentile (1..100) by nearest rank: the upper bound of the
 * bucket holding sample number ceil(count * pct / 100), clamped to
 * [min, max], the smallest and largest sample seen.  The answer is never
 * below the true value and, up to 120000 ms, at most 27.3 % above it
 * (exact up to 6 ms).  -1 when the histogram is empty.
 */
long	 rollup_hist_percentile(const struct rollup_hist *, int pct,
	    long min, long max);
/* To and from the BLOB form; decode refuses (-1, h emptied) a blob of
 * the wrong size.  A NULL blob of length 0 is an empty histogram. */
void	 rollup_hist_encode(const struct rollup_hist *,
	    unsigned char out[ROLLUP_HISTBYTES]);
int	 rollup_hist_decode(struct rollup_hist *, const void *blob,
	    size_t len);

/*
 * Count one check result of monitor_id, taken at location ("local" or a
 * location's id) and checked at at_ms, in the hourly row of its hour and
 * location.  A monitor's stats sum the rows of every location.  status
 * is "up", "degraded" or "down"; response_ms is -1 when there is no response time (a connection failure): the result
 * counts but adds no latency sample.  Call it inside the write
 * transaction that stores the result (it opens its own when there is
 * none).  Returns DB_OK, DB_CONFLICT (no such monitor), DB_BUSY or
 * DB_ERROR (also for a bad status).
 */
int	 rollup_add(struct db *, const char *monitor_id, const char *location,
	    int64_t at_ms, const char *status, long response_ms) WUR;

/*
 * A monitor's stats over [from, to).  Counts and latency come from the
 * rollups whose bucket starts in [floor_hour(from), to) (floor_day(from)
 * when from is more than ROLLUP_HOURLY_DAYS before now: then days that
 * have a daily row are read from it).  Downtime and outages come from
 * the outages table, an open outage running until now; the part of it
 * inside the monitor's maintenance windows is maintenance_s instead, and
 * the windows' time is left out of the observed time (up to
 * MAINT_MAXSPANS occurrences).
 *
 * has_data is 0 when nothing was observed (no check counted, no outage
 * in the window, or a window that ends before the monitor was created,
 * starts after now or lies inside maintenance); then uptime_percent, downtime_s and maintenance_s
 * mean nothing and stats_json gives them as null.  Latency fields are -1
 * (avg_ms -1.0) when samples is 0.
 */
struct stats {
	int64_t		 from, to;
	long long	 total, up, degraded, down;
	long long	 samples;	/* results with a response time */
	double		 avg_ms;
	long		 min_ms, max_ms, p50_ms, p95_ms, p99_ms;
	double		 downtime_s;
	/*
	 * Downtime inside the monitor's maintenance windows
	 * (lib/maintenance.h, maint_spans): not in downtime_s; the windows'
	 * time is not observed time either.
	 */
	double		 maintenance_s;
	long long	 outages;	/* outages overlapping the window */
	double		 uptime_percent;
	/* The time uptime_percent is a share of: [from, to) after the
	 * monitor's creation and before now, less maintenance.  ms. */
	int64_t		 observed_ms;
	int		 has_data;
};

/*
 * Fill st for monitor_id (created at created_at) over [from, to) as seen
 * at now.  Returns DB_OK, DB_BUSY or DB_ERROR.  A monitor with no rows is
 * not an error: st says there is no data.
 */
int	 rollup_stats(struct db *, const char *monitor_id, int64_t created_at,
	    int64_t from, int64_t to, int64_t now, struct stats *st) WUR;
/*
 * The same as seen from one location ("local" or a location's id): the
 * checks it counted, and its own down periods (location_outages) for
 * downtime and outages.  Its observed time starts at the first hour one
 * of its checks counted in (a location added later, and the time before
 * schema/023, when rollups did not say where a check was taken, are not
 * observed): before that, nothing.
 */
int	 rollup_location_stats(struct db *, const char *monitor_id,
	    const char *location, int64_t from, int64_t to, int64_t now,
	    struct stats *st) WUR;

/*
 * The API object {from, to, uptimePercent, downtimeSeconds,
 * maintenanceSeconds, checks {...}, responseTimeMs {...}, outages}.
 * Caller owns the result; NULL when out of memory.
 */
cJSON	*stats_json(const struct stats *);

/*
 * The named windows of the stats answers, counted back from now: a
 * monitor's default stats, the team's (GET /v1/monitors/stats) and the
 * status pages' uptime and response time badges.  In order, shortest
 * first; SW_30D where one window is picked by default.
 */
enum stats_window { SW_24H, SW_7D, SW_30D, SW_90D, SW__MAX };
extern const char *const stats_window_names[SW__MAX];
extern const int64_t	 stats_window_ms[SW__MAX];

/*
 * The checks counted for each monitor of a team over a few windows that
 * end now, in one statement for the whole team (the metrics endpoint).
 */
#define ROLLUP_TEAM_WINDOWS	3

struct rollup_counts {
	const char	*monitor_id;	/* borrowed for the call */
	long long	 total[ROLLUP_TEAM_WINDOWS];
	long long	 ok[ROLLUP_TEAM_WINDOWS];	/* up or degraded */
};

/*
 * For each monitor of team, in monitor id order, call fn with the checks
 * counted in each window [now - days[k], now), k < ROLLUP_TEAM_WINDOWS,
 * 1 to ROLLUP_HOURLY_DAYS days (fn returns 0, or -1 to stop with
 * DB_ERROR).  A window starts on the hour, as rollup_stats reads it.  Its
 * whole UTC days up to the monitor's newest daily row come from
 * rollups_daily, the rest from rollups_hourly (as rollup_days reads
 * them): a few dozen rows a monitor, not 720 for 30 days.  One
 * statement.  Returns DB_OK, DB_BUSY or DB_ERROR (also for bad days).
 */
int	 rollup_team_counts(struct db *, const char *team,
	    const int days[ROLLUP_TEAM_WINDOWS], int64_t now,
	    int (*fn)(const struct rollup_counts *, void *), void *arg) WUR;

/* One UTC day of a monitor, for the status pages' daily bars. */
struct rollup_day {
	int64_t		 day;		/* the day's start, ms */
	long long	 total, up, degraded, down;	/* checks counted */
	/* The part of the day after the monitor's creation and before now,
	 * the maintenance time inside it (lib/maintenance.h, maint_spans)
	 * and the outage time inside it outside maintenance. */
	int64_t		 observed_ms;
	int64_t		 maint_ms;
	int64_t		 down_ms;
	int		 has_data;	/* a check counted, downtime or
					 * maintenance */
};

#define ROLLUP_MAXDAYS	400	/* days rollup_days answers at once */

/*
 * Fill out[0..ndays) (1..ROLLUP_MAXDAYS) for monitor_id, created at
 * created_at: out[i] is the UTC day starting from_day (rounded down to a
 * day) plus i days.  Counts come from rollups_daily for the days up to
 * the monitor's newest daily row and from rollups_hourly after it (as
 * rollup_stats reads them), downtime from the outages table, an open
 * outage running until now, less the part of it inside the monitor's
 * maintenance windows (maint_spans), which is counted in maint_ms.  One
 * read transaction; never raw results.
 * Returns DB_OK, DB_BUSY or DB_ERROR (also for a bad ndays).
 */
int	 rollup_days(struct db *, const char *monitor_id, int64_t created_at,
	    int64_t from_day, int ndays, int64_t now, struct rollup_day *out)
	    WUR;

/* A step of a monitor's series: its checks and response times. */
struct rollup_point {
	int64_t		 start;		/* ms */
	long long	 total, up, degraded, down;	/* checks counted */
	long		 p50_ms, p95_ms;	/* -1: no response time */
};

#define ROLLUP_MAXPOINTS	(31 * 24)	/* an hour each for 31 days */

/*
 * Fill out[0..n) (1..ROLLUP_MAXPOINTS) for monitor_id: out[i] is the
 * step of step_ms (whole hours) starting from (rounded down to the
 * hour) plus i steps, summed from its hourly rows, its percentiles from
 * their merged histograms (as rollup_stats answers them for a window).
 * Hourly rows are kept ROLLUP_HOURLY_DAYS: older steps are empty.  One
 * statement.  Returns DB_OK, DB_BUSY or DB_ERROR (also for a bad n or
 * step_ms).
 */
int	 rollup_series(struct db *, const char *monitor_id, int64_t from,
	    int64_t step_ms, int n, struct rollup_point *out) WUR;

/*
 * Build or refresh the daily row of every (monitor, completed UTC day)
 * whose hourly rows changed since its last build (the hourly rows carry a
 * dirty flag that rollup_add sets and this clears).  A day's row is
 * recomputed from all of its hourly rows and replaced, so running it
 * twice changes nothing.  Works in short transactions.  *ndays, when not
 * NULL, gets the number of monitor-days written.  Returns DB_OK, DB_BUSY
 * or DB_ERROR (work committed so far stays).
 */
int	 rollup_daily(struct db *, int64_t now, long long *ndays) WUR;

/* Rows deleted by rollup_prune, by table. */
struct rollup_pruned {
	long long	 results;	/* check_results */
	long long	 hourly;	/* rollups_hourly */
	long long	 daily;		/* rollups_daily */
	long long	 events;	/* monitor_events */
	long long	 audit;		/* audit_events */
	long long	 notifications;	/* notifications, not pending */
	long long	 mail;		/* mail_outbox */
};

/*
 * Delete check results older than raw_days, hourly rollups older than
 * ROLLUP_HOURLY_KEEP_DAYS, daily rollups older than ROLLUP_DAILY_DAYS,
 * processed monitor events older than ROLLUP_EVENTS_DAYS, and audit events,
 * notifications that are not pending (with their attempts) and the mail
 * log older than audit_days, all counted back from now.  Deletes at most
 * ROLLUP_BATCH rows per transaction.  pruned, when not NULL, gets the
 * counts (also of a partial run).  Returns DB_OK, DB_BUSY or DB_ERROR.
 */
int	 rollup_prune(struct db *, int64_t now, long raw_days, long audit_days,
	    struct rollup_pruned *pruned) WUR;

#endif /* ROLLUP_H */
