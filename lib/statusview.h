/*
 * The public side of status pages: what people and their tools read
 * without a key.  Each function looks the page up (by slug, or by its
 * customDomain from the Host header), gathers what it shows (component
 * states, daily bars from the rollups, incidents, maintenance) and
 * answers the request itself: 200 with a short public Cache-Control and
 * an ETag, 304 for a matching If-None-Match, 404 for a page that does
 * not exist or is not public (the same answer for both), 500 or 503 on a
 * database failure.  See docs/lib/statusview.md.
 */
#ifndef STATUSVIEW_H
#define STATUSVIEW_H

#include "uptime.h"

#define SV_MAXAGE		30	/* Cache-Control max-age, seconds */
#define SV_MAXOPEN		20	/* open incidents shown */
#define SV_MAXPAST		20	/* resolved incidents shown */
#define SV_MAXFEED		50	/* incidents in the Atom feed */
#define SV_BADGE_LABELMAX	40	/* characters of a badge's label */

/* GET /status/{slug}, or with slug NULL the page whose customDomain is
 * the request's Host: the HTML page. */
int	 sv_html(struct req *, const char *slug);
/* GET /status/{slug}/summary.json: the {data, meta} envelope; its ETag
 * is weak, over data alone. */
int	 sv_summary(struct req *, const char *slug);
/* GET /status/{slug}/feed.atom: the incidents as an Atom feed. */
int	 sv_feed(struct req *, const char *slug);
/*
 * GET /status/{slug}/badge/{cmp}.svg (window_ms 0: the component's state)
 * and .../uptime.svg (its uptime over the last window_ms, named
 * window_name in the label).  A component of another page is a 404.
 */
int	 sv_badge(struct req *, const char *slug, const char *component_id,
	    int64_t window_ms, const char *window_name);

/*
 * Escape s for HTML text, HTML attributes and XML alike (& < > " '),
 * replacing the characters XML 1.0 forbids (C0 controls other than tab,
 * newline and carriage return, U+FFFE, U+FFFF, and any malformed UTF-8
 * sequence) with U+FFFD.  Appends to b; 0 or -1 (out of memory).
 */
int	 sv_escape(struct buf *b, const char *s) WUR;

#endif /* STATUSVIEW_H */
