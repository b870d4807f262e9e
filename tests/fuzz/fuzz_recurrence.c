/*
 * Fuzz target: recurrence rules of maintenance windows.  The first byte
 * picks the window's time zone and its first occurrence (some across a
 * daylight saving change, some at the end of a month); the rest is the
 * JSON of "recurrence" (null, or {frequency, interval, byWeekday,
 * until}).  maint_apply() validates it; a valid window is expanded over
 * two years, its current or next occurrence and its state computed at
 * several instants, and its JSON rendered.  Occurrences must come out in
 * order and not be empty, and an occurrence said to be active at t must
 * cover t.  (They may overlap: a daily window 24 hours long does, by an
 * hour, where the zone's clocks go forward.)
 */
#include "fuzz.h"
#include "uptime.h"
#include "maintenance.h"
#include "recurrence.h"

#define MAXOCC	512

static const char *const zones[] = {
	"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
	"Pacific/Chatham", "America/Santiago", "Asia/Tokyo", "Bad/Zone",
};

/* First occurrences, one hour (or a day) long. */
static const char *const starts[][2] = {
	{ "2026-03-02T01:00:00Z", "2026-03-02T02:00:00Z" },
	{ "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z" },	/* DST */
	{ "2026-01-31T10:00:00Z", "2026-01-31T11:00:00Z" },	/* 31st */
	{ "2028-02-29T23:00:00Z", "2028-03-01T23:00:00Z" },	/* leap */
};

static struct maint_window	 w;
static struct maint_occ		 occ[MAXOCC];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verrs	 v = { 0 };
	struct maint_occ o;
	cJSON		*body, *rec;
	int64_t		 t, from;
	int		 n, i;

	fuzz_world();
	if (size < 1)
		return 0;
	if ((rec = cJSON_ParseWithLength((const char *)data + 1,
	    size - 1)) == NULL)
		return 0;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "title", "Window");
	cJSON_AddStringToObject(body, "startsAt", starts[(data[0] >> 3) % 4][0]);
	cJSON_AddStringToObject(body, "endsAt", starts[(data[0] >> 3) % 4][1]);
	cJSON_AddStringToObject(body, "timezone", zones[data[0] % 8]);
	cJSON_AddItemToObject(body, "recurrence", rec);

	maint_init(&w, FUZZ_NOW);
	snprintf(w.team_id, sizeof(w.team_id), "%s", fw.team_id);
	maint_apply(fw.db, &w, body, 1, &v);
	cJSON_Delete(body);
	if (v.n > 0)
		return 0;
	from = w.starts_at - 86400000LL;
	n = maint_expand(&w, from, from + 2 * 366 * 86400000LL, occ, MAXOCC);
	if (n < 0)
		abort();	/* maint_apply accepted the zone */
	for (i = 0; i < n; i++) {
		if (occ[i].end <= occ[i].start)
			abort();
		if (i > 0 && occ[i].start <= occ[i - 1].start)
			abort();
	}
	(void)maint_horizon(&w);
	for (t = w.starts_at - 3600000LL; t < w.starts_at + 400 * 86400000LL;
	    t += 37 * 86400000LL + 3600000LL) {
		if (maint_occurrence(&w, t, &o) == 1 &&
		    (o.start > t || o.end <= t))
			abort();
		(void)maint_state(&w, t);
	}
	cJSON_Delete(maint_json(&w, FUZZ_NOW));
	return 0;
}
