/*
 * Unit tests of lib/lock.c: the first taker holds the lock, a second
 * one (another open file, as another process would have) is told it is
 * held, the lock file is 0600, and a folder that cannot hold the file is
 * an error that names it.  The hand-over: a holder that watches
 * lock_wanted lets a queued newcomer in; one that does not keeps the
 * lock and the newcomer gives up after its wait; a second newcomer does
 * not queue behind the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

static long long
ms_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A holder in a child process: takes "handover", says so on the pipe,
 * then lets go when someone queues (watch) or after hold_ms.
 */
static pid_t
holder(int watch, int hold_ms)
{
	char		 err[256];
	long long	 t0;
	pid_t		 pid;
	int		 fds[2];
	char		 c = 0;

	if (pipe(fds) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		c = (char)lock_take("handover", err, sizeof(err));
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		t0 = ms_now();
		while (ms_now() - t0 < hold_ms && !(watch &&
		    lock_wanted("handover")))
			usleep(10 * 1000);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1 || c != 1)
		pid = -1;
	close(fds[0]);
	return pid;
}

static void
test_lock_take_over(void)
{
	char		 err[256];
	long long	 t0, el;
	pid_t		 pid;
	int		 st;

	snprintf(cfg.db, sizeof(cfg.db), "%s/uptime.db", dir);
	CHECK_INT(lock_wanted("handover"), 0);

	/* A holder that watches: handed over well before its 5 s. */
	CHECK((pid = holder(1, 5000)) > 0);
	t0 = ms_now();
	CHECK_INT(lock_take_over("handover", 3000, err, sizeof(err)), 1);
	el = ms_now() - t0;
	CHECK(el < 1000);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	/* Held by this process now; nobody is queued. */
	CHECK_INT(lock_wanted("handover"), 0);
	CHECK_INT(lock_take("handover", err, sizeof(err)), 0);
}

/* Negative: a holder that does not let go; a second newcomer. */
static void
test_lock_take_over_negative_held(void)
{
	char		 err[256];
	long long	 t0, el;
	pid_t		 pid, q;
	int		 st;

	snprintf(cfg.db, sizeof(cfg.db), "%s/held", dir);
	if (mkdir(cfg.db, 0700) == -1) {	/* a folder of its own */
		CHECK(0);
		return;
	}
	snprintf(cfg.db, sizeof(cfg.db), "%s/held/uptime.db", dir);
	CHECK((pid = holder(0, 1500)) > 0);
	t0 = ms_now();
	CHECK_INT(lock_take_over("handover", 300, err, sizeof(err)), 0);
	el = ms_now() - t0;
	CHECK(el >= 280 && el < 1000);
	/* While one newcomer waits, a second one does not queue. */
	if ((q = fork()) == 0)
		_exit(lock_take_over("handover", 3000, err, sizeof(err)) == 1 ?
		    0 : 1);
	usleep(300 * 1000);
	CHECK_INT(lock_wanted("handover"), 1);
	t0 = ms_now();
	CHECK_INT(lock_take_over("handover", 3000, err, sizeof(err)), 0);
	CHECK(ms_now() - t0 < 500);
	/* The first one gets it when the holder ends. */
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(waitpid(q, &st, 0) == q && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
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
	UNIT_RUN(test_lock_take_over);
	UNIT_RUN(test_lock_take_over_negative_held);
	UNIT_RUN(test_lock_negative_no_folder);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_finish();
}
