/*
 * Heartbeat monitors: the ping token, when the next ping is expected,
 * the pings themselves (ping.fcgi) and the checker's judgment of a ping
 * that did not come.  See docs/lib/heartbeat.md and docs/heartbeat.md.
 *
 * A heartbeat's schedule is either intervalSeconds (struct monitor's
 * interval_s) or a cron "schedule" in a "timezone", and its
 * gracePeriodSeconds; they live in the monitor's config object.  Its
 * state: ping_expected_at (when the next ping is due, grace not
 * included), run_started_at (a /start not yet followed by a success or
 * fail), and next_check_at, the deadline at which the checker looks:
 * run_started_at + grace while a run is open, else ping_expected_at +
 * grace.  Results go through check_record() (lib/check.c), so outages,
 * events and rollups behave as for the other types.
 */
#ifndef HEARTBEAT_H
#define HEARTBEAT_H

#include "base.h"
#include "db.h"
#include "hbsched.h"
#include "json.h"
#include "monitor.h"
#include "page.h"

enum ping_kind {
	PING_SUCCESS,
	PING_START,
	PING_FAIL,
	PING__MAX
};
extern const char *const ping_kind_names[PING__MAX];

/* One ping as the endpoint received it. */
struct ping_in {
	const char	*token;		/* the ping token, or with slug the
					   team's ping key */
	const char	*slug;		/* NULL: by token */
	enum ping_kind	 kind;		/* an exit code 0 is a success,
					   1..255 a fail */
	int		 exit_code;	/* -1: none given */
	int64_t		 at;
	const char	*ip;
	const void	*body;		/* NULL or bodylen bytes */
	size_t		 bodylen;	/* at most HB_MAXBODY */
};

/*
 * Record a ping in one write transaction of its own: the lookup by
 * token (or by the ping key's team and the slug), the rate limit, the ping row and the monitor's state (through
 * check_record for a success or a fail).  A paused monitor's pings are
 * recorded and change nothing else.  Returns DB_OK, DB_NOTFOUND (no such
 * token, key or slug), DB_BUSY or DB_ERROR; with DB_OK, *retry_after > 0 means the
 * ping was over the token's rate limit and nothing was written (the
 * seconds until the minute ends).
 */
int	 heartbeat_ping(struct db *, const struct ping_in *, int *retry_after);

/*
 * The checker's look at a due heartbeat: m must have been read inside
 * the caller's write transaction (a ping may have come since the due
 * list was made).  Past the deadline, a down result ("ping_late" or
 * "run_not_finished") goes through check_record and the next ping is
 * expected at the first slot still ahead; otherwise only the deadline is
 * set again.  DB_* code.
 */
int	 heartbeat_judge(struct db *, struct monitor *, int64_t now);

/* A new ping token for m (a heartbeat of m->team_id).  DB_* code. */
int	 heartbeat_rotate(struct db *, struct monitor *, int64_t now);

/*
 * A page of the monitor's pings, newest first, as results:
 * {checkedAt, status, kind, exitCode, sourceIp, durationMs, body,
 * responseTimeMs, statusCode, error, timings} (cursor ids "p_<row>").  f->status up
 * matches success and start pings, down fail pings.  DB_* code.
 */
int	 ping_list(struct db *, const char *monitor,
	    const struct result_filter *, struct lister *);

/* Delete pings older than before, in batches; *n gets the count. */
int	 ping_prune(struct db *, int64_t before, long long *n);

#endif /* HEARTBEAT_H */
