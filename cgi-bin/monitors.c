/*
 * monitors.fcgi: monitors, their results, stats and outages, the
 * team's overall status and ping key, and one-off checks of a target
 * (/v1/checks).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "uptime.h"
#include "alert.h"
#include "checkerstate.h"
#include "heartbeat.h"
#include "limit.h"
#include "location.h"
#include "metrics.h"
#include "monitor.h"
#include "pingkey.h"
#include "rollup.h"
#include "teamstats.h"

/* Answer status with the monitor (201: created, with Location) and free it. */
static int
answer(struct req *r, int status, struct monitor *m)
{
	struct jw	 w;

	if (status == 201)
		resp_location(r, m->id);
	resp_open(r, status, &w);
	monitor_write(&w, m);
	monitor_free(m);
	return resp_close(r, &w);
}

/* The monitor named in the path, for this team; answers 404 itself. */
static int
load(struct req *r, struct monitor *m)
{
	return resp_found(r, monitor_get(r->db, r->key->team_id, r->args[0],
	    m));
}

/*
 * The query's location, checked against the team: *loc is NULL when
 * none was asked, "local", or one of the team's location ids.  -1 with
 * 400 bad_query answered for an id of no location of the team (another
 * team's is one), or the database's error.
 */
static int
location_of(struct req *r, const char **loc)
{
	struct location	 l;
	int		 rc;

	*loc = req_query(r, "location");
	if (*loc == NULL || strcmp(*loc, MON_LOCAL) == 0)
		return 0;
	if ((rc = location_get(r->db, r->key->team_id, *loc, &l)) == DB_OK)
		return 0;
	if (rc == DB_NOTFOUND)
		resp_problem(r, 400, "bad_query", "location must be local or "
		    "one of the team's locations; there is none with the id "
		    "%s.", *loc);
	else
		resp_db(r, rc);
	return -1;
}

/* A heartbeat's slug, or NULL. */
static const char *
slug_of(const struct monitor *m)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(m->config, "slug"));
}

/* The 409 for a slug another heartbeat of the team holds. */
static void
slug_taken(struct req *r, const char *slug)
{
	resp_problem_member(r, 409, "conflict", "field", "slug", "Another "
	    "heartbeat of the team has the slug \"%s\".", slug);
}

/*
 * A heartbeat's slug is the team's only one of that name: 0, or -1 with
 * 409 conflict naming slug (or the database's error) answered.
 */
static int
slug_free(struct req *r, const struct monitor *m)
{
	struct monitor	 other;
	const char	*slug;
	int		 rc, taken;

	if ((slug = slug_of(m)) == NULL)
		return 0;
	if ((rc = monitor_by_slug(r->db, r->key->team_id, slug, &other)) ==
	    DB_NOTFOUND)
		return 0;
	if (rc != DB_OK)
		return resp_db(r, rc), -1;
	taken = strcmp(other.id, m->id) != 0;
	monitor_free(&other);
	if (!taken)
		return 0;
	slug_taken(r, slug);
	return -1;
}

/*
 * GET /v1/monitors?type&status&tag&perPage&cursor
 * Scope monitors:read.  200 with a page of monitors; 400 bad_query.
 */
static int
monitors_list(struct req *r)
{
	struct monitor_filter	 f = { req_enum(r, "type"),
				    req_enum(r, "status"), req_query(r, "tag") };
	struct lister		 l;

	list_start(r, &l);
	return list_answer(r, &l, monitor_list(r->db, r->key->team_id, &f,
	    &l));
}

/*
 * POST /v1/monitors
 * Scope monitors:write.  201 with the monitor, Location; 400; 409
 * conflict (a heartbeat's slug taken), limit_exceeded
 * (UPTIME_MAX_MONITORS).
 */
static int
monitors_create(struct req *r)
{
	struct monitor	 m;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	monitor_init(&m, r->now);
	monitor_apply(&m, body, 1, &v);
	cJSON_Delete(body);
	if (v.n > 0) {
		monitor_free(&m);
		return resp_verrs(r, &v);
	}
	snprintf(m.team_id, sizeof(m.team_id), "%s", r->key->team_id);
	if (slug_free(r, &m) == -1 || limit_check(r, LIMIT_MONITORS) == -1) {
		monitor_free(&m);
		return 0;
	}
	if ((rc = monitor_create(r->db, &m, r->now)) != DB_OK ||
	    (rc = location_monitor_saved(r->db, &m, -1, r->now, &v)) !=
	    DB_OK || v.n > 0) {
		monitor_free(&m);
		return v.n > 0 ? resp_verrs(r, &v) : resp_db(r, rc);
		monitor_free(&m);
		return resp_db(r, rc);
	}
	return answer(r, 201, &m);
}

/*
 * GET /v1/monitors/{id}
 * Scope monitors:read.  200; 404.
 */
static int
monitors_get(struct req *r)
{
	struct monitor	 m;

	if (load(r, &m) == -1)
		return 0;
	return answer(r, 200, &m);
}

/*
 * PATCH /v1/monitors/{id}
 * Scope monitors:write.  200 with the monitor; 400; 404; 409 conflict (a
 * heartbeat's slug taken).  A change of the check schedule takes effect
 * at once: the next check is due now.
 */
static int
monitors_patch(struct req *r)
{
	struct monitor	 m;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc, was_paused;

	if ((body = req_json(r)) == NULL)
		return 0;
	if (load(r, &m) == -1) {
		cJSON_Delete(body);
		return 0;
	}
	was_paused = m.paused;
	rc = monitor_patch(r->db, &m, body, r->now, &v);
	cJSON_Delete(body);
	if (rc == DB_OK && v.n == 0)
		rc = location_monitor_saved(r->db, &m, was_paused, r->now, &v);
	if (rc == DB_OK && v.n == 0)
		return answer(r, 200, &m);
	if (rc == DB_OK)
		resp_verrs(r, &v);
	/*
	 * A conflict is a slug another heartbeat of the team holds (the
	 * one unique index an update can break): say which field, without
	 * another statement (on PostgreSQL the failed one ended the
	 * transaction).
	 */
	else if (rc == DB_CONFLICT && slug_of(&m) != NULL)
		slug_taken(r, slug_of(&m));
	else
		resp_db(r, rc);
	monitor_free(&m);
	return 0;
}

/*
 * DELETE /v1/monitors/{id}
 * Scope monitors:write.  204, with its results and outages; 404.
 */
static int
monitors_delete(struct req *r)
{
	return resp_deleted(r, monitor_delete(r->db, r->key->team_id,
	    r->args[0]));
}

static int
set_paused(struct req *r, int paused)
{
	struct monitor	 m;
	int		 rc;

	if (load(r, &m) == -1)
		return 0;
	if ((rc = monitor_set_paused(r->db, &m, paused, r->now)) != DB_OK) {
		monitor_free(&m);
		return resp_db(r, rc);
	}
	return answer(r, 200, &m);
}

/*
 * POST /v1/monitors/{id}/pause
 * Scope monitors:write.  200 with the paused monitor; 404.
 */
static int
monitors_pause(struct req *r)
{
	return set_paused(r, 1);
}

/*
 * POST /v1/monitors/{id}/resume
 * Scope monitors:write.  200 with the monitor, due for a check now; 404.
 */
static int
monitors_resume(struct req *r)
{
	return set_paused(r, 0);
}

/* Answer a check on demand, or the database's error; res is cleared. */
static int
answer_check(struct req *r, int dbrc, struct check_result *res)
{
	struct jw	 w;
	int		 rc;

	if (dbrc != DB_OK)
		rc = resp_db(r, dbrc);
	else {
		resp_open(r, 200, &w);
		check_result_write(&w, res);
		rc = resp_close(r, &w);
	}
	check_result_clear(res);
	return rc;
}

/*
 * POST /v1/monitors/{id}/check
 * Scope monitors:write.  200 with the result of one check run now and
 * recorded like any other (the schedule is unchanged); 404; 409 for a
 * heartbeat monitor; 429 run_now_busy with Retry-After while a check of
 * this monitor runs, or UPTIME_MAX_RUN_NOW of the team's.  The check
 * runs outside any transaction, holding the monitor's run-now lease.
 */
static int
monitors_check(struct req *r)
{
	struct monitor		 m;
	struct check_result	 res;
	int			 rc;

	if (load(r, &m) == -1)
		return 0;
	rc = runnow_monitor(r, &m, &res);
	monitor_free(&m);
	if (rc == -1)
		return 0;
	if (rc == 1)
		return resp_problem(r, 409, "conflict", "This monitor is not "
		    "checked on demand.");
	return answer_check(r, rc, &res);
}

/*
 * POST /v1/checks
 * Scope monitors:write.  200 with the result of one check of the target
 * the body describes (a monitor's type, timeoutSeconds and type fields),
 * run now and recorded nowhere; 400; 429 checks_rate_limited with
 * Retry-After past UPTIME_CHECK_RATE_LIMIT a minute for the team, or
 * run_now_busy with Retry-After while UPTIME_MAX_RUN_NOW of its checks
 * on demand run.  The check runs outside any transaction, holding a
 * lease; nothing is counted before the body is valid.
 */
static int
checks_run(struct req *r)
{
	struct monitor		 m;
	struct verrs		 v = { 0 };
	struct check_result	 res;
	cJSON			*body;
	char			 token[ID_MAX], name[ID_MAX + 4];
	long			 n;
	int			 reset = 0, rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	monitor_init(&m, r->now);
	monitor_apply_check(&m, body, &v);
	cJSON_Delete(body);
	if (v.n > 0) {
		monitor_free(&m);
		return resp_verrs(r, &v);
	}
	/* The team's budget, shared by every worker like the keys'. */
	snprintf(name, sizeof(name), "c:%s", r->key->team_id);
	n = ratelimit_hit(name, r->now, &reset);
	if (n == -1 || n > cfg.check_rate_limit) {
		monitor_free(&m);
		resp_header(r, "Retry-After", "%d", reset < 1 ? 1 : reset);
		return resp_problem_limit(r, 429, "checks_rate_limited",
		    cfg.check_rate_limit, "UPTIME_CHECK_RATE_LIMIT", "A team "
		    "may run at most %ld one-off checks a minute "
		    "(UPTIME_CHECK_RATE_LIMIT); retry in %d s.",
		    cfg.check_rate_limit, reset < 1 ? 1 : reset);
	}
	rc = runnow_run(r, &m, NULL, token, &res);
	monitor_free(&m);
	if (rc != 0)
		return rc == -1 ? 0 : resp_db(r, DB_ERROR);
	if (runnow_give(r->db, NULL, token) != DB_OK)
		req_log(r, __func__, "cannot give the lease back; it lapses");
	return answer_check(r, DB_OK, &res);
}

/*
 * GET /v1/monitors/{id}/results?from&to&status&location&perPage&cursor
 * Scope monitors:read.  200 with a page of results, newest first (a
 * heartbeat's pings), of one location ("local" or one of the team's
 * loc_...) when asked; 400; 404.
 */
static int
monitors_results(struct req *r)
{
	struct monitor		 m;
	struct result_filter	 f = { req_time(r, "from"), req_time(r, "to"),
				    req_enum(r, "status"), NULL };
	struct lister		 l;
	const char		*c = r->page.has_cursor ? r->page.c_id : NULL;
	int			 hb;

	if (c != NULL && strncmp(c, "r_", 2) != 0 && strncmp(c, "p_", 2) != 0)
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this list gave out.");
	if (location_of(r, &f.location) == -1 || load(r, &m) == -1)
		return 0;
	hb = m.type == MON_HEARTBEAT;
	monitor_free(&m);
	/* A heartbeat's results are its pings ("p_" cursors). */
	if (c != NULL && strncmp(c, hb ? "p_" : "r_", 2) != 0)
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this list gave out.");
	list_start(r, &l);
	/* A heartbeat's pings all come to this host. */
	if (hb && f.location != NULL && strcmp(f.location, MON_LOCAL) != 0)
		return list_answer(r, &l, DB_OK);
	return list_answer(r, &l, hb ? ping_list(r->db, r->args[0], &f, &l) :
	    result_list(r->db, r->args[0], &f, &l));
}

/*
 * POST /v1/monitors/{id}/rotate-ping-token
 * Scope monitors:write.  200 with the heartbeat and its new pingUrl; the
 * old URL answers 404 at once.  404; 409 when the monitor is not a
 * heartbeat.
 */
static int
monitors_rotate_ping(struct req *r)
{
	struct monitor	 m;
	int		 rc;

	if (load(r, &m) == -1)
		return 0;
	if (m.type != MON_HEARTBEAT) {
		monitor_free(&m);
		return resp_problem(r, 409, "conflict", "Only heartbeat "
		    "monitors have a ping URL.");
	}
	if ((rc = heartbeat_rotate(r->db, &m, r->now)) != DB_OK) {
		monitor_free(&m);
		return resp_db(r, rc);
	}
	return answer(r, 200, &m);
}

/*
 * The stats of m over [from, to): the monitor's, or those of location
 * loc (not NULL) alone.
 */
static int
stats_of(struct req *r, const struct monitor *m, const char *loc,
    int64_t from, int64_t to, struct stats *s)
{
	if (loc != NULL)
		return rollup_location_stats(r->db, m->id, loc, from, to,
		    r->now, s);
	return rollup_stats(r->db, m->id, m->created_at, from, to, r->now, s);
}

/*
 * GET /v1/monitors/{id}/stats?from&to&location
 * Scope monitors:read.  200 with the stats of [from, to), or by default
 * {"windows": {"24h", "7d", "30d", "90d"}}, answered from rollups: the
 * monitor's, or as seen from one location ("local" or one of the team's
 * loc_...) when asked; 400; 404.
 */
static int
monitors_stats(struct req *r)
{
	struct monitor	 m;
	struct stats	 s;
	cJSON		*o, *w;
	const char	*loc;
	int64_t		 from = req_time(r, "from"), to = req_time(r, "to");
	int		 i, rc;

	if (location_of(r, &loc) == -1 || load(r, &m) == -1)
		return 0;
	if (from != 0 || to != 0) {
		if (to == 0)
			to = r->now;
		if (from == 0)
			from = to - ROLLUP_DAY_MS;
		rc = stats_of(r, &m, loc, from, to, &s);
		monitor_free(&m);
		if (rc != DB_OK)
			return resp_db(r, rc);
		return resp_data(r, 200, stats_json(&s));
	}
	o = cJSON_CreateObject();
	w = cJSON_AddObjectToObject(o, "windows");
	for (i = 0; i < SW__MAX; i++) {
		rc = stats_of(r, &m, loc, r->now - stats_window_ms[i], r->now,
		    &s);
		if (rc != DB_OK) {
			cJSON_Delete(o);
			monitor_free(&m);
			return resp_db(r, rc);
		}
		cJSON_AddItemToObject(w, stats_window_names[i],
		    stats_json(&s));
	}
	monitor_free(&m);
	return resp_data(r, 200, o);
}

/*
 * GET /v1/monitors/stats?window
 * Scope monitors:read.  200 with the team's uptime over the windows of
 * a monitor's stats, its monitors in each status, its open outages and
 * the TEAMSTATS_WORST monitors with the least uptime over window (24h,
 * 7d, 30d (default) or 90d); 400 bad_query.
 */
static int
monitors_team_stats(struct req *r)
{
	cJSON	*o;
	int	 rc;

	if ((rc = teamstats_json(r->db, r->key->team_id,
	    (enum stats_window)req_enum(r, "window"), r->now, &o)) != DB_OK)
		return resp_db(r, rc);
	return resp_data(r, 200, o);
}

/*
 * GET /v1/monitors/{id}/outages?location&perPage&cursor
 * Scope monitors:read.  200 with a page of outages, newest first: the
 * monitor's, or the down periods of one location ("local" or one of the
 * team's loc_...) when asked; 400; 404.
 */
static int
monitors_outages(struct req *r)
{
	struct monitor	 m;
	struct lister	 l;
	const char	*loc;

	if (location_of(r, &loc) == -1 || load(r, &m) == -1)
		return 0;
	monitor_free(&m);
	list_start(r, &l);
	return list_answer(r, &l, outage_list(r->db, r->args[0], loc, &l));
}

/*
 * GET /v1/status
 * Scope monitors:read.  200 with the team's overall state
 * (operational|degraded|partial_outage|major_outage|unknown) and the
 * number of monitors in each status.  Paused monitors and those not yet
 * checked do not count toward the state; with none left it is unknown.
 */
static int
status_overall(struct req *r)
{
	long		 c[MST__MAX], h[HEALTH__MAX] = { 0 };
	long		 total = 0;
	enum health	 one;
	cJSON		*o, *counts;
	int		 i, rc;

	if ((rc = monitor_counts(r->db, r->key->team_id, c)) != DB_OK)
		return resp_db(r, rc);
	for (i = 0; i < MST__MAX; i++) {
		/* This state has no "maintenance": such a monitor is
		 * operational here. */
		if ((one = monitor_health((enum mon_status)i)) ==
		    HEALTH_MAINTENANCE)
			one = HEALTH_OPERATIONAL;
		h[one] += c[i];
		total += c[i];
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "state", health_names[health_overall(h)]);
	counts = cJSON_AddObjectToObject(o, "counts");
	for (i = 0; i < MST__MAX; i++)
		cJSON_AddNumberToObject(counts, mon_status_names[i], c[i]);
	cJSON_AddNumberToObject(o, "total", total);
	return resp_data(r, 200, o);
}

/*
 * GET /v1/monitors/ping-key
 * Scope monitors:write.  200 with the team's ping key, never its secret;
 * 404 when the team has none.
 */
static int
ping_key_show(struct req *r)
{
	struct pingkey	 k;
	int		 rc;

	if ((rc = pingkey_get(r->db, r->key->team_id, &k)) != DB_OK)
		return resp_db(r, rc);
	resp_data(r, 200, pingkey_json(&k, NULL));
	pingkey_free(&k);
	return 0;
}

/*
 * POST /v1/monitors/ping-key
 * Scope monitors:write.  201 with the new key and its secret in "key",
 * shown this once, and Location; 400; 409 conflict when the team has a
 * key already (rotate it).
 */
static int
ping_key_create(struct req *r)
{
	struct pingkey	 k;
	struct verrs	 v = { 0 };
	cJSON		*body;
	char		 secret[PINGKEY_LEN + 1];
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	pingkey_init(&k, r->key->team_id, r->now);
	pingkey_apply(&k, body, &v);
	cJSON_Delete(body);
	if (v.n > 0) {
		pingkey_free(&k);
		return resp_verrs(r, &v);
	}
	pingkey_generate(&k, secret);
	if ((rc = pingkey_insert(r->db, &k, secret)) != DB_OK) {
		pingkey_free(&k);
		return rc == DB_CONFLICT ? resp_problem(r, 409, "conflict",
		    "The team has a ping key already; rotate it for a new "
		    "secret, or delete it first.") : resp_db(r, rc);
	}
	resp_header(r, "Location", "%s", r->uri_path);
	resp_data(r, 201, pingkey_json(&k, secret));
	sodium_memzero(secret, sizeof(secret));
	pingkey_free(&k);
	return 0;
}

/*
 * PATCH /v1/monitors/ping-key
 * Scope monitors:write.  200 with the key (createOnPing, defaults); 400;
 * 404 when the team has none.
 */
static int
ping_key_patch(struct req *r)
{
	struct pingkey	 k;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	if ((rc = pingkey_get(r->db, r->key->team_id, &k)) != DB_OK) {
		cJSON_Delete(body);
		return resp_db(r, rc);
	}
	pingkey_apply(&k, body, &v);
	cJSON_Delete(body);
	if (v.n > 0 || (rc = pingkey_update(r->db, &k)) != DB_OK) {
		pingkey_free(&k);
		return v.n > 0 ? resp_verrs(r, &v) : resp_db(r, rc);
	}
	resp_data(r, 200, pingkey_json(&k, NULL));
	pingkey_free(&k);
	return 0;
}

/*
 * POST /v1/monitors/ping-key/rotate
 * Scope monitors:write.  200 with the key and its new secret in "key",
 * shown this once; the old secret stops working at once.  404 when the
 * team has none.
 */
static int
ping_key_rotate(struct req *r)
{
	struct pingkey	 k;
	char		 secret[PINGKEY_LEN + 1];
	int		 rc;

	if ((rc = pingkey_get(r->db, r->key->team_id, &k)) != DB_OK)
		return resp_db(r, rc);
	pingkey_generate(&k, secret);
	if ((rc = pingkey_rotate(r->db, &k, secret, r->now)) != DB_OK) {
		pingkey_free(&k);
		return resp_db(r, rc);
	}
	resp_data(r, 200, pingkey_json(&k, secret));
	sodium_memzero(secret, sizeof(secret));
	pingkey_free(&k);
	return 0;
}

/*
 * DELETE /v1/monitors/ping-key
 * Scope monitors:write.  204: pings by slug answer 404 from then on; the
 * heartbeats keep their slugs and tokens.  404 when the team has none.
 */
static int
ping_key_delete(struct req *r)
{
	return resp_deleted(r, pingkey_delete(r->db, r->key->team_id));
}

static const struct qspec q_monitors[] = {
	Q_ENUM("type", mon_type_names, MON_TYPE__MAX),
	Q_ENUM("status", mon_status_names, MST__MAX),
	Q_TEXT("tag", MON_MAXTAGLEN, NULL),
	Q_PAGE,
	Q_END
};

static const char *const local_names[] = { MON_LOCAL };

static const struct qspec q_results[] = {
	Q_WINDOW,
	Q_ENUM_SOME("status", mon_status_names, MST__MAX,
	    1u << MST_UP | 1u << MST_DEGRADED | 1u << MST_DOWN),
	Q_ID_OR("location", "loc", local_names, 1),
	Q_PAGE,
	Q_END
};

static const struct qspec q_stats[] = {
	Q_WINDOW,
	Q_ID_OR("location", "loc", local_names, 1),
	Q_END
};

static const struct qspec q_outages[] = {
	Q_ID_OR("location", "loc", local_names, 1),
	Q_PAGE,
	Q_END
};

static const struct qspec q_team_stats[] = {
	Q_ENUM_DEF("window", stats_window_names, SW__MAX, SW_30D),
	Q_END
};

/* A monitor's checks counted in each window of the uptime ratio. */
struct counted {
	char			 id[ID_MAX];
	struct rollup_counts	 c;
};

/* A scrape: the rollup counts by monitor id, then the monitors. */
struct scrape {
	struct metrics		 mx;
	struct counted		*counted;	/* in monitor id order */
	size_t			 n, cap;
};

static int
scrape_counts(const struct rollup_counts *c, void *arg)
{
	struct scrape	*s = arg;
	struct counted	*p;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		if ((p = reallocarray(s->counted, s->cap, sizeof(*p))) == NULL)
			return -1;
		s->counted = p;
	}
	p = &s->counted[s->n++];
	snprintf(p->id, sizeof(p->id), "%s", c->monitor_id);
	p->c = *c;
	p->c.monitor_id = NULL;		/* set once the array stops moving */
	return 0;
}

static int
counted_cmp(const void *id, const void *elem)
{
	return strcmp(id, ((const struct counted *)elem)->id);
}

static int
scrape_monitor(const void *obj, struct lister *l)
{
	const struct monitor	*m = obj;
	struct scrape		*s = l->visit_arg;
	struct counted		*c;

	c = s->n == 0 ? NULL : bsearch(m->id, s->counted, s->n,
	    sizeof(*s->counted), counted_cmp);
	return metrics_add_monitor(&s->mx, m, c != NULL ? &c->c : NULL);
}

/*
 * GET /v1/metrics
 * Scope monitors:read.  200 text/plain (the Prometheus text format,
 * version 0.0.4): the team's monitors and the service's figures
 * (docs/metrics.md); 400 bad_query for any query.  Four queries for
 * the whole team, in one read transaction.
 */
static int
team_metrics(struct req *r)
{
	struct monitor_filter	 f = { -1, -1, NULL };
	struct metrics_service	 sv = { NULL, 0 };
	struct checker_state	 cs;
	struct scrape		 s;
	struct page		 pg;
	struct lister		 l;
	struct buf		 body = { NULL, 0, 0 };
	size_t			 i;
	int			 rc;

	memset(&s, 0, sizeof(s));
	memset(&pg, 0, sizeof(pg));
	pg.perpage = INT_MAX - 1;
	page_start(&l, &pg, r->now);
	l.visit = scrape_monitor;
	l.visit_arg = &s;
	metrics_start(&s.mx);
	if ((rc = db_exec(r->db, "BEGIN")) != DB_OK)
		goto out;
	rc = rollup_team_counts(r->db, r->key->team_id, metrics_window_days,
	    r->now, scrape_counts, &s);
	for (i = 0; i < s.n; i++)
		s.counted[i].c.monitor_id = s.counted[i].id;
	/* Every monitor, newest first, walked as the list reads them. */
	if (rc == DB_OK)
		rc = monitor_list(r->db, r->key->team_id, &f, &l);
	if (rc == DB_OK && (rc = checker_state_get(r->db, &cs)) == DB_OK)
		sv.checker = &cs;
	else if (rc == DB_NOTFOUND)
		rc = DB_OK;
	if (rc == DB_OK)
		rc = notification_count_pending(r->db, r->key->team_id,
		    &sv.pending_notifications);
	if (db_exec(r->db, rc == DB_OK ? "COMMIT" : "ROLLBACK") != 0 &&
	    rc == DB_OK)
		rc = DB_ERROR;
	if (rc == DB_OK && metrics_finish(&s.mx, &sv, &body) == -1)
		rc = DB_ERROR;
out:
	metrics_free(&s.mx);
	free(s.counted);
	page_free(&l);
	if (rc != DB_OK) {
		buf_free(&body);
		return resp_db(r, rc);
	}
	return resp_body(r, 200, METRICS_CTYPE, &body);
}

static const struct route routes[] = {
	{ "GET", "/v1/monitors", SCOPE_MONITORS_READ, monitors_list, NULL,
	    q_monitors, 0 },
	{ "POST", "/v1/monitors", SCOPE_MONITORS_WRITE, monitors_create,
	    "monitor.created", NULL, ROUTE_BODY },
	/* "stats" is no monitor id: the router types ids (mon_...). */
	{ "GET", "/v1/monitors/stats", SCOPE_MONITORS_READ,
	    monitors_team_stats, NULL, q_team_stats, 0 },
	{ "GET", "/v1/monitors/{mon}", SCOPE_MONITORS_READ, monitors_get, NULL,
	    NULL, 0 },
	{ "PATCH", "/v1/monitors/{mon}", SCOPE_MONITORS_WRITE, monitors_patch,
	    "monitor.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/monitors/{mon}", SCOPE_MONITORS_WRITE,
	    monitors_delete, "monitor.deleted", NULL, 0 },
	{ "POST", "/v1/monitors/{mon}/pause", SCOPE_MONITORS_WRITE,
	    monitors_pause, "monitor.paused", NULL, 0 },
	{ "POST", "/v1/monitors/{mon}/resume", SCOPE_MONITORS_WRITE,
	    monitors_resume, "monitor.resumed", NULL, 0 },
	{ "POST", "/v1/monitors/{mon}/check", SCOPE_MONITORS_WRITE,
	    monitors_check, "monitor.checked", NULL, ROUTE_NOTX },
	{ "POST", "/v1/monitors/{mon}/rotate-ping-token", SCOPE_MONITORS_WRITE,
	    monitors_rotate_ping, "monitor.ping_token_rotated", NULL, 0 },
	{ "GET", "/v1/monitors/{mon}/results", SCOPE_MONITORS_READ,
	    monitors_results, NULL, q_results, 0 },
	{ "GET", "/v1/monitors/{mon}/stats", SCOPE_MONITORS_READ,
	    monitors_stats, NULL, q_stats, 0 },
	{ "GET", "/v1/monitors/{mon}/outages", SCOPE_MONITORS_READ,
	    monitors_outages, NULL, q_outages, 0 },
	{ "GET", "/v1/status", SCOPE_MONITORS_READ, status_overall, NULL, NULL,
	    0 },
	{ "POST", "/v1/checks", SCOPE_MONITORS_WRITE, checks_run, "check.run",
	    NULL, ROUTE_BODY | ROUTE_NOTX },
	{ "GET", "/v1/monitors/ping-key", SCOPE_MONITORS_WRITE, ping_key_show,
	    NULL, NULL, 0 },
	{ "POST", "/v1/monitors/ping-key", SCOPE_MONITORS_WRITE,
	    ping_key_create, "ping_key.created", NULL, ROUTE_BODY },
	{ "PATCH", "/v1/monitors/ping-key", SCOPE_MONITORS_WRITE,
	    ping_key_patch, "ping_key.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/monitors/ping-key", SCOPE_MONITORS_WRITE,
	    ping_key_delete, "ping_key.deleted", NULL, 0 },
	{ "POST", "/v1/monitors/ping-key/rotate", SCOPE_MONITORS_WRITE,
	    ping_key_rotate, "ping_key.rotated", NULL, 0 },
	{ "GET", "/v1/metrics", SCOPE_MONITORS_READ, team_metrics, NULL,
	    NULL, 0 },
};

int
main(void)
{
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]),
	    SERVE_CURL);
}
