/*
 * A team's ping key: validation, JSON, SQL, and the heartbeat a ping by
 * slug creates.  See pingkey.h and docs/lib/pingkey.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "db.h"
#include "hbsched.h"
#include "ids.h"
#include "json.h"
#include "keyhash.h"
#include "monitor.h"
#include "pingkey.h"

#define HASH_DOMAIN	"ping-key"
/* What a key made without defaults gives the heartbeats it creates:
 * a daily job, an hour late at most. */
#define DEFAULTS	"{\"intervalSeconds\":86400,\"gracePeriodSeconds\":3600}"

#define COLS "team_id, key_prefix, create_on_ping, defaults, created_at, " \
	"rotated_at"

enum stmt {
	STMT_GET,
	STMT_BY_HASH,
	STMT_INSERT,
	STMT_UPDATE,
	STMT_ROTATE,
	STMT_DELETE,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_GET */
	"SELECT " COLS " FROM ping_keys WHERE team_id = ?",
	/* STMT_BY_HASH: a ping by slug's lookup. */
	"SELECT " COLS " FROM ping_keys WHERE key_hash = ?",
	/* STMT_INSERT: nothing when the team has one. */
	"INSERT INTO ping_keys (team_id, key_hash, key_prefix, "
	"create_on_ping, defaults, created_at) VALUES (?, ?, ?, ?, ?, ?) "
	"ON CONFLICT (team_id) DO NOTHING",
	/* STMT_UPDATE */
	"UPDATE ping_keys SET create_on_ping = ?2, defaults = ?3 "
	"WHERE team_id = ?1",
	/* STMT_ROTATE */
	"UPDATE ping_keys SET key_hash = ?2, key_prefix = ?3, rotated_at = ?4 "
	"WHERE team_id = ?1",
	/* STMT_DELETE */
	"DELETE FROM ping_keys WHERE team_id = ?",
};

/* The members of defaults: a heartbeat's schedule and judgment. */
static const struct jfield default_fields[] = {
	{ "intervalSeconds", 0 }, { "schedule", 0 }, { "timezone", 0 },
	{ "gracePeriodSeconds", 0 }, { "confirmations", 0 }, { NULL, 0 }
};

static const struct jfield fields[] = {
	{ "createOnPing", 0 }, { "defaults", 0 },
	{ "keyPrefix", 1 }, { "key", 1 }, { "createdAt", 1 },
	{ "rotatedAt", 1 }, { NULL, 0 }
};

void
pingkey_init(struct pingkey *k, const char *team, int64_t now)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->team_id, sizeof(k->team_id), "%s", team);
	k->created_at = now;
}

void
pingkey_free(struct pingkey *k)
{
	cJSON_Delete(k->defaults);
	k->defaults = NULL;
}

int
pingkey_format_ok(const char *s)
{
	return strlen(s) == PINGKEY_LEN && strncmp(s, PINGKEY_PREFIX, 3) == 0 &&
	    strspn(s + 3, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") == PINGKEY_RANDLEN;
}

void
pingkey_generate(struct pingkey *k, char *out)
{
	memcpy(out, PINGKEY_PREFIX, 3);
	base62_random(out + 3, PINGKEY_RANDLEN);
	out[PINGKEY_LEN] = '\0';
	snprintf(k->prefix, sizeof(k->prefix), "%.*s", PINGKEY_SHOWNLEN, out);
}

/*
 * A heartbeat made from defaults (an object of default_fields' members)
 * with name and slug; errors go to v when it is not NULL.  0 or -1.
 */
static int
heartbeat_of(const cJSON *defaults, const char *slug, int64_t now,
    struct monitor *m, struct verrs *v)
{
	struct verrs	 mine = { 0 };
	cJSON		*b;

	monitor_init(m, now);
	if ((b = cJSON_Duplicate(defaults, 1)) == NULL)
		return -1;
	cJSON_AddStringToObject(b, "name", slug);
	cJSON_AddStringToObject(b, "type", "heartbeat");
	cJSON_AddStringToObject(b, "slug", slug);
	monitor_apply(m, b, 1, v != NULL ? v : &mine);
	cJSON_Delete(b);
	if ((v != NULL ? v : &mine)->n > 0 || heartbeat_restart(m, now) == -1) {
		monitor_free(m);
		return -1;
	}
	return 0;
}

/*
 * The stored form of checked defaults: intervalSeconds, or schedule and
 * timezone; gracePeriodSeconds and confirmations.  No nulls, so that
 * monitor_apply takes it as it is when a ping creates a heartbeat.
 */
static cJSON *
normal_defaults(const struct monitor *m)
{
	const cJSON	*c;
	cJSON		*o = cJSON_CreateObject();
	const char	*sched = heartbeat_cfg_str(m, "schedule");
	const char	*tz = heartbeat_cfg_str(m, "timezone");

	if (sched != NULL) {
		cJSON_AddStringToObject(o, "schedule", sched);
		cJSON_AddStringToObject(o, "timezone", tz != NULL ? tz : "UTC");
	} else
		cJSON_AddNumberToObject(o, "intervalSeconds", m->interval_s);
	c = cJSON_GetObjectItemCaseSensitive(m->config, "gracePeriodSeconds");
	cJSON_AddNumberToObject(o, "gracePeriodSeconds", cJSON_IsNumber(c) ?
	    c->valuedouble : 0);
	cJSON_AddNumberToObject(o, "confirmations", m->confirmations);
	return o;
}

/* Check defaults (errors at /defaults/...) into k. */
static void
apply_defaults(struct pingkey *k, const cJSON *d, struct verrs *v)
{
	struct monitor	 m;
	struct verrs	 mine = { 0 };
	const cJSON	*c;
	cJSON		*in;
	char		 ptr[160];
	size_t		 i;

	if (!cJSON_IsObject(d)) {
		verr_add(v, VERR_INVALID, "/defaults", "must be an object of "
		    "heartbeat fields: intervalSeconds or schedule and "
		    "timezone, gracePeriodSeconds, confirmations");
		return;
	}
	/* Only the members of defaults go on to monitor_apply. */
	in = cJSON_CreateObject();
	cJSON_ArrayForEach(c, d) {
		for (i = 0; default_fields[i].name != NULL; i++)
			if (strcmp(default_fields[i].name, c->string) == 0)
				break;
		if (default_fields[i].name == NULL) {
			snprintf(ptr, sizeof(ptr), "/defaults/%.64s", c->string);
			verr_add(v, VERR_UNKNOWN, ptr, "not a heartbeat field "
			    "a ping key gives (intervalSeconds, schedule, "
			    "timezone, gracePeriodSeconds, confirmations)");
		} else if (cJSON_GetObjectItemCaseSensitive(in,
		    c->string) == NULL)
			cJSON_AddItemToObject(in, c->string,
			    cJSON_Duplicate(c, 1));
	}
	if (heartbeat_of(in, "defaults", k->created_at, &m, &mine) == -1) {
		for (i = 0; i < mine.n; i++) {
			snprintf(ptr, sizeof(ptr), "/defaults%s",
			    mine.e[i].pointer);
			verr_add(v, mine.e[i].kind, ptr, "%s",
			    mine.e[i].detail);
		}
		if (mine.n == 0)
			verr_add(v, VERR_INVALID, "/defaults", "cannot be "
			    "applied");
		cJSON_Delete(in);
		return;
	}
	cJSON_Delete(in);
	cJSON_Delete(k->defaults);
	k->defaults = normal_defaults(&m);
	monitor_free(&m);
}

void
pingkey_apply(struct pingkey *k, const cJSON *body, struct verrs *v)
{
	const cJSON	*d;
	cJSON		*def;
	int		 b;

	json_check_fields(body, fields, v);
	if (json_bool(body, "createOnPing", 0, v, &b) == 1)
		k->create_on_ping = b;
	if ((d = cJSON_GetObjectItemCaseSensitive(body, "defaults")) != NULL)
		apply_defaults(k, d, v);
	else if (k->defaults == NULL) {
		/* A new key without defaults: DEFAULTS, in the stored form. */
		if ((def = cJSON_Parse(DEFAULTS)) != NULL)
			apply_defaults(k, def, v);
		cJSON_Delete(def);
	}
}

cJSON *
pingkey_json(const struct pingkey *k, const char *secret)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "keyPrefix", k->prefix);
	if (secret != NULL)
		cJSON_AddStringToObject(o, "key", secret);
	cJSON_AddBoolToObject(o, "createOnPing", k->create_on_ping);
	cJSON_AddItemToObject(o, "defaults", cJSON_Duplicate(k->defaults, 1));
	json_add_time(o, "createdAt", k->created_at);
	json_add_time(o, "rotatedAt", k->rotated_at);
	return o;
}

static void
row(struct db_stmt *st, void *out)
{
	struct pingkey	*k = out;

	memset(k, 0, sizeof(*k));
	db_col_text(st, 0, k->team_id, sizeof(k->team_id));
	db_col_text(st, 1, k->prefix, sizeof(k->prefix));
	k->create_on_ping = db_col_int(st, 2);
	k->defaults = cJSON_Parse(db_col_str(st, 3));
	k->created_at = db_col_int64(st, 4);
	k->rotated_at = db_col_int64(st, 5);
}

/* The one key a bound statement finds; DB_OK or DB_NOTFOUND. */
static int
one(struct db_stmt *st, struct pingkey *k)
{
	int	 rc;

	memset(k, 0, sizeof(*k));
	if ((rc = db_step_one(st, row, k)) == DB_OK && k->defaults == NULL)
		rc = DB_ERROR;
	return rc;
}

int
pingkey_get(struct db *db, const char *team, struct pingkey *k)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_GET])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	return one(st, k);
}

int
pingkey_by_secret(struct db *db, const char *key, struct pingkey *k)
{
	struct db_stmt	*st;
	unsigned char	 h[KEY_HASHLEN];

	if ((st = db_stmt(db, sqls[STMT_BY_HASH])) == NULL)
		return DB_ERROR;
	token_hash(HASH_DOMAIN, key, h);
	db_bind_blob(st, 1, h, sizeof(h));
	return one(st, k);
}

int
pingkey_insert(struct db *db, const struct pingkey *k, const char *secret)
{
	struct db_stmt	*st;
	unsigned char	 h[KEY_HASHLEN];
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	token_hash(HASH_DOMAIN, secret, h);
	db_bind_text(st, 1, k->team_id);
	db_bind_blob(st, 2, h, sizeof(h));
	db_bind_text(st, 3, k->prefix);
	db_bind_int(st, 4, k->create_on_ping);
	if (db_bind_json(st, 5, k->defaults) == -1)
		return DB_ERROR;
	db_bind_int64(st, 6, k->created_at);
	rc = db_exec_stmt(st);
	if (rc == DB_OK && db_changes(db) == 0)
		rc = DB_CONFLICT;
	return rc;
}

int
pingkey_update(struct db *db, const struct pingkey *k)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_UPDATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, k->team_id);
	db_bind_int(st, 2, k->create_on_ping);
	if (db_bind_json(st, 3, k->defaults) == -1)
		return DB_ERROR;
	return db_exec_one(st);
}

int
pingkey_rotate(struct db *db, struct pingkey *k, const char *secret,
    int64_t now)
{
	struct db_stmt	*st;
	unsigned char	 h[KEY_HASHLEN];
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_ROTATE])) == NULL)
		return DB_ERROR;
	token_hash(HASH_DOMAIN, secret, h);
	db_bind_text(st, 1, k->team_id);
	db_bind_blob(st, 2, h, sizeof(h));
	db_bind_text(st, 3, k->prefix);
	db_bind_int64(st, 4, now);
	if ((rc = db_exec_one(st)) == DB_OK)
		k->rotated_at = now;
	return rc;
}

int
pingkey_delete(struct db *db, const char *team)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_DELETE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	return db_exec_one(st);
}

int
pingkey_heartbeat(const struct pingkey *k, const char *slug, int64_t now,
    struct monitor *m)
{
	if (heartbeat_of(k->defaults, slug, now, m, NULL) == -1)
		return -1;
	snprintf(m->team_id, sizeof(m->team_id), "%s", k->team_id);
	return 0;
}
