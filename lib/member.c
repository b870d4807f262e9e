/*
 * Team members: the struct, its JSON and all of its SQL.  A member joins
 * by accepting an invitation (invite.c) or, for a team's first owner,
 * through uptime-admin.  The rule that a team keeps an owner is the
 * caller's to apply, with member_owners() inside its write transaction.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "ids.h"
#include "json.h"
#include "member.h"
#include "page.h"
#include "scope.h"

const char *const member_role_names[ROLE__MAX] = {
	"owner", "admin", "member", "viewer"
};

#define COLS "id, team_id, email, name, role, joined_at"

enum stmt {
	STMT_GET,
	STMT_BY_EMAIL,
	STMT_INSERT,
	STMT_UPDATE,
	STMT_DELETE,
	STMT_OWNERS,
	STMT_LIST,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_GET */
	"SELECT " COLS " FROM members WHERE team_id = ? AND id = ?",
	/* STMT_BY_EMAIL */
	"SELECT " COLS " FROM members WHERE team_id = ? AND email = ?",
	/* STMT_INSERT */
	"INSERT INTO members (id, team_id, email, name, role, joined_at) "
	"VALUES (?, ?, ?, ?, ?, ?)",
	/* STMT_UPDATE */
	"UPDATE members SET name = ?, role = ? WHERE team_id = ? AND id = ?",
	/* STMT_DELETE */
	"DELETE FROM members WHERE team_id = ? AND id = ?",
	/* STMT_OWNERS */
	"SELECT count(*) FROM members WHERE team_id = ? AND role = 'owner'",
	/* STMT_LIST: ?2 the role or NULL, ?3..?5 the cursor. */
	"SELECT " COLS " FROM members WHERE team_id = ?1"
	" AND (role = ?2 OR ?2 IS NULL)"
	" AND (?3 = 0 OR (joined_at, id) < (?4, ?5))"
	" ORDER BY joined_at DESC, id DESC LIMIT ?6",
};

#define READS	((1u << SCOPE_MONITORS_READ) | (1u << SCOPE_ALERTS_READ) | \
		(1u << SCOPE_STATUS_PAGES_READ) | \
		(1u << SCOPE_MAINTENANCE_READ) | (1u << SCOPE_TEAM_READ))
#define WRITES	((1u << SCOPE_MONITORS_WRITE) | (1u << SCOPE_ALERTS_WRITE) | \
		(1u << SCOPE_STATUS_PAGES_WRITE) | \
		(1u << SCOPE_MAINTENANCE_WRITE))
#define ADMIN	((1u << SCOPE_TEAM_WRITE) | (1u << SCOPE_API_KEYS_READ) | \
		(1u << SCOPE_API_KEYS_WRITE))

unsigned
member_role_scopes(enum member_role role)
{
	switch (role) {
	case ROLE_OWNER:
		return SCOPES_ALL;
	case ROLE_ADMIN:
		return READS | WRITES | ADMIN;
	case ROLE_MEMBER:
		return READS | WRITES;
	case ROLE_VIEWER:
		return READS;
	default:
		return 0;
	}
}

unsigned
member_key_scopes(unsigned key_scopes, int holder_role)
{
	if (holder_role < 0 || holder_role >= ROLE__MAX)
		return 0;
	return key_scopes & member_role_scopes((enum member_role)holder_role);
}

/* Is role a above role b?  enum member_role lists them highest first. */
static int
above(int a, int b)
{
	return a >= 0 && a < b;
}

enum member_check
member_may_set(int actor, int target, int want)
{
	if (actor < 0 || actor >= ROLE__MAX)
		actor = ROLE__MAX;
	if (target >= 0 && above(target, actor))
		return MEMBER_OUTRANKED;
	if (want >= 0 && above(want, actor))
		return MEMBER_ESCALATION;
	return MEMBER_ALLOWED;
}

int
member_role_find(const char *name)
{
	int	 i;

	for (i = 0; i < ROLE__MAX; i++)
		if (strcmp(member_role_names[i], name) == 0)
			return i;
	return -1;
}

int
member_role_get(const cJSON *obj, int flags, struct verrs *v,
    enum member_role *out)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(obj, "role");
	int		 i;

	if (m == NULL) {
		if (flags & JREQ)
			verr_add(v, VERR_INVALID, "/role", "required");
		return flags & JREQ ? -1 : 0;
	}
	if (!cJSON_IsString(m) || (i = member_role_find(m->valuestring)) ==
	    -1) {
		verr_add(v, VERR_INVALID, "/role", "must be one of owner, "
		    "admin, member, viewer");
		return -1;
	}
	*out = (enum member_role)i;
	return 1;
}

/* Read a row of COLS into the struct member at arg. */
static void
row(struct db_stmt *st, void *arg)
{
	struct member	*m = arg;
	char		 role[16];
	int		 i;

	memset(m, 0, sizeof(*m));
	db_col_text(st, 0, m->id, sizeof(m->id));
	db_col_text(st, 1, m->team_id, sizeof(m->team_id));
	db_col_text(st, 2, m->email, sizeof(m->email));
	db_col_text(st, 3, m->name, sizeof(m->name));
	db_col_text(st, 4, role, sizeof(role));
	/* The schema's CHECK keeps the role one of the four. */
	m->role = (i = member_role_find(role)) == -1 ? ROLE_VIEWER :
	    (enum member_role)i;
	m->joined_at = db_col_int64(st, 5);
}

/* Bind team and a second text, then step for one member. */
static int
lookup(struct db *db, enum stmt s, const char *team, const char *v,
    struct member *m)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[s])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	db_bind_text(st, 2, v);
	return db_step_one(st, row, m);
}

int
member_get(struct db *db, const char *team, const char *id,
    struct member *m)
{
	return lookup(db, STMT_GET, team, id, m);
}

int
member_by_email(struct db *db, const char *team, const char *email,
    struct member *m)
{
	return lookup(db, STMT_BY_EMAIL, team, email, m);
}

int
member_insert(struct db *db, struct member *m)
{
	struct db_stmt	*st;

	id_new(m->id, "mem");
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	db_bind_text(st, 2, m->team_id);
	db_bind_text(st, 3, m->email);
	db_bind_text(st, 4, m->name);
	db_bind_text(st, 5, member_role_names[m->role]);
	db_bind_int64(st, 6, m->joined_at);
	return db_exec_stmt(st);
}

int
member_update(struct db *db, const struct member *m)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_UPDATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->name);
	db_bind_text(st, 2, member_role_names[m->role]);
	db_bind_text(st, 3, m->team_id);
	db_bind_text(st, 4, m->id);
	return db_exec_one(st);
}

int
member_delete(struct db *db, const char *team, const char *id)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_DELETE], team, id)) == NULL)
		return DB_ERROR;
	return db_exec_one(st);
}

int
member_owners(struct db *db, const char *team, long *n)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_OWNERS])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	if ((rc = db_step(st)) == DB_ROW) {
		*n = (long)db_col_int64(st, 0);
		rc = DB_OK;
	} else
		rc = db_rc(rc) == DB_OK ? DB_ERROR : db_rc(rc);
	db_reset(st);
	return rc;
}

int
member_last_owner(struct db *db, const struct member *m, int *last)
{
	long	 owners;
	int	 rc;

	*last = 0;
	if (m->role != ROLE_OWNER)
		return DB_OK;
	if ((rc = member_owners(db, m->team_id, &owners)) == DB_OK)
		*last = owners <= 1;
	return rc;
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	struct member	 m;

	row(st, &m);
	page_add(l, member_json(&m), m.joined_at, m.id);
	return 0;
}

int
member_list(struct db *db, const char *team, int role, struct lister *l)
{
	return page_rows(db, db_query(db, sqls[STMT_LIST], "tt", team,
	    role >= 0 && role < ROLE__MAX ? member_role_names[role] : NULL), 3,
	    l, list_row);
}

cJSON *
member_json(const struct member *m)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", m->id);
	cJSON_AddStringToObject(o, "email", m->email);
	cJSON_AddStringToObject(o, "name", m->name);
	cJSON_AddStringToObject(o, "role", member_role_names[m->role]);
	json_add_time(o, "joinedAt", m->joined_at);
	return o;
}
