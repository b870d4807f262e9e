/*
 * A team's stats (GET /v1/monitors/stats): its uptime over the named
 * windows of the stats answers (enum stats_window, lib/rollup.h) across all
 * of its monitors, the number of monitors in each status, the open
 * outages and the monitors with the least uptime in one window.  Made
 * from rollup_stats() of each monitor, so a monitor counts as its own
 * stats answer counts it.  See docs/lib/teamstats.md.
 */
#ifndef TEAMSTATS_H
#define TEAMSTATS_H

#include "base.h"
#include "db.h"
#include "rollup.h"

#define TEAMSTATS_WORST	5	/* monitors in the "worst" list */

/*
 * The answer's data for team at now into *out (the caller owns it), its
 * worst list over window w, in one read transaction (or the caller's).
 * DB_OK, DB_BUSY or DB_ERROR (also out of memory).
 */
int	 teamstats_json(struct db *, const char *team,
	    enum stats_window w, int64_t now, cJSON **out) WUR;

#endif /* TEAMSTATS_H */
