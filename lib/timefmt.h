/*
 * timefmt.c: RFC 3339 times and day arithmetic.
 */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include "base.h"

int64_t	 time_now_ms(void);
/* RFC 3339 UTC with milliseconds; out must hold TIME_MAX bytes. */
char	*time_format(int64_t ms, char *out);
/* Parse RFC 3339 with any offset; 0 on success, -1 if malformed. */
int	 time_parse(const char *s, int64_t *ms) WUR;
/* Days since 1970-01-01 of a proleptic Gregorian date, month 1..12. */
int64_t	 time_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The days of month m (1..12) of year y, Gregorian. */
int	 time_days_in_month(int64_t y, int m);

#endif /* TIMEFMT_H */
