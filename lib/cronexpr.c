/*
 * Cron expressions and the next time one fires in a time zone.  See
 * cronexpr.h and docs/lib/cronexpr.md.
 *
 * The search walks civil (wall-clock) time with plain calendar arithmetic
 * (timegm/gmtime_r on "civil seconds"), then turns each matching civil
 * minute into the instants at which the zone's clock shows it: none in a
 * spring-forward gap, two in a repeated autumn hour.  The zone's offsets
 * come from localtime_r with TZ pointed at the zone's file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cronexpr.h"

#define HORIZON_S	(10LL * 366 * 86400)	/* search this far ahead */
#define SWING_S		(18LL * 3600)	/* offsets in force around a time */

enum field {
	F_MINUTE,
	F_HOUR,
	F_DOM,
	F_MONTH,
	F_DOW,
	F__MAX
};

static const struct {
	const char	*name;
	int		 min, max;
	unsigned	 star;
} fields[F__MAX] = {
	{ "minute", 0, 59, CRON_MIN_STAR },
	{ "hour", 0, 23, CRON_HOUR_STAR },
	{ "day-of-month", 1, 31, CRON_DOM_STAR },
	{ "month", 1, 12, 0 },
	{ "day-of-week", 0, 7, CRON_DOW_STAR },
};

static const char *const month_names[12] = { "JAN", "FEB", "MAR", "APR",
    "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
static const char *const day_names[7] = { "SUN", "MON", "TUE", "WED", "THU",
    "FRI", "SAT" };

/* ---- parsing ---- */

/*
 * Read one value of field f at *p (a number, or a name for month and
 * day-of-week) into *v and advance.  -1 with a message on anything else.
 */
static int
value(enum field f, const char **p, int *v, char *err, size_t errlen)
{
	const char	*s = *p;
	size_t		 n, i;

	n = strspn(s, "0123456789");
	if (n > 0) {
		if (n > 2) {
			snprintf(err, errlen, "%s: \"%.*s\" is out of range "
			    "%d-%d", fields[f].name, (int)(n > 8 ? 8 : n), s,
			    fields[f].min, fields[f].max);
			return -1;
		}
		*v = atoi(s);		/* at most two digits */
		if (*v < fields[f].min || *v > fields[f].max) {
			snprintf(err, errlen, "%s: %d is out of range %d-%d",
			    fields[f].name, *v, fields[f].min,
			    fields[f].max);
			return -1;
		}
		*p = s + n;
		return 0;
	}
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (n == 3 && f == F_MONTH)
		for (i = 0; i < 12; i++)
			if (strncasecmp(s, month_names[i], 3) == 0) {
				*v = (int)i + 1;
				*p = s + 3;
				return 0;
			}
	if (n == 3 && f == F_DOW)
		for (i = 0; i < 7; i++)
			if (strncasecmp(s, day_names[i], 3) == 0) {
				*v = (int)i;
				*p = s + 3;
				return 0;
			}
	if (n == 0)
		snprintf(err, errlen, "%s: expected a number%s at \"%.16s\"",
		    fields[f].name, f == F_MONTH ? " or JAN-DEC" : f == F_DOW ?
		    " or SUN-SAT" : "", s);
	else
		snprintf(err, errlen, "%s: \"%.*s\" is not %s",
		    fields[f].name, (int)(n > 16 ? 16 : n), s, f == F_MONTH ?
		    "a month name (JAN-DEC)" : f == F_DOW ?
		    "a day name (SUN-SAT)" : "a number");
	return -1;
}

/* One list item: "*", "v", "a-b", each with an optional "/step". */
static int
item(enum field f, const char *s, uint64_t *bits, char *err, size_t errlen)
{
	int	 lo, hi, step = 1, v, span;

	if (*s == '*') {
		lo = fields[f].min;
		hi = fields[f].max;
		s++;
	} else {
		if (value(f, &s, &lo, err, errlen) == -1)
			return -1;
		hi = lo;
		if (*s == '-') {
			s++;
			if (value(f, &s, &hi, err, errlen) == -1)
				return -1;
			if (hi < lo) {
				snprintf(err, errlen, "%s: the range %d-%d "
				    "runs backwards", fields[f].name, lo, hi);
				return -1;
			}
		} else if (*s == '/')
			hi = fields[f].max;	/* "a/n": from a to the end */
	}
	if (*s == '/') {
		s++;
		span = fields[f].max - fields[f].min + 1;
		if (strspn(s, "0123456789") != strlen(s) || *s == '\0' ||
		    strlen(s) > 2 || (step = atoi(s)) < 1 || step > span) {
			snprintf(err, errlen, "%s: a step must be a number "
			    "from 1 to %d", fields[f].name, span);
			return -1;
		}
		s += strlen(s);
	}
	if (*s != '\0') {
		snprintf(err, errlen, "%s: unexpected \"%.16s\"",
		    fields[f].name, s);
		return -1;
	}
	for (v = lo; v <= hi; v += step)
		*bits |= 1ull << v;
	return 0;
}

/* A comma-separated list of items; text is modified. */
static int
field(enum field f, char *text, uint64_t *bits, char *err, size_t errlen)
{
	char	*it, *next;

	*bits = 0;
	for (it = text; it != NULL; it = next) {
		if ((next = strchr(it, ',')) != NULL)
			*next++ = '\0';
		if (*it == '\0') {
			snprintf(err, errlen, "%s: a list has an empty item",
			    fields[f].name);
			return -1;
		}
		if (item(f, it, bits, err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* Could day-of-month d of the months in mask ever be a real date? */
static int
dom_possible(uint16_t months, uint32_t doms)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 m, d;

	for (m = 1; m <= 12; m++)
		if (months & (1u << m))
			for (d = 1; d <= mdays[m - 1]; d++)
				if (doms & (1u << d))
					return 1;
	return 0;
}

int
cronexpr_parse(struct cronexpr *ce, const char *s, char *err, size_t errlen)
{
	char		 buf[CRON_MAXLEN + 1], *tok[F__MAX], *p;
	uint64_t	 bits[F__MAX];
	size_t		 n, len;
	int		 f;

	memset(ce, 0, sizeof(*ce));
	if (s == NULL || (len = strlen(s)) == 0) {
		snprintf(err, errlen, "must not be empty");
		return -1;
	}
	if (len > CRON_MAXLEN) {
		snprintf(err, errlen, "must be at most %d characters",
		    CRON_MAXLEN);
		return -1;
	}
	if (strspn(s, "0123456789*,-/ \tABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") != len) {
		snprintf(err, errlen, "may only hold numbers, names, \"*\", "
		    "\",\", \"-\", \"/\" and spaces");
		return -1;
	}
	memcpy(buf, s, len + 1);
	n = 0;
	for (p = strtok(buf, " \t"); p != NULL; p = strtok(NULL, " \t"))
		if (n++ < F__MAX)
			tok[n - 1] = p;
	if (n != F__MAX) {
		snprintf(err, errlen, "needs five fields (minute hour "
		    "day-of-month month day-of-week), not %zu", n);
		return -1;
	}
	for (f = 0; f < F__MAX; f++) {
		if (tok[f][0] == '*')
			ce->flags |= fields[f].star;
		if (field((enum field)f, tok[f], &bits[f], err, errlen) == -1)
			return -1;
	}
	ce->minute = bits[F_MINUTE];
	ce->hour = (uint32_t)bits[F_HOUR];
	ce->dom = (uint32_t)bits[F_DOM];
	ce->month = (uint16_t)bits[F_MONTH];
	ce->dow = (uint8_t)((bits[F_DOW] | bits[F_DOW] >> 7) & 0x7f);
	/* With day-of-week "*" only the days of the month count. */
	if ((ce->flags & CRON_DOW_STAR) && !dom_possible(ce->month, ce->dom)) {
		snprintf(err, errlen, "never fires: none of its months has "
		    "such a day");
		return -1;
	}
	return 0;
}

/* ---- time zones ---- */

/* The name's characters and shape: no way out of TZ_DIR. */
static int
tz_name_ok(const char *name)
{
	size_t	 n;

	if (name == NULL || (n = strlen(name)) == 0 || n > TZ_MAXLEN)
		return 0;
	if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_+-/") != n)
		return 0;
	if (name[0] == '/' || name[0] == '-' || name[n - 1] == '/' ||
	    strstr(name, "//") != NULL)
		return 0;
	/* Leap-second clocks, and names that are not a zone of their own. */
	if (strncmp(name, "right/", 6) == 0 || strcmp(name, "localtime") == 0 ||
	    strcmp(name, "posixrules") == 0)
		return 0;
	return 1;
}

int
cronexpr_tz_valid(const char *name)
{
	char		 path[sizeof(TZ_DIR) + TZ_MAXLEN + 2], magic[4];
	struct stat	 sb;
	int		 fd, ok;

	if (!tz_name_ok(name))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name);
	if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	ok = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

static char	 saved_tz[512];
static int	 had_tz;

/* Point TZ at the zone's file; tz_pop() puts the old value back. */
static int
tz_push(const char *name)
{
	char		 spec[sizeof(TZ_DIR) + TZ_MAXLEN + 3];
	const char	*old = getenv("TZ");

	if (old != NULL && strlen(old) >= sizeof(saved_tz))
		return -1;
	had_tz = old != NULL;
	if (had_tz)
		strcpy(saved_tz, old);
	snprintf(spec, sizeof(spec), ":%s/%s", TZ_DIR, name);
	if (setenv("TZ", spec, 1) == -1)
		return -1;
	tzset();
	return 0;
}

static void
tz_pop(void)
{
	if (had_tz)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	tzset();
}

/* The zone's UTC offset (seconds east) at instant t. */
static long
gmtoff(int64_t t)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/* ---- the search ---- */

static int
day_ok(const struct cronexpr *ce, const struct tm *tm)
{
	int	 dom = (ce->dom >> tm->tm_mday) & 1;
	int	 dow = (ce->dow >> tm->tm_wday) & 1;

	if (ce->flags & (CRON_DOM_STAR | CRON_DOW_STAR))
		return dom && dow;
	return dom || dow;
}

/*
 * The first civil minute at or after c (civil seconds, minute-aligned)
 * that the expression matches, no later than limit; 0 or -1.
 */
static int
civil_match(const struct cronexpr *ce, int64_t c, int64_t limit,
    int64_t *out)
{
	struct tm	 tm;
	time_t		 t = (time_t)c;

	while (t <= limit) {
		if (gmtime_r(&t, &tm) == NULL)
			return -1;
		if (!((ce->month >> (tm.tm_mon + 1)) & 1)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = 0;
		} else if (!day_ok(ce, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = tm.tm_min = 0;
		} else if (!((ce->hour >> tm.tm_hour) & 1)) {
			tm.tm_hour++;
			tm.tm_min = 0;
		} else if (!((ce->minute >> tm.tm_min) & 1)) {
			tm.tm_min++;
		} else {
			*out = (int64_t)t;
			return 0;
		}
		tm.tm_sec = 0;
		tm.tm_isdst = 0;
		t = timegm(&tm);
	}
	return -1;
}

/*
 * The instants at which the zone's clock shows civil time c, in order:
 * none (c is skipped), one, or two (c is repeated).  *oa and *ob get the
 * offsets in force well before and well after c.
 */
static int
instants(int64_t c, int64_t out[2], long *oa, long *ob)
{
	int64_t	 x;
	int	 n = 0;

	*oa = gmtoff(c - SWING_S);
	*ob = gmtoff(c + SWING_S);
	if (gmtoff(c - *oa) == *oa)
		out[n++] = c - *oa;
	if (*ob != *oa && gmtoff(c - *ob) == *ob)
		out[n++] = c - *ob;
	if (n == 2 && out[0] > out[1]) {
		x = out[0];
		out[0] = out[1];
		out[1] = x;
	}
	return n;
}

/*
 * c is skipped by a change from offset oa to a larger ob: the instant of
 * the change, the first one after the gap.
 */
static int64_t
gap_end(int64_t c, long oa, long ob)
{
	int64_t	 lo = c - ob, hi = c - oa, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (gmtoff(mid) == ob)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void
consider(int64_t x, int64_t after, int64_t *best)
{
	if (x > after && (*best == -1 || x < *best))
		*best = x;
}

int
cronexpr_next(const struct cronexpr *ce, const char *tz, int64_t after,
    int64_t *next)
{
	int64_t	 t, c, in[2], best = -1, limit;
	long	 lo, oa, ob;
	int	 fixed, n, i;

	if (after < 0 || !tz_name_ok(tz) || tz_push(tz) == -1)
		return -1;
	fixed = !(ce->flags & (CRON_MIN_STAR | CRON_HOUR_STAR));
	t = after / 1000;
	/* A firing after t shows a civil time of at least t plus the
	 * smallest offset around: start there, whole minutes. */
	lo = gmtoff(t);
	if (gmtoff(t + 2 * SWING_S) < lo)
		lo = gmtoff(t + 2 * SWING_S);
	c = t + lo;
	c -= ((c % 60) + 60) % 60;
	limit = t + HORIZON_S;
	while (civil_match(ce, c, limit, &c) == 0) {
		n = instants(c, in, &oa, &ob);
		if (n == 0 && fixed && oa < ob)
			consider(gap_end(c, oa, ob), t, &best);
		for (i = 0; i < n && (i == 0 || !fixed); i++)
			consider(in[i], t, &best);
		/* Later civil times cannot fire before the best so far. */
		if (best != -1 && c - (oa > ob ? oa : ob) > best)
			break;
		c += 60;
	}
	tz_pop();
	if (best == -1)
		return -1;
	*next = best * 1000;
	return 0;
}

/* ---- the zone helpers, for lib/maintenance.c ---- */

int
cronexpr_tz_push(const char *name)
{
	return tz_name_ok(name) ? tz_push(name) : -1;
}

void
cronexpr_tz_pop(void)
{
	tz_pop();
}

long
cronexpr_tz_offset(int64_t t)
{
	return gmtoff(t);
}

int64_t
cronexpr_tz_instant(int64_t c)
{
	int64_t	 in[2];
	long	 oa, ob;

	return instants(c, in, &oa, &ob) > 0 ? in[0] : c - oa;
}
