/*
 * Probe locations: the struct, its JSON, its token, the monitors' links,
 * leases and reports, and all of their SQL.  See location.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "keyhash.h"
#include "location.h"
#include "maintenance.h"
#include "monitor.h"
#include "page.h"
#include "timefmt.h"

#define HASH_DOMAIN	"location"
#define DEFAULT_INTERVAL_S 60	/* for the offline rule, without monitors */

const char *const loc_status_names[LOC_STATUS__MAX] = {
	"online", "offline"
};

const char *const loc_refusal_names[LOC_REFUSAL__MAX] = {
	"taken", "no_lease", "lease_used", "outside_lease"
};

/* The shortest interval of a location's unpaused monitors, or NULL. */
#define MIN_INTERVAL "(SELECT min(m.interval_s) FROM monitor_locations " \
	"ml JOIN monitors m ON m.id = ml.monitor_id " \
	"WHERE ml.location_id = locations.id AND m.paused = 0)"
/* The last column: the shortest interval. */
#define COLS "id, team_id, name, region, token_prefix, last_seen_at, " \
	"created_at, updated_at, " MIN_INTERVAL

/* A monitor's open lease: not reported, not expired. */
#define OPEN_LEASE "EXISTS (SELECT 1 FROM probe_leases l WHERE " \
	"l.location_id = ml.location_id AND l.monitor_id = ml.monitor_id " \
	"AND l.reported_at IS NULL AND l.expires_at > ?3)"
/* The location's checks: its team's unpaused monitors naming it. */
#define DUE_FROM "FROM monitor_locations ml JOIN monitors m ON " \
	"m.id = ml.monitor_id WHERE ml.location_id = ?1 AND " \
	"m.team_id = ?2 AND m.paused = 0 AND m.type <> 'heartbeat' AND " \
	"NOT " OPEN_LEASE

enum stmt {
	STMT_INSERT,
	STMT_UPDATE,
	STMT_SET_TOKEN,
	STMT_GET,
	STMT_BY_HASH,
	STMT_LIST,
	STMT_USING,
	STMT_DELETE,
	STMT_SEEN,
	STMT_LOCAL,
	STMT_EXISTS,
	STMT_LINKS_DROP,
	STMT_STATES_DROP,
	STMT_DOWN_END,
	STMT_LINK_ADD,
	STMT_DUE,
	STMT_NEXT_DUE,
	STMT_PLAN,
	STMT_LEASE_PRUNE,
	STMT_LEASE_ADD,
	STMT_LEASE_GET,
	STMT_LEASE_DONE,
	STMT_BACK,
	STMT_SILENT,
	STMT_GONE,
	STMT_EVENT,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO locations (id, team_id, name, region, token_hash, "
	"token_prefix, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_UPDATE */
	"UPDATE locations SET name = ?3, region = ?4, updated_at = ?5 "
	"WHERE team_id = ?1 AND id = ?2",
	/* STMT_SET_TOKEN */
	"UPDATE locations SET token_hash = ?3, token_prefix = ?4, "
	"updated_at = ?5 WHERE team_id = ?1 AND id = ?2",
	/* STMT_GET */
	"SELECT " COLS " FROM locations WHERE team_id = ? AND id = ?",
	/* STMT_BY_HASH */
	"SELECT " COLS " FROM locations WHERE token_hash = ?",
	/* STMT_LIST */
	"SELECT " COLS " FROM locations WHERE team_id = ?1"
	" AND (?2 = 0 OR (created_at, id) < (?3, ?4))"
	" ORDER BY created_at DESC, id DESC LIMIT ?5",
	/* STMT_USING: the monitors naming it. */
	"SELECT count(*) FROM monitor_locations WHERE location_id = ?",
	/* STMT_DELETE */
	"DELETE FROM locations WHERE team_id = ? AND id = ?",
	/* STMT_SEEN: a new location is online from its first visit. */
	"UPDATE locations SET last_seen_at = ?2, health = 'online' "
	"WHERE id = ?1",
	/* STMT_LOCAL: this host's checker's last figures or its last
	 * scheduled result, the later (--once writes no figures). */
	"SELECT max(t) FROM (SELECT coalesce((SELECT updated_at "
	"FROM checker_state WHERE id = 1), 0) AS t UNION ALL "
	"SELECT coalesce((SELECT checked_at FROM check_results "
	"WHERE location IS NULL AND due_at IS NOT NULL "
	"ORDER BY checked_at DESC LIMIT 1), 0)) AS x",
	/* STMT_EXISTS */
	"SELECT 1 FROM locations WHERE team_id = ? AND id = ?",
	/* STMT_LINKS_DROP: the rows of the locations it no longer names
	 * (?2: its locations as a JSON array). */
	"DELETE FROM monitor_locations WHERE monitor_id = ?1 AND "
	"location_id NOT IN (SELECT value FROM json_each(?2))",
	/* STMT_STATES_DROP: their own states of the monitor ("local"
	 * included), */
	"DELETE FROM monitor_location_state WHERE monitor_id = ?1 AND "
	"location NOT IN (SELECT value FROM json_each(?2))",
	/* STMT_DOWN_END: and their open down periods, ended at ?3. */
	"UPDATE location_outages SET ended_at = CASE WHEN started_at > ?3 "
	"THEN started_at ELSE ?3 END WHERE monitor_id = ?1 AND "
	"ended_at IS NULL AND location NOT IN (SELECT value FROM "
	"json_each(?2))",
	/* STMT_LINK_ADD: a location added is due at once. */
	"INSERT INTO monitor_locations (monitor_id, location_id, "
	"next_check_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
	/* STMT_DUE */
	"SELECT ml.monitor_id, ml.next_check_at " DUE_FROM
	" AND ml.next_check_at <= ?3 ORDER BY ml.next_check_at LIMIT ?4",
	/* STMT_NEXT_DUE */
	"SELECT min(ml.next_check_at) " DUE_FROM,
	/* STMT_PLAN: the next check, unless planned already. */
	"UPDATE monitor_locations SET next_check_at = ?4 WHERE "
	"monitor_id = ?1 AND location_id = ?2 AND next_check_at = ?3",
	/* STMT_LEASE_PRUNE */
	"DELETE FROM probe_leases WHERE location_id = ? AND leased_at < ?",
	/* STMT_LEASE_ADD */
	"INSERT INTO probe_leases (id, location_id, monitor_id, due_at, "
	"leased_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
	/* STMT_LEASE_GET */
	"SELECT monitor_id, due_at, leased_at, expires_at, reported_at "
	"FROM probe_leases WHERE id = ? AND location_id = ?",
	/* STMT_LEASE_DONE */
	"UPDATE probe_leases SET reported_at = ?2 WHERE id = ?1",
	/* STMT_BACK: offline until now; changes no row otherwise. */
	"UPDATE locations SET health = 'online' WHERE id = ?1 AND "
	"health = 'offline'",
	/* STMT_SILENT: online, and not seen for the offline rule's time
	 * (?2 intervals of its shortest, ?3 s without monitors) by ?1. */
	"SELECT id, team_id, last_seen_at FROM locations WHERE "
	"health = 'online' AND last_seen_at < ?1 - ?2 * 1000 * "
	"coalesce(" MIN_INTERVAL ", ?3) ORDER BY last_seen_at LIMIT ?4",
	/* STMT_GONE: still online and still not seen since ?2. */
	"UPDATE locations SET health = 'offline' WHERE id = ?1 AND "
	"health = 'online' AND last_seen_at = ?2",
	/* STMT_EVENT */
	"INSERT INTO location_events (location_id, team_id, kind, at, "
	"last_seen_at) VALUES (?, ?, ?, ?, ?)",
};

/* PostgreSQL's own text where the dialects differ (NULL: sqls[i]). */
static const char *const pg_sqls[STMT__MAX] = {
	[STMT_LINKS_DROP] =
	"DELETE FROM monitor_locations WHERE monitor_id = ?1 AND "
	"location_id NOT IN (SELECT jsonb_array_elements_text(?2::jsonb))",
	[STMT_STATES_DROP] =
	"DELETE FROM monitor_location_state WHERE monitor_id = ?1 AND "
	"location NOT IN (SELECT jsonb_array_elements_text(?2::jsonb))",
	[STMT_DOWN_END] =
	"UPDATE location_outages SET ended_at = CASE WHEN started_at > ?3 "
	"THEN started_at ELSE ?3 END WHERE monitor_id = ?1 AND "
	"ended_at IS NULL AND location NOT IN (SELECT "
	"jsonb_array_elements_text(?2::jsonb))",
};

/* ---- the location ---- */

static const struct jfield loc_fields[] = {
	{ "name", 0 }, { "region", 0 },
	{ "id", 1 }, { "status", 1 }, { "lastSeenAt", 1 },
	{ "tokenPrefix", 1 }, { "createdAt", 1 }, { "updatedAt", 1 },
	{ "builtIn", 1 }, { "token", 1 },
	{ NULL, 0 }
};

void
location_apply(struct location *loc, const cJSON *body, int creating,
    struct verrs *v)
{
	const char	*s;
	int		 isnull;

	json_check_fields(body, loc_fields, v);
	if (json_str(body, "name", 1, NAME_MAXCHARS, creating ? JREQ : 0, v,
	    &s, NULL) == 1)
		snprintf(loc->name, sizeof(loc->name), "%s", s);
	switch (json_str(body, "region", 1, LOC_MAXREGION, JNULL, v, &s,
	    &isnull)) {
	case 1:
		snprintf(loc->region, sizeof(loc->region), "%s", s);
		break;
	case 0:
		if (isnull)
			loc->region[0] = '\0';
		break;
	default:
		break;
	}
}

static enum loc_status
status_of(const struct location *loc, int64_t now)
{
	return loc->last_seen_at != 0 && now - loc->last_seen_at <=
	    loc->offline_ms ? LOC_ONLINE : LOC_OFFLINE;
}

cJSON *
location_json(const struct location *loc, int64_t now)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", loc->id);
	cJSON_AddStringToObject(o, "name", loc->name);
	json_add_str(o, "region", loc->region);
	cJSON_AddStringToObject(o, "status",
	    loc_status_names[status_of(loc, now)]);
	json_add_time(o, "lastSeenAt", loc->last_seen_at);
	cJSON_AddStringToObject(o, "tokenPrefix", loc->token_prefix);
	cJSON_AddBoolToObject(o, "builtIn", 0);
	json_add_time(o, "createdAt", loc->created_at);
	json_add_time(o, "updatedAt", loc->updated_at);
	return o;
}

int
location_local_json(struct db *db, int64_t now, cJSON **out)
{
	struct location	 loc;
	struct db_stmt	*st;
	cJSON		*o;
	int		 rc;

	memset(&loc, 0, sizeof(loc));
	if ((st = db_stmt(db, sqls[STMT_LOCAL])) == NULL)
		return DB_ERROR;
	if ((rc = db_step(st)) == DB_ROW)
		loc.last_seen_at = db_col_int64(st, 0);
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_rc(rc);
	loc.offline_ms = LOC_LOCAL_OFFLINE_MS;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", MON_LOCAL);
	cJSON_AddStringToObject(o, "name", "This host");
	cJSON_AddNullToObject(o, "region");
	cJSON_AddStringToObject(o, "status",
	    loc_status_names[status_of(&loc, now)]);
	json_add_time(o, "lastSeenAt", loc.last_seen_at);
	cJSON_AddNullToObject(o, "tokenPrefix");
	cJSON_AddBoolToObject(o, "builtIn", 1);
	cJSON_AddNullToObject(o, "createdAt");
	cJSON_AddNullToObject(o, "updatedAt");
	*out = o;
	return DB_OK;
}

static void
row(struct db_stmt *st, struct location *loc)
{
	int64_t	 interval;

	memset(loc, 0, sizeof(*loc));
	db_col_text(st, 0, loc->id, sizeof(loc->id));
	db_col_text(st, 1, loc->team_id, sizeof(loc->team_id));
	db_col_text(st, 2, loc->name, sizeof(loc->name));
	db_col_text(st, 3, loc->region, sizeof(loc->region));
	db_col_text(st, 4, loc->token_prefix, sizeof(loc->token_prefix));
	loc->last_seen_at = db_col_int64(st, 5);
	loc->created_at = db_col_int64(st, 6);
	loc->updated_at = db_col_int64(st, 7);
	interval = db_col_null(st, 8) ?
	    DEFAULT_INTERVAL_S : db_col_int64(st, 8);
	loc->offline_ms = LOC_OFFLINE_INTERVALS * interval * 1000;
}

static int
one(struct db_stmt *st, struct location *loc)
{
	int	 rc;

	if ((rc = db_step(st)) == DB_ROW) {
		row(st, loc);
		rc = DB_OK;
	} else
		rc = rc == DB_DONE ? DB_NOTFOUND : db_rc(rc);
	db_reset(st);
	return rc;
}

void
location_token_new(char *out)
{
	token_generate(LOCTOKEN_PREFIX, out);
}

int
location_insert(struct db *db, struct location *loc, const char *token,
    int64_t now)
{
	struct db_stmt	*st;
	unsigned char	 hash[KEY_HASHLEN];

	id_new(loc->id, "loc");
	snprintf(loc->token_prefix, sizeof(loc->token_prefix), "%.*s",
	    KEY_SHOWNLEN, token);
	loc->created_at = loc->updated_at = now;
	loc->offline_ms = LOC_OFFLINE_INTERVALS * DEFAULT_INTERVAL_S * 1000;
	token_hash(HASH_DOMAIN, token, hash);
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, loc->id);
	db_bind_text(st, 2, loc->team_id);
	db_bind_text(st, 3, loc->name);
	db_bind_text(st, 4, loc->region[0] ? loc->region : NULL);
	db_bind_blob(st, 5, hash, KEY_HASHLEN);
	db_bind_text(st, 6, loc->token_prefix);
	db_bind_int64(st, 7, now);
	db_bind_int64(st, 8, now);
	sodium_memzero(hash, sizeof(hash));
	return db_exec_stmt(st);
}

int
location_update(struct db *db, struct location *loc)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_UPDATE], loc->team_id,
	    loc->id)) == NULL)
		return DB_ERROR;
	db_bind_text(st, 3, loc->name);
	db_bind_text(st, 4, loc->region[0] ? loc->region : NULL);
	db_bind_int64(st, 5, loc->updated_at);
	return db_exec_one(st);
}

int
location_set_token(struct db *db, struct location *loc, const char *token)
{
	struct db_stmt	*st;
	unsigned char	 hash[KEY_HASHLEN];

	snprintf(loc->token_prefix, sizeof(loc->token_prefix), "%.*s",
	    KEY_SHOWNLEN, token);
	token_hash(HASH_DOMAIN, token, hash);
	if ((st = db_stmt_ids(db, sqls[STMT_SET_TOKEN], loc->team_id,
	    loc->id)) == NULL)
		return DB_ERROR;
	db_bind_blob(st, 3, hash, KEY_HASHLEN);
	db_bind_text(st, 4, loc->token_prefix);
	db_bind_int64(st, 5, loc->updated_at);
	sodium_memzero(hash, sizeof(hash));
	return db_exec_one(st);
}

/* The one integer a statement gives (0 for NULL); DB_* code. */
static int
scalar(struct db_stmt *st, int64_t *out)
{
	int	 rc;

	*out = 0;
	if (st == NULL)
		return DB_ERROR;
	if ((rc = db_step(st)) == DB_ROW)
		*out = db_col_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? DB_OK : rc == DB_DONE ? DB_NOTFOUND :
	    db_rc(rc);
}

int
location_delete(struct db *db, const char *team, const char *id,
    long *using)
{
	int64_t	 n;
	int	 rc;

	*using = 0;
	if ((rc = scalar(db_query(db, sqls[STMT_EXISTS], "tt", team, id),
	    &n)) != DB_OK)
		return rc;
	if ((rc = scalar(db_query(db, sqls[STMT_USING], "t", id), &n)) !=
	    DB_OK)
		return rc;
	if ((*using = (long)n) > 0)
		return DB_CONFLICT;
	return db_exec_one(db_stmt_ids(db, sqls[STMT_DELETE], team, id));
}

int
location_get(struct db *db, const char *team, const char *id,
    struct location *loc)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_GET], team, id)) == NULL)
		return DB_ERROR;
	return one(st, loc);
}

int
location_by_token(struct db *db, const char *token, struct location *loc)
{
	struct db_stmt	*st;
	unsigned char	 hash[KEY_HASHLEN];

	if (!token_check_format(LOCTOKEN_PREFIX, token))
		return DB_NOTFOUND;
	token_hash(HASH_DOMAIN, token, hash);
	if ((st = db_stmt(db, sqls[STMT_BY_HASH])) == NULL)
		return DB_ERROR;
	db_bind_blob(st, 1, hash, KEY_HASHLEN);
	sodium_memzero(hash, sizeof(hash));
	return one(st, loc);
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	struct location	 loc;

	row(st, &loc);
	page_add(l, location_json(&loc, l->now), loc.created_at, loc.id);
	return 0;
}

int
location_list(struct db *db, const char *team, struct lister *l)
{
	return page_rows(db, db_query(db, sqls[STMT_LIST], "t", team), 2, l,
	    list_row);
}

/* A change of the location's health for the notifier.  DB_* code. */
static int
health_event(struct db *db, const char *id, const char *team,
    const char *kind, int64_t at, int64_t seen)
{
	return db_exec_stmt(db_query(db, sqls[STMT_EVENT], "tttIT", id, team,
	    kind, at, seen));
}

int
location_seen(struct db *db, struct location *loc, int64_t now)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_query(db, sqls[STMT_BACK], "t", loc->id)) == NULL)
		return DB_ERROR;
	if ((rc = db_exec_one(st)) == DB_OK)
		rc = health_event(db, loc->id, loc->team_id,
		    "location_online", now, loc->last_seen_at);
	if (rc != DB_OK && rc != DB_NOTFOUND)
		return rc;
	loc->last_seen_at = now;
	return db_exec_stmt(db_query(db, sqls[STMT_SEEN], "tI", loc->id, now));
}

int
location_sweep(struct db *db, int64_t now, long *n)
{
	struct {
		char	 id[ID_MAX];
		char	 team[ID_MAX];
		int64_t	 seen;
	}		*a;
	struct db_stmt	*st;
	size_t		 k = 0, i;
	int		 rc = DB_DONE;

	*n = 0;
	if ((a = calloc(LOC_SWEEP_MAX, sizeof(*a))) == NULL)
		return DB_ERROR;
	/* The silent ones first, then each changed: no write under a read. */
	if ((st = db_query(db, sqls[STMT_SILENT], "Iiii", now,
	    LOC_OFFLINE_INTERVALS, DEFAULT_INTERVAL_S, LOC_SWEEP_MAX)) ==
	    NULL) {
		free(a);
		return DB_ERROR;
	}
	while (k < LOC_SWEEP_MAX && (rc = db_step(st)) == DB_ROW) {
		db_col_text(st, 0, a[k].id, sizeof(a[k].id));
		db_col_text(st, 1, a[k].team, sizeof(a[k].team));
		a[k++].seen = db_col_int64(st, 2);
	}
	db_reset(st);
	rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : db_rc(rc);
	for (i = 0; i < k && rc == DB_OK; i++) {
		if ((st = db_query(db, sqls[STMT_GONE], "tI", a[i].id,
		    a[i].seen)) == NULL)
			rc = DB_ERROR;
		else if ((rc = db_exec_one(st)) == DB_NOTFOUND)
			rc = DB_OK;	/* seen since, or another sweep's */
		else if (rc == DB_OK && (rc = health_event(db, a[i].id,
		    a[i].team, "location_offline", now, a[i].seen)) == DB_OK)
			(*n)++;
	}
	free(a);
	return rc;
}

/* ---- the monitors' links ---- */

int
location_links_check(struct db *db, const char *team, const cJSON *locations,
    struct verrs *v)
{
	const cJSON	*l;
	const char	*id;
	char		 ptr[32];
	int64_t		 n;
	int		 i = 0, rc;

	cJSON_ArrayForEach(l, locations) {
		id = cJSON_GetStringValue(l);
		snprintf(ptr, sizeof(ptr), "/locations/%d", i++);
		if (id == NULL || strcmp(id, MON_LOCAL) == 0)
			continue;
		rc = scalar(db_query(db, sqls[STMT_EXISTS], "tt", team, id),
		    &n);
		if (rc == DB_NOTFOUND)
			verr_add(v, VERR_INVALID, ptr, "no location %s in this "
			    "team", id);
		else if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

int
location_links_sync(struct db *db, const struct monitor *m, int64_t now)
{
	static const enum stmt	 drop[] = { STMT_LINKS_DROP, STMT_STATES_DROP,
				    STMT_DOWN_END };
	struct db_stmt		*st;
	const cJSON		*l;
	const char		*id;
	size_t			 i;
	int			 rc;

	/* The locations it no longer names: their rows go. */
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		if ((st = db_query(db, db_sqlv(db, sqls, pg_sqls, drop[i]),
		    "t", m->id)) == NULL ||
		    db_bind_json(st, 2, m->locations) == -1)
			return DB_ERROR;
		if (drop[i] == STMT_DOWN_END)
			db_bind_int64(st, 3, now);
		if ((rc = db_exec_stmt(st)) != DB_OK)
			return rc;
	}
	cJSON_ArrayForEach(l, m->locations) {
		id = cJSON_GetStringValue(l);
		if (id == NULL || strcmp(id, MON_LOCAL) == 0)
			continue;
		if ((rc = db_exec_stmt(db_query(db, sqls[STMT_LINK_ADD], "ttI",
		    m->id, id, now))) != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* ---- leases ---- */

/* The check definition an agent needs: what monitor_apply takes. */
static cJSON *
check_definition(const struct monitor *m)
{
	cJSON		*o = cJSON_CreateObject();
	const cJSON	*c;

	cJSON_AddStringToObject(o, "name", m->name);
	cJSON_AddStringToObject(o, "type", mon_type_names[m->type]);
	cJSON_AddNumberToObject(o, "intervalSeconds", m->interval_s);
	cJSON_AddNumberToObject(o, "timeoutSeconds", m->timeout_s);
	cJSON_ArrayForEach(c, m->config)
		cJSON_AddItemToObject(o, c->string, cJSON_Duplicate(c, 1));
	return o;
}

/* Lease one due check of m, due at due; its item goes to leases. */
static int
lease_one(struct db *db, const struct location *loc, struct monitor *m,
    int64_t due, int64_t now, cJSON *leases)
{
	struct maint_effect	 me;
	cJSON			*o;
	char			 id[ID_MAX];
	int64_t			 expires;
	int			 rc;

	/* A window that pauses checks puts this one off to its end. */
	if ((rc = maint_at(db, m->team_id, m->id, now, &me)) != DB_OK)
		return rc;
	if (me.pause_checks)
		return db_exec_stmt(db_query(db, sqls[STMT_PLAN], "ttII", m->id,
		    loc->id, due, check_next_due(due, m->interval_s,
		    me.pause_until - 1)));
	id_new(id, "lse");
	expires = now + m->timeout_s * 1000 + LOC_LEASE_GRACE_MS;
	if ((rc = db_exec_stmt(db_query(db, sqls[STMT_LEASE_ADD], "tttIII", id,
	    loc->id, m->id, due, now, expires))) != DB_OK)
		return rc;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "leaseId", id);
	cJSON_AddStringToObject(o, "monitorId", m->id);
	json_add_time(o, "dueAt", due);
	json_add_time(o, "expiresAt", expires);
	cJSON_AddItemToObject(o, "check", check_definition(m));
	cJSON_AddItemToArray(leases, o);
	return DB_OK;
}

int
location_lease(struct db *db, struct location *loc, int64_t now, int max,
    cJSON *leases, int64_t *next_due)
{
	struct {
		char	 id[ID_MAX];
		int64_t	 due;
	}		*due = NULL;
	struct monitor	 m;
	struct db_stmt	*st;
	int		 n = 0, i, rc;

	*next_due = 0;
	if ((rc = db_exec_stmt(db_query(db, sqls[STMT_LEASE_PRUNE], "tI",
	    loc->id, now - LOC_LEASE_KEEP_MS))) != DB_OK)
		return rc;
	if ((due = calloc((size_t)max, sizeof(*due))) == NULL)
		return DB_ERROR;
	/* The due rows first, then each leased: no write under a read. */
	if ((st = db_query(db, sqls[STMT_DUE], "ttIi", loc->id, loc->team_id,
	    now, max)) == NULL) {
		rc = DB_ERROR;
		goto out;
	}
	while (n < max && (rc = db_step(st)) == DB_ROW) {
		db_col_text(st, 0, due[n].id, sizeof(due[n].id));
		due[n++].due = db_col_int64(st, 1);
	}
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		rc = db_rc(rc);
		goto out;
	}
	rc = DB_OK;
	for (i = 0; i < n && rc == DB_OK; i++) {
		if ((rc = monitor_get(db, loc->team_id, due[i].id, &m)) ==
		    DB_NOTFOUND) {
			rc = DB_OK;
			continue;
		}
		if (rc == DB_OK) {
			rc = lease_one(db, loc, &m, due[i].due, now, leases);
			monitor_free(&m);
		}
	}
	if (rc == DB_OK)
		rc = location_next_due(db, loc, now, next_due);
	if (rc == DB_OK)
		rc = location_seen(db, loc, now);
out:
	free(due);
	return rc;
}

int
location_next_due(struct db *db, const struct location *loc, int64_t now,
    int64_t *next_due)
{
	int	 rc;

	rc = scalar(db_query(db, sqls[STMT_NEXT_DUE], "ttI", loc->id,
	    loc->team_id, now), next_due);
	return rc == DB_NOTFOUND ? DB_OK : rc;
}

/* ---- reports ---- */

static const struct jfield result_fields[] = {
	{ "leaseId", 0 }, { "checkedAt", 0 }, { "status", 0 },
	{ "responseTimeMs", 0 }, { "statusCode", 0 }, { "error", 0 },
	{ "timings", 0 }, { "ssl", 0 },
	{ NULL, 0 }
};

static const struct jfield error_fields[] = {
	{ "code", 0 }, { "message", 0 }, { NULL, 0 }
};

static const struct jfield timing_fields[] = {
	{ "dnsMs", 0 }, { "connectMs", 0 }, { "tlsMs", 0 },
	{ "firstByteMs", 0 }, { NULL, 0 }
};

static const struct jfield ssl_fields[] = {
	{ "expiresAt", 0 }, { "issuer", 0 }, { "tlsError", 0 }, { NULL, 0 }
};

/* Longest time a probe phase may say it took, ms. */
#define MAX_PHASE_MS	(10 * 60 * 1000)

/* 1 when s fits a buffer of size bytes (no cut through a character),
 * else an error at ptr. */
static int
fits(const char *s, size_t size, const char *ptr, struct verrs *v)
{
	if (strlen(s) < size)
		return 1;
	verr_add(v, VERR_INVALID, ptr, "must be at most %zu bytes", size - 1);
	return 0;
}

/* Add the errors of src to dst, their pointers under prefix. */
static void
verrs_under(struct verrs *dst, const struct verrs *src, const char *prefix)
{
	char	 ptr[128];
	size_t	 i;

	for (i = 0; i < src->n; i++) {
		snprintf(ptr, sizeof(ptr), "%s%s", prefix, src->e[i].pointer);
		verr_add(dst, src->e[i].kind, ptr, "%s", src->e[i].detail);
	}
}

/*
 * The member name of item when it is an object (its unknown members
 * refused into sv, pointers relative to it), or NULL when it is absent
 * or null (an error in v when it is anything else).
 */
static const cJSON *
sub_object(const cJSON *item, const char *name, const struct jfield *f,
    struct verrs *v, struct verrs *sv)
{
	const cJSON	*o = cJSON_GetObjectItemCaseSensitive(item, name);
	char		 ptr[32];

	if (o == NULL || cJSON_IsNull(o))
		return NULL;
	snprintf(ptr, sizeof(ptr), "/%s", name);
	if (!cJSON_IsObject(o)) {
		verr_add(v, VERR_INVALID, ptr, "must be an object or null");
		return NULL;
	}
	json_check_fields(o, f, sv);
	return o;
}

void
location_result_parse(const cJSON *item, const char *base,
    struct check_result *r, char *lease, struct verrs *v)
{
	struct verrs	 lv = { 0 }, sv;
	const cJSON	*o;
	const char	*s;
	long long	 n;
	size_t		 i;
	int		 isnull, b;

	memset(r, 0, sizeof(*r));
	lease[0] = '\0';
	r->response_ms = -1;
	if (!cJSON_IsObject(item)) {
		verr_add(v, VERR_INVALID, base, "must be an object");
		return;
	}
	json_check_fields(item, result_fields, &lv);
	if (json_str(item, "leaseId", 1, ID_MAX - 1, JREQ, &lv, &s, NULL) ==
	    1) {
		if (id_valid(s, "lse"))
			snprintf(lease, ID_MAX, "%s", s);
		else
			verr_add(&lv, VERR_INVALID, "/leaseId", "must be a "
			    "lease id (lse_...)");
	}
	(void)json_time(item, "checkedAt", JREQ, &lv, &r->checked_at, NULL);
	if (json_str(item, "status", 1, 16, JREQ, &lv, &s, NULL) == 1) {
		if (strcmp(s, "up") == 0)
			r->status = MST_UP;
		else if (strcmp(s, "degraded") == 0)
			r->status = MST_DEGRADED;
		else if (strcmp(s, "down") == 0)
			r->status = MST_DOWN;
		else if (strcmp(s, "inconclusive") == 0) {
			r->status = MST_DOWN;	/* a failure, every canary too */
			r->inconclusive = 1;
		} else
			verr_add(&lv, VERR_INVALID, "/status", "must be one of "
			    "up, degraded, down, inconclusive");
	}
	if (json_int(item, "responseTimeMs", 0, MAX_PHASE_MS, JNULL, &lv, &n,
	    &isnull) == 1)
		r->response_ms = (long)n;
	if (json_int(item, "statusCode", 100, 599, JNULL, &lv, &n,
	    &isnull) == 1)
		r->status_code = (long)n;
	memset(&sv, 0, sizeof(sv));
	if ((o = sub_object(item, "error", error_fields, &lv, &sv)) != NULL) {
		if (json_str(o, "code", 1, sizeof(r->error_code) - 1, JREQ,
		    &sv, &s, NULL) == 1) {
			if (strspn(s, "abcdefghijklmnopqrstuvwxyz_") !=
			    strlen(s))
				verr_add(&sv, VERR_INVALID, "/code",
				    "must be lower-case letters and _");
			else
				snprintf(r->error_code, sizeof(r->error_code),
				    "%s", s);
		}
		if (json_str(o, "message", 0, 255, JREQ, &sv, &s, NULL) == 1 &&
		    fits(s, sizeof(r->error_message), "/message", &sv))
			snprintf(r->error_message, sizeof(r->error_message),
			    "%s", s);
	}
	verrs_under(&lv, &sv, "/error");
	if (r->status == MST_DOWN && r->error_code[0] == '\0' && lv.n == 0)
		verr_add(&lv, VERR_INVALID, "/error", "a down result says why");
	memset(&sv, 0, sizeof(sv));
	if ((o = sub_object(item, "timings", timing_fields, &lv, &sv)) !=
	    NULL) {
		long	*t[] = { &r->dns_ms, &r->connect_ms, &r->tls_ms,
			    &r->first_byte_ms };
		const char *names[] = { "dnsMs", "connectMs", "tlsMs",
			    "firstByteMs" };

		for (i = 0; i < 4; i++)
			if (json_int(o, names[i], 0, MAX_PHASE_MS, 0, &sv, &n,
			    NULL) == 1)
				*t[i] = (long)n;
	}
	verrs_under(&lv, &sv, "/timings");
	memset(&sv, 0, sizeof(sv));
	if ((o = sub_object(item, "ssl", ssl_fields, &lv, &sv)) != NULL) {
		int64_t	 t;

		if (json_time(o, "expiresAt", JNULL, &sv, &t, &isnull) == 1)
			r->ssl_expires_at = t / 1000;
		if (json_str(o, "issuer", 0, 255, JNULL, &sv, &s, &isnull) ==
		    1 && fits(s, sizeof(r->ssl_issuer), "/issuer", &sv))
			snprintf(r->ssl_issuer, sizeof(r->ssl_issuer), "%s", s);
		if (json_bool(o, "tlsError", 0, &sv, &b) == 1)
			r->tls_error = b;
	}
	verrs_under(&lv, &sv, "/ssl");
	verrs_under(v, &lv, base);
}

cJSON *
location_result_json(const struct check_result *r, const char *lease)
{
	cJSON	*o = check_result_json(r), *ssl;

	cJSON_DeleteItemFromObjectCaseSensitive(o, "dueAt");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "startLagMs");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "location");
	cJSON_AddStringToObject(o, "leaseId", lease);
	if (r->ssl_expires_at != 0 || r->ssl_issuer[0] != '\0' ||
	    r->tls_error) {
		ssl = cJSON_AddObjectToObject(o, "ssl");
		json_add_time(ssl, "expiresAt", r->ssl_expires_at * 1000);
		json_add_str(ssl, "issuer", r->ssl_issuer);
		cJSON_AddBoolToObject(ssl, "tlsError", r->tls_error);
	} else
		cJSON_AddNullToObject(o, "ssl");
	return o;
}

int
location_report(struct db *db, struct location *loc, const char *lease,
    struct check_result *r, int64_t now, enum loc_refusal *why)
{
	struct monitor	 m;
	struct db_stmt	*st;
	char		 mid[ID_MAX];
	int64_t		 due, leased, expires;
	int		 used, rc, flags = 0;

	*why = LOC_NO_LEASE;
	if ((st = db_query(db, sqls[STMT_LEASE_GET], "tt", lease,
	    loc->id)) == NULL)
		return DB_ERROR;
	if ((rc = db_step(st)) == DB_ROW) {
		db_col_text(st, 0, mid, sizeof(mid));
		due = db_col_int64(st, 1);
		leased = db_col_int64(st, 2);
		expires = db_col_int64(st, 3);
		used = !db_col_null(st, 4);
	}
	db_reset(st);
	if (rc == DB_DONE)
		return DB_OK;
	if (rc != DB_ROW)
		return db_rc(rc);
	if (used) {
		*why = LOC_LEASE_USED;
		return DB_OK;
	}
	if (r->checked_at < leased - LOC_CLOCK_SLACK_MS ||
	    r->checked_at > expires) {
		*why = LOC_OUTSIDE_LEASE;
		return DB_OK;
	}
	if ((rc = monitor_get(db, loc->team_id, mid, &m)) != DB_OK)
		return rc == DB_NOTFOUND ? DB_OK : rc;
	r->due_at = due;
	snprintf(r->location, sizeof(r->location), "%s", loc->id);
	/* One older than the monitor's last (another location reported
	 * since) is the location's vote, not the monitor's latest reading;
	 * one older than the location's own last is history (check.c). */
	if (r->checked_at < m.last_checked_at)
		flags |= CHECK_LATE;
	rc = check_record(db, &m, r, flags, now);
	if (rc == DB_OK)
		rc = db_exec_stmt(db_query(db, sqls[STMT_LEASE_DONE], "tI",
		    lease, now));
	if (rc == DB_OK)
		rc = db_exec_stmt(db_query(db, sqls[STMT_PLAN], "ttII", mid,
		    loc->id, due, check_plan(&m, r, due, now)));
	monitor_free(&m);
	if (rc == DB_OK)
		*why = LOC_TAKEN;
	return rc;
}

int
location_monitor_saved(struct db *db, const struct monitor *m, int was_paused,
    int64_t now, struct verrs *v)
{
	int	 rc;

	if ((rc = location_links_check(db, m->team_id, m->locations, v)) !=
	    DB_OK || v->n > 0)
		return rc;
	if (was_paused != -1 && was_paused != m->paused &&
	    (rc = monitor_states_clear(db, m->id, now)) != DB_OK)
		return rc;
	return location_links_sync(db, m, now);
}
