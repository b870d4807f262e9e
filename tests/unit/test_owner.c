/*
 * Unit tests of lib/owner.c: root on a data folder of another user's
 * becomes that user, and stays root on its own folder or a missing one;
 * a file this process may not use is explained by its path, owner and
 * mode, the process's user and the fix (chown, or runuser for a program
 * run by the wrong user).  Changing users needs root: run as anyone
 * else, those tests say so and pass.  Each runs in a child process,
 * since a user once left is not got back.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uptime.h"
#include "owner.h"
#include "unit.h"

static char	 dir[64];
static uid_t	 nobody_uid;
static gid_t	 nobody_gid;

/* Run fn in a child; its checks count as this test's. */
static void
in_child(void (*fn)(void))
{
	pid_t	 pid;
	int	 status = -1;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		unit_current_failed = 0;
		fn();
		fflush(NULL);
		_exit(unit_current_failed);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A fresh folder under dir, owned by uid:gid, mode 0700. */
static void
folder(const char *name, uid_t uid, gid_t gid, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", dir, name);
	CHECK(mkdir(out, 0700) == 0);
	CHECK(chown(out, uid, gid) == 0);
	snprintf(cfg.db, sizeof(cfg.db), "%s/uptime.db", out);
}

static int
is_root(const char *test)
{
	if (geteuid() == 0 && nobody_uid != 0)
		return 1;
	printf("   %s needs root and the user nobody: skipped\n", test);
	return 0;
}

static char	 prog[] = "uptime-check";
static char	*argv_check[] = { prog, NULL };

static void
adopt_and_write(void)
{
	char	 err[512], path[1100];
	int	 fd;

	CHECK_INT(owner_adopt(argv_check, err, sizeof(err)), 0);
	CHECK_INT(geteuid(), nobody_uid);
	CHECK_INT(getuid(), nobody_uid);
	CHECK_INT(getegid(), nobody_gid);
	/* What it makes is the folder owner's. */
	snprintf(path, sizeof(path), "%s.check.lock", cfg.db);
	CHECK((fd = open(path, O_RDWR | O_CREAT, 0600)) != -1);
	close(fd);
	/* No way back. */
	CHECK(setuid(0) == -1);
}

static void
test_owner_adopt_becomes_the_folder_owner(void)
{
	struct stat	 sb;
	char		 d[128], path[1100];

	if (!is_root(__func__))
		return;
	folder("adopt", nobody_uid, nobody_gid, d, sizeof(d));
	in_child(adopt_and_write);
	snprintf(path, sizeof(path), "%s/uptime.db.check.lock", d);
	CHECK(stat(path, &sb) == 0);
	CHECK_INT(sb.st_uid, nobody_uid);
	CHECK_INT(sb.st_gid, nobody_gid);
}

static void
adopt_stays_root(void)
{
	char	 err[512];

	CHECK_INT(owner_adopt(argv_check, err, sizeof(err)), 0);
	CHECK_INT(geteuid(), 0);
}

static void
test_owner_adopt_keeps_root_on_roots_or_no_folder(void)
{
	char	 d[128];

	if (!is_root(__func__))
		return;
	folder("roots", 0, 0, d, sizeof(d));
	in_child(adopt_stays_root);
	snprintf(cfg.db, sizeof(cfg.db), "%s/missing/uptime.db", dir);
	in_child(adopt_stays_root);
}

/* Leave root for nobody, as a web server starts its programs. */
static void
become_nobody(void)
{
	CHECK(setgid(nobody_gid) == 0 && setgroups(0, NULL) == 0 &&
	    setuid(nobody_uid) == 0);
}

static char	 secret[1100];

static void
explain_secret(void)
{
	char	 err[1024], want[2048];

	become_nobody();
	CHECK(open(secret, O_RDONLY) == -1 && errno == EACCES);
	errno = EACCES;
	CHECK_INT(owner_explain("the server secret", secret, OWNER_READ, err,
	    sizeof(err)), 1);
	CHECK_INT(errno, EACCES);
	snprintf(want, sizeof(want), "cannot open the server secret %s: "
	    "permission denied: it belongs to root, mode 0600, and "
	    "test_owner runs as nobody; fix: chown -R nobody: %s/explain",
	    secret, dir);
	CHECK_STR(err, want);
}

static void
test_owner_explain_negative_roots_secret(void)
{
	char	 d[128];
	int	 fd;

	if (!is_root(__func__))
		return;
	folder("explain", nobody_uid, nobody_gid, d, sizeof(d));
	snprintf(secret, sizeof(secret), "%s/secret", d);
	CHECK((fd = open(secret, O_WRONLY | O_CREAT, 0600)) != -1);
	close(fd);
	in_child(explain_secret);
}

static void
explain_folder(void)
{
	char	 err[1024], path[1100], want[2048];

	become_nobody();
	snprintf(path, sizeof(path), "%s.check.lock", cfg.db);
	CHECK_INT(owner_explain("the lock file", path, OWNER_WRITE, err,
	    sizeof(err)), 1);
	snprintf(want, sizeof(want), "cannot open the lock file %s: "
	    "permission denied: the folder %s/rootfolder belongs to root, "
	    "mode 0755, and test_owner runs as nobody; fix: chown -R nobody: "
	    "%s/rootfolder", path, dir, dir);
	CHECK_STR(err, want);
}

static void
test_owner_explain_negative_roots_folder(void)
{
	char	 d[128];

	if (!is_root(__func__))
		return;
	folder("rootfolder", 0, 0, d, sizeof(d));
	CHECK(chmod(d, 0755) == 0);
	in_child(explain_folder);
}

/* A program that could choose its user, run by the wrong one. */
static void
explain_runuser(void)
{
	static char	 now[] = "--now", quote[] = "it's";
	char		*argv[] = { prog, now, quote, NULL };
	struct passwd	*pw = getpwnam("daemon");
	char		 err[1024], path[1100], want[2048];

	CHECK(pw != NULL && setgid(pw->pw_gid) == 0 &&
	    setgroups(0, NULL) == 0 && setuid(pw->pw_uid) == 0);
	CHECK_INT(owner_adopt(argv, err, sizeof(err)), 0);
	CHECK_INT(geteuid(), pw->pw_uid);
	snprintf(path, sizeof(path), "%s.check.lock", cfg.db);
	CHECK_INT(owner_explain("the lock file", path, OWNER_WRITE, err,
	    sizeof(err)), 1);
	snprintf(want, sizeof(want), "cannot open the lock file %s: "
	    "permission denied: the folder %s/theirs belongs to nobody, mode "
	    "0700, and test_owner runs as daemon; fix: runuser -u nobody -- "
	    "uptime-check --now 'it'\\''s' (the data folder %s/theirs is "
	    "nobody's)", path, dir, dir);
	CHECK_STR(err, want);
}

static void
test_owner_explain_negative_wrong_user(void)
{
	char	 d[128];

	if (!is_root(__func__) || getpwnam("daemon") == NULL)
		return;
	folder("theirs", nobody_uid, nobody_gid, d, sizeof(d));
	in_child(explain_runuser);
}

static void
test_owner_explain_nothing_in_the_way(void)
{
	char	 d[128], path[1100], err[64] = "";

	folder("mine", geteuid(), getegid(), d, sizeof(d));
	snprintf(path, sizeof(path), "%s/secret", d);
	errno = ENOENT;
	CHECK_INT(owner_explain("the server secret", path, OWNER_READ, err,
	    sizeof(err)), 0);
	CHECK_INT(owner_explain("the database", cfg.db, OWNER_WRITE, err,
	    sizeof(err)), 0);
	CHECK_INT(errno, ENOENT);
	CHECK_STR(err, "");
}

int
main(void)
{
	struct passwd	*pw;
	char		 cmd[128];

	umask(077);
	if ((pw = getpwnam("nobody")) != NULL) {
		nobody_uid = pw->pw_uid;
		nobody_gid = pw->pw_gid;
	}
	snprintf(dir, sizeof(dir), "/tmp/uptime-unit-owner-XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1) {
		perror("mkdtemp");
		return 1;
	}
	UNIT_RUN(test_owner_adopt_becomes_the_folder_owner);
	UNIT_RUN(test_owner_adopt_keeps_root_on_roots_or_no_folder);
	UNIT_RUN(test_owner_explain_negative_roots_secret);
	UNIT_RUN(test_owner_explain_negative_roots_folder);
	UNIT_RUN(test_owner_explain_negative_wrong_user);
	UNIT_RUN(test_owner_explain_nothing_in_the_way);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_finish();
}
