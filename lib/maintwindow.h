/*
 * A maintenance window's data: its limits, its rule (frequency, interval,
 * weekdays, until) and an occurrence.  Shared by the recurrence engine
 * (recurrence.h) and the maintenance module (maintenance.h), below both.
 */
#ifndef MAINTWINDOW_H
#define MAINTWINDOW_H

#include "base.h"
#include "ref.h"

#define MAINT_TITLE_MAX		255		/* characters */
#define MAINT_DESC_MAX		4096		/* characters */
#define MAINT_DESC_MAXBYTES	(MAINT_DESC_MAX * 4 + 1)
#define MAINT_TZ_MAXBYTES	65		/* TZ_MAXLEN + 1 */
#define MAINT_MAXMONITORS	200		/* monitorIds */
#define MAINT_MAXINTERVAL	365		/* recurrence.interval */
#define MAINT_MAXDURATION	(366 * 86400000LL)	/* a one-off window */
#define MAINT_MAXSPANS		4096		/* occurrences maint_spans keeps */
#define MAINT_MAXPUBLIC		100		/* windows maint_list_public gives */
#define MAINT_FOREVER		INT64_MAX	/* horizon of an endless window */

enum maint_freq {
	MAINT_ONCE,
	MAINT_DAILY,
	MAINT_WEEKLY,
	MAINT_MONTHLY,
	MAINT_FREQ__MAX
};

enum maint_state {
	MAINT_SCHEDULED,
	MAINT_ACTIVE,
	MAINT_COMPLETED,
	MAINT_CANCELLED,
	MAINT_STATE__MAX
};

struct maint_window {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 title[NAME_MAXBYTES];
	char		 ref[REF_MAX];	/* "" until stored, and once cancelled */
	char		 description[MAINT_DESC_MAXBYTES];	/* "": null */
	int64_t		 starts_at;
	int64_t		 ends_at;
	char		 timezone[MAINT_TZ_MAXBYTES];
	enum maint_freq	 freq;
	int		 interval;	/* 1..MAINT_MAXINTERVAL */
	unsigned	 by_weekday;	/* weekly: bit 0 Monday .. 6 Sunday */
	int64_t		 until;		/* 0: none */
	int		 all_monitors;	/* monitorIds null */
	size_t		 nmonitors;
	char		 monitor_ids[MAINT_MAXMONITORS][ID_MAX];
	int		 suppress_alerts;
	int		 show_on_status_page;
	int		 pause_checks;
	int64_t		 horizon;	/* end of the last occurrence */
	int64_t		 cancelled_at;
	int64_t		 ended_early_at;	/* the latest early end */
	int64_t		 ended_occurrence_at;	/* the occurrence it ended */
	int64_t		 created_at;
	int64_t		 updated_at;
};

/* One occurrence, [start, end). */
struct maint_occ {
	int64_t		 start;
	int64_t		 end;
};

#endif /* MAINTWINDOW_H */
