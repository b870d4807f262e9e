/*
 * uptime-maintain: the hourly chores on the history.
 *
 *   uptime-maintain [--now TIME]
 *
 * Builds the daily rollups of completed UTC days from their hourly rows,
 * prunes what is past its retention (raw results and heartbeat pings
 * UPTIME_RETENTION_DAYS, hourly rollups 91 days, daily rollups 800,
 * processed monitor events 30, audit events UPTIME_AUDIT_RETENTION_DAYS),
 * then checkpoints and truncates the WAL.  Run it from cron every hour (see docs/maintain.md).
 * --now pretends the time is TIME (RFC 3339), for tests.
 *
 * One instance at a time: a second one finds the lock taken and exits 0
 * without a word.  Prints one summary line to stdout; messages go to
 * stderr.  Exit status: 0 done, 1 failed (what was done stays done), 2
 * bad arguments.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uptime.h"
#include "heartbeat.h"
#include "limit.h"
#include "owner.h"
#include "rollup.h"

#define EXIT_USAGE	2

static const char usage_text[] =
    "usage: uptime-maintain [--now TIME]\n"
    "Rolls up, prunes and checkpoints the database UPTIME_DB; run hourly.\n"
    "--now TIME  pretend the time is TIME (RFC 3339), for tests\n";

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "uptime-maintain: %s\n", why);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

/* The size of the WAL file in bytes, 0 when there is none. */
static long long
wal_size(void)
{
	char		 path[1100];
	struct stat	 sb;

	snprintf(path, sizeof(path), "%s-wal", cfg.db);
	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static const char *
rc_text(int rc)
{
	return rc == DB_BUSY ? "the database stayed busy" : "database error";
}

int
main(int argc, char **argv)
{
	struct rollup_pruned	 p;
	struct db		*db;
	const char		*mode;
	char			 err[1024];
	long long		 ndays = 0, npings = 0, before, after;
	int64_t			 now = 0;
	int			 lock, rc, status = 0;

	umask(077);
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--now") == 0) {
		if (time_parse(argv[2], &now) == -1 || now <= 0)
			return usage("--now needs an RFC 3339 time, such as "
			    "2026-02-14T12:00:00Z");
	} else if (argc != 1)
		return usage(NULL);
	if (now == 0)
		now = time_now_ms();

	if (config_load(err, sizeof(err)) == -1 ||
	    owner_adopt(argv, err, sizeof(err)) == -1) {
		fprintf(stderr, "uptime-maintain: %s\n", err);
		return 1;
	}
	if ((db = db_open(cfg.db, 1, err, sizeof(err))) == NULL) {
		config_blame("UPTIME_DB", err, sizeof(err));
		fprintf(stderr, "uptime-maintain: %s\n", err);
		return 1;
	}
	if ((lock = lock_take("maintain", err, sizeof(err))) != 1) {
		if (lock == -1) {
			config_blame("UPTIME_DB", err, sizeof(err));
			fprintf(stderr, "uptime-maintain: %s\n", err);
		}
		db_close(db);
		return lock == 0 ? 0 : 1;
	}
	/* Several nodes on one PostgreSQL: one maintains at a time. */
	if ((lock = db_try_lock(db, "maintain")) != 1) {
		fprintf(stderr, "uptime-maintain: %s\n", lock == 0 ?
		    "another node is maintaining the database; nothing to do" :
		    "cannot take the maintainers' lock");
		db_close(db);
		return lock == 0 ? 0 : 1;
	}

	/* Each step runs even when the one before failed: they are
	 * independent, and what is done stays done. */
	if ((rc = rollup_daily(db, now, &ndays)) != DB_OK) {
		fprintf(stderr, "uptime-maintain: daily rollup stopped after "
		    "%lld monitor-days: %s\n", ndays, rc_text(rc));
		status = 1;
	}
	if ((rc = rollup_prune(db, now, cfg.retention_days, cfg.audit_days,
	    &p)) != DB_OK) {
		fprintf(stderr, "uptime-maintain: pruning stopped: %s\n",
		    rc_text(rc));
		status = 1;
	}
	if ((rc = ping_prune(db, now - cfg.retention_days * ROLLUP_DAY_MS,
	    &npings)) != DB_OK) {
		fprintf(stderr, "uptime-maintain: pruning pings stopped: %s\n",
		    rc_text(rc));
		status = 1;
	}
	if ((rc = limit_counts_prune(db, now)) != DB_OK) {
		fprintf(stderr, "uptime-maintain: forgetting past rate-limit "
		    "counts failed: %s\n", rc_text(rc));
		status = 1;
	}
	if ((rc = idem_prune(db, now)) != DB_OK) {
		fprintf(stderr, "uptime-maintain: forgetting old idempotent "
		    "answers failed: %s\n", rc_text(rc));
		status = 1;
	}
	before = wal_size();
	if ((mode = db_checkpoint(db)) == NULL)
		status = 1;
	after = wal_size();

	printf("uptime-maintain: %lld monitor-days rolled up; %lld rows "
	    "pruned (results %lld, pings %lld, hourly %lld, daily %lld, "
	    "events %lld, audit %lld, notifications %lld, mail %lld); WAL "
	    "%lld -> %lld bytes (%s checkpoint)\n", ndays, p.results +
	    npings + p.hourly + p.daily + p.events + p.audit +
	    p.notifications + p.mail, p.results, npings, p.hourly, p.daily,
	    p.events, p.audit, p.notifications, p.mail, before, after,
	    mode ? mode : "failed");
	db_close(db);
	return status;
}
