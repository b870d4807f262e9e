/*
 * lock.c: one instance of a background program.
 */
#ifndef LOCK_H
#define LOCK_H

#include "base.h"

/*
 * Take the exclusive lock "$UPTIME_DB.<name>.lock" (on PostgreSQL,
 * "$UPTIME_SECRET_FILE.<name>.lock", a file of this host) without
 * waiting: 1 taken (held until the process ends), 0 held by another
 * process, -1 an error (message in err).
 */
int	 lock_take(const char *name, char *err, size_t errlen);
/*
 * A hand-over: take the lock as lock_take does, or, when another process
 * holds it, queue up on "$UPTIME_DB.<name>.next.lock" and wait up to
 * wait_ms for the holder to let it go (it asks lock_wanted).  One
 * process queues at a time: another one finding the queue taken gets 0
 * at once, as it does when the wait runs out.  Same returns as
 * lock_take.
 */
int	 lock_take_over(const char *name, int wait_ms, char *err,
	    size_t errlen);
/* Is a process queued in lock_take_over for name?  1 yes, 0 no. */
int	 lock_wanted(const char *name);

#endif /* LOCK_H */
