/*
 * recurrence.c: the occurrences of a maintenance window (the rules in
 * maintwindow.h), found in the window's time zone.  Pure: no database;
 * the early ends kept in the database come in through a callback.  See
 * docs/lib/recurrence.md.
 *
 * Expansion sets TZ while it works and restores it (lib/cronexpr.c's
 * helpers): not for threaded programs.
 */
#ifndef RECURRENCE_H
#define RECURRENCE_H

#include "maintwindow.h"

/*
 * The occurrence of w active at t (returns 1), or else the next one
 * (returns 0), into *occ, with w's latest early end and its cancellation
 * applied; -1 when there is none (finished, cancelled, or a bad time
 * zone).
 */
int	 maint_occurrence(const struct maint_window *, int64_t t,
	    struct maint_occ *occ);
/* The state of w at now. */
enum maint_state maint_state(const struct maint_window *, int64_t now);
/*
 * The planned occurrences of w that overlap [from, to), earliest first,
 * at most max of them, into out; early ends and cancellation are not
 * applied.  Returns the number written, or -1 for a bad time zone.
 */
int	 maint_expand(const struct maint_window *, int64_t from, int64_t to,
	    struct maint_occ *out, size_t max);
/*
 * The end of w's last occurrence (early end included), MAINT_FOREVER
 * when it recurs without end, or 0 when it has no occurrence at all.
 */
int64_t	 maint_horizon(const struct maint_window *);

/*
 * maint_occurrence with early(w, start, arg) giving the early end of the
 * occurrence that starts at start (0 for none) instead of w's latest
 * early end: for times before it.  Not remembered.
 */
int	 maint_occurrence_with(const struct maint_window *, int64_t t,
	    int64_t (*early)(const struct maint_window *, int64_t start,
	    void *), void *arg, struct maint_occ *occ);
/*
 * Clip o by w's cancellation and by early, the occurrence's early end (0
 * for none).  0, or -1 when nothing of it is left.
 */
int	 maint_occ_clip(const struct maint_window *, int64_t early,
	    struct maint_occ *o);
/*
 * The weekday (Monday 0) of the local date of a recurring window's
 * starts_at, into *wday0.  0, or -1 for a zone that cannot be set.
 */
int	 maint_first_weekday(const struct maint_window *, int *wday0);
/*
 * The shortest time between two occurrence starts of w, in days of
 * local time, wday0 its first weekday: a recurring window must not be
 * longer.
 */
int64_t	 maint_min_gap_days(const struct maint_window *, int wday0);

#endif /* RECURRENCE_H */
