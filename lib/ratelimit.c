/*
 * Rate limits shared by every worker process of every family, without a
 * database write per request: a small table of counters in a file that
 * each process maps (MAP_SHARED), updated with atomic compare-and-swap.
 *
 * Each slot holds the 64-bit hash of a name ("k:<key id>" for an API key,
 * "a:<client>" for failed authentication from a client, see
 * ratelimit_client()) and one 64-bit word: the minute the count belongs
 * to (high 32 bits) and the count (low 32 bits).  The hash is SipHash
 * keyed from the server secret (ratelimit_key()), so nobody outside can
 * tell which names share slots and pick names that crowd out another's.
 *
 * Windows are fixed calendar minutes; a slot whose minute has passed
 * starts again from one.  A name is looked for in the RL_PROBE slots from
 * its hash on; when it is not there it takes a free slot, or one not used
 * this minute, or, when every slot of that window is in use this minute,
 * the one with the smallest count (its name starts again from one when it
 * comes back).  So a request is never let through uncounted, and a heavy
 * counter (a key near its limit) is the last to go: to reset a count of c
 * the other slots of its window must all reach c first.  When the slots
 * keep changing under it (other workers on the same window), the request
 * is refused rather than let through.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "owner.h"
#include "ratelimit.h"

#define RL_SLOTS	8192	/* power of two */
#define RL_PROBE	64	/* slots looked at for one name */
#define RL_READS	(4 * RL_PROBE)	/* slot reads before refusing */

/* The file's layout: RL_SLOTS of these, nothing else. */
struct rl_slot {
	uint64_t	 name;		/* hash of the name; 0: free */
	uint64_t	 word;		/* minute << 32 | count */
};

_Static_assert(RATELIMIT_KEYBYTES == crypto_shorthash_KEYBYTES,
    "the rate-limit key is a SipHash key");

static struct rl_slot	*table;
static unsigned char	 hash_key[RATELIMIT_KEYBYTES];
static int		 have_key;
static long		(*store_hit)(void *, int64_t, int64_t);
static void		*store_arg;

int
ratelimit_open(const char *path, char *err, size_t errlen)
{
	size_t	 size = RL_SLOTS * sizeof(struct rl_slot);
	void	*p;
	int	 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		if (!owner_explain("the rate-limit table", path, OWNER_WRITE,
		    err, errlen))
			snprintf(err, errlen, "cannot open the rate-limit table "
			    "%s: %s", path, strerror(errno));
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

void
ratelimit_key(const unsigned char key[RATELIMIT_KEYBYTES])
{
	memcpy(hash_key, key, sizeof(hash_key));
	have_key = 1;
}

void
ratelimit_client(const char *addr, char *out, size_t outlen)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	char		 s[INET6_ADDRSTRLEN], v6[INET6_ADDRSTRLEN];
	size_t		 n;

	/* fe80::1%eth0: the zone does not make another client. */
	if ((n = strcspn(addr, "%")) < sizeof(v6))
		snprintf(v6, sizeof(v6), "%.*s", (int)n, addr);
	else
		v6[0] = '\0';
	if (inet_pton(AF_INET, addr, &a4) == 1)
		inet_ntop(AF_INET, &a4, s, sizeof(s));
	else if (inet_pton(AF_INET6, v6, &a6) != 1) {
		snprintf(out, outlen, "%s", addr);
		return;
	} else if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		/* ::ffff:192.0.2.7 is 192.0.2.7: not part of ::/64. */
		memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
		inet_ntop(AF_INET, &a4, s, sizeof(s));
	} else {
		memset(&a6.s6_addr[8], 0, 8);
		inet_ntop(AF_INET6, &a6, s, sizeof(s));
		snprintf(out, outlen, "%s/64", s);
		return;
	}
	snprintf(out, outlen, "%s", s);
}

static uint64_t
name_hash(const char *name)
{
	unsigned char	 h[crypto_shorthash_BYTES];
	uint64_t	 v;

	crypto_shorthash(h, (const unsigned char *)name, strlen(name),
	    hash_key);
	memcpy(&v, h, sizeof(v));
	return v == 0 ? 1 : v;
}

/* Count one in slot s for minute; the count so far. */
static long
count_in(struct rl_slot *s, uint64_t minute)
{
	uint64_t	 word, want;

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

/*
 * Make slot s, seen holding name cur and word, the slot of name h for
 * minute, with no count yet.  0 when another worker changed it first.
 */
static int
take(struct rl_slot *s, uint64_t cur, uint64_t word, uint64_t h,
    uint64_t minute)
{
	if (!__atomic_compare_exchange_n(&s->word, &word, minute << 32, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 0;
	return __atomic_compare_exchange_n(&s->name, &cur, h, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) || cur == h;
}

void
ratelimit_store(long (*hit)(void *, int64_t, int64_t), void *arg)
{
	store_hit = hit;
	store_arg = arg;
}

long
ratelimit_hit(const char *name, int64_t now_ms, int *reset_s)
{
	uint64_t	 h, minute, word, cur, vword = 0, vcur = 0;
	struct rl_slot	*s, *victim;
	size_t		 i, start, reads = 0;

	minute = (uint64_t)(now_ms / 60000);
	*reset_s = (int)(60 - (now_ms / 1000) % 60);
	if (table == NULL && store_hit == NULL)
		return 0;
	if (!have_key) {
		fprintf(stderr, "uptime: ratelimit_hit: no key for the "
		    "rate-limit table; refusing\n");
		return -1;
	}
	h = name_hash(name);
	if (store_hit != NULL)
		return store_hit(store_arg, (int64_t)h, (int64_t)minute);
	start = (size_t)(h & (RL_SLOTS - 1));
	while (reads < RL_READS) {
		victim = NULL;
		for (i = 0; i < RL_PROBE && reads < RL_READS; i++, reads++) {
			s = &table[(start + i) & (RL_SLOTS - 1)];
			cur = __atomic_load_n(&s->name, __ATOMIC_ACQUIRE);
			if (cur == h)
				return count_in(s, minute);
			word = __atomic_load_n(&s->word, __ATOMIC_ACQUIRE);
			if (cur == 0 || (word >> 32) != minute)
				break;	/* free, or not used this minute */
			if (victim == NULL ||
			    (word & 0xffffffffu) < (vword & 0xffffffffu)) {
				victim = s;
				vcur = cur;
				vword = word;
			}
		}
		if (i < RL_PROBE && reads < RL_READS) {
			/* The name is in no slot before this one. */
			if (take(s, cur, word, h, minute))
				return count_in(s, minute);
		} else if (i == RL_PROBE) {
			/* Every slot is another name's this minute. */
			if (take(victim, vcur, vword, h, minute))
				return count_in(victim, minute);
		}
		/* Changed under us: look again from the start. */
	}
	fprintf(stderr, "uptime: ratelimit_hit: the slots of a name keep "
	    "changing; refusing the request\n");
	return -1;
}
