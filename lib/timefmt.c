/*
 * RFC 3339 times.  Output is always UTC with milliseconds; input may
 * carry any offset and is normalised.  The calendar arithmetic is done
 * here rather than with timegm(3) so that no time zone setting matters.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

int64_t
time_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write v as exactly n decimal digits, zero-padded. */
static void
put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* After H. Hinnant's days_from_civil. */
int64_t
time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
time_days_in_month(int64_t y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

char *
time_format(int64_t ms, char *out)
{
	time_t		 secs = (time_t)(ms / 1000);
	struct tm	 tm;

	if (ms < 0 || gmtime_r(&secs, &tm) == NULL || tm.tm_year > 8099) {
		strcpy(out, "1970-01-01T00:00:00.000Z");
		return out;
	}
	/* By hand, not snprintf: lists format several times a row. */
	put_digits(out, (unsigned)tm.tm_year + 1900, 4);
	out[4] = '-';
	put_digits(out + 5, (unsigned)tm.tm_mon + 1, 2);
	out[7] = '-';
	put_digits(out + 8, (unsigned)tm.tm_mday, 2);
	out[10] = 'T';
	put_digits(out + 11, (unsigned)tm.tm_hour, 2);
	out[13] = ':';
	put_digits(out + 14, (unsigned)tm.tm_min, 2);
	out[16] = ':';
	put_digits(out + 17, (unsigned)tm.tm_sec, 2);
	out[19] = '.';
	put_digits(out + 20, (unsigned)(ms % 1000), 3);
	out[23] = 'Z';
	out[24] = '\0';
	return out;
}

/* Read exactly n digits at *s into *v; advance. */
static int
digits(const char **s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return -1;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 0;
}

static int
expect(const char **s, const char *set)
{
	if (**s == '\0' || strchr(set, **s) == NULL)
		return -1;
	(*s)++;
	return 0;
}

int
time_parse(const char *s, int64_t *ms)
{
	int	 y, mo, d, h, mi, sec, frac = 0, fdigits = 0;
	int	 oh = 0, om = 0, sign = 0;
	int64_t	 t;

	if (s == NULL || strlen(s) > 40)
		return -1;
	if (digits(&s, 4, &y) || expect(&s, "-") || digits(&s, 2, &mo) ||
	    expect(&s, "-") || digits(&s, 2, &d) || expect(&s, "Tt") ||
	    digits(&s, 2, &h) || expect(&s, ":") || digits(&s, 2, &mi) ||
	    expect(&s, ":") || digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++, fdigits++)
			if (fdigits < 3)
				frac = frac * 10 + (*s - '0');
		for (; fdigits < 3; fdigits++)
			frac *= 10;
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &oh) || expect(&s, ":") ||
		    digits(&s, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	if (*s != '\0')
		return -1;

	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > time_days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (sec == 60)		/* a leap second is the last instant of its minute */
		sec = 59, frac = 999;
	t = time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	if (t < 0)
		return -1;
	*ms = t * 1000 + frac;
	return 0;
}
