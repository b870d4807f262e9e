/*
 * Monitors: the struct, its JSON both ways, validation, all of its SQL,
 * and the check logic shared by the checker (cron/uptime-check) and
 * "POST /v1/monitors/{id}/check": turning a monitor into a probe, judging
 * the probe's outcome, and recording the result with the state machine
 * (confirmations, outages, events, SSL expiry, rollups).
 *
 * A struct monitor owns its tags and config (cJSON trees); release it
 * with monitor_free().  config holds the type-specific fields under their
 * API names (url, method, headers, ..., host, port, hostname, ...), with
 * defaults filled in, so that the API answer is the stored object.
 */
#ifndef MONITOR_H
#define MONITOR_H

#include "base.h"
#include "db.h"
#include "json.h"
#include "monitorrec.h"
#include "page.h"
#include "probe.h"

extern const char *const mon_type_names[MON_TYPE__MAX];
extern const char *const mon_status_names[MST__MAX];
extern const char *const health_names[HEALTH__MAX];
/* The members of a monitor's API object; read-only ones marked. */
extern const struct jfield monitor_fields[];

/* The outcome of one check, as stored in check_results. */
struct check_result {
	int64_t		 checked_at;	/* when it started */
	int64_t		 due_at;	/* when it was due; 0: on demand */
	enum mon_status	 status;	/* MST_UP, MST_DEGRADED or MST_DOWN */
	long		 response_ms;	/* -1: none */
	long		 status_code;	/* 0: none */
	char		 error_code[32];
	char		 error_message[256];
	long		 dns_ms, connect_ms, tls_ms, first_byte_ms;
	long long	 ssl_expires_at;	/* Unix seconds, 0: none */
	char		 ssl_issuer[256];
	int		 tls_error;
	/* DNS: the answer set of a lookup that answered, sorted, without
	 * repeats (owned, check_result_clear); NULL otherwise. */
	cJSON		*answers;
	char		 location[ID_MAX];	/* "": this host */
	/* A failure taken while every canary failed too (lib/canary.h):
	 * kept as history, shown as "inconclusive", moving no state. */
	int		 inconclusive;
};

struct monitor_filter {
	int		 type;		/* -1: any */
	int		 status;	/* -1: any */
	const char	*tag;
};

void	 monitor_init(struct monitor *, int64_t now);
void	 monitor_free(struct monitor *);

/*
 * Apply the members of body to m (all of them when creating, only those
 * given for PATCH) and validate the result; errors go to v.
 */
void	 monitor_apply(struct monitor *, const cJSON *body, int creating,
	    struct verrs *v);
/*
 * Apply a one-off check's body (POST /v1/checks) to m, made by
 * monitor_init: type (not heartbeat), timeoutSeconds and the fields of
 * the type, with monitor_apply's rules and defaults; any other member is
 * unknown.  Errors go to v.
 */
void	 monitor_apply_check(struct monitor *, const cJSON *body,
	    struct verrs *v);
/* A monitor as JSON: one value written to w. */
void	 monitor_write(struct jw *, const struct monitor *);
/* The same as a tree, for the configuration document (caller owns). */
cJSON	*monitor_json(const struct monitor *);
/*
 * Forget each location's own state of the monitor (paused, resumed):
 * their open down periods (location_outages) end at now.
 */
int	 monitor_states_clear(struct db *, const char *id, int64_t now);
/*
 * The locations that must confirm m down while offline of its locations
 * are offline (left out): its quorum, else a majority of the others, and
 * never more than there are others (at least 1).
 */
long	 monitor_quorum(const struct monitor *, long offline);
/* 1 when m's locations hold "local": this host's checker checks it. */
int	 monitor_checked_here(const struct monitor *);

/*
 * Store m, a new monitor of m->team_id that monitor_apply accepted: its
 * first state at now (paused, or pending; a heartbeat's first ping
 * expected one period on).  DB_* code; m->id is set.
 */
int	 monitor_create(struct db *, struct monitor *, int64_t now);
/*
 * PATCH the stored monitor m with body at now, and store it when body is
 * valid: a changed check (config, interval, timeout) is due at once, a
 * rename is not; pausing closes the open outage; a heartbeat whose
 * check became due starts its clock again.  DB_OK with v's errors when
 * body is not valid (nothing is stored), else a DB_* code.
 */
int	 monitor_patch(struct db *, struct monitor *, const cJSON *body,
	    int64_t now, struct verrs *v);
/* Insert m as it is (ref: ref_default's when ""); id filled here. */
int	 monitor_insert(struct db *, struct monitor *);
int	 monitor_update(struct db *, struct monitor *);
int	 monitor_delete(struct db *, const char *team, const char *id);
/* By id within a team; DB_OK or DB_NOTFOUND.  Free with monitor_free. */
int	 monitor_get(struct db *, const char *team, const char *id,
	    struct monitor *);
/* A heartbeat by its ping token (any team); DB_OK or DB_NOTFOUND. */
int	 monitor_by_token(struct db *, const char *token, struct monitor *);
/* A heartbeat of the team by its slug; DB_OK or DB_NOTFOUND. */
int	 monitor_by_slug(struct db *, const char *team, const char *slug,
	    struct monitor *);
int	 monitor_set_paused(struct db *, struct monitor *, int paused,
	    int64_t now);
/* fn gets each monitor (freed after the call) newest first. */
int	 monitor_list(struct db *, const char *team,
	    const struct monitor_filter *, struct lister *);
/* Counts by status for GET /v1/status. */
int	 monitor_counts(struct db *, const char *team, long counts[MST__MAX]);

/* A monitor's health from its status: pending and paused are unknown. */
enum health	 monitor_health(enum mon_status);
/*
 * The health of a set from how many of its parts are in each health.
 * Parts of unknown health do not count: with none left the set is
 * unknown; all the rest major: major outage; some: partial outage; else
 * the worst health among them.
 */
enum health	 health_overall(const long counts[HEALTH__MAX]);

/*
 * The scheduler's look ahead: id, team and due time of up to max
 * unpaused monitors due by until, earliest first, each passed to fn
 * (strings borrowed for the call; fn returns 0, or -1 to stop with
 * DB_ERROR).
 */
int	 monitor_due_soon(struct db *, int64_t until, size_t max,
	    int (*fn)(const char *, const char *, int64_t, void *), void *arg);
/*
 * monitor_due_soon for one of several checkers on PostgreSQL: claims
 * what it passes to fn with a lease for node, until the check's due
 * time (or now, when that is later), its timeout and margin_ms have
 * passed.  A monitor another node holds a live lease on is skipped (and
 * one locked by a claim running now: FOR UPDATE SKIP LOCKED); the
 * node's own leases are renewed while their checks stay due, so a
 * running check's lease does not lapse, a restarted checker takes its
 * monitors back at once, and a dead node's are taken over once they run
 * out.
 */
int	 monitor_claim_due(struct db *, const char *node, int64_t now,
	    int64_t until, int64_t margin_ms, size_t max,
	    int (*fn)(const char *id, const char *team, int64_t due,
	    void *arg), void *arg);
/*
 * The fences of a claimed check, PostgreSQL only.  monitor_lease_live:
 * node holds the lease of monitor id at now, so no other node may claim
 * it (a check starts only then).  monitor_lease_kept, inside a write
 * transaction: the lease is still node's, lapsed or not, so no other
 * node has claimed the check since, and the row is locked until the
 * transaction ends (a result is written only then).  DB_OK, DB_NOTFOUND
 * when not, or an error code.
 */
int	 monitor_lease_live(struct db *, const char *node, const char *id,
	    int64_t now) WUR;
int	 monitor_lease_kept(struct db *, const char *node, const char *id) WUR;

/*
 * A probe for m; its inputs point into m and into *scratch (headers),
 * which the caller frees with free(3) after the run.
 */
int	 check_prepare(const struct monitor *, struct probe *, char ***scratch);
void	 check_scratch_free(char **);
/*
 * Judge a finished probe against m's expectations.  Content checks take
 * at most about 100 ms a body (lib/check.c, CONTENT_BUDGET_MS): past it
 * the result is content_timeout.  Waits for a child process the checks
 * may run in.
 */
void	 check_judge(const struct monitor *, const struct probe *, int64_t now,
	    struct check_result *);
/*
 * check_judge without waiting, for an event loop.  A body whose content
 * checks could cost more than the inline budget is judged in a child
 * process: CHECK_WAITING, with *w the wait (r is final only once
 * check_wait_step() says so); CHECK_BUSY when may_fork is 0 and such a
 * child would be needed (nothing done: call again later, p and m kept);
 * CHECK_JUDGED when r is final.  m must outlive *w; p may be cleared at
 * once.
 *
 * Watch check_wait_fd(w) for readability (the child's pidfd: it has
 * ended) for at most check_wait_ms(w) ms, then call check_wait_step(w,
 * r): 1, still waiting (watch again: past the budget the child has been
 * killed and is waited for); 0, r is final and w freed.
 * check_wait_cancel(w) kills the child and frees w; NULL is allowed.
 */
#define CHECK_JUDGED	0
#define CHECK_WAITING	1
#define CHECK_BUSY	2
struct check_wait;
int	 check_judge_start(const struct monitor *, const struct probe *,
	    int64_t now, int may_fork, struct check_result *r,
	    struct check_wait **w);
int	 check_wait_fd(const struct check_wait *);
int	 check_wait_ms(const struct check_wait *);
int	 check_wait_step(struct check_wait *, struct check_result *);
void	 check_wait_cancel(struct check_wait *);
/*
 * Record r for m: insert the result and its rollup, move the state
 * machine (outages, events, SSL warnings, a DNS answer's change: the
 * dns_changed event and m->last_value) and, with CHECK_SCHEDULED, plan
 * the next check from the planned time.  With CHECK_NOROW no
 * check_results row is written (a heartbeat keeps its pings instead; the
 * rollup still counts the result).  An inconclusive r (lib/canary.h)
 * is only its row: no rollup, no state, and with CHECK_SCHEDULED the
 * next check at the next planned time.  Call inside a transaction.
 */
#define CHECK_SCHEDULED	0x01
#define CHECK_NOROW	0x02
/* A location's result older than the monitor's last (another location
 * reported a newer one first): it moves its location's state, and the
 * monitor's only through the quorum (down when it is reached, out of
 * down when it no longer is); the monitor's readings (last check,
 * response time, certificate, DNS answer) stay the newer result's. */
#define CHECK_LATE	0x04
int	 check_record(struct db *, struct monitor *, const struct check_result *,
	    int flags, int64_t now);
/*
 * Put m's next check off to its first planned time at or after until,
 * keeping its phase (a maintenance window pauses its checks).  Call
 * inside a transaction.  DB_* code.
 */
int	 check_defer(struct db *, struct monitor *, int64_t until);
/* A result as JSON: one value written to w. */
void	 check_result_write(struct jw *, const struct check_result *);
/* The same as a tree (a probe location's report; caller owns). */
cJSON	*check_result_json(const struct check_result *);
/* Release what a result owns (its answers). */
void	 check_result_clear(struct check_result *);
/*
 * The first planned time after now of a check planned at planned, every
 * interval_s, keeping its phase: how the checker plans the next check
 * (probe locations plan theirs with it too).
 */
int64_t	 check_next_due(int64_t planned, long interval_s, int64_t now);
/*
 * The next check of m after r, a check planned at planned: the next
 * planned time, or sooner (retryIntervalSeconds) after a failure its
 * location has not confirmed yet (m->loc_fails, set by check_record).
 */
int64_t	 check_plan(const struct monitor *m,
	    const struct check_result *r, int64_t planned, int64_t now);

/*
 * Close the monitor's open outage, if any, at time at; its id goes to
 * id (ID_MAX bytes) when id is not NULL ("" when none was open).
 */
int	 outage_close(struct db *, const char *monitor, int64_t at, char *id);

/* Results, outages. */
struct result_filter {
	int64_t		 from, to;	/* 0: open */
	int		 status;	/* -1: any */
	const char	*location;	/* "local", a location id; NULL: any */
};
int	 result_list(struct db *, const char *monitor,
	    const struct result_filter *, struct lister *);
/* The monitor's outages, or with location that location's own down
 * periods ("local" or a location's id). */
int	 outage_list(struct db *, const char *monitor, const char *location,
	    struct lister *);

#endif /* MONITOR_H */
