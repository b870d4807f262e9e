/*
 * Unit tests of lib/monitor.c: the health of a monitor and of a set of
 * them (health_overall), the one rule behind GET /v1/status and the
 * status pages' overall state.
 */
#include <stdint.h>

#include "uptime.h"
#include "monitor.h"
#include "unit.h"

static void
test_monitor_health(void)
{
	CHECK_INT(monitor_health(MST_PENDING), HEALTH_UNKNOWN);
	CHECK_INT(monitor_health(MST_PAUSED), HEALTH_UNKNOWN);
	CHECK_INT(monitor_health(MST_UP), HEALTH_OPERATIONAL);
	CHECK_INT(monitor_health(MST_DEGRADED), HEALTH_DEGRADED);
	CHECK_INT(monitor_health(MST_DOWN), HEALTH_MAJOR);
	CHECK_INT(monitor_health(MST_MAINTENANCE), HEALTH_MAINTENANCE);
}

static void
test_health_overall(void)
{
	long	 n[HEALTH__MAX] = { 0 };

	CHECK_INT(health_overall(n), HEALTH_UNKNOWN);
	n[HEALTH_UNKNOWN] = 3;			/* unknown parts do not count */
	CHECK_INT(health_overall(n), HEALTH_UNKNOWN);
	n[HEALTH_MAJOR] = 2;			/* all known parts down */
	CHECK_INT(health_overall(n), HEALTH_MAJOR);
	n[HEALTH_OPERATIONAL] = 1;		/* some down */
	CHECK_INT(health_overall(n), HEALTH_PARTIAL);
	n[HEALTH_MAJOR] = 0;
	CHECK_INT(health_overall(n), HEALTH_OPERATIONAL);
	n[HEALTH_MAINTENANCE] = 1;		/* the worst of the others */
	CHECK_INT(health_overall(n), HEALTH_MAINTENANCE);
	n[HEALTH_DEGRADED] = 1;
	CHECK_INT(health_overall(n), HEALTH_DEGRADED);
	n[HEALTH_PARTIAL] = 1;	/* a part already partial, none down */
	CHECK_INT(health_overall(n), HEALTH_PARTIAL);
	CHECK_STR(health_names[HEALTH_MAJOR], "major_outage");
}

int
main(void)
{
	UNIT_RUN(test_monitor_health);
	UNIT_RUN(test_health_overall);
	return unit_finish();
}
