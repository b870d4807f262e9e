/*
 * uptime-check: run the checks that are due.
 *
 *   uptime-check          one pass over what is due now (from cron, every
 *                         minute)
 *   uptime-check --loop   keep checking, for intervals under a minute
 *   --now TIME            pretend the time is TIME (RFC 3339), for tests
 *
 * One instance at a time: a second one finds the lock taken and exits 0
 * without a word.  Due monitors come from one indexed query; their checks
 * run concurrently in this process (lib/probe.c), at most
 * UPTIME_CHECK_CONCURRENCY at once, so a hanging target holds one slot
 * for its own timeout.  Results are written in batched transactions as
 * checks finish, and
 * each monitor's next check is planned from its planned time, not from
 * when the check ran, so slow rounds do not drift the schedule.
 *
 * Heartbeat monitors come through the same query (their next_check_at is
 * the deadline of the ping they wait for) and are judged without any
 * network: each is read again inside a write transaction, since a ping
 * may have come in the meantime, and lib/heartbeat.c records "ping_late"
 * or "run_not_finished" through check_record like any other result.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "heartbeat.h"
#include "maintenance.h"
#include "monitor.h"

#define ROUND_MAX	20000	/* monitors taken in one round */
#define BATCH		500	/* results written per transaction, */
#define FLUSH_MS	250	/* or after this long */

static volatile sig_atomic_t	 stopping;
static int64_t			 clock_skew;	/* --now minus the real time */

/* The time the checker works at: the real one, or --now moving on. */
static int64_t
now_ms(void)
{
	return time_now_ms() + clock_skew;
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * One round in progress.  Results are judged and written while the other
 * checks still run: finished probes queue up and are flushed in one short
 * transaction every BATCH results or FLUSH_MS, so the write lock is never
 * held while waiting on the network and a probe's memory (its body) is
 * released as soon as it is judged.
 */
struct round {
	struct db		*db;
	struct monitor		*ms;
	struct probe		*ps;
	struct check_result	*res;
	char			***scratch;
	unsigned char		*seen;
	size_t			*queue;
	size_t			 nqueue;
	size_t			 n;
	int64_t			 started;	/* checkedAt of the round */
	int64_t			 flushed;	/* time of the last flush */
	size_t			 written;
	int			 failed;
};

static void
flush(struct round *rd)
{
	size_t	 i;
	int	 rc;

	if (rd->nqueue == 0)
		return;
	if ((rc = db_begin(rd->db)) == DB_OK) {
		for (i = 0; i < rd->nqueue && rc == DB_OK; i++) {
			rc = check_record(rd->db, &rd->ms[rd->queue[i]],
			    &rd->res[rd->queue[i]], 1, now_ms());
			if (rc == DB_CONFLICT)	/* deleted while checked */
				rc = DB_OK;
		}
		if (rc == DB_OK)
			rc = db_commit(rd->db);
		else
			db_rollback(rd->db);
	}
	if (rc == DB_OK)
		rd->written += rd->nqueue;
	else {
		/* Unwritten monitors stay due and are checked again. */
		rd->failed = 1;
		fprintf(stderr, "uptime-check: %zu results not written (%s); "
		    "they will be checked again\n", rd->nqueue,
		    rc == DB_BUSY ? "database busy" : "database error");
	}
	rd->nqueue = 0;
	rd->flushed = time_now_ms();
}

/* A probe finished: judge it, free what it holds, queue the result. */
static void
finished(struct probe *p, void *arg)
{
	struct round	*rd = arg;
	size_t		 i = (size_t)(p - rd->ps);

	if (i >= rd->n || rd->seen[i])
		return;
	rd->seen[i] = 1;
	check_judge(&rd->ms[i], p, rd->started, &rd->res[i]);
	probe_clear(p);
	check_scratch_free(rd->scratch[i]);
	rd->scratch[i] = NULL;
	rd->queue[rd->nqueue++] = i;
	if (rd->nqueue >= BATCH || time_now_ms() - rd->flushed >= FLUSH_MS)
		flush(rd);
}

/*
 * Judge the due heartbeats among ms[0..n) and free them, moving the other
 * monitors to the front (*left of them).  Returns the number judged, or
 * -1 when the judgments could not be written (they stay due).
 */
static long
heartbeats(struct db *db, struct monitor *ms, size_t n, size_t *left)
{
	struct monitor	 m;
	size_t		 i, k = 0, done = 0;
	int64_t		 now = now_ms();
	int		 rc = DB_OK, tx = 0;

	for (i = 0; i < n; i++) {
		if (ms[i].type != MON_HEARTBEAT) {
			if (k != i) {
				ms[k] = ms[i];
				memset(&ms[i], 0, sizeof(ms[i]));
			}
			k++;
			continue;
		}
		if (rc == DB_OK && !tx)
			tx = (rc = db_begin(db)) == DB_OK;
		/* Read again under the write lock: a ping may have come. */
		if (rc == DB_OK &&
		    (rc = monitor_get(db, ms[i].team_id, ms[i].id, &m)) ==
		    DB_OK) {
			rc = heartbeat_judge(db, &m, now);
			monitor_free(&m);
		} else if (rc == DB_NOTFOUND)
			rc = DB_OK;	/* deleted since */
		monitor_free(&ms[i]);
		if (rc == DB_OK && ++done % BATCH == 0) {
			rc = db_commit(db);
			tx = 0;
		}
	}
	if (tx && rc == DB_OK)
		rc = db_commit(db);
	else if (tx)
		db_rollback(db);
	*left = k;
	if (rc != DB_OK) {
		fprintf(stderr, "uptime-check: heartbeat judgments not written "
		    "(%s); they will be made again\n", rc == DB_BUSY ?
		    "database busy" : "database error");
		return -1;
	}
	return (long)done;
}

/*
 * Put off the checks of the monitors among ms[0..n) that a maintenance
 * window with pauseChecks covers now to the window's end, and free them,
 * moving the others to the front (*left of them).  Returns the number put
 * off.  When that cannot be written they stay and are checked.
 */
static long
put_off(struct db *db, struct monitor *ms, size_t n, size_t *left)
{
	struct maint_effect	 me;
	int64_t			*until, now = now_ms();
	size_t			 i, k = 0;
	long			 done = 0;
	int			 any, rc;

	*left = n;
	if (n == 0 || maint_any_pausing(db, now, &any) != DB_OK || !any)
		return 0;
	if ((until = calloc(n, sizeof(*until))) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (maint_at(db, ms[i].team_id, ms[i].id, now, &me) == DB_OK &&
		    me.pause_checks) {
			until[i] = me.pause_until;
			done++;
		}
	if (done > 0 && (rc = db_begin(db)) == DB_OK) {
		for (i = 0; i < n && rc == DB_OK; i++)
			if (until[i] != 0)
				rc = check_defer(db, &ms[i], until[i]);
		if (rc == DB_OK)
			rc = db_commit(db);
		else
			db_rollback(db);
	} else
		rc = DB_OK;
	if (rc != DB_OK) {
		fprintf(stderr, "uptime-check: checks paused by maintenance "
		    "not put off (%s); they run now\n", rc == DB_BUSY ?
		    "database busy" : "database error");
		free(until);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (until[i] != 0) {
			monitor_free(&ms[i]);
			continue;
		}
		if (k != i) {
			ms[k] = ms[i];
			memset(&ms[i], 0, sizeof(ms[i]));
		}
		k++;
	}
	*left = k;
	free(until);
	return done;
}

/* One round over what is due; the number of checks run, or -1. */
static long
round_once(struct db *db)
{
	struct round		 rd;
	struct probe_opts	 o;
	size_t			 i;
	long			 rc = -1, hb, off = 0;

	memset(&rd, 0, sizeof(rd));
	rd.db = db;
	if (monitor_due(db, now_ms(), ROUND_MAX, &rd.ms, &rd.n) != DB_OK)
		return -1;
	if ((hb = heartbeats(db, rd.ms, rd.n, &rd.n)) != -1)
		off = put_off(db, rd.ms, rd.n, &rd.n);
	if (hb == -1 || rd.n == 0) {
		for (i = 0; i < rd.n; i++)
			monitor_free(&rd.ms[i]);
		free(rd.ms);
		return hb == -1 ? -1 : hb + off;
	}
	rd.ps = calloc(rd.n, sizeof(*rd.ps));
	rd.res = calloc(rd.n, sizeof(*rd.res));
	rd.scratch = calloc(rd.n, sizeof(*rd.scratch));
	rd.seen = calloc(rd.n, 1);
	rd.queue = calloc(rd.n, sizeof(*rd.queue));
	if (rd.ps == NULL || rd.res == NULL || rd.scratch == NULL ||
	    rd.seen == NULL || rd.queue == NULL)
		goto out;
	for (i = 0; i < rd.n; i++)
		if (check_prepare(&rd.ms[i], &rd.ps[i], &rd.scratch[i]) == -1) {
			/* Not checkable this way: the probe engine refuses
			 * an empty TCP probe cleanly (invalid_request). */
			memset(&rd.ps[i], 0, sizeof(rd.ps[i]));
			rd.ps[i].kind = PROBE_TCP;
		}
	memset(&o, 0, sizeof(o));
	o.concurrency = (int)cfg.check_concurrency;
	if (o.concurrency > PROBE_MAXCONCURRENCY)
		o.concurrency = PROBE_MAXCONCURRENCY;
	o.allow_private = cfg.allow_private;
	o.dns_servers = cfg.dns_servers[0] ? cfg.dns_servers : NULL;
	o.ca_file = cfg.ca_file[0] ? cfg.ca_file : NULL;
	o.done = finished;
	o.done_arg = &rd;
	rd.started = now_ms();
	rd.flushed = time_now_ms();
	if (probe_run(rd.ps, rd.n, &o) == -1)
		fprintf(stderr, "uptime-check: the probe run broke; the checks "
		    "it could not run are recorded as failed\n");
	for (i = 0; i < rd.n; i++)	/* any the run could not finish */
		finished(&rd.ps[i], &rd);
	flush(&rd);
	rc = rd.failed ? -1 : (long)rd.n + hb + off;
out:
	for (i = 0; i < rd.n; i++) {
		if (rd.ps != NULL)
			probe_clear(&rd.ps[i]);
		if (rd.scratch != NULL)
			check_scratch_free(rd.scratch[i]);
		monitor_free(&rd.ms[i]);
	}
	free(rd.ps);
	free(rd.res);
	free(rd.scratch);
	free(rd.seen);
	free(rd.queue);
	free(rd.ms);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: uptime-check [--loop] [--now TIME]\n"
	    "--now TIME  pretend the time is TIME (RFC 3339), for tests\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	struct timespec		 pause = { 0, 500 * 1000 * 1000 };
	struct db		*db;
	char			 err[512];
	int			 loop = 0, has_now = 0, lock, i;
	long			 n = 0;
	int64_t			 now;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--loop") == 0 && !loop)
			loop = 1;
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc &&
		    !has_now) {
			if (time_parse(argv[++i], &now) == -1 || now <= 0) {
				fprintf(stderr, "uptime-check: --now needs an "
				    "RFC 3339 time, such as "
				    "2026-02-14T12:00:00Z\n");
				return usage();
			}
			clock_skew = now - time_now_ms();
			has_now = 1;
		} else
			return usage();
	}
	if (config_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "uptime-check: %s\n", err);
		return 1;
	}
	if ((lock = lock_take("check", err, sizeof(err))) != 1) {
		if (lock == -1) {
			config_blame("UPTIME_DB", err, sizeof(err));
			fprintf(stderr, "uptime-check: %s\n", err);
		}
		return lock == 0 ? 0 : 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "uptime-check: cannot start libcurl\n");
		return 1;
	}
	if ((db = db_open(cfg.db, 1, err, sizeof(err))) == NULL) {
		config_blame("UPTIME_DB", err, sizeof(err));
		fprintf(stderr, "uptime-check: %s\n", err);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	do {
		/* Take everything that is due, round after round. */
		while (!stopping && (n = round_once(db)) > 0)
			continue;
		if (n < 0)
			fprintf(stderr, "uptime-check: a round failed\n");
		if (loop && !stopping)
			nanosleep(&pause, NULL);
	} while (loop && !stopping);
	db_close(db);
	curl_global_cleanup();
	return 0;
}
