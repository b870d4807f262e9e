/*
 * The checker's schedule in memory: a binary heap of waiting items by
 * due time, two chained hash tables (items by monitor id, teams by team
 * id) and per team a queue of parked items.  See schedule.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"

#define SCHED_MINBUCKETS	64

enum sched_state {
	ITEM_WAITING,	/* in the heap */
	ITEM_PARKED,	/* due, its team at its cap */
	ITEM_RUNNING	/* taken */
};

struct sched_team {
	char			 id[ID_MAX];
	size_t			 running;
	struct sched_node	*phead, *ptail;	/* parked, oldest first */
	struct sched_team	*hnext;
};

struct sched_node {
	struct sched_item	 pub;		/* first: sched_item casts */
	enum sched_state	 state;
	size_t			 heapi;		/* while waiting */
	struct sched_team	*team;
	struct sched_node	*hnext;		/* hash chain */
	struct sched_node	*pnext;		/* parked queue */
};

struct sched {
	size_t			 team_cap;
	struct sched_node	**heap;
	size_t			 nheap, capheap;
	struct sched_node	**items;	/* buckets */
	size_t			 nitems, nbuckets;
	struct sched_team	**teams;	/* buckets */
	size_t			 nteams, ntbuckets;
	size_t			 nparked, nrunning;
};

/* FNV-1a. */
static size_t
sched_hash(const char *s)
{
	uint64_t	 h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

struct sched *
sched_new(size_t team_cap)
{
	struct sched	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->team_cap = team_cap;
	s->nbuckets = s->ntbuckets = SCHED_MINBUCKETS;
	if ((s->items = calloc(s->nbuckets, sizeof(*s->items))) == NULL ||
	    (s->teams = calloc(s->ntbuckets, sizeof(*s->teams))) == NULL) {
		sched_free(s);
		return NULL;
	}
	return s;
}

void
sched_free(struct sched *s)
{
	struct sched_node	*n, *nn;
	struct sched_team	*t, *tn;
	size_t			 i;

	if (s == NULL)
		return;
	for (i = 0; s->items != NULL && i < s->nbuckets; i++)
		for (n = s->items[i]; n != NULL; n = nn) {
			nn = n->hnext;
			free(n);
		}
	for (i = 0; s->teams != NULL && i < s->ntbuckets; i++)
		for (t = s->teams[i]; t != NULL; t = tn) {
			tn = t->hnext;
			free(t);
		}
	free(s->items);
	free(s->teams);
	free(s->heap);
	free(s);
}

static struct sched_node *
sched_find(const struct sched *s, const char *id)
{
	struct sched_node	*n;

	for (n = s->items[sched_hash(id) & (s->nbuckets - 1)]; n != NULL;
	    n = n->hnext)
		if (strcmp(n->pub.id, id) == 0)
			return n;
	return NULL;
}

static struct sched_team *
sched_find_team(const struct sched *s, const char *id)
{
	struct sched_team	*t;

	for (t = s->teams[sched_hash(id) & (s->ntbuckets - 1)]; t != NULL;
	    t = t->hnext)
		if (strcmp(t->id, id) == 0)
			return t;
	return NULL;
}

/* Double the item buckets once there are more items than buckets. */
static int
sched_grow(struct sched *s)
{
	struct sched_node	**nb, *n, *nn;
	size_t			 i, size = s->nbuckets * 2, b;

	if (s->nitems < s->nbuckets)
		return 0;
	if ((nb = calloc(size, sizeof(*nb))) == NULL)
		return -1;
	for (i = 0; i < s->nbuckets; i++)
		for (n = s->items[i]; n != NULL; n = nn) {
			nn = n->hnext;
			b = sched_hash(n->pub.id) & (size - 1);
			n->hnext = nb[b];
			nb[b] = n;
		}
	free(s->items);
	s->items = nb;
	s->nbuckets = size;
	return 0;
}

/* The team of id, made on first sight.  NULL when out of memory. */
static struct sched_team *
sched_team(struct sched *s, const char *id)
{
	struct sched_team	*t, **nb, *tn;
	size_t			 i, b, size;

	if ((t = sched_find_team(s, id)) != NULL)
		return t;
	if (s->nteams >= s->ntbuckets) {
		size = s->ntbuckets * 2;
		if ((nb = calloc(size, sizeof(*nb))) == NULL)
			return NULL;
		for (i = 0; i < s->ntbuckets; i++)
			for (t = s->teams[i]; t != NULL; t = tn) {
				tn = t->hnext;
				b = sched_hash(t->id) & (size - 1);
				t->hnext = nb[b];
				nb[b] = t;
			}
		free(s->teams);
		s->teams = nb;
		s->ntbuckets = size;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	snprintf(t->id, sizeof(t->id), "%s", id);
	b = sched_hash(t->id) & (s->ntbuckets - 1);
	t->hnext = s->teams[b];
	s->teams[b] = t;
	s->nteams++;
	return t;
}

/* Heap order: earlier due first. */
static void
sched_swap(struct sched *s, size_t a, size_t b)
{
	struct sched_node	*t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
	s->heap[a]->heapi = a;
	s->heap[b]->heapi = b;
}

static void
sched_up(struct sched *s, size_t i)
{
	while (i > 0 && s->heap[(i - 1) / 2]->pub.due > s->heap[i]->pub.due) {
		sched_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
sched_down(struct sched *s, size_t i)
{
	size_t	 l, m;

	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < s->nheap && s->heap[l]->pub.due < s->heap[m]->pub.due)
			m = l;
		if (l + 1 < s->nheap &&
		    s->heap[l + 1]->pub.due < s->heap[m]->pub.due)
			m = l + 1;
		if (m == i)
			return;
		sched_swap(s, i, m);
		i = m;
	}
}

static int
sched_push(struct sched *s, struct sched_node *n)
{
	struct sched_node	**nh;
	size_t			 cap;

	if (s->nheap == s->capheap) {
		cap = s->capheap ? s->capheap * 2 : SCHED_MINBUCKETS;
		if ((nh = realloc(s->heap, cap * sizeof(*nh))) == NULL)
			return -1;
		s->heap = nh;
		s->capheap = cap;
	}
	n->state = ITEM_WAITING;
	n->heapi = s->nheap;
	s->heap[s->nheap++] = n;
	sched_up(s, n->heapi);
	return 0;
}

/* Take the heap's top out. */
static struct sched_node *
sched_pop(struct sched *s)
{
	struct sched_node	*n = s->heap[0];

	if (--s->nheap > 0) {
		s->heap[0] = s->heap[s->nheap];
		s->heap[0]->heapi = 0;
		sched_down(s, 0);
	}
	return n;
}

int
sched_add(struct sched *s, const char *id, const char *team, int64_t due)
{
	struct sched_node	*n;
	size_t			 b;

	if ((n = sched_find(s, id)) != NULL) {
		if (n->state == ITEM_WAITING && n->pub.due != due) {
			n->pub.due = due;
			sched_up(s, n->heapi);
			sched_down(s, n->heapi);
		}
		return 0;
	}
	if (sched_grow(s) == -1 || (n = calloc(1, sizeof(*n))) == NULL)
		return -1;
	snprintf(n->pub.id, sizeof(n->pub.id), "%s", id);
	snprintf(n->pub.team, sizeof(n->pub.team), "%s", team);
	n->pub.due = due;
	if ((n->team = sched_team(s, team)) == NULL ||
	    sched_push(s, n) == -1) {
		free(n);
		return -1;
	}
	b = sched_hash(n->pub.id) & (s->nbuckets - 1);
	n->hnext = s->items[b];
	s->items[b] = n;
	s->nitems++;
	return 1;
}

struct sched_item *
sched_take(struct sched *s, int64_t now)
{
	struct sched_node	*n;
	struct sched_team	*t;

	while (s->nheap > 0 && s->heap[0]->pub.due <= now) {
		n = sched_pop(s);
		t = n->team;
		if (s->team_cap > 0 && t->running >= s->team_cap) {
			n->state = ITEM_PARKED;
			n->pnext = NULL;
			if (t->ptail != NULL)
				t->ptail->pnext = n;
			else
				t->phead = n;
			t->ptail = n;
			s->nparked++;
			continue;
		}
		n->state = ITEM_RUNNING;
		t->running++;
		s->nrunning++;
		return &n->pub;
	}
	return NULL;
}

void
sched_done(struct sched *s, struct sched_item *it)
{
	struct sched_node	*n = (struct sched_node *)(void *)it, **pp;
	struct sched_node	*p;
	struct sched_team	*t;

	if (it == NULL || n->state != ITEM_RUNNING)
		return;
	t = n->team;
	t->running--;
	s->nrunning--;
	for (pp = &s->items[sched_hash(n->pub.id) & (s->nbuckets - 1)];
	    *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == n) {
			*pp = n->hnext;
			break;
		}
	s->nitems--;
	free(n);
	/* The team's oldest parked item goes back to the heap, first. */
	if ((p = t->phead) != NULL) {
		t->phead = p->pnext;
		if (t->phead == NULL)
			t->ptail = NULL;
		s->nparked--;
		if (sched_push(s, p) == -1) {
			/* Out of memory: keep it parked rather than lose it. */
			p->state = ITEM_PARKED;
			p->pnext = t->phead;
			t->phead = p;
			if (t->ptail == NULL)
				t->ptail = p;
			s->nparked++;
		}
	}
}

int
sched_known(const struct sched *s, const char *id)
{
	return sched_find(s, id) != NULL;
}

int64_t
sched_next_due(const struct sched *s)
{
	return s->nheap > 0 ? s->heap[0]->pub.due : INT64_MAX;
}

/* Heap items under i due by t: a subtree is skipped once its top is not. */
static size_t
sched_count(const struct sched *s, size_t i, int64_t t)
{
	if (i >= s->nheap || s->heap[i]->pub.due > t)
		return 0;
	return 1 + sched_count(s, 2 * i + 1, t) + sched_count(s, 2 * i + 2, t);
}

size_t
sched_due_by(const struct sched *s, int64_t t)
{
	return sched_count(s, 0, t);
}

size_t
sched_waiting(const struct sched *s)
{
	return s->nheap;
}

size_t
sched_parked(const struct sched *s)
{
	return s->nparked;
}

size_t
sched_running(const struct sched *s)
{
	return s->nrunning;
}

size_t
sched_team_running(const struct sched *s, const char *team)
{
	const struct sched_team	*t = sched_find_team(s, team);

	return t == NULL ? 0 : t->running;
}
