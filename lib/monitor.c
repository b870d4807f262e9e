/*
 * Monitors: definitions, validation, JSON and SQL.  See monitor.h.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "base.h"
#include "config.h"
#include "cronexpr.h"
#include "db.h"
#include "hbsched.h"
#include "ids.h"
#include "json.h"
#include "jsoncheck.h"
#include "maintenance.h"
#include "monitor.h"
#include "page.h"
#include "re.h"
#include "ref.h"
#include "target.h"
#include "timefmt.h"

const char *const mon_type_names[MON_TYPE__MAX] = {
	"http", "tcp", "dns", "heartbeat"
};

const char *const mon_status_names[MST__MAX] = {
	"pending", "up", "degraded", "down", "paused", "maintenance"
};

const char *const health_names[HEALTH__MAX] = {
	"unknown", "operational", "maintenance", "degraded", "partial_outage",
	"major_outage"
};

#define COLS "id, team_id, name, type, interval_s, timeout_s, " \
	"confirmations, paused, tags, config, status, fails, " \
	"last_checked_at, next_check_at, last_change_at, last_response_ms, " \
	"ssl_expires_at, ssl_issuer, ssl_status, ssl_warned_at, created_at, " \
	"updated_at, ping_token, last_ping_at, run_started_at, " \
	"ping_expected_at, ping_window, ping_count, last_value, ref, " \
	"locations, quorum, recovery_confirmations, retry_interval_s"

/*
 * Each location's own state (check_record), as locationStates, of the
 * locations the monitor names.  Its list is matched as text, a quoted
 * id being one of its elements (ids hold no quote): one index seek per
 * monitor, where reading it with json_each parsed every monitor's list
 * and sought each of its locations, for lists that mostly have no
 * state yet or one.
 */
#define LOC_STATES "(SELECT json_group_array(json_object('location', " \
	"s.location, 'status', s.status, 'failures', s.fails, " \
	"'lastCheckedAt', strftime('%Y-%m-%dT%H:%M:%fZ', " \
	"s.last_checked_at / 1000.0, 'unixepoch'))) FROM " \
	"monitor_location_state s WHERE s.monitor_id = monitors.id AND " \
	"instr(monitors.locations, '\"' || s.location || '\"') > 0)"

/*
 * An unpaused monitor that a maintenance window covers now shows the
 * status "maintenance"; the stored status keeps the checks' own state
 * (lib/maintenance.c registers the function).  The function is asked
 * only when the team has a window not finished by now (an index seek on
 * maintenance_windows_live; 'now' a second early, so never too strict):
 * most teams have none most of the time, and lists ask for every row.
 */
#define IN_MAINT "(CASE WHEN paused = 0 AND EXISTS (SELECT 1 FROM " \
	"maintenance_windows w WHERE w.team_id = monitors.team_id AND " \
	"w.horizon > (strftime('%s', 'now') - 1) * 1000) THEN " \
	"uptime_in_maintenance(team_id, id) ELSE 0 END)"
#define SHOWN_STATUS "(CASE WHEN " IN_MAINT " THEN 'maintenance' " \
	"ELSE status END)"

/*
 * The same on PostgreSQL, which has no uptime_in_maintenance(): the
 * statement's parameter n holds the ids of the team's monitors in
 * maintenance now, a JSON array that maint_bind computes with maint_at.
 * json_agg keeps the members in order, as json_group_array does, and
 * takes the rows by location, the order SQLite reads them in (the
 * primary key).
 */
#define LOC_STATES_PG "(SELECT coalesce(json_agg(json_build_object(" \
	"'location', s.location, 'status', s.status, 'failures', s.fails, " \
	"'lastCheckedAt', to_char(to_timestamp(s.last_checked_at / 1000.0) " \
	"AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')) ORDER BY " \
	"s.location), '[]') FROM monitor_location_state s WHERE " \
	"s.monitor_id = monitors.id AND s.location IN (SELECT " \
	"jsonb_array_elements_text(monitors.locations::jsonb)))"
#define IN_MAINT_SET(n) "monitors.id IN (SELECT " \
	"jsonb_array_elements_text(" n "::jsonb))"
#define IN_MAINT_PG(n) "(CASE WHEN " IN_MAINT_SET(n) " THEN 1 ELSE 0 END)"
#define SHOWN_STATUS_PG(n) "(CASE WHEN " IN_MAINT_SET(n) " THEN " \
	"'maintenance' ELSE status END)"

enum stmt {
	STMT_INSERT,
	STMT_UPDATE,
	STMT_GET,
	STMT_DELETE,
	STMT_PAUSE,
	STMT_LIST,
	STMT_COUNTS,
	STMT_DUE,
	STMT_BY_TOKEN,
	STMT_REF_TAKEN,
	STMT_BY_SLUG,
	STMT_STATES_CLEAR,
	STMT_STATES_ENDED,
	STMT_MAINT_LIVE,
	STMT_MAINT_CANDIDATES,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO monitors (" COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_UPDATE: definition and state together. */
	"UPDATE monitors SET name = ?3, interval_s = ?4, timeout_s = ?5, "
	"confirmations = ?6, paused = ?7, tags = ?8, config = ?9, "
	"status = ?10, fails = ?11, last_checked_at = ?12, "
	"next_check_at = ?13, last_change_at = ?14, last_response_ms = ?15, "
	"ssl_expires_at = ?16, ssl_issuer = ?17, ssl_status = ?18, "
	"ssl_warned_at = ?19, updated_at = ?20, run_started_at = ?21, "
	"ping_expected_at = ?22, last_value = ?23, locations = ?24, "
	"quorum = ?25, recovery_confirmations = ?26, retry_interval_s = ?27 "
	"WHERE team_id = ?1 AND id = ?2",
	/* STMT_GET */
	"SELECT " COLS ", " LOC_STATES " AS loc_states, " IN_MAINT
	" AS in_maintenance FROM monitors WHERE team_id = ? AND id = ?",
	/* STMT_DELETE */
	"DELETE FROM monitors WHERE team_id = ? AND id = ?",
	/* STMT_PAUSE */
	"UPDATE monitors SET paused = ?3, status = ?4, next_check_at = ?5, "
	"fails = 0, updated_at = ?6, last_change_at = ?7, "
	"run_started_at = ?8, ping_expected_at = ?9 "
	"WHERE team_id = ?1 AND id = ?2",
	/* STMT_LIST */
	"SELECT " COLS ", " LOC_STATES " AS loc_states, " IN_MAINT
	" AS in_maintenance FROM monitors WHERE team_id = ?1"
	" AND (?2 IS NULL OR type = ?2)"
	" AND (?3 IS NULL OR " SHOWN_STATUS " = ?3)"
	" AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(monitors.tags)"
	"      WHERE value = ?4))"
	" AND (?5 = 0 OR (created_at, id) < (?6, ?7))"
	" ORDER BY created_at DESC, id DESC LIMIT ?8",
	/* STMT_COUNTS */
	"SELECT " SHOWN_STATUS " AS shown, count(*) FROM monitors "
	"WHERE team_id = ? GROUP BY shown",
	/* STMT_DUE: the scheduler's look ahead, of the monitors checked
	 * from this host (their locations hold "local"). */
	"SELECT id, team_id, next_check_at FROM monitors WHERE paused = 0 "
	"AND next_check_at <= ? AND instr(locations, '\"local\"') > 0 "
	"ORDER BY next_check_at LIMIT ?",
	/* STMT_BY_TOKEN: the ping endpoint's one lookup. */
	"SELECT " COLS " FROM monitors WHERE ping_token = ?",
	/* STMT_REF_TAKEN: for ref_default. */
	"SELECT 1 FROM monitors WHERE team_id = ?1 AND ref = ?2",
	/* STMT_BY_SLUG: through monitors_team_slug (schema/017), whose
	 * expression this is. */
	"SELECT " COLS " FROM monitors WHERE team_id = ? AND "
	"json_extract(config, '$.slug') = ?",
	/* STMT_STATES_CLEAR */
	"DELETE FROM monitor_location_state WHERE monitor_id = ?",
	/* STMT_STATES_ENDED: the open down periods of the states cleared. */
	"UPDATE location_outages SET ended_at = CASE WHEN started_at > ?2 "
	"THEN started_at ELSE ?2 END WHERE monitor_id = ?1 AND "
	"ended_at IS NULL",
	/* STMT_MAINT_LIVE: maint_bind's, as IN_MAINT's EXISTS. */
	"SELECT 1 FROM maintenance_windows WHERE team_id = ?1 "
	"AND horizon > ?2 LIMIT 1",
	/* STMT_MAINT_CANDIDATES: maint_bind's, IN_MAINT's rows. */
	"SELECT id FROM monitors WHERE team_id = ?1 AND paused = 0 "
	"AND (id = ?2 OR ?2 IS NULL)",
};

/* PostgreSQL's own text where the dialects differ (NULL: sqls[i]). */
static const char *const pg_sqls[STMT__MAX] = {
	[STMT_GET] =
	"SELECT " COLS ", " LOC_STATES_PG " AS loc_states, " IN_MAINT_PG("?3")
	" AS in_maintenance FROM monitors WHERE team_id = ?1 AND id = ?2",
	[STMT_LIST] =
	"SELECT " COLS ", " LOC_STATES_PG " AS loc_states, " IN_MAINT_PG("?9")
	" AS in_maintenance FROM monitors WHERE team_id = ?1"
	" AND (type = ?2 OR ?2 IS NULL)"
	" AND (" SHOWN_STATUS_PG("?9") " = ?3 OR ?3 IS NULL)"
	" AND (EXISTS (SELECT 1 FROM jsonb_array_elements_text("
	"monitors.tags::jsonb) AS t(value) WHERE t.value = ?4)"
	" OR ?4 IS NULL)"
	" AND (?5 = 0 OR (created_at, id) < (?6, ?7))"
	" ORDER BY created_at DESC, id DESC LIMIT ?8",
	[STMT_COUNTS] =
	"SELECT " SHOWN_STATUS_PG("?2") " AS shown, count(*) FROM monitors "
	"WHERE team_id = ?1 GROUP BY shown",
	[STMT_DUE] =
	"SELECT id, team_id, next_check_at FROM monitors WHERE paused = 0 "
	"AND next_check_at <= ? AND strpos(locations, '\"local\"') > 0 "
	"ORDER BY next_check_at LIMIT ?",
	/* monitors_team_slug's expression on PostgreSQL. */
	[STMT_BY_SLUG] =
	"SELECT " COLS " FROM monitors WHERE team_id = ? AND "
	"((config::jsonb) ->> 'slug') = ?",
};

void
monitor_init(struct monitor *m, int64_t now)
{
	memset(m, 0, sizeof(*m));
	m->type = MON_HTTP;
	m->interval_s = 60;
	m->timeout_s = 10;
	m->confirmations = 1;
	m->recovery = 1;
	m->tags = cJSON_CreateArray();
	m->config = cJSON_CreateObject();
	m->locations = cJSON_CreateArray();
	cJSON_AddItemToArray(m->locations, cJSON_CreateString(MON_LOCAL));
	m->status = MST_PENDING;
	m->last_response_ms = -1;
	m->next_check_at = now;
	m->created_at = m->updated_at = now;
}

void
monitor_free(struct monitor *m)
{
	cJSON_Delete(m->tags);
	cJSON_Delete(m->config);
	cJSON_Delete(m->last_value);
	cJSON_Delete(m->locations);
	cJSON_Delete(m->loc_states);
	m->tags = m->config = m->last_value = m->locations = m->loc_states =
	    NULL;
}

/* ---- validation ---- */

/* A field of one monitor type: its name, default and checker. */
struct tfield {
	const char	*name;
	enum mon_type	 type;
	const char	*def;		/* default as JSON text, NULL: none */
	int		 required;
	cJSON		*(*check)(const cJSON *, const char *, struct verrs *);
};

static cJSON *
fail(struct verrs *v, const char *ptr, const char *detail)
{
	verr_add(v, VERR_INVALID, ptr, "%s", detail);
	return NULL;
}

static cJSON *
check_url(const cJSON *val, const char *ptr, struct verrs *v)
{
	char	 err[256];

	if (!cJSON_IsString(val))
		return fail(v, ptr, "must be a string");
	if (strlen(val->valuestring) > MON_MAXURL)
		return fail(v, ptr, "must be at most 2048 characters");
	if (target_url_acceptable(val->valuestring, cfg.allow_private, err,
	    sizeof(err)) == -1)
		return fail(v, ptr, err);
	return cJSON_CreateString(val->valuestring);
}

static cJSON *
check_method(const cJSON *val, const char *ptr, struct verrs *v)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
	    "PATCH", "DELETE", "OPTIONS" };

	if (!cJSON_IsString(val) || str_index(methods, 7,
	    val->valuestring) == -1)
		return fail(v, ptr, "must be one of GET, HEAD, POST, PUT, "
		    "PATCH, DELETE, OPTIONS");
	return cJSON_CreateString(val->valuestring);
}

static cJSON *
check_headers(const cJSON *val, const char *ptr, struct verrs *v)
{
	const cJSON	*h;
	size_t		 n = 0;

	if (!cJSON_IsObject(val))
		return fail(v, ptr, "must be an object of header names and "
		    "values");
	cJSON_ArrayForEach(h, val) {
		if (++n > MON_MAXHEADERS)
			return fail(v, ptr, "at most 32 headers");
		if (h->string[0] == '\0' || strlen(h->string) > 128 ||
		    strspn(h->string, "!#$%&'*+-.^_`|~0123456789"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
		    strlen(h->string))
			return fail(v, ptr, "header names must be HTTP tokens");
		if (!cJSON_IsString(h) || strlen(h->valuestring) >
		    MON_MAXHEADERLEN || strpbrk(h->valuestring, "\r\n") != NULL)
			return fail(v, ptr, "header values must be strings of at "
			    "most 1024 bytes without CR or LF");
	}
	return cJSON_Duplicate(val, 1);
}

static cJSON *
check_body(const cJSON *val, const char *ptr, struct verrs *v)
{
	if (cJSON_IsNull(val))
		return cJSON_CreateNull();
	if (!cJSON_IsString(val) || strlen(val->valuestring) > MON_MAXBODY)
		return fail(v, ptr, "must be a string of at most 64 KiB");
	return cJSON_CreateString(val->valuestring);
}

/* Parse "lo-hi" or a number into a range; 0 or -1. */
static int
code_range(const cJSON *c, long *lo, long *hi)
{
	char	*end;

	if (cJSON_IsNumber(c)) {
		/* In range before the cast: (long)1e300 is undefined. */
		if (!(c->valuedouble >= 100 && c->valuedouble <= 599) ||
		    c->valuedouble != (double)(long)c->valuedouble)
			return -1;
		*lo = *hi = (long)c->valuedouble;
	} else if (cJSON_IsString(c)) {
		*lo = strtol(c->valuestring, &end, 10);
		if (end == c->valuestring || *end != '-')
			return -1;
		*hi = strtol(end + 1, &end, 10);
		if (*end != '\0' || end[-1] == '-')
			return -1;
	} else
		return -1;
	return *lo >= 100 && *hi <= 599 && *lo <= *hi ? 0 : -1;
}

static cJSON *
check_codes(const cJSON *val, const char *ptr, struct verrs *v)
{
	const cJSON	*c;
	long		 lo, hi;
	int		 n;

	n = cJSON_IsArray(val) ? cJSON_GetArraySize(val) : 0;
	if (n < 1 || n > MON_MAXCODES)
		return fail(v, ptr, "must be a list of 1 to 20 status codes "
		    "or \"lo-hi\" ranges");
	cJSON_ArrayForEach(c, val)
		if (code_range(c, &lo, &hi) == -1)
			return fail(v, ptr, "each entry must be a status code "
			    "100..599 or a range such as \"200-299\"");
	return cJSON_Duplicate(val, 1);
}

static cJSON *
check_bool(const cJSON *val, const char *ptr, struct verrs *v)
{
	if (!cJSON_IsBool(val))
		return fail(v, ptr, "must be true or false");
	return cJSON_CreateBool(cJSON_IsTrue(val));
}

static cJSON *
check_int(const cJSON *val, const char *ptr, struct verrs *v, long min,
    long max, int nullable)
{
	char	 msg[96];

	if (nullable && cJSON_IsNull(val))
		return cJSON_CreateNull();
	if (cJSON_IsNumber(val) && val->valuedouble >= min &&
	    val->valuedouble <= max &&
	    val->valuedouble == (double)(long)val->valuedouble)
		return cJSON_CreateNumber((double)(long)val->valuedouble);
	snprintf(msg, sizeof(msg), "must be a whole number from %ld to %ld%s",
	    min, max, nullable ? ", or null" : "");
	return fail(v, ptr, msg);
}

static cJSON *
check_degraded(const cJSON *val, const char *ptr, struct verrs *v)
{
	return check_int(val, ptr, v, 1, 60000, 1);
}

static cJSON *
check_sslwarn(const cJSON *val, const char *ptr, struct verrs *v)
{
	return check_int(val, ptr, v, 0, 365, 0);
}

static cJSON *
check_port(const cJSON *val, const char *ptr, struct verrs *v)
{
	return check_int(val, ptr, v, 1, 65535, 0);
}

#define CONTENT_SHAPES "each check is {type: contains|not_contains|regex, " \
	"value: 1..1024 characters, caseSensitive: true|false} or {type: " \
	"json, pointer, op, value}"

/*
 * A {type: "json"} content check (lib/jsoncheck.h), normalised, or NULL
 * with the error added at ptr/i/<member>.
 */
static cJSON *
check_json_content(const cJSON *c, const char *ptr, int i, struct verrs *v)
{
	const cJSON	*m;
	const char	*field;
	char		 at[64], why[192];
	cJSON		*o;

	cJSON_ArrayForEach(m, c)
		if (strcmp(m->string, "type") && strcmp(m->string, "pointer") &&
		    strcmp(m->string, "op") && strcmp(m->string, "value")) {
			snprintf(at, sizeof(at), "%s/%d/%.32s", ptr, i,
			    m->string);
			verr_add(v, VERR_UNKNOWN, at, "not a member of a json "
			    "check (type, pointer, op, value)");
			return NULL;
		}
	if (jsoncheck_validate(c, &field, why, sizeof(why)) == -1) {
		snprintf(at, sizeof(at), "%s/%d/%s", ptr, i, field);
		return fail(v, at, why);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "json");
	cJSON_AddItemToObject(o, "pointer", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(c, "pointer"), 1));
	cJSON_AddItemToObject(o, "op", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(c, "op"), 1));
	if ((m = cJSON_GetObjectItemCaseSensitive(c, "value")) != NULL)
		cJSON_AddItemToObject(o, "value", cJSON_Duplicate(m, 1));
	return o;
}

static cJSON *
check_contents(const cJSON *val, const char *ptr, struct verrs *v)
{
	static const char *const kinds[] = { "contains", "not_contains",
	    "regex" };
	const cJSON	*c, *m;
	cJSON		*out, *o;
	struct re	*re;
	const char	*why;
	char		 at[64], msg[160];
	int		 n, k, i = 0;

	n = cJSON_IsArray(val) ? cJSON_GetArraySize(val) : -1;
	if (n < 0 || n > MON_MAXCHECKS)
		return fail(v, ptr, "must be a list of at most 10 checks");
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(c, val) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "type");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "value");
		const cJSON *cs = cJSON_GetObjectItemCaseSensitive(c,
		    "caseSensitive");

		if (cJSON_IsObject(c) && cJSON_IsString(t) &&
		    strcmp(t->valuestring, "json") == 0) {
			if ((o = check_json_content(c, ptr, i++, v)) == NULL) {
				cJSON_Delete(out);
				return NULL;
			}
			cJSON_AddItemToArray(out, o);
			continue;
		}
		cJSON_ArrayForEach(m, c)
			if (strcmp(m->string, "type") && strcmp(m->string,
			    "value") && strcmp(m->string, "caseSensitive"))
				break;
		if (!cJSON_IsObject(c) || m != NULL || !cJSON_IsString(t) ||
		    (k = str_index(kinds, 3, t->valuestring)) == -1 ||
		    !cJSON_IsString(s) || s->valuestring[0] == '\0' ||
		    strlen(s->valuestring) > MON_MAXCHECKLEN ||
		    (cs != NULL && !cJSON_IsBool(cs))) {
			cJSON_Delete(out);
			return fail(v, ptr, CONTENT_SHAPES);
		}
		/* Compiled as the checker will: case changes its size. */
		if (k == 2 && (re = re_compile(s->valuestring, cs == NULL ||
		    cJSON_IsTrue(cs), &why)) == NULL) {
			cJSON_Delete(out);
			snprintf(at, sizeof(at), "%s/%d/value", ptr, i);
			snprintf(msg, sizeof(msg), "this regex is not accepted: "
			    "%s", why);
			return fail(v, at, msg);
		}
		if (k == 2)
			re_free(re);
		i++;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", kinds[k]);
		cJSON_AddStringToObject(o, "value", s->valuestring);
		cJSON_AddBoolToObject(o, "caseSensitive", cs == NULL ||
		    cJSON_IsTrue(cs));
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static cJSON *
check_host(const cJSON *val, const char *ptr, struct verrs *v)
{
	if (!cJSON_IsString(val) || val->valuestring[0] == '\0' ||
	    strlen(val->valuestring) > MON_MAXHOST ||
	    strspn(val->valuestring, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_:") != strlen(val->valuestring))
		return fail(v, ptr, "must be a host name or IP address of at "
		    "most 253 characters");
	return cJSON_CreateString(val->valuestring);
}

static cJSON *
check_tcphost(const cJSON *val, const char *ptr, struct verrs *v)
{
	cJSON	*h;

	if ((h = check_host(val, ptr, v)) == NULL)
		return NULL;
	if (!cfg.allow_private && target_name_private(h->valuestring)) {
		cJSON_Delete(h);
		return fail(v, ptr, "is " TARGET_MSG_PRIVATE);
	}
	return h;
}

static cJSON *
check_rrtype(const cJSON *val, const char *ptr, struct verrs *v)
{
	static const char *const types[] = { "A", "AAAA", "CNAME", "MX",
	    "TXT", "NS" };

	if (!cJSON_IsString(val) || str_index(types, 6,
	    val->valuestring) == -1)
		return fail(v, ptr, "must be one of A, AAAA, CNAME, MX, TXT, "
		    "NS");
	return cJSON_CreateString(val->valuestring);
}

static cJSON *
check_expected(const cJSON *val, const char *ptr, struct verrs *v)
{
	if (cJSON_IsNull(val))
		return cJSON_CreateNull();
	if (!cJSON_IsString(val) || val->valuestring[0] == '\0' ||
	    strlen(val->valuestring) > 1024)
		return fail(v, ptr, "must be a string of 1 to 1024 characters, "
		    "or null");
	return cJSON_CreateString(val->valuestring);
}

static cJSON *
check_schedule(const cJSON *val, const char *ptr, struct verrs *v)
{
	struct cronexpr	 ce;
	char		 err[160];

	if (cJSON_IsNull(val))
		return cJSON_CreateNull();
	if (!cJSON_IsString(val))
		return fail(v, ptr, "must be a cron expression of five fields "
		    "(minute hour day-of-month month day-of-week), or null");
	if (cronexpr_parse(&ce, val->valuestring, err, sizeof(err)) == -1)
		return fail(v, ptr, err);
	return cJSON_CreateString(val->valuestring);
}

static cJSON *
check_timezone(const cJSON *val, const char *ptr, struct verrs *v)
{
	if (cJSON_IsNull(val))
		return cJSON_CreateNull();
	if (!cJSON_IsString(val) || !cronexpr_tz_valid(val->valuestring))
		return fail(v, ptr, "must be an IANA time zone name such as "
		    "Europe/Berlin or UTC (at most 64 characters)");
	return cJSON_CreateString(val->valuestring);
}

static cJSON *
check_grace(const cJSON *val, const char *ptr, struct verrs *v)
{
	return check_int(val, ptr, v, 0, HB_GRACE_MAX, 0);
}

static cJSON *
check_slug(const cJSON *val, const char *ptr, struct verrs *v)
{
	if (cJSON_IsNull(val))
		return cJSON_CreateNull();
	if (!cJSON_IsString(val) || !heartbeat_slug_valid(val->valuestring))
		return fail(v, ptr, "must be 1 to 63 characters of a-z, 0-9, "
		    "- and _, starting with a letter or digit, and not start or "
		    "fail; or null");
	return cJSON_CreateString(val->valuestring);
}

static const struct tfield tfields[] = {
	{ "url", MON_HTTP, NULL, 1, check_url },
	{ "method", MON_HTTP, "\"GET\"", 0, check_method },
	{ "headers", MON_HTTP, "{}", 0, check_headers },
	{ "body", MON_HTTP, "null", 0, check_body },
	{ "expectedStatusCodes", MON_HTTP, "[\"200-299\"]", 0, check_codes },
	{ "followRedirects", MON_HTTP, "true", 0, check_bool },
	{ "verifyTls", MON_HTTP, "true", 0, check_bool },
	{ "degradedAfterMs", MON_HTTP, "5000", 0, check_degraded },
	{ "contentChecks", MON_HTTP, "[]", 0, check_contents },
	{ "sslExpiryWarningDays", MON_HTTP, "14", 0, check_sslwarn },
	{ "host", MON_TCP, NULL, 1, check_tcphost },
	{ "port", MON_TCP, NULL, 1, check_port },
	{ "hostname", MON_DNS, NULL, 1, check_host },
	{ "recordType", MON_DNS, "\"A\"", 0, check_rrtype },
	{ "expectedValue", MON_DNS, "null", 0, check_expected },
	/* heartbeat_apply() adds the rules between these and the interval. */
	{ "schedule", MON_HEARTBEAT, "null", 0, check_schedule },
	{ "timezone", MON_HEARTBEAT, "null", 0, check_timezone },
	{ "gracePeriodSeconds", MON_HEARTBEAT, "300", 0, check_grace },
	{ "slug", MON_HEARTBEAT, "null", 0, check_slug },
	{ NULL, 0, NULL, 0, NULL }
};

const struct jfield monitor_fields[] = {
	{ "name", 0 }, { "type", 0 }, { "intervalSeconds", 0 },
	{ "timeoutSeconds", 0 }, { "confirmations", 0 }, { "paused", 0 },
	{ "tags", 0 }, { "locations", 0 }, { "quorum", 0 },
	{ "recoveryConfirmations", 0 }, { "retryIntervalSeconds", 0 },
	{ "locationStates", 1 },
	{ "url", 0 }, { "method", 0 }, { "headers", 0 }, { "body", 0 },
	{ "expectedStatusCodes", 0 }, { "followRedirects", 0 },
	{ "verifyTls", 0 }, { "degradedAfterMs", 0 }, { "contentChecks", 0 },
	{ "sslExpiryWarningDays", 0 }, { "host", 0 }, { "port", 0 },
	{ "hostname", 0 }, { "recordType", 0 }, { "expectedValue", 0 },
	{ "schedule", 0 }, { "timezone", 0 }, { "gracePeriodSeconds", 0 },
	{ "slug", 0 },
	{ "id", 1 }, { "status", 1 }, { "lastCheckedAt", 1 },
	{ "nextCheckAt", 1 }, { "lastStatusChangeAt", 1 },
	{ "lastResponseTimeMs", 1 }, { "ssl", 1 }, { "createdAt", 1 },
	{ "updatedAt", 1 }, { "pingUrl", 1 }, { "lastPingAt", 1 },
	{ "lastValue", 1 },
	{ NULL, 0 }
};

static void
apply_tags(struct monitor *m, const cJSON *val, struct verrs *v)
{
	const cJSON	*t;
	long		 n;

	if (!cJSON_IsArray(val) || cJSON_GetArraySize(val) > MON_MAXTAGS) {
		verr_add(v, VERR_INVALID, "/tags", "must be a list of at most "
		    "20 tags");
		return;
	}
	cJSON_ArrayForEach(t, val)
		if (!cJSON_IsString(t) || (n = utf8_chars(t->valuestring)) < 1 ||
		    n > MON_MAXTAGLEN) {
			verr_add(v, VERR_INVALID, "/tags", "each tag must be a "
			    "string of 1 to 64 characters");
			return;
		}
	cJSON_Delete(m->tags);
	m->tags = cJSON_Duplicate(val, 1);
}

static void	apply_type_fields(struct monitor *, const cJSON *,
		    struct verrs *);
/*
 * locations: 1 to MON_MAXLOCATIONS of "local" and probe location ids,
 * each once; a heartbeat is judged here only.  Whether the ids name
 * locations of the team is the caller's to check (lib/location.h).
 */
static void
apply_locations(struct monitor *m, const cJSON *val, struct verrs *v)
{
	const cJSON	*l, *k;
	const char	*s;
	char		 ptr[32];
	int		 i = 0;

	if (!cJSON_IsArray(val) || cJSON_GetArraySize(val) < 1 ||
	    cJSON_GetArraySize(val) > MON_MAXLOCATIONS) {
		verr_add(v, VERR_INVALID, "/locations", "must be a list of 1 "
		    "to %d locations: \"local\" or location ids",
		    MON_MAXLOCATIONS);
		return;
	}
	cJSON_ArrayForEach(l, val) {
		snprintf(ptr, sizeof(ptr), "/locations/%d", i++);
		s = cJSON_GetStringValue(l);
		if (s == NULL || (strcmp(s, MON_LOCAL) != 0 &&
		    !id_valid(s, "loc"))) {
			verr_add(v, VERR_INVALID, ptr, "must be \"local\" or a "
			    "location id (loc_...)");
			return;
		}
		for (k = val->child; k != l; k = k->next)
			if (strcmp(k->valuestring, s) == 0) {
				verr_add(v, VERR_INVALID, ptr, "names %s twice",
				    s);
				return;
			}
	}
	cJSON_Delete(m->locations);
	m->locations = cJSON_Duplicate(val, 1);
}

int
monitor_states_clear(struct db *db, const char *id, int64_t now)
{
	int	 rc;

	if ((rc = db_exec_stmt(db_query(db, sqls[STMT_STATES_CLEAR], "t",
	    id))) != DB_OK)
		return rc;
	return db_exec_stmt(db_query(db, sqls[STMT_STATES_ENDED], "tI", id,
	    now));
}

long
monitor_quorum(const struct monitor *m, long offline)
{
	long	 n = cJSON_GetArraySize(m->locations) - offline, q;

	if (n < 1)
		n = 1;
	q = m->quorum > 0 ? m->quorum : n / 2 + 1;
	return q < n ? q : n;
}

int
monitor_checked_here(const struct monitor *m)
{
	const cJSON	*l;

	cJSON_ArrayForEach(l, m->locations)
		if (cJSON_IsString(l) && strcmp(l->valuestring, MON_LOCAL) == 0)
			return 1;
	return 0;
}

void
monitor_apply(struct monitor *m, const cJSON *body, int creating,
    struct verrs *v)
{
	const cJSON		*val;
	const char		*name, *type;
	long long		 n;
	int			 t;

	json_check_fields(body, monitor_fields, v);
	if (json_str(body, "name", 1, NAME_MAXCHARS, creating ? JREQ : 0, v,
	    &name, NULL) == 1)
		snprintf(m->name, sizeof(m->name), "%s", name);
	if (json_str(body, "type", 1, 16, 0, v, &type, NULL) == 1) {
		t = str_index(mon_type_names, MON_TYPE__MAX, type);
		if (t == -1)
			verr_add(v, VERR_INVALID, "/type", "must be one of http, "
			    "tcp, dns, heartbeat");
		else if (!creating && t != (int)m->type)
			verr_add(v, VERR_INVALID, "/type", "cannot change; "
			    "create a new monitor instead");
		else
			m->type = (enum mon_type)t;
	}
	if (json_int(body, "intervalSeconds", 30, 86400, 0, v, &n, NULL) == 1)
		m->interval_s = (long)n;
	if (json_int(body, "timeoutSeconds", 1, 60, 0, v, &n, NULL) == 1)
		m->timeout_s = (long)n;
	if (json_int(body, "confirmations", 1, 10, 0, v, &n, NULL) == 1)
		m->confirmations = (long)n;
	if (json_bool(body, "paused", 0, v, &t) == 1)
		m->paused = t;
	if ((val = cJSON_GetObjectItemCaseSensitive(body, "tags")) != NULL)
		apply_tags(m, val, v);
	if ((val = cJSON_GetObjectItemCaseSensitive(body, "locations")) !=
	    NULL)
		apply_locations(m, val, v);
	if (json_int(body, "quorum", 1, MON_MAXLOCATIONS, JNULL, v, &n,
	    &t) == 1)
		m->quorum = (long)n;
	else if (t && cJSON_GetObjectItemCaseSensitive(body, "quorum"))
		m->quorum = 0;
	if (json_int(body, "recoveryConfirmations", 1, 10, 0, v, &n,
	    NULL) == 1)
		m->recovery = (long)n;
	if (json_int(body, "retryIntervalSeconds", 10, 86400, JNULL, v, &n,
	    &t) == 1)
		m->retry_s = (long)n;
	else if (t && cJSON_GetObjectItemCaseSensitive(body,
	    "retryIntervalSeconds"))
		m->retry_s = 0;
	if (m->quorum > cJSON_GetArraySize(m->locations))
		verr_add(v, VERR_INVALID, "/quorum", "must be at most the "
		    "number of locations (%d)", cJSON_GetArraySize(
		    m->locations));
	if (m->retry_s > m->interval_s)
		verr_add(v, VERR_INVALID, "/retryIntervalSeconds", "must not "
		    "be longer than intervalSeconds");
	apply_type_fields(m, body, v);
	if (m->type == MON_HEARTBEAT && (cJSON_GetArraySize(m->locations) != 1 ||
	    !monitor_checked_here(m)))
		verr_add(v, VERR_INVALID, "/locations", "a heartbeat is judged "
		    "on this host only: [\"local\"]");
	if (m->type == MON_HEARTBEAT)
		heartbeat_apply(m, body, v);
	else if (m->timeout_s > m->interval_s)
		verr_add(v, VERR_INVALID, "/timeoutSeconds", "must not be "
		    "longer than intervalSeconds");
}

/* The members of body that belong to m's type, into m->config. */
static void
apply_type_fields(struct monitor *m, const cJSON *body, struct verrs *v)
{
	const struct tfield	*f;
	const cJSON		*val;
	cJSON			*norm;
	char			 ptr[64];

	for (f = tfields; f->name != NULL; f++) {
		snprintf(ptr, sizeof(ptr), "/%s", f->name);
		val = cJSON_GetObjectItemCaseSensitive(body, f->name);
		if (f->type != m->type) {
			if (val != NULL)
				verr_add(v, VERR_UNKNOWN, ptr, "not a field of "
				    "%s monitors", mon_type_names[m->type]);
			continue;
		}
		if (val == NULL) {
			if (cJSON_GetObjectItemCaseSensitive(m->config,
			    f->name) != NULL)
				continue;
			if (f->required)
				verr_add(v, VERR_INVALID, ptr, "required for "
				    "%s monitors", mon_type_names[m->type]);
			else
				cJSON_AddItemToObject(m->config, f->name,
				    cJSON_Parse(f->def));
			continue;
		}
		if ((norm = f->check(val, ptr, v)) == NULL)
			continue;
		if (cJSON_GetObjectItemCaseSensitive(m->config, f->name))
			cJSON_ReplaceItemInObjectCaseSensitive(m->config,
			    f->name, norm);
		else
			cJSON_AddItemToObject(m->config, f->name, norm);
	}
}

/*
 * The members of a one-off check: a monitor's target part.  A field of
 * another type is refused by apply_type_fields (the heartbeat's too, as
 * the type cannot be heartbeat); sslExpiryWarningDays, which warns of
 * what a later check finds, is unknown here.
 */
static const struct jfield check_fields[] = {
	{ "type", 0 }, { "timeoutSeconds", 0 },
	{ "url", 0 }, { "method", 0 }, { "headers", 0 }, { "body", 0 },
	{ "expectedStatusCodes", 0 }, { "followRedirects", 0 },
	{ "verifyTls", 0 }, { "degradedAfterMs", 0 }, { "contentChecks", 0 },
	{ "host", 0 }, { "port", 0 },
	{ "hostname", 0 }, { "recordType", 0 }, { "expectedValue", 0 },
	{ "schedule", 0 }, { "timezone", 0 }, { "gracePeriodSeconds", 0 },
	{ NULL, 0 }
};

void
monitor_apply_check(struct monitor *m, const cJSON *body, struct verrs *v)
{
	const char	*type;
	long long	 n;
	int		 t;

	json_check_fields(body, check_fields, v);
	if (json_str(body, "type", 1, 16, 0, v, &type, NULL) == 1) {
		t = str_index(mon_type_names, MON_TYPE__MAX, type);
		if (t == -1 || t == MON_HEARTBEAT)
			verr_add(v, VERR_INVALID, "/type", "must be one of http, "
			    "tcp, dns (a heartbeat has nothing to check)");
		else
			m->type = (enum mon_type)t;
	}
	if (json_int(body, "timeoutSeconds", 1, 60, 0, v, &n, NULL) == 1)
		m->timeout_s = (long)n;
	apply_type_fields(m, body, v);
}

/* ---- JSON ---- */

cJSON *
monitor_json(const struct monitor *m)
{
	struct buf	 b = { NULL, 0, 0 };
	struct jw	 w;
	cJSON		*o;

	jw_start(&w, &b);
	monitor_write(&w, m);
	o = jw_failed(&w) ? NULL : cJSON_ParseWithLength(b.p, b.len);
	buf_free(&b);
	return o;
}

void
monitor_write(struct jw *w, const struct monitor *m)
{
	const char	*url;

	jw_obj(w, NULL);
	jw_str(w, "id", m->id);
	jw_str(w, "name", m->name);
	jw_str(w, "type", mon_type_names[m->type]);
	/* A heartbeat on a schedule has no interval. */
	if (m->type == MON_HEARTBEAT && cJSON_IsString(cJSON_GetObjectItem(
	    m->config, "schedule")))
		jw_null(w, "intervalSeconds");
	else
		jw_int(w, "intervalSeconds", m->interval_s);
	jw_int(w, "timeoutSeconds", m->timeout_s);
	jw_int(w, "confirmations", m->confirmations);
	jw_bool(w, "paused", m->paused);
	jw_cjson(w, "tags", m->tags);
	jw_cjson(w, "locations", m->locations);
	if (m->quorum > 0)
		jw_int(w, "quorum", m->quorum);
	else
		jw_null(w, "quorum");
	jw_int(w, "recoveryConfirmations", m->recovery);
	if (m->retry_s > 0)
		jw_int(w, "retryIntervalSeconds", m->retry_s);
	else
		jw_null(w, "retryIntervalSeconds");
	if (m->loc_states != NULL)
		jw_cjson(w, "locationStates", m->loc_states);
	else {
		jw_arr(w, "locationStates");
		jw_end(w);
	}
	jw_members(w, m->config);
	jw_str(w, "status", mon_status_names[
	    m->in_maintenance ? MST_MAINTENANCE : m->status]);
	jw_time(w, "lastCheckedAt", m->last_checked_at);
	/* This host's schedule: none when it does not check the monitor. */
	jw_time(w, "nextCheckAt", m->paused || !monitor_checked_here(m) ? 0 :
	    m->next_check_at);
	jw_time(w, "lastStatusChangeAt", m->last_change_at);
	if (m->last_response_ms >= 0)
		jw_int(w, "lastResponseTimeMs", m->last_response_ms);
	else
		jw_null(w, "lastResponseTimeMs");
	url = cJSON_GetStringValue(cJSON_GetObjectItem(m->config, "url"));
	if (m->type == MON_HTTP && url != NULL &&
	    strncasecmp(url, "https:", 6) == 0 && m->ssl_status[0] != '\0') {
		jw_obj(w, "ssl");
		jw_time(w, "expiresAt", m->ssl_expires_at);
		jw_str_or_null(w, "issuer", m->ssl_issuer);
		jw_str(w, "status", m->ssl_status);
		jw_end(w);
	} else if (m->type == MON_HTTP)
		jw_null(w, "ssl");
	if (m->type == MON_DNS) {
		if (m->last_value != NULL)
			jw_cjson(w, "lastValue", m->last_value);
		else
			jw_null(w, "lastValue");
	}
	if (m->type == MON_HEARTBEAT) {
		char	 ping[sizeof(cfg.public_url) + MON_PINGTOKEN_MAX + 16];

		snprintf(ping, sizeof(ping), "%s/v1/ping/%s", cfg.public_url,
		    m->ping_token);
		jw_str(w, "pingUrl", ping);
		jw_time(w, "lastPingAt", m->last_ping_at);
		/* Saved before heartbeats had slugs: none. */
		if (cJSON_GetObjectItemCaseSensitive(m->config, "slug") == NULL)
			jw_null(w, "slug");
	}
	jw_time(w, "createdAt", m->created_at);
	jw_time(w, "updatedAt", m->updated_at);
	jw_end(w);
}

/* ---- SQL ---- */

static int
row(struct db_stmt *st, struct monitor *m)
{
	char	 s[32];
	int	 i;

	memset(m, 0, sizeof(*m));
	db_col_text(st, 0, m->id, sizeof(m->id));
	db_col_text(st, 1, m->team_id, sizeof(m->team_id));
	db_col_text(st, 2, m->name, sizeof(m->name));
	db_col_text(st, 3, s, sizeof(s));
	i = str_index(mon_type_names, MON_TYPE__MAX, s);
	m->type = i == -1 ? MON_HTTP : (enum mon_type)i;
	m->interval_s = db_col_int(st, 4);
	m->timeout_s = db_col_int(st, 5);
	m->confirmations = db_col_int(st, 6);
	m->paused = db_col_int(st, 7);
	m->tags = cJSON_Parse(db_col_str(st, 8));
	m->config = cJSON_Parse(db_col_str(st, 9));
	db_col_text(st, 10, s, sizeof(s));
	i = str_index(mon_status_names, MST__MAX, s);
	m->status = i == -1 ? MST_PENDING : (enum mon_status)i;
	m->fails = db_col_int(st, 11);
	m->last_checked_at = db_col_int64(st, 12);
	m->next_check_at = db_col_int64(st, 13);
	m->last_change_at = db_col_int64(st, 14);
	m->last_response_ms = db_col_null(st, 15) ? -1 :
	    db_col_int(st, 15);
	m->ssl_expires_at = db_col_int64(st, 16);
	db_col_text(st, 17, m->ssl_issuer, sizeof(m->ssl_issuer));
	db_col_text(st, 18, m->ssl_status, sizeof(m->ssl_status));
	m->ssl_warned_at = db_col_int64(st, 19);
	m->created_at = db_col_int64(st, 20);
	m->updated_at = db_col_int64(st, 21);
	db_col_text(st, 22, m->ping_token, sizeof(m->ping_token));
	m->last_ping_at = db_col_int64(st, 23);
	m->run_started_at = db_col_int64(st, 24);
	m->ping_expected_at = db_col_int64(st, 25);
	m->ping_window = db_col_int64(st, 26);
	m->ping_count = db_col_int(st, 27);
	if (!db_col_null(st, 28))
		m->last_value = cJSON_Parse(db_col_str(st, 28));
	db_col_text(st, 29, m->ref, sizeof(m->ref));
	m->locations = cJSON_Parse(db_col_str(st, 30));
	m->quorum = db_col_int(st, 31);		/* NULL: 0 */
	m->recovery = db_col_int(st, 32);
	m->retry_s = db_col_int(st, 33);
	if (db_col_count(st) > 34 && strcmp(db_col_name(st,
	    34), "loc_states") == 0 && !db_col_null(st, 34))
		m->loc_states = cJSON_Parse(db_col_str(st, 34));
	i = db_col_count(st) - 1;
	m->in_maintenance = strcmp(db_col_name(st, i),
	    "in_maintenance") == 0 && db_col_int(st, i);
	if (m->tags == NULL || m->config == NULL || m->locations == NULL) {
		monitor_free(m);
		return -1;
	}
	return 0;
}

static int
bind_state(struct db_stmt *st, const struct monitor *m, int base)
{
	db_bind_text(st, base, mon_status_names[m->status]);
	db_bind_int(st, base + 1, (int)m->fails);
	db_bind_time(st, base + 2, m->last_checked_at);
	db_bind_int64(st, base + 3, m->next_check_at);
	db_bind_time(st, base + 4, m->last_change_at);
	if (m->last_response_ms >= 0)
		db_bind_int64(st, base + 5, m->last_response_ms);
	db_bind_time(st, base + 6, m->ssl_expires_at);
	db_bind_text(st, base + 7, m->ssl_issuer[0] ? m->ssl_issuer : NULL);
	db_bind_text(st, base + 8, m->ssl_status[0] ? m->ssl_status : NULL);
	db_bind_time(st, base + 9, m->ssl_warned_at);
	return 0;
}

int
monitor_insert(struct db *db, struct monitor *m)
{
	struct db_stmt	*st;
	int		 rc;

	if (m->ref[0] == '\0' && (rc = ref_default(db, sqls[STMT_REF_TAKEN],
	    m->team_id, m->name, "monitor", m->ref)) != DB_OK)
		return rc;
	id_new(m->id, "mon");
	if (m->type == MON_HEARTBEAT && m->ping_token[0] == '\0')
		heartbeat_token(m->ping_token);
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	db_bind_text(st, 2, m->team_id);
	db_bind_text(st, 3, m->name);
	db_bind_text(st, 4, mon_type_names[m->type]);
	db_bind_int(st, 5, (int)m->interval_s);
	db_bind_int(st, 6, (int)m->timeout_s);
	db_bind_int(st, 7, (int)m->confirmations);
	db_bind_int(st, 8, m->paused);
	if (db_bind_json(st, 9, m->tags) == -1 ||
	    db_bind_json(st, 10, m->config) == -1)
		return DB_ERROR;
	bind_state(st, m, 11);
	db_bind_int64(st, 21, m->created_at);
	db_bind_int64(st, 22, m->updated_at);
	db_bind_text(st, 23, m->ping_token[0] ? m->ping_token : NULL);
	db_bind_time(st, 24, m->last_ping_at);
	db_bind_time(st, 25, m->run_started_at);
	db_bind_time(st, 26, m->ping_expected_at);
	db_bind_int64(st, 27, m->ping_window);
	db_bind_int64(st, 28, m->ping_count);
	if (m->last_value != NULL && db_bind_json(st, 29, m->last_value) == -1)
		return DB_ERROR;
	db_bind_text(st, 30, m->ref);
	if (db_bind_json(st, 31, m->locations) == -1)
		return DB_ERROR;
	db_bind_opt(st, 32, m->quorum > 0 ? m->quorum : -1);
	db_bind_int(st, 33, (int)m->recovery);
	db_bind_opt(st, 34, m->retry_s > 0 ? m->retry_s : -1);
	return db_exec_stmt(st);
}

int
monitor_create(struct db *db, struct monitor *m, int64_t now)
{
	if (m->paused)
		m->status = MST_PAUSED;
	/* A heartbeat's first ping is expected one period from now. */
	if (m->type == MON_HEARTBEAT && heartbeat_restart(m, now) == -1)
		return DB_ERROR;
	return monitor_insert(db, m);
}

/* The text of what m's checks depend on (its config but the slug, a
 * name), to tell a change that makes the next check due; free it. */
static char *
check_text(const struct monitor *m)
{
	cJSON	*c = cJSON_Duplicate(m->config, 1);
	char	*s;

	cJSON_DeleteItemFromObjectCaseSensitive(c, "slug");
	s = c != NULL ? cJSON_PrintUnformatted(c) : NULL;
	cJSON_Delete(c);
	return s;
}

/* A DNS monitor's question, "hostname TYPE" ("" for another type). */
static void
dns_question(const struct monitor *m, char *out, size_t outlen)
{
	const char	*h, *t;

	h = cJSON_GetStringValue(cJSON_GetObjectItem(m->config, "hostname"));
	t = cJSON_GetStringValue(cJSON_GetObjectItem(m->config,
	    "recordType"));
	snprintf(out, outlen, "%s %s", m->type == MON_DNS && h != NULL ? h :
	    "", m->type == MON_DNS && t != NULL ? t : "");
}

int
monitor_patch(struct db *db, struct monitor *m, const cJSON *body,
    int64_t now, struct verrs *v)
{
	char	*before, *after;
	char	 q_before[MON_MAXHOST + 16], q_after[MON_MAXHOST + 16];
	long	 interval = m->interval_s, timeout = m->timeout_s;
	int	 was_paused = m->paused, rc = DB_ERROR;

	dns_question(m, q_before, sizeof(q_before));
	before = check_text(m);
	monitor_apply(m, body, 0, v);
	/* Another question has other answers: none to compare with. */
	dns_question(m, q_after, sizeof(q_after));
	if (strcmp(q_before, q_after) != 0) {
		cJSON_Delete(m->last_value);
		m->last_value = NULL;
	}
	after = check_text(m);
	if (v->n > 0 || before == NULL || after == NULL) {
		rc = v->n > 0 ? DB_OK : DB_ERROR;
		goto out;
	}
	m->updated_at = now;
	/* A changed check is due at once; a rename is not. */
	if (strcmp(before, after) != 0 || interval != m->interval_s ||
	    timeout != m->timeout_s)
		m->next_check_at = now;
	if (m->paused != was_paused) {
		m->status = m->paused ? MST_PAUSED : MST_PENDING;
		m->fails = 0;
		m->last_change_at = m->next_check_at = now;
		if (m->paused && (rc = outage_close(db, m->id, now, NULL)) !=
		    DB_OK)
			goto out;
	}
	/* A heartbeat is never probed: where another monitor becomes due
	 * now, its clock starts again (the next ping a period on). */
	if (m->type == MON_HEARTBEAT && m->next_check_at == now &&
	    heartbeat_restart(m, now) == -1) {
		rc = DB_ERROR;
		goto out;
	}
	rc = monitor_update(db, m);
out:
	free(before);
	free(after);
	return rc;
}

int
monitor_update(struct db *db, struct monitor *m)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_UPDATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->team_id);
	db_bind_text(st, 2, m->id);
	db_bind_text(st, 3, m->name);
	db_bind_int(st, 4, (int)m->interval_s);
	db_bind_int(st, 5, (int)m->timeout_s);
	db_bind_int(st, 6, (int)m->confirmations);
	db_bind_int(st, 7, m->paused);
	if (db_bind_json(st, 8, m->tags) == -1 ||
	    db_bind_json(st, 9, m->config) == -1)
		return DB_ERROR;
	bind_state(st, m, 10);
	db_bind_int64(st, 20, m->updated_at);
	db_bind_time(st, 21, m->run_started_at);
	db_bind_time(st, 22, m->ping_expected_at);
	if (m->last_value != NULL && db_bind_json(st, 23, m->last_value) == -1)
		return DB_ERROR;
	if (db_bind_json(st, 24, m->locations) == -1)
		return DB_ERROR;
	db_bind_opt(st, 25, m->quorum > 0 ? m->quorum : -1);
	db_bind_int(st, 26, (int)m->recovery);
	db_bind_opt(st, 27, m->retry_s > 0 ? m->retry_s : -1);
	rc = db_exec_stmt(st);
	if (rc == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	return rc;
}

int
monitor_delete(struct db *db, const char *team, const char *id)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_DELETE], team, id)) == NULL)
		return DB_ERROR;
	return db_exec_one(st);
}

/* The one monitor a bound statement finds; DB_OK or DB_NOTFOUND. */
static int
one(struct db_stmt *st, struct monitor *m)
{
	int	 rc;

	if ((rc = db_step(st)) == DB_ROW)
		rc = row(st, m) == 0 ? DB_OK : DB_ERROR;
	else
		rc = rc == DB_DONE ? DB_NOTFOUND : db_rc(rc);
	db_reset(st);
	return rc;
}

/*
 * On PostgreSQL, bind parameter i of st to what uptime_in_maintenance()
 * answers on SQLite: the ids of the team's unpaused monitors (only id
 * when not NULL) that a maintenance window covers now, as a JSON array.
 * maint_at is asked only when the team has a window not finished by now
 * ('now' a second early, as IN_MAINT).  Nothing to do on SQLite.  DB_*
 * code.
 */
static int
maint_bind(struct db *db, struct db_stmt *st, int i, const char *team,
    const char *id)
{
	struct maint_effect	 e;
	struct db_stmt		*q;
	cJSON			*ids;
	char			 mid[ID_MAX], *text = NULL;
	int64_t			 now = time_now_ms();
	int			 rc;

	if (db_engine(db) != DB_POSTGRES)
		return DB_OK;
	if ((ids = cJSON_CreateArray()) == NULL)
		return DB_ERROR;
	rc = DB_ERROR;
	if ((q = db_query(db, sqls[STMT_MAINT_LIVE], "tI", team,
	    (now / 1000 - 1) * 1000)) == NULL)
		goto out;
	rc = db_step(q);
	db_reset(q);
	if (rc == DB_ROW) {
		rc = DB_ERROR;
		if ((q = db_query(db, sqls[STMT_MAINT_CANDIDATES], "tt", team,
		    id)) == NULL)
			goto out;
		while ((rc = db_step(q)) == DB_ROW) {
			db_col_text(q, 0, mid, sizeof(mid));
			if ((rc = maint_at(db, team, mid, now, &e)) != DB_OK)
				break;
			if (e.active)
				cJSON_AddItemToArray(ids,
				    cJSON_CreateString(mid));
		}
		db_reset(q);
	}
	if ((rc = db_rc(rc)) != DB_OK)
		goto out;
	if ((text = cJSON_PrintUnformatted(ids)) == NULL)
		rc = DB_ERROR;
	else
		db_bind_text(st, i, text);
out:
	free(text);
	cJSON_Delete(ids);
	return rc;
}

int
monitor_get(struct db *db, const char *team, const char *id,
    struct monitor *m)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt_ids(db, db_sqlv(db, sqls, pg_sqls, STMT_GET), team,
	    id)) == NULL)
		return DB_ERROR;
	if ((rc = maint_bind(db, st, 3, team, id)) != DB_OK)
		return rc;
	return one(st, m);
}

int
monitor_by_token(struct db *db, const char *token, struct monitor *m)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_BY_TOKEN])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, token);
	return one(st, m);
}

int
monitor_by_slug(struct db *db, const char *team, const char *slug,
    struct monitor *m)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, db_sqlv(db, sqls, pg_sqls, STMT_BY_SLUG))) ==
	    NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	db_bind_text(st, 2, slug);
	return one(st, m);
}

int
monitor_set_paused(struct db *db, struct monitor *m, int paused, int64_t now)
{
	struct db_stmt	*st;

	if (m->paused == paused)
		return DB_OK;
	m->paused = paused;
	m->status = paused ? MST_PAUSED : MST_PENDING;
	m->fails = 0;
	m->next_check_at = now;
	m->updated_at = m->last_change_at = now;
	/* A resumed heartbeat expects its first ping a period on. */
	if (!paused && m->type == MON_HEARTBEAT &&
	    heartbeat_restart(m, now) == -1)
		return DB_ERROR;
	if (paused && outage_close(db, m->id, now, NULL) != DB_OK)
		return DB_ERROR;
	if (monitor_states_clear(db, m->id, now) != DB_OK)
		return DB_ERROR;
	if ((st = db_stmt(db, sqls[STMT_PAUSE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->team_id);
	db_bind_text(st, 2, m->id);
	db_bind_int(st, 3, paused);
	db_bind_text(st, 4, mon_status_names[m->status]);
	db_bind_int64(st, 5, m->next_check_at);
	db_bind_int64(st, 6, now);
	db_bind_int64(st, 7, now);
	db_bind_time(st, 8, m->run_started_at);
	db_bind_time(st, 9, m->ping_expected_at);
	return db_exec_stmt(st);
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	struct monitor	 m;
	struct jw	*w;
	int		 rc = 0;

	if (row(st, &m) == -1)
		return -1;
	if (l->visit != NULL)
		rc = page_visit(l, &m, m.created_at, m.id);
	else if ((w = page_item(l, m.created_at, m.id)) != NULL)
		monitor_write(w, &m);
	monitor_free(&m);
	return rc;
}

int
monitor_list(struct db *db, const char *team, const struct monitor_filter *f,
    struct lister *l)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_query(db, db_sqlv(db, sqls, pg_sqls, STMT_LIST), "tttt",
	    team, f->type >= 0 ? mon_type_names[f->type] : NULL,
	    f->status >= 0 ? mon_status_names[f->status] : NULL,
	    f->tag)) == NULL)
		return DB_ERROR;
	if ((rc = maint_bind(db, st, 9, team, NULL)) != DB_OK)
		return rc;
	return page_rows(db, st, 5, l, list_row);
}

int
monitor_counts(struct db *db, const char *team, long counts[MST__MAX])
{
	struct db_stmt	*st;
	int		 rc, i;

	memset(counts, 0, sizeof(long) * MST__MAX);
	if ((st = db_stmt(db, db_sqlv(db, sqls, pg_sqls, STMT_COUNTS))) ==
	    NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	if ((rc = maint_bind(db, st, 2, team, NULL)) != DB_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW)
		if ((i = str_index(mon_status_names, MST__MAX,
		    db_col_str(st, 0))) != -1)
			counts[i] = db_col_int(st, 1);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}

enum health
monitor_health(enum mon_status s)
{
	switch (s) {
	case MST_UP:
		return HEALTH_OPERATIONAL;
	case MST_DEGRADED:
		return HEALTH_DEGRADED;
	case MST_DOWN:
		return HEALTH_MAJOR;
	case MST_MAINTENANCE:
		return HEALTH_MAINTENANCE;
	default:
		return HEALTH_UNKNOWN;
	}
}

enum health
health_overall(const long counts[HEALTH__MAX])
{
	enum health	 worst = HEALTH_UNKNOWN;
	long		 known = 0;
	int		 i;

	for (i = HEALTH_UNKNOWN + 1; i < HEALTH__MAX; i++) {
		known += counts[i];
		if (counts[i] > 0 && i != HEALTH_MAJOR)
			worst = (enum health)i;
	}
	if (counts[HEALTH_MAJOR] > 0)
		return counts[HEALTH_MAJOR] == known ? HEALTH_MAJOR :
		    HEALTH_PARTIAL;
	return worst;
}

/* Each (id, team, due) row of st to fn, for the two look aheads. */
static int
due_rows(struct db_stmt *st,
    int (*fn)(const char *, const char *, int64_t, void *), void *arg)
{
	char	 id[ID_MAX], team[ID_MAX];
	int	 rc;

	while ((rc = db_step(st)) == DB_ROW) {
		db_col_text(st, 0, id, sizeof(id));
		db_col_text(st, 1, team, sizeof(team));
		if (fn(id, team, db_col_int64(st, 2), arg) == -1) {
			db_reset(st);
			return DB_ERROR;
		}
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}

int
monitor_due_soon(struct db *db, int64_t until, size_t max,
    int (*fn)(const char *, const char *, int64_t, void *), void *arg)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, db_sqlv(db, sqls, pg_sqls, STMT_DUE))) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, until);
	db_bind_int64(st, 2, (int64_t)max);
	return due_rows(st, fn, arg);
}

/*
 * PostgreSQL only: SQLite has one checker per host (monitor.h).  The
 * lease runs from the due time or now, whichever is later: a check
 * claimed late (a dead node's, taken over) gets a whole lease too, and
 * each look of the holder moves it on while the result is not written.
 */
static const char sql_claim_due[] =
    "WITH due AS (SELECT id FROM monitors WHERE paused = 0 "
    "AND next_check_at <= ?3 AND strpos(locations, '\"local\"') > 0 "
    "AND (lease_node = ?1 OR lease_until IS NULL OR lease_until < ?4) "
    "ORDER BY next_check_at LIMIT ?5 FOR UPDATE SKIP LOCKED) "
    "UPDATE monitors m SET lease_node = ?1, lease_until = "
    "greatest(m.next_check_at, ?4) + m.timeout_s * 1000 + ?2 FROM due "
    "WHERE m.id = due.id RETURNING m.id, m.team_id, m.next_check_at";
/* The lease is node's and runs at ?3: no other node may claim it. */
static const char sql_lease_live[] =
    "SELECT 1 FROM monitors WHERE id = ?1 AND lease_node = ?2 "
    "AND lease_until >= ?3";
/* The lease is still node's, lapsed or not: no other node claimed the
 * check since; the row stays locked, so none can until the end of the
 * transaction. */
static const char sql_lease_kept[] =
    "SELECT 1 FROM monitors WHERE id = ?1 AND lease_node = ?2 FOR UPDATE";

int
monitor_claim_due(struct db *db, const char *node, int64_t now,
    int64_t until, int64_t margin_ms, size_t max,
    int (*fn)(const char *, const char *, int64_t, void *), void *arg)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sql_claim_due, "tIIIi", node, margin_ms,
	    until, now, (int)max)) == NULL)
		return DB_ERROR;
	return due_rows(st, fn, arg);
}

/* A row of sql_lease_live or sql_lease_kept: nothing to read. */
static void
lease_row(struct db_stmt *st, void *out)
{
	(void)st;
	(void)out;
}

int
monitor_lease_live(struct db *db, const char *node, const char *id,
    int64_t now)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sql_lease_live, "ttI", id, node, now)) == NULL)
		return DB_ERROR;
	return db_step_one(st, lease_row, NULL);
}

int
monitor_lease_kept(struct db *db, const char *node, const char *id)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sql_lease_kept, "tt", id, node)) == NULL)
		return DB_ERROR;
	return db_step_one(st, lease_row, NULL);
}
