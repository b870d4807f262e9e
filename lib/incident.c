/*
 * Incidents, their updates and their components: validation, JSON and
 * SQL.  See incident.h and docs/lib/incident.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "db.h"
#include "ids.h"
#include "incident.h"
#include "json.h"
#include "page.h"

const char *const inc_status_names[INC_STATUS__MAX] = {
	"investigating", "identified", "monitoring", "resolved"
};

const char *const inc_filter_names[INC_STATUS__MAX + 1] = {
	"investigating", "identified", "monitoring", "resolved", "open"
};

const char *const inc_impact_names[IMPACT__MAX] = {
	"none", "minor", "major", "critical"
};

#define COLS "id, page_id, team_id, title, status, impact, started_at, " \
	"resolved_at, created_at, updated_at"

enum stmt {
	STMT_INSERT,
	STMT_UPDATE,
	STMT_GET,
	STMT_DELETE,
	STMT_LIST,
	STMT_PAGE_OPEN,
	STMT_PAGE_RESOLVED,
	STMT_PAGE_ANY,
	STMT_UPDATES,
	STMT_UPDATE_INSERT,
	STMT_LINKS,
	STMT_LINKS_DELETE,
	STMT_LINK_INSERT,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO incidents (" COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	"?)",
	/* STMT_UPDATE: what a change may touch (every ?N used: PostgreSQL
	 * cannot type a parameter a statement leaves out). */
	"UPDATE incidents SET title = ?3, status = ?4, impact = ?5, "
	"started_at = ?6, resolved_at = ?7, updated_at = ?8 "
	"WHERE id = ?1 AND team_id = ?2",
	/* STMT_GET */
	"SELECT " COLS " FROM incidents WHERE team_id = ? AND id = ?",
	/* STMT_DELETE: updates and links go with it (cascade). */
	"DELETE FROM incidents WHERE team_id = ? AND id = ?",
	/* STMT_LIST: ?2 page or NULL, ?3 status or NULL, ?4 1 = open only,
	 * ?5..?7 the cursor. */
	"SELECT " COLS " FROM incidents WHERE team_id = ?1"
	" AND (page_id = ?2 OR ?2 IS NULL)"
	" AND (status = ?3 OR ?3 IS NULL)"
	" AND (?4 = 0 OR status <> 'resolved')"
	" AND (?5 = 0 OR (created_at, id) < (?6, ?7))"
	" ORDER BY created_at DESC, id DESC LIMIT ?8",
	/*
	 * STMT_PAGE_OPEN, STMT_PAGE_RESOLVED, STMT_PAGE_ANY: ?1 the page,
	 * ?2 the limit, ?3 since (the resolved ones only: PostgreSQL refuses
	 * a statement with a parameter it does not use before the last).
	 */
	"SELECT " COLS " FROM incidents WHERE page_id = ?1 AND "
	"status <> 'resolved' ORDER BY started_at DESC, id DESC LIMIT ?2",
	"SELECT " COLS " FROM incidents WHERE page_id = ?1 AND "
	"status = 'resolved' AND started_at >= ?3 "
	"ORDER BY started_at DESC, id DESC LIMIT ?2",
	"SELECT " COLS " FROM incidents WHERE page_id = ?1 "
	"ORDER BY updated_at DESC, id DESC LIMIT ?2",
	/* STMT_UPDATES: newest first, in the order they were added. */
	"SELECT id, status, message, created_at FROM incident_updates "
	"WHERE incident_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
	/* STMT_UPDATE_INSERT */
	"INSERT INTO incident_updates (id, incident_id, status, message, "
	"created_at) VALUES (?, ?, ?, ?, ?)",
	/* STMT_LINKS */
	"SELECT component_id FROM incident_components WHERE incident_id = ? "
	"ORDER BY position",
	/* STMT_LINKS_DELETE */
	"DELETE FROM incident_components WHERE incident_id = ?",
	/* STMT_LINK_INSERT */
	"INSERT INTO incident_components (incident_id, component_id, "
	"position) VALUES (?, ?, ?)",
};

void
incident_init(struct incident *inc, int64_t now)
{
	memset(inc, 0, sizeof(*inc));
	inc->status = INC_INVESTIGATING;
	inc->impact = IMPACT_NONE;
	inc->started_at = inc->created_at = inc->updated_at = now;
}

static void
updates_free(struct incident *inc)
{
	size_t	 i;

	for (i = 0; i < inc->nupdates; i++)
		free(inc->updates[i].message);
	free(inc->updates);
	inc->updates = NULL;
	inc->nupdates = 0;
}

void
incident_free(struct incident *inc)
{
	updates_free(inc);
	free(inc->message);
	inc->message = NULL;
}

void
incident_set_status(struct incident *inc, enum inc_status s, int64_t now)
{
	if (s == INC_RESOLVED && inc->status != INC_RESOLVED)
		inc->resolved_at = now;
	else if (s != INC_RESOLVED)
		inc->resolved_at = 0;
	inc->status = s;
	inc->updated_at = now;
}

/* ---- validation ---- */

/* An enum member: its index, -1 when absent, -2 (error added) when bad. */
static int
enum_field(const cJSON *body, const char *name, const char *const *names,
    int n, const char *list, struct verrs *v)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(body, name);
	char		 ptr[64];
	int		 i;

	if (m == NULL)
		return -1;
	if (cJSON_IsString(m) && (i = str_index(names, n, m->valuestring)) !=
	    -1)
		return i;
	snprintf(ptr, sizeof(ptr), "/%s", name);
	verr_add(v, VERR_INVALID, ptr, "must be one of %s", list);
	return -2;
}

#define STATUS_LIST	"investigating, identified, monitoring, resolved"
#define IMPACT_LIST	"none, minor, major, critical"

/* componentIds: components of sp, each once, at most SP_MAXCOMPONENTS. */
static void
apply_components(struct incident *inc, const struct status_page *sp,
    const cJSON *val, struct verrs *v)
{
	const cJSON	*c;
	char		 ptr[64];
	size_t		 n = 0, j;
	int		 i = 0, bad = 0;

	if (!cJSON_IsArray(val) || cJSON_GetArraySize(val) > SP_MAXCOMPONENTS) {
		verr_add(v, VERR_INVALID, "/componentIds", "must be a list of "
		    "at most %d component ids of this status page",
		    SP_MAXCOMPONENTS);
		return;
	}
	cJSON_ArrayForEach(c, val) {
		snprintf(ptr, sizeof(ptr), "/componentIds/%d", i++);
		if (!cJSON_IsString(c) || sp_component(sp, c->valuestring) ==
		    NULL) {
			verr_add(v, VERR_INVALID, ptr, "is not a component of "
			    "this status page");
			bad = 1;
			continue;
		}
		for (j = 0; j < n; j++)
			if (strcmp(inc->component_ids[j], c->valuestring) == 0)
				break;
		if (j < n) {
			verr_add(v, VERR_INVALID, ptr, "is listed twice");
			bad = 1;
			continue;
		}
		snprintf(inc->component_ids[n], ID_MAX, "%s", c->valuestring);
		n++;
	}
	if (!bad) {
		inc->ncomponents = n;
		inc->components_given = 1;
	}
}

static const struct jfield create_fields[] = {
	{ "title", 0 }, { "status", 0 }, { "impact", 0 }, { "message", 0 },
	{ "componentIds", 0 }, { "startedAt", 0 }, { "id", 1 },
	{ "statusPageId", 1 }, { "resolvedAt", 1 }, { "updates", 1 },
	{ "createdAt", 1 }, { "updatedAt", 1 }, { NULL, 0 }
};

static const struct jfield patch_fields[] = {
	{ "title", 0 }, { "impact", 0 }, { "componentIds", 0 },
	{ "startedAt", 0 }, { "status", 1 }, { "id", 1 },
	{ "statusPageId", 1 }, { "resolvedAt", 1 }, { "updates", 1 },
	{ "createdAt", 1 }, { "updatedAt", 1 }, { NULL, 0 }
};

void
incident_apply(struct incident *inc, const struct status_page *sp,
    const cJSON *body, int creating, int64_t now, struct verrs *v)
{
	const cJSON	*c;
	const char	*s;
	int64_t		 t;
	int		 i;

	if (!creating && cJSON_GetObjectItemCaseSensitive(body, "status"))
		verr_add(v, VERR_READONLY, "/status", "change it by posting an "
		    "update: POST /v1/incidents/{id}/updates");
	json_check_fields(body, creating ? create_fields : patch_fields, v);
	if (json_str(body, "title", 1, NAME_MAXCHARS, creating ? JREQ : 0, v,
	    &s, NULL) == 1)
		snprintf(inc->title, sizeof(inc->title), "%s", s);
	if (creating && (i = enum_field(body, "status", inc_status_names,
	    INC_STATUS__MAX, STATUS_LIST, v)) >= 0)
		inc->status = (enum inc_status)i;
	if ((i = enum_field(body, "impact", inc_impact_names, IMPACT__MAX,
	    IMPACT_LIST, v)) >= 0)
		inc->impact = (enum inc_impact)i;
	if (creating && json_str(body, "message", 1, INC_MSGMAX, JREQ, v, &s,
	    NULL) == 1) {
		free(inc->message);
		if ((inc->message = strdup(s)) == NULL)
			verr_add(v, VERR_INVALID, "/message", "is too large");
	}
	if ((c = cJSON_GetObjectItemCaseSensitive(body, "componentIds")) !=
	    NULL)
		apply_components(inc, sp, c, v);
	if (json_time(body, "startedAt", 0, v, &t, NULL) == 1) {
		if (t > now)
			verr_add(v, VERR_INVALID, "/startedAt", "must not be in "
			    "the future");
		else if (!creating && inc->resolved_at != 0 &&
		    t > inc->resolved_at)
			verr_add(v, VERR_INVALID, "/startedAt", "must not be "
			    "after resolvedAt");
		else
			inc->started_at = t;
	}
	if (creating && inc->status == INC_RESOLVED)
		inc->resolved_at = now;
}

void
incident_update_apply(const struct incident *inc, const cJSON *body,
    enum inc_status *status, const char **message, struct verrs *v)
{
	static const struct jfield ufields[] = {
		{ "status", 0 }, { "message", 0 }, { "id", 1 },
		{ "createdAt", 1 }, { NULL, 0 }
	};
	int	 i;

	json_check_fields(body, ufields, v);
	*status = inc->status;
	if ((i = enum_field(body, "status", inc_status_names, INC_STATUS__MAX,
	    STATUS_LIST, v)) >= 0)
		*status = (enum inc_status)i;
	*message = NULL;
	(void)json_str(body, "message", 1, INC_MSGMAX, JREQ, v, message,
	    NULL);
}

int
incident_names(const struct incident *inc, const char *component_id)
{
	size_t	 i;

	for (i = 0; i < inc->ncomponents; i++)
		if (strcmp(inc->component_ids[i], component_id) == 0)
			return 1;
	return 0;
}

/* ---- JSON ---- */

cJSON *
incident_json(const struct incident *inc)
{
	cJSON	*o, *ids, *ups, *u;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "id", inc->id);
	cJSON_AddStringToObject(o, "statusPageId", inc->page_id);
	cJSON_AddStringToObject(o, "title", inc->title);
	cJSON_AddStringToObject(o, "status", inc_status_names[inc->status]);
	cJSON_AddStringToObject(o, "impact", inc_impact_names[inc->impact]);
	json_add_time(o, "startedAt", inc->started_at);
	json_add_time(o, "resolvedAt", inc->resolved_at);
	ids = cJSON_AddArrayToObject(o, "componentIds");
	for (i = 0; ids != NULL && i < inc->ncomponents; i++)
		cJSON_AddItemToArray(ids,
		    cJSON_CreateString(inc->component_ids[i]));
	ups = cJSON_AddArrayToObject(o, "updates");
	for (i = 0; ups != NULL && i < inc->nupdates; i++) {
		u = cJSON_CreateObject();
		cJSON_AddStringToObject(u, "id", inc->updates[i].id);
		cJSON_AddStringToObject(u, "status",
		    inc_status_names[inc->updates[i].status]);
		cJSON_AddStringToObject(u, "message",
		    inc->updates[i].message);
		json_add_time(u, "createdAt", inc->updates[i].created_at);
		cJSON_AddItemToArray(ups, u);
	}
	json_add_time(o, "createdAt", inc->created_at);
	json_add_time(o, "updatedAt", inc->updated_at);
	if (ids == NULL || ups == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- SQL ---- */

static int
col_enum(struct db_stmt *st, int col, const char *const *names, int n)
{
	int	 i = str_index(names, n,
	    db_col_str(st, col));

	return i < 0 ? 0 : i;
}

static void
row(struct db_stmt *st, void *arg)
{
	struct incident	*inc = arg;

	memset(inc, 0, sizeof(*inc));
	db_col_text(st, 0, inc->id, sizeof(inc->id));
	db_col_text(st, 1, inc->page_id, sizeof(inc->page_id));
	db_col_text(st, 2, inc->team_id, sizeof(inc->team_id));
	db_col_text(st, 3, inc->title, sizeof(inc->title));
	inc->status = (enum inc_status)col_enum(st, 4, inc_status_names,
	    INC_STATUS__MAX);
	inc->impact = (enum inc_impact)col_enum(st, 5, inc_impact_names,
	    IMPACT__MAX);
	inc->started_at = db_col_int64(st, 6);
	inc->resolved_at = db_col_int64(st, 7);
	inc->created_at = db_col_int64(st, 8);
	inc->updated_at = db_col_int64(st, 9);
}

/* Load the updates (newest first) and component links of inc. */
static int
details_load(struct db *db, struct incident *inc)
{
	struct db_stmt		*st;
	struct incident_update	*u;
	const char		*msg;
	int			 rc;

	updates_free(inc);
	if ((inc->updates = calloc(INC_MAXUPDATES,
	    sizeof(*inc->updates))) == NULL)
		return DB_ERROR;
	if ((st = db_stmt(db, sqls[STMT_UPDATES])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, inc->id);
	db_bind_int(st, 2, INC_MAXUPDATES);
	while ((rc = db_step(st)) == DB_ROW) {
		u = &inc->updates[inc->nupdates];
		db_col_text(st, 0, u->id, sizeof(u->id));
		u->status = (enum inc_status)col_enum(st, 1, inc_status_names,
		    INC_STATUS__MAX);
		msg = db_col_str(st, 2);
		if ((u->message = strdup(msg ? msg : "")) ==
		    NULL) {
			rc = DB_ERROR;
			break;
		}
		u->created_at = db_col_int64(st, 3);
		inc->nupdates++;
	}
	rc = rc == DB_DONE ? DB_OK : db_rc(rc);
	db_reset(st);
	if (rc != DB_OK)
		return rc;

	inc->ncomponents = 0;
	if ((st = db_stmt(db, sqls[STMT_LINKS])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, inc->id);
	while ((rc = db_step(st)) == DB_ROW &&
	    inc->ncomponents < SP_MAXCOMPONENTS)
		db_col_text(st, 0, inc->component_ids[inc->ncomponents++],
		    ID_MAX);
	rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : db_rc(rc);
	db_reset(st);
	return rc;
}

int
incident_get(struct db *db, const char *team, const char *id,
    struct incident *inc)
{
	struct db_stmt	*st;
	int		 rc;

	memset(inc, 0, sizeof(*inc));
	if ((st = db_stmt_ids(db, sqls[STMT_GET], team, id)) == NULL)
		return DB_ERROR;
	if ((rc = db_step_one(st, row, inc)) == DB_OK &&
	    (rc = details_load(db, inc)) != DB_OK)
		incident_free(inc);
	return rc;
}

/* Replace the incident's component links. */
static int
links_store(struct db *db, const struct incident *inc)
{
	struct db_stmt	*st;
	size_t		 i;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_LINKS_DELETE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, inc->id);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	for (i = 0; i < inc->ncomponents; i++) {
		if ((st = db_stmt(db, sqls[STMT_LINK_INSERT])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, inc->id);
		db_bind_text(st, 2, inc->component_ids[i]);
		db_bind_int64(st, 3, (int64_t)i);
		if ((rc = db_exec_stmt(st)) != DB_OK)
			return rc;
	}
	return DB_OK;
}

int
incident_add_update(struct db *db, struct incident *inc,
    enum inc_status status, const char *message, int64_t now)
{
	struct db_stmt		*st;
	struct incident_update	*ups, *u;
	char			 id[ID_MAX];
	size_t			 i;
	int			 rc;

	id_new(id, "upd");
	if ((st = db_stmt(db, sqls[STMT_UPDATE_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, inc->id);
	db_bind_text(st, 3, inc_status_names[status]);
	db_bind_text(st, 4, message);
	db_bind_int64(st, 5, now);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	/* Newest first in memory too, for the answer. */
	if ((ups = calloc(inc->nupdates + 1, sizeof(*ups))) == NULL)
		return DB_ERROR;
	u = &ups[0];
	snprintf(u->id, sizeof(u->id), "%s", id);
	u->status = status;
	u->created_at = now;
	if ((u->message = strdup(message)) == NULL) {
		free(ups);
		return DB_ERROR;
	}
	for (i = 0; i < inc->nupdates; i++)
		ups[i + 1] = inc->updates[i];
	free(inc->updates);
	inc->updates = ups;
	inc->nupdates++;
	return DB_OK;
}

/* Bind the incident's fields as ?1..?10, in STMT_INSERT's column order. */
static void
bind_incident(struct db_stmt *st, const struct incident *inc)
{
	db_bind_text(st, 1, inc->id);
	db_bind_text(st, 2, inc->page_id);
	db_bind_text(st, 3, inc->team_id);
	db_bind_text(st, 4, inc->title);
	db_bind_text(st, 5, inc_status_names[inc->status]);
	db_bind_text(st, 6, inc_impact_names[inc->impact]);
	db_bind_int64(st, 7, inc->started_at);
	db_bind_time(st, 8, inc->resolved_at);
	db_bind_int64(st, 9, inc->created_at);
	db_bind_int64(st, 10, inc->updated_at);
}

int
incident_insert(struct db *db, struct incident *inc)
{
	struct db_stmt	*st;
	int		 rc;

	id_new(inc->id, "inc");
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	bind_incident(st, inc);
	if ((rc = db_exec_stmt(st)) != DB_OK ||
	    (rc = links_store(db, inc)) != DB_OK)
		return rc;
	return incident_add_update(db, inc, inc->status,
	    inc->message ? inc->message : "", inc->created_at);
}

int
incident_store(struct db *db, struct incident *inc)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_query(db, sqls[STMT_UPDATE], "tttttITI", inc->id,
	    inc->team_id, inc->title, inc_status_names[inc->status],
	    inc_impact_names[inc->impact], inc->started_at, inc->resolved_at,
	    inc->updated_at)) == NULL)
		return DB_ERROR;
	if ((rc = db_exec_one(st)) != DB_OK)
		return rc;
	return inc->components_given ? links_store(db, inc) : DB_OK;
}

int
incident_delete(struct db *db, const char *team, const char *id)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_DELETE], team, id)) == NULL)
		return DB_ERROR;
	return db_exec_one(st);
}

/* Call fn for each row of a prepared and bound incident statement. */
static int
each(struct db *db, struct db_stmt *st,
    int (*fn)(const struct incident *, void *), void *arg)
{
	struct incident	*inc;
	int		 rc = DB_OK, src;

	if ((inc = calloc(1, sizeof(*inc))) == NULL) {
		db_reset(st);
		return DB_ERROR;
	}
	while ((src = db_step(st)) == DB_ROW) {
		row(st, inc);
		if ((rc = details_load(db, inc)) == DB_OK && fn(inc, arg) != 0)
			rc = DB_ERROR;
		incident_free(inc);
		if (rc != DB_OK)
			break;
	}
	if (rc == DB_OK && src != DB_DONE)
		rc = db_rc(src);
	db_reset(st);
	free(inc);
	return rc;
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	struct incident	*inc;
	int		 rc = 0;

	if ((inc = calloc(1, sizeof(*inc))) == NULL)
		return -1;
	row(st, inc);
	if (details_load(l->db, inc) == DB_OK)
		page_add(l, incident_json(inc), inc->created_at, inc->id);
	else
		rc = -1;
	incident_free(inc);
	free(inc);
	return rc;
}

int
incident_list(struct db *db, const char *team,
    const struct incident_filter *f, struct lister *l)
{
	return page_rows(db, db_query(db, sqls[STMT_LIST], "ttti", team,
	    f->page_id, f->status >= 0 && f->status != INC_FILTER_OPEN ?
	    inc_status_names[f->status] : NULL, f->status == INC_FILTER_OPEN),
	    5, l, list_row);
}

int
incident_list_page(struct db *db, const char *page_id, enum inc_which which,
    int64_t since, int limit, int (*fn)(const struct incident *, void *),
    void *arg)
{
	static const enum stmt stmts[INC_WHICH__MAX] = {
		STMT_PAGE_OPEN, STMT_PAGE_RESOLVED, STMT_PAGE_ANY
	};
	struct db_stmt	*st;

	if ((unsigned)which >= INC_WHICH__MAX ||
	    (st = db_stmt(db, sqls[stmts[which]])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, page_id);
	db_bind_int(st, 2, limit);
	db_bind_int64(st, 3, since);
	return each(db, st, fn, arg);
}
