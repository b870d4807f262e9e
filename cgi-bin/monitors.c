/*
 * monitors.fcgi: monitors, their results, stats and outages, and the
 * team's overall status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "uptime.h"
#include "alert.h"
#include "checkerstate.h"
#include "heartbeat.h"
#include "limit.h"
#include "metrics.h"
#include "monitor.h"
#include "rollup.h"

#define DAY_MS	(24LL * 3600 * 1000)

static int
find(const char *const *names, int n, const char *s)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* The monitor named in the path, for this team; answers 404 itself. */
static int
load(struct req *r, struct monitor *m)
{
	int	 rc;

	if ((rc = monitor_get(r->db, r->key->team_id, r->args[0], m)) !=
	    DB_OK) {
		resp_db(r, rc);
		return -1;
	}
	return 0;
}

static int
list_one(const struct monitor *m, void *arg)
{
	page_add(arg, monitor_json(m), m->created_at, m->id);
	return 0;
}

/*
 * GET /v1/monitors?type&status&tag&perPage&cursor
 * Scope monitors:read.  200 with a page of monitors; 400 bad_query.
 */
static int
monitors_list(struct req *r)
{
	struct monitor_filter	 f = { -1, -1, NULL };
	struct page		 pg;
	struct lister		 l;
	const char		*s;
	int			 rc;

	if ((s = req_query(r, "type")) != NULL &&
	    (f.type = find(mon_type_names, MON_TYPE__MAX, s)) == -1)
		return resp_problem(r, 400, "bad_query", "type must be one of "
		    "http, tcp, dns, heartbeat.");
	if ((s = req_query(r, "status")) != NULL &&
	    (f.status = find(mon_status_names, MST__MAX, s)) == -1)
		return resp_problem(r, 400, "bad_query", "status must be one "
		    "of pending, up, degraded, down, paused, maintenance.");
	if ((f.tag = req_query(r, "tag")) != NULL &&
	    (utf8_chars(f.tag) < 1 || utf8_chars(f.tag) > MON_MAXTAGLEN))
		return resp_problem(r, 400, "bad_query", "tag must be 1 to 64 "
		    "characters.");
	if (page_parse(r, &pg) == -1)
		return 0;
	page_start(&l, &pg);
	rc = monitor_list(r->db, r->key->team_id, &f, &pg, pg.perpage + 1,
	    list_one, &l);
	if (rc != DB_OK) {
		cJSON_Delete(l.items);
		return resp_db(r, rc);
	}
	return page_answer(r, &l);
}

/*
 * POST /v1/monitors
 * Scope monitors:write.  201 with the monitor, Location; 400; 409
 * limit_exceeded (UPTIME_MAX_MONITORS).
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
	if (m.paused)
		m.status = MST_PAUSED;
	/* A heartbeat's first ping is expected one period from now. */
	if (m.type == MON_HEARTBEAT && heartbeat_restart(&m, r->now) == -1) {
		monitor_free(&m);
		return resp_db(r, DB_ERROR);
	}
	if (limit_check(r, LIMIT_MONITORS) == -1) {
		monitor_free(&m);
		return 0;
	}
	if ((rc = monitor_insert(r->db, &m)) != DB_OK) {
		monitor_free(&m);
		return resp_db(r, rc);
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	resp_header(r, "Location", "%s/%s", r->uri_path, m.id);
	resp_data(r, 201, monitor_json(&m));
	monitor_free(&m);
	return 0;
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
	resp_data(r, 200, monitor_json(&m));
	monitor_free(&m);
	return 0;
}

/*
 * PATCH /v1/monitors/{id}
 * Scope monitors:write.  200 with the monitor; 400; 404.  A change of
 * the check schedule takes effect at once: the next check is due now.
 */
static int
monitors_patch(struct req *r)
{
	struct monitor	 m;
	struct verrs	 v = { 0 };
	cJSON		*body;
	char		*before, *after;
	long		 interval, timeout;
	int		 was_paused, rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	if (load(r, &m) == -1) {
		cJSON_Delete(body);
		return 0;
	}
	was_paused = m.paused;
	interval = m.interval_s;
	timeout = m.timeout_s;
	before = cJSON_PrintUnformatted(m.config);
	monitor_apply(&m, body, 0, &v);
	cJSON_Delete(body);
	after = cJSON_PrintUnformatted(m.config);
	if (v.n > 0 || before == NULL || after == NULL) {
		free(before);
		free(after);
		monitor_free(&m);
		return v.n > 0 ? resp_verrs(r, &v) : resp_db(r, DB_ERROR);
	}
	m.updated_at = r->now;
	/* A changed check is due at once; a rename is not. */
	if (strcmp(before, after) != 0 || interval != m.interval_s ||
	    timeout != m.timeout_s)
		m.next_check_at = r->now;
	free(before);
	free(after);
	if (m.paused != was_paused) {
		m.status = m.paused ? MST_PAUSED : MST_PENDING;
		m.fails = 0;
		m.last_change_at = m.next_check_at = r->now;
		if (m.paused && (rc = outage_close(r->db, m.id, r->now,
		    NULL)) != DB_OK) {
			monitor_free(&m);
			return resp_db(r, rc);
		}
	}
	/* A heartbeat is never probed: where another monitor becomes due
	 * now, its clock starts again (the next ping a period on). */
	if (m.type == MON_HEARTBEAT && m.next_check_at == r->now &&
	    heartbeat_restart(&m, r->now) == -1) {
		monitor_free(&m);
		return resp_db(r, DB_ERROR);
	}
	if ((rc = monitor_update(r->db, &m)) != DB_OK) {
		monitor_free(&m);
		return resp_db(r, rc);
	}
	resp_data(r, 200, monitor_json(&m));
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
	int	 rc;

	if ((rc = monitor_delete(r->db, r->key->team_id, r->args[0])) !=
	    DB_OK)
		return resp_db(r, rc);
	return resp_empty(r, 204);
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
	resp_data(r, 200, monitor_json(&m));
	monitor_free(&m);
	return 0;
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
	struct probe		 p;
	struct probe_opts	 o;
	struct check_result	 res;
	char			**scratch = NULL;
	char			 token[ID_MAX];
	int64_t			 started;
	int			 rc;

	if (load(r, &m) == -1)
		return 0;
	if (check_prepare(&m, &p, &scratch) == -1) {
		monitor_free(&m);
		return resp_problem(r, 409, "conflict", "This monitor is not "
		    "checked on demand.");
	}
	if (runnow_take(r, m.id, m.timeout_s * 1000 + RUNNOW_GRACE_MS,
	    token) == -1) {
		probe_clear(&p);
		check_scratch_free(scratch);
		monitor_free(&m);
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.concurrency = 1;
	o.allow_private = cfg.allow_private;
	o.dns_servers = cfg.dns_servers[0] ? cfg.dns_servers : NULL;
	o.ca_file = cfg.ca_file[0] ? cfg.ca_file : NULL;
	started = time_now_ms();
	if (probe_run(&p, 1, &o) == -1)
		req_log(r, __func__, "probe_run could not set up");
	check_judge(&m, &p, started, &res);
	probe_clear(&p);
	check_scratch_free(scratch);

	/* The lease goes with the result, or alone if that fails. */
	if ((rc = db_begin(r->db)) == DB_OK) {
		rc = check_record(r->db, &m, &res, 0, time_now_ms());
		if (rc == DB_OK)
			rc = runnow_give(r->db, m.id, token);
		if (rc == DB_OK)
			rc = db_commit(r->db);
		else
			db_rollback(r->db);
	}
	if (rc != DB_OK && runnow_give(r->db, m.id, token) != DB_OK)
		req_log(r, __func__, "cannot give the lease back; it lapses");
	monitor_free(&m);
	if (rc != DB_OK)
		return resp_db(r, rc == DB_CONFLICT ? DB_NOTFOUND : rc);
	return resp_data(r, 200, check_result_json(&res));
}

static int
result_one(const struct check_result *res, int64_t rowid, void *arg)
{
	char	 id[ID_MAX];

	snprintf(id, sizeof(id), "r_%lld", (long long)rowid);
	page_add(arg, check_result_json(res), res->checked_at, id);
	return 0;
}

/* Read from and to; answers 400 and returns -1 when bad. */
static int
window(struct req *r, int64_t *from, int64_t *to)
{
	const char	*f = req_query(r, "from"), *t = req_query(r, "to");

	*from = *to = 0;
	if ((f != NULL && time_parse(f, from) == -1) ||
	    (t != NULL && time_parse(t, to) == -1))
		return resp_problem(r, 400, "bad_query", "from and to must be "
		    "RFC 3339 times."), -1;
	if (*from != 0 && *to != 0 && *to <= *from)
		return resp_problem(r, 400, "bad_query", "to must be after "
		    "from."), -1;
	return 0;
}

/*
 * GET /v1/monitors/{id}/results?from&to&status&perPage&cursor
 * Scope monitors:read.  200 with a page of results, newest first (a
 * heartbeat's pings); 400; 404.
 */
static int
monitors_results(struct req *r)
{
	struct monitor		 m;
	struct result_filter	 f = { 0, 0, -1 };
	struct page		 pg;
	struct lister		 l;
	const char		*s;
	int			 rc, hb;

	if (window(r, &f.from, &f.to) == -1)
		return 0;
	if ((s = req_query(r, "status")) != NULL) {
		f.status = find(mon_status_names, MST__MAX, s);
		if (f.status != MST_UP && f.status != MST_DEGRADED &&
		    f.status != MST_DOWN)
			return resp_problem(r, 400, "bad_query", "status must "
			    "be one of up, degraded, down.");
	}
	if (page_parse(r, &pg) == -1)
		return 0;
	if (pg.has_cursor && strncmp(pg.c_id, "r_", 2) != 0 &&
	    strncmp(pg.c_id, "p_", 2) != 0)
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this list gave out.");
	if (load(r, &m) == -1)
		return 0;
	hb = m.type == MON_HEARTBEAT;
	monitor_free(&m);
	/* A heartbeat's results are its pings ("p_" cursors). */
	if (pg.has_cursor && strncmp(pg.c_id, hb ? "p_" : "r_", 2) != 0)
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this list gave out.");
	page_start(&l, &pg);
	rc = hb ? ping_list(r->db, r->args[0], &f, &pg, pg.perpage + 1, &l) :
	    result_list(r->db, r->args[0], &f, &pg, pg.perpage + 1,
	    result_one, &l);
	if (rc != DB_OK) {
		cJSON_Delete(l.items);
		return resp_db(r, rc);
	}
	return page_answer(r, &l);
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
	resp_data(r, 200, monitor_json(&m));
	monitor_free(&m);
	return 0;
}

/*
 * GET /v1/monitors/{id}/stats?from&to
 * Scope monitors:read.  200 with the stats of [from, to), or by default
 * {"windows": {"24h", "7d", "30d", "90d"}}, answered from rollups; 400;
 * 404.
 */
static int
monitors_stats(struct req *r)
{
	static const struct {
		const char	*name;
		int64_t		 span;
	} windows[] = {
		{ "24h", DAY_MS }, { "7d", 7 * DAY_MS }, { "30d", 30 * DAY_MS },
		{ "90d", 90 * DAY_MS },
	};
	struct monitor	 m;
	struct stats	 s;
	cJSON		*o, *w;
	int64_t		 from, to;
	size_t		 i;
	int		 rc;

	if (window(r, &from, &to) == -1 || load(r, &m) == -1)
		return 0;
	if (from != 0 || to != 0) {
		if (to == 0)
			to = r->now;
		if (from == 0)
			from = to - DAY_MS;
		rc = rollup_stats(r->db, m.id, m.created_at, from, to, r->now,
		    &s);
		monitor_free(&m);
		if (rc != DB_OK)
			return resp_db(r, rc);
		return resp_data(r, 200, stats_json(&s));
	}
	o = cJSON_CreateObject();
	w = cJSON_AddObjectToObject(o, "windows");
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		rc = rollup_stats(r->db, m.id, m.created_at,
		    r->now - windows[i].span, r->now, r->now, &s);
		if (rc != DB_OK) {
			cJSON_Delete(o);
			monitor_free(&m);
			return resp_db(r, rc);
		}
		cJSON_AddItemToObject(w, windows[i].name, stats_json(&s));
	}
	monitor_free(&m);
	return resp_data(r, 200, o);
}

/*
 * GET /v1/monitors/{id}/outages?perPage&cursor
 * Scope monitors:read.  200 with a page of outages, newest first; 404.
 */
static int
monitors_outages(struct req *r)
{
	struct monitor	 m;
	struct page	 pg;
	struct lister	 l;
	int		 rc;

	if (page_parse(r, &pg) == -1 || load(r, &m) == -1)
		return 0;
	monitor_free(&m);
	page_start(&l, &pg);
	rc = outage_list(r->db, r->args[0], &pg, pg.perpage + 1, r->now, &l);
	if (rc != DB_OK) {
		cJSON_Delete(l.items);
		return resp_db(r, rc);
	}
	return page_answer(r, &l);
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
scrape_monitor(const struct monitor *m, void *arg)
{
	struct scrape	*s = arg;
	struct counted	*c;

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
	struct buf		 body = { NULL, 0, 0 };
	size_t			 i;
	int			 rc;

	memset(&s, 0, sizeof(s));
	memset(&pg, 0, sizeof(pg));
	metrics_start(&s.mx);
	if ((rc = db_exec(r->db, "BEGIN")) != DB_OK)
		goto out;
	rc = rollup_team_counts(r->db, r->key->team_id, metrics_window_days,
	    r->now, scrape_counts, &s);
	for (i = 0; i < s.n; i++)
		s.counted[i].c.monitor_id = s.counted[i].id;
	/* Every monitor, newest first (a limit of -1 is none). */
	if (rc == DB_OK)
		rc = monitor_list(r->db, r->key->team_id, &f, &pg, -1,
		    scrape_monitor, &s);
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
	if (rc != DB_OK) {
		buf_free(&body);
		return resp_db(r, rc);
	}
	return resp_body(r, 200, METRICS_CTYPE, &body);
}

static const struct route routes[] = {
	{ "GET", "/v1/monitors", SCOPE_MONITORS_READ, monitors_list, NULL,
	    "type,status,tag,perPage,cursor", 0 },
	{ "POST", "/v1/monitors", SCOPE_MONITORS_WRITE, monitors_create,
	    "monitor.created", "", ROUTE_BODY },
	{ "GET", "/v1/monitors/{mon}", SCOPE_MONITORS_READ, monitors_get, NULL,
	    "", 0 },
	{ "PATCH", "/v1/monitors/{mon}", SCOPE_MONITORS_WRITE, monitors_patch,
	    "monitor.updated", "", ROUTE_BODY },
	{ "DELETE", "/v1/monitors/{mon}", SCOPE_MONITORS_WRITE,
	    monitors_delete, "monitor.deleted", "", 0 },
	{ "POST", "/v1/monitors/{mon}/pause", SCOPE_MONITORS_WRITE,
	    monitors_pause, "monitor.paused", "", 0 },
	{ "POST", "/v1/monitors/{mon}/resume", SCOPE_MONITORS_WRITE,
	    monitors_resume, "monitor.resumed", "", 0 },
	{ "POST", "/v1/monitors/{mon}/check", SCOPE_MONITORS_WRITE,
	    monitors_check, "monitor.checked", "", ROUTE_NOTX },
	{ "POST", "/v1/monitors/{mon}/rotate-ping-token", SCOPE_MONITORS_WRITE,
	    monitors_rotate_ping, "monitor.ping_token_rotated", "", 0 },
	{ "GET", "/v1/monitors/{mon}/results", SCOPE_MONITORS_READ,
	    monitors_results, NULL, "from,to,status,perPage,cursor", 0 },
	{ "GET", "/v1/monitors/{mon}/stats", SCOPE_MONITORS_READ,
	    monitors_stats, NULL, "from,to", 0 },
	{ "GET", "/v1/monitors/{mon}/outages", SCOPE_MONITORS_READ,
	    monitors_outages, NULL, "perPage,cursor", 0 },
	{ "GET", "/v1/status", SCOPE_MONITORS_READ, status_overall, NULL, "",
	    0 },
	{ "GET", "/v1/metrics", SCOPE_MONITORS_READ, team_metrics, NULL,
	    "", 0 },
};

int
main(void)
{
	int	 rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	rc = serve_main(routes, sizeof(routes) / sizeof(routes[0]));
	curl_global_cleanup();
	return rc;
}
