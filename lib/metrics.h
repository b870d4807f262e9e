/*
 * The Prometheus text exposition format (version 0.0.4) of a team's
 * monitors and of the service's figures, for GET /v1/metrics: rows in,
 * text out, no database and no request.  The handler
 * (cgi-bin/monitors.c) reads the rows and answers.  docs/metrics.md
 * lists every metric; docs/lib/metrics.md is this module.
 *
 * Use: metrics_start, metrics_add_monitor for each monitor (in the order
 * its samples should appear), then metrics_finish, which writes the whole
 * text and releases what the struct holds; metrics_free releases it
 * when the text is not wanted after all.
 */
#ifndef METRICS_H
#define METRICS_H

#include "base.h"
#include "buf.h"
#include "checkerstate.h"
#include "monitorrec.h"
#include "rollup.h"

/* The answer's media type (the serve loop adds "; charset=utf-8"). */
#define METRICS_CTYPE	"text/plain; version=0.0.4"
#define METRICS_TAG_PREFIX	"tag_"

/* The windows of uptime_monitor_uptime_ratio, as rollup_team_counts
 * takes them: their window="..." label and their length in days. */
extern const char *const metrics_window_names[ROLLUP_TEAM_WINDOWS];
extern const int metrics_window_days[ROLLUP_TEAM_WINDOWS];

/* The value of uptime_monitor_status for each shown status. */
extern const int metrics_status_values[MST__MAX];

/* The families with a sample per monitor. */
enum metrics_family {
	MF_UP,
	MF_STATUS,
	MF_DURATION,
	MF_RATIO,
	MF_SSL,
	MF_PING,
	MF__MAX
};

/* Each family's samples so far; out of memory once: failed. */
struct metrics {
	struct buf	 fam[MF__MAX];
	struct buf	 labels;	/* scratch: one monitor's labels */
	int		 failed;
};

/* The service's figures. */
struct metrics_service {
	const struct checker_state *checker;	/* NULL: never reported */
	long long	 pending_notifications;	/* of the team */
};

void	 metrics_start(struct metrics *);
/*
 * Add the samples of m (its status shown as maintenance when
 * m->in_maintenance).  c holds its checks counted in each window of
 * metrics_window_days (NULL: none).  0, or -1 out of memory (then
 * metrics_finish fails too).
 */
int	 metrics_add_monitor(struct metrics *, const struct monitor *m,
	    const struct rollup_counts *c) WUR;
/*
 * Append the exposition to out: each family's # HELP and # TYPE lines
 * then its samples, every family even without samples.  Releases what
 * the struct holds.  0, or -1 out of memory (out then holds part of it).
 */
int	 metrics_finish(struct metrics *, const struct metrics_service *,
	    struct buf *out) WUR;
void	 metrics_free(struct metrics *);

/*
 * One tag as a label: a tag "name:value" (split at the first colon) is
 * the label METRICS_TAG_PREFIX "name" with the value "value", a tag
 * without a colon the label METRICS_TAG_PREFIX "tag" with the value
 * "true".  Every character of the name outside [a-zA-Z0-9_] becomes "_"
 * (one for each UTF-8 character).  The name goes to name (at most size
 * bytes with its NUL, cut short to fit); *value points into tag, or at
 * a constant.
 */
void	 metrics_tag_label(const char *tag, char *name, size_t size,
	    const char **value);
/* Append s as a label value: \ " and newline escaped.  0 or -1. */
int	 metrics_escape(struct buf *, const char *s) WUR;

#endif /* METRICS_H */
