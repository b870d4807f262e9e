/*
 * Rate limits shared by every worker process of every family, without a
 * database write per request: a small table of counters in a file that
 * each process maps (MAP_SHARED), updated with atomic compare-and-swap.
 *
 * Each slot holds the 64-bit hash of a name ("k:<key id>" for an API key,
 * "a:<address>" for failed authentication from a client address) and one
 * 64-bit word: the minute the count belongs to (high 32 bits) and the
 * count (low 32 bits).  Windows are fixed calendar minutes; a slot whose
 * minute has passed starts again from one.  Slots are found by linear
 * probing; a slot of a name not seen this minute may be taken over, so
 * the table never fills up for long.  When no slot can be had the request
 * is let through (and logged): the limit protects the service, it must
 * never stop it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"

#define RL_SLOTS	8192	/* power of two */
#define RL_PROBE	64	/* slots looked at for one name */

struct rl_slot {
	uint64_t	 name;		/* hash of the name; 0: free */
	uint64_t	 word;		/* minute << 32 | count */
};

static struct rl_slot	*table;

int
ratelimit_open(const char *path, char *err, size_t errlen)
{
	size_t	 size = RL_SLOTS * sizeof(struct rl_slot);
	void	*p;
	int	 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errlen, "cannot open the rate-limit table %s: %s",
		    path, strerror(errno));
		return -1;
	}
	/* Growing a file to its size is safe to do from several processes
	 * at once: the new bytes read as zeros. */
	if (ftruncate(fd, (off_t)size) == -1) {
		snprintf(err, errlen, "cannot size %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map %s: %s", path,
		    strerror(errno));
		return -1;
	}
	table = p;
	return 0;
}

static uint64_t
name_hash(const char *name)
{
	static const unsigned char key[crypto_shorthash_KEYBYTES] =
	    "uptime rate lim";
	unsigned char	 h[crypto_shorthash_BYTES];
	uint64_t	 v;

	crypto_shorthash(h, (const unsigned char *)name, strlen(name), key);
	memcpy(&v, h, sizeof(v));
	return v == 0 ? 1 : v;
}

long
ratelimit_hit(const char *name, int64_t now_ms, int *reset_s)
{
	uint64_t	 h, minute, word, want, cur;
	struct rl_slot	*s;
	size_t		 i, start;

	minute = (uint64_t)(now_ms / 60000);
	*reset_s = (int)(60 - (now_ms / 1000) % 60);
	if (table == NULL)
		return 0;
	h = name_hash(name);
	start = (size_t)(h & (RL_SLOTS - 1));
	for (i = 0; i < RL_PROBE; i++) {
		s = &table[(start + i) & (RL_SLOTS - 1)];
		cur = __atomic_load_n(&s->name, __ATOMIC_ACQUIRE);
		if (cur != h) {
			/* Take a free slot, or one idle since an earlier
			 * minute. */
			word = __atomic_load_n(&s->word, __ATOMIC_ACQUIRE);
			if (cur != 0 && (word >> 32) == minute)
				continue;
			if (!__atomic_compare_exchange_n(&s->word, &word,
			    minute << 32, 0, __ATOMIC_ACQ_REL,
			    __ATOMIC_ACQUIRE))
				continue;
			if (!__atomic_compare_exchange_n(&s->name, &cur, h, 0,
			    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) && cur != h)
				continue;
		}
		/* Count in this slot. */
		word = __atomic_load_n(&s->word, __ATOMIC_ACQUIRE);
		do {
			if ((word >> 32) != minute)
				want = minute << 32 | 1;
			else if ((word & 0xffffffffu) == 0xffffffffu)
				want = word;
			else
				want = word + 1;
		} while (!__atomic_compare_exchange_n(&s->word, &word, want, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
		return (long)(want & 0xffffffffu);
	}
	fprintf(stderr, "uptime: ratelimit_hit: no slot for a name; "
	    "letting the request through\n");
	return 0;
}
