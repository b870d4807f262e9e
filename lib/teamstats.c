/*
 * A team's stats.  See teamstats.h and docs/lib/teamstats.md.
 *
 * The team's uptime in a window is the share of its monitors' observed
 * time (each monitor's, as rollup_stats counts it: after its creation,
 * outside maintenance) that was not downtime: a monitor watched for the
 * whole window weighs as much as any other, one created in the middle
 * of it weighs less.  Monitors with no data in the window do not count.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "db.h"
#include "json.h"
#include "monitor.h"
#include "page.h"
#include "rollup.h"
#include "teamstats.h"
#include "timefmt.h"

enum stmt {
	STMT_OPEN_OUTAGES,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_OPEN_OUTAGES */
	"SELECT count(*) FROM outages o JOIN monitors m ON m.id = "
	"o.monitor_id WHERE m.team_id = ? AND o.ended_at IS NULL",
};

/* One monitor, and its stats in the worst list's window. */
struct one {
	char		 id[ID_MAX];
	char		 name[NAME_MAXBYTES];
	enum mon_status	 status;	/* as the API shows it */
	int64_t		 created_at;
	struct stats	 st;
};

/* A window's sums over the team's monitors. */
struct sums {
	int64_t		 observed_ms;
	double		 down_s, maint_s;
	long long	 outages, total, up, degraded, down;
	long		 monitors;	/* with data */
};

struct list {
	struct one	*v;
	size_t		 n;
};

/* A string member of o, "" when there is none. */
static const char *
str_of(const cJSON *o, const char *name)
{
	const char	*s = cJSON_GetStringValue(cJSON_GetObjectItem(o, name));

	return s != NULL ? s : "";
}

/* Every monitor of the team, as the monitors list shows it, into l. */
static int
keep_all(struct db *db, const char *team, struct list *l)
{
	static const struct monitor_filter all = { -1, -1, NULL };
	struct page	 pg;
	struct lister	 ls;
	cJSON		*items;
	const cJSON	*m;
	struct one	*o;
	int		 rc, n;

	memset(&pg, 0, sizeof(pg));
	pg.perpage = INT32_MAX - 1;
	page_start(&ls, &pg, 0);
	rc = page_items(&ls, monitor_list(db, team, &all, &ls), &items);
	if (rc == DB_OK && (n = cJSON_GetArraySize(items)) > 0 &&
	    (l->v = calloc((size_t)n, sizeof(*l->v))) == NULL)
		rc = DB_ERROR;
	cJSON_ArrayForEach(m, items) {
		if (rc != DB_OK)
			break;
		o = &l->v[l->n++];
		snprintf(o->id, sizeof(o->id), "%s", str_of(m, "id"));
		snprintf(o->name, sizeof(o->name), "%s", str_of(m, "name"));
		o->status = (enum mon_status)str_index(mon_status_names,
		    MST__MAX, str_of(m, "status"));
		if (time_parse(str_of(m, "createdAt"), &o->created_at) == -1)
			rc = DB_ERROR;
	}
	cJSON_Delete(items);
	return rc;
}

/* Least uptime first, then by id. */
static int
worse_first(const void *a, const void *b)
{
	const struct one	*x = a, *y = b;

	if (x->st.uptime_percent != y->st.uptime_percent)
		return x->st.uptime_percent < y->st.uptime_percent ? -1 : 1;
	return strcmp(x->id, y->id);
}

static double
rounded(double v)
{
	return round(v * 1000.0) / 1000.0;
}

static cJSON *
window_json(const struct sums *s, int64_t from, int64_t to)
{
	cJSON	*o = cJSON_CreateObject(), *c;

	json_add_time(o, "from", from);
	json_add_time(o, "to", to);
	if (s->monitors > 0 && s->observed_ms > 0) {
		cJSON_AddNumberToObject(o, "uptimePercent", rounded(fmax(0.0,
		    100.0 * (1.0 - s->down_s * 1000.0 /
		    (double)s->observed_ms))));
		cJSON_AddNumberToObject(o, "downtimeSeconds",
		    rounded(s->down_s));
		cJSON_AddNumberToObject(o, "maintenanceSeconds",
		    rounded(s->maint_s));
	} else {
		cJSON_AddNullToObject(o, "uptimePercent");
		cJSON_AddNullToObject(o, "downtimeSeconds");
		cJSON_AddNullToObject(o, "maintenanceSeconds");
	}
	c = cJSON_AddObjectToObject(o, "checks");
	cJSON_AddNumberToObject(c, "total", (double)s->total);
	cJSON_AddNumberToObject(c, "up", (double)s->up);
	cJSON_AddNumberToObject(c, "degraded", (double)s->degraded);
	cJSON_AddNumberToObject(c, "down", (double)s->down);
	cJSON_AddNumberToObject(o, "outages", (double)s->outages);
	cJSON_AddNumberToObject(o, "monitors", (double)s->monitors);
	return o;
}

static void
add(struct sums *s, const struct stats *st)
{
	s->total += st->total;
	s->up += st->up;
	s->degraded += st->degraded;
	s->down += st->down;
	s->outages += st->outages;
	if (!st->has_data)
		return;
	s->monitors++;
	s->observed_ms += st->observed_ms;
	s->down_s += st->downtime_s;
	s->maint_s += st->maintenance_s;
}

static int
open_outages(struct db *db, const char *team, long long *n)
{
	struct db_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(db, sqls[STMT_OPEN_OUTAGES])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	if ((rc = db_step(st)) == DB_ROW)
		*n = db_col_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? DB_OK : db_rc(rc);
}

/* Everything but the transaction: see teamstats_json. */
static int
gather(struct db *db, const char *team, enum stats_window w,
    int64_t now, struct list *l, cJSON *o)
{
	struct sums	 s[SW__MAX];
	struct stats	 st;
	long		 c[MST__MAX], total = 0;
	long long	 nopen;
	cJSON		*x, *m;
	size_t		 i, k, nworst;
	int		 rc;

	memset(s, 0, sizeof(s));
	if ((rc = keep_all(db, team, l)) != DB_OK)
		return rc;
	for (i = 0; i < l->n; i++)
		for (k = 0; k < SW__MAX; k++) {
			if ((rc = rollup_stats(db, l->v[i].id,
			    l->v[i].created_at, now - stats_window_ms[k],
			    now, now, &st)) != DB_OK)
				return rc;
			add(&s[k], &st);
			if ((enum stats_window)k == w)
				l->v[i].st = st;
		}
	if ((rc = monitor_counts(db, team, c)) != DB_OK ||
	    (rc = open_outages(db, team, &nopen)) != DB_OK)
		return rc;

	x = cJSON_AddObjectToObject(o, "windows");
	for (k = 0; k < SW__MAX; k++)
		cJSON_AddItemToObject(x, stats_window_names[k],
		    window_json(&s[k], now - stats_window_ms[k], now));
	x = cJSON_AddObjectToObject(o, "counts");
	for (i = 0; i < MST__MAX; i++) {
		cJSON_AddNumberToObject(x, mon_status_names[i], c[i]);
		total += c[i];
	}
	cJSON_AddNumberToObject(o, "total", total);
	cJSON_AddNumberToObject(o, "openOutages", (double)nopen);

	/* The monitors with data in w, the least uptime first. */
	for (i = k = 0; i < l->n; i++)
		if (l->v[i].st.has_data)
			l->v[k++] = l->v[i];
	if (k > 1)
		qsort(l->v, k, sizeof(*l->v), worse_first);
	nworst = k < TEAMSTATS_WORST ? k : TEAMSTATS_WORST;
	x = cJSON_AddObjectToObject(o, "worst");
	cJSON_AddStringToObject(x, "window", stats_window_names[w]);
	x = cJSON_AddArrayToObject(x, "monitors");
	for (i = 0; i < nworst; i++) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "id", l->v[i].id);
		cJSON_AddStringToObject(m, "name", l->v[i].name);
		cJSON_AddStringToObject(m, "status",
		    mon_status_names[l->v[i].status]);
		cJSON_AddNumberToObject(m, "uptimePercent",
		    rounded(l->v[i].st.uptime_percent));
		cJSON_AddNumberToObject(m, "downtimeSeconds",
		    rounded(l->v[i].st.downtime_s));
		cJSON_AddNumberToObject(m, "outages",
		    (double)l->v[i].st.outages);
		cJSON_AddItemToArray(x, m);
	}
	return DB_OK;
}

int
teamstats_json(struct db *db, const char *team, enum stats_window w,
    int64_t now, cJSON **out)
{
	struct list	 l = { NULL, 0 };
	cJSON		*o;
	int		 own = 0, rc;

	*out = NULL;
	if ((o = cJSON_CreateObject()) == NULL)
		return DB_ERROR;
	/* One read transaction: every monitor seen at the same moment. */
	if ((rc = db_read_begin(db, &own)) == DB_OK)
		rc = db_read_end(db, own, gather(db, team, w, now, &l, o));
	free(l.v);
	if (rc != DB_OK) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return DB_OK;
}
