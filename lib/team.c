/*
 * Teams: the owners of everything else.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "ids.h"
#include "json.h"
#include "team.h"
#include "timefmt.h"

enum stmt {
	STMT_INSERT,
	STMT_GET,
	STMT_SET_NAME,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)",
	/* STMT_GET */
	"SELECT id, name, created_at FROM teams WHERE id = ?",
	/* STMT_SET_NAME */
	"UPDATE teams SET name = ? WHERE id = ?",
};

int
team_create(struct db *db, const char *name, struct team *t)
{
	struct db_stmt	*st;

	memset(t, 0, sizeof(*t));
	id_new(t->id, "team");
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->created_at = time_now_ms();
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, t->id);
	db_bind_text(st, 2, t->name);
	db_bind_int64(st, 3, t->created_at);
	return db_exec_stmt(st);
}

int
team_get(struct db *db, const char *id, struct team *t)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_GET])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW) {
		db_col_text(st, 0, t->id, sizeof(t->id));
		db_col_text(st, 1, t->name, sizeof(t->name));
		t->created_at = db_col_int64(st, 2);
		rc = DB_OK;
	} else
		rc = rc == DB_DONE ? DB_NOTFOUND : db_rc(rc);
	db_reset(st);
	return rc;
}

int
team_set_name(struct db *db, const struct team *t)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_SET_NAME])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, t->name);
	db_bind_text(st, 2, t->id);
	return db_exec_one(st);
}

cJSON *
team_json(const struct team *t)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	json_add_time(o, "createdAt", t->created_at);
	return o;
}
