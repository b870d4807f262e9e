/*
 * The public side of status pages: what people and their tools read
 * without a key.  Each function looks the page up (by slug, or by its
 * verified customDomain), gathers what it shows (component states, daily
 * bars from the rollups, incidents, maintenance) and renders it: bytes
 * from data, no request and no answer.  The HTTP side (the Host header,
 * Cache-Control, ETag and 304, the Content-Security-Policy) is
 * cgi-bin/status-pages.c.  See docs/lib/statusview.md.
 */
#ifndef STATUSVIEW_H
#define STATUSVIEW_H

#include "base.h"
#include "buf.h"
#include "db.h"
#include "rollup.h"
#include "statuspage.h"

#define SV_MAXAGE		30	/* Cache-Control max-age, seconds */
#define SV_MAXOPEN		20	/* open incidents shown */
#define SV_MAXPAST		20	/* resolved incidents shown */
#define SV_MAXFEED		50	/* incidents in the Atom feed */
#define SV_BADGE_LABELMAX	40	/* characters of a badge's label */
#define SV_VALID_MS		60000	/* an answer's validity, at most */

/* Which page: by slug, or (slug NULL) the page that has verified
 * domain (lower case, no port; NULL: none). */
struct sv_which {
	const char	*slug;
	const char	*domain;
};

/*
 * What a public answer rests on: its page, the page's data version
 * (moved by every write that changes what the answers show:
 * schema/024_status_page_versions.sql) and until when (ms, exclusive)
 * the answer, rendered again with the data of that version, reads the
 * same: the next change the clock brings to what it shows (a new UTC
 * day, a maintenance window starting or ending, the next rounding step
 * of an uptime figure, the next second of an open outage's duration:
 * docs/lib/statusview.md), at most SV_VALID_MS after the rendering.  An
 * until not after the rendering's now: not to be reused.
 */
struct sv_valid {
	char		 page_id[ID_MAX];
	int64_t		 version;
	int64_t		 until;
};

/*
 * The page's id and data version as they are now, one row read; the
 * same DB_NOTFOUND as the functions below.
 */
int	 sv_version(struct db *, const struct sv_which *, struct sv_valid *)
	    WUR;

/*
 * Each function reads the page and what it shows in one read
 * transaction at now and writes its answer's body: DB_OK, DB_NOTFOUND
 * for a page that does not exist or is not public (the same for both),
 * or another DB_* code (DB_ERROR also when out of memory).  The caller
 * owns what it gets and answers the request (cgi-bin/status-pages.c).
 * Each fills valid, when not NULL, in the same transaction.
 */

/* The HTML page into out, its links under prefix (the mount prefix the
 * client used, or UPTIME_PUBLIC_URL's path). */
int	 sv_html(struct db *, const struct sv_which *, const char *prefix,
	    int64_t now, struct buf *out, struct sv_valid *) WUR;
/* The HTML page's Content-Security-Policy: its own style sheet only, by
 * its SHA-256.  A constant. */
const char *sv_html_csp(void);
/* summary.json's data into *out. */
int	 sv_summary(struct db *, const struct sv_which *, int64_t now,
	    cJSON **out, struct sv_valid *) WUR;
/* The incidents as an Atom feed into out. */
int	 sv_feed(struct db *, const struct sv_which *, int64_t now,
	    struct buf *out, struct sv_valid *) WUR;
/* What a badge shows. */
enum sv_badge {
	SV_BADGE_STATE,		/* the component's state now */
	SV_BADGE_UPTIME,	/* its uptime over a window */
	SV_BADGE_RESPONSE,	/* its mean response time over a window */
	SV_BADGE__MAX
};

/*
 * The badge of component_id (of this page, else DB_NOTFOUND) into out:
 * what kind says, over window w (NULL for SV_BADGE_STATE), whose name
 * is in the label.  A badge over a window is never to be reused.
 */
int	 sv_badge(struct db *, const struct sv_which *,
	    const char *component_id, enum sv_badge kind,
	    enum stats_window w, int64_t now, struct buf *out,
	    struct sv_valid *) WUR;

/*
 * The state of each component of sp (states[i] for sp->components[i]),
 * at now, as the public page shows it: the same rule, whether the page
 * is public or not.  In one read transaction (or the caller's).  DB_OK,
 * DB_BUSY or DB_ERROR.
 */
int	 sv_component_states(struct db *, const struct status_page *,
	    int64_t now, enum health *states) WUR;
/*
 * The page's API object (sp_json), each component with its state from
 * sv_component_states at now.  The caller owns it; NULL with *rc set
 * (DB_BUSY, DB_ERROR) on failure.
 */
cJSON	*sv_page_json(struct db *, const struct status_page *, int64_t now,
	    int *rc);

/*
 * Escape s for HTML text, HTML attributes and XML alike (& < > " '),
 * replacing the characters XML 1.0 forbids (C0 controls other than tab,
 * newline and carriage return, U+FFFE, U+FFFF, and any malformed UTF-8
 * sequence) with U+FFFD.  Appends to b; 0 or -1 (out of memory).
 */
int	 sv_escape(struct buf *b, const char *s) WUR;

#endif /* STATUSVIEW_H */
