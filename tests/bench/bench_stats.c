/*
 * bench_stats: what answering stats from rollups saves over scanning raw
 * check results.
 *
 *   bench_stats [-r runs] [monitors ...]     (default: -r 10 1 100)
 *
 * For each monitor count, builds a temporary database holding 30 days of
 * results at one a minute for every monitor (raw check_results rows and
 * rollup_add() for each, in large transactions), then times a 30-day
 * stats answer for one monitor two ways, best of runs:
 *
 *   rollups  rollup_stats(): the monitor's 720 hourly rows and outages;
 *   raw      plain SQL over check_results: counts by status,
 *            avg/min/max, and p50/p95/p99 by ORDER BY response_ms with
 *            OFFSET (nearest rank).
 *
 * The two must agree on every count, min and max (exit 1 otherwise);
 * the percentiles are printed side by side (the rollup ones are bucket
 * bounds, never below the exact ones and at most 27.3 % above).  Timing
 * is reported, never judged.  Build with -O2 and no sanitizers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uptime.h"
#include "rollup.h"

#define DAYS		30
#define PER_DAY		1440		/* one result a minute */
#define TX_ROWS		50000		/* results per load transaction */
#define MAX_VARIANTS	8

enum stmt {
	STMT_INSERT,
	STMT_COUNTS,
	STMT_LATENCY,
	STMT_NTH,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO check_results (monitor_id, checked_at, status, "
	"response_ms) VALUES (?, ?, ?, ?)",
	/* STMT_COUNTS */
	"SELECT status, count(*) FROM check_results WHERE monitor_id = ?1 "
	"AND checked_at >= ?2 AND checked_at < ?3 GROUP BY status",
	/* STMT_LATENCY */
	"SELECT count(response_ms), sum(response_ms), min(response_ms), "
	"max(response_ms) FROM check_results WHERE monitor_id = ?1 "
	"AND checked_at >= ?2 AND checked_at < ?3",
	/* STMT_NTH: the sample of rank ?4 + 1. */
	"SELECT response_ms FROM check_results WHERE monitor_id = ?1 "
	"AND checked_at >= ?2 AND checked_at < ?3 AND response_ms IS NOT "
	"NULL ORDER BY response_ms LIMIT 1 OFFSET ?4",
};

/* The figures computed from raw rows. */
struct raw {
	long long	 total, up, degraded, down, samples, sum_ms;
	long		 min_ms, max_ms, p50_ms, p95_ms, p99_ms;
};

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long
lcg(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return *s >> 33;
}

static int
exec(struct db *db, const char *s)
{
	if (db_exec(db, s) != 0) {
		fprintf(stderr, "bench_stats: %s failed\n", s);
		return -1;
	}
	return 0;
}

/*
 * One result: 97 % up, 2 % degraded (slow), 1 % down (no response
 * time); latency mostly 20..300 ms with a long tail.
 */
static void
fake(unsigned long *seed, const char **status, long *ms)
{
	unsigned long	 r = lcg(seed) % 1000;

	if (r < 10) {
		*status = "down";
		*ms = -1;
	} else if (r < 30) {
		*status = "degraded";
		*ms = 5000 + (long)(lcg(seed) % 5000);
	} else {
		*status = "up";
		*ms = 20 + (long)(lcg(seed) % 280);
		if (lcg(seed) % 20 == 0)
			*ms += (long)(lcg(seed) % 3000);
	}
}

/* Fill the database; the load times go to *raw_s and *rollup_s. */
static int
load(struct db *db, int monitors, int64_t start, double *raw_s,
    double *rollup_s)
{
	struct db_stmt	*st;
	unsigned long	 seed = 1;
	const char	*status;
	char		 id[ID_MAX], q[512];
	long long	 n = 0;
	long		 ms;
	double		 t;
	int64_t		 at;
	int		 m, i;

	*raw_s = *rollup_s = 0.0;
	if (exec(db, "INSERT INTO teams (id, name, created_at) VALUES "
	    "('team_bench', 'bench', 0)") == -1)
		return -1;
	for (m = 0; m < monitors; m++) {
		snprintf(q, sizeof(q), "INSERT INTO monitors (id, team_id, "
		    "name, type, interval_s, timeout_s, confirmations, "
		    "next_check_at, created_at, updated_at) VALUES "
		    "('mon_%020d', 'team_bench', 'm', 'http', 60, 10, 1, 0, "
		    "%lld, %lld)", m, (long long)start, (long long)start);
		if (exec(db, q) == -1)
			return -1;
	}
	for (i = 0; i < DAYS * PER_DAY; i++) {
		at = start + (int64_t)i * 60000;
		for (m = 0; m < monitors; m++, n++) {
			if (n % TX_ROWS == 0 && db_begin(db) != DB_OK)
				return -1;
			snprintf(id, sizeof(id), "mon_%020d", m);
			fake(&seed, &status, &ms);
			t = now_s();
			if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
				return -1;
			db_bind_text(st, 1, id);
			db_bind_int64(st, 2, at);
			db_bind_text(st, 3, status);
			if (ms >= 0)
				db_bind_int64(st, 4, ms);
			if (db_exec_stmt(st) != DB_OK)
				return -1;
			*raw_s += now_s() - t;
			t = now_s();
			if (rollup_add(db, id, "local", at, status, ms) != DB_OK)
				return -1;
			*rollup_s += now_s() - t;
			if ((n + 1) % TX_ROWS == 0 && db_commit(db) != DB_OK)
				return -1;
		}
	}
	if (n % TX_ROWS != 0 && db_commit(db) != DB_OK)
		return -1;
	return 0;
}

static int
nth(struct db *db, const char *id, int64_t from, int64_t to,
    long long rank, long *out)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_NTH])) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	db_bind_int64(st, 4, rank - 1);
	rc = db_step(st);
	*out = rc == DB_ROW ? (long)db_col_int64(st, 0) : -1;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* The stats figures by scanning raw results. */
static int
raw_stats(struct db *db, const char *id, int64_t from, int64_t to,
    struct raw *r)
{
	struct db_stmt	*st;
	const char	*s;
	long long	 c;
	int		 rc;

	memset(r, 0, sizeof(*r));
	if ((st = db_stmt(db, sqls[STMT_COUNTS])) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	while ((rc = db_step(st)) == DB_ROW) {
		s = db_col_str(st, 0);
		c = db_col_int64(st, 1);
		r->total += c;
		if (strcmp(s, "up") == 0)
			r->up = c;
		else if (strcmp(s, "degraded") == 0)
			r->degraded = c;
		else
			r->down = c;
	}
	db_reset(st);
	if (rc != DB_DONE)
		return -1;
	if ((st = db_stmt(db, sqls[STMT_LATENCY])) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	if ((rc = db_step(st)) == DB_ROW) {
		r->samples = db_col_int64(st, 0);
		r->sum_ms = db_col_int64(st, 1);
		r->min_ms = (long)db_col_int64(st, 2);
		r->max_ms = (long)db_col_int64(st, 3);
	}
	db_reset(st);
	if (rc != DB_ROW || r->samples == 0)
		return rc == DB_ROW ? 0 : -1;
	if (nth(db, id, from, to, (r->samples * 50 + 99) / 100,
	    &r->p50_ms) == -1 ||
	    nth(db, id, from, to, (r->samples * 95 + 99) / 100,
	    &r->p95_ms) == -1 ||
	    nth(db, id, from, to, (r->samples * 99 + 99) / 100,
	    &r->p99_ms) == -1)
		return -1;
	return 0;
}

/* The one number that the query q answers, or -1. */
static long long
count(struct db *db, const char *q)
{
	struct db_stmt	*st;
	long long	 n = -1;

	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	if (db_step(st) == DB_ROW)
		n = db_col_int64(st, 0);
	db_finalize(st);
	return n;
}

struct result {
	int		 monitors;
	long long	 raw_rows, rollup_rows;
	double		 t_rollup, t_raw, load_raw, load_rollup;
	struct stats	 st;
	struct raw	 raw;
	int		 agree;
};

static int
variant(int monitors, int runs, struct result *res)
{
	struct db	*db = NULL;
	char		 dir[256], path[300], err[512], q[512];
	const char	*tmp = getenv("TMPDIR");
	const char	*id = "mon_00000000000000000000";
	int64_t		 start, from, to, now;
	double		 t, t0;
	int		 i, rc = -1;

	memset(res, 0, sizeof(*res));
	res->monitors = monitors;
	snprintf(dir, sizeof(dir), "%s/bench_stats.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("bench_stats: mkdtemp");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	if ((db = db_open(path, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_stats: %s\n", err);
		goto out;
	}
	/* 30 days ending at a whole hour, so both ways count alike. */
	now = time_now_ms();
	now -= now % ROLLUP_HOUR_MS;
	start = now - (int64_t)DAYS * ROLLUP_DAY_MS;
	from = start;
	to = now;

	fprintf(stderr, "bench_stats: loading %d monitor(s) x %d results...\n",
	    monitors, DAYS * PER_DAY);
	t0 = now_s();
	if (load(db, monitors, start, &res->load_raw, &res->load_rollup) ==
	    -1) {
		fprintf(stderr, "bench_stats: load failed\n");
		goto out;
	}
	fprintf(stderr, "bench_stats: loaded in %.1f s\n", now_s() - t0);
	if (exec(db, "ANALYZE") == -1)
		goto out;
	snprintf(q, sizeof(q), "SELECT count(*) FROM rollups_hourly WHERE "
	    "monitor_id = '%s' AND bucket >= %lld AND bucket < %lld", id,
	    (long long)from, (long long)to);
	if ((res->rollup_rows = count(db, q)) < 0)
		goto out;

	res->t_rollup = res->t_raw = 1e9;
	for (i = 0; i < runs; i++) {
		t = now_s();
		if (rollup_stats(db, id, start, from, to, now, &res->st) !=
		    DB_OK)
			goto out;
		t = now_s() - t;
		if (t < res->t_rollup)
			res->t_rollup = t;
		t = now_s();
		if (raw_stats(db, id, from, to, &res->raw) == -1)
			goto out;
		t = now_s() - t;
		if (t < res->t_raw)
			res->t_raw = t;
	}
	res->raw_rows = res->raw.total;
	res->agree = res->st.total == res->raw.total &&
	    res->st.up == res->raw.up &&
	    res->st.degraded == res->raw.degraded &&
	    res->st.down == res->raw.down &&
	    res->st.samples == res->raw.samples &&
	    res->st.min_ms == res->raw.min_ms &&
	    res->st.max_ms == res->raw.max_ms &&
	    fabs(res->st.avg_ms - (double)res->raw.sum_ms /
	    (double)res->raw.samples) < 1e-6;
	rc = 0;
out:
	db_close(db);
	unlink(path);
	snprintf(q, sizeof(q), "%s-wal", path);
	unlink(q);
	snprintf(q, sizeof(q), "%s-shm", path);
	unlink(q);
	rmdir(dir);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: bench_stats [-r runs] [monitors ...]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct result	 res[MAX_VARIANTS];
	int		 counts[MAX_VARIANTS] = { 1, 100 };
	int		 nv = 2, runs = 10, c, i, status = 0;
	char		*end;
	long		 v;

	while ((c = getopt(argc, argv, "r:h")) != -1)
		switch (c) {
		case 'r':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > 1000)
				return usage();
			runs = (int)v;
			break;
		default:
			return usage();
		}
	if (optind < argc) {
		if (argc - optind > MAX_VARIANTS)
			return usage();
		for (nv = 0; optind < argc; optind++, nv++) {
			v = strtol(argv[optind], &end, 10);
			if (*argv[optind] == '\0' || *end != '\0' || v < 1 ||
			    v > 10000)
				return usage();
			counts[nv] = (int)v;
		}
	}
	for (i = 0; i < nv; i++)
		if (variant(counts[i], runs, &res[i]) == -1)
			return 1;

	printf("30-day stats of one monitor, 1 result/minute, best of %d "
	    "runs\n\n", runs);
	printf("%-9s %11s %12s %12s %12s %8s %7s\n", "monitors", "raw rows",
	    "rollup rows", "rollups ms", "raw ms", "raw/rlp", "counts");
	for (i = 0; i < nv; i++) {
		printf("%-9d %11lld %12lld %12.3f %12.3f %7.0fx %7s\n",
		    res[i].monitors, res[i].raw_rows, res[i].rollup_rows,
		    res[i].t_rollup * 1e3, res[i].t_raw * 1e3,
		    res[i].t_raw / res[i].t_rollup,
		    res[i].agree ? "agree" : "DIFFER");
		if (!res[i].agree)
			status = 1;
	}
	printf("\n%-9s %22s %22s %22s\n", "monitors", "p50 raw/rollup",
	    "p95 raw/rollup", "p99 raw/rollup");
	for (i = 0; i < nv; i++)
		printf("%-9d %11ld/%-10ld %11ld/%-10ld %11ld/%-10ld\n",
		    res[i].monitors, res[i].raw.p50_ms, res[i].st.p50_ms,
		    res[i].raw.p95_ms, res[i].st.p95_ms, res[i].raw.p99_ms,
		    res[i].st.p99_ms);
	printf("\n%-9s %18s %18s\n", "monitors", "insert us/result",
	    "rollup_add us");
	for (i = 0; i < nv; i++)
		printf("%-9d %18.2f %18.2f\n", res[i].monitors,
		    res[i].load_raw * 1e6 / ((double)res[i].monitors * DAYS *
		    PER_DAY), res[i].load_rollup * 1e6 /
		    ((double)res[i].monitors * DAYS * PER_DAY));
	return status;
}
