/*
 * One instance at a time for the background programs: an exclusive,
 * non-blocking flock(2) on a file beside the database.  The descriptor
 * is left open on purpose: the lock lives as long as the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "uptime.h"
#include "owner.h"

int
lock_take(const char *name, char *err, size_t errlen)
{
	char	 path[1100];
	int	 fd, held;

	snprintf(path, sizeof(path), "%s.%s.lock", cfg.db, name);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		if (!owner_explain("the lock file", path, OWNER_WRITE, err,
		    errlen))
			snprintf(err, errlen, "cannot open %s: %s", path,
			    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		held = errno == EWOULDBLOCK;
		snprintf(err, errlen, "cannot lock %s: %s", path,
		    strerror(errno));
		close(fd);
		return held ? 0 : -1;
	}
	return 1;
}
