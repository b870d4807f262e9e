/*
 * The occurrences of maintenance windows: the expansion of recurring
 * windows in their time zone.  Pure: no database.  See recurrence.h and
 * docs/lib/recurrence.md.
 *
 * Expansion works on "civil seconds": local wall-clock time counted like
 * Unix seconds, so that dates are plain calendar arithmetic (lib/timefmt.c's
 * time_days_from_civil, and gmtime_r).  The n-th occurrence is found in
 * closed form (its local date from n), then turned into an instant with
 * the zone's rules (lib/cronexpr.c's zone helpers).  Starts grow with n,
 * so "the first occurrence that has not ended by t" is a search from an
 * estimate.
 */
#include <string.h>
#include <time.h>

#include "base.h"
#include "cronexpr.h"
#include "recurrence.h"
#include "timefmt.h"

#define DAY_S		86400LL
#define DAY_MS		(DAY_S * 1000)
#define SEARCH_STEPS	64	/* steps from an estimate to the answer */
#define MEMOS		64	/* windows maint_occurrence remembers */

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t	 q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* A window, ready for expansion: its first start in local terms. */
struct rule {
	const struct maint_window *w;
	int64_t		 dur;		/* ms */
	int64_t		 day0;		/* local date of starts_at, days */
	int64_t		 tod;		/* its local time of day, seconds */
	int		 ms;		/* its milliseconds */
	int		 y0, m0, d0;	/* its date */
	int		 wd[7];		/* weekly: the weekdays, in order */
	int		 nwd;
	int		 skip;		/* those before day0's weekday */
	int		 pushed;	/* TZ set: rule_end puts it back */
};

/*
 * Set up r for w; recurring windows get TZ set to their zone until
 * rule_end.  0, or -1 for a zone that cannot be set.
 */
static int
rule_begin(struct rule *r, const struct maint_window *w)
{
	struct tm	 tm;
	time_t		 t;
	int64_t		 s, c;
	unsigned	 mask;
	int		 i, wday0;

	memset(r, 0, sizeof(*r));
	r->w = w;
	r->dur = w->ends_at - w->starts_at;
	if (w->freq == MAINT_ONCE)
		return 0;
	if (cronexpr_tz_push(w->timezone) == -1)
		return -1;
	r->pushed = 1;
	s = floor_div(w->starts_at, 1000);
	r->ms = (int)(w->starts_at - s * 1000);
	c = s + cronexpr_tz_offset(s);
	r->day0 = floor_div(c, DAY_S);
	r->tod = c - r->day0 * DAY_S;
	t = (time_t)(r->day0 * DAY_S);
	if (gmtime_r(&t, &tm) == NULL) {
		cronexpr_tz_pop();
		r->pushed = 0;
		return -1;
	}
	r->y0 = tm.tm_year + 1900;
	r->m0 = tm.tm_mon + 1;
	r->d0 = tm.tm_mday;
	wday0 = (tm.tm_wday + 6) % 7;		/* Monday 0 */
	mask = w->by_weekday & 0x7f ? w->by_weekday & 0x7f : 1u << wday0;
	for (i = 0; i < 7; i++)
		if (mask & (1u << i)) {
			if (i < wday0)
				r->skip++;
			r->wd[r->nwd++] = i;
		}
	return 0;
}

static void
rule_end(struct rule *r)
{
	if (r->pushed)
		cronexpr_tz_pop();
	r->pushed = 0;
}

/*
 * The planned start of occurrence n (n >= 0), until not applied.  0, or
 * -1 when there is no such occurrence (a one-off window has one).
 */
static int
occ_start(const struct rule *r, int64_t n, int64_t *start)
{
	const struct maint_window *w = r->w;
	int64_t		 day, k, months;
	int		 y, m;

	if (n < 0 || (w->freq == MAINT_ONCE && n > 0) || n > 100000000)
		return -1;
	switch (w->freq) {
	case MAINT_ONCE:
		*start = w->starts_at;
		return 0;
	case MAINT_DAILY:
		day = r->day0 + n * w->interval;
		break;
	case MAINT_WEEKLY:
		k = n + r->skip;
		day = r->day0 - ((r->day0 % 7 + 7 + 3) % 7) +
		    k / r->nwd * 7 * w->interval + r->wd[k % r->nwd];
		break;
	default:
		months = (r->m0 - 1) + n * w->interval;
		y = r->y0 + (int)(months / 12);
		m = (int)(months % 12) + 1;
		day = time_days_from_civil(y, (unsigned)m,
		    (unsigned)(r->d0 < time_days_in_month(y, m) ? r->d0 :
		    time_days_in_month(y, m)));
		break;
	}
	if (day == r->day0)
		*start = w->starts_at;	/* as given, in a repeated hour too */
	else
		*start = cronexpr_tz_instant(day * DAY_S + r->tod) * 1000 +
		    r->ms;
	return 0;
}

/* Does occurrence n exist, until included?  Its start into *start. */
static int
occ_valid(const struct rule *r, int64_t n, int64_t *start)
{
	if (occ_start(r, n, start) == -1)
		return 0;
	return r->w->until == 0 || *start <= r->w->until;
}

/* The smallest n whose planned start is after x (until not applied). */
static int64_t
first_after(const struct rule *r, int64_t x)
{
	const struct maint_window *w = r->w;
	int64_t		 n, s, span;
	int		 i;

	if (x < w->starts_at)
		return 0;
	if (w->freq == MAINT_ONCE)
		return 1;
	span = x - w->starts_at;
	if (w->freq == MAINT_DAILY)
		n = span / (w->interval * DAY_MS);
	else if (w->freq == MAINT_WEEKLY)
		n = span / (7 * w->interval * DAY_MS) * r->nwd;
	else
		n = (int64_t)((double)span / (30.436875 * (double)DAY_MS *
		    w->interval));
	for (i = 0; i < SEARCH_STEPS && n > 0 && occ_start(r, n - 1, &s) ==
	    0 && s > x; i++)
		n--;
	for (i = 0; i < SEARCH_STEPS && occ_start(r, n, &s) == 0 && s <= x;
	    i++)
		n++;
	return n;
}

/* The occurrence n of w, planned, into *o; 0 or -1 (none). */
static int
occ_get(const struct rule *r, int64_t n, struct maint_occ *o)
{
	if (!occ_valid(r, n, &o->start))
		return -1;
	o->end = o->start + r->dur;
	return 0;
}

int
maint_occ_clip(const struct maint_window *w, int64_t early, struct maint_occ *o)
{
	if (early != 0)
		o->end = min64(o->end, early);
	if (w->cancelled_at != 0)
		o->end = min64(o->end, w->cancelled_at);
	return o->end > o->start ? 0 : -1;
}

/*
 * The occurrence active at t, else the next one, with early(o.start)
 * giving early ends.  1 active, 0 next, -1 none.
 */
static int
occ_find(const struct rule *r, int64_t t, struct maint_occ *occ,
    int64_t (*early)(const struct maint_window *, int64_t, void *),
    void *arg)
{
	const struct maint_window *w = r->w;
	struct maint_occ o;
	int64_t		 n;
	int		 i;

	n = first_after(r, t - r->dur);
	for (i = 0; i < SEARCH_STEPS; i++, n++) {
		if (occ_get(r, n, &o) == -1 ||
		    (w->cancelled_at != 0 && o.start >= w->cancelled_at))
			return -1;
		if (maint_occ_clip(w, early(w, o.start, arg), &o) == -1 ||
		    o.end <= t)
			continue;
		*occ = o;
		return o.start <= t ? 1 : 0;
	}
	return -1;
}

/*
 * Early ends as the window's own columns tell them: every occurrence up
 * to the one ended last was over by ended_early_at (ending ends all that
 * are active).  Right for t at or after ended_early_at.
 */
static int64_t
early_latest(const struct maint_window *w, int64_t start, void *arg)
{
	(void)arg;
	if (w->ended_early_at != 0 && start <= w->ended_occurrence_at)
		return w->ended_early_at;
	return 0;
}

/*
 * What maint_occurrence found for a window (all that decides it, so that
 * any change is a new key) at t0, and until when that answer holds: the
 * same lookups come again and again (every monitor of a list, every check
 * of a round), and a recurring window's expansion sets TZ, which reads
 * the zone's file.
 */
struct memo_key {
	char		 id[ID_MAX];
	char		 timezone[MAINT_TZ_MAXBYTES];
	int64_t		 starts_at, ends_at, until, cancelled_at;
	int64_t		 ended_early_at, ended_occurrence_at;
	int		 freq, interval;
	unsigned	 by_weekday;
};

struct memo {
	struct memo_key	 k;
	int64_t		 t0, valid_to;	/* the answer holds in [t0, valid_to) */
	int		 found;
	struct maint_occ occ;
};

static struct memo	 memos[MEMOS];
static size_t		 memo_next;

static void
memo_key(const struct maint_window *w, struct memo_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->id, w->id, sizeof(k->id));
	memcpy(k->timezone, w->timezone, sizeof(k->timezone));
	k->starts_at = w->starts_at;
	k->ends_at = w->ends_at;
	k->until = w->until;
	k->cancelled_at = w->cancelled_at;
	k->ended_early_at = w->ended_early_at;
	k->ended_occurrence_at = w->ended_occurrence_at;
	k->freq = w->freq;
	k->interval = w->interval;
	k->by_weekday = w->by_weekday;
}

int
maint_occurrence(const struct maint_window *w, int64_t t,
    struct maint_occ *occ)
{
	struct memo_key	 k;
	struct memo	*m;
	struct rule	 r;
	size_t		 i;
	int		 rc;

	memo_key(w, &k);
	for (i = 0; i < MEMOS; i++) {
		m = &memos[i];
		if (m->valid_to != 0 && m->t0 <= t && t < m->valid_to &&
		    memcmp(&m->k, &k, sizeof(k)) == 0) {
			*occ = m->occ;
			return m->found;
		}
	}
	if (rule_begin(&r, w) == -1)
		return -1;
	rc = occ_find(&r, t, occ, early_latest, NULL);
	rule_end(&r);
	m = &memos[memo_next++ % MEMOS];
	m->k = k;
	m->t0 = t;
	m->found = rc;
	m->occ = rc >= 0 ? *occ : m->occ;
	m->valid_to = rc == 1 ? occ->end : rc == 0 ? occ->start : INT64_MAX;
	return rc;
}

int
maint_occurrence_with(const struct maint_window *w, int64_t t,
    int64_t (*early)(const struct maint_window *, int64_t start, void *),
    void *arg, struct maint_occ *occ)
{
	struct rule	 r;
	int		 rc;

	if (rule_begin(&r, w) == -1)
		return -1;
	rc = occ_find(&r, t, occ, early, arg);
	rule_end(&r);
	return rc;
}

int
maint_first_weekday(const struct maint_window *w, int *wday0)
{
	struct rule	 r;

	if (rule_begin(&r, w) == -1)
		return -1;
	*wday0 = (int)((r.day0 % 7 + 7 + 3) % 7);
	rule_end(&r);
	return 0;
}

enum maint_state
maint_state(const struct maint_window *w, int64_t now)
{
	struct maint_occ o;

	if (w->cancelled_at != 0)
		return MAINT_CANCELLED;
	switch (maint_occurrence(w, now, &o)) {
	case 1:
		return MAINT_ACTIVE;
	case 0:
		return MAINT_SCHEDULED;
	default:
		return MAINT_COMPLETED;
	}
}

int
maint_expand(const struct maint_window *w, int64_t from, int64_t to,
    struct maint_occ *out, size_t max)
{
	struct rule	 r;
	int64_t		 n;
	size_t		 k = 0;

	if (rule_begin(&r, w) == -1)
		return -1;
	for (n = first_after(&r, from - r.dur); k < max &&
	    occ_get(&r, n, &out[k]) == 0 && out[k].start < to; n++)
		k++;
	rule_end(&r);
	return (int)k;
}

int64_t
maint_horizon(const struct maint_window *w)
{
	struct rule	 r;
	struct maint_occ o;
	int64_t		 h;

	if (w->freq != MAINT_ONCE && w->until == 0)
		h = MAINT_FOREVER;
	else if (rule_begin(&r, w) == -1)
		h = 0;
	else {
		/* The last occurrence starts at or before until. */
		if (occ_get(&r, w->freq == MAINT_ONCE ? 0 :
		    first_after(&r, w->until) - 1, &o) == -1)
			h = 0;
		else if ((h = early_latest(w, o.start, NULL)) == 0 ||
		    h > o.end)
			h = o.end;
		rule_end(&r);
	}
	if (w->cancelled_at != 0 && h > w->cancelled_at)
		h = w->cancelled_at;
	return h;
}

int64_t
maint_min_gap_days(const struct maint_window *w, int wday0)
{
	int64_t		 gap;
	unsigned	 mask = w->by_weekday ? w->by_weekday : 1u << wday0;
	int		 i, first = -1, prev = -1;

	switch (w->freq) {
	case MAINT_DAILY:
		return w->interval;
	case MAINT_MONTHLY:
		return 28LL * w->interval;
	case MAINT_WEEKLY:
		gap = 7LL * w->interval;
		for (i = 0; i < 7; i++) {
			if (!(mask & (1u << i)))
				continue;
			if (prev >= 0 && i - prev < gap)
				gap = i - prev;
			if (first < 0)
				first = i;
			prev = i;
		}
		if (7LL * w->interval - prev + first < gap)
			gap = 7LL * w->interval - prev + first;
		return gap;
	default:
		return MAINT_MAXDURATION / DAY_MS;
	}
}
