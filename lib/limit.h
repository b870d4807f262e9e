/*
 * Per-team limits: how many objects of each family a team may hold, and
 * how many checks it may run on demand at once.  See docs/lib/limit.md.
 *
 * Counts are taken inside the write transaction that adds the object:
 * SQLite has one writer, so two workers cannot both take the last place.
 *
 * A check run on demand (POST /v1/monitors/{id}/check) holds a lease, a
 * row of run_now_leases, while its probe runs outside any transaction:
 * one lease a monitor, at most UPTIME_MAX_RUN_NOW a team, one-off checks
 * (POST /v1/checks, rows of check_leases) included.  The rows are
 * in the database because the FastCGI workers are separate processes;
 * each lease lapses at its expires_at, so a worker killed mid-check
 * holds nothing for longer than the check itself could have run.
 */
#ifndef LIMIT_H
#define LIMIT_H

#include "base.h"
#include "db.h"
#include "req.h"

enum limit {
	LIMIT_KEYS,		/* active API keys: UPTIME_MAX_KEYS */
	LIMIT_MONITORS,		/* UPTIME_MAX_MONITORS */
	LIMIT_CHANNELS,		/* alert channels: UPTIME_MAX_ALERT_CHANNELS */
	LIMIT_PAGES,		/* status pages: UPTIME_MAX_STATUS_PAGES */
	LIMIT_WINDOWS,		/* maintenance windows neither over nor
				   cancelled: UPTIME_MAX_MAINTENANCE_WINDOWS */
	LIMIT__MAX
};

/*
 * How long a run-now lease outlives the monitor's timeout: the probe's
 * own grace past it, a content check's time budget and the wait for the
 * write lock to record the result all fit (ms).
 */
#define RUNNOW_GRACE_MS	15000

/*
 * DB_OK when the team holds fewer objects of the family than its limit
 * at now, DB_CONFLICT when it holds the limit or more, or an error code.
 * Call it inside the write transaction that adds the object.
 */
int	 limit_room(struct db *, enum limit, const char *team, int64_t now);

/*
 * limit_room for the calling key's team.  0 when there is room; else -1
 * with the answer made: 409 limit_exceeded naming the limit and its
 * setting (members limit and setting), or the database's error.
 */
int	 limit_check(struct req *, enum limit) WUR;
/* The same for team, on a route without a key (a ping creating a
 * heartbeat). */
int	 limit_check_team(struct req *, enum limit, const char *team) WUR;

/*
 * Count one custom-domain lookup of the calling key's team this minute
 * (the shared counter table, lib/ratelimit.c): 0 within
 * UPTIME_DOMAIN_VERIFY_LIMIT; else -1 with the answer made: 429
 * verify_domain_limited with members limit and setting, and Retry-After
 * (the seconds until the minute ends).
 */
int	 limit_verify_domain(struct req *) WUR;
/*
 * The failed invitation accepts of the client's address (invite.h's
 * throttle), before an accept is tried: 0 when it may try; else -1 with
 * the answer made: 429 rate_limited with Retry-After, or 500.
 */
int	 limit_invite_accept(struct req *) WUR;

/*
 * Take the lease of a monitor of the calling key's team until r->now +
 * lease_ms, or with monitor NULL a one-off check's (POST /v1/checks),
 * which counts against UPTIME_MAX_RUN_NOW alike; its token goes to token
 * (ID_MAX bytes), for runnow_give.
 * Runs its own short write transaction: call it outside one.  0 when
 * taken; else -1 with the answer made: 429 run_now_busy with Retry-After
 * (the seconds until the lease in the way lapses) when the monitor has a
 * lease or the team has UPTIME_MAX_RUN_NOW, 404 when the monitor is
 * gone, or the database's error.
 */
int	 runnow_take(struct req *, const char *monitor, int64_t lease_ms,
	    char *token) WUR;

struct monitor;
struct check_result;

/*
 * Run a check of m now, holding a run-now lease (of monitor lease, or
 * the team's for a one-off check when NULL) whose token goes to token
 * (ID_MAX bytes): 0 with res judged and the lease held, 1 when m's type
 * is not checked on demand (nothing done), or -1 with the refusal
 * (run_now_busy) answered.  Outside any transaction.
 */
int	 runnow_run(struct req *, const struct monitor *m, const char *lease,
	    char *token, struct check_result *res) WUR;
/*
 * A check of the stored monitor m on demand (POST
 * /v1/monitors/{id}/check, the console's "run now"): runnow_run under
 * m's lease, then the result recorded like any other (the schedule is
 * unchanged) with the lease given back in one transaction.  Outside
 * any transaction.  0 with res (the caller clears it); 1 when m's type
 * is not checked on demand; -1 with the refusal answered; else a DB_*
 * error code (DB_NOTFOUND: the monitor went meanwhile), res cleared.
 */
int	 runnow_monitor(struct req *, struct monitor *m,
	    struct check_result *res) WUR;

/*
 * Give the lease back (monitor NULL: a one-off check's): only the one
 * token names, so a lease that lapsed and was taken by another worker
 * stays.  DB_OK also when there was none (it lapsed, or the monitor was
 * deleted with it).
 */
int	 runnow_give(struct db *, const char *monitor, const char *token);

/*
 * The rate limits' counter in the database, for ratelimit_store (arg is
 * the struct db): every node on one PostgreSQL counts in the same row.
 */
long	 limit_count_hit(void *db, int64_t name, int64_t minute);
/* Forget the counts of minutes before now's (PostgreSQL; nothing to do
 * on SQLite); a DB_* code. */
int	 limit_counts_prune(struct db *, int64_t now);

#endif /* LIMIT_H */
