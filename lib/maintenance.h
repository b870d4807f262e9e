/*
 * Maintenance windows: the struct, its JSON both ways, validation, all of
 * its SQL, and the one question every effect asks: "is this monitor in
 * maintenance at time t" (maint_at).  The expansion of recurring windows
 * in their time zone is recurrence.h.  See docs/lib/maintenance.md.
 *
 * A window's first occurrence is [starts_at, ends_at).  A recurring one
 * repeats on the days its rule picks, counted in its IANA time zone from
 * the local date of starts_at: each occurrence starts at the local
 * wall-clock time of starts_at and lasts ends_at - starts_at.  A start
 * that falls in a skipped spring hour moves forward by the skip (02:30
 * becomes 03:30); one in a repeated autumn hour is its first pass (RFC
 * 5545).  Weekly windows fall on the weekdays of by_weekday on or after
 * the first local date; monthly windows on the day of the month of
 * starts_at, or the month's last day when it is shorter.  until bounds
 * occurrence starts (inclusive).  An occurrence ended early ends then; a
 * cancelled window has nothing at or after cancelled_at.
 *
 * Who uses what:
 *   cgi-bin/maintenance.c   maint_apply, maint_json, maint_insert, ...
 *   lib/check.c             maint_at: events suppressed, outages during
 *                           maintenance
 *   cron/uptime-check.c     maint_any_pausing, maint_at: checks paused
 *   lib/monitor.c           the SQL function uptime_in_maintenance()
 *                           (maint_sql_register, in sqlfunc.c's table
 *                           that db_open registers):
 *                           status "maintenance", filters and counts
 *   lib/rollup.c            maint_spans: maintenanceSeconds
 *   status pages            maint_list_public
 *
 * Times are ms since the epoch; 0 is "none".  Expansion sets TZ while it
 * works and restores it (lib/cronexpr.c's helpers): not for threaded
 * programs.
 */
#ifndef MAINTENANCE_H
#define MAINTENANCE_H

#include "base.h"
#include "db.h"
#include "json.h"
#include "maintwindow.h"
#include "page.h"

extern const char *const maint_freq_names[MAINT_FREQ__MAX];
extern const char *const maint_state_names[MAINT_STATE__MAX];

/* "MO".."SU": bit i of by_weekday is maint_day_names[i]. */
extern const char *const maint_day_names[7];

/* The members of a window's API object; read-only ones marked. */
extern const struct jfield maint_fields[];

/* What maint_at answers for one monitor at one time. */
struct maint_effect {
	int		 active;	/* some window covers it */
	int		 suppress_alerts;	/* one of them suppresses alerts */
	int		 pause_checks;	/* one of them pauses checks */
	char		 window_id[ID_MAX];	/* the one ending last, or "" */
	int64_t		 ends_at;	/* when the last of them ends */
	int64_t		 pause_until;	/* when the last pausing one ends */
};

/* A window as status pages show it: its current or next occurrence. */
struct maint_public {
	const char	*window_id;
	const char	*title;
	const char	*description;	/* NULL when none */
	int64_t		 starts_at;	/* of the occurrence */
	int64_t		 ends_at;
	int		 active;	/* the occurrence has started */
	int		 all_monitors;	/* every monitor of the team */
	size_t		 nmonitors;	/* else these */
	const char	*const *monitor_ids;
};

/* ---- the struct and its JSON ---- */

/* Defaults: UTC, once, suppress alerts, show on status pages. */
void	 maint_init(struct maint_window *, int64_t now);

/*
 * Apply the members of body to w (all of them when creating, only those
 * given for PATCH) and validate the result; errors go to v, each naming
 * its field (/recurrence/byWeekday/1, /monitorIds/2).  monitorIds must be
 * monitors of w->team_id, looked up in db.  On success w->horizon is set.
 */
void	 maint_apply(struct db *, struct maint_window *, const cJSON *body,
	    int creating, struct verrs *v);

/* The API object as seen at now; caller owns it. */
cJSON	*maint_json(const struct maint_window *, int64_t now);

/* ---- storage ---- */

int	 maint_insert(struct db *, struct maint_window *);
/* Store every field of w; DB_OK or DB_NOTFOUND. */
int	 maint_update(struct db *, struct maint_window *);
/* By id within a team; DB_OK or DB_NOTFOUND. */
int	 maint_get(struct db *, const char *team, const char *id,
	    struct maint_window *);
/*
 * Call fn for each window of the team in state (-1: any) at now, newest
 * first, after the page's cursor, at most limit of them.  DB_* code.
 */
int	 maint_list(struct db *, const char *team, int state, struct lister *);
/* Cancel w at now (a cancelled window stays cancelled).  DB_* code. */
int	 maint_cancel(struct db *, struct maint_window *, int64_t now);
/*
 * End every occurrence of w active at now.  DB_OK, DB_CONFLICT when none
 * is active, or another DB_* code.
 */
int	 maint_end(struct db *, struct maint_window *, int64_t now);
/*
 * The monitors of w whose checks were put off past now by a window that
 * paused them become due at now (after w ended early, was cancelled or
 * changed; a window still pausing them puts them off again).
 */
int	 maint_release(struct db *, const struct maint_window *, int64_t now);

/* ---- the effects ---- */

/*
 * Is monitor_id in maintenance at t?  Fills *e from every window of the
 * team (team_id, or the monitor's own team when NULL) that covers the
 * monitor and has an occurrence active at t.  DB_OK (e->active 0 when
 * none) or another DB_* code.
 */
int	 maint_at(struct db *, const char *team_id, const char *monitor_id,
	    int64_t t, struct maint_effect *e);
/* *any = 1 when some window of any team pauses checks at now.  DB_*. */
int	 maint_any_pausing(struct db *, int64_t now, int *any);
/*
 * The monitor's maintenance within [from, to): the occurrences of the
 * windows covering it (early ends and cancellations applied) clipped to
 * [from, to), merged, earliest first, at most max (extra ones are
 * dropped, with a line on stderr).  team_id NULL: the monitor's team.
 * DB_* code.
 */
int	 maint_spans(struct db *, const char *team_id, const char *monitor_id,
	    int64_t from, int64_t to, struct maint_occ *out, size_t max,
	    size_t *n);
/*
 * For status pages: each window of the team with showOnStatusPage that
 * is active at now or has an occurrence to come, with that occurrence
 * (the current one, else the next), earliest start first, at most
 * MAINT_MAXPUBLIC.  fn gets borrowed pointers valid during the call; a
 * -1 from fn stops the walk (DB_ERROR).  DB_* code.
 */
int	 maint_list_public(struct db *, const char *team_id, int64_t now,
	    int (*fn)(const struct maint_public *, void *), void *arg);

/*
 * Register the SQL function uptime_in_maintenance(team_id, monitor_id):
 * 1 when maint_at says the monitor is in maintenance now, else 0.  Called
 * by db_open for every connection.  0 or -1.
 */
int	 maint_sql_register(struct db *) WUR;

#endif /* MAINTENANCE_H */
