/*
 * Fuzz target: cron expressions and time zone names (a heartbeat's
 * schedule and timezone).  The first byte picks a zone and an instant;
 * the rest is the expression.  One that parses must fire within ten
 * years in every zone (cronexpr_parse refuses those that never fire),
 * at a whole minute, strictly after the instant.  The same bytes are
 * also tried as a zone name: it names a file under the zone folder, so
 * a name with "..", a leading "/" or odd bytes must be refused.
 */
#include "fuzz.h"
#include "uptime.h"
#include "cronexpr.h"

static const char *const zones[] = {
	"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
	"Pacific/Chatham", "Asia/Kolkata", "America/Santiago", "Etc/GMT-14",
};

static const int64_t instants[] = {
	FUZZ_NOW,
	1774745940000LL,	/* 2026-03-29T00:59:00Z: Berlin springs ahead */
	1792025999000LL,	/* 2026-10-14T..: no change */
	0,
	4102444800000LL,	/* 2100-01-01 */
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cronexpr	 ce;
	char		*s;
	char		 err[256];
	const char	*tz;
	int64_t		 after, next;

	fuzz_world();
	if (size < 1)
		return 0;
	tz = zones[data[0] % (sizeof(zones) / sizeof(zones[0]))];
	after = instants[(data[0] >> 3) % (sizeof(instants) /
	    sizeof(instants[0]))];
	s = fuzz_str(data + 1, size - 1);
	if (cronexpr_parse(&ce, s, err, sizeof(err)) == 0) {
		if (cronexpr_next(&ce, tz, after, &next) == 0 &&
		    (next <= after || next % 60000 != 0))
			abort();
	} else if (err[0] == '\0')
		abort();	/* a refusal always says why */
	if (cronexpr_tz_valid(s) && (strstr(s, "..") != NULL || *s == '/'))
		abort();
	free(s);
	return 0;
}
