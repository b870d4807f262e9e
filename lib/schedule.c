/*
 * The checker's schedule in memory: a binary heap of waiting items by
 * due time, two chained hash tables (items by monitor id, teams by team
 * id) and per team a queue of parked items.  See schedule.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "schedule.h"

#define SCHED_MINBUCKETS	64

enum sched_state {
	ITEM_WAITING,	/* in the heap */
	ITEM_PARKED,	/* due, its team at its cap */
	ITEM_RUNNING,	/* taken */
	ITEM_ENDED	/* checked, its result not yet written */
};

/* An entry of a chained hash table, keyed by a string of its owner. */
struct sched_hent {
	const char		*key;
	struct sched_hent	*next;
};

struct sched_htab {
	struct sched_hent	**b;		/* nb buckets, a power of 2 */
	size_t			 n, nb;
};

struct sched_team {
	struct sched_hent	 h;		/* key: id */
	char			 id[ID_MAX];
	size_t			 running;
	struct sched_node	*phead, *ptail;	/* parked, oldest first */
};

struct sched_node {
	struct sched_item	 pub;		/* first: sched_item casts */
	struct sched_hent	 h;		/* key: pub.id */
	enum sched_state	 state;
	size_t			 heapi;		/* while waiting */
	struct sched_team	*team;
	struct sched_node	*pnext;		/* parked queue */
};

struct sched {
	size_t			 team_cap;
	struct sched_node	**heap;
	size_t			 nheap, capheap;
	struct sched_htab	 items;		/* sched_node by monitor id */
	struct sched_htab	 teams;		/* sched_team by team id */
	size_t			 nparked, nrunning;
};

#define NODE_OF(e)	((struct sched_node *)(void *)((char *)(e) - \
			    offsetof(struct sched_node, h)))
#define TEAM_OF(e)	((struct sched_team *)(void *)((char *)(e) - \
			    offsetof(struct sched_team, h)))

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

static int
htab_init(struct sched_htab *t)
{
	t->nb = SCHED_MINBUCKETS;
	t->n = 0;
	return (t->b = calloc(t->nb, sizeof(*t->b))) == NULL ? -1 : 0;
}

static struct sched_hent *
htab_find(const struct sched_htab *t, const char *key)
{
	struct sched_hent	*e;

	for (e = t->b[sched_hash(key) & (t->nb - 1)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Add e (its key not in t), doubling the buckets once they are full. */
static int
htab_add(struct sched_htab *t, struct sched_hent *e)
{
	struct sched_hent	**nb, *x, *xn;
	size_t			 i, b, size;

	if (t->n >= t->nb) {
		size = t->nb * 2;
		if ((nb = calloc(size, sizeof(*nb))) == NULL)
			return -1;
		for (i = 0; i < t->nb; i++)
			for (x = t->b[i]; x != NULL; x = xn) {
				xn = x->next;
				b = sched_hash(x->key) & (size - 1);
				x->next = nb[b];
				nb[b] = x;
			}
		free(t->b);
		t->b = nb;
		t->nb = size;
	}
	b = sched_hash(e->key) & (t->nb - 1);
	e->next = t->b[b];
	t->b[b] = e;
	t->n++;
	return 0;
}

static void
htab_del(struct sched_htab *t, struct sched_hent *e)
{
	struct sched_hent	**pp;

	for (pp = &t->b[sched_hash(e->key) & (t->nb - 1)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			t->n--;
			return;
		}
}

struct sched *
sched_new(size_t team_cap)
{
	struct sched	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->team_cap = team_cap;
	if (htab_init(&s->items) == -1 || htab_init(&s->teams) == -1) {
		sched_free(s);
		return NULL;
	}
	return s;
}

void
sched_free(struct sched *s)
{
	struct sched_hent	*e, *en;
	size_t			 i;

	if (s == NULL)
		return;
	for (i = 0; s->items.b != NULL && i < s->items.nb; i++)
		for (e = s->items.b[i]; e != NULL; e = en) {
			en = e->next;
			free(NODE_OF(e));
		}
	for (i = 0; s->teams.b != NULL && i < s->teams.nb; i++)
		for (e = s->teams.b[i]; e != NULL; e = en) {
			en = e->next;
			free(TEAM_OF(e));
		}
	free(s->items.b);
	free(s->teams.b);
	free(s->heap);
	free(s);
}

static struct sched_node *
sched_find(const struct sched *s, const char *id)
{
	struct sched_hent	*e = htab_find(&s->items, id);

	return e == NULL ? NULL : NODE_OF(e);
}

/* The team of id, made on first sight.  NULL when out of memory. */
static struct sched_team *
sched_team(struct sched *s, const char *id)
{
	struct sched_hent	*e;
	struct sched_team	*t;

	if ((e = htab_find(&s->teams, id)) != NULL)
		return TEAM_OF(e);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	snprintf(t->id, sizeof(t->id), "%s", id);
	t->h.key = t->id;
	if (htab_add(&s->teams, &t->h) == -1) {
		free(t);
		return NULL;
	}
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

	if ((n = sched_find(s, id)) != NULL) {
		if (n->state == ITEM_WAITING && n->pub.due != due) {
			n->pub.due = due;
			sched_up(s, n->heapi);
			sched_down(s, n->heapi);
		}
		return 0;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -1;
	snprintf(n->pub.id, sizeof(n->pub.id), "%s", id);
	snprintf(n->pub.team, sizeof(n->pub.team), "%s", team);
	n->pub.due = due;
	n->h.key = n->pub.id;
	if ((n->team = sched_team(s, team)) == NULL ||
	    htab_add(&s->items, &n->h) == -1) {
		free(n);
		return -1;
	}
	if (sched_push(s, n) == -1) {
		htab_del(&s->items, &n->h);
		free(n);
		return -1;
	}
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

/* n is no longer in flight: its team's oldest parked item goes back to
 * the heap, first. */
static void
sched_leave(struct sched *s, struct sched_node *n)
{
	struct sched_team	*t = n->team;
	struct sched_node	*p;

	t->running--;
	s->nrunning--;
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

void
sched_ended(struct sched *s, struct sched_item *it)
{
	struct sched_node	*n = (struct sched_node *)(void *)it;

	if (it == NULL || n->state != ITEM_RUNNING)
		return;
	n->state = ITEM_ENDED;
	sched_leave(s, n);
}

void
sched_done(struct sched *s, struct sched_item *it)
{
	struct sched_node	*n = (struct sched_node *)(void *)it;

	if (it == NULL || (n->state != ITEM_RUNNING && n->state != ITEM_ENDED))
		return;
	if (n->state == ITEM_RUNNING)
		sched_leave(s, n);
	htab_del(&s->items, &n->h);
	free(n);
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
	struct sched_hent	*e = htab_find(&s->teams, team);

	return e == NULL ? 0 : TEAM_OF(e)->running;
}
