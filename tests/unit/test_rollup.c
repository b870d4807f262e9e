/*
 * Unit tests of lib/rollup.c: the latency histogram (bucket edges,
 * percentiles against known distributions, the BLOB form), rollup_add
 * and rollup_stats against counts worked out by hand, downtime from
 * outages, rollup_daily, rollup_prune and rollup_team_counts against
 * rollup_stats.  Each database test opens a
 * fresh database in a temporary folder.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uptime.h"
#include "rollup.h"
#include "unit.h"

#define HOUR	ROLLUP_HOUR_MS
#define DAY	ROLLUP_DAY_MS
#define MIN	(60 * (int64_t)1000)

/* Floating-point figures: equal to within a millionth. */
#define CHECK_NEAR(got, want) do {					\
	double g_ = (got), w_ = (want);					\
	if (fabs(g_ - w_) > 1e-6) {					\
		fprintf(stderr, "%s:%d: %s is %.9f, want %.9f\n",	\
		    __FILE__, __LINE__, #got, g_, w_);			\
		unit_current_failed = 1;				\
	}								\
} while (0)

static char		 tdir[64];
static char		 tpath[128];
static struct db	*tdb;
static int64_t		 T;	/* 2026-02-14T00:00:00Z */

static void
t_open(void)
{
	char	 err[256];

	snprintf(tdir, sizeof(tdir), "/tmp/test_rollup.XXXXXX");
	if (mkdtemp(tdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(tpath, sizeof(tpath), "%s/t.db", tdir);
	if ((tdb = db_open(tpath, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		exit(1);
	}
	if (sqlite3_exec(db_handle(tdb), "INSERT INTO teams (id, name, "
	    "created_at) VALUES ('team_t', 't', 0)", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "setup: %s\n", sqlite3_errmsg(db_handle(tdb)));
		exit(1);
	}
}

static void
t_close(void)
{
	char	 p[160];

	db_close(tdb);
	tdb = NULL;
	unlink(tpath);
	snprintf(p, sizeof(p), "%s-wal", tpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", tpath);
	unlink(p);
	rmdir(tdir);
}

/* Run SQL that must succeed. */
static void
sql(const char *s)
{
	char	*msg = NULL;

	if (sqlite3_exec(db_handle(tdb), s, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sql: %s: %s\n", msg ? msg : "?", s);
		sqlite3_free(msg);
		unit_current_failed = 1;
	}
}

/* The first column of the first row of s, or -999 for none or NULL. */
static long long
q_int(const char *s)
{
	sqlite3_stmt	*st;
	long long	 v = -999;

	if (sqlite3_prepare_v2(db_handle(tdb), s, -1, &st, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "q_int: %s: %s\n",
		    sqlite3_errmsg(db_handle(tdb)), s);
		unit_current_failed = 1;
		return v;
	}
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
monitor(const char *id, int64_t created_at)
{
	char	 s[512];

	snprintf(s, sizeof(s), "INSERT INTO monitors (id, team_id, name, "
	    "type, interval_s, timeout_s, confirmations, next_check_at, "
	    "created_at, updated_at) VALUES ('%s', 'team_t', '%s', 'http', "
	    "60, 10, 1, 0, %lld, %lld)", id, id, (long long)created_at,
	    (long long)created_at);
	sql(s);
}

static void
outage(const char *id, const char *monitor_id, int64_t start, int64_t end)
{
	char	 s[512];

	if (end == 0)
		snprintf(s, sizeof(s), "INSERT INTO outages (id, monitor_id, "
		    "started_at) VALUES ('%s', '%s', %lld)", id, monitor_id,
		    (long long)start);
	else
		snprintf(s, sizeof(s), "INSERT INTO outages (id, monitor_id, "
		    "started_at, ended_at) VALUES ('%s', '%s', %lld, %lld)",
		    id, monitor_id, (long long)start, (long long)end);
	sql(s);
}

static void
add(const char *monitor_id, int64_t at, const char *status, long ms)
{
	int	 rc;

	if ((rc = rollup_add(tdb, monitor_id, "local", at, status, ms)) !=
	    DB_OK) {
		fprintf(stderr, "rollup_add(%s, %lld, %s, %ld) = %d\n",
		    monitor_id, (long long)at, status, ms, rc);
		unit_current_failed = 1;
	}
}

/* stats_json of st, printed without whitespace (caller frees). */
static char *
json_of(const struct stats *st)
{
	cJSON	*o = stats_json(st);
	char	*s;

	s = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	return s;
}

static void
test_hist_edges(void)
{
	long	 prev = 0, up;
	int	 i;

	CHECK_INT(ROLLUP_BUCKETS, 48);
	CHECK_INT(rollup_hist_bucket(-5), 0);
	CHECK_INT(rollup_hist_bucket(0), 0);
	CHECK_INT(rollup_hist_bucket(1), 0);
	CHECK_INT(rollup_hist_bucket(2), 1);
	CHECK_INT(rollup_hist_bucket(6), 5);
	CHECK_INT(rollup_hist_bucket(7), 6);
	CHECK_INT(rollup_hist_bucket(8), 6);
	CHECK_INT(rollup_hist_bucket(9), 7);
	CHECK_INT(rollup_hist_bucket(10), 7);
	CHECK_INT(rollup_hist_bucket(11), 8);
	CHECK_INT(rollup_hist_bucket(500), 24);
	CHECK_INT(rollup_hist_upper(24), 600);
	CHECK_INT(rollup_hist_bucket(120000), ROLLUP_BUCKETS - 2);
	CHECK_INT(rollup_hist_bucket(120001), ROLLUP_BUCKETS - 1);
	CHECK_INT(rollup_hist_bucket(LONG_MAX), ROLLUP_BUCKETS - 1);
	CHECK_INT(rollup_hist_upper(0), 1);
	CHECK_INT(rollup_hist_upper(ROLLUP_BUCKETS - 2), ROLLUP_HIST_MAXMS);
	CHECK_INT(rollup_hist_upper(ROLLUP_BUCKETS - 1), -1);
	CHECK_INT(rollup_hist_upper(-1), -1);

	/* Bounds grow, each bucket holds its bound and not the one below,
	 * and no bound is more than 27.3 % above its bucket's smallest
	 * integer (the documented accuracy). */
	for (i = 0; i < ROLLUP_BUCKETS - 1; i++) {
		up = rollup_hist_upper(i);
		CHECK(up > prev);
		CHECK_INT(rollup_hist_bucket(up), i);
		CHECK_INT(rollup_hist_bucket(up + 1), i + 1);
		CHECK(i < 6 || (double)up <= 1.273 * (double)(prev + 1));
		prev = up;
	}
}

/* A fixed pseudo-random sequence (an LCG), for repeatable tests. */
static unsigned long
lcg(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return *s >> 33;
}

static int
cmp_long(const void *a, const void *b)
{
	long	 x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static void
test_hist_percentiles(void)
{
	static long		 v[5000];
	static const int	 pcts[] = { 1, 10, 25, 50, 75, 90, 95, 99, 100 };
	struct rollup_hist	 h;
	unsigned long		 seed = 42;
	long			 i, t, got, min, max;
	size_t			 k;

	/* 1000 samples 1..1000: true p50 500, p95 950, p99 990. */
	memset(&h, 0, sizeof(h));
	CHECK_INT(rollup_hist_percentile(&h, 50, 0, 0), -1);
	for (i = 1; i <= 1000; i++)
		rollup_hist_add(&h, i);
	CHECK_INT(rollup_hist_count(&h), 1000);
	got = rollup_hist_percentile(&h, 50, 1, 1000);
	CHECK_INT(got, 600);
	CHECK(got >= 500 && got <= 500 * 1.273);
	got = rollup_hist_percentile(&h, 95, 1, 1000);
	CHECK(got >= 950 && got <= 1000);
	CHECK_INT(rollup_hist_percentile(&h, 99, 1, 1000), 1000);
	CHECK_INT(rollup_hist_percentile(&h, 100, 1, 1000), 1000);
	CHECK_INT(rollup_hist_percentile(&h, 1, 1, 1000), 10);

	/* One value: every percentile is that value (min/max clamp). */
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 100; i++)
		rollup_hist_add(&h, 250);
	CHECK_INT(rollup_hist_percentile(&h, 50, 250, 250), 250);
	CHECK_INT(rollup_hist_percentile(&h, 99, 250, 250), 250);

	/* Bimodal: 90 % at 20 ms, 10 % at 5000 ms. */
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 900; i++)
		rollup_hist_add(&h, 20);
	for (i = 0; i < 100; i++)
		rollup_hist_add(&h, 5000);
	CHECK_INT(rollup_hist_percentile(&h, 50, 20, 5000), 21);
	CHECK_INT(rollup_hist_percentile(&h, 90, 20, 5000), 21);
	CHECK_INT(rollup_hist_percentile(&h, 95, 20, 5000), 5000);

	/* Beyond the last bound: the answer is the largest sample. */
	memset(&h, 0, sizeof(h));
	rollup_hist_add(&h, 100);
	rollup_hist_add(&h, 150000);
	CHECK_INT(rollup_hist_percentile(&h, 99, 100, 150000), 150000);

	/* A skewed random distribution (log-uniform over 1..100000 ms):
	 * never below the true nearest-rank value, at most 27.3 % above. */
	memset(&h, 0, sizeof(h));
	min = LONG_MAX;
	max = 0;
	for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		v[k] = 1;
		for (t = (long)(lcg(&seed) % 17); t > 0; t--)
			v[k] = v[k] * 2;
		v[k] += (long)(lcg(&seed) % (unsigned long)v[k]);
		rollup_hist_add(&h, v[k]);
		if (v[k] < min)
			min = v[k];
		if (v[k] > max)
			max = v[k];
	}
	qsort(v, sizeof(v) / sizeof(v[0]), sizeof(v[0]), cmp_long);
	for (k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++) {
		t = v[(5000 * pcts[k] + 99) / 100 - 1];
		got = rollup_hist_percentile(&h, pcts[k], min, max);
		if (got < t || (double)got > 1.273 * (double)t) {
			fprintf(stderr, "p%d: got %ld, true %ld\n", pcts[k],
			    got, t);
			unit_current_failed = 1;
		}
	}
}

static void
test_hist_merge_encode(void)
{
	struct rollup_hist	 a, b, c;
	unsigned char		 blob[ROLLUP_HISTBYTES];
	int			 i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 258; i++)
		rollup_hist_add(&a, 0);
	rollup_hist_add(&a, 1000);
	rollup_hist_add(&b, 1000);
	rollup_hist_add(&b, 999999);
	rollup_hist_merge(&a, &b);
	CHECK_INT(rollup_hist_count(&a), 261);
	CHECK_INT(a.n[0], 258);
	CHECK_INT(a.n[rollup_hist_bucket(1000)], 2);
	CHECK_INT(a.n[ROLLUP_BUCKETS - 1], 1);

	/* Little-endian uint32 per bucket. */
	rollup_hist_encode(&a, blob);
	CHECK_INT(blob[0], 2);
	CHECK_INT(blob[1], 1);
	CHECK_INT(blob[2], 0);
	CHECK_INT(blob[3], 0);
	CHECK_INT(blob[(ROLLUP_BUCKETS - 1) * 4], 1);
	CHECK_INT(rollup_hist_decode(&c, blob, sizeof(blob)), 0);
	CHECK(memcmp(&a, &c, sizeof(a)) == 0);
	CHECK_INT(rollup_hist_decode(&c, NULL, 0), 0);
	CHECK_INT(rollup_hist_count(&c), 0);

	/* Negative: a blob of another size is refused and reads empty. */
	CHECK_INT(rollup_hist_decode(&c, blob, sizeof(blob) - 4), -1);
	CHECK_INT(rollup_hist_count(&c), 0);

	/* Counts saturate rather than wrap. */
	a.n[3] = UINT32_MAX - 1;
	b.n[3] = 5;
	rollup_hist_merge(&a, &b);
	CHECK(a.n[3] == UINT32_MAX);
	rollup_hist_add(&a, 4);
	CHECK(a.n[3] == UINT32_MAX);
}

/*
 * Three hours of results for m1, from T:
 *   hour 0: 60 up, 1..60 ms;
 *   hour 1: 50 up at 100 ms, 5 degraded at 6000 ms, 5 down with no time;
 *   hour 2: 30 up at 200 ms.
 * total 150, up 140, degraded 5, down 5; 145 samples summing 42830 ms.
 */
static void
fill_m1(void)
{
	int	 i;

	for (i = 0; i < 60; i++)
		add("m1", T + i * MIN, "up", i + 1);
	for (i = 0; i < 60; i++)
		if (i < 50)
			add("m1", T + HOUR + i * MIN, "up", 100);
		else if (i < 55)
			add("m1", T + HOUR + i * MIN, "degraded", 6000);
		else
			add("m1", T + HOUR + i * MIN, "down", -1);
	for (i = 0; i < 30; i++)
		add("m1", T + 2 * HOUR + i * MIN, "up", 200);
}

static void
test_add_stats(void)
{
	struct stats	 st;
	char		*js;
	char		 q[256];

	t_open();
	monitor("m1", T - DAY);
	/* Outside a transaction (rollup_add opens one) and inside one. */
	CHECK_INT(db_begin(tdb), DB_OK);
	fill_m1();
	CHECK_INT(db_commit(tdb), DB_OK);
	add("m1", T + 2 * HOUR + 59 * MIN, "up", -1);

	CHECK_INT(q_int("SELECT count(*) FROM rollups_hourly"), 3);
	snprintf(q, sizeof(q), "SELECT total * 1000000 + up * 10000 + "
	    "degraded * 100 + down FROM rollups_hourly WHERE bucket = %lld",
	    (long long)(T + HOUR));
	CHECK_INT(q_int(q), 60500505);
	snprintf(q, sizeof(q), "SELECT samples * 1000000 + sum_ms FROM "
	    "rollups_hourly WHERE bucket = %lld", (long long)(T + HOUR));
	CHECK_INT(q_int(q), 55035000);
	snprintf(q, sizeof(q), "SELECT min_ms * 100000 + max_ms FROM "
	    "rollups_hourly WHERE bucket = %lld", (long long)T);
	CHECK_INT(q_int(q), 100060);
	snprintf(q, sizeof(q), "SELECT length(hist) FROM rollups_hourly "
	    "WHERE bucket = %lld", (long long)T);
	CHECK_INT(q_int(q), ROLLUP_HISTBYTES);
	CHECK_INT(q_int("SELECT count(*) FROM rollups_hourly "
	    "WHERE dirty = 1"), 3);

	/* The whole three hours. */
	CHECK_INT(rollup_stats(tdb, "m1", T - DAY, T, T + 3 * HOUR,
	    T + 3 * HOUR, &st), DB_OK);
	CHECK_INT(st.total, 151);
	CHECK_INT(st.up, 141);
	CHECK_INT(st.degraded, 5);
	CHECK_INT(st.down, 5);
	CHECK_INT(st.samples, 145);
	CHECK_NEAR(st.avg_ms, 42830.0 / 145.0);
	CHECK_INT(st.min_ms, 1);
	CHECK_INT(st.max_ms, 6000);
	/* Ranks 73 (100 ms), 138 (200 ms) and 144 (6000 ms). */
	CHECK_INT(st.p50_ms, 111);
	CHECK_INT(st.p95_ms, 229);
	CHECK_INT(st.p99_ms, 6000);
	CHECK_INT(st.outages, 0);
	CHECK_NEAR(st.downtime_s, 0.0);
	CHECK_NEAR(st.uptime_percent, 100.0);
	CHECK_INT(st.has_data, 1);
	js = json_of(&st);
	CHECK_STR(js, "{\"from\":\"2026-02-14T00:00:00.000Z\","
	    "\"to\":\"2026-02-14T03:00:00.000Z\",\"uptimePercent\":100,"
	    "\"downtimeSeconds\":0,\"maintenanceSeconds\":0,"
	    "\"checks\":{\"total\":151,\"up\":141,\"degraded\":5,\"down\":5},"
	    "\"responseTimeMs\":{\"avg\":295,\"min\":1,\"max\":6000,"
	    "\"p50\":111,\"p95\":229,\"p99\":6000},\"outages\":0}");
	free(js);

	/* Hour granularity: from mid-hour 0 still counts hour 0; to at
	 * the start of hour 2 leaves it out. */
	CHECK_INT(rollup_stats(tdb, "m1", T - DAY, T + 30 * MIN, T + 2 * HOUR,
	    T + 3 * HOUR, &st), DB_OK);
	CHECK_INT(st.total, 120);
	CHECK_INT(st.down, 5);
	CHECK_INT(st.max_ms, 6000);

	/* Only hour 2. */
	CHECK_INT(rollup_stats(tdb, "m1", T - DAY, T + 2 * HOUR, T + 3 * HOUR,
	    T + 3 * HOUR, &st), DB_OK);
	CHECK_INT(st.total, 31);
	CHECK_INT(st.samples, 30);
	CHECK_INT(st.min_ms, 200);
	CHECK_INT(st.p50_ms, 200);
	CHECK_NEAR(st.avg_ms, 200.0);

	/* Another monitor has nothing. */
	monitor("m0", T - DAY);
	CHECK_INT(rollup_stats(tdb, "m0", T - DAY, T, T + 3 * HOUR,
	    T + 3 * HOUR, &st), DB_OK);
	CHECK_INT(st.has_data, 0);
	CHECK_INT(st.total, 0);
	CHECK_INT(st.p50_ms, -1);
	js = json_of(&st);
	CHECK_STR(js, "{\"from\":\"2026-02-14T00:00:00.000Z\","
	    "\"to\":\"2026-02-14T03:00:00.000Z\",\"uptimePercent\":null,"
	    "\"downtimeSeconds\":null,\"maintenanceSeconds\":null,"
	    "\"checks\":{\"total\":0,\"up\":0,\"degraded\":0,\"down\":0},"
	    "\"responseTimeMs\":{\"avg\":null,\"min\":null,\"max\":null,"
	    "\"p50\":null,\"p95\":null,\"p99\":null},\"outages\":0}");
	free(js);
	t_close();
}

static void
test_add_negative(void)
{
	t_open();
	monitor("m1", T);
	/* A bad status, and a monitor that does not exist. */
	CHECK_INT(rollup_add(tdb, "m1", "local", T, "sideways", 10), DB_ERROR);
	CHECK_INT(rollup_add(tdb, "m1", "local", T, "", 10), DB_ERROR);
	CHECK_INT(rollup_add(tdb, "nope", "local", T, "up", 10), DB_CONFLICT);
	CHECK_INT(q_int("SELECT count(*) FROM rollups_hourly"), 0);
	/* Inside the caller's transaction the caller rolls back. */
	CHECK_INT(db_begin(tdb), DB_OK);
	CHECK_INT(rollup_add(tdb, "m1", "local", T, "up", 10), DB_OK);
	db_rollback(tdb);
	CHECK_INT(q_int("SELECT count(*) FROM rollups_hourly"), 0);
	t_close();
}

static void
test_downtime(void)
{
	struct stats	 st;

	t_open();
	monitor("m2", T - 7 * DAY);
	/* Crosses from (1 h in), inside (30 min), crosses to (1 h in), and
	 * one before the window that does not count. */
	outage("out_a", "m2", T - 2 * HOUR, T + HOUR);
	outage("out_b", "m2", T + 3 * HOUR, T + 3 * HOUR + 30 * MIN);
	outage("out_c", "m2", T + 9 * HOUR, T + 11 * HOUR);
	outage("out_d", "m2", T - 5 * HOUR, T - 4 * HOUR);
	CHECK_INT(rollup_stats(tdb, "m2", T - 7 * DAY, T, T + 10 * HOUR,
	    T + 12 * HOUR, &st), DB_OK);
	CHECK_INT(st.outages, 3);
	CHECK_NEAR(st.downtime_s, 9000.0);
	/* No check counted, but outages are data: 75 % of 10 h up. */
	CHECK_INT(st.total, 0);
	CHECK_INT(st.has_data, 1);
	CHECK_NEAR(st.uptime_percent, 75.0);

	/* An open outage runs until now; to beyond now is clipped. */
	monitor("m3", T - 7 * DAY);
	outage("out_e", "m3", T + 9 * HOUR + 30 * MIN, 0);
	CHECK_INT(rollup_stats(tdb, "m3", T - 7 * DAY, T, T + DAY,
	    T + 10 * HOUR, &st), DB_OK);
	CHECK_INT(st.outages, 1);
	CHECK_NEAR(st.downtime_s, 1800.0);
	CHECK_NEAR(st.uptime_percent, 95.0);
	/* The same outage clipped by to, later. */
	CHECK_INT(rollup_stats(tdb, "m3", T - 7 * DAY, T, T + 10 * HOUR,
	    T + 12 * HOUR, &st), DB_OK);
	CHECK_NEAR(st.downtime_s, 1800.0);
	/* A window that ends before it: no data. */
	CHECK_INT(rollup_stats(tdb, "m3", T - 7 * DAY, T, T + 9 * HOUR,
	    T + 10 * HOUR, &st), DB_OK);
	CHECK_INT(st.outages, 0);
	CHECK_INT(st.has_data, 0);
	/* A window wholly in the future: nothing observed. */
	CHECK_INT(rollup_stats(tdb, "m3", T - 7 * DAY, T + 11 * HOUR,
	    T + 12 * HOUR, T + 10 * HOUR, &st), DB_OK);
	CHECK_INT(st.outages, 0);
	CHECK_INT(st.has_data, 0);
	t_close();
}

static void
test_created_mid_window(void)
{
	struct stats	 st;
	char		*js;
	int		 i;

	t_open();
	/* Created 6 h into a 24 h window: 18 h observed, 1000 s down. */
	monitor("m4", T + 6 * HOUR);
	for (i = 0; i < 18 * 60; i++)
		add("m4", T + 6 * HOUR + i * MIN, i % 60 == 0 ? "down" : "up",
		    i % 60 == 0 ? -1 : 40);
	outage("out_m4", "m4", T + 7 * HOUR, T + 7 * HOUR + 1000 * 1000);
	CHECK_INT(rollup_stats(tdb, "m4", T + 6 * HOUR, T, T + DAY, T + DAY,
	    &st), DB_OK);
	CHECK_INT(st.total, 1080);
	CHECK_INT(st.down, 18);
	CHECK_NEAR(st.downtime_s, 1000.0);
	/* 100 * (1 - 1000 / 64800) = 98.45679... */
	CHECK_NEAR(st.uptime_percent, 100.0 * (1.0 - 1000.0 / 64800.0));
	js = json_of(&st);
	CHECK_STR(js, "{\"from\":\"2026-02-14T00:00:00.000Z\","
	    "\"to\":\"2026-02-15T00:00:00.000Z\",\"uptimePercent\":98.457,"
	    "\"downtimeSeconds\":1000,\"maintenanceSeconds\":0,"
	    "\"checks\":{\"total\":1080,\"up\":1062,\"degraded\":0,"
	    "\"down\":18},\"responseTimeMs\":{\"avg\":40,\"min\":40,"
	    "\"max\":40,\"p50\":40,\"p95\":40,\"p99\":40},\"outages\":1}");
	free(js);
	/* Asked at noon: 6 h observed so far. */
	CHECK_INT(rollup_stats(tdb, "m4", T + 6 * HOUR, T, T + DAY,
	    T + 12 * HOUR, &st), DB_OK);
	CHECK_NEAR(st.uptime_percent, 100.0 * (1.0 - 1000.0 / 21600.0));
	t_close();
}

/* All columns of the daily rows, as one string to compare. */
static char *
daily_snapshot(void)
{
	sqlite3_stmt	*st;
	char		*s = NULL;

	if (sqlite3_prepare_v2(db_handle(tdb), "SELECT group_concat("
	    "monitor_id || ',' || bucket || ',' || total || ',' || up || ','"
	    " || degraded || ',' || down || ',' || samples || ',' || sum_ms"
	    " || ',' || ifnull(min_ms, '-') || ',' || ifnull(max_ms, '-') ||"
	    " ',' || ifnull(hex(hist), '-'), ';') FROM (SELECT * FROM "
	    "rollups_daily ORDER BY monitor_id, bucket)", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		s = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

/* Check the daily row of (m, day) against the sum of its hourly rows. */
static void
check_day(const char *m, int64_t day)
{
	sqlite3_stmt		*st;
	struct rollup_hist	 sum, h;
	long long		 hv[8], dv[8];
	int			 i, nrows = 0;

	memset(&sum, 0, sizeof(sum));
	memset(hv, 0, sizeof(hv));
	CHECK(sqlite3_prepare_v2(db_handle(tdb), "SELECT total, up, "
	    "degraded, down, samples, sum_ms, min_ms, max_ms, hist FROM "
	    "rollups_hourly WHERE monitor_id = ? AND bucket >= ? AND "
	    "bucket < ?", -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, day);
	sqlite3_bind_int64(st, 3, day + DAY);
	hv[6] = LLONG_MAX;
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < 6; i++)
			hv[i] += sqlite3_column_int64(st, i);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
			if (sqlite3_column_int64(st, 6) < hv[6])
				hv[6] = sqlite3_column_int64(st, 6);
			if (sqlite3_column_int64(st, 7) > hv[7])
				hv[7] = sqlite3_column_int64(st, 7);
		}
		CHECK_INT(rollup_hist_decode(&h, sqlite3_column_blob(st, 8),
		    (size_t)sqlite3_column_bytes(st, 8)), 0);
		rollup_hist_merge(&sum, &h);
		nrows++;
	}
	sqlite3_finalize(st);
	CHECK(nrows > 0);
	if (hv[6] == LLONG_MAX)
		hv[6] = 0;	/* no sample: the daily min is NULL */

	CHECK(sqlite3_prepare_v2(db_handle(tdb), "SELECT total, up, "
	    "degraded, down, samples, sum_ms, min_ms, max_ms, hist FROM "
	    "rollups_daily WHERE monitor_id = ? AND bucket = ?", -1, &st,
	    NULL) == SQLITE_OK);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, day);
	if (sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "no daily row for %s at %lld\n", m,
		    (long long)day);
		unit_current_failed = 1;
		sqlite3_finalize(st);
		return;
	}
	for (i = 0; i < 8; i++)
		dv[i] = sqlite3_column_int64(st, i);
	for (i = 0; i < 8; i++)
		CHECK_INT(dv[i], hv[i]);
	CHECK_INT(rollup_hist_decode(&h, sqlite3_column_blob(st, 8),
	    (size_t)sqlite3_column_bytes(st, 8)), 0);
	CHECK(memcmp(&h, &sum, sizeof(h)) == 0);
	sqlite3_finalize(st);
}

static void
test_daily(void)
{
	struct stats	 st;
	int64_t		 now = T + 3 * DAY + 5 * HOUR, later;
	long long	 n = -1;
	char		*snap1, *snap2;
	char		 q[256];
	int		 d, i;

	t_open();
	monitor("m5", T - DAY);
	monitor("m6", T - DAY);
	/* Days 0..2 complete, day 3 under way; hours 0, 5 and 23. */
	for (d = 0; d <= 3; d++)
		for (i = 0; i < 20; i++) {
			add("m5", T + d * DAY + i * MIN, "up", 10 + i + d);
			add("m5", T + d * DAY + 5 * HOUR + i * MIN,
			    i < 3 ? "down" : "degraded", i < 3 ? -1 : 3000);
			if (d < 3)
				add("m5", T + d * DAY + 23 * HOUR + i * MIN,
				    "up", 50 * i);
		}
	add("m6", T + DAY + 4 * HOUR, "down", -1);

	CHECK_INT(rollup_daily(tdb, now, &n), DB_OK);
	CHECK_INT(n, 4);	/* m5 days 0, 1, 2 and m6 day 1 */
	CHECK_INT(q_int("SELECT count(*) FROM rollups_daily"), 4);
	for (d = 0; d <= 2; d++)
		check_day("m5", T + d * DAY);
	check_day("m6", T + DAY);
	snprintf(q, sizeof(q), "SELECT count(*) FROM rollups_daily WHERE "
	    "bucket = %lld", (long long)(T + 3 * DAY));
	CHECK_INT(q_int(q), 0);
	/* m6's day has no sample: no latency in its row. */
	CHECK_INT(q_int("SELECT count(*) FROM rollups_daily WHERE "
	    "monitor_id = 'm6' AND min_ms IS NULL AND hist IS NULL"), 1);
	/* Only today's hours are still dirty. */
	snprintf(q, sizeof(q), "SELECT count(*) FROM rollups_hourly WHERE "
	    "dirty = 1 AND bucket < %lld", (long long)(T + 3 * DAY));
	CHECK_INT(q_int(q), 0);
	CHECK_INT(q_int("SELECT count(*) FROM rollups_hourly WHERE "
	    "dirty = 1"), 2);

	/* Idempotent: a second run finds nothing and changes nothing. */
	snap1 = daily_snapshot();
	CHECK_INT(rollup_daily(tdb, now, &n), DB_OK);
	CHECK_INT(n, 0);
	snap2 = daily_snapshot();
	CHECK(snap1 != NULL && snap2 != NULL && strcmp(snap1, snap2) == 0);
	free(snap2);

	/* A late result for a built day dirties it; the next run rebuilds
	 * that day alone. */
	add("m5", T + DAY + 10 * HOUR, "up", 7);
	CHECK_INT(rollup_daily(tdb, now, NULL), DB_OK);
	snap2 = daily_snapshot();
	CHECK(snap2 != NULL && strcmp(snap1, snap2) != 0);
	free(snap1);
	free(snap2);
	check_day("m5", T + DAY);
	snprintf(q, sizeof(q), "SELECT total FROM rollups_daily WHERE "
	    "monitor_id = 'm5' AND bucket = %lld", (long long)(T + DAY));
	CHECK_INT(q_int(q), 61);

	/* The next day, day 3 is rolled up too. */
	CHECK_INT(rollup_daily(tdb, now + DAY, &n), DB_OK);
	CHECK_INT(n, 1);
	check_day("m5", T + 3 * DAY);

	/*
	 * Stats of a window reaching back more than 90 days read the daily
	 * rows: drop the hourly rows of days 0..2 and the answer stays.
	 */
	later = T + 100 * DAY;
	CHECK_INT(rollup_stats(tdb, "m5", T - DAY, T - DAY, later, later,
	    &st), DB_OK);
	CHECK_INT(st.total, 60 * 3 + 40 + 1);
	snprintf(q, sizeof(q), "DELETE FROM rollups_hourly WHERE "
	    "bucket < %lld", (long long)(T + 3 * DAY));
	sql(q);
	CHECK_INT(rollup_stats(tdb, "m5", T - DAY, T - DAY, later, later,
	    &st), DB_OK);
	CHECK_INT(st.total, 60 * 3 + 40 + 1);
	CHECK_INT(st.up, 20 * 4 + 20 * 3 + 1);
	CHECK_INT(st.down, 3 * 4);
	CHECK_INT(st.degraded, 17 * 4);
	CHECK_INT(st.min_ms, 0);
	CHECK_INT(st.max_ms, 3000);
	/* Inside 90 days only hourly rows are read. */
	CHECK_INT(rollup_stats(tdb, "m5", T - DAY, T - DAY, later,
	    T + 80 * DAY, &st), DB_OK);
	CHECK_INT(st.total, 40);
	t_close();
}

static void
test_prune(void)
{
	struct rollup_pruned	 p;
	sqlite3_stmt		*st;
	int64_t			 now = T + 1000 * DAY;
	char			 q[512];
	int			 i;

	t_open();
	monitor("m7", T);
	/* 12000 results 31 days old (more than two batches), 10 from 29
	 * days ago. */
	CHECK_INT(db_begin(tdb), DB_OK);
	CHECK(sqlite3_prepare_v2(db_handle(tdb), "INSERT INTO check_results "
	    "(monitor_id, checked_at, status) VALUES ('m7', ?, 'up')", -1,
	    &st, NULL) == SQLITE_OK);
	for (i = 0; i < 12010; i++) {
		sqlite3_bind_int64(st, 1, i < 12000 ? now - 31 * DAY + i :
		    now - 29 * DAY + i);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	CHECK_INT(db_commit(tdb), DB_OK);
	/* Hourly rows at 92 and 89 days, daily rows at 801 and 500. */
	add("m7", now - 92 * DAY, "up", 5);
	add("m7", now - 89 * DAY, "up", 5);
	snprintf(q, sizeof(q), "INSERT INTO rollups_daily (monitor_id, "
	    "bucket, total) VALUES ('m7', %lld, 1), ('m7', %lld, 1)",
	    (long long)(now - 801 * DAY), (long long)(now - 500 * DAY));
	sql(q);
	/* Events: processed and old, processed and recent, pending and
	 * old (kept until processed). */
	snprintf(q, sizeof(q), "INSERT INTO monitor_events (monitor_id, "
	    "team_id, kind, at, processed_at) VALUES "
	    "('m7', 'team_t', 'down', %lld, %lld), "
	    "('m7', 'team_t', 'up', %lld, %lld), "
	    "('m7', 'team_t', 'down', %lld, NULL)",
	    (long long)(now - 31 * DAY), (long long)(now - 31 * DAY),
	    (long long)(now - DAY), (long long)(now - DAY),
	    (long long)(now - 40 * DAY));
	sql(q);
	/* Audit events at 91 days and 1 day. */
	snprintf(q, sizeof(q), "INSERT INTO audit_events (id, team_id, at, "
	    "action, method, path, status) VALUES "
	    "('evt_a', 'team_t', %lld, 'x', 'GET', '/', 200), "
	    "('evt_b', 'team_t', %lld, 'x', 'GET', '/', 200)",
	    (long long)(now - 91 * DAY), (long long)(now - DAY));
	sql(q);
	/* Notifications at 91 days: sent (with an attempt), failed and
	 * pending (kept until delivered); one sent a day ago.  Mail at 91
	 * days and 1 day. */
	snprintf(q, sizeof(q), "INSERT INTO channels (id, team_id, name, "
	    "type, config, created_at, updated_at) VALUES ('ach_c', "
	    "'team_t', 'c', 'webhook', '{}', 0, 0)");
	sql(q);
	snprintf(q, sizeof(q), "INSERT INTO notifications (id, team_id, "
	    "channel_id, event, status, payload, created_at) VALUES "
	    "('ntf_a', 'team_t', 'ach_c', 'down', 'sent', '{}', %lld), "
	    "('ntf_b', 'team_t', 'ach_c', 'down', 'failed', '{}', %lld), "
	    "('ntf_c', 'team_t', 'ach_c', 'down', 'pending', '{}', %lld), "
	    "('ntf_d', 'team_t', 'ach_c', 'up', 'sent', '{}', %lld)",
	    (long long)(now - 91 * DAY), (long long)(now - 91 * DAY),
	    (long long)(now - 91 * DAY), (long long)(now - DAY));
	sql(q);
	sql("INSERT INTO notification_attempts (notification_id, at, "
	    "duration_ms) VALUES ('ntf_a', 0, 1), ('ntf_d', 0, 1)");
	snprintf(q, sizeof(q), "INSERT INTO mail_outbox (id, team_id, kind, "
	    "to_addr, subject, status, created_at) VALUES "
	    "('msg_a', 'team_t', 'alert', 'a@example.com', 's', 'sent', %lld), "
	    "('msg_b', 'team_t', 'alert', 'a@example.com', 's', 'sent', %lld)",
	    (long long)(now - 91 * DAY), (long long)(now - DAY));
	sql(q);

	CHECK_INT(rollup_prune(tdb, now, 30, 90, &p), DB_OK);
	CHECK_INT(p.results, 12000);
	CHECK_INT(p.hourly, 1);
	CHECK_INT(p.daily, 1);
	CHECK_INT(p.events, 1);
	CHECK_INT(p.audit, 1);
	CHECK_INT(q_int("SELECT count(*) FROM check_results"), 10);
	snprintf(q, sizeof(q), "SELECT bucket FROM rollups_hourly");
	CHECK_INT(q_int(q), now - 89 * DAY);
	CHECK_INT(q_int("SELECT count(*) FROM rollups_hourly"), 1);
	CHECK_INT(q_int("SELECT bucket FROM rollups_daily"), now - 500 * DAY);
	CHECK_INT(q_int("SELECT count(*) FROM rollups_daily"), 1);
	CHECK_INT(q_int("SELECT count(*) FROM monitor_events"), 2);
	CHECK_INT(q_int("SELECT count(*) FROM monitor_events WHERE "
	    "processed_at IS NULL"), 1);
	CHECK_INT(q_int("SELECT count(*) FROM audit_events"), 1);
	CHECK_INT(p.notifications, 2);
	CHECK_INT(q_int("SELECT count(*) FROM notifications WHERE id IN "
	    "('ntf_c', 'ntf_d')"), 2);
	CHECK_INT(q_int("SELECT count(*) FROM notifications"), 2);
	CHECK_INT(q_int("SELECT count(*) FROM notification_attempts"), 1);
	CHECK_INT(p.mail, 1);
	CHECK_INT(q_int("SELECT count(*) FROM mail_outbox WHERE id = "
	    "'msg_b'"), 1);
	CHECK_INT(q_int("SELECT count(*) FROM mail_outbox"), 1);

	/* Nothing left to prune: a second run deletes nothing. */
	CHECK_INT(rollup_prune(tdb, now, 30, 90, NULL), DB_OK);
	CHECK_INT(rollup_prune(tdb, now, 30, 90, &p), DB_OK);
	CHECK_INT(p.results + p.hourly + p.daily + p.events + p.audit +
	    p.notifications + p.mail, 0);
	t_close();
}

/*
 * rollup_series: hourly rows summed into steps of whole hours, each
 * step's percentiles from its merged histograms (as rollup_stats gives
 * them for the same span), empty steps, and refused shapes.
 */
static void
test_series(void)
{
	struct rollup_point	 p[4];
	struct stats		 st;
	int			 i;

	t_open();
	monitor("m10", T);
	for (i = 0; i < 10; i++) {
		add("m10", T + i * MIN, "up", 10 + i);		/* hour 0 */
		add("m10", T + HOUR + i * MIN, i < 9 ? "up" : "down",
		    i < 9 ? 100 : -1);				/* hour 1 */
		add("m10", T + 3 * HOUR + i * MIN, "degraded", 1000);
	}
	/* Two steps of two hours from 00:30 (rounded down to 00:00). */
	CHECK_INT(rollup_series(tdb, "m10", T + 30 * MIN, 2 * HOUR, 2, p),
	    DB_OK);
	CHECK_INT(p[0].start, T);
	CHECK_INT(p[1].start, T + 2 * HOUR);
	CHECK_INT(p[0].total, 20);
	CHECK_INT(p[0].up, 19);
	CHECK_INT(p[0].down, 1);
	CHECK_INT(p[1].total, 10);
	CHECK_INT(p[1].degraded, 10);
	CHECK_INT(rollup_stats(tdb, "m10", T, T, T + 2 * HOUR, T + DAY, &st),
	    DB_OK);
	CHECK_INT(p[0].p50_ms, st.p50_ms);
	CHECK_INT(p[0].p95_ms, st.p95_ms);
	CHECK_INT(p[1].p50_ms, 1000);
	/* Hourly steps: hour 2 has no check and no response time. */
	CHECK_INT(rollup_series(tdb, "m10", T, HOUR, 4, p), DB_OK);
	CHECK_INT(p[2].total, 0);
	CHECK_INT(p[2].p50_ms, -1);
	CHECK_INT(p[2].p95_ms, -1);
	CHECK_INT(rollup_stats(tdb, "m10", T, T, T + HOUR, T + DAY, &st),
	    DB_OK);
	CHECK_INT(p[0].p50_ms, st.p50_ms);
	CHECK_INT(p[0].p95_ms, st.p95_ms);
	/* Another monitor's rows are not counted. */
	CHECK_INT(rollup_series(tdb, "m11", T, HOUR, 4, p), DB_OK);
	CHECK_INT(p[0].total + p[1].total + p[3].total, 0);
	/* Steps not of whole hours, none, or too many. */
	CHECK_INT(rollup_series(tdb, "m10", T, 30 * MIN, 2, p), DB_ERROR);
	CHECK_INT(rollup_series(tdb, "m10", T, HOUR, 0, p), DB_ERROR);
	CHECK_INT(rollup_series(tdb, "m10", T, HOUR, ROLLUP_MAXPOINTS + 1, p),
	    DB_ERROR);
	t_close();
}

/*
 * rollup_days: per-day counts from daily rows up to the newest one and
 * hourly rows after it, downtime spread over the days an outage touches,
 * the observed part of each day (creation, now), days without data.
 */
static void
test_days(void)
{
	struct rollup_day	 d[5];
	int64_t			 now = T + 4 * DAY + 12 * HOUR;
	long long		 n;
	int			 i;

	t_open();
	/* Created at noon on day 0; checks on days 0, 1, 2 and 4. */
	monitor("m9", T + 12 * HOUR);
	for (i = 0; i < 10; i++) {
		add("m9", T + 13 * HOUR + i * MIN, i < 8 ? "up" : "down", 20);
		add("m9", T + DAY + i * MIN, "degraded", 20);
		add("m9", T + 2 * DAY + HOUR + i * MIN, "up", 20);
		add("m9", T + 4 * DAY + i * MIN, "up", 20);
	}
	/* Days 0 and 1 rolled up; then a late result dirties day 1 again:
	 * the daily row still answers for it, as in rollup_stats. */
	CHECK_INT(rollup_daily(tdb, T + 2 * DAY, &n), DB_OK);
	CHECK_INT(n, 2);
	add("m9", T + DAY + 2 * HOUR, "down", -1);
	/* 23:00 on day 1 to 01:00 on day 2; one open since 11:00 on day 4. */
	outage("out_9a", "m9", T + DAY + 23 * HOUR, T + 2 * DAY + HOUR);
	outage("out_9b", "m9", T + 4 * DAY + 11 * HOUR, 0);

	CHECK_INT(rollup_days(tdb, "m9", T + 12 * HOUR, T + 5 * HOUR, 5, now,
	    d), DB_OK);
	CHECK_INT(d[0].day, T);
	CHECK_INT(d[4].day, T + 4 * DAY);
	/* Day 0: from creation at noon. */
	CHECK_INT(d[0].total, 10);
	CHECK_INT(d[0].up, 8);
	CHECK_INT(d[0].down, 2);
	CHECK_INT(d[0].observed_ms, 12 * HOUR);
	CHECK_INT(d[0].down_ms, 0);
	CHECK_INT(d[0].has_data, 1);
	/* Day 1 from its daily row: the late result is not in it yet. */
	CHECK_INT(d[1].total, 10);
	CHECK_INT(d[1].degraded, 10);
	CHECK_INT(d[1].observed_ms, DAY);
	CHECK_INT(d[1].down_ms, HOUR);
	/* Day 2 from hourly rows. */
	CHECK_INT(d[2].total, 10);
	CHECK_INT(d[2].up, 10);
	CHECK_INT(d[2].down_ms, HOUR);
	/* Day 3: nothing at all. */
	CHECK_INT(d[3].total, 0);
	CHECK_INT(d[3].down_ms, 0);
	CHECK_INT(d[3].has_data, 0);
	CHECK_INT(d[3].observed_ms, DAY);
	/* Day 4: until now (noon), the open outage for one hour of it. */
	CHECK_INT(d[4].total, 10);
	CHECK_INT(d[4].observed_ms, 12 * HOUR);
	CHECK_INT(d[4].down_ms, HOUR);

	/* Once day 1 is rebuilt its late result counts. */
	CHECK_INT(rollup_daily(tdb, now, &n), DB_OK);
	CHECK_INT(rollup_days(tdb, "m9", T + 12 * HOUR, T, 5, now, d),
	    DB_OK);
	CHECK_INT(d[1].total, 11);
	CHECK_INT(d[1].down, 1);
	CHECK_INT(d[2].total, 10);

	/* Days before creation and after now are observed for 0 ms. */
	CHECK_INT(rollup_days(tdb, "m9", T + 12 * HOUR, T - 2 * DAY, 2, now,
	    d), DB_OK);
	CHECK_INT(d[0].observed_ms + d[1].observed_ms, 0);
	CHECK_INT(d[0].has_data + d[1].has_data, 0);
	CHECK_INT(rollup_days(tdb, "m9", T + 12 * HOUR, T + 5 * DAY, 1, now,
	    d), DB_OK);
	CHECK_INT(d[0].observed_ms, 0);
	CHECK_INT(d[0].down_ms, 0);

	/* A maintenance window over day 3, 06:00-12:00, and an outage
	 * 11:00-13:00 in it: one hour of it is downtime, the other is
	 * maintenance; the window's six hours are maint_ms. */
	{
		char	 q[512];

		snprintf(q, sizeof(q), "INSERT INTO maintenance_windows (id, "
		    "team_id, title, starts_at, ends_at, timezone, "
		    "all_monitors, horizon, created_at, updated_at) VALUES "
		    "('mw_days', 'team_t', 'w', %lld, %lld, 'UTC', 1, %lld, "
		    "0, 0)", (long long)(T + 3 * DAY + 6 * HOUR),
		    (long long)(T + 3 * DAY + 12 * HOUR),
		    (long long)(T + 3 * DAY + 12 * HOUR));
		sql(q);
		outage("out_9c", "m9", T + 3 * DAY + 11 * HOUR,
		    T + 3 * DAY + 13 * HOUR);
		CHECK_INT(rollup_days(tdb, "m9", T + 12 * HOUR, T, 5, now, d),
		    DB_OK);
		CHECK_INT(d[3].maint_ms, 6 * HOUR);
		CHECK_INT(d[3].down_ms, HOUR);
		CHECK_INT(d[3].has_data, 1);
		CHECK_INT(d[2].maint_ms, 0);
		CHECK_INT(d[2].down_ms, HOUR);
	}

	/* Negative: a count out of range is refused; another monitor's
	 * rows never show. */
	CHECK_INT(rollup_days(tdb, "m9", T, T, 0, now, d), DB_ERROR);
	CHECK_INT(rollup_days(tdb, "m9", T, T, ROLLUP_MAXDAYS + 1, now, d),
	    DB_ERROR);
	monitor("m10", T);
	CHECK_INT(rollup_days(tdb, "m10", T, T, 5, now, d), DB_OK);
	for (i = 0; i < 5; i++)
		CHECK_INT(d[i].total + d[i].down_ms, 0);
	t_close();
}

/* Collects rollup_team_counts' rows. */
struct counts_seen {
	int			 n;
	char			 id[4][16];
	struct rollup_counts	 c[4];
};

static int
counts_one(const struct rollup_counts *c, void *arg)
{
	struct counts_seen	*s = arg;

	if (s->n == 4)
		return -1;
	snprintf(s->id[s->n], sizeof(s->id[s->n]), "%s", c->monitor_id);
	s->c[s->n++] = *c;
	return 0;
}

/* What rollup_stats counts over [now - days, now) from the hourly rows. */
static void
counts_want(const char *id, int days, int64_t now, long long *total,
    long long *ok)
{
	struct stats	 st;

	CHECK_INT(rollup_stats(tdb, id, 0, now - days * DAY, now, now, &st),
	    DB_OK);
	*total = st.total;
	*ok = st.up + st.degraded;
}

static void
test_team_counts(void)
{
	static const int	 days[ROLLUP_TEAM_WINDOWS] = { 1, 7, 30 };
	static const int	 none[ROLLUP_TEAM_WINDOWS] = { 0, 7, 30 };
	struct counts_seen	 seen;
	long long		 total[2][ROLLUP_TEAM_WINDOWS];
	long long		 ok[2][ROLLUP_TEAM_WINDOWS];
	int64_t			 now = T + 40 * DAY + 5 * HOUR + 30 * MIN, at;
	int64_t			 first[ROLLUP_TEAM_WINDOWS], today;
	char			 q[512];
	int			 i, k;

	t_open();
	sql("INSERT INTO teams (id, name, created_at) VALUES "
	    "('team_u', 'u', 0)");
	monitor("m1", T);
	monitor("m2", T);
	monitor("m4", T);	/* no result: counts of 0 */
	monitor("m3", T);
	sql("UPDATE monitors SET team_id = 'team_u' WHERE id = 'm3'");
	/* m1: a result every hour for 35 days, some down or degraded; the
	 * maintainer builds its daily rows. */
	for (at = now - 35 * DAY, i = 0; at < now; at += HOUR, i++)
		add("m1", at, i % 7 == 0 ? "down" : i % 5 == 0 ? "degraded" :
		    "up", 20);
	add("m3", now - HOUR, "up", 20);
	CHECK_INT(rollup_daily(tdb, now, NULL), DB_OK);
	/* m2: results since, so no daily row: all its counts are hourly. */
	for (at = now - 3 * DAY, i = 0; at < now; at += 20 * MIN, i++)
		add("m2", at, i % 4 == 0 ? "down" : "up", 20);

	for (k = 0; k < ROLLUP_TEAM_WINDOWS; k++) {
		counts_want("m1", days[k], now, &total[0][k], &ok[0][k]);
		counts_want("m2", days[k], now, &total[1][k], &ok[1][k]);
	}
	CHECK_INT(total[0][2], 30 * 24);
	CHECK(ok[0][2] < total[0][2]);
	CHECK_INT(total[1][0], 24 * 3 + 1);	/* and 5:10 of the first hour */

	/*
	 * Drop m1's hourly rows that the daily rows hold, but for each
	 * window's partial first day: the counts must stay those of the
	 * hourly rows, so whole days come from the daily rows and no row
	 * counts twice.
	 */
	today = now - now % DAY;
	for (k = 0; k < ROLLUP_TEAM_WINDOWS; k++) {
		first[k] = now - days[k] * DAY;
		first[k] -= first[k] % DAY;
	}
	snprintf(q, sizeof(q), "DELETE FROM rollups_hourly WHERE monitor_id "
	    "= 'm1' AND bucket < %lld AND bucket / %lld * %lld NOT IN "
	    "(%lld, %lld, %lld)", (long long)today, (long long)DAY,
	    (long long)DAY, (long long)first[0], (long long)first[1],
	    (long long)first[2]);
	sql(q);
	CHECK(q_int("SELECT count(*) FROM rollups_hourly WHERE monitor_id = "
	    "'m1'") < 4 * 24);

	memset(&seen, 0, sizeof(seen));
	CHECK_INT(rollup_team_counts(tdb, "team_t", days, now, counts_one,
	    &seen), DB_OK);
	CHECK_INT(seen.n, 3);
	CHECK_STR(seen.id[0], "m1");
	CHECK_STR(seen.id[1], "m2");
	CHECK_STR(seen.id[2], "m4");
	for (i = 0; i < 2 && i < seen.n; i++)
		for (k = 0; k < ROLLUP_TEAM_WINDOWS; k++) {
			CHECK_INT(seen.c[i].total[k], total[i][k]);
			CHECK_INT(seen.c[i].ok[k], ok[i][k]);
		}
	for (k = 0; k < ROLLUP_TEAM_WINDOWS && seen.n == 3; k++)
		CHECK_INT(seen.c[2].total[k] + seen.c[2].ok[k], 0);

	/* Another team sees its own monitor only. */
	memset(&seen, 0, sizeof(seen));
	CHECK_INT(rollup_team_counts(tdb, "team_u", days, now, counts_one,
	    &seen), DB_OK);
	CHECK_INT(seen.n, 1);
	CHECK_STR(seen.id[0], "m3");
	CHECK_INT(seen.c[0].total[0], 1);

	/* Negative: a window of no day; fn stops. */
	CHECK_INT(rollup_team_counts(tdb, "team_t", none, now, counts_one,
	    &seen), DB_ERROR);
	seen.n = 4;
	CHECK_INT(rollup_team_counts(tdb, "team_t", days, now, counts_one,
	    &seen), DB_ERROR);
	t_close();
}

int
main(void)
{
	if (time_parse("2026-02-14T00:00:00Z", &T) == -1) {
		fprintf(stderr, "time_parse failed\n");
		return 1;
	}
	UNIT_RUN(test_hist_edges);
	UNIT_RUN(test_hist_percentiles);
	UNIT_RUN(test_hist_merge_encode);
	UNIT_RUN(test_add_stats);
	UNIT_RUN(test_add_negative);
	UNIT_RUN(test_downtime);
	UNIT_RUN(test_created_mid_window);
	UNIT_RUN(test_daily);
	UNIT_RUN(test_prune);
	UNIT_RUN(test_days);
	UNIT_RUN(test_series);
	UNIT_RUN(test_team_counts);
	return unit_finish();
}
