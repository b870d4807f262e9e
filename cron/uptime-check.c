/*
 * uptime-check: run the checks that are due, each when it is due.
 *
 *   uptime-check          from cron, every minute: checks as they come
 *                         due until the next minute's instance takes
 *                         over (or, with no successor, about two minutes)
 *   uptime-check --loop   keep checking until stopped (a service)
 *   uptime-check --once   one pass over what is due now, then exit
 *   --now TIME            pretend the time is TIME (RFC 3339), for
 *                         tests; without --loop it makes one pass
 *
 * The schedule (lib/schedule.c) holds in memory the monitors due within
 * the next AHEAD_MS, by due time; it is refilled from the database's due
 * index every POLL_MS, which is also how new, edited, paused and deleted
 * monitors reach it.  A check starts the moment it is due and a slot of
 * the probe loop (lib/probe.c) is free; slots are sized from the
 * descriptor limit, and a team holds at most its share of them.  Each
 * monitor is read again just before its check starts, so the check uses
 * what the database says now (a paused or deleted one is dropped, one
 * moved later waits).  Results are judged as checks end (content checks
 * too costly to run in process run in a child whose pidfd the probe loop
 * watches, at most one per CPU at once) and written in
 * short transactions (BATCH results or FLUSH_MS); until its result is
 * written a monitor counts as in flight, so it never has two checks at
 * once.  Each monitor's next check is planned from its planned time, not
 * from when the check ran.
 *
 * On PostgreSQL every node runs a checker, and each check is claimed
 * with a lease of this node's (monitor_claim_due): the look ahead claims
 * and renews, a check starts only under a live lease, and its result is
 * written only while no other node has claimed it since (a node that
 * stalled past its lease leaves the check to the one that took it).
 *
 * One instance at a time (lib/lock.c).  --loop and --once exit 0 without
 * a word when the lock is taken; the cron instance queues for it instead
 * and the one holding it hands it over: it stops starting checks, writes
 * the results it has and exits, leaving its unfinished checks due.
 * SIGTERM and SIGINT do the same: checks still in flight are not
 * recorded and are due again for the next checker.
 *
 * Heartbeat monitors come through the same schedule (their next_check_at
 * is the deadline of the ping they wait for) and are judged without any
 * network: each is read again inside a write transaction, since a ping
 * may have come in the meantime, and lib/heartbeat.c records "ping_late"
 * or "run_not_finished" through check_record like any other result.
 */
#include <sys/resource.h>

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "uptime.h"
#include "canary.h"
#include "checkerstate.h"
#include "heartbeat.h"
#include "maintenance.h"
#include "monitor.h"
#include "owner.h"
#include "schedule.h"

#define POLL_MS		1000	/* the database is asked this often */
#define AHEAD_MS	2500	/* for what is due this far ahead */
/* PostgreSQL: a claimed check's lease outlives its due time and timeout
 * by this much (the look ahead, writing the result, a slow node). */
#define LEASE_MARGIN_MS	10000
#define DUE_MAX		100000	/* rows taken in one look */
#define BATCH		500	/* results written per transaction, */
#define FLUSH_MS	250	/* or after this long */
#define TICK_MS		250	/* longest sleep between looks around */
#define FD_RESERVE	64	/* descriptors kept for the rest */
#define FD_PER_CHECK	3	/* a socket, a resolver thread's pair */
#define SLOTS_DEFAULT	4096	/* most slots the descriptor limit gives */
#define HANDOVER_WAIT_MS 5000	/* a cron instance waits this long */
#define HANDOVER_PEEK_MS 200	/* the holder looks for a successor */
#define REPORT_MS	10000	/* checker_state is written this often */
#define BEHIND_LOG_MS	60000	/* "falling behind" is said this often */

enum mode {
	MODE_CRON,	/* until handed over */
	MODE_LOOP,	/* until stopped */
	MODE_ONCE	/* what is due at the start */
};

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
 * One check, from the moment the schedule hands it out until its result
 * is written.  Linked in the checker's list while its probe runs.
 */
struct run {
	struct checker		*ck;
	struct sched_item	*it;
	struct monitor		 m;
	struct probe		 p;
	struct check_result	 r;
	struct check_wait	*wait;		/* content judged in a child */
	char			**scratch;
	int64_t			 due;		/* dueAt */
	int64_t			 started;	/* checkedAt */
	struct run		*prev, *next;	/* in flight */
	struct run		*qnext;		/* waiting for a child */
};

struct checker {
	enum mode		 mode;
	struct db		*db;
	char			 node[1300];	/* host:data folder, the
						   leases' holder */
	struct sched		*sched;
	struct probe_loop	*loop;
	size_t			 slots;
	struct run		*live;		/* probes in flight, and
						   their judgments */
	struct run		*qhead, *qtail;	/* waiting for a child */
	size_t			 children;	/* content judged in children */
	size_t			 child_cap;	/* at most: the CPUs */
	struct run		**out;		/* judged, to be written */
	size_t			 nout, capout;
	int64_t			 flushed;	/* real time of the last flush */
	struct checker_state	 st;		/* the figures, as last written */
	int64_t			*lags;		/* start lags since then */
	size_t			 nlags, caplags;
	int64_t			 said;		/* real time "behind" was said */
	/* UPTIME_CANARY_URLS: failures wait in held for a round of
	 * canaries that starts after them; judging are the round's. */
	struct canaries		 cn;
	struct run		**held, **judging;
	size_t			 nheld, capheld, njudging, capjudging;
	int			 canary_busy;
	int64_t			 canary_at;	/* real time of the last */
};

static void
run_free(struct checker *ck, struct run *rn)
{
	if (rn == NULL)
		return;
	if (rn->wait != NULL) {
		check_wait_cancel(rn->wait);
		ck->children--;
	}
	probe_clear(&rn->p);
	check_scratch_free(rn->scratch);
	check_result_clear(&rn->r);
	monitor_free(&rn->m);
	sched_done(ck->sched, rn->it);
	free(rn);
}

/* Forget runs[0..n) without checking them (they stay due). */
static void
runs_drop(struct checker *ck, struct run **runs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		run_free(ck, runs[i]);
}

/*
 * Write the judged results in one transaction and give their monitors
 * back to the schedule.  Results that cannot be written are lost, and
 * their monitors, still due in the database, are checked again.
 */
static void
flush(struct checker *ck)
{
	size_t	 i, taken = 0;
	int	 rc;

	ck->flushed = time_now_ms();
	if (ck->nout == 0)
		return;
	if ((rc = db_begin(ck->db)) == DB_OK) {
		for (i = 0; i < ck->nout && rc == DB_OK; i++) {
			/* Another node claimed the check since our lease
			 * lapsed: its result is the one written. */
			if (db_engine(ck->db) == DB_POSTGRES && (rc =
			    monitor_lease_kept(ck->db, ck->node,
			    ck->out[i]->m.id)) == DB_NOTFOUND) {
				rc = DB_OK;
				taken++;
				continue;
			}
			if (rc != DB_OK)
				break;
			rc = check_record(ck->db, &ck->out[i]->m,
			    &ck->out[i]->r, CHECK_SCHEDULED, now_ms());
			if (rc == DB_CONFLICT)	/* deleted while checked */
				rc = DB_OK;
		}
		if (rc == DB_OK)
			rc = db_commit(ck->db);
		else
			db_rollback(ck->db);
	}
	if (rc != DB_OK)
		fprintf(stderr, "uptime-check: %zu results not written (%s); "
		    "they will be checked again\n", ck->nout,
		    rc == DB_BUSY ? "database busy" : "database error");
	else if (taken > 0)
		fprintf(stderr, "uptime-check: %zu results not written: "
		    "another node took their checks over\n", taken);
	runs_drop(ck, ck->out, ck->nout);
	ck->nout = 0;
}

static void
unlink_live(struct checker *ck, struct run *rn)
{
	if (rn->prev != NULL)
		rn->prev->next = rn->next;
	else
		ck->live = rn->next;
	if (rn->next != NULL)
		rn->next->prev = rn->prev;
	rn->prev = rn->next = NULL;
}

/* Append rn to the list *a (n used, *cap allocated); out of memory,
 * rn is dropped and checked again. */
static void
queue(struct checker *ck, struct run ***a, size_t *n, size_t *cap,
    struct run *rn)
{
	struct run	**na;
	size_t		 c;

	if (*n == *cap) {
		c = *cap ? *cap * 2 : BATCH;
		if ((na = realloc(*a, c * sizeof(*na))) == NULL) {
			fprintf(stderr, "uptime-check: out of memory; a result "
			    "is dropped and checked again\n");
			run_free(ck, rn);
			return;
		}
		*a = na;
		*cap = c;
	}
	(*a)[(*n)++] = rn;
}

/*
 * rn is judged: release what its probe holds, queue the result (a
 * failure waits for the canaries, when there are some).
 */
static void
judged(struct checker *ck, struct run *rn)
{
	unlink_live(ck, rn);
	/* Its team's share has room again while the result waits. */
	sched_ended(ck->sched, rn->it);
	rn->r.due_at = rn->due;
	probe_clear(&rn->p);
	check_scratch_free(rn->scratch);
	rn->scratch = NULL;
	if (ck->cn.n > 0 && rn->r.status == MST_DOWN)
		queue(ck, &ck->held, &ck->nheld, &ck->capheld, rn);
	else
		queue(ck, &ck->out, &ck->nout, &ck->capout, rn);
}

/*
 * Start a round of canaries for the failures held, when none runs, the
 * last started CANARY_GAP_MS ago or more, and the loop has a slot for
 * each canary.
 */
static void
canary_start(struct checker *ck, int64_t real)
{
	struct run	**t;
	size_t		 i, n;

	if (ck->nheld == 0 || ck->canary_busy ||
	    real - ck->canary_at < CANARY_GAP_MS ||
	    probe_loop_free_slots(ck->loop) < ck->cn.n)
		return;
	t = ck->judging;
	ck->judging = ck->held;
	ck->held = t;
	n = ck->capjudging;
	ck->capjudging = ck->capheld;
	ck->capheld = n;
	ck->njudging = ck->nheld;
	ck->nheld = 0;
	ck->canary_busy = 1;
	ck->canary_at = real;
	canary_prepare(&ck->cn);
	for (i = 0; i < ck->cn.n; i++)
		/* A canary that cannot start counts as failed. */
		if (probe_loop_start(ck->loop, &ck->cn.p[i]) == -1) {
			ck->cn.p[i].failed = 1;
			(void)canary_done(&ck->cn, &ck->cn.p[i]);
		}
}

/*
 * A canary ended.  When the round is over, its failures are written,
 * inconclusive when every canary failed too.
 */
static void
canary_ended(struct checker *ck)
{
	size_t	 i;
	int	 lost;

	if (!ck->canary_busy || ck->cn.done < ck->cn.n)
		return;
	lost = canary_all_failed(&ck->cn);
	if (lost)
		fprintf(stderr, "uptime-check: every canary failed: %zu "
		    "failures recorded as inconclusive\n", ck->njudging);
	for (i = 0; i < ck->njudging; i++) {
		ck->judging[i]->r.inconclusive = lost;
		queue(ck, &ck->out, &ck->nout, &ck->capout, ck->judging[i]);
	}
	ck->njudging = 0;
	ck->canary_busy = 0;
}

static void	judge(struct checker *, struct run *);

/*
 * The loop's watch of a child judging rn's content: it ended or its
 * time is up.  Judged, a child is free for the next run waiting.
 */
static void
child_event(void *arg)
{
	struct run	*rn = arg;
	struct checker	*ck = rn->ck;

	if (check_wait_step(rn->wait, &rn->r) == 1) {
		if (probe_loop_watch(ck->loop, check_wait_fd(rn->wait),
		    check_wait_ms(rn->wait), child_event, rn) == 0)
			return;
		unlink_live(ck, rn);	/* out of memory: due again */
		run_free(ck, rn);
	} else {
		rn->wait = NULL;
		ck->children--;
		judged(ck, rn);
	}
	while (ck->qhead != NULL && ck->children < ck->child_cap) {
		rn = ck->qhead;
		if ((ck->qhead = rn->qnext) == NULL)
			ck->qtail = NULL;
		rn->qnext = NULL;
		judge(ck, rn);
	}
}

/*
 * Judge rn's probe.  Content checks too costly to run here are run in a
 * child process that the probe loop watches, so the loop goes on while
 * it runs; at most child_cap such children at once, the others wait
 * their turn in order.
 */
static void
judge(struct checker *ck, struct run *rn)
{
	switch (check_judge_start(&rn->m, &rn->p, rn->started,
	    ck->children < ck->child_cap, &rn->r, &rn->wait)) {
	case CHECK_BUSY:
		if (ck->qtail != NULL)
			ck->qtail->qnext = rn;
		else
			ck->qhead = rn;
		ck->qtail = rn;
		return;
	case CHECK_WAITING:
		ck->children++;
		probe_clear(&rn->p);	/* the child has the body */
		if (probe_loop_watch(ck->loop, check_wait_fd(rn->wait),
		    check_wait_ms(rn->wait), child_event, rn) == -1) {
			unlink_live(ck, rn);	/* out of memory: due again */
			run_free(ck, rn);
		}
		return;
	default:
		judged(ck, rn);
	}
}

/* A probe ended: judge it (a canary counts in its round). */
static void
finished(struct probe *p, void *arg)
{
	struct checker	*ck = arg;

	if (canary_done(&ck->cn, p)) {
		canary_ended(ck);
		return;
	}
	judge(ck, (struct run *)(void *)((char *)p - offsetof(struct run,
	    p)));
}

/*
 * Judge the heartbeats among runs[0..*n) in one write transaction and
 * forget them, keeping the others at the front.  Their judgments are
 * made again when they could not be written: they stay due.
 */
static void
heartbeats(struct checker *ck, struct run **runs, size_t *n)
{
	struct monitor	 m;
	size_t		 i, k = 0;
	int64_t		 now = now_ms();
	int		 rc = DB_OK, tx = 0;

	for (i = 0; i < *n; i++) {
		if (runs[i]->m.type != MON_HEARTBEAT)
			continue;
		if (rc == DB_OK && !tx)
			tx = (rc = db_begin(ck->db)) == DB_OK;
		/* Read again under the write lock: a ping may have come. */
		if (rc == DB_OK && (rc = monitor_get(ck->db, runs[i]->m.team_id,
		    runs[i]->m.id, &m)) == DB_OK) {
			rc = heartbeat_judge(ck->db, &m, now);
			monitor_free(&m);
		} else if (rc == DB_NOTFOUND)
			rc = DB_OK;	/* deleted since */
	}
	if (tx && rc == DB_OK)
		rc = db_commit(ck->db);
	else if (tx)
		db_rollback(ck->db);
	if (rc != DB_OK)
		fprintf(stderr, "uptime-check: heartbeat judgments not written "
		    "(%s); they will be made again\n", rc == DB_BUSY ?
		    "database busy" : "database error");
	for (i = 0; i < *n; i++)
		if (runs[i]->m.type == MON_HEARTBEAT)
			run_free(ck, runs[i]);
		else
			runs[k++] = runs[i];
	*n = k;
}

/*
 * Put off the checks among runs[0..*n) that a maintenance window with
 * pauseChecks covers now to the window's end, and forget them, keeping
 * the others at the front.  When that cannot be written they are
 * checked.
 */
static void
put_off(struct checker *ck, struct run **runs, size_t *n)
{
	struct maint_effect	 me;
	int64_t			*until, now = now_ms();
	size_t			 i, k = 0, nd = 0;
	int			 any, rc = DB_OK;

	if (*n == 0 || maint_any_pausing(ck->db, now, &any) != DB_OK || !any)
		return;
	if ((until = calloc(*n, sizeof(*until))) == NULL)
		return;
	for (i = 0; i < *n; i++)
		if (maint_at(ck->db, runs[i]->m.team_id, runs[i]->m.id, now,
		    &me) == DB_OK && me.pause_checks) {
			until[i] = me.pause_until;
			nd++;
		}
	if (nd > 0 && (rc = db_begin(ck->db)) == DB_OK) {
		for (i = 0; i < *n && rc == DB_OK; i++)
			if (until[i] != 0)
				rc = check_defer(ck->db, &runs[i]->m, until[i]);
		if (rc == DB_OK)
			rc = db_commit(ck->db);
		else
			db_rollback(ck->db);
	}
	if (rc != DB_OK) {
		fprintf(stderr, "uptime-check: checks paused by maintenance "
		    "not put off (%s); they run now\n", rc == DB_BUSY ?
		    "database busy" : "database error");
		free(until);
		return;
	}
	for (i = 0; i < *n; i++)
		if (until[i] != 0)
			run_free(ck, runs[i]);
		else
			runs[k++] = runs[i];
	*n = k;
	free(until);
}

/* Keep the start lag of a check for the next figures. */
static void
note_lag(struct checker *ck, int64_t lag)
{
	int64_t	*nl;
	size_t	 cap;

	if (ck->nlags == ck->caplags) {
		cap = ck->caplags ? ck->caplags * 2 : 1024;
		if ((nl = realloc(ck->lags, cap * sizeof(*nl))) == NULL)
			return;	/* the figures miss it */
		ck->lags = nl;
		ck->caplags = cap;
	}
	ck->lags[ck->nlags++] = lag;
}

/*
 * Write the figures of the checks started since the last report into
 * checker_state (running: 0 for the last one) and say so on stderr, at
 * most every BEHIND_LOG_MS, while the checker is falling behind.
 */
static void
report(struct checker *ck, int running)
{
	struct checker_state	*st = &ck->st;
	int64_t			 real = time_now_ms(), now = now_ms();

	st->running = running;
	st->window_ms = real - st->updated_at;
	st->updated_at = real;
	st->in_flight = (long)probe_loop_active(ck->loop);
	st->waiting = (long)(sched_due_by(ck->sched, now - CHECKER_LATE_MS) +
	    sched_parked(ck->sched));
	checker_state_figures(st, ck->lags, ck->nlags);
	ck->nlags = 0;
	if (checker_state_put(ck->db, st) != DB_OK)
		fprintf(stderr, "uptime-check: cannot write checker_state\n");
	if (!st->behind || real - ck->said < BEHIND_LOG_MS)
		return;
	ck->said = real;
	fprintf(stderr, "uptime-check: falling behind: %ld of %ld checks in "
	    "the last %lld s started more than %d ms late (p99 %ld ms, worst "
	    "%ld ms); %ld due checks waiting; %ld of %ld slots in use\n",
	    st->late, st->checks, (long long)(st->window_ms / 1000),
	    CHECKER_LATE_MS, st->lag_p99_ms, st->lag_max_ms, st->waiting,
	    st->in_flight, st->slots);
}

/* Start the probe of rn now. */
static void
launch(struct checker *ck, struct run *rn)
{
	if (check_prepare(&rn->m, &rn->p, &rn->scratch) == -1) {
		/* Not checkable this way: the probe engine refuses an
		 * empty TCP probe cleanly (invalid_request). */
		memset(&rn->p, 0, sizeof(rn->p));
		rn->p.kind = PROBE_TCP;
	}
	rn->started = now_ms();
	rn->due = rn->m.next_check_at;
	note_lag(ck, rn->started - rn->due);
	rn->next = ck->live;
	if (ck->live != NULL)
		ck->live->prev = rn;
	ck->live = rn;
	/* finished() may run inside, for a probe refused at once. */
	if (probe_loop_start(ck->loop, &rn->p) == -1) {
		unlink_live(ck, rn);	/* out of memory: due again */
		run_free(ck, rn);
	}
}

/*
 * Start what is due, as long as slots are free: read each monitor again
 * (it may have been edited, paused, moved or deleted since it was
 * scheduled), judge the heartbeats, put off what maintenance pauses,
 * and start the probes of the rest.
 */
static void
start_due(struct checker *ck)
{
	struct run		*runs[BATCH], *rn;
	struct sched_item	*it;
	char			 id[ID_MAX], team[ID_MAX];
	size_t			 n = 0, free_slots, i;
	int64_t			 now = now_ms(), due;
	int			 rc;

	free_slots = probe_loop_free_slots(ck->loop);
	while (n < free_slots && n < BATCH &&
	    (it = sched_take(ck->sched, now)) != NULL) {
		if ((rn = calloc(1, sizeof(*rn))) == NULL) {
			sched_done(ck->sched, it);
			break;
		}
		rn->ck = ck;
		rn->it = it;
		rc = monitor_get(ck->db, it->team, it->id, &rn->m);
		/* On PostgreSQL a check starts only under a live lease of
		 * this node's (lapsed: the next look claims it again). */
		if (rc == DB_OK && db_engine(ck->db) == DB_POSTGRES)
			rc = monitor_lease_live(ck->db, ck->node, it->id, now);
		/* Paused, or no longer checked from this host, since. */
		if (rc != DB_OK || rn->m.paused ||
		    !monitor_checked_here(&rn->m)) {
			if (rc != DB_OK && rc != DB_NOTFOUND)
				fprintf(stderr, "uptime-check: cannot read "
				    "monitor %s; it will be tried again\n",
				    it->id);
			run_free(ck, rn);
			continue;
		}
		if ((due = rn->m.next_check_at) > now) {
			/* Moved later since it was scheduled: wait. */
			snprintf(id, sizeof(id), "%s", it->id);
			snprintf(team, sizeof(team), "%s", it->team);
			run_free(ck, rn);
			if (ck->mode != MODE_ONCE && due <= now + AHEAD_MS &&
			    sched_add(ck->sched, id, team, due) == -1)
				break;	/* the next look finds it */
			continue;
		}
		runs[n++] = rn;
	}
	heartbeats(ck, runs, &n);
	put_off(ck, runs, &n);
	for (i = 0; i < n; i++)
		launch(ck, runs[i]);
}

/* sched_add for each due row of the look ahead. */
static int
add_due(const char *id, const char *team, int64_t due, void *arg)
{
	struct checker	*ck = arg;

	if (sched_add(ck->sched, id, team, due) == -1) {
		fprintf(stderr, "uptime-check: out of memory for the "
		    "schedule\n");
		return -1;
	}
	return 0;
}

/* Refill the schedule with what the database says is due by until. */
static void
look_ahead(struct checker *ck, int64_t until)
{
	int	 rc;

	/* Several nodes on one PostgreSQL: each check is claimed. */
	if (db_engine(ck->db) == DB_POSTGRES)
		rc = monitor_claim_due(ck->db, ck->node, now_ms(), until,
		    LEASE_MARGIN_MS, DUE_MAX, add_due, ck);
	else
		rc = monitor_due_soon(ck->db, until, DUE_MAX, add_due, ck);
	if (rc != DB_OK)
		fprintf(stderr, "uptime-check: cannot read the due monitors; "
		    "trying again\n");
}

/*
 * Slots: UPTIME_CHECK_CONCURRENCY, or what the descriptor limit allows
 * once its soft value is raised to the hard one (FD_PER_CHECK for each
 * check, FD_RESERVE kept), at most SLOTS_DEFAULT.  A configured value
 * the limit cannot carry is lowered, with a word.
 */
static size_t
size_slots(void)
{
	struct rlimit	 rl;
	size_t		 fit = 64, want;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur == RLIM_INFINITY ||
		    rl.rlim_cur > (rlim_t)PROBE_MAXCONCURRENCY * FD_PER_CHECK)
			fit = PROBE_MAXCONCURRENCY;
		else if (rl.rlim_cur > FD_RESERVE + FD_PER_CHECK)
			fit = (size_t)(rl.rlim_cur - FD_RESERVE) / FD_PER_CHECK;
		else
			fit = 1;
	}
	if (cfg.check_concurrency == 0)
		return fit < SLOTS_DEFAULT ? fit : SLOTS_DEFAULT;
	want = (size_t)cfg.check_concurrency;
	if (want > fit) {
		fprintf(stderr, "uptime-check: UPTIME_CHECK_CONCURRENCY %zu is "
		    "more than the descriptor limit allows; using %zu\n",
		    want, fit);
		want = fit;
	}
	return want;
}

/* The loop of the schedule; 0, or -1 when the probe loop broke. */
static int
schedule(struct checker *ck)
{
	int64_t		 now, real, wait, start = time_now_ms(), once = 0;
	int64_t		 polled = 0, peeked = start, deadline = INT64_MAX;
	int		 rc = 0, reports = ck->mode != MODE_ONCE;

	if (ck->mode == MODE_CRON)	/* just before the second minute */
		deadline = (start / 60000 + 2) * 60000 - 500;
	if (ck->mode == MODE_ONCE) {
		look_ahead(ck, once = now_ms());
		polled = start;
	}
	ck->flushed = ck->st.started_at = ck->st.updated_at = start;
	while (!stopping) {
		real = time_now_ms();
		if (ck->mode == MODE_CRON) {
			if (real >= deadline)
				break;
			if (real - peeked >= HANDOVER_PEEK_MS) {
				peeked = real;
				if (lock_wanted("check"))
					break;
			}
		}
		if (ck->mode != MODE_ONCE && real - polled >= POLL_MS) {
			polled = real;
			look_ahead(ck, now_ms() + AHEAD_MS);
		} else if (ck->mode == MODE_ONCE && real - polled >= POLL_MS &&
		    db_engine(ck->db) == DB_POSTGRES) {
			/* A pass longer than a lease renews the claims of
			 * what was due at its start and is not done yet (a
			 * lapsed one would be dropped from the pass). */
			polled = real;
			look_ahead(ck, once);
		}
		start_due(ck);
		canary_start(ck, real);
		canary_ended(ck);	/* a round whose canaries all failed */
		if (ck->nout >= BATCH || real - ck->flushed >= FLUSH_MS)
			flush(ck);
		if (reports && real - ck->st.updated_at >= REPORT_MS)
			report(ck, 1);
		if (ck->mode == MODE_ONCE && sched_running(ck->sched) == 0 &&
		    sched_waiting(ck->sched) == 0 &&
		    sched_parked(ck->sched) == 0 && ck->nheld == 0 &&
		    !ck->canary_busy)
			break;
		now = now_ms();
		wait = sched_next_due(ck->sched) - now;
		if (wait > TICK_MS)
			wait = TICK_MS;
		if (wait < 0)	/* due: a batch was full, or no slot is free */
			wait = probe_loop_free_slots(ck->loop) > 0 ? 0 : TICK_MS;
		if (ck->nout > 0 && FLUSH_MS - (real - ck->flushed) < wait)
			wait = FLUSH_MS - (real - ck->flushed);
		if (ck->nheld > 0 && !ck->canary_busy &&
		    CANARY_GAP_MS - (real - ck->canary_at) < wait)
			wait = CANARY_GAP_MS - (real - ck->canary_at);
		if (probe_loop_wait(ck->loop, (int)(wait < 0 ? 0 : wait)) ==
		    -1) {
			fprintf(stderr, "uptime-check: the probe loop broke; "
			    "the checks in flight are due again\n");
			rc = -1;
			break;
		}
	}
	flush(ck);
	if (reports)
		report(ck, 0);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: uptime-check [--loop | --once] [--now TIME]\n"
	    "--now TIME  pretend the time is TIME (RFC 3339), for tests\n");
	return 2;
}

int
main(int argc, char **argv)
{
	char			 host[256], folder[1024];
	struct checker		 ck;
	struct probe_opts	 o;
	struct sigaction	 sa;
	struct run		*rn;
	char			 err[1024];
	int			 loop = 0, once = 0, has_now = 0, lock, i;
	int			 rc = 0;
	int64_t			 now;
	size_t			 team_cap;
	long			 ncpu;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--loop") == 0 && !loop && !once)
			loop = 1;
		else if (strcmp(argv[i], "--once") == 0 && !once && !loop)
			once = 1;
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
	memset(&ck, 0, sizeof(ck));
	ck.mode = loop ? MODE_LOOP : once || has_now ? MODE_ONCE : MODE_CRON;
	if (config_load(err, sizeof(err)) == -1 ||
	    owner_adopt(argv, err, sizeof(err)) == -1) {
		fprintf(stderr, "uptime-check: %s\n", err);
		return 1;
	}
	lock = ck.mode == MODE_CRON ? lock_take_over("check",
	    HANDOVER_WAIT_MS, err, sizeof(err)) :
	    lock_take("check", err, sizeof(err));
	if (lock != 1) {
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
	if ((ck.db = db_open(cfg.db, 1, err, sizeof(err))) == NULL) {
		config_blame("UPTIME_DB", err, sizeof(err));
		fprintf(stderr, "uptime-check: %s\n", err);
		return 1;
	}
	/* The node: this host and its data folder (two nodes may share a
	 * host in a test). */
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	owner_data_folder(folder, sizeof(folder));
	snprintf(ck.node, sizeof(ck.node), "%s:%s", host, folder);
	memset(&sa, 0, sizeof(sa));	/* no SA_RESTART: a wait ends */
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (canary_setup(&ck.cn, cfg.canary_urls, err, sizeof(err)) == -1) {
		fprintf(stderr, "uptime-check: UPTIME_CANARY_URLS: %s\n", err);
		return 1;
	}
	ck.slots = size_slots();
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	ck.child_cap = ncpu > 1 ? (size_t)ncpu : 1;
	team_cap = cfg.check_team_concurrency > 0 ?
	    (size_t)cfg.check_team_concurrency : (ck.slots + 3) / 4;
	ck.st.slots = (long)ck.slots;
	ck.st.team_slots = (long)team_cap;
	memset(&o, 0, sizeof(o));
	o.concurrency = (int)ck.slots;
	o.allow_private = cfg.allow_private;
	o.dns_servers = cfg.dns_servers[0] ? cfg.dns_servers : NULL;
	o.ca_file = cfg.ca_file[0] ? cfg.ca_file : NULL;
	o.done = finished;
	o.done_arg = &ck;
	if ((ck.sched = sched_new(team_cap)) == NULL ||
	    (ck.loop = probe_loop_new(&o)) == NULL) {
		fprintf(stderr, "uptime-check: cannot set up the checks (out "
		    "of memory, or a bad UPTIME_DNS_SERVERS)\n");
		rc = 1;
	} else if (schedule(&ck) == -1)
		rc = 1;

	/* What is still in flight is not recorded: it stays due, and so
	 * do the failures still waiting for canaries. */
	probe_loop_close(ck.loop);
	while ((rn = ck.live) != NULL) {
		ck.live = rn->next;
		run_free(&ck, rn);
	}
	runs_drop(&ck, ck.held, ck.nheld);
	runs_drop(&ck, ck.judging, ck.njudging);
	canary_clear(&ck.cn);
	free(ck.held);
	free(ck.judging);
	free(ck.out);
	free(ck.lags);
	sched_free(ck.sched);
	db_close(ck.db);
	curl_global_cleanup();
	return rc;
}
