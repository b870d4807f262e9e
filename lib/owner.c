/*
 * Who the files belong to: the programs that may choose their user
 * (uptime-admin and the cron programs) become the owner of the data
 * folder when started as root, and every program explains a file it may
 * not use by naming that file, its owner and mode, its own user and the
 * command that fixes it.  See owner.h and docs/lib/owner.md.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "owner.h"

#define OWNER_NAMELEN	64
#define OWNER_CMDLEN	512

/* The command line owner_adopt() was given, quoted for a shell; empty
 * in a program that cannot choose its user (the web server does). */
static char	 command[OWNER_CMDLEN];

void
owner_data_folder(char *out, size_t outlen)
{
	char	 copy[sizeof(cfg.db)];

	/* A PostgreSQL database (a URI) has no folder here: the node's
	 * own files are beside its server secret. */
	snprintf(copy, sizeof(copy), "%s", strstr(cfg.db, "://") != NULL ?
	    cfg.secret_file : cfg.db);
	snprintf(out, outlen, "%s", dirname(copy));
}

/* A user's name, or "uid N" for a uid with no name. */
static void
user_name(uid_t uid, char *out, size_t outlen)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) != NULL)
		snprintf(out, outlen, "%s", pw->pw_name);
	else
		snprintf(out, outlen, "uid %u", (unsigned)uid);
}

/* Append s to command, quoted for sh when it needs it. */
static void
command_add(const char *s)
{
	static const char	 plain[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+./:=,@%";
	size_t			 n = strlen(command);

	if (n > 0 && n < sizeof(command) - 1)
		command[n++] = ' ';
	if (*s != '\0' && strspn(s, plain) == strlen(s)) {
		snprintf(command + n, sizeof(command) - n, "%s", s);
		return;
	}
	if (n < sizeof(command) - 1)
		command[n++] = '\'';
	for (; *s != '\0' && n < sizeof(command) - 5; s++) {
		if (*s == '\'') {
			memcpy(command + n, "'\\''", 4);
			n += 4;
		} else
			command[n++] = *s;
	}
	snprintf(command + n, sizeof(command) - n, "'");
}

int
owner_adopt(char **argv, char *err, size_t errlen)
{
	struct passwd	*pw;
	struct stat	 sb;
	char		 folder[PATH_MAX], name[OWNER_NAMELEN];
	gid_t		 gid;
	int		 i;

	command[0] = '\0';
	for (i = 0; argv[i] != NULL; i++)
		command_add(argv[i]);
	if (geteuid() != 0)
		return 0;
	owner_data_folder(folder, sizeof(folder));
	if (stat(folder, &sb) == -1 || sb.st_uid == 0)
		return 0;
	user_name(sb.st_uid, name, sizeof(name));
	pw = getpwuid(sb.st_uid);
	gid = pw != NULL ? pw->pw_gid : sb.st_gid;
	if (setgid(gid) == -1 || (pw != NULL ? initgroups(name, gid) :
	    setgroups(1, &gid)) == -1 || setuid(sb.st_uid) == -1) {
		snprintf(err, errlen, "cannot become %s, the owner of the data "
		    "folder %s: %s", name, folder, strerror(errno));
		return -1;
	}
	/* As if that user had started the program: changing users made the
	 * process undumpable, which would keep the user's own tools (and
	 * LeakSanitizer) from looking at it. */
	(void)prctl(PR_SET_DUMPABLE, 1);
	fprintf(stderr, "%s: running as %s, the owner of the data folder %s\n",
	    program_invocation_short_name, name, folder);
	return 0;
}

/* This process may not do mode (access(2)'s) with path. */
static int
denied(const char *path, int mode)
{
	return eaccess(path, mode) == -1 && (errno == EACCES ||
	    errno == EPERM);
}

/*
 * The first file or folder that keeps this process from doing what need
 * says with path, into out: every folder on the way must be searchable,
 * the file (when there) readable, or writable too, and for OWNER_WRITE
 * its folder writable and SQLite's files beside it usable.  0 found, -1
 * nothing in the way.
 */
static int
in_way(const char *path, enum owner_need need, char *out, size_t outlen)
{
	static const char *const beside[] = { "-wal", "-shm" };
	char	 p[PATH_MAX + 8], copy[PATH_MAX + 8];
	size_t	 i;
	int	 mode = need == OWNER_WRITE ? R_OK | W_OK : R_OK;

	for (i = 1; path[i] != '\0'; i++) {
		if (path[i] != '/' || i >= sizeof(p))
			continue;
		snprintf(p, sizeof(p), "%.*s", (int)i, path);
		if (denied(p, X_OK))
			goto found;
	}
	snprintf(p, sizeof(p), "%s", path);
	if (access(p, F_OK) == 0 && denied(p, mode))
		goto found;
	if (need == OWNER_READ)
		return -1;
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(p, sizeof(p), "%s", dirname(copy));
	if (denied(p, W_OK | X_OK))
		goto found;
	for (i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, beside[i]);
		if (access(p, F_OK) == 0 && denied(p, R_OK | W_OK))
			goto found;
	}
	return -1;
found:
	snprintf(out, outlen, "%s", p);
	return 0;
}

/*
 * The command that lets this process use culprit: run the program as the
 * data folder's owner when it is not that user (and could be), else give
 * the data folder (or the file outside it) to this process's user.
 */
static void
fix_for(const char *culprit, char *out, size_t outlen)
{
	struct passwd	*pw;
	struct stat	 sb;
	char		 folder[PATH_MAX], me[OWNER_NAMELEN];
	size_t		 n;

	owner_data_folder(folder, sizeof(folder));
	if (command[0] != '\0' && stat(folder, &sb) == 0 &&
	    sb.st_uid != geteuid() && sb.st_uid != 0 &&
	    (pw = getpwuid(sb.st_uid)) != NULL) {
		snprintf(out, outlen, "runuser -u %s -- %s (the data folder "
		    "%s is %s's)", pw->pw_name, command, folder, pw->pw_name);
		return;
	}
	if ((pw = getpwuid(geteuid())) != NULL)
		snprintf(me, sizeof(me), "%s:", pw->pw_name);
	else
		snprintf(me, sizeof(me), "%u:%u", (unsigned)geteuid(),
		    (unsigned)getegid());
	n = strlen(folder);
	if (strcmp(culprit, folder) == 0 || (strncmp(culprit, folder, n) ==
	    0 && culprit[n] == '/'))
		snprintf(out, outlen, "chown -R %s %s", me, folder);
	else
		snprintf(out, outlen, "chown %s %s", me, culprit);
}

int
owner_explain(const char *what, const char *path, enum owner_need need,
    char *err, size_t errlen)
{
	struct stat	 sb;
	char		 culprit[PATH_MAX + 8], owner[OWNER_NAMELEN];
	char		 me[OWNER_NAMELEN], fix[PATH_MAX + OWNER_CMDLEN + 128];
	char		 which[sizeof(culprit) + 16];
	int		 saved = errno;

	/* The caller's errno is kept for the caller's own message. */
	if (in_way(path, need, culprit, sizeof(culprit)) == -1 ||
	    stat(culprit, &sb) == -1) {
		errno = saved;
		return 0;
	}
	user_name(sb.st_uid, owner, sizeof(owner));
	user_name(geteuid(), me, sizeof(me));
	fix_for(culprit, fix, sizeof(fix));
	if (strcmp(culprit, path) == 0)
		snprintf(which, sizeof(which), "it");
	else
		snprintf(which, sizeof(which), "the %s %s",
		    S_ISDIR(sb.st_mode) ? "folder" : "file", culprit);
	snprintf(err, errlen, "cannot open %s %s: permission denied: %s "
	    "belongs to %s, mode %04o, and %s runs as %s; fix: %s", what,
	    path, which, owner, (unsigned)(sb.st_mode & 07777),
	    program_invocation_short_name, me, fix);
	errno = saved;
	return 1;
}
