/*
 * config.fcgi: the team's configuration as code: its monitors, alert
 * channels, status pages and maintenance windows as one document, read
 * and applied whole (lib/confdoc.h, docs/config.md).  The routes need a
 * valid key; each handler asks for the scopes of the kinds it reads or
 * changes.
 */
#include <stdio.h>
#include <string.h>

#include "uptime.h"
#include "confdoc.h"

/*
 * GET /v1/config
 * Any valid key holding monitors:read, alerts:read, status-pages:read and
 * maintenance:read.  200 with the document; 403 naming the first of
 * those scopes the key lacks.
 */
static int
config_get(struct req *r)
{
	return confdoc_get(r, (1u << CK__MAX) - 1);
}

/*
 * GET /v1/config/{kind}
 * Any valid key holding the kind's :read scope.  200 with a document
 * holding that kind alone (monitors, alertChannels, statusPages,
 * maintenanceWindows); 403; 404 for another kind.
 */
static int
config_get_kind(struct req *r)
{
	int	 k;

	if ((k = confdoc_kind(r->args[0])) == -1)
		return resp_problem(r, 404, "not_found", "No such part of the "
		    "configuration: monitors, alertChannels, statusPages or "
		    "maintenanceWindows.");
	return confdoc_get(r, 1u << k);
}

/*
 * PUT /v1/config?dryRun&prune
 * Any valid key holding the :write scope of every kind the plan changes
 * (monitors:write, alerts:write, status-pages:write, maintenance:write).
 * 200 with the plan, applied in this transaction unless dryRun; 400
 * (errors name each object by kind and ref, and the field); 403; 409
 * limit_exceeded, or conflict for a slug or customDomain another page
 * holds; 413; 415.
 */
static int
config_put(struct req *r)
{
	cJSON	*doc;

	if ((doc = req_json(r)) == NULL)
		return 0;
	confdoc_put(r, doc, req_enum(r, "dryRun"), req_enum(r, "prune"));
	cJSON_Delete(doc);
	return 0;
}

static const struct qspec q_put[] = {
	Q_BOOL("dryRun"), Q_BOOL("prune"), Q_END
};

static const struct route routes[] = {
	{ "GET", "/v1/config", SCOPE_ANYKEY, config_get, NULL, NULL, 0 },
	{ "GET", "/v1/config/{*kind}", SCOPE_ANYKEY, config_get_kind, NULL,
	    NULL, 0 },
	{ "PUT", "/v1/config", SCOPE_ANYKEY, config_put, "config.applied",
	    q_put, ROUTE_BODY },
};

int
main(void)
{
	/* Alert channels mask URLs with libcurl's URL parser. */
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]),
	    SERVE_CURL);
}
