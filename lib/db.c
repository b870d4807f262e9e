/*
 * The SQLite database: opening, the statement cache, transactions and
 * migrations.  One connection per process.  Migrations are the files
 * schema/NNN_*.sql, compiled into the program (see the Makefile), applied
 * in order and tracked with PRAGMA user_version.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "db.h"
#include "owner.h"

#define DB_BUSY_MS	5000	/* wait this long for a lock, then 503 */
#define DB_MAXSTMTS	256	/* distinct cached statements */

/* Generated from schema/ by the Makefile: the migrations in order, their
 * numbers (the schema version each one brings) and how many there are. */
extern const char *const schema_migrations[];
extern const int schema_numbers[];
extern const int schema_count;

struct dbstmt {
	const char	*sql;
	sqlite3_stmt	*st;
};

struct db {
	sqlite3		*h;
	struct dbstmt	 cache[DB_MAXSTMTS];
	size_t		 ncache;
	int		 in_tx;
};

int
db_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_CONSTRAINT:
		return DB_CONFLICT;
	default:
		return DB_ERROR;
	}
}

int
db_schema_version(void)
{
	return schema_count > 0 ? schema_numbers[schema_count - 1] : 0;
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

int
db_exec(struct db *db, const char *sql)
{
	char	*msg = NULL;
	int	 rc;

	rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "db_exec: %s\n", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return db_rc(rc) == DB_BUSY ? DB_BUSY : -1;
	}
	return 0;
}

static int
user_version(struct db *db, int *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
db_migrate(struct db *db, char *err, size_t errlen)
{
	char	 sql[64];
	int	 v, i, latest = db_schema_version();

	if (user_version(db, &v) == -1)
		goto fail;
	if (v == latest)
		return 0;
	/* A newer database is refused before any lock: a newer program
	 * busy writing to it must not turn the refusal into "locked". */
	if (v > latest)
		goto newer;
	/* Take the write lock, then look again: another process may have
	 * migrated while we waited. */
	if (db_exec(db, "BEGIN IMMEDIATE") != 0)
		goto fail;
	if (user_version(db, &v) == -1)
		goto rollback;
	if (v > latest) {
		db_rollback(db);
		goto newer;
	}
	for (i = 0; i < schema_count; i++) {
		if (schema_numbers[i] <= v)
			continue;
		if (db_exec(db, schema_migrations[i]) != 0) {
			snprintf(err, errlen, "migration %03d failed",
			    schema_numbers[i]);
			db_rollback(db);
			return -1;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", latest);
	if (db_exec(db, sql) != 0 || db_exec(db, "COMMIT") != 0)
		goto rollback;
	return 0;
newer:
	snprintf(err, errlen, "the database has schema version %d, "
	    "newer than this program's %d: upgrade the program", v, latest);
	return -1;
rollback:
	db_rollback(db);
fail:
	snprintf(err, errlen, "cannot migrate the database: %s",
	    sqlite3_errmsg(db->h));
	return -1;
}

/*
 * Switch to WAL.  The first switch of a new database needs a lock that
 * SQLite does not wait for through the busy handler, so when several
 * processes start together the others wait here, up to the busy timeout.
 */
static int
set_wal(struct db *db)
{
	struct timespec	 pause = { 0, 10 * 1000 * 1000 };
	int		 waited, rc;

	for (waited = 0; ; waited += 10) {
		rc = sqlite3_exec(db->h, "PRAGMA journal_mode = WAL", NULL,
		    NULL, NULL);
		if (db_rc(rc) != DB_BUSY || waited >= DB_BUSY_MS)
			break;
		nanosleep(&pause, NULL);
	}
	if (rc != SQLITE_OK)
		fprintf(stderr, "set_wal: %s\n", sqlite3_errmsg(db->h));
	return rc == SQLITE_OK ? 0 : -1;
}

/* Register db_sql_functions on db; 0, or -1 when one fails. */
static int
sql_functions(struct db *db)
{
	size_t	 i;

	for (i = 0; db_sql_functions[i] != NULL; i++)
		if (db_sql_functions[i](db) != 0)
			return -1;
	return 0;
}

struct db *
db_open(const char *path, int migrate, char *err, size_t errlen)
{
	struct db	*db;
	int		 v;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		if (owner_explain("the database", path, OWNER_WRITE, err,
		    errlen))
			goto fail;
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	/* SQLite opens a file it may not write read-only, without a word:
	 * every write would then fail, so refuse it here. */
	if (sqlite3_db_readonly(db->h, "main") == 1) {
		if (!owner_explain("the database", path, OWNER_WRITE, err,
		    errlen))
			snprintf(err, errlen, "cannot write database %s", path);
		goto fail;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_MS);
	sqlite3_extended_result_codes(db->h, 1);
	/* SQL functions the modules' statements use (db_sql_functions). */
	if (set_wal(db) != 0 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") != 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL") != 0 ||
	    sql_functions(db) != 0) {
		if (owner_explain("the database", path, OWNER_WRITE, err,
		    errlen))
			goto fail;
		snprintf(err, errlen, "cannot set up database %s: %s", path,
		    sqlite3_errmsg(db->h));
		goto fail;
	}
	if (migrate && db_migrate(db, err, errlen) == -1)
		goto fail;
	if (user_version(db, &v) == -1) {
		snprintf(err, errlen, "cannot read database %s: %s", path,
		    sqlite3_errmsg(db->h));
		goto fail;
	}
	if (v > db_schema_version()) {
		snprintf(err, errlen, "the database has schema version %d, "
		    "newer than this program's %d: upgrade the program",
		    v, db_schema_version());
		goto fail;
	}
	if (v < db_schema_version() && !migrate) {
		snprintf(err, errlen, "the database has schema version %d, "
		    "older than this program's %d: run uptime-admin migrate",
		    v, db_schema_version());
		goto fail;
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->h);
	free(db);
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	size_t		 i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql) {
			st = db->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "db_stmt: %s: %s\n", sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	if (db->ncache < DB_MAXSTMTS) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache].st = st;
		db->ncache++;
	} else {
		fprintf(stderr, "db_stmt: statement cache full\n");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *
db_stmt_ids(struct db *db, const char *sql, const char *team,
    const char *id)
{
	sqlite3_stmt	*st;

	if ((st = db_stmt(db, sql)) == NULL)
		return NULL;
	db_bind_text(st, 1, team);
	db_bind_text(st, 2, id);
	return st;
}

int
db_begin(struct db *db)
{
	int	 rc;

	if ((rc = db_exec(db, "BEGIN IMMEDIATE")) != 0)
		return rc == DB_BUSY ? DB_BUSY : DB_ERROR;
	db->in_tx = 1;
	return DB_OK;
}

int
db_commit(struct db *db)
{
	int	 rc;

	db->in_tx = 0;
	if ((rc = db_exec(db, "COMMIT")) != 0) {
		db_rollback(db);
		return rc == DB_BUSY ? DB_BUSY : DB_ERROR;
	}
	return DB_OK;
}

void
db_rollback(struct db *db)
{
	db->in_tx = 0;
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
db_in_tx(struct db *db)
{
	return db->in_tx;
}

int
db_read_begin(struct db *db, int *own)
{
	int	 rc;

	*own = 0;
	if (!sqlite3_get_autocommit(db->h))
		return DB_OK;
	if ((rc = db_exec(db, "BEGIN")) != 0)
		return rc == DB_BUSY ? DB_BUSY : DB_ERROR;
	*own = 1;
	return DB_OK;
}

int
db_read_end(struct db *db, int own, int rc)
{
	if (own && db_exec(db, rc == DB_OK ? "COMMIT" : "ROLLBACK") != 0 &&
	    rc == DB_OK)
		rc = DB_ERROR;
	return rc;
}

int
db_exec_stmt(sqlite3_stmt *st)
{
	int	 rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && db_rc(rc) == DB_ERROR)
		fprintf(stderr, "db_exec_stmt: %s: %s\n",
		    sqlite3_errmsg(sqlite3_db_handle(st)), sqlite3_sql(st));
	rc = db_rc(rc);
	sqlite3_reset(st);
	return rc;
}

int
db_exec_one(sqlite3_stmt *st)
{
	int	 rc;

	if ((rc = db_exec_stmt(st)) == DB_OK &&
	    sqlite3_changes(sqlite3_db_handle(st)) == 0)
		rc = DB_NOTFOUND;
	return rc;
}

int
db_step_one(sqlite3_stmt *st, void (*row)(sqlite3_stmt *, void *),
    void *out)
{
	int	 rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(st, out);
		rc = DB_OK;
	} else
		rc = rc == SQLITE_DONE ? DB_NOTFOUND : db_rc(rc);
	sqlite3_reset(st);
	return rc;
}

sqlite3_stmt *
db_query(struct db *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;
	int		 i;

	if ((st = db_stmt(db, sql)) == NULL)
		return NULL;
	va_start(ap, fmt);
	for (i = 1; *fmt != '\0'; fmt++, i++)
		switch (*fmt) {
		case 't':
			db_bind_text(st, i, va_arg(ap, const char *));
			break;
		case 'i':
			sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 'I':
			sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'T':
			db_bind_time(st, i, va_arg(ap, int64_t));
			break;
		default:
			abort();	/* a bug in the caller's format */
		}
	va_end(ap);
	return st;
}

void
db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

void
db_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

void
db_bind_opt(sqlite3_stmt *st, int i, long v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

int
db_bind_json(sqlite3_stmt *st, int i, const cJSON *j)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(j)) == NULL)
		return -1;
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	free(s);
	return 0;
}

void
db_col_text(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	snprintf(out, outlen, "%s", s ? (const char *)s : "");
}

int
db_backup(struct db *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, fd;

	/* Create the file 0600 first, so the copy is never readable by
	 * others; VACUUM INTO accepts an empty file. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		if (errno != EEXIST && owner_explain("the backup", path,
		    OWNER_WRITE, err, errlen))
			return -1;
		snprintf(err, errlen, "cannot create %s: %s", path,
		    errno == EEXIST ? "it exists; choose a new file" :
		    strerror(errno));
		return -1;
	}
	close(fd);
	if (sqlite3_prepare_v2(db->h, "VACUUM INTO ?", -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db->h));
		return -1;
	}
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    sqlite3_errmsg(db->h));
		unlink(path);
		return -1;
	}
	return 0;
}
