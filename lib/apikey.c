/*
 * API keys: the struct, its JSON and all of its SQL.  The secret itself
 * never reaches this module's storage: only its keyed hash (auth.c).
 * Each key is read with its holder's current role (members), so that
 * authentication bounds it by that role without another query.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "apikey.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "keyhash.h"
#include "member.h"
#include "page.h"
#include "scope.h"

const char *const key_status_names[KEY_STATUS__MAX] = {
	"active", "expired", "revoked", "all"
};

/*
 * A key and its holder's current role (NULL when the key has no holder,
 * or when its holder is no longer a member: holder_member_id tells).
 */
#define COLS "k.id, k.team_id, k.name, k.scopes, k.key_prefix, " \
	"k.created_at, k.expires_at, k.last_used_at, k.last_used_ip, " \
	"k.revoked_at, k.created_by_key_id, k.created_by_member_id, " \
	"k.holder_member_id, m.role"
#define FROM " FROM api_keys k LEFT JOIN members m" \
	" ON m.id = k.holder_member_id AND m.team_id = k.team_id"

enum stmt {
	STMT_BY_HASH,
	STMT_GET,
	STMT_FIND,
	STMT_INSERT,
	STMT_REVOKE,
	STMT_REVOKE_HELD,
	STMT_SET_HASH,
	STMT_TOUCH,
	STMT_LIST,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_BY_HASH */
	"SELECT " COLS FROM " WHERE k.key_hash = ?",
	/* STMT_GET */
	"SELECT " COLS FROM " WHERE k.team_id = ? AND k.id = ?",
	/* STMT_FIND */
	"SELECT " COLS FROM " WHERE k.id = ?",
	/* STMT_INSERT */
	"INSERT INTO api_keys (id, team_id, name, scopes, key_prefix, "
	"key_hash, created_at, expires_at, created_by_key_id, "
	"created_by_member_id, holder_member_id) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_REVOKE */
	"UPDATE api_keys SET revoked_at = ? WHERE team_id = ? AND id = ? "
	"AND revoked_at IS NULL",
	/* STMT_REVOKE_HELD */
	"UPDATE api_keys SET revoked_at = ?1 WHERE team_id = ?2 "
	"AND holder_member_id = ?3 AND revoked_at IS NULL",
	/* STMT_SET_HASH */
	"UPDATE api_keys SET key_hash = ?, key_prefix = ? "
	"WHERE team_id = ? AND id = ?",
	/* STMT_TOUCH */
	"UPDATE api_keys SET last_used_at = ?, last_used_ip = ? WHERE id = ?",
	/* STMT_LIST: ?2 is the status, ?3 now, ?4..?6 the cursor. */
	"SELECT " COLS FROM " WHERE k.team_id = ?1 AND ("
	" ?2 = 3"
	" OR (?2 = 2 AND k.revoked_at IS NOT NULL)"
	" OR (?2 = 0 AND k.revoked_at IS NULL AND"
	"     (k.expires_at IS NULL OR k.expires_at > ?3))"
	" OR (?2 = 1 AND k.revoked_at IS NULL AND k.expires_at <= ?3))"
	" AND (?4 = 0 OR (k.created_at, k.id) < (?5, ?6))"
	" ORDER BY k.created_at DESC, k.id DESC LIMIT ?7",
};

enum key_status
apikey_status(const struct apikey *k, int64_t now)
{
	if (k->revoked_at != 0)
		return KEY_REVOKED;
	if (k->expires_at != 0 && k->expires_at <= now)
		return KEY_EXPIRED;
	return KEY_ACTIVE;
}

static void
row(struct db_stmt *st, struct apikey *k)
{
	char	 role[16];

	memset(k, 0, sizeof(*k));
	db_col_text(st, 0, k->id, sizeof(k->id));
	db_col_text(st, 1, k->team_id, sizeof(k->team_id));
	db_col_text(st, 2, k->name, sizeof(k->name));
	k->scopes = (unsigned)db_col_int64(st, 3) & SCOPES_ALL;
	db_col_text(st, 4, k->prefix, sizeof(k->prefix));
	k->created_at = db_col_int64(st, 5);
	k->expires_at = db_col_int64(st, 6);
	k->last_used_at = db_col_int64(st, 7);
	db_col_text(st, 8, k->last_used_ip, sizeof(k->last_used_ip));
	k->revoked_at = db_col_int64(st, 9);
	db_col_text(st, 10, k->created_by, sizeof(k->created_by));
	db_col_text(st, 11, k->created_by_member,
	    sizeof(k->created_by_member));
	db_col_text(st, 12, k->holder, sizeof(k->holder));
	db_col_text(st, 13, role, sizeof(role));
	/* No holder: an owner's key; a holder no longer there: none. */
	k->holder_role = k->holder[0] == '\0' ? (int)ROLE_OWNER :
	    member_role_find(role);
}

/* Step a statement expected to give at most one key. */
static int
one(struct db_stmt *st, struct apikey *k)
{
	int	 rc;

	if ((rc = db_step(st)) == DB_ROW) {
		row(st, k);
		rc = DB_OK;
	} else
		rc = rc == DB_DONE ? DB_NOTFOUND : db_rc(rc);
	db_reset(st);
	return rc;
}

int
apikey_by_hash(struct db *db, const unsigned char *hash, struct apikey *k)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_BY_HASH])) == NULL)
		return DB_ERROR;
	db_bind_blob(st, 1, hash, KEY_HASHLEN);
	return one(st, k);
}

int
apikey_get(struct db *db, const char *team, const char *id,
    struct apikey *k)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_GET], team, id)) == NULL)
		return DB_ERROR;
	return one(st, k);
}

int
apikey_find(struct db *db, const char *id, struct apikey *k)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_FIND])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, id);
	return one(st, k);
}

int
apikey_insert(struct db *db, struct apikey *k, const char *secret,
    int64_t now)
{
	struct db_stmt	*st;
	unsigned char	 hash[KEY_HASHLEN];

	id_new(k->id, "key");
	snprintf(k->prefix, sizeof(k->prefix), "%.*s", KEY_SHOWNLEN, secret);
	k->created_at = now;
	key_hash(secret, hash);
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, k->id);
	db_bind_text(st, 2, k->team_id);
	db_bind_text(st, 3, k->name);
	db_bind_int64(st, 4, k->scopes);
	db_bind_text(st, 5, k->prefix);
	db_bind_blob(st, 6, hash, KEY_HASHLEN);
	db_bind_int64(st, 7, k->created_at);
	db_bind_time(st, 8, k->expires_at);
	db_bind_text(st, 9, k->created_by[0] ? k->created_by : NULL);
	db_bind_text(st, 10, k->created_by_member[0] ? k->created_by_member :
	    NULL);
	db_bind_text(st, 11, k->holder[0] ? k->holder : NULL);
	sodium_memzero(hash, sizeof(hash));
	return db_exec_stmt(st);
}

int
apikey_revoke(struct db *db, const struct apikey *k, int64_t now)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_REVOKE])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now);
	db_bind_text(st, 2, k->team_id);
	db_bind_text(st, 3, k->id);
	return db_exec_stmt(st);
}

int
apikey_revoke_held(struct db *db, const char *team, const char *member,
    int64_t now)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sqls[STMT_REVOKE_HELD], "Itt", now, team,
	    member)) == NULL)
		return DB_ERROR;
	return db_exec_stmt(st);
}

int
apikey_set_secret(struct db *db, struct apikey *k, const char *secret)
{
	struct db_stmt	*st;
	unsigned char	 hash[KEY_HASHLEN];

	snprintf(k->prefix, sizeof(k->prefix), "%.*s", KEY_SHOWNLEN, secret);
	key_hash(secret, hash);
	if ((st = db_stmt(db, sqls[STMT_SET_HASH])) == NULL)
		return DB_ERROR;
	db_bind_blob(st, 1, hash, KEY_HASHLEN);
	db_bind_text(st, 2, k->prefix);
	db_bind_text(st, 3, k->team_id);
	db_bind_text(st, 4, k->id);
	sodium_memzero(hash, sizeof(hash));
	return db_exec_stmt(st);
}

int
apikey_touch(struct db *db, struct apikey *k, const char *ip, int64_t now)
{
	struct db_stmt	*st;

	k->last_used_at = now;
	snprintf(k->last_used_ip, sizeof(k->last_used_ip), "%s", ip);
	if ((st = db_stmt(db, sqls[STMT_TOUCH])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now);
	db_bind_text(st, 2, ip[0] ? ip : NULL);
	db_bind_text(st, 3, k->id);
	return db_exec_stmt(st);
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	struct apikey	 k;

	row(st, &k);
	page_add(l, apikey_json(&k, l->now), k.created_at, k.id);
	return 0;
}

int
apikey_list(struct db *db, const char *team, enum key_status status,
    struct lister *l)
{
	return page_rows(db, db_query(db, sqls[STMT_LIST], "tiI", team,
	    (int)status, l->now), 4, l, list_row);
}

cJSON *
apikey_json(const struct apikey *k, int64_t now)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", k->id);
	cJSON_AddStringToObject(o, "name", k->name);
	cJSON_AddItemToObject(o, "scopes", scope_json(k->scopes));
	cJSON_AddStringToObject(o, "keyPrefix", k->prefix);
	json_add_time(o, "createdAt", k->created_at);
	json_add_time(o, "expiresAt", k->expires_at);
	json_add_time(o, "lastUsedAt", k->last_used_at);
	json_add_str(o, "lastUsedIp", k->last_used_ip);
	json_add_time(o, "revokedAt", k->revoked_at);
	cJSON_AddStringToObject(o, "status",
	    key_status_names[apikey_status(k, now)]);
	json_add_str(o, "createdByKeyId", k->created_by);
	json_add_str(o, "createdByMemberId", k->created_by_member);
	json_add_str(o, "holderMemberId", k->holder);
	return o;
}
