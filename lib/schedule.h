/*
 * The checker's schedule in memory (cron/uptime-check, docs/checker.md):
 * the monitors due soon, by due time, in a binary heap; the ones whose
 * checks are in flight; and per team, how many of its checks are in
 * flight and which of its due checks wait because it is at its cap.
 *
 * It knows ids, teams and times only: no database, no network.  The
 * checker adds what the database says is due soon (sched_add, as often
 * as it likes: known monitors are not added twice), takes what is due
 * when a slot is free (sched_take), says when its check has ended
 * (sched_ended: the team's share has room again, while its result waits
 * to be written) and gives each taken item back when its result is
 * written or it was not checked after all (sched_done).
 *
 * Fairness: a team never has more than team_cap checks in flight.  A
 * due item of a team at its cap is parked in that team's queue (oldest
 * first) and put back in the heap when one of the team's checks ends,
 * so one team's hanging targets hold at most team_cap slots while every
 * other team's checks start on time.
 *
 * Ownership: the schedule owns its items; a pointer sched_take returns
 * stays valid until sched_done is called with it.
 */
#ifndef SCHEDULE_H
#define SCHEDULE_H

#include "base.h"

struct sched;

struct sched_item {
	char		 id[ID_MAX];	/* the monitor */
	char		 team[ID_MAX];
	int64_t		 due;		/* ms */
};

/* A schedule; team_cap 0: no cap.  NULL when out of memory. */
struct sched	*sched_new(size_t team_cap);
void		 sched_free(struct sched *);

/*
 * Add a monitor due at due.  1 added; 0 when it is known already (in
 * flight, parked or waiting: a waiting one takes the new due time, so
 * a check made due sooner moves up); -1 out of memory.
 */
int		 sched_add(struct sched *, const char *id, const char *team,
		    int64_t due) WUR;

/*
 * The waiting item due earliest, if it is due at now and its team is
 * under its cap; it is then in flight.  Due items of teams at their cap
 * are parked on the way.  NULL when nothing can start now.
 */
struct sched_item *sched_take(struct sched *, int64_t now);

/*
 * A taken item's check has ended and its result waits to be written: it
 * no longer counts as in flight (its team's oldest parked item goes back
 * to the heap) but stays known, so it is not added again, until
 * sched_done.
 */
void		 sched_ended(struct sched *, struct sched_item *);
/* A taken item is over (written, or dropped): forget it. */
void		 sched_done(struct sched *, struct sched_item *);

/* Is the monitor known (waiting, parked or in flight)? */
int		 sched_known(const struct sched *, const char *id);

/* The due time of the earliest waiting item, or INT64_MAX. */
int64_t		 sched_next_due(const struct sched *);

/* Waiting items (not parked) due at or before t. */
size_t		 sched_due_by(const struct sched *, int64_t t);
/* Items waiting in the heap, parked, and in flight. */
size_t		 sched_waiting(const struct sched *);
size_t		 sched_parked(const struct sched *);
size_t		 sched_running(const struct sched *);
/* In flight for one team (0 for a team it has not seen). */
size_t		 sched_team_running(const struct sched *, const char *team);

#endif /* SCHEDULE_H */
