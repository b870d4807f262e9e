/*
 * Unit tests of lib/lock.c: the first taker holds the lock, a second
 * one (another open file, as another process would have) is told it is
 * held, the lock file is 0600, and a folder that cannot hold the file is
 * an error that names it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uptime.h"
#include "unit.h"

static char	 dir[64];

static void
test_lock_once(void)
{
	struct stat	 sb;
	char		 err[256], path[1200];

	snprintf(cfg.db, sizeof(cfg.db), "%s/uptime.db", dir);
	CHECK_INT(lock_take("check", err, sizeof(err)), 1);
	snprintf(path, sizeof(path), "%s/uptime.db.check.lock", dir);
	CHECK(stat(path, &sb) == 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	/* Held: 0, and the reason is written for whoever wants it. */
	err[0] = '\0';
	CHECK_INT(lock_take("check", err, sizeof(err)), 0);
	CHECK(strstr(err, "uptime.db.check.lock") != NULL);
	/* Another name is another lock. */
	CHECK_INT(lock_take("maintain", err, sizeof(err)), 1);
	CHECK_INT(lock_take("maintain", err, sizeof(err)), 0);
}

static void
test_lock_negative_no_folder(void)
{
	char	 err[256];

	snprintf(cfg.db, sizeof(cfg.db), "%s/missing/uptime.db", dir);
	err[0] = '\0';
	CHECK_INT(lock_take("check", err, sizeof(err)), -1);
	CHECK(strstr(err, "cannot open") != NULL);
	CHECK(strstr(err, "missing/uptime.db.check.lock") != NULL);
}

int
main(void)
{
	char	 cmd[128];

	umask(077);
	snprintf(dir, sizeof(dir), "/tmp/uptime-unit-lock-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	UNIT_RUN(test_lock_once);
	UNIT_RUN(test_lock_negative_no_folder);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_finish();
}
