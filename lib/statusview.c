/*
 * The public status pages: the HTML page people read, summary.json, the
 * SVG badges and the Atom feed.  See statusview.h and
 * docs/lib/statusview.md.
 *
 * Every answer is built from one read transaction: the page, its
 * components with their monitors' states, the daily bars (rollup_days:
 * rollups and outages, never raw results), the open and recent
 * incidents and the active and upcoming maintenance.  Every string a
 * user wrote goes through sv_escape; nothing here runs a script, and the
 * HTML page's Content-Security-Policy allows its one style sheet only.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "incident.h"
#include "json.h"
#include "maintenance.h"
#include "monitor.h"
#include "rollup.h"
#include "statuspage.h"
#include "statusview.h"
#include "timefmt.h"

#define DAY_MS		ROLLUP_DAY_MS

/* A component's state in words, and the page's as a whole. */
static const char *const state_words[HEALTH__MAX] = {
	"No data", "Operational", "Under maintenance", "Degraded performance",
	"Partial outage", "Major outage"
};
static const char *const overall_words[HEALTH__MAX] = {
	"No data yet", "All systems operational", "Maintenance in progress",
	"Degraded performance", "Partial outage", "Major outage"
};
/* The words of a status badge. */
static const char *const badge_words[HEALTH__MAX] = {
	"no data", "operational", "maintenance", "degraded", "partial outage",
	"major outage"
};
static const char *const badge_colours[HEALTH__MAX] = {
	"#9f9f9f", "#3c9a37", "#1f6fbf", "#c99700", "#e0701a", "#d9453c"
};
static const char *const status_words[INC_STATUS__MAX] = {
	"Investigating", "Identified", "Monitoring", "Resolved"
};
static const char *const impact_words[IMPACT__MAX] = {
	"No impact", "Minor impact", "Major impact", "Critical impact"
};

/* What a day's bar shows. */
enum day_kind {
	DAY_NONE,
	DAY_UP,
	DAY_MINOR,	/* 99 % or more */
	DAY_PARTIAL,	/* 95 % or more */
	DAY_MAJOR,
	DAY_MAINT,	/* maintenance, no downtime outside it */
	DAY__MAX
};
static const char *const day_classes[DAY__MAX] = {
	"nd", "up", "mi", "pa", "ma", "mt"
};

/* The page's one style sheet; its hash is in the CSP. */
static const char css[] =
":root{--ok:#157f3f;--deg:#9a6b00;--par:#c2410c;--maj:#b91c1c;"
"--mnt:#1d4ed8;--unk:#5b6673;--bg:#f5f7f9;--fg:#17212b;--mut:#56636f;"
"--line:#e1e6eb}"
"*{box-sizing:border-box}"
"body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 "
"system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
"sans-serif;-webkit-text-size-adjust:100%}"
".wrap{max-width:860px;margin:0 auto;padding:0 16px}"
"header{background:#fff;border-bottom:1px solid var(--line);"
"padding:28px 0 22px}"
"h1{margin:0;font-size:1.7rem;line-height:1.25;overflow-wrap:anywhere}"
".brand{display:flex;align-items:center;gap:14px}"
".logo{flex:none;max-height:48px;max-width:160px;width:auto;height:auto}"
".desc{margin:6px 0 0;color:var(--mut);white-space:pre-line;"
"overflow-wrap:anywhere}"
"main.wrap{padding-top:24px;padding-bottom:8px}"
"section{margin:0 0 30px}"
"h2{font-size:1.05rem;margin:0 0 10px;color:var(--fg)}"
".banner{display:flex;align-items:center;gap:12px;padding:16px 18px;"
"border-radius:10px;color:#fff;font-weight:600;font-size:1.15rem}"
".banner small{display:block;font-weight:400;font-size:.85rem;"
"opacity:.92}"
".banner .ic{flex:none;width:14px;height:14px;border-radius:50%;"
"background:#fff;opacity:.9}"
".b-operational{background:var(--ok)}.b-degraded{background:#f0b429;"
"color:#2b2100}.b-degraded .ic{background:#2b2100}"
".b-partial_outage{background:var(--par)}.b-major_outage{background:"
"var(--maj)}.b-maintenance{background:var(--mnt)}.b-unknown{background:"
"var(--unk)}"
".card{background:#fff;border:1px solid var(--line);border-radius:10px;"
"padding:14px 18px;margin:0 0 12px}"
".card h3{margin:0;font-size:1.05rem;overflow-wrap:anywhere}"
".meta{margin:2px 0 0;color:var(--mut);font-size:.875rem}"
".imp-minor{border-left:5px solid #f0b429}.imp-major{border-left:5px solid "
"var(--par)}.imp-critical{border-left:5px solid var(--maj)}"
".imp-none{border-left:5px solid var(--unk)}.mw{border-left:5px solid "
"var(--mnt)}"
".updates{list-style:none;margin:10px 0 0;padding:0}"
".updates li{padding:8px 0;border-top:1px solid var(--line)}"
".updates p{margin:0;white-space:pre-line;overflow-wrap:anywhere}"
".updates time{display:block;color:var(--mut);font-size:.8rem}"
".group{margin:0 0 12px}"
".gname{margin:0;padding:10px 18px;font-size:.95rem;background:#eef2f5;"
"border:1px solid var(--line);border-bottom:0;border-radius:10px 10px 0 0;"
"overflow-wrap:anywhere}"
".group .card{border-radius:0;margin:0;border-top-width:0}"
".group .card:first-of-type{border-top-width:1px}"
".group .card:last-child{border-radius:0 0 10px 10px}"
".row{display:flex;justify-content:space-between;align-items:baseline;"
"gap:12px}"
".name{font-weight:600;overflow-wrap:anywhere}"
".st{flex:none;font-size:.875rem;font-weight:600}"
".st-operational{color:var(--ok)}.st-degraded{color:var(--deg)}"
".st-partial_outage{color:var(--par)}.st-major_outage{color:var(--maj)}"
".st-maintenance{color:var(--mnt)}.st-unknown{color:var(--unk)}"
".bars{display:flex;gap:2px;height:32px;margin:10px 0 4px;padding:0;"
"list-style:none}"
".bars li{flex:1 1 0;min-width:2px;border-radius:2px}"
".up{background:#2fb36d}.mi{background:#f0b429}.pa{background:#ef7d32}"
".ma{background:#dc3b3b}.mt{background:#3b82f6}.nd{background:#d5dbe1}"
".axis{display:flex;justify-content:space-between;color:var(--mut);"
"font-size:.78rem}"
".short{display:none}"
".legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:8px 0 0;"
"padding:0;list-style:none;color:var(--mut);font-size:.8rem}"
".legend span{display:inline-block;width:10px;height:10px;"
"border-radius:2px;margin-right:5px;vertical-align:-1px}"
"details summary{cursor:pointer}.pt{overflow-wrap:anywhere}"
".pm{display:block}"
".none{color:var(--mut);margin:0}"
"footer{color:var(--mut);font-size:.85rem;padding-bottom:32px}"
"a{color:#1d4ed8}"
"@media (max-width:640px){h1{font-size:1.4rem}"
".bars li:nth-last-child(n+31){display:none}"
".long{display:none}.short{display:inline}"
".banner{font-size:1.05rem}}";

/* ---- output ---- */

/* A buffer that remembers an allocation failure. */
struct w {
	struct buf	 b;
	int		 fail;
};

static void
w_puts(struct w *w, const char *s)
{
	if (!w->fail && buf_puts(&w->b, s) == -1)
		w->fail = 1;
}

static void PRINTF(2, 3)
w_printf(struct w *w, const char *fmt, ...)
{
	va_list	 ap;
	char	 tmp[1024];
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		w->fail = 1;
	else
		w_puts(w, tmp);
}

static void
w_esc(struct w *w, const char *s)
{
	if (!w->fail && sv_escape(&w->b, s) == -1)
		w->fail = 1;
}

int
sv_escape(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s, *run = p;
	const char		*rep;
	unsigned		 c, cp;
	size_t			 need, k;

	while ((c = *p) != 0) {
		rep = NULL;
		need = 1;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				rep = "\xef\xbf\xbd";
			else if (c >= 0x80) {
				need = (c & 0xe0) == 0xc0 ? 2 :
				    (c & 0xf0) == 0xe0 ? 3 :
				    (c & 0xf8) == 0xf0 ? 4 : 0;
				cp = need == 2 ? c & 0x1f : need == 3 ?
				    c & 0x0f : c & 0x07;
				for (k = 1; k < need; k++) {
					if ((p[k] & 0xc0) != 0x80)
						break;
					cp = cp << 6 | (p[k] & 0x3f);
				}
				if (need == 0 || k < need ||
				    (need == 2 && cp < 0x80) ||
				    (need == 3 && cp < 0x800) ||
				    (need == 4 && (cp < 0x10000 ||
				    cp > 0x10ffff)) ||
				    (cp >= 0xd800 && cp <= 0xdfff) ||
				    cp == 0xfffe || cp == 0xffff) {
					rep = "\xef\xbf\xbd";
					need = need == 0 || k < need ? 1 : need;
				}
			}
		}
		if (rep == NULL) {
			p += need;
			continue;
		}
		if (buf_add(b, run, (size_t)(p - run)) == -1 ||
		    buf_puts(b, rep) == -1)
			return -1;
		p += need;
		run = p;
	}
	return buf_add(b, run, (size_t)(p - run));
}

/* "14 Feb 2026, 11:05 UTC" and "14 Feb 2026". */
static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

static void
tm_of(int64_t ms, struct tm *tm)
{
	time_t	 t = (time_t)(ms / 1000);

	if (gmtime_r(&t, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

static char *
fmt_when(int64_t ms, char *out, size_t n)
{
	struct tm	 tm;

	tm_of(ms, &tm);
	snprintf(out, n, "%d %s %d, %02d:%02d UTC", tm.tm_mday,
	    months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
	return out;
}

static char *
fmt_day(int64_t ms, char *out, size_t n)
{
	struct tm	 tm;

	tm_of(ms, &tm);
	snprintf(out, n, "%d %s %d", tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900);
	return out;
}

/* "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
static char *
fmt_duration(int64_t ms, char *out, size_t n)
{
	int64_t	 s = ms / 1000;

	if (s < 60)
		snprintf(out, n, "%lld s", (long long)s);
	else if (s < 3600)
		snprintf(out, n, "%lld min", (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, n, "%lld h %lld min", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(out, n, "%lld d %lld h", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	return out;
}

/* A percentage rounded down to 2 decimals: never shows more uptime. */
static char *
fmt_pct(double pct, char *out, size_t n)
{
	double	 f = floor(pct * 100.0 + 1e-9) / 100.0;

	if (f >= 100.0)
		snprintf(out, n, "100");
	else
		snprintf(out, n, "%.2f", f < 0.0 ? 0.0 : f);
	return out;
}

/* ---- the view ---- */

struct sv_comp {
	const struct sp_component *c;
	enum health		 state;
	int64_t			 created_at;
	int64_t			 last_checked_at;
	struct rollup_day	*days;		/* sp.history_days, or NULL */
	double			 uptime;
	int			 has_uptime;
};

struct sv_maint {
	char		 title[NAME_MAXBYTES];
	char		*description;	/* owned, NULL when none */
	int64_t		 starts_at;
	int64_t		 ends_at;
	int		 active;
	unsigned char	*affects;	/* a flag per component, owned */
};

struct incs {
	struct incident	*v;		/* cap of them, grown as needed */
	size_t		 n;
	size_t		 cap;
	size_t		 max;
};

struct sv {
	struct status_page	 sp;
	int64_t			 now;
	int64_t			 first_day;	/* of the bars */
	struct sv_comp		*comps;
	size_t			 ncomps;
	struct incs		 open, past, feed;
	struct sv_maint		*maint;		/* maintcap, grown */
	size_t			 nmaint;
	size_t			 maintcap;
	enum health		 overall;
	int64_t			 checked_at;	/* newest check shown */
	int64_t			 maint_next;	/* next start or end of a
						 * window maint_list_public
						 * gave, or INT64_MAX */
};

#define L_DAYS	0x01	/* the daily bars */
#define L_PAST	0x02	/* resolved incidents of the bars' period */
#define L_MAINT	0x04	/* active and upcoming maintenance */
#define L_FEED	0x08	/* the latest incidents */

static void
incs_free(struct incs *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		incident_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
sv_free(struct sv *v)
{
	size_t	 i;

	for (i = 0; i < v->ncomps; i++)
		free(v->comps[i].days);
	free(v->comps);
	incs_free(&v->open);
	incs_free(&v->past);
	incs_free(&v->feed);
	for (i = 0; i < v->nmaint; i++) {
		free(v->maint[i].description);
		free(v->maint[i].affects);
	}
	free(v->maint);
	sp_free(&v->sp);
	memset(v, 0, sizeof(*v));
}

/* incident_list_page callback: keep a deep copy. */
static int
keep_incident(const struct incident *inc, void *arg)
{
	struct incs	*l = arg;
	struct incident	*d;
	size_t		 i;

	struct incident	*grown;
	size_t		 cap;

	if (l->n == l->max)
		return 0;
	if (l->n == l->cap) {
		cap = l->cap == 0 ? 4 : l->cap * 2;
		if ((grown = realloc(l->v, cap * sizeof(*grown))) == NULL)
			return -1;
		l->v = grown;
		l->cap = cap;
	}
	d = &l->v[l->n];
	*d = *inc;
	d->message = NULL;
	d->nupdates = 0;
	if ((d->updates = calloc(inc->nupdates + 1, sizeof(*d->updates))) ==
	    NULL)
		return -1;
	l->n++;
	for (i = 0; i < inc->nupdates; i++) {
		d->updates[i] = inc->updates[i];
		if ((d->updates[i].message = strdup(inc->updates[i].message)) ==
		    NULL)
			return -1;
		d->nupdates++;
	}
	return 0;
}

static int
incs_load(struct db *db, struct sv *v, struct incs *l, enum inc_which which,
    int64_t since, size_t max)
{
	l->max = max;
	return incident_list_page(db, v->sp.id, which, since, (int)max,
	    keep_incident, l);
}

/* maint_list_public callback: keep the windows that touch the page. */
static int
keep_maint(const struct maint_public *p, void *arg)
{
	struct sv	*v = arg;
	struct sv_maint	*m, *grown;
	size_t		 i, j, cap;
	int		 any = 0;

	/* Any window listed, shown or not: when it starts or ends, the
	 * list may change. */
	if (p->starts_at > v->now && p->starts_at < v->maint_next)
		v->maint_next = p->starts_at;
	if (p->ends_at > v->now && p->ends_at < v->maint_next)
		v->maint_next = p->ends_at;
	if (v->nmaint == v->maintcap) {
		cap = v->maintcap == 0 ? 4 : v->maintcap * 2;
		if ((grown = realloc(v->maint, cap * sizeof(*grown))) == NULL)
			return -1;
		v->maint = grown;
		v->maintcap = cap;
	}
	m = &v->maint[v->nmaint];
	memset(m, 0, sizeof(*m));
	if ((m->affects = calloc(v->ncomps + 1, 1)) == NULL)
		return -1;
	for (i = 0; i < v->ncomps; i++) {
		for (j = 0; !p->all_monitors && j < p->nmonitors; j++)
			if (strcmp(p->monitor_ids[j],
			    v->comps[i].c->monitor_id) == 0)
				break;
		if (p->all_monitors || j < p->nmonitors)
			any = m->affects[i] = 1;
	}
	if (!any) {
		free(m->affects);
		m->affects = NULL;
		return 0;
	}
	snprintf(m->title, sizeof(m->title), "%s", p->title);
	if (p->description != NULL &&
	    (m->description = strdup(p->description)) == NULL) {
		free(m->affects);
		return -1;
	}
	m->starts_at = p->starts_at;
	m->ends_at = p->ends_at;
	m->active = p->active;
	v->nmaint++;
	return 0;
}

static enum health
from_impact(enum inc_impact i)
{
	switch (i) {
	case IMPACT_MINOR:
		return HEALTH_DEGRADED;
	case IMPACT_MAJOR:
		return HEALTH_PARTIAL;
	case IMPACT_CRITICAL:
		return HEALTH_MAJOR;
	default:
		return HEALTH_UNKNOWN;
	}
}

static enum health
worse(enum health a, enum health b)
{
	return a > b ? a : b;
}

/*
 * The states: each component's from its monitor, made worse by the
 * impact of an open incident that names it; the page's from its
 * components (health_overall) made worse by every open incident.
 */
static void
states(struct sv *v)
{
	struct incident	*inc;
	long		 n[HEALTH__MAX] = { 0 };
	size_t		 i, j;

	for (i = 0; i < v->open.n; i++) {
		inc = &v->open.v[i];
		for (j = 0; j < v->ncomps; j++)
			if (incident_names(inc, v->comps[j].c->id))
				v->comps[j].state = worse(v->comps[j].state,
				    from_impact(inc->impact));
	}
	for (i = 0; i < v->ncomps; i++)
		n[v->comps[i].state]++;
	v->overall = health_overall(n);
	for (i = 0; i < v->open.n; i++)
		v->overall = worse(v->overall, from_impact(v->open.v[i].impact));
}

/* The page by slug, or by its domain; private ones are not found. */
static int
find_page(struct db *db, const struct sv_which *which,
    struct status_page *sp)
{
	int	 rc;

	memset(sp, 0, sizeof(*sp));
	if (which->slug != NULL) {
		if (!sp_slug_valid(which->slug))
			return DB_NOTFOUND;
		rc = sp_by_slug(db, which->slug, sp);
	} else {
		if (which->domain == NULL)
			return DB_NOTFOUND;
		rc = sp_by_domain(db, which->domain, sp);
	}
	if (rc == DB_OK && !sp->is_public) {
		sp_free(sp);
		rc = DB_NOTFOUND;
	}
	return rc;
}

/*
 * The uptime over the days shown (hd of them), today's (the last) being
 * today when not NULL: 1 and *uptime, or 0 when there is none to show.
 */
static int
days_uptime(const struct rollup_day *days, int hd,
    const struct rollup_day *today, double *uptime)
{
	const struct rollup_day	*d;
	int64_t			 base = 0, down = 0;
	int			 i, has = 0;

	for (i = 0; i < hd; i++) {
		d = i == hd - 1 && today != NULL ? today : &days[i];
		base += d->observed_ms - d->maint_ms;
		down += d->down_ms;
		has |= d->has_data;
	}
	if (!has || base <= 0)
		return 0;
	*uptime = 100.0 * (1.0 - (double)down / (double)base);
	return 1;
}

static int
load_components(struct db *db, struct sv *v, unsigned what)
{
	struct sv_comp	*c;
	struct monitor	 m;
	size_t		 i;
	int		 rc, hd = v->sp.history_days;

	if ((v->comps = calloc(v->sp.ncomponents + 1, sizeof(*v->comps))) ==
	    NULL)
		return DB_ERROR;
	for (i = 0; i < v->sp.ncomponents; i++) {
		c = &v->comps[v->ncomps++];
		c->c = &v->sp.components[i];
		rc = monitor_get(db, v->sp.team_id, c->c->monitor_id, &m);
		if (rc == DB_NOTFOUND)
			continue;	/* gone: its row goes with it */
		if (rc != DB_OK)
			return rc;
		/* As the API shows it: "maintenance" inside a window. */
		c->state = monitor_health(m.in_maintenance ? MST_MAINTENANCE :
		    m.status);
		c->created_at = m.created_at;
		c->last_checked_at = m.last_checked_at;
		if (m.last_checked_at > v->checked_at)
			v->checked_at = m.last_checked_at;
		monitor_free(&m);
		if (!(what & L_DAYS))
			continue;
		if ((c->days = calloc((size_t)hd, sizeof(*c->days))) == NULL)
			return DB_ERROR;
		if ((rc = rollup_days(db, c->c->monitor_id, c->created_at,
		    v->first_day, hd, v->now, c->days)) != DB_OK)
			return rc;
		c->has_uptime = days_uptime(c->days, hd, NULL, &c->uptime);
	}
	return DB_OK;
}

/* The components (with what) and the open incidents of v->sp, and the
 * states they make. */
static int
load_states(struct db *db, struct sv *v, unsigned what)
{
	int	 rc;

	if ((rc = load_components(db, v, what)) != DB_OK ||
	    (rc = incs_load(db, v, &v->open, INC_OPEN, 0,
	    SV_MAXOPEN)) != DB_OK)
		return rc;
	states(v);
	return DB_OK;
}

int
sv_component_states(struct db *db, const struct status_page *sp,
    int64_t now, enum health *out)
{
	struct sv	*v;
	size_t		 i;
	int		 own, rc;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return DB_ERROR;
	v->now = now;
	v->sp = *sp;	/* its components are borrowed */
	if ((rc = db_read_begin(db, &own)) == DB_OK)
		rc = db_read_end(db, own, load_states(db, v, 0));
	for (i = 0; rc == DB_OK && i < v->ncomps; i++)
		out[i] = v->comps[i].state;
	v->sp.components = NULL;
	v->sp.ncomponents = 0;
	sv_free(v);
	free(v);
	return rc;
}

cJSON *
sv_page_json(struct db *db, const struct status_page *sp, int64_t now,
    int *rc)
{
	enum health	*states;
	cJSON		*o = NULL;

	if ((states = calloc(sp->ncomponents + 1, sizeof(*states))) == NULL) {
		*rc = DB_ERROR;
		return NULL;
	}
	if ((*rc = sv_component_states(db, sp, now, states)) == DB_OK &&
	    (o = sp_json(sp, states)) == NULL)
		*rc = DB_ERROR;
	free(states);
	return o;
}

static void	 w_day(struct w *, const struct sv *, const struct rollup_day *,
		    int);

/*
 * What c shows that moves with the clock, with today's figures as t:
 * today's bar and the uptime over the days shown, as the page and
 * summary.json write them.
 */
static void
clock_text(struct w *w, const struct sv *v, const struct sv_comp *c,
    const struct rollup_day *t)
{
	char	 pct[16];
	double	 u;

	w_day(w, v, t, v->sp.history_days - 1);
	if (days_uptime(c->days, v->sp.history_days, t, &u))
		w_printf(w, "|%s|%.17g", fmt_pct(u, pct, sizeof(pct)),
		    floor(u * 1000.0) / 1000.0);
}

/* Today's figures of c x ms after now, at the rates given. */
static struct rollup_day
today_at(const struct rollup_day *d0, int64_t x, int64_t ro, int64_t rm,
    int64_t rd)
{
	struct rollup_day	 d = *d0;

	d.observed_ms += ro * x;
	d.maint_ms += rm * x;
	d.down_ms += rd * x;
	d.has_data = d.total > 0 || d.down_ms > 0 || d.maint_ms > 0;
	return d;
}

/*
 * Lower *until to the first time before it at which c's figures that
 * move with the clock (clock_text) read otherwise.  Until *until no day
 * starts or ends and no maintenance of the monitor starts or ends, so
 * today's observed time, maintenance time and downtime each grow at a
 * rate of 0 or 1 (an open outage, an active window): rollup_days at the
 * last ms before *until gives them, and each figure, being monotonic in
 * the time, changes once the first time a binary search finds it
 * changed.  Rates that are not 0 or 1 (a model that does not hold)
 * leave nothing to reuse.
 */
static int
comp_until(struct db *db, const struct sv *v, const struct sv_comp *c,
    int64_t *until)
{
	struct rollup_day	 d0, d1, dx;
	struct w		 a = { { NULL, 0, 0 }, 0 };
	struct w		 b = { { NULL, 0, 0 }, 0 };
	int64_t			 span = *until - 1 - v->now, ro, rm, rd;
	int64_t			 lo, hi, mid;
	int			 rc, differs;

	if (c->days == NULL || span <= 0)
		return DB_OK;
	d0 = c->days[v->sp.history_days - 1];
	if ((rc = rollup_days(db, c->c->monitor_id, c->created_at, d0.day, 1,
	    *until - 1, &d1)) != DB_OK)
		return rc;
	ro = d1.observed_ms - d0.observed_ms;
	rm = d1.maint_ms - d0.maint_ms;
	rd = d1.down_ms - d0.down_ms;
	if (ro == 0 && rm == 0 && rd == 0)
		return DB_OK;
	if ((ro != 0 && ro != span) || (rm != 0 && rm != span) ||
	    (rd != 0 && rd != span)) {
		*until = v->now;
		return DB_OK;
	}
	ro /= span;
	rm /= span;
	rd /= span;
	clock_text(&a, v, c, &d0);
	lo = 0;
	hi = span;
	dx = today_at(&d0, hi, ro, rm, rd);
	clock_text(&b, v, c, &dx);
	differs = a.fail || b.fail || a.b.len != b.b.len ||
	    memcmp(a.b.p, b.b.p, a.b.len) != 0;
	while (differs && !a.fail && !b.fail && hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		b.b.len = 0;
		dx = today_at(&d0, mid, ro, rm, rd);
		clock_text(&b, v, c, &dx);
		if (!b.fail && b.b.len == a.b.len &&
		    memcmp(a.b.p, b.b.p, a.b.len) == 0)
			lo = mid;
		else
			hi = mid;
	}
	if (a.fail || b.fail)
		*until = v->now;
	else if (differs)
		*until = v->now + hi;
	buf_free(&a.b);
	buf_free(&b.b);
	return DB_OK;
}

/*
 * Until when (exclusive) v's answers read the same with the data as it
 * is: the next UTC day (the bars, the incidents of the period), the next
 * start or end of a maintenance window listed or covering a component
 * (states, maintenance time, the list), the next change of a figure
 * that moves with the clock (comp_until), and at most SV_VALID_MS
 * ahead.  In load's transaction.
 */
static int
validity(struct db *db, struct sv *v, int64_t *until)
{
	struct maint_occ	*sp;
	size_t			 i, j, n;
	int64_t			 u;
	int			 rc = DB_OK;

	u = v->now - v->now % DAY_MS + DAY_MS;
	if (v->now + SV_VALID_MS < u)
		u = v->now + SV_VALID_MS;
	if (v->maint_next < u)
		u = v->maint_next;
	if ((sp = malloc(MAINT_MAXSPANS * sizeof(*sp))) == NULL)
		return DB_ERROR;
	for (i = 0; i < v->ncomps && rc == DB_OK; i++) {
		if (v->comps[i].created_at == 0)
			continue;	/* its monitor is gone */
		rc = maint_spans(db, v->sp.team_id, v->comps[i].c->monitor_id,
		    v->now, u, sp, MAINT_MAXSPANS, &n);
		for (j = 0; rc == DB_OK && j < n; j++) {
			if (sp[j].start > v->now && sp[j].start < u)
				u = sp[j].start;
			if (sp[j].end > v->now && sp[j].end < u)
				u = sp[j].end;
		}
	}
	free(sp);
	for (i = 0; i < v->ncomps && rc == DB_OK && u > v->now; i++)
		rc = comp_until(db, v, &v->comps[i], &u);
	*until = u;
	return rc;
}

/*
 * Gather the view of a page inside one read transaction, and what it
 * rests on into valid when not NULL.  DB_NOTFOUND for a page that does
 * not exist or is not public.
 */
static int
load(struct db *db, const struct sv_which *which, int64_t now, unsigned what,
    struct sv *v, struct sv_valid *valid)
{
	int	 rc;

	memset(v, 0, sizeof(*v));
	v->now = now;
	v->maint_next = INT64_MAX;
	if ((rc = db_exec(db, "BEGIN")) != 0)
		return rc == DB_BUSY ? DB_BUSY : DB_ERROR;
	if ((rc = find_page(db, which, &v->sp)) != DB_OK)
		goto out;
	v->first_day = v->now - v->now % DAY_MS -
	    (int64_t)(v->sp.history_days - 1) * DAY_MS;
	if ((rc = load_states(db, v, what)) != DB_OK)
		goto out;
	if ((what & L_PAST) && (rc = incs_load(db, v, &v->past,
	    INC_RESOLVED_SINCE, v->first_day, SV_MAXPAST)) != DB_OK)
		goto out;
	if ((what & L_FEED) && (rc = incs_load(db, v, &v->feed, INC_ANY, 0,
	    SV_MAXFEED)) != DB_OK)
		goto out;
	if ((what & L_MAINT) && (rc = maint_list_public(db, v->sp.team_id,
	    v->now, keep_maint, v)) != DB_OK)
		goto out;
	if (valid != NULL) {
		snprintf(valid->page_id, sizeof(valid->page_id), "%s",
		    v->sp.id);
		valid->version = v->sp.data_version;
		rc = validity(db, v, &valid->until);
	}
out:
	if (db_exec(db, "COMMIT") != 0 && rc == DB_OK)
		rc = DB_ERROR;
	if (rc != DB_OK)
		sv_free(v);
	return rc;
}

/* The body w made, into out; DB_ERROR when it ran out of memory. */
static int
finish(struct w *w, struct buf *out)
{
	if (w->fail) {
		buf_free(&w->b);
		fprintf(stderr, "uptime: statusview: out of memory\n");
		return DB_ERROR;
	}
	*out = w->b;
	return DB_OK;
}

/* The HTML page's CSP: nothing but its own style sheet. */
const char *
sv_html_csp(void)
{
	static char	 hdr[256];
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		 b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
			    sodium_base64_VARIANT_ORIGINAL)];

	if (hdr[0] == '\0') {
		crypto_hash_sha256(h, (const unsigned char *)css,
		    sizeof(css) - 1);
		sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
		    sodium_base64_VARIANT_ORIGINAL);
		snprintf(hdr, sizeof(hdr), "default-src 'none'; "
		    "style-src 'sha256-%s'; img-src data: https:; "
		    "base-uri 'none'; "
		    "form-action 'none'", b64);
	}
	return hdr;
}

/* ---- the HTML page ---- */

/* The day's bar and its words. */
static enum day_kind
day_kind(const struct rollup_day *d, double *pct)
{
	int64_t	 base = d->observed_ms - d->maint_ms;

	*pct = 100.0;
	if (!d->has_data || d->observed_ms <= 0)
		return DAY_NONE;
	if (d->down_ms <= 0)
		return d->maint_ms > 0 ? DAY_MAINT : DAY_UP;
	*pct = base > 0 ? 100.0 * (1.0 - (double)d->down_ms / (double)base) :
	    0.0;
	if (*pct < 0.0)
		*pct = 0.0;
	return *pct >= 99.0 ? DAY_MINOR : *pct >= 95.0 ? DAY_PARTIAL :
	    DAY_MAJOR;
}

/* The bar of day i (d: its figures, NULL when none). */
static void
w_day(struct w *w, const struct sv *v, const struct rollup_day *d, int i)
{
	enum day_kind	 k;
	char		 day[32], pct[16], dur[32], mdur[32];
	double		 p;

	k = d != NULL ? day_kind(d, &p) : DAY_NONE;
	fmt_day(v->first_day + (int64_t)i * DAY_MS, day, sizeof(day));
	w_printf(w, "<li class=\"%s\" title=\"%s: ", day_classes[k], day);
	if (k == DAY_NONE)
		w_puts(w, "no data");
	else if (k == DAY_MAINT)
		w_printf(w, "maintenance (%s), no downtime",
		    fmt_duration(d->maint_ms, mdur, sizeof(mdur)));
	else if (k == DAY_UP)
		w_puts(w, "no downtime");
	else
		w_printf(w, "%s %% uptime, %s down", fmt_pct(p, pct,
		    sizeof(pct)), fmt_duration(d->down_ms, dur, sizeof(dur)));
	if (k != DAY_NONE && k != DAY_MAINT && d->maint_ms > 0)
		w_printf(w, ", maintenance %s", fmt_duration(d->maint_ms, mdur,
		    sizeof(mdur)));
	w_puts(w, "\"></li>");
}

static void
html_bars(struct w *w, const struct sv *v, const struct sv_comp *c)
{
	char	 pct[16];
	int	 i, hd = v->sp.history_days;

	w_printf(w, "<ol class=\"bars\" role=\"img\" aria-label=\"Uptime "
	    "over the last %d days: ", hd);
	if (c->has_uptime)
		w_printf(w, "%s %%\">", fmt_pct(c->uptime, pct, sizeof(pct)));
	else
		w_puts(w, "no data\">");
	for (i = 0; i < hd; i++)
		w_day(w, v, c->days != NULL ? &c->days[i] : NULL, i);
	w_puts(w, "</ol>");
	w_printf(w, "<div class=\"axis\"><span><span class=\"long\">%d days "
	    "ago</span><span class=\"short\">%d days ago</span></span>", hd,
	    hd < 30 ? hd : 30);
	if (c->has_uptime) {
		fmt_pct(c->uptime, pct, sizeof(pct));
		w_printf(w, "<span><span class=\"long\">%s %% uptime</span>"
		    "<span class=\"short\">%s %% in %d days</span></span>",
		    pct, pct, hd);
	} else
		w_puts(w, "<span>No data yet</span>");
	w_puts(w, "<span>Today</span></div>");
}

static void
html_component(struct w *w, const struct sv *v, const struct sv_comp *c)
{
	w_printf(w, "<div class=\"card comp\" id=\"%s\"><div class=\"row\">"
	    "<span class=\"name\">", c->c->id);
	w_esc(w, c->c->display_name);
	w_printf(w, "</span><span class=\"st st-%s\">%s</span></div>",
	    health_names[c->state], state_words[c->state]);
	html_bars(w, v, c);
	w_puts(w, "</div>");
}

static void
html_components(struct w *w, const struct sv *v)
{
	unsigned char	*done;
	size_t		 i, j;
	int		 k;

	w_printf(w, "<section aria-labelledby=\"h-comp\"><h2 id=\"h-comp\">"
	    "Components</h2>");
	if (v->ncomps == 0)
		w_puts(w, "<p class=\"none\">No components are shown on this "
		    "page yet.</p>");
	if ((done = calloc(v->ncomps + 1, 1)) == NULL) {
		w->fail = 1;
		return;
	}
	/* In the page's order; a group where its first component is. */
	for (i = 0; i < v->ncomps; i++) {
		if (done[i])
			continue;
		if (v->comps[i].c->group[0] == '\0') {
			html_component(w, v, &v->comps[i]);
			done[i] = 1;
			continue;
		}
		w_puts(w, "<div class=\"group\"><h3 class=\"gname\">");
		w_esc(w, v->comps[i].c->group);
		w_puts(w, "</h3>");
		for (j = i; j < v->ncomps; j++)
			if (!done[j] && strcmp(v->comps[j].c->group,
			    v->comps[i].c->group) == 0) {
				html_component(w, v, &v->comps[j]);
				done[j] = 1;
			}
		w_puts(w, "</div>");
	}
	free(done);
	if (v->ncomps > 0) {
		w_puts(w, "<ul class=\"legend\" aria-label=\"Legend\">");
		for (k = DAY_UP; k < DAY__MAX; k++)
			w_printf(w, "<li><span class=\"%s\"></span>%s</li>",
			    day_classes[k], k == DAY_UP ? "No downtime" :
			    k == DAY_MINOR ? "Up 99 % or more" :
			    k == DAY_PARTIAL ? "Up 95 % or more" :
			    k == DAY_MAJOR ? "Up less than 95 %" :
			    "Maintenance");
		w_printf(w, "<li><span class=\"%s\"></span>No data</li></ul>",
		    day_classes[DAY_NONE]);
	}
	w_puts(w, "</section>");
}

/* "Affects: A, B" for the components an incident names. */
static void
html_affects(struct w *w, const struct sv *v, const struct incident *inc)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < v->ncomps; i++) {
		if (!incident_names(inc, v->comps[i].c->id))
			continue;
		w_puts(w, n++ ? ", " : " · Affects ");
		w_esc(w, v->comps[i].c->display_name);
	}
}

static void
html_updates(struct w *w, const struct incident *inc)
{
	char	 t[64], iso[TIME_MAX];
	size_t	 i;

	w_puts(w, "<ol class=\"updates\">");
	for (i = 0; i < inc->nupdates; i++) {
		w_printf(w, "<li><p><strong>%s</strong> — ",
		    status_words[inc->updates[i].status]);
		w_esc(w, inc->updates[i].message);
		w_printf(w, "</p><time datetime=\"%s\">%s</time></li>",
		    time_format(inc->updates[i].created_at, iso),
		    fmt_when(inc->updates[i].created_at, t, sizeof(t)));
	}
	w_puts(w, "</ol>");
}

static void
html_open(struct w *w, const struct sv *v)
{
	const struct incident	*inc;
	char			 t[64];
	size_t			 i;

	if (v->open.n == 0)
		return;
	w_puts(w, "<section aria-labelledby=\"h-open\"><h2 id=\"h-open\">"
	    "Current incidents</h2>");
	for (i = 0; i < v->open.n; i++) {
		inc = &v->open.v[i];
		w_printf(w, "<article class=\"card imp-%s\" id=\"%s\"><h3>",
		    inc_impact_names[inc->impact], inc->id);
		w_esc(w, inc->title);
		w_printf(w, "</h3><p class=\"meta\">%s · %s · Since %s",
		    status_words[inc->status], impact_words[inc->impact],
		    fmt_when(inc->started_at, t, sizeof(t)));
		html_affects(w, v, inc);
		w_puts(w, "</p>");
		html_updates(w, inc);
		w_puts(w, "</article>");
	}
	w_puts(w, "</section>");
}

static void
html_maint(struct w *w, const struct sv *v)
{
	const struct sv_maint	*m;
	char			 a[64], b[64];
	size_t			 i, j;
	int			 n;

	if (v->nmaint == 0)
		return;
	w_puts(w, "<section aria-labelledby=\"h-mw\"><h2 id=\"h-mw\">"
	    "Maintenance</h2>");
	for (i = 0; i < v->nmaint; i++) {
		m = &v->maint[i];
		w_puts(w, "<article class=\"card mw\"><h3>");
		w_esc(w, m->title);
		w_printf(w, "</h3><p class=\"meta\">%s · %s – %s",
		    m->active ? "In progress" : "Scheduled",
		    fmt_when(m->starts_at, a, sizeof(a)),
		    fmt_when(m->ends_at, b, sizeof(b)));
		for (j = 0, n = 0; j < v->ncomps; j++) {
			if (!m->affects[j])
				continue;
			w_puts(w, n++ ? ", " : " · Affects ");
			w_esc(w, v->comps[j].c->display_name);
		}
		w_puts(w, "</p>");
		if (m->description != NULL) {
			w_puts(w, "<ol class=\"updates\"><li><p>");
			w_esc(w, m->description);
			w_puts(w, "</p></li></ol>");
		}
		w_puts(w, "</article>");
	}
	w_puts(w, "</section>");
}

static void
html_past(struct w *w, const struct sv *v)
{
	const struct incident	*inc;
	char			 t[64], dur[32];
	size_t			 i;

	w_printf(w, "<section aria-labelledby=\"h-past\"><h2 id=\"h-past\">"
	    "Past incidents</h2>");
	if (v->past.n == 0)
		w_printf(w, "<p class=\"none\">No incidents in the last %d "
		    "days.</p>", v->sp.history_days);
	for (i = 0; i < v->past.n; i++) {
		inc = &v->past.v[i];
		w_printf(w, "<details class=\"card imp-%s\" id=\"%s\"><summary>"
		    "<strong class=\"pt\">", inc_impact_names[inc->impact],
		    inc->id);
		w_esc(w, inc->title);
		w_printf(w, "</strong><span class=\"meta pm\">Resolved · %s · "
		    "%s", impact_words[inc->impact], fmt_when(inc->started_at,
		    t, sizeof(t)));
		if (inc->resolved_at > inc->started_at)
			w_printf(w, " · lasted %s", fmt_duration(
			    inc->resolved_at - inc->started_at, dur,
			    sizeof(dur)));
		html_affects(w, v, inc);
		w_puts(w, "</span></summary>");
		html_updates(w, inc);
		w_puts(w, "</details>");
	}
	w_puts(w, "</section>");
}

/* The links' base: the mount prefix, then /status/slug. */
static void
w_base(struct w *w, const char *prefix, const struct sv *v)
{
	w_esc(w, prefix);
	w_printf(w, "/status/%s", v->sp.slug);
}

int
sv_html(struct db *db, const struct sv_which *which, const char *prefix,
    int64_t now, struct buf *out, struct sv_valid *valid)
{
	struct sv	 v;
	struct w	 w = { { NULL, 0, 0 }, 0 };
	char		 t[64];
	int		 rc;

	if ((rc = load(db, which, now, L_DAYS | L_PAST | L_MAINT, &v, valid)) !=
	    DB_OK)
		return rc;
	w_puts(&w, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width,initial-scale=1\"><title>");
	w_esc(&w, v.sp.title);
	w_puts(&w, " status</title>");
	if (v.sp.description[0] != '\0') {
		w_puts(&w, "<meta name=\"description\" content=\"");
		w_esc(&w, v.sp.description);
		w_puts(&w, "\">");
	}
	w_puts(&w, "<link rel=\"icon\" href=\"data:,\">"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "title=\"Incidents\" href=\"");
	w_base(&w, prefix, &v);
	w_puts(&w, "/feed.atom\"><style>");
	w_puts(&w, css);
	w_puts(&w, "</style></head><body><header><div class=\"wrap\">"
	    "<div class=\"brand\">");
	/* No referrer: the logo's host learns nothing of who reads. */
	if (v.sp.logo_url[0] != '\0') {
		w_puts(&w, "<img class=\"logo\" src=\"");
		w_esc(&w, v.sp.logo_url);
		w_puts(&w, "\" alt=\"\" referrerpolicy=\"no-referrer\">");
	}
	w_puts(&w, "<h1>");
	w_esc(&w, v.sp.title);
	w_puts(&w, "</h1></div>");
	if (v.sp.description[0] != '\0') {
		w_puts(&w, "<p class=\"desc\">");
		w_esc(&w, v.sp.description);
		w_puts(&w, "</p>");
	}
	w_puts(&w, "</div></header><main class=\"wrap\">");
	if (v.sp.show_overall_status) {
		w_printf(&w, "<section class=\"banner b-%s\" "
		    "aria-label=\"Overall status\"><span class=\"ic\">"
		    "</span><div>%s", health_names[v.overall],
		    overall_words[v.overall]);
		if (v.checked_at != 0)
			w_printf(&w, "<small>Last checked %s</small>",
			    fmt_when(v.checked_at, t, sizeof(t)));
		w_puts(&w, "</div></section>");
	}
	html_open(&w, &v);
	html_maint(&w, &v);
	html_components(&w, &v);
	html_past(&w, &v);
	w_puts(&w, "</main><footer class=\"wrap\">Times are in UTC · "
	    "<a href=\"");
	w_base(&w, prefix, &v);
	w_puts(&w, "/feed.atom\">Incident feed (Atom)</a> · <a href=\"");
	w_base(&w, prefix, &v);
	w_puts(&w, "/summary.json\">JSON</a></footer></body></html>\n");
	sv_free(&v);
	return finish(&w, out);
}

/* ---- summary.json ---- */

static cJSON *
summary_incident(const struct incident *inc)
{
	cJSON	*o, *ids, *ups, *u;
	size_t	 i;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", inc->id);
	cJSON_AddStringToObject(o, "title", inc->title);
	cJSON_AddStringToObject(o, "status", inc_status_names[inc->status]);
	cJSON_AddStringToObject(o, "impact", inc_impact_names[inc->impact]);
	json_add_time(o, "startedAt", inc->started_at);
	json_add_time(o, "resolvedAt", inc->resolved_at);
	ids = cJSON_AddArrayToObject(o, "componentIds");
	for (i = 0; i < inc->ncomponents; i++)
		cJSON_AddItemToArray(ids,
		    cJSON_CreateString(inc->component_ids[i]));
	ups = cJSON_AddArrayToObject(o, "updates");
	for (i = 0; i < inc->nupdates; i++) {
		u = cJSON_CreateObject();
		cJSON_AddStringToObject(u, "status",
		    inc_status_names[inc->updates[i].status]);
		cJSON_AddStringToObject(u, "message", inc->updates[i].message);
		json_add_time(u, "createdAt", inc->updates[i].created_at);
		cJSON_AddItemToArray(ups, u);
	}
	json_add_time(o, "updatedAt", inc->updated_at);
	return o;
}

int
sv_summary(struct db *db, const struct sv_which *which, int64_t now,
    cJSON **out, struct sv_valid *valid)
{
	struct sv	 v;
	cJSON		*o, *p, *s, *list, *c, *ids;
	char		 url[sizeof(cfg.public_url) + SP_SLUGMAX + 16];
	size_t		 i, j;
	int		 rc;

	*out = NULL;
	if ((rc = load(db, which, now, L_DAYS | L_MAINT, &v, valid)) != DB_OK)
		return rc;
	o = cJSON_CreateObject();
	p = cJSON_AddObjectToObject(o, "page");
	cJSON_AddStringToObject(p, "title", v.sp.title);
	json_add_str(p, "description", v.sp.description);
	sp_url(&v.sp, url, sizeof(url));
	cJSON_AddStringToObject(p, "url", url);
	cJSON_AddNumberToObject(p, "historyDays", v.sp.history_days);
	s = cJSON_AddObjectToObject(o, "status");
	cJSON_AddStringToObject(s, "state", health_names[v.overall]);
	cJSON_AddStringToObject(s, "description", overall_words[v.overall]);
	json_add_time(s, "checkedAt", v.checked_at);
	list = cJSON_AddArrayToObject(o, "components");
	for (i = 0; i < v.ncomps; i++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id", v.comps[i].c->id);
		cJSON_AddStringToObject(c, "name", v.comps[i].c->display_name);
		json_add_str(c, "group", v.comps[i].c->group);
		cJSON_AddStringToObject(c, "state",
		    health_names[v.comps[i].state]);
		if (v.comps[i].has_uptime)
			cJSON_AddNumberToObject(c, "uptimePercent",
			    floor(v.comps[i].uptime * 1000.0) / 1000.0);
		else
			cJSON_AddNullToObject(c, "uptimePercent");
		cJSON_AddItemToArray(list, c);
	}
	list = cJSON_AddArrayToObject(o, "incidents");
	for (i = 0; i < v.open.n; i++)
		cJSON_AddItemToArray(list, summary_incident(&v.open.v[i]));
	list = cJSON_AddArrayToObject(o, "maintenance");
	for (i = 0; i < v.nmaint; i++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "title", v.maint[i].title);
		json_add_str(c, "description", v.maint[i].description);
		json_add_time(c, "startsAt", v.maint[i].starts_at);
		json_add_time(c, "endsAt", v.maint[i].ends_at);
		cJSON_AddBoolToObject(c, "active", v.maint[i].active);
		ids = cJSON_AddArrayToObject(c, "componentIds");
		for (j = 0; j < v.ncomps; j++)
			if (v.maint[i].affects[j])
				cJSON_AddItemToArray(ids,
				    cJSON_CreateString(v.comps[j].c->id));
		cJSON_AddItemToArray(list, c);
	}
	sv_free(&v);
	*out = o;
	return DB_OK;
}

/* ---- the Atom feed ---- */

int
sv_feed(struct db *db, const struct sv_which *which, int64_t now,
    struct buf *out, struct sv_valid *valid)
{
	struct sv		 v;
	struct w		 w = { { NULL, 0, 0 }, 0 };
	struct w		 h = { { NULL, 0, 0 }, 0 };
	const struct incident	*inc;
	char			 url[sizeof(cfg.public_url) + SP_SLUGMAX + 16];
	char			 t[TIME_MAX], when[64];
	int64_t			 updated;
	size_t			 i, j;
	int			 rc;

	if ((rc = load(db, which, now, L_FEED, &v, valid)) != DB_OK)
		return rc;
	sp_url(&v.sp, url, sizeof(url));
	updated = v.sp.updated_at;
	for (i = 0; i < v.feed.n; i++)
		if (v.feed.v[i].updated_at > updated)
			updated = v.feed.v[i].updated_at;
	w_puts(&w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
	w_esc(&w, v.sp.title);
	w_puts(&w, " incidents</title>\n<id>");
	w_esc(&w, url);
	w_puts(&w, "</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	w_esc(&w, url);
	w_puts(&w, "\"/>\n<link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"");
	w_esc(&w, url);
	w_printf(&w, "/feed.atom\"/>\n<updated>%s</updated>\n<author><name>",
	    time_format(updated, t));
	w_esc(&w, v.sp.title);
	w_puts(&w, "</name></author>\n");
	for (i = 0; i < v.feed.n; i++) {
		inc = &v.feed.v[i];
		w_puts(&w, "<entry>\n<title>");
		w_esc(&w, inc->title);
		w_printf(&w, " (%s)</title>\n<id>", status_words[inc->status]);
		w_esc(&w, url);
		w_printf(&w, "#%s</id>\n<link rel=\"alternate\" "
		    "type=\"text/html\" href=\"", inc->id);
		w_esc(&w, url);
		w_printf(&w, "#%s\"/>\n<published>%s</published>\n", inc->id,
		    time_format(inc->started_at, t));
		w_printf(&w, "<updated>%s</updated>\n",
		    time_format(inc->updated_at, t));
		/* The updates as HTML, escaped once more as the content. */
		h.b.len = 0;
		if (h.b.p != NULL)
			h.b.p[0] = '\0';
		w_printf(&h, "<p>%s · %s</p>", impact_words[inc->impact],
		    status_words[inc->status]);
		for (j = 0; j < inc->nupdates; j++) {
			w_printf(&h, "<p><strong>%s</strong> (%s): ",
			    status_words[inc->updates[j].status],
			    fmt_when(inc->updates[j].created_at, when,
			    sizeof(when)));
			w_esc(&h, inc->updates[j].message);
			w_puts(&h, "</p>");
		}
		w_puts(&w, "<content type=\"html\">");
		w_esc(&w, h.b.p != NULL ? h.b.p : "");
		w_puts(&w, "</content>\n</entry>\n");
	}
	w_puts(&w, "</feed>\n");
	w.fail |= h.fail;
	buf_free(&h.b);
	sv_free(&v);
	return finish(&w, out);
}

int
sv_version(struct db *db, const struct sv_which *which,
    struct sv_valid *cur)
{
	struct sp_version	 v;
	int			 rc;

	memset(cur, 0, sizeof(*cur));
	if (which->slug != NULL ? !sp_slug_valid(which->slug) :
	    which->domain == NULL)
		return DB_NOTFOUND;
	if ((rc = sp_version(db, which->slug, which->domain, &v)) != DB_OK)
		return rc;
	if (!v.is_public)
		return DB_NOTFOUND;
	snprintf(cur->page_id, sizeof(cur->page_id), "%s", v.id);
	cur->version = v.data_version;
	return DB_OK;
}

/* ---- badges ---- */

/* Roughly the width of s in 11 px Verdana, as badges are drawn. */
static int
text_width(const char *s)
{
	const unsigned char	*p;
	double			 wd = 0.0;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		if (strchr("il.:,;!|'", *p) != NULL)
			wd += 3.7;
		else if (strchr("fjrtI()[] -", *p) != NULL)
			wd += 4.8;
		else if (strchr("mwMW%", *p) != NULL)
			wd += 10.5;
		else if (*p >= 'A' && *p <= 'Z')
			wd += 7.6;
		else
			wd += 6.9;
	}
	return (int)ceil(wd);
}

/* label cut to SV_BADGE_LABELMAX characters, with "…" when cut. */
static void
badge_label(const char *name, const char *suffix, char *out, size_t outlen)
{
	const unsigned char	*p = (const unsigned char *)name;
	size_t			 n = 0, chars = 0;

	while (p[n] != '\0' && chars < SV_BADGE_LABELMAX) {
		n++;
		while ((p[n] & 0xc0) == 0x80)
			n++;
		chars++;
	}
	snprintf(out, outlen, "%.*s%s%s", (int)n, name,
	    p[n] != '\0' ? "\xe2\x80\xa6" : "", suffix);
}

static void
badge_svg(struct w *w, const char *label, const char *value,
    const char *colour)
{
	int	 lw = text_width(label) + 12, vw = text_width(value) + 12;
	int	 tw = lw + vw;

	w_printf(w, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"20\" role=\"img\" aria-label=\"", tw);
	w_esc(w, label);
	w_puts(w, ": ");
	w_esc(w, value);
	w_puts(w, "\"><title>");
	w_esc(w, label);
	w_puts(w, ": ");
	w_esc(w, value);
	w_printf(w, "</title><linearGradient id=\"s\" x2=\"0\" y2=\"100%%\">"
	    "<stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/>"
	    "<stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>"
	    "<clipPath id=\"r\"><rect width=\"%d\" height=\"20\" rx=\"3\" "
	    "fill=\"#fff\"/></clipPath><g clip-path=\"url(#r)\">"
	    "<rect width=\"%d\" height=\"20\" fill=\"#555\"/>"
	    "<rect x=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\"/>"
	    "<rect width=\"%d\" height=\"20\" fill=\"url(#s)\"/></g>"
	    "<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,"
	    "Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">", tw, lw, lw,
	    vw, colour, tw);
	w_printf(w, "<text x=\"%d\" y=\"15\" fill=\"#010101\" "
	    "fill-opacity=\".3\">", lw / 2);
	w_esc(w, label);
	w_printf(w, "</text><text x=\"%d\" y=\"14\">", lw / 2);
	w_esc(w, label);
	w_printf(w, "</text><text x=\"%d\" y=\"15\" fill=\"#010101\" "
	    "fill-opacity=\".3\">", lw + vw / 2);
	w_esc(w, value);
	w_printf(w, "</text><text x=\"%d\" y=\"14\">", lw + vw / 2);
	w_esc(w, value);
	w_puts(w, "</text></g></svg>\n");
}

/* A response time is not judged: one colour for any. */
#define RESPONSE_COLOUR	"#1f6fbf"

/* The colour of an uptime percentage. */
static const char *
uptime_colour(double pct)
{
	return pct >= 99.9 ? "#3c9a37" : pct >= 99.0 ? "#7a9a00" :
	    pct >= 95.0 ? "#c99700" : "#d9453c";
}

int
sv_badge(struct db *db, const struct sv_which *which,
    const char *component_id, enum sv_badge kind,
    enum stats_window win, int64_t now, struct buf *out,
    struct sv_valid *valid)
{
	static const char *const what[SV_BADGE__MAX] = {
		"", " ", " response "
	};
	struct sv		 v;
	struct stats		 st;
	struct w		 w = { { NULL, 0, 0 }, 0 };
	const struct sv_comp	*c = NULL;
	const char		*colour;
	char			 label[SV_BADGE_LABELMAX * 4 + 32];
	char			 value[32], pct[16];
	size_t			 i;
	int			 rc;

	if ((rc = load(db, which, now, 0, &v, valid)) != DB_OK)
		return rc;
	/* A window slides with the clock at both ends: not reused. */
	if (kind != SV_BADGE_STATE && valid != NULL)
		valid->until = now;
	for (i = 0; i < v.ncomps; i++)
		if (strcmp(v.comps[i].c->id, component_id) == 0)
			c = &v.comps[i];
	if (c == NULL) {
		sv_free(&v);
		return DB_NOTFOUND;
	}
	badge_label(c->c->display_name, what[kind], label, sizeof(label));
	if (kind == SV_BADGE_STATE) {
		badge_svg(&w, label, badge_words[c->state],
		    badge_colours[c->state]);
		sv_free(&v);
		return finish(&w, out);
	}
	rc = rollup_stats(db, c->c->monitor_id, c->created_at,
	    v.now - stats_window_ms[win], v.now, v.now, &st);
	sv_free(&v);
	if (rc != DB_OK)
		return rc;
	snprintf(label + strlen(label), sizeof(label) - strlen(label), "%s",
	    stats_window_names[win]);
	colour = badge_colours[HEALTH_UNKNOWN];
	snprintf(value, sizeof(value), "no data");
	if (kind == SV_BADGE_UPTIME && st.has_data) {
		snprintf(value, sizeof(value), "%s%%",
		    fmt_pct(st.uptime_percent, pct, sizeof(pct)));
		colour = uptime_colour(st.uptime_percent);
	} else if (kind == SV_BADGE_RESPONSE && st.samples > 0) {
		snprintf(value, sizeof(value), "%.0f ms", st.avg_ms);
		colour = RESPONSE_COLOUR;
	}
	badge_svg(&w, label, value, colour);
	return finish(&w, out);
}
