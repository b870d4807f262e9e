/*
 * monitors.fcgi: monitors, their results, stats and outages, and the
 * team's overall status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "heartbeat.h"
#include "limit.h"
#include "location.h"
#include "monitor.h"
#include "rollup.h"

/* Answer status with the monitor (201: created, with Location) and free it. */
static int
answer(struct req *r, int status, struct monitor *m)
{
	cJSON	*o = monitor_json(m);

	if (status == 201)
		resp_created(r, m->id, o);
	else
		resp_data(r, status, o);
	monitor_free(m);
	return 0;
}

/* The monitor named in the path, for this team; answers 404 itself. */
static int
load(struct req *r, struct monitor *m)
{
	return resp_found(r, monitor_get(r->db, r->key->team_id, r->args[0],
	    m));
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
	if (v.n == 0 && (rc = location_links_check(r->db, r->key->team_id,
	    m.locations, &v)) != DB_OK) {
		monitor_free(&m);
		return resp_db(r, rc);
	}
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
	if ((rc = monitor_insert(r->db, &m)) != DB_OK ||
	    (rc = location_links_sync(r->db, &m, r->now)) != DB_OK) {
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
	rc = v.n == 0 ? location_links_check(r->db, r->key->team_id,
	    m.locations, &v) : DB_OK;
	after = cJSON_PrintUnformatted(m.config);
	if (v.n > 0 || rc != DB_OK || before == NULL || after == NULL) {
		free(before);
		free(after);
		monitor_free(&m);
		return v.n > 0 ? resp_verrs(r, &v) : resp_db(r, rc != DB_OK ?
		    rc : DB_ERROR);
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
		if ((rc = monitor_states_clear(r->db, m.id)) != DB_OK ||
		    (m.paused && (rc = outage_close(r->db, m.id, r->now,
		    NULL)) != DB_OK)) {
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
	if ((rc = monitor_update(r->db, &m)) != DB_OK ||
	    (rc = location_links_sync(r->db, &m, r->now)) != DB_OK) {
		monitor_free(&m);
		return resp_db(r, rc);
	}
	return answer(r, 200, &m);
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

/*
 * GET /v1/monitors/{id}/results?from&to&status&perPage&cursor
 * Scope monitors:read.  200 with a page of results, newest first (a
 * heartbeat's pings); 400; 404.
 */
static int
monitors_results(struct req *r)
{
	struct monitor		 m;
	struct result_filter	 f = { req_time(r, "from"), req_time(r, "to"),
				    req_enum(r, "status") };
	struct lister		 l;
	const char		*c = r->page.has_cursor ? r->page.c_id : NULL;
	int			 hb;

	if (c != NULL && strncmp(c, "r_", 2) != 0 && strncmp(c, "p_", 2) != 0)
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this list gave out.");
	if (load(r, &m) == -1)
		return 0;
	hb = m.type == MON_HEARTBEAT;
	monitor_free(&m);
	/* A heartbeat's results are its pings ("p_" cursors). */
	if (c != NULL && strncmp(c, hb ? "p_" : "r_", 2) != 0)
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this list gave out.");
	list_start(r, &l);
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
 * GET /v1/monitors/{id}/stats?from&to
 * Scope monitors:read.  200 with the stats of [from, to), or by default
 * {"windows": {"24h", "7d", "30d", "90d"}}, answered from rollups; 400;
 * 404.
 */
static int
monitors_stats(struct req *r)
{
	struct monitor	 m;
	struct stats	 s;
	cJSON		*o, *w;
	int64_t		 from = req_time(r, "from"), to = req_time(r, "to");
	int		 i, rc;

	if (load(r, &m) == -1)
		return 0;
	if (from != 0 || to != 0) {
		if (to == 0)
			to = r->now;
		if (from == 0)
			from = to - ROLLUP_DAY_MS;
		rc = rollup_stats(r->db, m.id, m.created_at, from, to, r->now,
		    &s);
		monitor_free(&m);
		if (rc != DB_OK)
			return resp_db(r, rc);
		return resp_data(r, 200, stats_json(&s));
	}
	o = cJSON_CreateObject();
	w = cJSON_AddObjectToObject(o, "windows");
	for (i = 0; i < SW__MAX; i++) {
		rc = rollup_stats(r->db, m.id, m.created_at,
		    r->now - stats_window_ms[i], r->now, r->now, &s);
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
 * GET /v1/monitors/{id}/outages?perPage&cursor
 * Scope monitors:read.  200 with a page of outages, newest first; 404.
 */
static int
monitors_outages(struct req *r)
{
	struct monitor	 m;
	struct lister	 l;

	if (load(r, &m) == -1)
		return 0;
	monitor_free(&m);
	list_start(r, &l);
	return list_answer(r, &l, outage_list(r->db, r->args[0], &l));
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

static const struct qspec q_monitors[] = {
	Q_ENUM("type", mon_type_names, MON_TYPE__MAX),
	Q_ENUM("status", mon_status_names, MST__MAX),
	Q_TEXT("tag", MON_MAXTAGLEN, NULL),
	Q_PAGE,
	Q_END
};

static const struct qspec q_results[] = {
	Q_WINDOW,
	Q_ENUM_SOME("status", mon_status_names, MST__MAX,
	    1u << MST_UP | 1u << MST_DEGRADED | 1u << MST_DOWN),
	Q_PAGE,
	Q_END
};

static const struct qspec q_window[] = { Q_WINDOW, Q_END };

static const struct route routes[] = {
	{ "GET", "/v1/monitors", SCOPE_MONITORS_READ, monitors_list, NULL,
	    q_monitors, 0 },
	{ "POST", "/v1/monitors", SCOPE_MONITORS_WRITE, monitors_create,
	    "monitor.created", NULL, ROUTE_BODY },
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
	    monitors_stats, NULL, q_window, 0 },
	{ "GET", "/v1/monitors/{mon}/outages", SCOPE_MONITORS_READ,
	    monitors_outages, NULL, q_page, 0 },
	{ "GET", "/v1/status", SCOPE_MONITORS_READ, status_overall, NULL, NULL,
	    0 },
};

int
main(void)
{
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]),
	    SERVE_CURL);
}
