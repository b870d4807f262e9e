/*
 * One instance at a time for the background programs: an exclusive,
 * non-blocking flock(2) on a file beside the database (beside the secret
 * file on PostgreSQL).  The descriptor is left open on purpose: the lock
 * lives as long as the process.
 *
 * The hand-over (uptime-check from cron: each minute's instance takes
 * over from the one before) adds a second lock file, the queue: the
 * newcomer holds it while it waits for the main lock, so the holder can
 * see that someone waits (lock_wanted) and let go.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "lock.h"
#include "owner.h"

#define LOCK_STEP_MS	20	/* how often a waiter tries again */
#define LOCK_QUEUE_TRIES 5	/* tries for the queue (the holder peeks) */

/*
 * Where the lock files go: beside the database file, or, when UPTIME_DB
 * is a PostgreSQL URI (no file on this host), beside the secret file,
 * this host's own folder.
 */
static const char *
lock_beside(void)
{
	return strncmp(cfg.db, "postgresql://", 13) == 0 ||
	    strncmp(cfg.db, "postgres://", 11) == 0 ? cfg.secret_file : cfg.db;
}

/* Open "<lock_beside>.<name><suffix>.lock"; the descriptor, or -1. */
static int
lock_open(const char *name, const char *suffix, char *path, size_t pathlen,
    char *err, size_t errlen)
{
	int	 fd;

	snprintf(path, pathlen, "%s.%s%s.lock", lock_beside(), name, suffix);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 &&
	    !owner_explain("the lock file", path, OWNER_WRITE, err, errlen))
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
	return fd;
}

static void
lock_nap(void)
{
	struct timespec	 ts = { 0, LOCK_STEP_MS * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

int
lock_take(const char *name, char *err, size_t errlen)
{
	char	 path[1100];
	int	 fd, held;

	if ((fd = lock_open(name, "", path, sizeof(path), err, errlen)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		held = errno == EWOULDBLOCK;
		snprintf(err, errlen, "cannot lock %s: %s", path,
		    strerror(errno));
		close(fd);
		return held ? 0 : -1;
	}
	return 1;
}

int
lock_take_over(const char *name, int wait_ms, char *err, size_t errlen)
{
	char	 path[1100];
	int	 rc, q, i, waited;

	if ((rc = lock_take(name, err, errlen)) != 0)
		return rc;
	if ((q = lock_open(name, ".next", path, sizeof(path), err,
	    errlen)) == -1)
		return -1;
	/* The holder takes the queue for a moment when it peeks. */
	for (i = 0; flock(q, LOCK_EX | LOCK_NB) == -1; i++) {
		if (errno != EWOULDBLOCK || i + 1 >= LOCK_QUEUE_TRIES) {
			rc = errno == EWOULDBLOCK ? 0 : -1;
			snprintf(err, errlen, "cannot lock %s: %s", path,
			    strerror(errno));
			close(q);
			return rc;
		}
		lock_nap();
	}
	for (waited = 0; (rc = lock_take(name, err, errlen)) == 0 &&
	    waited < wait_ms; waited += LOCK_STEP_MS)
		lock_nap();
	close(q);	/* leaves the queue to the next one */
	return rc;
}

int
lock_wanted(const char *name)
{
	char	 path[1100], err[8];
	int	 q, wanted;

	if ((q = lock_open(name, ".next", path, sizeof(path), err,
	    sizeof(err))) == -1)
		return 0;
	wanted = flock(q, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(q);
	return wanted;
}
