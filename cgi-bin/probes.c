/*
 * probes.fcgi: probe locations (managed with the monitors:* scopes), and
 * the routes their agents (uptime-probe) lease checks from and report
 * results to, authenticated by the location's token instead of an API
 * key.  docs/locations.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "uptime.h"
#include "location.h"

/* The location named in the path, for this team; answers 404 itself. */
static int
load(struct req *r, struct location *loc)
{
	return resp_found(r, location_get(r->db, r->key->team_id, r->args[0],
	    loc));
}

/* The location and its token: only create and rotate say it. */
static int
answer_with_token(struct req *r, int status, const struct location *loc,
    char *token)
{
	cJSON	*o = location_json(loc, r->now);

	cJSON_AddStringToObject(o, "token", token);
	sodium_memzero(token, KEY_LEN);
	if (status == 201)
		return resp_created(r, loc->id, o);
	snprintf(r->target_id, sizeof(r->target_id), "%s", loc->id);
	return resp_data(r, status, o);
}

/*
 * GET /v1/locations?perPage&cursor
 * Scope monitors:read.  200 with a page of the team's locations, newest
 * first (the built-in "local" is at /v1/locations/local); 400 bad_query.
 */
static int
locations_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	return list_answer(r, &l, location_list(r->db, r->key->team_id, &l));
}

/*
 * POST /v1/locations {name, region?}
 * Scope monitors:write.  201 with the location and its token, Location;
 * 400 invalid body.
 */
static int
locations_create(struct req *r)
{
	struct location	 loc;
	struct verrs	 v = { 0 };
	cJSON		*body;
	char		 token[KEY_LEN + 1];
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	memset(&loc, 0, sizeof(loc));
	location_apply(&loc, body, 1, &v);
	cJSON_Delete(body);
	if (v.n > 0)
		return resp_verrs(r, &v);
	snprintf(loc.team_id, sizeof(loc.team_id), "%s", r->key->team_id);
	location_token_new(token);
	if ((rc = location_insert(r->db, &loc, token, r->now)) != DB_OK) {
		sodium_memzero(token, sizeof(token));
		return resp_db(r, rc);
	}
	return answer_with_token(r, 201, &loc, token);
}

/*
 * GET /v1/locations/local
 * Scope monitors:read.  200 with the built-in location: this host's
 * checker, online while its figures are fresh.
 */
static int
locations_local(struct req *r)
{
	cJSON	*o;
	int	 rc;

	if ((rc = location_local_json(r->db, r->now, &o)) != DB_OK)
		return resp_db(r, rc);
	return resp_data(r, 200, o);
}

/*
 * GET /v1/locations/{id}
 * Scope monitors:read.  200; 404 (also for other teams').
 */
static int
locations_get(struct req *r)
{
	struct location	 loc;

	if (load(r, &loc) == -1)
		return 0;
	return resp_data(r, 200, location_json(&loc, r->now));
}

/*
 * PATCH /v1/locations/{id} {name?, region?}
 * Scope monitors:write.  200 with the location; 400; 404.
 */
static int
locations_patch(struct req *r)
{
	struct location	 loc;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	if (load(r, &loc) == -1) {
		cJSON_Delete(body);
		return 0;
	}
	location_apply(&loc, body, 0, &v);
	cJSON_Delete(body);
	if (v.n > 0)
		return resp_verrs(r, &v);
	loc.updated_at = r->now;
	if ((rc = location_update(r->db, &loc)) != DB_OK)
		return resp_db(r, rc);
	return resp_data(r, 200, location_json(&loc, r->now));
}

/*
 * DELETE /v1/locations/{id}
 * Scope monitors:write.  204; 404; 409 conflict while monitors name it.
 */
static int
locations_delete(struct req *r)
{
	long	 using;
	int	 rc;

	rc = location_delete(r->db, r->key->team_id, r->args[0], &using);
	if (rc == DB_CONFLICT)
		return resp_problem(r, 409, "conflict", "%ld monitor%s name%s "
		    "this location; take it out of their locations first.",
		    using, using == 1 ? "" : "s", using == 1 ? "s" : "");
	return resp_deleted(r, rc);
}

/*
 * POST /v1/locations/{id}/rotate-token
 * Scope monitors:write.  200 with the location and its new token; the
 * old token stops working at once.  404.
 */
static int
locations_rotate(struct req *r)
{
	struct location	 loc;
	char		 token[KEY_LEN + 1];
	int		 rc;

	if (load(r, &loc) == -1)
		return 0;
	location_token_new(token);
	loc.updated_at = r->now;
	if ((rc = location_set_token(r->db, &loc, token)) != DB_OK) {
		sodium_memzero(token, sizeof(token));
		return resp_db(r, rc);
	}
	return answer_with_token(r, 200, &loc, token);
}

/*
 * End the agent route's transaction: commit when rc is DB_OK, else roll
 * back.  The agents' routes authenticate before their transaction, so a
 * refusal's audit event is kept (ROUTE_NOTX).
 */
static int
end_tx(struct req *r, int rc)
{
	if (rc == DB_OK)
		return db_commit(r->db);
	db_rollback(r->db);
	return rc;
}

static const struct jfield lease_fields[] = {
	{ "max", 0 }, { NULL, 0 }
};

/*
 * POST /v1/agent/leases {max?} ({} for the default)
 * The location's token, no key.  200 with the leases of its due checks
 * (at most max: LOC_LEASE_MAX, a hundred by default) and when its next
 * check is due; 400; 401; 413; 429.
 */
static int
agent_lease(struct req *r)
{
	struct location	 loc;
	struct verrs	 v = { 0 };
	cJSON		*body, *o, *leases;
	long long	 max = 100;
	int64_t		 next;
	int		 rc;

	if (auth_location(r, &loc) == -1)
		return 0;
	if ((body = req_json(r)) == NULL)
		return 0;
	json_check_fields(body, lease_fields, &v);
	(void)json_int(body, "max", 1, LOC_LEASE_MAX, 0, &v, &max, NULL);
	cJSON_Delete(body);
	if (v.n > 0)
		return resp_verrs(r, &v);
	if ((rc = db_begin(r->db)) != DB_OK)
		return resp_db(r, rc);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "location", loc.id);
	leases = cJSON_AddArrayToObject(o, "leases");
	if ((rc = end_tx(r, location_lease(r->db, &loc, r->now, (int)max,
	    leases, &next))) != DB_OK) {
		cJSON_Delete(o);
		return resp_db(r, rc);
	}
	json_add_time(o, "nextDueAt", next);
	return resp_data(r, 200, o);
}

static const struct jfield report_fields[] = {
	{ "results", 0 }, { NULL, 0 }
};

/*
 * POST /v1/agent/results {results: [...]}
 * The location's token, no key.  200 with how many results were taken
 * and each one refused (no_lease, lease_used, outside_lease): a result
 * is taken once, for a lease of this location, when its check started
 * inside the lease; and when the location's next check is due, those
 * just planned included.  400 (nothing taken); 401; 413; 429.
 */
static int
agent_report(struct req *r)
{
	struct location		 loc;
	struct verrs		 v = { 0 };
	struct check_result	*res = NULL;
	enum loc_refusal	 why;
	cJSON			*body, *o, *refused, *ref;
	const cJSON		*list, *item;
	char			(*lease)[ID_MAX] = NULL, base[32];
	int64_t			 next = 0;
	int			 n, i = 0, taken = 0, rc = DB_OK;

	if (auth_location(r, &loc) == -1)
		return 0;
	if ((body = req_json(r)) == NULL)
		return 0;
	json_check_fields(body, report_fields, &v);
	list = cJSON_GetObjectItemCaseSensitive(body, "results");
	n = cJSON_GetArraySize(list);
	if (!cJSON_IsArray(list) || n < 1 || n > LOC_RESULTS_MAX)
		verr_add(&v, VERR_INVALID, "/results", "must be a list of 1 to "
		    "%d results", LOC_RESULTS_MAX);
	else if ((res = calloc((size_t)n, sizeof(*res))) == NULL ||
	    (lease = calloc((size_t)n, sizeof(*lease))) == NULL)
		rc = DB_ERROR;
	else
		cJSON_ArrayForEach(item, list) {
			snprintf(base, sizeof(base), "/results/%d", i);
			location_result_parse(item, base, &res[i], lease[i],
			    &v);
			i++;
		}
	cJSON_Delete(body);
	if (rc != DB_OK || v.n > 0) {
		free(res);
		free(lease);
		return rc != DB_OK ? resp_db(r, rc) : resp_verrs(r, &v);
	}
	if ((rc = db_begin(r->db)) != DB_OK) {
		free(res);
		free(lease);
		return resp_db(r, rc);
	}
	o = cJSON_CreateObject();
	refused = cJSON_AddArrayToObject(o, "refused");
	/* Seen first: a location back from offline counts in the quorum of
	 * the results it brings. */
	rc = location_seen(r->db, &loc, r->now);
	for (i = 0; i < n && rc == DB_OK; i++) {
		if ((rc = location_report(r->db, &loc, lease[i], &res[i],
		    r->now, &why)) != DB_OK)
			break;
		if (why == LOC_TAKEN) {
			taken++;
			continue;
		}
		ref = cJSON_CreateObject();
		cJSON_AddNumberToObject(ref, "index", i);
		cJSON_AddStringToObject(ref, "leaseId", lease[i]);
		cJSON_AddStringToObject(ref, "code", loc_refusal_names[why]);
		cJSON_AddItemToArray(refused, ref);
	}
	free(res);
	free(lease);
	/* The checks just taken are planned anew: their next times count
	 * now, which the lease's nextDueAt could not (they were leased). */
	if (rc == DB_OK)
		rc = location_next_due(r->db, &loc, r->now, &next);
	if ((rc = end_tx(r, rc)) != DB_OK) {
		cJSON_Delete(o);
		return resp_db(r, rc);
	}
	cJSON_AddNumberToObject(o, "accepted", taken);
	json_add_time(o, "nextDueAt", next);
	return resp_data(r, 200, o);
}

static const struct route routes[] = {
	{ "GET", "/v1/locations", SCOPE_MONITORS_READ, locations_list, NULL,
	    q_page, 0 },
	{ "POST", "/v1/locations", SCOPE_MONITORS_WRITE, locations_create,
	    "location.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/locations/local", SCOPE_MONITORS_READ, locations_local,
	    NULL, NULL, 0 },
	{ "GET", "/v1/locations/{loc}", SCOPE_MONITORS_READ, locations_get,
	    NULL, NULL, 0 },
	{ "PATCH", "/v1/locations/{loc}", SCOPE_MONITORS_WRITE,
	    locations_patch, "location.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/locations/{loc}", SCOPE_MONITORS_WRITE,
	    locations_delete, "location.deleted", NULL, 0 },
	{ "POST", "/v1/locations/{loc}/rotate-token", SCOPE_MONITORS_WRITE,
	    locations_rotate, "location.token_rotated", NULL, 0 },
	{ "POST", "/v1/agent/leases", SCOPE_PUBLIC, agent_lease, NULL, NULL,
	    ROUTE_BODY | ROUTE_NOTX },
	{ "POST", "/v1/agent/results", SCOPE_PUBLIC, agent_report, NULL, NULL,
	    ROUTE_BODY | ROUTE_NOTX },
};

int
main(void)
{
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]), 0);
}
