/*
 * maintenance.fcgi: maintenance windows.
 *
 * A window's effects (status "maintenance", suppressed events, paused
 * checks, maintenanceSeconds in stats) are computed from the stored
 * windows wherever they apply (lib/maintenance.h); this program only
 * keeps the windows.  Deleting cancels: the row stays, in state
 * cancelled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "limit.h"
#include "maintenance.h"

/* The window named in the path, for this team; answers 404 itself. */
static struct maint_window *
load(struct req *r)
{
	struct maint_window	*w;
	int			 rc;

	if ((w = malloc(sizeof(*w))) == NULL) {
		req_log(r, __func__, "out of memory");
		resp_db(r, DB_ERROR);
		return NULL;
	}
	if ((rc = maint_get(r->db, r->key->team_id, r->args[0], w)) !=
	    DB_OK) {
		free(w);
		resp_db(r, rc);
		return NULL;
	}
	return w;
}

/*
 * Apply body (freed here) to w; on a bad field answer 400, free w and
 * return -1.
 */
static int
apply(struct req *r, struct maint_window *w, cJSON *body, int creating)
{
	struct verrs	 v = { 0 };

	maint_apply(r->db, w, body, creating, &v);
	cJSON_Delete(body);
	if (v.n == 0)
		return 0;
	free(w);
	resp_verrs(r, &v);
	return -1;
}

/* Answer status with the window and free it. */
static int
answer(struct req *r, int status, struct maint_window *w)
{
	cJSON	*o = maint_json(w, r->now);

	free(w);
	return resp_data(r, status, o);
}

/*
 * GET /v1/maintenance-windows?state&perPage&cursor
 * Scope maintenance:read.  200 with a page of windows, newest first;
 * 400 bad_query.
 */
static int
windows_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	return list_answer(r, &l, maint_list(r->db, r->key->team_id,
	    req_enum(r, "state"), &l));
}

/*
 * POST /v1/maintenance-windows
 * Scope maintenance:write.  201 with the window, Location; 400 (a
 * monitor id that is not the team's is named at /monitorIds/N); 409
 * limit_exceeded (UPTIME_MAX_MAINTENANCE_WINDOWS, of windows neither
 * over nor cancelled).
 */
static int
windows_create(struct req *r)
{
	struct maint_window	*w;
	cJSON			*body;
	int			 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	if ((w = malloc(sizeof(*w))) == NULL) {
		cJSON_Delete(body);
		return resp_db(r, DB_ERROR);
	}
	maint_init(w, r->now);
	snprintf(w->team_id, sizeof(w->team_id), "%s", r->key->team_id);
	if (apply(r, w, body, 1) == -1)
		return 0;
	if (w->horizon > r->now && limit_check(r, LIMIT_WINDOWS) == -1) {
		free(w);
		return 0;
	}
	if ((rc = maint_insert(r->db, w)) != DB_OK) {
		free(w);
		return resp_db(r, rc);
	}
	rc = resp_created(r, w->id, maint_json(w, r->now));
	free(w);
	return rc;
}

/*
 * GET /v1/maintenance-windows/{id}
 * Scope maintenance:read.  200; 404 (also for another team's).
 */
static int
windows_get(struct req *r)
{
	struct maint_window	*w;

	if ((w = load(r)) == NULL)
		return 0;
	return answer(r, 200, w);
}

/*
 * PATCH /v1/maintenance-windows/{id}
 * Scope maintenance:write.  200 with the window; 400; 404; 409 when it
 * is cancelled, or limit_exceeded when a window that was over would be
 * scheduled again with the team at UPTIME_MAX_MAINTENANCE_WINDOWS.
 * recurrence is replaced as a whole.  Monitors whose checks the window
 * put off are due again at once.
 */
static int
windows_patch(struct req *r)
{
	struct maint_window	*w;
	cJSON			*body;
	int			 over, rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	if ((w = load(r)) == NULL) {
		cJSON_Delete(body);
		return 0;
	}
	if (w->cancelled_at != 0) {
		cJSON_Delete(body);
		free(w);
		return resp_problem(r, 409, "conflict", "This window is "
		    "cancelled; create a new one.");
	}
	if ((rc = maint_release(r->db, w, r->now)) != DB_OK) {
		cJSON_Delete(body);
		free(w);
		return resp_db(r, rc);
	}
	over = w->horizon <= r->now;
	if (apply(r, w, body, 0) == -1)
		return 0;
	if (over && w->horizon > r->now &&
	    limit_check(r, LIMIT_WINDOWS) == -1) {
		free(w);
		return 0;
	}
	w->updated_at = r->now;
	if ((rc = maint_update(r->db, w)) != DB_OK) {
		free(w);
		return resp_db(r, rc);
	}
	return answer(r, 200, w);
}

/*
 * DELETE /v1/maintenance-windows/{id}
 * Scope maintenance:write.  204: the window is cancelled (an active
 * occurrence ends now, none follows; the row stays, and cancelling
 * again changes nothing); 404.
 */
static int
windows_delete(struct req *r)
{
	struct maint_window	*w;
	int			 rc;

	if ((w = load(r)) == NULL)
		return 0;
	if (w->cancelled_at == 0 &&
	    ((rc = maint_release(r->db, w, r->now)) != DB_OK ||
	    (rc = maint_cancel(r->db, w, r->now)) != DB_OK)) {
		free(w);
		return resp_db(r, rc);
	}
	free(w);
	return resp_empty(r, 204);
}

/*
 * POST /v1/maintenance-windows/{id}/end
 * Scope maintenance:write.  200 with the window: its current occurrence
 * ends now (a recurring window goes on with the next one); 404; 409 when
 * no occurrence is active.
 */
static int
windows_end(struct req *r)
{
	struct maint_window	*w;
	int			 rc;

	if ((w = load(r)) == NULL)
		return 0;
	if ((rc = maint_end(r->db, w, r->now)) == DB_CONFLICT) {
		free(w);
		return resp_problem(r, 409, "conflict", "This window has no "
		    "active occurrence to end.");
	}
	if (rc != DB_OK || (rc = maint_release(r->db, w, r->now)) != DB_OK) {
		free(w);
		return resp_db(r, rc);
	}
	return answer(r, 200, w);
}

static const struct qspec q_windows[] = {
	Q_ENUM("state", maint_state_names, MAINT_STATE__MAX),
	Q_PAGE,
	Q_END
};

static const struct route routes[] = {
	{ "GET", "/v1/maintenance-windows", SCOPE_MAINTENANCE_READ,
	    windows_list, NULL, q_windows, 0 },
	{ "POST", "/v1/maintenance-windows", SCOPE_MAINTENANCE_WRITE,
	    windows_create, "maintenance_window.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/maintenance-windows/{mw}", SCOPE_MAINTENANCE_READ,
	    windows_get, NULL, NULL, 0 },
	{ "PATCH", "/v1/maintenance-windows/{mw}", SCOPE_MAINTENANCE_WRITE,
	    windows_patch, "maintenance_window.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/maintenance-windows/{mw}", SCOPE_MAINTENANCE_WRITE,
	    windows_delete, "maintenance_window.cancelled", NULL, 0 },
	{ "POST", "/v1/maintenance-windows/{mw}/end", SCOPE_MAINTENANCE_WRITE,
	    windows_end, "maintenance_window.ended", NULL, 0 },
};

int
main(void)
{
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]), 0);
}
