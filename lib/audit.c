/*
 * The audit trail: one event per state-changing request and per refused
 * (401/403) request.  Events of refusals that cannot be tied to a team
 * (an unknown key) are kept with no team: the operator sees them with
 * sqlite3, no team does.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "base.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "page.h"

#define COLS "id, at, key_id, key_prefix, action, method, path, status, " \
	"ip, target_id, member_id"

enum stmt {
	STMT_INSERT,
	STMT_LIST,
	STMT_PRUNE,
	STMT_ACTIONS,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO audit_events (id, team_id, at, key_id, key_prefix, "
	"action, method, path, status, ip, target_id, member_id) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_LIST */
	"SELECT " COLS " FROM audit_events WHERE team_id = ?1"
	" AND (key_id = ?2 OR ?2 IS NULL)"
	" AND (member_id = ?3 OR ?3 IS NULL)"
	" AND (action = ?4 OR ?4 IS NULL)"
	" AND (at >= ?5 OR ?5 IS NULL)"
	" AND (at < ?6 OR ?6 IS NULL)"
	" AND (?7 = 0 OR (at, id) < (?8, ?9))"
	" ORDER BY at DESC, id DESC LIMIT ?10",
	/* STMT_PRUNE */
	"DELETE FROM audit_events WHERE at < ?",
	/* STMT_ACTIONS: among the newest AUDIT_ACTIONS_SCAN, so that the
	 * cost has a bound however long the trail. */
	"SELECT DISTINCT action FROM (SELECT action FROM audit_events"
	" WHERE team_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2) AS recent"
	" ORDER BY action LIMIT ?3",
};

int
audit_record(struct db *db, const char *team, const struct audit_event *ev)
{
	struct db_stmt	*st;
	char		 id[ID_MAX];

	id_new(id, "evt");
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, team);
	db_bind_int64(st, 3, ev->at);
	db_bind_text(st, 4, ev->key_id[0] ? ev->key_id : NULL);
	db_bind_text(st, 5, ev->key_prefix[0] ? ev->key_prefix : NULL);
	db_bind_text(st, 6, ev->action);
	db_bind_text(st, 7, ev->method);
	db_bind_text(st, 8, ev->path);
	db_bind_int(st, 9, ev->status);
	db_bind_text(st, 10, ev->ip[0] ? ev->ip : NULL);
	db_bind_text(st, 11, ev->target_id[0] ? ev->target_id : NULL);
	db_bind_text(st, 12, ev->member_id[0] ? ev->member_id : NULL);
	return db_exec_stmt(st);
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	struct audit_event	 ev;

	memset(&ev, 0, sizeof(ev));
	db_col_text(st, 0, ev.id, sizeof(ev.id));
	ev.at = db_col_int64(st, 1);
	db_col_text(st, 2, ev.key_id, sizeof(ev.key_id));
	db_col_text(st, 3, ev.key_prefix, sizeof(ev.key_prefix));
	db_col_text(st, 4, ev.action, sizeof(ev.action));
	db_col_text(st, 5, ev.method, sizeof(ev.method));
	db_col_text(st, 6, ev.path, sizeof(ev.path));
	ev.status = db_col_int(st, 7);
	db_col_text(st, 8, ev.ip, sizeof(ev.ip));
	db_col_text(st, 9, ev.target_id, sizeof(ev.target_id));
	db_col_text(st, 10, ev.member_id, sizeof(ev.member_id));
	page_add(l, audit_json(&ev), ev.at, ev.id);
	return 0;
}

int
audit_list(struct db *db, const char *team, const struct audit_filter *f,
    struct lister *l)
{
	return page_rows(db, db_query(db, sqls[STMT_LIST], "ttttTT", team,
	    f->key_id, f->member_id, f->action, f->from, f->to), 7, l,
	    list_row);
}

cJSON *
audit_json(const struct audit_event *ev)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", ev->id);
	json_add_time(o, "at", ev->at);
	json_add_str(o, "keyId", ev->key_id);
	json_add_str(o, "keyPrefix", ev->key_prefix);
	json_add_str(o, "memberId", ev->member_id);
	cJSON_AddStringToObject(o, "action", ev->action);
	cJSON_AddStringToObject(o, "method", ev->method);
	cJSON_AddStringToObject(o, "path", ev->path);
	cJSON_AddNumberToObject(o, "status", ev->status);
	json_add_str(o, "ip", ev->ip);
	json_add_str(o, "targetId", ev->target_id);
	return o;
}

int
audit_prune(struct db *db, int64_t before)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_PRUNE])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, before);
	return db_exec_stmt(st);
}

int
audit_actions(struct db *db, const char *team, cJSON **out)
{
	struct db_stmt	*st;
	char		 action[64];
	int		 rc;

	if ((*out = cJSON_CreateArray()) == NULL)
		return DB_ERROR;
	if ((st = db_query(db, sqls[STMT_ACTIONS], "tii", team,
	    AUDIT_ACTIONS_SCAN, AUDIT_ACTIONS_MAX)) == NULL)
		return DB_ERROR;
	while ((rc = db_step(st)) == DB_ROW) {
		db_col_text(st, 0, action, sizeof(action));
		cJSON_AddItemToArray(*out, cJSON_CreateString(action));
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}
