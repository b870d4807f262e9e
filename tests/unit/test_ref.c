/*
 * Unit tests of lib/ref.c: the shape of a ref, the default made from a
 * name, picking a free one by suffix, ref_default against stored refs,
 * and that schema/015_config_refs.sql gives the objects it back-fills
 * the refs ref_from_name and ref_pick would have given them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uptime.h"
#include "monitor.h"
#include "ref.h"
#include "unit.h"
#include "unit_db.h"

extern const char *const schema_migrations[];
extern const int schema_numbers[];
extern const int schema_count;

static void
test_ref_valid(void)
{
	char	 longest[REF_MAXLEN + 2];

	CHECK_INT(ref_valid("api"), 1);
	CHECK_INT(ref_valid("a"), 1);
	CHECK_INT(ref_valid("0-db_main-2"), 1);
	memset(longest, 'x', REF_MAXLEN);
	longest[REF_MAXLEN] = '\0';
	CHECK_INT(ref_valid(longest), 1);
}

static void
test_ref_valid_negative(void)
{
	char	 toolong[REF_MAXLEN + 2];

	CHECK_INT(ref_valid(""), 0);
	CHECK_INT(ref_valid("-api"), 0);
	CHECK_INT(ref_valid("_api"), 0);
	CHECK_INT(ref_valid("API"), 0);
	CHECK_INT(ref_valid("my api"), 0);
	CHECK_INT(ref_valid("api.v2"), 0);
	CHECK_INT(ref_valid("caf\xc3\xa9"), 0);
	memset(toolong, 'x', REF_MAXLEN + 1);
	toolong[REF_MAXLEN + 1] = '\0';
	CHECK_INT(ref_valid(toolong), 0);
}

static void
test_ref_from_name(void)
{
	static const struct {
		const char	*name, *want;
	} cases[] = {
		{ "API", "api" },
		{ "My API (prod)", "my-api-prod" },
		{ "  my  api: PROD!! ", "my-api-prod" },
		{ "caf\xc3\xa9 2", "caf-2" },
		{ "\xe6\x97\xa5\xe6\x9c\xac", "monitor" },
		{ "--", "monitor" },
		{ "", "monitor" },
		{ "db_main", "db-main" },
	};
	char	 out[REF_MAX], name[128], want[REF_MAX];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ref_from_name(cases[i].name, "monitor", out);
		CHECK_STR(out, cases[i].want);
		CHECK_INT(ref_valid(out), 1);
	}
	/* At most REF_BASEMAX characters, and no "-" left at the end. */
	memset(name, 'x', 100);
	name[100] = '\0';
	ref_from_name(name, "monitor", out);
	CHECK_INT(strlen(out), REF_BASEMAX);
	memset(name, 'a', REF_BASEMAX - 1);
	snprintf(name + REF_BASEMAX - 1, sizeof(name) - REF_BASEMAX + 1,
	    " bcd");
	memset(want, 'a', REF_BASEMAX - 1);
	want[REF_BASEMAX - 1] = '\0';
	ref_from_name(name, "monitor", out);
	CHECK_STR(out, want);
}

/* A set of refs taken: a NULL-terminated list; -1 for "err". */
static int
in_list(const char *ref, void *arg)
{
	const char *const *l = arg;

	for (; *l != NULL; l++) {
		if (strcmp(*l, "err") == 0)
			return -1;
		if (strcmp(*l, ref) == 0)
			return 1;
	}
	return 0;
}

static void
test_ref_pick(void)
{
	static const char *const none[] = { NULL };
	static const char *const two[] = { "api", "api-2", "api-4", NULL };
	static const char *const broken[] = { "err", NULL };
	char	 out[REF_MAX], base[REF_MAX];

	CHECK_INT(ref_pick("api", in_list, (void *)none, out), 0);
	CHECK_STR(out, "api");
	CHECK_INT(ref_pick("api", in_list, (void *)two, out), 0);
	CHECK_STR(out, "api-3");
	CHECK_INT(ref_pick("api", in_list, (void *)broken, out), -1);
	/* The longest base with the longest suffix is still a ref. */
	memset(base, 'z', REF_BASEMAX);
	base[REF_BASEMAX] = '\0';
	CHECK_INT(ref_pick(base, in_list, (void *)none, out), 0);
	CHECK_INT(ref_valid(out), 1);
}

static void
test_ref_default_stored(void)
{
	static const char *const taken = "SELECT 1 FROM monitors WHERE "
	    "team_id = ?1 AND ref = ?2";
	struct monitor	 m;
	char		 out[REF_MAX];
	int		 i;

	udb_open("test_ref");
	for (i = 0; i < 3; i++) {
		monitor_init(&m, 1000 + i);
		snprintf(m.team_id, sizeof(m.team_id), "team_t");
		snprintf(m.name, sizeof(m.name), "Web site");
		cJSON_AddStringToObject(m.config, "url", "https://example.com/");
		CHECK_INT(monitor_insert(udb, &m), DB_OK);
		CHECK_STR(m.ref, i == 0 ? "web-site" : i == 1 ? "web-site-2" :
		    "web-site-3");
		monitor_free(&m);
	}
	/* Per team. */
	CHECK_INT(ref_default(udb, taken, "team_u", "Web site", "monitor",
	    out), DB_OK);
	CHECK_STR(out, "web-site");
	/* A unique index holds them: a ref given twice is refused. */
	monitor_init(&m, 2000);
	snprintf(m.team_id, sizeof(m.team_id), "team_t");
	snprintf(m.name, sizeof(m.name), "Other");
	snprintf(m.ref, sizeof(m.ref), "web-site");
	CHECK_INT(monitor_insert(udb, &m), DB_CONFLICT);
	monitor_free(&m);
	udb_close();
}

/*
 * A database at schema 12 with objects that have no ref, migrated (015 adds refs):
 * each gets what ref_from_name and ref_pick give, oldest first, per team
 * and kind; a cancelled window none.
 */
static void
test_ref_backfill(void)
{
	static const struct {
		const char	*id, *team, *name, *want;
		int		 created;
	} mons[] = {
		{ "mon_1", "team_t", "My API (prod)", "my-api-prod", 1 },
		{ "mon_2", "team_t", "my api prod", "my-api-prod-2", 2 },
		{ "mon_3", "team_t", "\xe6\x97\xa5\xe6\x9c\xac", "monitor", 3 },
		{ "mon_4", "team_t", "!!", "monitor-2", 4 },
		{ "mon_5", "team_u", "My API (prod)", "my-api-prod", 5 },
		{ "mon_6", "team_t", "caf\xc3\xa9 2", "caf-2", 6 },
	};
	char		 err[256], sql[512], out[REF_MAX];
	sqlite3_stmt	*st;
	sqlite3		*h;
	int		 i;

	/* Schema 12 and the rows, written as an older program left them. */
	snprintf(udb_dir, sizeof(udb_dir), "/tmp/test_ref.XXXXXX");
	CHECK(mkdtemp(udb_dir) != NULL);
	snprintf(udb_path, sizeof(udb_path), "%s/t.db", udb_dir);
	CHECK_INT(sqlite3_open(udb_path, &h), SQLITE_OK);
	for (i = 0; i < schema_count && schema_numbers[i] < 13; i++)
		CHECK_INT(sqlite3_exec(h, schema_migrations[i], NULL, NULL,
		    NULL), SQLITE_OK);
	CHECK_INT(sqlite3_exec(h, "PRAGMA user_version = 12; "
	    "INSERT INTO teams (id, name, created_at) VALUES "
	    "('team_t', 't', 0), ('team_u', 'u', 0); "
	    "INSERT INTO maintenance_windows (id, team_id, title, "
	    "starts_at, ends_at, timezone, horizon, cancelled_at, created_at, "
	    "updated_at) VALUES ('mw_1', 'team_t', 'Gone', 0, 1, 'UTC', 1, 1, "
	    "0, 1), ('mw_2', 'team_t', 'Kept', 0, 1, 'UTC', 1, NULL, 0, 1)",
	    NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < (int)(sizeof(mons) / sizeof(mons[0])); i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO monitors (id, team_id, "
		    "name, type, interval_s, timeout_s, confirmations, "
		    "next_check_at, created_at, updated_at) VALUES ('%s', "
		    "'%s', '%s', 'http', 60, 10, 1, 0, %d, %d)", mons[i].id,
		    mons[i].team, mons[i].name, mons[i].created,
		    mons[i].created);
		CHECK_INT(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(h);
	/* Opened by this program: migrated to the last schema. */
	if ((udb = db_open(udb_path, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		CHECK(0);
		return;
	}
	for (i = 0; i < (int)(sizeof(mons) / sizeof(mons[0])); i++) {
		snprintf(sql, sizeof(sql), "SELECT ref FROM monitors WHERE "
		    "id = '%s'", mons[i].id);
		CHECK_INT(sqlite3_prepare_v2(db_handle(udb), sql, -1, &st,
		    NULL), SQLITE_OK);
		CHECK_INT(sqlite3_step(st), SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(st, 0),
		    mons[i].want);
		sqlite3_finalize(st);
		/* The base is ref_from_name's. */
		ref_from_name(mons[i].name, "monitor", out);
		CHECK(strncmp(mons[i].want, out, strlen(out)) == 0);
	}
	CHECK_INT(udb_int("SELECT count(*) FROM maintenance_windows WHERE "
	    "id = 'mw_1' AND ref IS NULL"), 1);
	CHECK_INT(udb_int("SELECT count(*) FROM maintenance_windows WHERE "
	    "id = 'mw_2' AND ref = 'kept'"), 1);
	udb_close();
}

int
main(void)
{
	UNIT_RUN(test_ref_valid);
	UNIT_RUN(test_ref_valid_negative);
	UNIT_RUN(test_ref_from_name);
	UNIT_RUN(test_ref_pick);
	UNIT_RUN(test_ref_default_stored);
	UNIT_RUN(test_ref_backfill);
	return unit_finish();
}
