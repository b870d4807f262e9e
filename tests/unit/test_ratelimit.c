/*
 * Unit tests of lib/ratelimit.c: the shared counter table, read back
 * from its file (16-byte slots: the name's hash, then minute << 32 |
 * count; docs/lib/ratelimit.md), and the client a request counts as.
 *
 * The table is driven only through the library (auth_load_secret() sets
 * the hash key, ratelimit_hit() counts); which slots names land in is
 * found by reading the file, never by computing the hash here.  A name
 * counted alone in a minute of its own takes the first slot of its
 * window (every other slot is idle since another minute), so the slot
 * holding that minute is the name's home slot.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"
#include "unit.h"

#define PROBE	64	/* RL_PROBE: the slots one name may use */
#define MINUTE	60000LL

struct slot {
	uint64_t	 name;
	uint64_t	 word;
};

static char		 tmpdir[] = "/tmp/uptime-unit-ratelimit-XXXXXX";
static const struct slot *view;	/* the table's file, mapped read-only */
static size_t		 nslots;

/* Secret 00 01 02 .. 1f, and 20 21 .. 3f. */
static const char secret_a[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char secret_b[] =
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

/* A fresh table named name, its hash key from the secret hex. */
static int
fresh_table(const char *name, const char *hex)
{
	char		 path[256], spath[256], err[512], text[80];
	struct stat	 sb;
	int		 fd;

	if (view != NULL)
		munmap((void *)view, nslots * sizeof(*view));
	view = NULL;
	snprintf(spath, sizeof(spath), "%s/secret", tmpdir);
	unlink(spath);
	snprintf(text, sizeof(text), "%s\n", hex);
	if ((fd = open(spath, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) == -1 ||
	    auth_load_secret(spath, err, sizeof(err)) == -1) {
		fprintf(stderr, "secret: %s\n", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	if (ratelimit_open(path, err, sizeof(err)) == -1) {
		fprintf(stderr, "ratelimit_open: %s\n", err);
		return -1;
	}
	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &sb) == -1)
		return -1;
	nslots = (size_t)sb.st_size / sizeof(*view);
	view = mmap(NULL, nslots * sizeof(*view), PROT_READ, MAP_SHARED, fd,
	    0);
	close(fd);
	return view == MAP_FAILED ? (view = NULL, -1) : 0;
}

static long
hit(const char *name, int64_t minute)
{
	int	 reset;

	return ratelimit_hit(name, minute * MINUTE + 1000, &reset);
}

/* The one slot counting minute, or -1. */
static long
slot_of_minute(int64_t minute)
{
	size_t	 i;
	long	 found = -1;

	for (i = 0; i < nslots; i++)
		if (view[i].name != 0 && (int64_t)(view[i].word >> 32) ==
		    minute) {
			if (found != -1)
				return -1;
			found = (long)i;
		}
	return found;
}

/* The home slot of name: counted alone in a minute of its own. */
static long
home_of(const char *name, int64_t *minute)
{
	(*minute)++;
	if (hit(name, *minute) != 1)
		return -1;
	return slot_of_minute(*minute);
}

static void
test_hash_keyed_by_secret(void)
{
	uint64_t	 a, b, again;
	long		 s;

	/* The same name, three tables: the stored hash follows the
	 * secret, and only the secret. */
	CHECK_INT(fresh_table("rl-a", secret_a), 0);
	CHECK_INT(hit("k:key_AAAAAAAAAAAAAAAAAAAA", 7), 1);
	CHECK((s = slot_of_minute(7)) >= 0);
	a = s >= 0 ? view[s].name : 0;

	CHECK_INT(fresh_table("rl-b", secret_b), 0);
	CHECK_INT(hit("k:key_AAAAAAAAAAAAAAAAAAAA", 7), 1);
	CHECK((s = slot_of_minute(7)) >= 0);
	b = s >= 0 ? view[s].name : 0;

	CHECK_INT(fresh_table("rl-a2", secret_a), 0);
	CHECK_INT(hit("k:key_AAAAAAAAAAAAAAAAAAAA", 7), 1);
	CHECK((s = slot_of_minute(7)) >= 0);
	again = s >= 0 ? view[s].name : 0;

	CHECK(a != 0 && b != 0);
	CHECK(a != b);
	CHECK(a == again);
}

/* Cyclic distance from slot from to slot to. */
static size_t
dist(long from, long to)
{
	return ((size_t)to - (size_t)from + nslots) % nslots;
}

struct cand {
	char	 name[32];
	size_t	 d;	/* home, from the window's start - PROBE */
};

static int
by_home(const void *x, const void *y)
{
	const struct cand	*a = x, *b = y;

	return a->d < b->d ? -1 : a->d > b->d;
}

/*
 * The case that let requests through uncounted: every slot of a name's
 * window held by other names this minute.  The names that fill it are
 * found by their home slots; counted in order of home they pack the
 * window.  The name must then be counted (it takes the slot with the
 * smallest count), and a heavy count must outlive the light names that
 * come after it.
 */
static void
test_full_window(void)
{
	static struct cand	 c[1024];
	int64_t			 m = 1000, fill = 10;
	size_t			 n = 0, j, i;
	long			 home, base, h, got;
	int			 full = 0, bad;

	CHECK_INT(fresh_table("rl-full", secret_a), 0);
	if (view == NULL)
		return;
	home = home_of("k:target", &m);
	CHECK(home >= 0);
	if (home < 0)
		return;
	base = (long)(((size_t)home + nslots - PROBE) % nslots);
	while (!full && n + 256 <= sizeof(c) / sizeof(c[0])) {
		/* 256 more names whose home is within PROBE before or in
		 * the window (1 in 64 names), then pack them in a fresh
		 * minute. */
		for (j = 0; j < 256; ) {
			snprintf(c[n].name, sizeof(c[n].name), "a:fill-%lld",
			    (long long)m);
			if ((h = home_of(c[n].name, &m)) < 0) {
				CHECK(0);
				return;
			}
			c[n].d = dist(base, h);
			if (c[n].d < 2 * PROBE)
				j++, n++;
		}
		qsort(c, n, sizeof(c[0]), by_home);
		fill++;
		bad = 0;
		for (i = 0; i < n; i++)
			if (hit(c[i].name, fill) != 1)
				bad = 1;
		CHECK(!bad);
		for (full = 1, j = 0; j < PROBE; j++)
			if ((int64_t)(view[(size_t)(home + (long)j) %
			    nslots].word >> 32) != fill)
				full = 0;
	}
	CHECK(full);
	if (!full)
		return;

	/* Counted, from one, never let through. */
	CHECK_INT(hit("k:target", fill), 1);
	for (i = 2; i <= 100; i++)
		if ((got = hit("k:target", fill)) != (long)i) {
			CHECK_INT(got, i);
			break;
		}
	/* Every filler comes back once: the one that lost its slot takes
	 * another's with a smaller count, never the target's 100. */
	bad = 0;
	for (i = 0; i < n; i++)
		if ((got = hit(c[i].name, fill)) < 1 || got > 2)
			bad = 1;
	CHECK(!bad);
	CHECK_INT(hit("k:target", fill), 101);
}

static void
test_client(void)
{
	static const struct {
		const char	*addr;
		const char	*want;
	} cases[] = {
		{ "192.0.2.7", "192.0.2.7" },
		{ "::ffff:192.0.2.7", "192.0.2.7" },
		{ "::FFFF:c000:207", "192.0.2.7" },
		{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
		{ "2001:db8:1:2::1", "2001:db8:1:2::/64" },
		{ "2001:0db8:0001:0002:ffff:ffff:ffff:ffff",
		    "2001:db8:1:2::/64" },
		{ "2001:db8:1:3::1", "2001:db8:1:3::/64" },
		{ "::1", "::/64" },
		{ "fe80::1%eth0", "fe80::/64" },
		{ "fe80::2%2", "fe80::/64" },
		{ "2001:db8:1:2::9%", "2001:db8:1:2::/64" },
		{ "::ffff:192.0.2.7%eth0", "192.0.2.7" },
		{ "192.0.2.7%eth0", "192.0.2.7%eth0" },
		{ "192.0.2.7 ", "192.0.2.7 " },
		{ "2001:db8::1::2", "2001:db8::1::2" },
		{ "%", "%" },
		{ "", "" },
		{ "not an address", "not an address" },
	};
	char	 out[IP_MAX + 8];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ratelimit_client(cases[i].addr, out, sizeof(out));
		CHECK_STR(out, cases[i].want);
	}
}

int
main(void)
{
	char	 cmd[128];

	if (sodium_init() == -1 || mkdtemp(tmpdir) == NULL) {
		perror("setup");
		return 1;
	}
	UNIT_RUN(test_hash_keyed_by_secret);
	UNIT_RUN(test_full_window);
	UNIT_RUN(test_client);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		perror(tmpdir);
	return unit_finish();
}
