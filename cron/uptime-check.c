/*
 * uptime-check: run the checks that are due.
 *
 *   uptime-check          one pass over what is due now (from cron, every
 *                         minute)
 *   uptime-check --loop   keep checking, for intervals under a minute
 *
 * One instance at a time: a second one finds the lock taken and exits 0
 * without a word.  Due monitors come from one indexed query; their checks
 * run concurrently in this process (lib/probe.c), at most
 * UPTIME_CHECK_CONCURRENCY at once, so a hanging target holds one slot
 * for its own timeout.  Results are written in batched transactions, and
 * each monitor's next check is planned from its planned time, not from
 * when the check ran, so slow rounds do not drift the schedule.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "monitor.h"

#define ROUND_MAX	20000	/* monitors taken in one round */
#define BATCH		500	/* results written per transaction */

static volatile sig_atomic_t	 stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Take the checker lock; 1 taken, 0 held by another, -1 error. */
static int
take_lock(void)
{
	char	 path[1100];
	int	 fd, held;

	snprintf(path, sizeof(path), "%s.check.lock", cfg.db);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "uptime-check: cannot open %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		held = errno == EWOULDBLOCK;
		close(fd);
		return held ? 0 : -1;
	}
	return 1;		/* the descriptor stays open: the lock lives */
}

/* Write the results of one round; counts what was written. */
static int
record(struct db *db, struct monitor *ms, struct check_result *res, size_t n,
    int64_t now)
{
	size_t	 i, done = 0;
	int	 rc = DB_OK;

	for (i = 0; i < n; i++) {
		if (i % BATCH == 0 && (rc = db_begin(db)) != DB_OK)
			break;
		rc = check_record(db, &ms[i], &res[i], 1, now);
		if (rc == DB_CONFLICT)	/* deleted while being checked */
			rc = DB_OK;
		if (rc != DB_OK) {
			db_rollback(db);
			break;
		}
		if ((i + 1) % BATCH == 0 || i + 1 == n) {
			if ((rc = db_commit(db)) != DB_OK)
				break;
			done = i + 1;
		}
	}
	if (rc != DB_OK)
		fprintf(stderr, "uptime-check: %zu of %zu results written; "
		    "the rest will be checked again\n", done, n);
	return rc == DB_OK ? 0 : -1;
}

/* One round over what is due; the number of checks run, or -1. */
static long
round_once(struct db *db)
{
	struct monitor		*ms = NULL;
	struct probe		*ps = NULL;
	struct check_result	*res = NULL;
	char			***scratch = NULL;
	struct probe_opts	 o;
	size_t			 n = 0, i;
	long			 rc = -1;
	int64_t			 now = time_now_ms();

	if (monitor_due(db, now, ROUND_MAX, &ms, &n) != DB_OK)
		return -1;
	if (n == 0) {
		free(ms);
		return 0;
	}
	ps = calloc(n, sizeof(*ps));
	res = calloc(n, sizeof(*res));
	scratch = calloc(n, sizeof(*scratch));
	if (ps == NULL || res == NULL || scratch == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (check_prepare(&ms[i], &ps[i], &scratch[i]) == -1) {
			/* Not checkable this way; give it an answer the
			 * probe engine refuses cleanly. */
			memset(&ps[i], 0, sizeof(ps[i]));
			ps[i].kind = PROBE_TCP;
			ps[i].timeout_ms = 1000;
		}
	memset(&o, 0, sizeof(o));
	o.concurrency = (int)cfg.check_concurrency;
	if (o.concurrency > PROBE_MAXCONCURRENCY)
		o.concurrency = PROBE_MAXCONCURRENCY;
	o.allow_private = cfg.allow_private;
	o.dns_servers = cfg.dns_servers[0] ? cfg.dns_servers : NULL;
	o.ca_file = cfg.ca_file[0] ? cfg.ca_file : NULL;
	/* checkedAt is when the round started its checks. */
	now = time_now_ms();
	if (probe_run(ps, n, &o) == -1)
		fprintf(stderr, "uptime-check: the probe run failed to set up; "
		    "results record the failure\n");
	for (i = 0; i < n; i++)
		check_judge(&ms[i], &ps[i], now, &res[i]);
	now = time_now_ms();
	rc = record(db, ms, res, n, now) == 0 ? (long)n : -1;
out:
	for (i = 0; i < n; i++) {
		if (ps != NULL)
			probe_clear(&ps[i]);
		if (scratch != NULL)
			check_scratch_free(scratch[i]);
		monitor_free(&ms[i]);
	}
	free(ps);
	free(res);
	free(scratch);
	free(ms);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: uptime-check [--loop]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	struct timespec		 pause = { 0, 500 * 1000 * 1000 };
	struct db		*db;
	char			 err[512];
	int			 loop = 0, lock;
	long			 n = 0;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--loop") != 0))
		return usage();
	loop = argc == 2;
	if (config_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "uptime-check: %s\n", err);
		return 1;
	}
	if ((lock = take_lock()) != 1)
		return lock == 0 ? 0 : 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (db = db_open(cfg.db, 1, err, sizeof(err))) == NULL) {
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
