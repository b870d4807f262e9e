/*
 * Cron expressions: the five fields of crontab(5) (minute, hour,
 * day-of-month, month, day-of-week) and the next time one fires in an
 * IANA time zone.  See docs/lib/cronexpr.md.
 *
 * Syntax: each field is "*" or a comma-separated list of values, ranges
 * "a-b" and steps ("a-b/n", "a/n" = a to the field's end, and "*"
 * followed by "/n").  Values are numbers or, for month and day-of-week,
 * the English names JAN-DEC and SUN-SAT (any case).  Day-of-week 0 and
 * 7 are Sunday.  When both day-of-month and day-of-week are restricted
 * (neither starts with "*"), a day matches if either does; otherwise
 * both must.
 *
 * Daylight-saving changes follow Debian's cron: a "fixed-time" expression
 * (neither minute nor hour starts with "*") that falls in the hour skipped
 * in spring fires once at the first instant after the skip, and fires
 * only at the first of the two instants of a repeated hour in autumn;
 * other expressions follow the clock (nothing in the skipped hour, both
 * passes of a repeated one).
 */
#ifndef CRONEXPR_H
#define CRONEXPR_H

#include <stdint.h>

#include "base.h"

#define CRON_MAXLEN	128	/* an expression, bytes */
#define TZ_MAXLEN	64	/* a time zone name, bytes */
#define TZ_DIR		"/usr/share/zoneinfo"

#define CRON_MIN_STAR	0x01	/* the field starts with "*" */
#define CRON_HOUR_STAR	0x02
#define CRON_DOM_STAR	0x04
#define CRON_DOW_STAR	0x08

struct cronexpr {
	uint64_t	 minute;	/* bit n: minute n, 0..59 */
	uint32_t	 hour;		/* bit n: hour n, 0..23 */
	uint32_t	 dom;		/* bit n: day n, 1..31 */
	uint16_t	 month;		/* bit n: month n, 1..12 */
	uint8_t		 dow;		/* bit n: day n, 0..6, Sunday 0 */
	unsigned	 flags;		/* CRON_*_STAR */
};

/*
 * Parse s into ce.  On a bad expression returns -1 with a message naming
 * the field in err ("hour: 24 is out of range 0-23"); an expression that
 * can never fire ("0 0 30 2 *") is refused too.
 */
int	 cronexpr_parse(struct cronexpr *, const char *s, char *err,
	    size_t errlen) WUR;

/*
 * 1 if name is an IANA time zone this system has (a TZif file under
 * TZ_DIR, such as "Europe/Berlin" or "UTC"), else 0.
 */
int	 cronexpr_tz_valid(const char *name);

/*
 * The first time ce fires strictly after `after` (ms since the epoch) in
 * the time zone tz, into *next (ms, a whole minute of local time).
 * Returns 0, or -1 when tz is not valid or nothing fires within ten
 * years.  Sets TZ for the computation and restores it after: not for
 * threaded programs.
 */
int	 cronexpr_next(const struct cronexpr *, const char *tz, int64_t after,
	    int64_t *next) WUR;

/*
 * The zone helpers behind cronexpr_next, for other modules that work in
 * local time (lib/maintenance.c).  Between cronexpr_tz_push(name), which
 * points TZ at the zone (-1 for a bad name), and cronexpr_tz_pop(), which
 * puts the old TZ back, cronexpr_tz_offset(t) is the zone's UTC offset
 * (seconds east) at instant t (Unix seconds), and cronexpr_tz_instant(c)
 * the instant at which the zone's clock shows civil second c (local time
 * counted like Unix seconds): the first of the two in a repeated hour,
 * and for a time skipped in spring, c read with the offset in force
 * before the skip (so 02:30 becomes 03:30 of the new time), as RFC 5545
 * says.  Not nested, not for threaded programs.
 */
int	 cronexpr_tz_push(const char *name) WUR;
void	 cronexpr_tz_pop(void);
long	 cronexpr_tz_offset(int64_t t);
int64_t	 cronexpr_tz_instant(int64_t c);

#endif /* CRONEXPR_H */
