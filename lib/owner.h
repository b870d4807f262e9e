/*
 * Who the files belong to.  The data folder is the folder holding
 * UPTIME_DB; whoever owns it owns the database, its WAL, the secret, the
 * rate-limit table and the lock files, and the programs run as that
 * user.  See docs/lib/owner.md.
 */
#ifndef OWNER_H
#define OWNER_H

#include <stddef.h>

#include "base.h"

enum owner_need {
	OWNER_READ,		/* read the file */
	OWNER_WRITE		/* read and write it, and make files beside it */
};

/*
 * For uptime-admin and the cron programs, after config_load() and before
 * they open any file.  Run as root on a data folder that belongs to
 * another user, the process becomes that user (its group and
 * supplementary groups too) and says so on stderr, so that every file it
 * makes is that user's.  As anyone else, or on a folder of root's or one
 * that does not exist yet, nothing changes.  argv is kept for the
 * "runuser" command owner_explain() may suggest.  0, or -1 with a message
 * in err when the switch failed (the process must then stop).
 */
int	 owner_adopt(char **argv, char *err, size_t errlen) WUR;

/*
 * After this process failed to open path (what says what it is, as in
 * "the database"): when a file or folder on the way does not let this
 * process's user do what need says, write "cannot open WHAT PATH:
 * permission denied: ..." naming that file or folder, its owner and mode,
 * the user this process runs as and the command that fixes it into err,
 * and return 1.  With OWNER_WRITE the folder must be writable, and
 * SQLite's PATH-wal and PATH-shm are looked at too.  0 when nothing is
 * in the way: the caller gives its own message.
 */
int	 owner_explain(const char *what, const char *path,
	    enum owner_need need, char *err, size_t errlen);

/* The data folder, the folder of UPTIME_DB, into out. */
void	 owner_data_folder(char *out, size_t outlen);

#endif /* OWNER_H */
