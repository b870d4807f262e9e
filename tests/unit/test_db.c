/*
 * Unit tests of lib/db.c and of the resource modules that sit on it
 * (team.c, apikey.c, audit.c): opening and migrating, pragmas,
 * transactions, the statement cache, keys and their holders, the audit
 * trail, backups, and several processes opening a fresh database at
 * once.
 *
 * Each test works in its own file under a temporary directory that is
 * removed at the end.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"
#include "limit.h"
#include "member.h"
#include "unit.h"
#include "unit_list.h"

static char	 tmpdir[] = "/tmp/uptime-unit-db-XXXXXX";

static void
path_in_tmp(char *out, size_t outlen, const char *name)
{
	snprintf(out, outlen, "%s/%s", tmpdir, name);
}

/* Remove a database file and its WAL companions. */
static void
rm_db(const char *path)
{
	char	 p[512];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-journal", path);
	unlink(p);
}

/* A fresh, migrated database named name; NULL (and a failed check). */
static struct db *
fresh(const char *name, char *path, size_t pathlen)
{
	struct db	*db;
	char		 err[512];

	path_in_tmp(path, pathlen, name);
	rm_db(path);
	err[0] = '\0';
	if ((db = db_open(path, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open %s: %s\n", path, err);
		unit_current_failed = 1;
	}
	return db;
}

/* One integer from a query on a raw handle, or -999. */
static long long
q_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v = -999;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "q_int: %s: %s\n", sql, sqlite3_errmsg(h));
		return v;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One text value (static buffer), or "". */
static const char *
q_text(sqlite3 *h, const char *sql)
{
	static char	 out[256];
	sqlite3_stmt	*st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return out;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static int
table_exists(sqlite3 *h, const char *name)
{
	char	 sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name = '%s'", name);
	return q_int(h, sql) == 1;
}

static void
test_open_migrates(void)
{
	struct db	*db;
	sqlite3		*h;
	char		 path[256];

	CHECK(db_schema_version() >= 1);
	if ((db = fresh("open.db", path, sizeof(path))) == NULL)
		return;
	h = db_handle(db);
	CHECK_INT(q_int(h, "PRAGMA user_version"), db_schema_version());
	CHECK(table_exists(h, "teams"));
	CHECK(table_exists(h, "api_keys"));
	CHECK(table_exists(h, "audit_events"));
	CHECK(!table_exists(h, "no_such_table"));
	CHECK_STR(q_text(h, "PRAGMA integrity_check"), "ok");
	db_close(db);
	rm_db(path);
}

static void
test_pragmas(void)
{
	struct db	*db;
	sqlite3		*h;
	char		 path[256];

	if ((db = fresh("pragmas.db", path, sizeof(path))) == NULL)
		return;
	h = db_handle(db);
	CHECK_STR(q_text(h, "PRAGMA journal_mode"), "wal");
	CHECK_INT(q_int(h, "PRAGMA foreign_keys"), 1);
	CHECK_INT(q_int(h, "PRAGMA busy_timeout"), 5000);
	CHECK_INT(q_int(h, "PRAGMA synchronous"), 1);	/* NORMAL */
	db_close(db);

	/* WAL is a property of the file: a plain connection sees it. */
	{
		sqlite3	*raw;

		CHECK_INT(sqlite3_open(path, &raw), SQLITE_OK);
		CHECK_STR(q_text(raw, "PRAGMA journal_mode"), "wal");
		sqlite3_close(raw);
	}
	rm_db(path);
}

static void
test_reopen_is_noop(void)
{
	struct db	*db;
	struct team	 t, got;
	char		 path[256], err[512];
	long long	 objects, schema_cookie;

	if ((db = fresh("reopen.db", path, sizeof(path))) == NULL)
		return;
	CHECK_INT(team_create(db, "Kept", &t), DB_OK);
	objects = q_int(db_handle(db), "SELECT count(*) FROM sqlite_master");
	schema_cookie = q_int(db_handle(db), "PRAGMA schema_version");
	db_close(db);

	if ((db = db_open(path, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "reopen: %s\n", err);
		CHECK(0);
		rm_db(path);
		return;
	}
	CHECK_INT(q_int(db_handle(db), "PRAGMA user_version"),
	    db_schema_version());
	CHECK_INT(q_int(db_handle(db), "SELECT count(*) FROM sqlite_master"),
	    objects);
	/* No DDL ran: the schema cookie did not move. */
	CHECK_INT(q_int(db_handle(db), "PRAGMA schema_version"), schema_cookie);
	CHECK_INT(team_get(db, t.id, &got), DB_OK);
	CHECK_STR(got.name, "Kept");
	CHECK_INT(db_migrate(db, err, sizeof(err)), 0);
	CHECK_INT(q_int(db_handle(db), "PRAGMA schema_version"), schema_cookie);
	db_close(db);

	/* migrate = 0 on an up-to-date database is fine too. */
	db = db_open(path, 0, err, sizeof(err));
	CHECK(db != NULL);
	db_close(db);
	rm_db(path);
}

static void
test_open_newer_refused(void)
{
	struct db	*db;
	sqlite3		*raw;
	char		 path[256], err[512], sql[64];

	if ((db = fresh("newer.db", path, sizeof(path))) == NULL)
		return;
	db_close(db);
	CHECK_INT(sqlite3_open(path, &raw), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    db_schema_version() + 1);
	CHECK_INT(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);

	err[0] = '\0';
	db = db_open(path, 1, err, sizeof(err));
	CHECK(db == NULL);
	CHECK(strstr(err, "newer") != NULL);
	db_close(db);
	err[0] = '\0';
	db = db_open(path, 0, err, sizeof(err));
	CHECK(db == NULL);
	CHECK(strstr(err, "newer") != NULL);
	db_close(db);

	/* The database was left as it was. */
	CHECK_INT(sqlite3_open(path, &raw), SQLITE_OK);
	CHECK_INT(q_int(raw, "PRAGMA user_version"), db_schema_version() + 1);
	sqlite3_close(raw);
	rm_db(path);
}

static void
test_open_older_without_migrate(void)
{
	struct db	*db;
	char		 path[256], err[512];

	path_in_tmp(path, sizeof(path), "older.db");
	rm_db(path);
	err[0] = '\0';
	db = db_open(path, 0, err, sizeof(err));
	CHECK(db == NULL);
	CHECK(strstr(err, "older") != NULL);
	db_close(db);
	/* With migrate, the same file comes up to date. */
	db = db_open(path, 1, err, sizeof(err));
	CHECK(db != NULL);
	if (db != NULL)
		CHECK_INT(q_int(db_handle(db), "PRAGMA user_version"),
		    db_schema_version());
	db_close(db);
	rm_db(path);
}

static void
test_open_bad_path(void)
{
	struct db	*db;
	char		 path[256], err[512];

	path_in_tmp(path, sizeof(path), "no/such/dir/x.db");
	err[0] = '\0';
	db = db_open(path, 1, err, sizeof(err));
	CHECK(db == NULL);
	CHECK(err[0] != '\0');
	db_close(db);
	/* db_close(NULL) is allowed. */
	db_close(NULL);
}

static const char sql_team_add[] =
    "INSERT INTO teams (id, name, created_at) VALUES (?1, 'T', 1)";

/* db_step's answers, and db_rc folding them into DB_* codes: a row and
 * the end are DB_OK, a constraint DB_CONFLICT, an error DB_ERROR. */
static void
test_db_rc(void)
{
	struct db	*db;
	struct db_stmt	*st;
	char		 path[256];

	CHECK_INT(db_rc(DB_ROW), DB_OK);
	CHECK_INT(db_rc(DB_DONE), DB_OK);
	CHECK_INT(db_rc(DB_BUSY), DB_BUSY);
	CHECK_INT(db_rc(DB_CONFLICT), DB_CONFLICT);
	CHECK_INT(db_rc(DB_ERROR), DB_ERROR);
	if ((db = fresh("rc.db", path, sizeof(path))) == NULL)
		return;
	st = db_query(db, sql_team_add, "t", "team_rc");
	CHECK_INT(db_step(st), DB_DONE);
	CHECK_INT(db_changes(db), 1);
	db_reset(st);
	CHECK_INT(db_step(st), DB_CONFLICT);
	db_reset(st);
	st = db_query(db, sql_team_add, "t", NULL);
	CHECK_INT(db_exec_stmt(st), DB_CONFLICT);
	st = db_prepare(db, "SELECT abs(-9223372036854775807 - 1)");
	CHECK(st != NULL);
	CHECK_INT(db_step(st), DB_ERROR);
	db_finalize(st);
	db_close(db);
}

static void
test_transactions(void)
{
	struct db	*db;
	struct team	 t1, t2, got;
	char		 path[256];

	if ((db = fresh("tx.db", path, sizeof(path))) == NULL)
		return;
	CHECK_INT(db_in_tx(db), 0);

	/* Rolled back: gone. */
	CHECK_INT(db_begin(db), DB_OK);
	CHECK_INT(db_in_tx(db), 1);
	CHECK_INT(sqlite3_get_autocommit(db_handle(db)), 0);
	CHECK_INT(team_create(db, "Rolled back", &t1), DB_OK);
	CHECK_INT(team_get(db, t1.id, &got), DB_OK);
	db_rollback(db);
	CHECK_INT(db_in_tx(db), 0);
	CHECK_INT(sqlite3_get_autocommit(db_handle(db)), 1);
	CHECK_INT(team_get(db, t1.id, &got), DB_NOTFOUND);

	/* Committed: kept. */
	CHECK_INT(db_begin(db), DB_OK);
	CHECK_INT(team_create(db, "Committed", &t2), DB_OK);
	CHECK_INT(db_commit(db), DB_OK);
	CHECK_INT(db_in_tx(db), 0);
	CHECK_INT(sqlite3_get_autocommit(db_handle(db)), 1);
	CHECK_INT(team_get(db, t2.id, &got), DB_OK);

	/* No nesting; the outer transaction survives the refusal. */
	CHECK_INT(db_begin(db), DB_OK);
	CHECK_INT(db_begin(db), DB_ERROR);
	CHECK_INT(sqlite3_get_autocommit(db_handle(db)), 0);
	db_rollback(db);
	CHECK_INT(sqlite3_get_autocommit(db_handle(db)), 1);

	/* Commit without a transaction fails; rollback is harmless. */
	CHECK_INT(db_commit(db), DB_ERROR);
	db_rollback(db);
	CHECK_INT(db_in_tx(db), 0);

	/* What another connection sees. */
	{
		sqlite3	*raw;
		char	 sql[128];

		CHECK_INT(sqlite3_open(path, &raw), SQLITE_OK);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM teams WHERE "
		    "id = '%s'", t2.id);
		CHECK_INT(q_int(raw, sql), 1);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM teams WHERE "
		    "id = '%s'", t1.id);
		CHECK_INT(q_int(raw, sql), 0);
		sqlite3_close(raw);
	}
	db_close(db);
	rm_db(path);
}

static const char sql_count_teams[] = "SELECT count(*) FROM teams WHERE "
    "name = ?";
static const char sql_bad[] = "SELECT nonsense FROM nowhere";
static const char sql_echo[] = "SELECT ?, ?";

static void
test_stmt_cache_and_binds(void)
{
	struct db	*db;
	struct db_stmt	*a, *b;
	char		 path[256], out[8];

	if ((db = fresh("stmt.db", path, sizeof(path))) == NULL)
		return;
	a = db_stmt(db, sql_count_teams);
	CHECK(a != NULL);
	if (a != NULL) {
		db_bind_text(a, 1, "x");
		CHECK_INT(db_step(a), DB_ROW);
	}
	/* The same SQL address gives the same statement, reset and
	 * unbound. */
	b = db_stmt(db, sql_count_teams);
	CHECK(a == b);
	if (b != NULL) {
		CHECK_INT(db_col_count(b), 1);
		CHECK_INT(db_step(b), DB_ROW);
		db_reset(b);
	}
	CHECK(db_stmt(db, sql_bad) == NULL);

	/* db_bind_text(NULL) and db_bind_time(0) are SQL NULL; db_col_text
	 * gives "" for NULL and truncates. */
	b = db_stmt(db, sql_echo);
	CHECK(b != NULL);
	if (b != NULL) {
		db_bind_text(b, 1, NULL);
		db_bind_time(b, 2, 0);
		CHECK_INT(db_step(b), DB_ROW);
		CHECK(db_col_null(b, 0));
		CHECK(db_col_null(b, 1));
		memset(out, 'x', sizeof(out));
		db_col_text(b, 0, out, sizeof(out));
		CHECK_STR(out, "");
		b = db_stmt(db, sql_echo);
		db_bind_text(b, 1, "abcdefghijkl");
		db_bind_time(b, 2, 1771070400000);
		CHECK_INT(db_step(b), DB_ROW);
		db_col_text(b, 0, out, sizeof(out));
		CHECK_STR(out, "abcdefg");
		CHECK_INT(db_col_int64(b, 1), 1771070400000);
		db_reset(b);
	}
	/* db_exec. */
	CHECK_INT(db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
	CHECK(db_exec(db, "THIS IS NOT SQL") != 0);
	db_close(db);
	rm_db(path);
}

static void
test_team(void)
{
	struct db	*db;
	struct team	 t, got;
	char		 path[256];
	int64_t		 before, after;
	cJSON		*j;
	char		*s, want[256], when[TIME_MAX];

	if ((db = fresh("team.db", path, sizeof(path))) == NULL)
		return;
	before = time_now_ms();
	CHECK_INT(team_create(db, "Ops \xc3\xa9quipe", &t), DB_OK);
	after = time_now_ms();
	CHECK(id_valid(t.id, "team"));
	CHECK_STR(t.name, "Ops \xc3\xa9quipe");
	CHECK(t.created_at >= before && t.created_at <= after);

	memset(&got, 0, sizeof(got));
	CHECK_INT(team_get(db, t.id, &got), DB_OK);
	CHECK_STR(got.id, t.id);
	CHECK_STR(got.name, t.name);
	CHECK_INT(got.created_at, t.created_at);
	CHECK_INT(team_get(db, "team_00000000000000000000", &got), DB_NOTFOUND);
	CHECK_INT(team_get(db, "", &got), DB_NOTFOUND);

	j = team_json(&t);
	s = cJSON_PrintUnformatted(j);
	snprintf(want, sizeof(want), "{\"id\":\"%s\",\"name\":\"Ops "
	    "\xc3\xa9quipe\",\"createdAt\":\"%s\"}", t.id,
	    time_format(t.created_at, when));
	CHECK_STR(s, want);
	free(s);
	cJSON_Delete(j);

	/* Two teams, two ids. */
	CHECK_INT(team_create(db, "Other", &got), DB_OK);
	CHECK(strcmp(got.id, t.id) != 0);
	CHECK_INT(q_int(db_handle(db), "SELECT count(*) FROM teams"), 2);
	db_close(db);
	rm_db(path);
}

/*
 * Insert a key as the API does, after the active-key limit (max) in
 * limit.h; its secret goes to secret (KEY_LEN + 1).
 */
static int
add_key(struct db *db, const char *team, const char *name, unsigned scopes,
    int64_t created, int64_t expires, long max, char *secret,
    struct apikey *k)
{
	int	 rc;

	memset(k, 0, sizeof(*k));
	snprintf(k->team_id, sizeof(k->team_id), "%s", team);
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->scopes = scopes;
	k->expires_at = expires;
	key_generate(secret);
	cfg.max_keys = max;
	if ((rc = limit_room(db, LIMIT_KEYS, team, created)) != DB_OK)
		return rc;
	return apikey_insert(db, k, secret, created);
}

static int
hash_of(const char *secret, unsigned char out[KEY_HASHLEN])
{
	key_hash(secret, out);
	return 0;
}

static void
test_apikey_crud(void)
{
	struct db	*db;
	struct team	 t, t2;
	struct apikey	 k, got, other;
	unsigned char	 h[KEY_HASHLEN];
	char		 path[256], secret[KEY_LEN + 1], secret2[KEY_LEN + 1];
	char		 secret3[KEY_LEN + 1];
	int64_t		 now = 1771070400000;

	if ((db = fresh("keys.db", path, sizeof(path))) == NULL)
		return;
	CHECK_INT(team_create(db, "A", &t), DB_OK);
	CHECK_INT(team_create(db, "B", &t2), DB_OK);

	CHECK_INT(add_key(db, t.id, "ci", (1u << SCOPE_MONITORS_READ) |
	    (1u << SCOPE_API_KEYS_WRITE), now, now + 86400000, 50, secret, &k),
	    DB_OK);
	CHECK(id_valid(k.id, "key"));
	CHECK_INT(strlen(k.prefix), 15);
	CHECK(strncmp(k.prefix, secret, 15) == 0);
	CHECK_INT(k.created_at, now);

	/* By team and id; another team sees nothing. */
	memset(&got, 0, sizeof(got));
	CHECK_INT(apikey_get(db, t.id, k.id, &got), DB_OK);
	CHECK_STR(got.id, k.id);
	CHECK_STR(got.team_id, t.id);
	CHECK_STR(got.name, "ci");
	CHECK_INT(got.scopes, (1u << SCOPE_MONITORS_READ) |
	    (1u << SCOPE_API_KEYS_WRITE));
	CHECK_STR(got.prefix, k.prefix);
	CHECK_INT(got.created_at, now);
	CHECK_INT(got.expires_at, now + 86400000);
	CHECK_INT(got.last_used_at, 0);
	CHECK_STR(got.last_used_ip, "");
	CHECK_INT(got.revoked_at, 0);
	CHECK_STR(got.created_by, "");
	CHECK_INT(apikey_get(db, t2.id, k.id, &got), DB_NOTFOUND);
	CHECK_INT(apikey_get(db, t.id, "key_00000000000000000000", &got),
	    DB_NOTFOUND);
	CHECK_INT(apikey_find(db, k.id, &got), DB_OK);
	CHECK_STR(got.team_id, t.id);

	/* The secret is not stored: only its keyed hash. */
	{
		char	 sql[256];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM api_keys "
		    "WHERE instr(key_hash, '%s') > 0 OR key_prefix = '%s'",
		    secret, secret);
		CHECK_INT(q_int(db_handle(db), sql), 0);
		CHECK_INT(q_int(db_handle(db), "SELECT length(key_hash) FROM "
		    "api_keys"), KEY_HASHLEN);
	}

	/* By hash. */
	hash_of(secret, h);
	memset(&got, 0, sizeof(got));
	CHECK_INT(apikey_by_hash(db, h, &got), DB_OK);
	CHECK_STR(got.id, k.id);
	h[0] ^= 1;
	CHECK_INT(apikey_by_hash(db, h, &got), DB_NOTFOUND);

	/* A key made by this one. */
	memset(&other, 0, sizeof(other));
	snprintf(other.team_id, sizeof(other.team_id), "%s", t.id);
	snprintf(other.name, sizeof(other.name), "child");
	snprintf(other.created_by, sizeof(other.created_by), "%s", k.id);
	other.scopes = 1;
	key_generate(secret3);
	CHECK_INT(apikey_insert(db, &other, secret3, now + 1), DB_OK);
	CHECK_INT(apikey_get(db, t.id, other.id, &got), DB_OK);
	CHECK_STR(got.created_by, k.id);
	CHECK_INT(got.expires_at, 0);

	/* The same secret twice: the hash is unique. */
	memset(&other, 0, sizeof(other));
	snprintf(other.team_id, sizeof(other.team_id), "%s", t.id);
	snprintf(other.name, sizeof(other.name), "dup");
	CHECK_INT(apikey_insert(db, &other, secret, now + 2), DB_CONFLICT);
	/* Foreign keys: an unknown team, an unknown creator. */
	memset(&other, 0, sizeof(other));
	snprintf(other.team_id, sizeof(other.team_id),
	    "team_00000000000000000000");
	snprintf(other.name, sizeof(other.name), "orphan");
	key_generate(secret2);
	CHECK_INT(apikey_insert(db, &other, secret2, now), DB_CONFLICT);
	memset(&other, 0, sizeof(other));
	snprintf(other.team_id, sizeof(other.team_id), "%s", t.id);
	snprintf(other.name, sizeof(other.name), "orphan");
	snprintf(other.created_by, sizeof(other.created_by),
	    "key_00000000000000000000");
	CHECK_INT(apikey_insert(db, &other, secret2, now), DB_CONFLICT);

	/* Rotate: the old secret stops, the new one works. */
	key_generate(secret2);
	CHECK_INT(apikey_set_secret(db, &k, secret2), DB_OK);
	CHECK(strncmp(k.prefix, secret2, 15) == 0);
	hash_of(secret, h);
	CHECK_INT(apikey_by_hash(db, h, &got), DB_NOTFOUND);
	hash_of(secret2, h);
	CHECK_INT(apikey_by_hash(db, h, &got), DB_OK);
	CHECK_STR(got.id, k.id);
	CHECK_STR(got.prefix, k.prefix);

	/* Touch. */
	CHECK_INT(apikey_touch(db, &k, "198.51.100.4", now + 5000), DB_OK);
	CHECK_INT(apikey_get(db, t.id, k.id, &got), DB_OK);
	CHECK_INT(got.last_used_at, now + 5000);
	CHECK_STR(got.last_used_ip, "198.51.100.4");

	/* Revoke. */
	CHECK_INT(apikey_status(&got, now), KEY_ACTIVE);
	CHECK_INT(apikey_revoke(db, &k, now + 10000), DB_OK);
	CHECK_INT(apikey_get(db, t.id, k.id, &got), DB_OK);
	CHECK_INT(got.revoked_at, now + 10000);
	CHECK_INT(apikey_status(&got, now + 10000), KEY_REVOKED);
	/* A second revoke keeps the first time. */
	CHECK_INT(apikey_revoke(db, &k, now + 20000), DB_OK);
	CHECK_INT(apikey_get(db, t.id, k.id, &got), DB_OK);
	CHECK_INT(got.revoked_at, now + 10000);

	db_close(db);
	rm_db(path);
}

static void
test_apikey_status_and_json(void)
{
	struct apikey	 k;
	cJSON		*j;
	char		*s;
	int64_t		 now = 1771070400000;

	memset(&k, 0, sizeof(k));
	CHECK_INT(apikey_status(&k, now), KEY_ACTIVE);
	k.expires_at = now + 1;
	CHECK_INT(apikey_status(&k, now), KEY_ACTIVE);
	k.expires_at = now;
	CHECK_INT(apikey_status(&k, now), KEY_EXPIRED);
	k.revoked_at = now - 5;
	CHECK_INT(apikey_status(&k, now), KEY_REVOKED);	/* revoked wins */
	CHECK_STR(key_status_names[KEY_ACTIVE], "active");
	CHECK_STR(key_status_names[KEY_EXPIRED], "expired");
	CHECK_STR(key_status_names[KEY_REVOKED], "revoked");
	CHECK_STR(key_status_names[KEY_ALL], "all");

	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "key_abcdefghij0123456789");
	snprintf(k.name, sizeof(k.name), "ci");
	snprintf(k.prefix, sizeof(k.prefix), "uptime_ABCDEFGH");
	k.scopes = (1u << SCOPE_TEAM_READ) | (1u << SCOPE_MONITORS_READ);
	k.created_at = now;
	j = apikey_json(&k, now);
	s = cJSON_PrintUnformatted(j);
	CHECK_STR(s, "{\"id\":\"key_abcdefghij0123456789\",\"name\":\"ci\","
	    "\"scopes\":[\"monitors:read\",\"team:read\"],"
	    "\"keyPrefix\":\"uptime_ABCDEFGH\","
	    "\"createdAt\":\"2026-02-14T12:00:00.000Z\",\"expiresAt\":null,"
	    "\"lastUsedAt\":null,\"lastUsedIp\":null,\"revokedAt\":null,"
	    "\"status\":\"active\",\"createdByKeyId\":null,"
	    "\"createdByMemberId\":null,\"holderMemberId\":null}");
	free(s);
	cJSON_Delete(j);
}

/*
 * A key is read with its holder's current role: ROLE_OWNER without a
 * holder, -1 once the holder is no longer a member (the id kept);
 * apikey_revoke_held revokes the active keys one member holds.
 */
static void
test_apikey_holder(void)
{
	struct db	*db;
	struct team	 t, t2;
	struct member	 m, other;
	struct apikey	 k, held, got;
	char		 path[256], s[KEY_LEN + 1];
	int64_t		 now = 1771070400000;

	if ((db = fresh("holder.db", path, sizeof(path))) == NULL)
		return;
	CHECK_INT(team_create(db, "A", &t), DB_OK);
	CHECK_INT(team_create(db, "B", &t2), DB_OK);
	memset(&m, 0, sizeof(m));
	snprintf(m.team_id, sizeof(m.team_id), "%s", t.id);
	snprintf(m.email, sizeof(m.email), "ann@example.com");
	snprintf(m.name, sizeof(m.name), "Ann");
	m.role = ROLE_ADMIN;
	CHECK_INT(member_insert(db, &m), DB_OK);
	other = m;
	snprintf(other.email, sizeof(other.email), "bob@example.com");
	CHECK_INT(member_insert(db, &other), DB_OK);

	/* No holder: an owner's key. */
	memset(&k, 0, sizeof(k));
	snprintf(k.team_id, sizeof(k.team_id), "%s", t.id);
	snprintf(k.name, sizeof(k.name), "admin-made");
	k.scopes = SCOPES_ALL;
	key_generate(s);
	CHECK_INT(apikey_insert(db, &k, s, now), DB_OK);
	CHECK_INT(apikey_get(db, t.id, k.id, &got), DB_OK);
	CHECK_STR(got.holder, "");
	CHECK_INT(got.holder_role, ROLE_OWNER);

	/* Held by Ann: her role, as it is now. */
	memset(&held, 0, sizeof(held));
	snprintf(held.team_id, sizeof(held.team_id), "%s", t.id);
	snprintf(held.name, sizeof(held.name), "Ann's");
	snprintf(held.holder, sizeof(held.holder), "%s", m.id);
	held.scopes = SCOPES_ALL;
	key_generate(s);
	CHECK_INT(apikey_insert(db, &held, s, now), DB_OK);
	CHECK_INT(apikey_get(db, t.id, held.id, &got), DB_OK);
	CHECK_STR(got.holder, m.id);
	CHECK_INT(got.holder_role, ROLE_ADMIN);
	m.role = ROLE_VIEWER;
	CHECK_INT(member_update(db, &m), DB_OK);
	CHECK_INT(apikey_find(db, held.id, &got), DB_OK);
	CHECK_INT(got.holder_role, ROLE_VIEWER);

	/* Revoking what Ann holds leaves the other keys; another team's
	 * id revokes nothing. */
	CHECK_INT(apikey_revoke_held(db, t2.id, m.id, now + 1), DB_OK);
	CHECK_INT(apikey_get(db, t.id, held.id, &got), DB_OK);
	CHECK_INT(got.revoked_at, 0);
	CHECK_INT(apikey_revoke_held(db, t.id, m.id, now + 5), DB_OK);
	CHECK_INT(apikey_get(db, t.id, held.id, &got), DB_OK);
	CHECK_INT(got.revoked_at, now + 5);
	CHECK_INT(apikey_revoke_held(db, t.id, m.id, now + 9), DB_OK);
	CHECK_INT(apikey_get(db, t.id, held.id, &got), DB_OK);
	CHECK_INT(got.revoked_at, now + 5);
	CHECK_INT(apikey_get(db, t.id, k.id, &got), DB_OK);
	CHECK_INT(got.revoked_at, 0);

	/* Negative: Ann removed, her key has no role at all. */
	CHECK_INT(member_delete(db, t.id, m.id), DB_OK);
	CHECK_INT(apikey_get(db, t.id, held.id, &got), DB_OK);
	CHECK_STR(got.holder, m.id);
	CHECK_INT(got.holder_role, -1);
	CHECK_INT(member_key_scopes(got.scopes, got.holder_role), 0);
	db_close(db);
	rm_db(path);
}

static void
test_apikey_max_active(void)
{
	struct db	*db;
	struct team	 t, t2;
	struct apikey	 a, b, c;
	char		 path[256], s[KEY_LEN + 1];
	int64_t		 now = 1771070400000;

	if ((db = fresh("max.db", path, sizeof(path))) == NULL)
		return;
	CHECK_INT(team_create(db, "A", &t), DB_OK);
	CHECK_INT(team_create(db, "B", &t2), DB_OK);
	/* Max 2: a expires at now + 1000, b never. */
	CHECK_INT(add_key(db, t.id, "a", 1, now, now + 1000, 2, s, &a), DB_OK);
	CHECK_INT(add_key(db, t.id, "b", 1, now, 0, 2, s, &b), DB_OK);
	CHECK_INT(add_key(db, t.id, "c", 1, now + 1, 0, 2, s, &c),
	    DB_CONFLICT);
	CHECK_INT(q_int(db_handle(db), "SELECT count(*) FROM api_keys"), 2);
	/* Another team has its own count. */
	CHECK_INT(add_key(db, t2.id, "x", 1, now, 0, 2, s, &c), DB_OK);
	/* Once a has expired it no longer counts. */
	CHECK_INT(add_key(db, t.id, "c", 1, now + 999, 0, 2, s, &c),
	    DB_CONFLICT);
	CHECK_INT(add_key(db, t.id, "c", 1, now + 1000, 0, 2, s, &c), DB_OK);
	/* A revoked key does not count either. */
	CHECK_INT(add_key(db, t.id, "d", 1, now + 2000, 0, 2, s, &a),
	    DB_CONFLICT);
	CHECK_INT(apikey_revoke(db, &b, now + 2000), DB_OK);
	CHECK_INT(add_key(db, t.id, "d", 1, now + 2000, 0, 2, s, &a), DB_OK);
	CHECK_INT(add_key(db, t.id, "e", 1, now + 2000, 0, 2, s, &a),
	    DB_CONFLICT);
	db_close(db);
	rm_db(path);
}

struct idlist {
	char	 ids[16][ID_MAX];
	int64_t	 t[16];
	int	 n;
};

static int
list_keys(struct db *db, const char *team, enum key_status st,
    const struct page *pg, int limit, int64_t now, struct idlist *l)
{
	struct ulist	 u;
	int		 rc, i;

	memset(l, 0, sizeof(*l));
	rc = apikey_list(db, team, st, ulist(&u, pg, limit, now));
	for (l->n = ulist_n(&u), i = 0; i < l->n && i < 16; i++) {
		snprintf(l->ids[i], ID_MAX, "%s", ulist_str(&u, i, "id"));
		if (time_parse(ulist_str(&u, i, "createdAt"), &l->t[i]) == -1)
			l->t[i] = -1;
	}
	ulist_free(&u);
	return rc;
}

/* Check a list against the expected ids, in order. */
static void
check_ids(const struct idlist *l, const char *const *want, int n, int line)
{
	int	 i;

	if (l->n != n) {
		fprintf(stderr, "%s:%d: %d rows, want %d\n", __FILE__, line,
		    l->n, n);
		unit_current_failed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		if (strcmp(l->ids[i], want[i]) != 0) {
			fprintf(stderr, "%s:%d: row %d is %s, want %s\n",
			    __FILE__, line, i, l->ids[i], want[i]);
			unit_current_failed = 1;
		}
}

#define IDS(l, ...) do {						\
	const char *const w_[] = { __VA_ARGS__ };			\
	check_ids((l), w_, (int)(sizeof(w_) / sizeof(w_[0])), __LINE__); \
} while (0)

static void
test_apikey_list(void)
{
	struct db	*db;
	struct team	 t, t2;
	struct apikey	 k1, k2, k3, k4, k5, k6, x;
	struct page	 pg;
	struct idlist	 l;
	char		 path[256], s[KEY_LEN + 1];
	const char	*hi, *lo;
	int64_t		 now = 10000;

	if ((db = fresh("list.db", path, sizeof(path))) == NULL)
		return;
	CHECK_INT(team_create(db, "A", &t), DB_OK);
	CHECK_INT(team_create(db, "B", &t2), DB_OK);
	CHECK_INT(add_key(db, t.id, "k1", 1, 1000, 0, 50, s, &k1), DB_OK);
	CHECK_INT(add_key(db, t.id, "k2", 1, 2000, 0, 50, s, &k2), DB_OK);
	CHECK_INT(apikey_revoke(db, &k2, 2500), DB_OK);
	CHECK_INT(add_key(db, t.id, "k3", 1, 3000, 3500, 50, s, &k3), DB_OK);
	CHECK_INT(add_key(db, t.id, "k4", 1, 4000, 0, 50, s, &k4), DB_OK);
	CHECK_INT(add_key(db, t.id, "k5", 1, 5000, 20000, 50, s, &k5), DB_OK);
	CHECK_INT(add_key(db, t.id, "k6", 1, 5000, 0, 50, s, &k6), DB_OK);
	CHECK_INT(add_key(db, t2.id, "x", 1, 6000, 0, 50, s, &x), DB_OK);
	/* k5 and k6 share a time: the larger id comes first. */
	hi = strcmp(k5.id, k6.id) > 0 ? k5.id : k6.id;
	lo = strcmp(k5.id, k6.id) > 0 ? k6.id : k5.id;

	memset(&pg, 0, sizeof(pg));
	pg.perpage = 50;
	CHECK_INT(list_keys(db, t.id, KEY_ACTIVE, &pg, 51, now, &l), DB_OK);
	IDS(&l, hi, lo, k4.id, k1.id);
	CHECK_INT(list_keys(db, t.id, KEY_REVOKED, &pg, 51, now, &l), DB_OK);
	IDS(&l, k2.id);
	CHECK_INT(list_keys(db, t.id, KEY_EXPIRED, &pg, 51, now, &l), DB_OK);
	IDS(&l, k3.id);
	CHECK_INT(list_keys(db, t.id, KEY_ALL, &pg, 51, now, &l), DB_OK);
	IDS(&l, hi, lo, k4.id, k3.id, k2.id, k1.id);
	CHECK_INT(list_keys(db, t2.id, KEY_ALL, &pg, 51, now, &l), DB_OK);
	IDS(&l, x.id);
	CHECK_INT(list_keys(db, "team_00000000000000000000", KEY_ALL, &pg, 51,
	    now, &l), DB_OK);
	CHECK_INT(l.n, 0);

	/* Expiry is judged at the given time: at 3499 k3 is active, at
	 * 3500 expired. */
	CHECK_INT(list_keys(db, t.id, KEY_EXPIRED, &pg, 51, 3499, &l), DB_OK);
	CHECK_INT(l.n, 0);
	CHECK_INT(list_keys(db, t.id, KEY_EXPIRED, &pg, 51, 3500, &l), DB_OK);
	IDS(&l, k3.id);
	CHECK_INT(list_keys(db, t.id, KEY_ACTIVE, &pg, 51, 3499, &l), DB_OK);
	IDS(&l, hi, lo, k4.id, k3.id, k1.id);
	/* And k5 expires at 20000. */
	CHECK_INT(list_keys(db, t.id, KEY_ACTIVE, &pg, 51, 20000, &l), DB_OK);
	IDS(&l, k6.id, k4.id, k1.id);

	/* Pages of two, walking with the cursor of the last row. */
	CHECK_INT(list_keys(db, t.id, KEY_ALL, &pg, 2, now, &l), DB_OK);
	IDS(&l, hi, lo);
	pg.has_cursor = 1;
	pg.c_time = 5000;
	snprintf(pg.c_id, sizeof(pg.c_id), "%s", lo);
	CHECK_INT(list_keys(db, t.id, KEY_ALL, &pg, 2, now, &l), DB_OK);
	IDS(&l, k4.id, k3.id);
	pg.c_time = 3000;
	snprintf(pg.c_id, sizeof(pg.c_id), "%s", k3.id);
	CHECK_INT(list_keys(db, t.id, KEY_ALL, &pg, 2, now, &l), DB_OK);
	IDS(&l, k2.id, k1.id);
	pg.c_time = 1000;
	snprintf(pg.c_id, sizeof(pg.c_id), "%s", k1.id);
	CHECK_INT(list_keys(db, t.id, KEY_ALL, &pg, 2, now, &l), DB_OK);
	CHECK_INT(l.n, 0);
	/* A cursor between two rows of the same time. */
	pg.c_time = 5000;
	snprintf(pg.c_id, sizeof(pg.c_id), "%s", hi);
	CHECK_INT(list_keys(db, t.id, KEY_ALL, &pg, 2, now, &l), DB_OK);
	IDS(&l, lo, k4.id);
	/* The cursor applies with a status filter too. */
	CHECK_INT(list_keys(db, t.id, KEY_ACTIVE, &pg, 10, now, &l), DB_OK);
	IDS(&l, lo, k4.id, k1.id);

	memset(&pg, 0, sizeof(pg));
	CHECK_INT(list_keys(db, t.id, KEY_ALL, &pg, 10, now, &l), DB_OK);
	CHECK_INT(l.n, 6);
	db_close(db);
	rm_db(path);
}

struct evlist {
	struct audit_event	 ev[16];
	int			 n;
};

static void
ev_init(struct audit_event *ev, int64_t at, const char *key,
    const char *action, int status)
{
	memset(ev, 0, sizeof(*ev));
	ev->at = at;
	snprintf(ev->key_id, sizeof(ev->key_id), "%s", key);
	snprintf(ev->key_prefix, sizeof(ev->key_prefix), "%s",
	    key[0] ? "uptime_ABCDEFGH" : "");
	snprintf(ev->action, sizeof(ev->action), "%s", action);
	snprintf(ev->method, sizeof(ev->method), "POST");
	snprintf(ev->path, sizeof(ev->path), "/v1/api-keys");
	ev->status = status;
	snprintf(ev->ip, sizeof(ev->ip), "203.0.113.9");
}

/* The team's events that pass f, a page of at most limit, into l. */
static int
list_f(struct db *db, const char *team, const struct audit_filter *f,
    const struct page *pg, int limit, struct evlist *l)
{
	struct audit_event	*ev;
	struct ulist		 u;
	const cJSON		*o;
	int			 rc, i;

	memset(l, 0, sizeof(*l));
	rc = audit_list(db, team, f, ulist(&u, pg, limit, 0));
	for (l->n = ulist_n(&u), i = 0; i < l->n && i < 16; i++) {
		ev = &l->ev[i];
		o = cJSON_GetArrayItem(ulist_items(&u), i);
		snprintf(ev->id, sizeof(ev->id), "%s", ulist_str(&u, i, "id"));
		if (time_parse(ulist_str(&u, i, "at"), &ev->at) == -1)
			ev->at = -1;
		snprintf(ev->key_id, sizeof(ev->key_id), "%s",
		    ulist_str(&u, i, "keyId"));
		snprintf(ev->key_prefix, sizeof(ev->key_prefix), "%s",
		    ulist_str(&u, i, "keyPrefix"));
		snprintf(ev->member_id, sizeof(ev->member_id), "%s",
		    ulist_str(&u, i, "memberId"));
		snprintf(ev->action, sizeof(ev->action), "%s",
		    ulist_str(&u, i, "action"));
		snprintf(ev->method, sizeof(ev->method), "%s",
		    ulist_str(&u, i, "method"));
		snprintf(ev->path, sizeof(ev->path), "%s",
		    ulist_str(&u, i, "path"));
		ev->status = cJSON_GetObjectItem(o, "status")->valueint;
		snprintf(ev->ip, sizeof(ev->ip), "%s", ulist_str(&u, i, "ip"));
		snprintf(ev->target_id, sizeof(ev->target_id), "%s",
		    ulist_str(&u, i, "targetId"));
	}
	ulist_free(&u);
	return rc;
}

static int
list_ev(struct db *db, const char *team, const char *key, const char *action,
    int64_t from, int64_t to, const struct page *pg, int limit,
    struct evlist *l)
{
	struct audit_filter	 f;

	memset(&f, 0, sizeof(f));
	f.key_id = key;
	f.action = action;
	f.from = from;
	f.to = to;
	return list_f(db, team, &f, pg, limit, l);
}

/* Are the rows newest first, ties by id descending? */
static int
ordered(const struct evlist *l)
{
	int	 i;

	for (i = 1; i < l->n && i < 16; i++)
		if (l->ev[i - 1].at < l->ev[i].at ||
		    (l->ev[i - 1].at == l->ev[i].at &&
		    strcmp(l->ev[i - 1].id, l->ev[i].id) <= 0))
			return 0;
	return 1;
}

static void
test_audit(void)
{
	struct db		*db;
	struct team		 t, t2;
	struct audit_event	 ev;
	struct page		 pg;
	struct evlist		 l;
	char			 path[256];
	const char		*k1 = "key_11111111111111111111";
	const char		*k2 = "key_22222222222222222222";
	int			 i;

	if ((db = fresh("audit.db", path, sizeof(path))) == NULL)
		return;
	CHECK_INT(team_create(db, "A", &t), DB_OK);
	CHECK_INT(team_create(db, "B", &t2), DB_OK);

	ev_init(&ev, 1000, k1, "api_key.created", 201);
	snprintf(ev.target_id, sizeof(ev.target_id), "%s", k2);
	CHECK_INT(audit_record(db, t.id, &ev), DB_OK);
	ev_init(&ev, 2000, k2, "api_key.revoked", 200);
	CHECK_INT(audit_record(db, t.id, &ev), DB_OK);
	ev_init(&ev, 3000, k1, "api_key.revoked", 200);
	CHECK_INT(audit_record(db, t.id, &ev), DB_OK);
	ev_init(&ev, 4000, k1, "auth.forbidden", 403);
	CHECK_INT(audit_record(db, t.id, &ev), DB_OK);
	ev_init(&ev, 4000, k2, "api_key.created", 201);
	CHECK_INT(audit_record(db, t.id, &ev), DB_OK);
	ev_init(&ev, 2500, k1, "api_key.created", 201);
	CHECK_INT(audit_record(db, t2.id, &ev), DB_OK);
	/* A refusal tied to no team, and no key, no ip. */
	ev_init(&ev, 3500, "", "auth.failed", 401);
	ev.ip[0] = '\0';
	CHECK_INT(audit_record(db, NULL, &ev), DB_OK);
	/* An unknown team is refused by the foreign key. */
	ev_init(&ev, 3600, "", "auth.failed", 401);
	CHECK_INT(audit_record(db, "team_00000000000000000000", &ev),
	    DB_CONFLICT);

	memset(&pg, 0, sizeof(pg));
	CHECK_INT(list_ev(db, t.id, NULL, NULL, 0, 0, &pg, 50, &l), DB_OK);
	CHECK_INT(l.n, 5);
	CHECK(ordered(&l));
	for (i = 0; i < l.n && i < 16; i++)
		CHECK(id_valid(l.ev[i].id, "evt"));
	if (l.n == 5) {
		CHECK_INT(l.ev[2].at, 3000);
		CHECK_INT(l.ev[4].at, 1000);
		/* Every field comes back. */
		CHECK_STR(l.ev[4].key_id, k1);
		CHECK_STR(l.ev[4].key_prefix, "uptime_ABCDEFGH");
		CHECK_STR(l.ev[4].action, "api_key.created");
		CHECK_STR(l.ev[4].method, "POST");
		CHECK_STR(l.ev[4].path, "/v1/api-keys");
		CHECK_INT(l.ev[4].status, 201);
		CHECK_STR(l.ev[4].ip, "203.0.113.9");
		CHECK_STR(l.ev[4].target_id, k2);
		CHECK_STR(l.ev[3].target_id, "");
	}

	/* Filters. */
	CHECK_INT(list_ev(db, t.id, k1, NULL, 0, 0, &pg, 50, &l), DB_OK);
	CHECK_INT(l.n, 3);
	for (i = 0; i < l.n && i < 16; i++)
		CHECK_STR(l.ev[i].key_id, k1);
	CHECK_INT(list_ev(db, t.id, NULL, "api_key.revoked", 0, 0, &pg, 50,
	    &l), DB_OK);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_INT(l.ev[0].at, 3000);
		CHECK_INT(l.ev[1].at, 2000);
	}
	CHECK_INT(list_ev(db, t.id, k2, "api_key.created", 0, 0, &pg, 50, &l),
	    DB_OK);
	CHECK_INT(l.n, 1);
	/* from is inclusive, to exclusive. */
	CHECK_INT(list_ev(db, t.id, NULL, NULL, 2000, 4000, &pg, 50, &l),
	    DB_OK);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_INT(l.ev[0].at, 3000);
		CHECK_INT(l.ev[1].at, 2000);
	}
	CHECK_INT(list_ev(db, t.id, NULL, NULL, 2001, 0, &pg, 50, &l), DB_OK);
	CHECK_INT(l.n, 3);
	CHECK_INT(list_ev(db, t.id, NULL, NULL, 0, 1001, &pg, 50, &l), DB_OK);
	CHECK_INT(l.n, 1);
	CHECK_INT(list_ev(db, t.id, "key_33333333333333333333", NULL, 0, 0,
	    &pg, 50, &l), DB_OK);
	CHECK_INT(l.n, 0);
	/* The other team sees its own event only. */
	CHECK_INT(list_ev(db, t2.id, NULL, NULL, 0, 0, &pg, 50, &l), DB_OK);
	CHECK_INT(l.n, 1);
	if (l.n == 1)
		CHECK_INT(l.ev[0].at, 2500);

	/* Pages of two. */
	CHECK_INT(list_ev(db, t.id, NULL, NULL, 0, 0, &pg, 2, &l), DB_OK);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		struct evlist	 l2;

		CHECK_INT(l.ev[0].at, 4000);
		CHECK_INT(l.ev[1].at, 4000);
		pg.has_cursor = 1;
		pg.c_time = l.ev[1].at;
		snprintf(pg.c_id, sizeof(pg.c_id), "%s", l.ev[1].id);
		CHECK_INT(list_ev(db, t.id, NULL, NULL, 0, 0, &pg, 2, &l2),
		    DB_OK);
		CHECK_INT(l2.n, 2);
		if (l2.n == 2) {
			CHECK_INT(l2.ev[0].at, 3000);
			CHECK_INT(l2.ev[1].at, 2000);
		}
		/* Between the two of the same time. */
		snprintf(pg.c_id, sizeof(pg.c_id), "%s", l.ev[0].id);
		CHECK_INT(list_ev(db, t.id, NULL, NULL, 0, 0, &pg, 1, &l2),
		    DB_OK);
		CHECK_INT(l2.n, 1);
		if (l2.n == 1)
			CHECK_STR(l2.ev[0].id, l.ev[1].id);
	}

	/* JSON: empty strings are null. */
	{
		cJSON		*j;
		char		*s;

		ev_init(&ev, 1771070400000, "", "auth.failed", 401);
		snprintf(ev.id, sizeof(ev.id), "evt_abcdefghij0123456789");
		ev.ip[0] = '\0';
		j = audit_json(&ev);
		s = cJSON_PrintUnformatted(j);
		CHECK_STR(s, "{\"id\":\"evt_abcdefghij0123456789\","
		    "\"at\":\"2026-02-14T12:00:00.000Z\",\"keyId\":null,"
		    "\"keyPrefix\":null,\"memberId\":null,"
		    "\"action\":\"auth.failed\","
		    "\"method\":\"POST\",\"path\":\"/v1/api-keys\","
		    "\"status\":401,\"ip\":null,\"targetId\":null}");
		free(s);
		cJSON_Delete(j);
	}

	/* Pruning: everything before 3000, whatever the team. */
	CHECK_INT(q_int(db_handle(db), "SELECT count(*) FROM audit_events"), 7);
	CHECK_INT(audit_prune(db, 3000), DB_OK);
	CHECK_INT(q_int(db_handle(db), "SELECT count(*) FROM audit_events"), 4);
	CHECK_INT(q_int(db_handle(db), "SELECT min(at) FROM audit_events"),
	    3000);
	memset(&pg, 0, sizeof(pg));
	CHECK_INT(list_ev(db, t.id, NULL, NULL, 0, 0, &pg, 50, &l), DB_OK);
	CHECK_INT(l.n, 3);
	CHECK_INT(list_ev(db, t2.id, NULL, NULL, 0, 0, &pg, 50, &l), DB_OK);
	CHECK_INT(l.n, 0);

	/* The member who acted comes back, and filters (with the key). */
	{
		struct audit_filter	 f;
		const char		*m1 = "mem_11111111111111111111";

		ev_init(&ev, 4500, k1, "team.updated", 200);
		snprintf(ev.member_id, sizeof(ev.member_id), "%s", m1);
		CHECK_INT(audit_record(db, t.id, &ev), DB_OK);
		ev_init(&ev, 4600, "", "session.created", 303);
		snprintf(ev.member_id, sizeof(ev.member_id), "%s", m1);
		CHECK_INT(audit_record(db, t.id, &ev), DB_OK);
		memset(&f, 0, sizeof(f));
		f.member_id = m1;
		CHECK_INT(list_f(db, t.id, &f, &pg, 50, &l), DB_OK);
		CHECK_INT(l.n, 2);
		if (l.n == 2) {
			CHECK_STR(l.ev[0].member_id, m1);
			CHECK_STR(l.ev[0].key_id, "");
			CHECK_STR(l.ev[1].member_id, m1);
			CHECK_STR(l.ev[1].key_id, k1);
		}
		f.key_id = k1;
		CHECK_INT(list_f(db, t.id, &f, &pg, 50, &l), DB_OK);
		CHECK_INT(l.n, 1);
		f.key_id = NULL;
		f.member_id = "mem_22222222222222222222";
		CHECK_INT(list_f(db, t.id, &f, &pg, 50, &l), DB_OK);
		CHECK_INT(l.n, 0);
		/* The other team does not see them. */
		f.member_id = m1;
		CHECK_INT(list_f(db, t2.id, &f, &pg, 50, &l), DB_OK);
		CHECK_INT(l.n, 0);
		/* Events without one have none. */
		CHECK_INT(list_ev(db, t.id, NULL, NULL, 0, 0, &pg, 50, &l),
		    DB_OK);
		CHECK_INT(l.n, 5);
		if (l.n == 5)
			CHECK_STR(l.ev[4].member_id, "");
	}
	db_close(db);
	rm_db(path);
}

static void
test_backup(void)
{
	struct db	*db;
	struct team	 t;
	struct apikey	 k;
	struct stat	 sb;
	sqlite3		*raw;
	char		 path[256], copy[256], err[512], s[KEY_LEN + 1];
	char		 sql[128];
	mode_t		 old;

	if ((db = fresh("backup.db", path, sizeof(path))) == NULL)
		return;
	CHECK_INT(team_create(db, "Backed up", &t), DB_OK);
	CHECK_INT(add_key(db, t.id, "k", 3, 1000, 0, 50, s, &k), DB_OK);

	path_in_tmp(copy, sizeof(copy), "backup-copy.db");
	rm_db(copy);
	old = umask(0);		/* the copy is 0600 whatever the umask */
	err[0] = '\0';
	CHECK_INT(db_backup(db, copy, err, sizeof(err)), 0);
	umask(old);
	if (err[0] != '\0')
		fprintf(stderr, "db_backup: %s\n", err);
	CHECK_INT(stat(copy, &sb), 0);
	CHECK_INT(sb.st_mode & 07777, 0600);

	/* It holds the same rows and schema version. */
	CHECK_INT(sqlite3_open_v2(copy, &raw, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	CHECK_INT(q_int(raw, "PRAGMA user_version"), db_schema_version());
	CHECK_INT(q_int(raw, "SELECT count(*) FROM teams"), 1);
	snprintf(sql, sizeof(sql), "SELECT name FROM teams WHERE id = '%s'",
	    t.id);
	CHECK_STR(q_text(raw, sql), "Backed up");
	snprintf(sql, sizeof(sql), "SELECT scopes FROM api_keys WHERE id = "
	    "'%s'", k.id);
	CHECK_INT(q_int(raw, sql), 3);
	CHECK_STR(q_text(raw, "PRAGMA integrity_check"), "ok");
	sqlite3_close(raw);

	/* An existing path is refused and left alone. */
	err[0] = '\0';
	CHECK_INT(db_backup(db, copy, err, sizeof(err)), -1);
	CHECK(strstr(err, "exists") != NULL);
	CHECK_INT(stat(copy, &sb), 0);
	/* So is an existing empty file. */
	{
		char	 empty[256];
		int	 fd;

		path_in_tmp(empty, sizeof(empty), "empty");
		fd = open(empty, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(fd != -1);
		close(fd);
		CHECK_INT(db_backup(db, empty, err, sizeof(err)), -1);
		CHECK_INT(stat(empty, &sb), 0);
		CHECK_INT(sb.st_size, 0);
		unlink(empty);
	}
	/* A directory that does not exist. */
	path_in_tmp(copy, sizeof(copy), "no/such/dir/copy.db");
	CHECK_INT(db_backup(db, copy, err, sizeof(err)), -1);

	db_close(db);
	path_in_tmp(copy, sizeof(copy), "backup-copy.db");
	rm_db(copy);
	rm_db(path);
}

#define NPROC	8
#ifndef ROUNDS
#define ROUNDS	16
#endif

/*
 * NPROC processes open the same new file at the same moment (released
 * together through a pipe).  Every one must succeed, and the schema must
 * be there once.  The race is short, so it is run ROUNDS times on fresh
 * files; the first failure ends the test.
 */
static void
test_concurrent_first_open(void)
{
	char	 path[256], name[64];
	pid_t	 pids[NPROC];
	int	 round, i, status, fds[2], failed;
	sqlite3	*raw;

	for (round = 0; round < ROUNDS; round++) {
		snprintf(name, sizeof(name), "race-%d.db", round);
		path_in_tmp(path, sizeof(path), name);
		rm_db(path);
		if (pipe(fds) == -1) {
			CHECK(0);
			return;
		}
		fflush(NULL);
		for (i = 0; i < NPROC; i++) {
			if ((pids[i] = fork()) == -1) {
				CHECK(0);
				pids[i] = 0;
				continue;
			}
			if (pids[i] == 0) {
				struct db	*db;
				char		 err[512], c;
				ssize_t		 n;

				close(fds[1]);
				n = read(fds[0], &c, 1);	/* wait for EOF */
				(void)n;
				err[0] = '\0';
				if ((db = db_open(path, 1, err,
				    sizeof(err))) == NULL) {
					fprintf(stderr, "child %d: %s\n", i,
					    err);
					_exit(1);
				}
				db_close(db);
				_exit(0);
			}
		}
		close(fds[0]);
		close(fds[1]);		/* go */
		failed = 0;
		for (i = 0; i < NPROC; i++) {
			if (pids[i] == 0)
				continue;
			status = -1;
			waitpid(pids[i], &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed++;
		}
		CHECK_INT(failed, 0);

		CHECK_INT(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY,
		    NULL), SQLITE_OK);
		CHECK_INT(q_int(raw, "PRAGMA user_version"),
		    db_schema_version());
		CHECK_STR(q_text(raw, "PRAGMA journal_mode"), "wal");
		CHECK(table_exists(raw, "teams"));
		CHECK(table_exists(raw, "api_keys"));
		CHECK(table_exists(raw, "audit_events"));
		CHECK_INT(q_int(raw, "SELECT count(*) FROM sqlite_master WHERE "
		    "name = 'teams'"), 1);
		CHECK_STR(q_text(raw, "PRAGMA integrity_check"), "ok");
		sqlite3_close(raw);
		rm_db(path);
		if (unit_current_failed)
			break;
	}
}

/*
 * Another process holds the write lock of a new database while this one
 * opens it (as when it is in the middle of creating it).  db_open must
 * wait for the lock, up to its busy timeout, rather than fail at once.
 * The lock is held for 300 ms; the child's open must succeed.
 */
static void
test_first_open_waits_for_lock(void)
{
	char		 path[256];
	int		 go[2], status = -1;
	pid_t		 pid;
	sqlite3		*raw;

	path_in_tmp(path, sizeof(path), "locked.db");
	rm_db(path);
	if (pipe(go) == -1) {
		CHECK(0);
		return;
	}
	fflush(NULL);
	/* Fork before the parent opens anything: SQLite's lock state must
	 * not be shared with the child. */
	if ((pid = fork()) == -1) {
		CHECK(0);
		return;
	}
	if (pid == 0) {
		struct db	*db;
		char		 err[512], c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		err[0] = '\0';
		if ((db = db_open(path, 1, err, sizeof(err))) == NULL) {
			fprintf(stderr, "db_open under a held lock: %s\n", err);
			_exit(1);
		}
		db_close(db);
		_exit(0);
	}
	close(go[0]);
	CHECK_INT(sqlite3_open(path, &raw), SQLITE_OK);
	CHECK_INT(sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	CHECK_INT(write(go[1], "g", 1), 1);
	close(go[1]);
	usleep(300 * 1000);
	sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(raw);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);

	CHECK_INT(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	CHECK_INT(q_int(raw, "PRAGMA user_version"), db_schema_version());
	sqlite3_close(raw);
	rm_db(path);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

/* Load a fixed server secret so that key hashes are keyed. */
static int
load_secret(void)
{
	char	 path[256], err[512];
	int	 fd, rc;
	static const char hex[] = "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n";

	path_in_tmp(path, sizeof(path), "secret");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		return -1;
	rc = write(fd, hex, sizeof(hex) - 1) == (ssize_t)(sizeof(hex) - 1) ?
	    0 : -1;
	close(fd);
	if (rc == 0 && auth_load_secret(path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		rc = -1;
	}
	unlink(path);
	return rc;
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL || load_secret() == -1) {
		perror("setup");
		return 1;
	}
	UNIT_RUN(test_open_migrates);
	UNIT_RUN(test_pragmas);
	UNIT_RUN(test_reopen_is_noop);
	UNIT_RUN(test_open_newer_refused);
	UNIT_RUN(test_open_older_without_migrate);
	UNIT_RUN(test_open_bad_path);
	UNIT_RUN(test_db_rc);
	UNIT_RUN(test_transactions);
	UNIT_RUN(test_stmt_cache_and_binds);
	UNIT_RUN(test_team);
	UNIT_RUN(test_apikey_crud);
	UNIT_RUN(test_apikey_status_and_json);
	UNIT_RUN(test_apikey_holder);
	UNIT_RUN(test_apikey_max_active);
	UNIT_RUN(test_apikey_list);
	UNIT_RUN(test_audit);
	UNIT_RUN(test_backup);
	UNIT_RUN(test_first_open_waits_for_lock);
	UNIT_RUN(test_concurrent_first_open);
	if (nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS) == -1)
		perror(tmpdir);
	return unit_finish();
}
