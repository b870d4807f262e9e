/*
 * hbsched.c: a heartbeat's schedule, its ping token and when its next
 * ping is expected, on struct monitor alone.  The pings themselves are
 * heartbeat.h.
 */
#ifndef HBSCHED_H
#define HBSCHED_H

#include "base.h"
#include "json.h"
#include "monitorrec.h"

#define HB_TOKEN_LEN	32		/* base62 characters: 190 bits */
#define HB_MAXBODY	(10 * 1024)	/* bytes of a POST body kept */
#define HB_RATE_LIMIT	60		/* pings a minute per token */
#define HB_GRACE_MAX	86400		/* gracePeriodSeconds 0..86400 */
#define HB_SLUG_MAX	63		/* characters of a slug */

/* A new ping token: HB_TOKEN_LEN random base62 characters and a NUL. */
void	 heartbeat_token(char *out);

/*
 * Is s a heartbeat's slug: 1 to HB_SLUG_MAX of a-z, 0-9, "-" and "_",
 * starting with a letter or digit, and neither "start" nor "fail" (the
 * words of /v1/ping/{token}/start and /fail)?  1 or 0.
 */
int	 heartbeat_slug_valid(const char *s);

/*
 * The heartbeat rules monitor_apply() cannot express field by field: a
 * heartbeat has either intervalSeconds or a schedule (giving one on PATCH
 * switches to it; both at once is refused), and a timezone only with a
 * schedule (UTC when none is given).  Errors go to v.
 */
void	 heartbeat_apply(struct monitor *, const cJSON *body, struct verrs *);

/*
 * When the ping after one at t is expected: t + intervalSeconds, or the
 * schedule's first firing after t.  0, or -1 (a schedule that cannot be
 * read: never for a validated monitor).
 */
int	 heartbeat_expected_after(const struct monitor *, int64_t t,
	    int64_t *out) WUR;

/*
 * Start m's clock at now (create, resume, a change of schedule or
 * grace): the first ping is expected one period on, any open run is
 * forgotten, next_check_at is that deadline.  Sets the struct only.
 */
int	 heartbeat_restart(struct monitor *, int64_t now) WUR;

/* Member name of m's config as a string, or NULL (absent or null). */
const char	*heartbeat_cfg_str(const struct monitor *, const char *name);
/* m's gracePeriodSeconds in milliseconds. */
int64_t		 heartbeat_grace_ms(const struct monitor *);

#endif /* HBSCHED_H */
