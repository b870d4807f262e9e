/*
 * cvmonitor.c: the console's monitor pages as HTML: the overview (each
 * monitor's state, last check, 24-hour bar and response-time
 * sparkline), a monitor's page (uptime windows, a response-time chart
 * with p50 and p95, recent results, outages, its actions), the form
 * that creates or edits a monitor of each type, and the page that asks
 * before a delete.  Bytes from data: no request, no answer, no SQL; the
 * handlers (cgi-bin/console.c) gather the data from the modules the API
 * answers from (monitor.h, rollup.h).  Also the two conversions of the
 * form: its fields into the API's JSON body, which monitor_apply checks,
 * and a monitor's API object into the form's values.
 */
#ifndef CVMONITOR_H
#define CVMONITOR_H

#include "base.h"
#include "buf.h"
#include "json.h"
#include "monitorrec.h"
#include "rollup.h"

#define CVM_HOURS	24	/* the overview's bar and sparkline */

/* The periods of a monitor's chart (?range=), in stats_window order. */
enum cvm_range { CVM_24H, CVM_7D, CVM_30D, CVM_RANGE__MAX };
extern const char *const cvm_range_names[CVM_RANGE__MAX];
/* The points of each period's chart and the span of each point (ms). */
extern const int	 cvm_range_points[CVM_RANGE__MAX];
extern const int64_t	 cvm_range_step_ms[CVM_RANGE__MAX];

/* The overview's state filter (?state=): "all", then mon_status_names
 * (index - 1 is the enum mon_status). */
extern const char *const cvm_state_names[MST__MAX + 1];

/* Where a form's values come from: get(arg, name) is the value or NULL. */
struct cvm_values {
	const char	*(*get)(void *arg, const char *name);
	void		*arg;
};

/* The overview. */
struct cvm_list {
	const char	*app;		/* the console's path */
	int		 write;		/* the role holds monitors:write */
	int		 state;		/* index in cvm_state_names */
	const char	*tag;		/* the tag filter, NULL or "" none */
	const char	*next;		/* the next page's cursor, "" none */
	const cJSON	*items;		/* monitors as the API lists them */
	/* CVM_HOURS hourly points (rollup_series) of each item, in order. */
	const struct rollup_point *hours;
};
int	 cvm_overview(struct buf *, const struct cvm_list *) WUR;

/* A monitor's page. */
struct cvm_page {
	const char	*app;
	const char	*csrf;
	int		 write;
	const cJSON	*mon;		/* the monitor's API object */
	const struct stats *windows;	/* CVM_RANGE__MAX: 24 h, 7 d, 30 d */
	int		 range;		/* enum cvm_range of the chart */
	const struct rollup_point *points;	/* cvm_range_points[range] */
	const cJSON	*results;	/* recent results (or pings), newest
					   first, as the API lists them */
	const cJSON	*outages;	/* recent outages, newest first */
};
int	 cvm_monitor(struct buf *, const struct cvm_page *) WUR;

/* The form that creates (id NULL) or edits a monitor. */
struct cvm_form {
	const char	*app;
	const char	*csrf;
	const char	*id;		/* the monitor's, NULL: a new one */
	int		 type;		/* enum mon_type, -1 when not known */
	struct cvm_values val;		/* the fields' values */
	const struct verrs *errs;	/* each beside its field, or NULL */
};
int	 cvm_form(struct buf *, const struct cvm_form *) WUR;

/* The page that asks before monitor mon (its API object) is deleted. */
int	 cvm_confirm_delete(struct buf *, const char *app, const char *csrf,
	    const cJSON *mon) WUR;

/*
 * The API's JSON body (POST or PATCH /v1/monitors) of a form of type
 * (enum mon_type; -1: only the fields every type has): each field the
 * form shows, as text the API then checks (a number that is not one
 * stays a string, so monitor_apply names it); blank optional fields
 * are null, or left out where the API has a default.  Creating, "type"
 * is the form's.  Caller owns; NULL when out of memory.
 */
cJSON	*cvm_body(int type, int creating, const struct cvm_values *form);
/* A monitor's API object as the form's values (strings by field name).
 * Caller owns; NULL when out of memory. */
cJSON	*cvm_form_values(const cJSON *mon);
/* A cvm_values getter over an object of strings (arg: the cJSON). */
const char *cvm_json_get(void *arg, const char *name);

#endif /* CVMONITOR_H */
