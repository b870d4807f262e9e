/*
 * Maintenance windows: validation, JSON, SQL and the effects' one
 * question, maint_at.  The expansion of recurring windows is
 * lib/recurrence.c.  See maintenance.h and docs/lib/maintenance.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "cronexpr.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "maintenance.h"
#include "page.h"
#include "recurrence.h"
#include "ref.h"
#include "timefmt.h"

#define DAY_MS		86400000LL
#define PUBLIC_SCAN	1000	/* windows maint_list_public looks at */

const char *const maint_freq_names[MAINT_FREQ__MAX] = {
	"once", "daily", "weekly", "monthly"
};

const char *const maint_state_names[MAINT_STATE__MAX] = {
	"scheduled", "active", "completed", "cancelled"
};

const char *const maint_day_names[7] = {
	"MO", "TU", "WE", "TH", "FR", "SA", "SU"
};

#define COLS "id, team_id, title, description, starts_at, ends_at, " \
	"timezone, frequency, rec_interval, by_weekday, until, all_monitors, " \
	"suppress_alerts, show_on_status_page, pause_checks, horizon, " \
	"cancelled_at, ended_early_at, ended_occurrence_at, created_at, " \
	"updated_at, ref"

/* The window covers monitor ?2 (all of the team's, or listed). */
#define COVERS "(all_monitors = 1 OR EXISTS (SELECT 1 FROM " \
	"maintenance_window_monitors m WHERE " \
	"m.window_id = maintenance_windows.id AND m.monitor_id = ?2))"
/* Team ?1, or monitor ?2's own team when ?1 is NULL. */
#define TEAM "team_id = coalesce(?1, (SELECT team_id FROM monitors " \
	"WHERE id = ?2))"

enum stmt {
	STMT_INSERT,
	STMT_UPDATE,
	STMT_STATE,
	STMT_GET,
	STMT_LIST,
	STMT_MON_CLEAR,
	STMT_MON_ADD,
	STMT_MON_LIST,
	STMT_MON_EXISTS,
	STMT_EARLY_PUT,
	STMT_EARLY_GET,
	STMT_EARLY_RANGE,
	STMT_AT,
	STMT_SPANS,
	STMT_PAUSING,
	STMT_PUBLIC,
	STMT_RELEASE,
	STMT_REF_TAKEN,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO maintenance_windows (" COLS ") VALUES (?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_UPDATE: everything but id, team and creation. */
	"UPDATE maintenance_windows SET title = ?3, description = ?4, "
	"starts_at = ?5, ends_at = ?6, timezone = ?7, frequency = ?8, "
	"rec_interval = ?9, by_weekday = ?10, until = ?11, "
	"all_monitors = ?12, suppress_alerts = ?13, "
	"show_on_status_page = ?14, pause_checks = ?15, horizon = ?16, "
	"cancelled_at = ?17, ended_early_at = ?18, "
	"ended_occurrence_at = ?19, updated_at = ?20 "
	"WHERE team_id = ?2 AND id = ?1",
	/*
	 * STMT_STATE: what cancelling and ending change.  A cancelled window
	 * gives its ref up: it has left the team's configuration.  (The
	 * CAST types ?3 for PostgreSQL, which types a SET's value late.)
	 */
	"UPDATE maintenance_windows SET horizon = ?2, cancelled_at = ?3, "
	"ended_early_at = ?4, ended_occurrence_at = ?5, updated_at = ?6, "
	"ref = CASE WHEN CAST(?3 AS BIGINT) IS NULL THEN ref END "
	"WHERE id = ?1",
	/* STMT_GET */
	"SELECT " COLS " FROM maintenance_windows WHERE team_id = ? AND id = ?",
	/*
	 * STMT_LIST: newest first after the cursor; ?5 is a state name or
	 * NULL, and the states the columns tell apart are filtered here
	 * (active and scheduled need the expansion: the caller does that).
	 * The CAST types ?5 at its first use, for PostgreSQL.
	 */
	"SELECT " COLS " FROM maintenance_windows WHERE team_id = ?1"
	" AND (?2 = 0 OR (created_at, id) < (?3, ?4))"
	" AND (CAST(?5 AS TEXT) IS NULL OR"
	"      (?5 = 'cancelled') = (cancelled_at IS NOT NULL))"
	" AND (?5 IS NULL OR ?5 = 'cancelled' OR"
	"      (?5 = 'completed') = (horizon <= ?6))"
	" ORDER BY created_at DESC, id DESC",
	/* STMT_MON_CLEAR */
	"DELETE FROM maintenance_window_monitors WHERE window_id = ?",
	/* STMT_MON_ADD */
	"INSERT INTO maintenance_window_monitors (window_id, monitor_id, "
	"position) VALUES (?, ?, ?)",
	/* STMT_MON_LIST */
	"SELECT monitor_id FROM maintenance_window_monitors "
	"WHERE window_id = ? ORDER BY position",
	/* STMT_MON_EXISTS */
	"SELECT 1 FROM monitors WHERE team_id = ? AND id = ?",
	/* STMT_EARLY_PUT */
	"INSERT INTO maintenance_early_ends (window_id, occurrence_at, "
	"ended_at) VALUES (?, ?, ?) ON CONFLICT (window_id, occurrence_at) "
	"DO UPDATE SET ended_at = excluded.ended_at",
	/* STMT_EARLY_GET */
	"SELECT ended_at FROM maintenance_early_ends WHERE window_id = ? "
	"AND occurrence_at = ?",
	/* STMT_EARLY_RANGE: occurrences starting in [?2, ?3). */
	"SELECT occurrence_at, ended_at FROM maintenance_early_ends "
	"WHERE window_id = ?1 AND occurrence_at >= ?2 AND occurrence_at < ?3 "
	"ORDER BY occurrence_at LIMIT ?4",
	/* STMT_AT: windows covering monitor ?2 that may be active at ?3. */
	"SELECT " COLS " FROM maintenance_windows WHERE " TEAM
	" AND horizon > ?3 AND starts_at <= ?3 AND " COVERS,
	/* STMT_SPANS: windows covering ?2 that may overlap [?3, ?4). */
	"SELECT " COLS " FROM maintenance_windows WHERE " TEAM
	" AND horizon > ?3 AND starts_at < ?4 AND " COVERS,
	/* STMT_PAUSING */
	"SELECT 1 FROM maintenance_windows WHERE pause_checks = 1 "
	"AND horizon > ?1 AND starts_at <= ?1 LIMIT 1",
	/* STMT_PUBLIC */
	"SELECT " COLS " FROM maintenance_windows WHERE team_id = ?1 "
	"AND show_on_status_page = 1 AND cancelled_at IS NULL "
	"AND horizon > ?2 LIMIT ?3",
	/*
	 * STMT_RELEASE: monitors of window ?2 (all of team ?1 when ?4) whose
	 * next check is more than an interval away were put off by a window:
	 * due now (?3).
	 */
	"UPDATE monitors SET next_check_at = ?3 WHERE team_id = ?1 "
	"AND paused = 0 AND type <> 'heartbeat' "
	"AND next_check_at > ?3 + interval_s * 1000 "
	"AND (?4 = 1 OR id IN (SELECT monitor_id FROM "
	"maintenance_window_monitors WHERE window_id = ?2))",
	/* STMT_REF_TAKEN: for ref_default. */
	"SELECT 1 FROM maintenance_windows WHERE team_id = ?1 AND ref = ?2",
};

/* ---- validation ---- */

const struct jfield maint_fields[] = {
	{ "title", 0 }, { "description", 0 }, { "startsAt", 0 },
	{ "endsAt", 0 }, { "timezone", 0 }, { "recurrence", 0 },
	{ "monitorIds", 0 }, { "suppressAlerts", 0 },
	{ "showOnStatusPage", 0 }, { "pauseChecks", 0 },
	{ "id", 1 }, { "state", 1 }, { "nextOccurrence", 1 },
	{ "endedEarlyAt", 1 }, { "cancelledAt", 1 }, { "createdAt", 1 },
	{ "updatedAt", 1 },
	{ NULL, 0 }
};

static const struct jfield rec_fields[] = {
	{ "frequency", 0 }, { "interval", 0 }, { "byWeekday", 0 },
	{ "until", 0 },
	{ NULL, 0 }
};

/* Prefix the pointers of errors from e on with "/recurrence". */
static void
nest(struct verrs *v, size_t from)
{
	char	 p[sizeof(v->e[0].pointer)];

	for (; from < v->n; from++) {
		snprintf(p, sizeof(p), "/recurrence%s", v->e[from].pointer);
		memcpy(v->e[from].pointer, p, sizeof(p));
	}
}

static void
apply_recurrence(struct maint_window *w, const cJSON *rec, struct verrs *v)
{
	const cJSON	*days, *d;
	const char	*f;
	char		 ptr[64];
	long long	 n;
	unsigned	 mask = 0;
	size_t		 first = v->n;
	int		 freq = -1, i = 0, k, isnull;
	int64_t		 until = 0;

	if (cJSON_IsNull(rec)) {
		w->freq = MAINT_ONCE;
		w->interval = 1;
		w->by_weekday = 0;
		w->until = 0;
		return;
	}
	if (!cJSON_IsObject(rec)) {
		verr_add(v, VERR_INVALID, "/recurrence", "must be null or an "
		    "object {frequency, interval, byWeekday, until}");
		return;
	}
	json_check_fields(rec, rec_fields, v);
	if (json_str(rec, "frequency", 1, 16, JREQ, v, &f, NULL) == 1 &&
	    ((freq = str_index(maint_freq_names, MAINT_FREQ__MAX, f)) < 1))
		verr_add(v, VERR_INVALID, "/frequency", "must be one of daily, "
		    "weekly, monthly");
	n = 1;
	json_int(rec, "interval", 1, MAINT_MAXINTERVAL, 0, v, &n, NULL);
	json_time(rec, "until", JNULL, v, &until, &isnull);
	days = cJSON_GetObjectItemCaseSensitive(rec, "byWeekday");
	if (days != NULL && (!cJSON_IsArray(days) ||
	    cJSON_GetArraySize(days) > 7))
		verr_add(v, VERR_INVALID, "/byWeekday", "must be a list of up "
		    "to 7 days from MO, TU, WE, TH, FR, SA, SU");
	else if (days != NULL)
		cJSON_ArrayForEach(d, days) {
			snprintf(ptr, sizeof(ptr), "/byWeekday/%d", i++);
			k = cJSON_IsString(d) ? str_index(maint_day_names, 7,
			    d->valuestring) : -1;
			if (k == -1)
				verr_add(v, VERR_INVALID, ptr, "must be one of "
				    "MO, TU, WE, TH, FR, SA, SU");
			else if (mask & (1u << k))
				verr_add(v, VERR_INVALID, ptr, "is listed "
				    "twice");
			else
				mask |= 1u << k;
		}
	if (mask != 0 && freq > 0 && freq != MAINT_WEEKLY)
		verr_add(v, VERR_INVALID, "/byWeekday", "only weekly "
		    "recurrence takes weekdays; give [] or leave it out");
	nest(v, first);
	if (v->n > first)
		return;
	w->freq = (enum maint_freq)freq;
	w->interval = (int)n;
	w->by_weekday = mask;
	w->until = until;
}

static void
apply_monitors(struct db *db, struct maint_window *w, const cJSON *ids,
    struct verrs *v)
{
	struct db_stmt	*st;
	const cJSON	*id;
	char		 ptr[64];
	size_t		 i, n = 0, k;
	int		 rc;

	if (cJSON_IsNull(ids)) {
		w->all_monitors = 1;
		w->nmonitors = 0;
		return;
	}
	if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) < 1 ||
	    cJSON_GetArraySize(ids) > MAINT_MAXMONITORS) {
		verr_add(v, VERR_INVALID, "/monitorIds", "must be a list of 1 "
		    "to %d monitor ids, or null for every monitor of the team",
		    MAINT_MAXMONITORS);
		return;
	}
	k = v->n;
	cJSON_ArrayForEach(id, ids) {
		snprintf(ptr, sizeof(ptr), "/monitorIds/%zu", n);
		if (!cJSON_IsString(id) || !id_valid(id->valuestring, "mon")) {
			w->monitor_ids[n][0] = '\0';
			verr_add(v, VERR_INVALID, ptr, "must be a monitor id "
			    "(mon_ and 20 letters or digits)");
			n++;
			continue;
		}
		for (i = 0; i < n; i++)
			if (strcmp(w->monitor_ids[i], id->valuestring) == 0)
				break;
		if (i < n)
			verr_add(v, VERR_INVALID, ptr, "%s is listed twice",
			    id->valuestring);
		else if ((st = db_stmt(db, sqls[STMT_MON_EXISTS])) == NULL)
			verr_add(v, VERR_INVALID, ptr, "cannot be checked now");
		else {
			db_bind_text(st, 1, w->team_id);
			db_bind_text(st, 2, id->valuestring);
			rc = db_step(st);
			db_reset(st);
			if (rc != DB_ROW)
				verr_add(v, VERR_INVALID, ptr, "%s is not a "
				    "monitor of this team", id->valuestring);
		}
		snprintf(w->monitor_ids[n], ID_MAX, "%s", id->valuestring);
		n++;
	}
	if (v->n > k)
		return;
	w->all_monitors = 0;
	w->nmonitors = n;
}

/* The cross-field rules, on the window as it would be stored. */
static void
check_whole(struct maint_window *w, const cJSON *body, struct verrs *v)
{
	const char	*endp;
	int64_t		 dur, gap;
	int		 wday0;

	endp = cJSON_GetObjectItemCaseSensitive(body, "endsAt") == NULL &&
	    cJSON_GetObjectItemCaseSensitive(body, "startsAt") != NULL ?
	    "/startsAt" : "/endsAt";
	if (w->ends_at <= w->starts_at) {
		verr_add(v, VERR_INVALID, endp, "endsAt must be after startsAt");
		return;
	}
	dur = w->ends_at - w->starts_at;
	if (w->freq == MAINT_ONCE) {
		if (dur > MAINT_MAXDURATION)
			verr_add(v, VERR_INVALID, endp, "a window lasts at "
			    "most 366 days");
		return;
	}
	if (w->until != 0 && w->until <= w->starts_at) {
		verr_add(v, VERR_INVALID, "/recurrence/until", "must be after "
		    "startsAt");
		return;
	}
	if (maint_first_weekday(w, &wday0) == -1) {
		verr_add(v, VERR_INVALID, "/timezone", "cannot be used");
		return;
	}
	if (w->freq == MAINT_WEEKLY && w->by_weekday == 0)
		w->by_weekday = 1u << wday0;
	gap = maint_min_gap_days(w, wday0);
	if (dur > gap * DAY_MS)
		verr_add(v, VERR_INVALID, endp, "a recurring window must end "
		    "before its next occurrence: at most %lld days after "
		    "startsAt here", (long long)gap);
	else if (maint_horizon(w) == 0)
		verr_add(v, VERR_INVALID, "/recurrence/until", "leaves no "
		    "occurrence: the first one starts after it");
}

void
maint_apply(struct db *db, struct maint_window *w, const cJSON *body,
    int creating, struct verrs *v)
{
	const cJSON	*m;
	const char	*s;
	int64_t		 t;
	int		 b, isnull;
	size_t		 before = v->n;

	json_check_fields(body, maint_fields, v);
	if (json_str(body, "title", 1, MAINT_TITLE_MAX, creating ? JREQ : 0,
	    v, &s, NULL) == 1)
		snprintf(w->title, sizeof(w->title), "%s", s);
	if (json_str(body, "description", 1, MAINT_DESC_MAX, JNULL, v, &s,
	    &isnull) == 1)
		snprintf(w->description, sizeof(w->description), "%s", s);
	else if (isnull)
		w->description[0] = '\0';
	if (json_time(body, "startsAt", creating ? JREQ : 0, v, &t,
	    NULL) == 1)
		w->starts_at = t;
	if (json_time(body, "endsAt", creating ? JREQ : 0, v, &t, NULL) == 1)
		w->ends_at = t;
	if (json_str(body, "timezone", 1, TZ_MAXLEN, 0, v, &s, NULL) == 1) {
		if (!cronexpr_tz_valid(s))
			verr_add(v, VERR_INVALID, "/timezone", "must be an IANA "
			    "time zone such as Europe/Berlin or UTC");
		else
			snprintf(w->timezone, sizeof(w->timezone), "%s", s);
	}
	if ((m = cJSON_GetObjectItemCaseSensitive(body, "recurrence")) != NULL)
		apply_recurrence(w, m, v);
	if ((m = cJSON_GetObjectItemCaseSensitive(body, "monitorIds")) != NULL)
		apply_monitors(db, w, m, v);
	if (json_bool(body, "suppressAlerts", 0, v, &b) == 1)
		w->suppress_alerts = b;
	if (json_bool(body, "showOnStatusPage", 0, v, &b) == 1)
		w->show_on_status_page = b;
	if (json_bool(body, "pauseChecks", 0, v, &b) == 1)
		w->pause_checks = b;
	if (v->n > before)
		return;
	check_whole(w, body, v);
	if (v->n == before)
		w->horizon = maint_horizon(w);
}

void
maint_init(struct maint_window *w, int64_t now)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->timezone, sizeof(w->timezone), "UTC");
	w->freq = MAINT_ONCE;
	w->interval = 1;
	w->all_monitors = 1;
	w->suppress_alerts = 1;
	w->show_on_status_page = 1;
	w->created_at = w->updated_at = now;
}

/* ---- JSON ---- */

cJSON *
maint_json(const struct maint_window *w, int64_t now)
{
	cJSON		*o = cJSON_CreateObject(), *r, *a, *n;
	struct maint_occ occ;
	size_t		 i;

	cJSON_AddStringToObject(o, "id", w->id);
	cJSON_AddStringToObject(o, "title", w->title);
	json_add_str(o, "description", w->description);
	json_add_time(o, "startsAt", w->starts_at);
	json_add_time(o, "endsAt", w->ends_at);
	cJSON_AddStringToObject(o, "timezone", w->timezone);
	if (w->freq == MAINT_ONCE)
		cJSON_AddNullToObject(o, "recurrence");
	else {
		r = cJSON_AddObjectToObject(o, "recurrence");
		cJSON_AddStringToObject(r, "frequency",
		    maint_freq_names[w->freq]);
		cJSON_AddNumberToObject(r, "interval", w->interval);
		a = cJSON_AddArrayToObject(r, "byWeekday");
		for (i = 0; i < 7 && w->freq == MAINT_WEEKLY; i++)
			if (w->by_weekday & (1u << i))
				cJSON_AddItemToArray(a,
				    cJSON_CreateString(maint_day_names[i]));
		json_add_time(r, "until", w->until);
	}
	if (w->all_monitors)
		cJSON_AddNullToObject(o, "monitorIds");
	else {
		a = cJSON_AddArrayToObject(o, "monitorIds");
		for (i = 0; i < w->nmonitors; i++)
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(w->monitor_ids[i]));
	}
	cJSON_AddBoolToObject(o, "suppressAlerts", w->suppress_alerts);
	cJSON_AddBoolToObject(o, "showOnStatusPage", w->show_on_status_page);
	cJSON_AddBoolToObject(o, "pauseChecks", w->pause_checks);
	cJSON_AddStringToObject(o, "state",
	    maint_state_names[maint_state(w, now)]);
	if (w->cancelled_at == 0 && maint_occurrence(w, now, &occ) >= 0) {
		n = cJSON_AddObjectToObject(o, "nextOccurrence");
		json_add_time(n, "startsAt", occ.start);
		json_add_time(n, "endsAt", occ.end);
	} else
		cJSON_AddNullToObject(o, "nextOccurrence");
	json_add_time(o, "endedEarlyAt", w->ended_early_at);
	json_add_time(o, "cancelledAt", w->cancelled_at);
	json_add_time(o, "createdAt", w->created_at);
	json_add_time(o, "updatedAt", w->updated_at);
	return o;
}

/* ---- SQL ---- */

static void
row(struct db_stmt *st, struct maint_window *w)
{
	char	 s[16];
	int	 f;

	memset(w, 0, sizeof(*w));
	db_col_text(st, 0, w->id, sizeof(w->id));
	db_col_text(st, 1, w->team_id, sizeof(w->team_id));
	db_col_text(st, 2, w->title, sizeof(w->title));
	db_col_text(st, 3, w->description, sizeof(w->description));
	w->starts_at = db_col_int64(st, 4);
	w->ends_at = db_col_int64(st, 5);
	db_col_text(st, 6, w->timezone, sizeof(w->timezone));
	db_col_text(st, 7, s, sizeof(s));
	f = str_index(maint_freq_names, MAINT_FREQ__MAX, s);
	w->freq = f > 0 ? (enum maint_freq)f : MAINT_ONCE;
	w->interval = db_col_int(st, 8);
	if (w->interval < 1 || w->interval > MAINT_MAXINTERVAL)
		w->interval = 1;
	w->by_weekday = (unsigned)db_col_int(st, 9) & 0x7f;
	w->until = db_col_int64(st, 10);
	w->all_monitors = db_col_int(st, 11);
	w->suppress_alerts = db_col_int(st, 12);
	w->show_on_status_page = db_col_int(st, 13);
	w->pause_checks = db_col_int(st, 14);
	w->horizon = db_col_int64(st, 15);
	w->cancelled_at = db_col_int64(st, 16);
	w->ended_early_at = db_col_int64(st, 17);
	w->ended_occurrence_at = db_col_int64(st, 18);
	w->created_at = db_col_int64(st, 19);
	w->updated_at = db_col_int64(st, 20);
	db_col_text(st, 21, w->ref, sizeof(w->ref));
}

/* Read w's monitor list (when it has one).  DB_* code. */
static int
load_monitors(struct db *db, struct maint_window *w)
{
	struct db_stmt	*st;
	int		 rc;

	w->nmonitors = 0;
	if (w->all_monitors)
		return DB_OK;
	if ((st = db_stmt(db, sqls[STMT_MON_LIST])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, w->id);
	while ((rc = db_step(st)) == DB_ROW &&
	    w->nmonitors < MAINT_MAXMONITORS)
		db_col_text(st, 0, w->monitor_ids[w->nmonitors++], ID_MAX);
	db_reset(st);
	return rc == DB_DONE || rc == DB_ROW ? DB_OK : db_rc(rc);
}

static int
save_monitors(struct db *db, const struct maint_window *w)
{
	struct db_stmt	*st;
	size_t		 i;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_MON_CLEAR])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, w->id);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	for (i = 0; !w->all_monitors && i < w->nmonitors; i++) {
		if ((st = db_stmt(db, sqls[STMT_MON_ADD])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, w->id);
		db_bind_text(st, 2, w->monitor_ids[i]);
		db_bind_int64(st, 3, (int64_t)i);
		if ((rc = db_exec_stmt(st)) != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* Bind the columns from title on (?3..?19), as STMT_INSERT has them. */
static void
bind_fields(struct db_stmt *st, const struct maint_window *w)
{
	db_bind_text(st, 3, w->title);
	db_bind_text(st, 4, w->description[0] ? w->description : NULL);
	db_bind_int64(st, 5, w->starts_at);
	db_bind_int64(st, 6, w->ends_at);
	db_bind_text(st, 7, w->timezone);
	db_bind_text(st, 8, w->freq == MAINT_ONCE ? NULL :
	    maint_freq_names[w->freq]);
	db_bind_int(st, 9, w->interval);
	db_bind_int(st, 10, (int)w->by_weekday);
	db_bind_time(st, 11, w->until);
	db_bind_int(st, 12, w->all_monitors);
	db_bind_int(st, 13, w->suppress_alerts);
	db_bind_int(st, 14, w->show_on_status_page);
	db_bind_int(st, 15, w->pause_checks);
	db_bind_int64(st, 16, w->horizon);
	db_bind_time(st, 17, w->cancelled_at);
	db_bind_time(st, 18, w->ended_early_at);
	db_bind_time(st, 19, w->ended_occurrence_at);
}

int
maint_insert(struct db *db, struct maint_window *w)
{
	struct db_stmt	*st;
	int		 rc;

	if (w->ref[0] == '\0' && (rc = ref_default(db, sqls[STMT_REF_TAKEN],
	    w->team_id, w->title, "window", w->ref)) != DB_OK)
		return rc;
	id_new(w->id, "mw");
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, w->id);
	db_bind_text(st, 2, w->team_id);
	bind_fields(st, w);
	db_bind_int64(st, 20, w->created_at);
	db_bind_int64(st, 21, w->updated_at);
	db_bind_text(st, 22, w->ref);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	return save_monitors(db, w);
}

int
maint_update(struct db *db, struct maint_window *w)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_UPDATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, w->id);
	db_bind_text(st, 2, w->team_id);
	bind_fields(st, w);
	db_bind_int64(st, 20, w->updated_at);
	rc = db_exec_stmt(st);
	if (rc == DB_OK && db_changes(db) == 0)
		return DB_NOTFOUND;
	if (rc != DB_OK)
		return rc;
	return save_monitors(db, w);
}

int
maint_get(struct db *db, const char *team, const char *id,
    struct maint_window *w)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt_ids(db, sqls[STMT_GET], team, id)) == NULL)
		return DB_ERROR;
	if ((rc = db_step(st)) == DB_ROW) {
		row(st, w);
		rc = DB_OK;
	} else
		rc = rc == DB_DONE ? DB_NOTFOUND : db_rc(rc);
	db_reset(st);
	return rc == DB_OK ? load_monitors(db, w) : rc;
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	struct maint_window	*w;
	const int		*state = l->arg;
	int			 rc = 0;

	if ((w = malloc(sizeof(*w))) == NULL)
		return -1;
	row(st, w);
	if (*state < 0 || (int)maint_state(w, l->now) == *state) {
		if (load_monitors(l->db, w) != DB_OK)
			rc = -1;
		else if (l->visit != NULL)
			rc = page_visit(l, w, w->created_at, w->id);
		else
			page_add(l, maint_json(w, l->now), w->created_at,
			    w->id);
	}
	free(w);
	return rc;
}

int
maint_list(struct db *db, const char *team, int state, struct lister *l)
{
	l->arg = &state;
	return page_rows(db, db_query(db, sqls[STMT_LIST], "tiIttI", team,
	    l->page->has_cursor, l->page->c_time, l->page->c_id, state >= 0 ?
	    maint_state_names[state] : NULL, l->now), 0, l, list_row);
}

/* Store what cancelling and ending change.  DB_* code. */
static int
save_state(struct db *db, struct maint_window *w, int64_t now)
{
	struct db_stmt	*st;

	w->horizon = maint_horizon(w);
	w->updated_at = now;
	if ((st = db_stmt(db, sqls[STMT_STATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, w->id);
	db_bind_int64(st, 2, w->horizon);
	db_bind_time(st, 3, w->cancelled_at);
	db_bind_time(st, 4, w->ended_early_at);
	db_bind_time(st, 5, w->ended_occurrence_at);
	db_bind_int64(st, 6, w->updated_at);
	return db_exec_stmt(st);
}

int
maint_cancel(struct db *db, struct maint_window *w, int64_t now)
{
	if (w->cancelled_at != 0)
		return DB_OK;
	w->cancelled_at = now;
	w->ref[0] = '\0';
	return save_state(db, w, now);
}

int
maint_end(struct db *db, struct maint_window *w, int64_t now)
{
	struct db_stmt	*st;
	struct maint_occ o;
	int		 i, rc, ended = 0;

	/* Occurrences may overlap (a daily 24-hour window on the day the
	 * clocks go forward): end each that is active. */
	for (i = 0; i < 3 && maint_occurrence(w, now, &o) == 1; i++) {
		if ((st = db_stmt(db, sqls[STMT_EARLY_PUT])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, w->id);
		db_bind_int64(st, 2, o.start);
		db_bind_int64(st, 3, now);
		if ((rc = db_exec_stmt(st)) != DB_OK)
			return rc;
		w->ended_early_at = now;
		w->ended_occurrence_at = o.start;
		ended++;
	}
	if (ended == 0)
		return DB_CONFLICT;
	return save_state(db, w, now);
}

int
maint_release(struct db *db, const struct maint_window *w, int64_t now)
{
	struct db_stmt	*st;

	if (!w->pause_checks)
		return DB_OK;
	if ((st = db_stmt(db, sqls[STMT_RELEASE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, w->team_id);
	db_bind_text(st, 2, w->id);
	db_bind_int64(st, 3, now);
	db_bind_int(st, 4, w->all_monitors);
	return db_exec_stmt(st);
}

/* ---- the effects ---- */

struct early_ctx {
	struct db	*db;
	int		 rc;
};

/* The early end recorded for w's occurrence at start, or 0. */
static int64_t
early_stored(const struct maint_window *w, int64_t start, void *arg)
{
	struct early_ctx *c = arg;
	struct db_stmt	*st;
	int64_t		 end = 0;
	int		 rc;

	if (w->ended_early_at == 0)
		return 0;	/* never ended early: nothing stored */
	if ((st = db_stmt(c->db, sqls[STMT_EARLY_GET])) == NULL) {
		c->rc = DB_ERROR;
		return 0;
	}
	db_bind_text(st, 1, w->id);
	db_bind_int64(st, 2, start);
	if ((rc = db_step(st)) == DB_ROW)
		end = db_col_int64(st, 0);
	else if (rc != DB_DONE)
		c->rc = db_rc(rc);
	db_reset(st);
	return end;
}

/*
 * STMT_AT or STMT_SPANS: the windows of team_id (NULL: the monitor's
 * team) that cover monitor_id, bound with the times a and b (?3, ?4).
 */
static struct db_stmt *
covering(struct db *db, enum stmt which, const char *team_id,
    const char *monitor_id, int64_t a, int64_t b)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[which])) == NULL)
		return NULL;
	db_bind_text(st, 1, team_id);
	db_bind_text(st, 2, monitor_id);
	db_bind_int64(st, 3, a);
	if (db_param_count(st) >= 4)
		db_bind_int64(st, 4, b);
	return st;
}

int
maint_at(struct db *db, const char *team_id, const char *monitor_id,
    int64_t t, struct maint_effect *e)
{
	struct db_stmt		*st;
	struct maint_window	*w;
	struct early_ctx	 c = { db, DB_OK };
	struct maint_occ	 o;
	int			 rc, found;

	memset(e, 0, sizeof(*e));
	if ((w = malloc(sizeof(*w))) == NULL)
		return DB_ERROR;
	if ((st = covering(db, STMT_AT, team_id, monitor_id, t, 0)) == NULL) {
		free(w);
		return DB_ERROR;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		row(st, w);
		/* From the latest early end on, the columns tell all. */
		if (t >= w->ended_early_at)
			found = maint_occurrence(w, t, &o);
		else
			found = maint_occurrence_with(w, t, early_stored, &c,
			    &o);
		if (c.rc != DB_OK)
			break;
		if (found != 1)
			continue;
		e->active = 1;
		if (w->suppress_alerts)
			e->suppress_alerts = 1;
		if (w->pause_checks) {
			e->pause_checks = 1;
			if (o.end > e->pause_until)
				e->pause_until = o.end;
		}
		if (o.end > e->ends_at) {
			e->ends_at = o.end;
			snprintf(e->window_id, sizeof(e->window_id), "%s",
			    w->id);
		}
	}
	db_reset(st);
	free(w);
	if (c.rc != DB_OK)
		return c.rc;
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}

int
maint_any_pausing(struct db *db, int64_t now, int *any)
{
	struct db_stmt	*st;
	int		 rc;

	*any = 0;
	if ((st = db_stmt(db, sqls[STMT_PAUSING])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now);
	if ((rc = db_step(st)) == DB_ROW)
		*any = 1;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : db_rc(rc);
}

static int
occ_cmp(const void *a, const void *b)
{
	const struct maint_occ *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Add w's occurrences within [from, to), early ends and cancellation
 * applied, to out[*n..max).  DB_* code; *full set when some did not fit.
 */
static int
add_spans(struct db *db, const struct maint_window *w, int64_t from,
    int64_t to, struct maint_occ *out, size_t max, size_t *n, int *full)
{
	struct db_stmt	*st;
	struct maint_occ *occ, *ends;
	size_t		 nends = 0, j = 0;
	int		 k, i, rc = DB_OK;

	if ((occ = calloc(max, sizeof(*occ))) == NULL ||
	    (ends = calloc(max, sizeof(*ends))) == NULL) {
		free(occ);
		return DB_ERROR;
	}
	if ((k = maint_expand(w, from, to, occ, max)) == -1)
		goto out;	/* a zone that no longer exists: nothing */
	if (k == (int)max)
		*full = 1;
	/* The early ends of those occurrences, in the same order. */
	if (k > 0 && w->ended_early_at != 0) {
		if ((st = db_stmt(db, sqls[STMT_EARLY_RANGE])) == NULL) {
			rc = DB_ERROR;
			goto out;
		}
		db_bind_text(st, 1, w->id);
		db_bind_int64(st, 2, occ[0].start);
		db_bind_int64(st, 3, occ[k - 1].start + 1);
		db_bind_int64(st, 4, (int64_t)max);
		while ((rc = db_step(st)) == DB_ROW && nends < max) {
			ends[nends].start = db_col_int64(st, 0);
			ends[nends++].end = db_col_int64(st, 1);
		}
		db_reset(st);
		if (rc != DB_DONE && rc != DB_ROW) {
			rc = db_rc(rc);
			goto out;
		}
		rc = DB_OK;
	}
	for (i = 0; i < k; i++) {
		while (j < nends && ends[j].start < occ[i].start)
			j++;
		if (maint_occ_clip(w, j < nends &&
		    ends[j].start == occ[i].start ? ends[j].end : 0,
		    &occ[i]) == -1)
			continue;
		if (occ[i].start < from)
			occ[i].start = from;
		if (occ[i].end > to)
			occ[i].end = to;
		if (occ[i].end <= occ[i].start)
			continue;
		if (*n == max) {
			*full = 1;
			break;
		}
		out[(*n)++] = occ[i];
	}
out:
	free(occ);
	free(ends);
	return rc;
}

int
maint_spans(struct db *db, const char *team_id, const char *monitor_id,
    int64_t from, int64_t to, struct maint_occ *out, size_t max, size_t *n)
{
	struct db_stmt		*st;
	struct maint_window	*w;
	size_t			 i, k;
	int			 rc = DB_OK, src = DB_DONE, full = 0;

	*n = 0;
	if (to <= from || max == 0)
		return DB_OK;
	if ((w = malloc(sizeof(*w))) == NULL)
		return DB_ERROR;
	if ((st = covering(db, STMT_SPANS, team_id, monitor_id, from, to)) ==
	    NULL) {
		free(w);
		return DB_ERROR;
	}
	while (rc == DB_OK && (src = db_step(st)) == DB_ROW) {
		row(st, w);
		rc = add_spans(db, w, from, to, out, max, n, &full);
	}
	if (rc == DB_OK && src != DB_DONE && src != DB_ROW)
		rc = db_rc(src);
	db_reset(st);
	free(w);
	if (full)
		fprintf(stderr, "maint_spans: %s: more than %zu occurrences; "
		    "the later ones are left out\n", monitor_id, max);
	if (rc != DB_OK)
		return rc;
	/* Sort and merge overlapping occurrences. */
	qsort(out, *n, sizeof(*out), occ_cmp);
	for (i = 0, k = 0; i < *n; i++) {
		if (k > 0 && out[i].start <= out[k - 1].end) {
			if (out[i].end > out[k - 1].end)
				out[k - 1].end = out[i].end;
		} else
			out[k++] = out[i];
	}
	*n = k;
	return DB_OK;
}

/* A window of maint_list_public, found and not yet given out. */
struct pub {
	char		 id[ID_MAX];
	struct maint_occ occ;
	int		 active;
};

static int
pub_cmp(const void *a, const void *b)
{
	const struct pub *x = a, *y = b;

	if (x->occ.start != y->occ.start)
		return x->occ.start < y->occ.start ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
maint_list_public(struct db *db, const char *team_id, int64_t now,
    int (*fn)(const struct maint_public *, void *), void *arg)
{
	struct db_stmt		*st;
	struct maint_window	*w;
	struct maint_public	 p;
	struct pub		*found;
	const char		*ids[MAINT_MAXMONITORS];
	size_t			 n = 0, i, j;
	int			 rc, a;

	w = malloc(sizeof(*w));
	found = calloc(PUBLIC_SCAN, sizeof(*found));
	if (w == NULL || found == NULL ||
	    (st = db_stmt(db, sqls[STMT_PUBLIC])) == NULL) {
		rc = DB_ERROR;
		goto out;
	}
	db_bind_text(st, 1, team_id);
	db_bind_int64(st, 2, now);
	db_bind_int(st, 3, PUBLIC_SCAN);
	while ((rc = db_step(st)) == DB_ROW) {
		row(st, w);
		if ((a = maint_occurrence(w, now, &found[n].occ)) < 0)
			continue;
		snprintf(found[n].id, sizeof(found[n].id), "%s", w->id);
		found[n++].active = a;
	}
	db_reset(st);
	if (rc != DB_DONE) {
		rc = db_rc(rc);
		goto out;
	}
	qsort(found, n, sizeof(*found), pub_cmp);
	rc = DB_OK;
	for (i = 0; i < n && i < MAINT_MAXPUBLIC; i++) {
		if ((rc = maint_get(db, team_id, found[i].id, w)) != DB_OK)
			break;
		for (j = 0; j < w->nmonitors; j++)
			ids[j] = w->monitor_ids[j];
		memset(&p, 0, sizeof(p));
		p.window_id = w->id;
		p.title = w->title;
		p.description = w->description[0] ? w->description : NULL;
		p.starts_at = found[i].occ.start;
		p.ends_at = found[i].occ.end;
		p.active = found[i].active;
		p.all_monitors = w->all_monitors;
		p.nmonitors = w->nmonitors;
		p.monitor_ids = ids;
		if (fn(&p, arg) == -1) {
			rc = DB_ERROR;
			break;
		}
	}
out:
	free(w);
	free(found);
	return rc;
}

/* uptime_in_maintenance(team_id, monitor_id): see maint_sql_register. */
static int
sql_in_maintenance(struct db *db, const char *const *args, int64_t *out)
{
	struct maint_effect	 e;

	*out = 0;
	if (args[1] == NULL)
		return 0;
	if (maint_at(db, args[0], args[1], time_now_ms(), &e) != DB_OK)
		return -1;
	*out = e.active;
	return 0;
}

int
maint_sql_register(struct db *db)
{
	return db_function(db, "uptime_in_maintenance", 2, sql_in_maintenance);
}
