/*
 * The database: opening, the statement cache, transactions, migrations,
 * and the SQLite driver (db_pg.c is PostgreSQL's).  One connection per
 * process.  Migrations are the files schema/NNN_*.sql (SQLite) and
 * schema/pg/NNN_*.sql (PostgreSQL), compiled into the program (see the
 * Makefile), applied in order and tracked with PRAGMA user_version on
 * SQLite and the table uptime_schema on PostgreSQL.
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
#include "dbdrv.h"
#include "owner.h"

#define DB_BUSY_MS	5000	/* wait this long for a lock, then 503 */

/* Generated from schema/ by the Makefile: each engine's migrations in
 * order, their numbers (the schema version each one brings) and how
 * many there are. */
extern const char *const schema_migrations[];
extern const int schema_numbers[];
extern const int schema_count;
extern const char *const pg_schema_migrations[];
extern const int pg_schema_numbers[];
extern const int pg_schema_count;

/* The writers' lock on PostgreSQL (db_begin) and the migrators'. */
#define PG_WRITE_LOCK	"SELECT pg_advisory_xact_lock(7573120001)"
#define PG_MIGRATE_LOCK	"SELECT pg_advisory_xact_lock(7573120002)"

/* A SQLite result code as a DB_* code (db_step's answers pass). */
static int
lite_rc(int rc)
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
db_rc(int rc)
{
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

int
db_is_uri(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 ||
	    strncmp(path, "postgres://", 11) == 0;
}

enum db_engine
db_engine(struct db *db)
{
	return db->engine;
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

	if (db->engine == DB_POSTGRES) {
		rc = pg_exec(db, sql);
		return rc == DB_OK ? 0 : rc == DB_BUSY ? DB_BUSY : -1;
	}
	rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "db_exec: %s\n", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return lite_rc(rc) == DB_BUSY ? DB_BUSY : -1;
	}
	return 0;
}

/* The schema version: PRAGMA user_version on SQLite, the one row of
 * uptime_schema (0 before the first migration) on PostgreSQL. */
static int
user_version(struct db *db, int *v)
{
	struct db_stmt	*st;
	int		 rc;

	if (db->engine == DB_POSTGRES) {
		st = db_stmt(db, "SELECT to_regclass('uptime_schema') IS NULL");
		if (st == NULL || db_step(st) != DB_ROW)
			return -1;
		rc = db_col_int(st, 0);
		db_reset(st);
		*v = 0;
		if (rc)
			return 0;
	}
	if ((st = db_stmt(db, db_sql(db, "PRAGMA user_version",
	    "SELECT version FROM uptime_schema"))) == NULL)
		return -1;
	if ((rc = db_step(st)) == DB_ROW)
		*v = db_col_int(st, 0);
	db_reset(st);
	return rc == DB_ROW ? 0 : -1;
}

/* Take the migrators' lock in a new transaction; 0 or -1. */
static int
migrate_lock(struct db *db)
{
	if (db->engine == DB_SQLITE)
		return db_exec(db, "BEGIN IMMEDIATE");
	if (db_exec(db, "BEGIN") != 0)
		return -1;
	return db_exec(db, PG_MIGRATE_LOCK);
}

int
db_migrate(struct db *db, char *err, size_t errlen)
{
	const char *const	*sqls = schema_migrations;
	const int		*nums = schema_numbers;
	char			 sql[96];
	int			 v, i, n = schema_count, latest = db_schema_version();

	if (db->engine == DB_POSTGRES) {
		sqls = pg_schema_migrations;
		nums = pg_schema_numbers;
		n = pg_schema_count;
	}
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
	if (migrate_lock(db) != 0)
		goto rollback;
	if (user_version(db, &v) == -1)
		goto rollback;
	if (v > latest) {
		db_rollback(db);
		goto newer;
	}
	for (i = 0; i < n; i++) {
		if (nums[i] <= v)
			continue;
		if (db_exec(db, sqls[i]) != 0) {
			snprintf(err, errlen, "migration %03d failed", nums[i]);
			db_rollback(db);
			return -1;
		}
	}
	if (db->engine == DB_POSTGRES)
		snprintf(sql, sizeof(sql), "UPDATE uptime_schema SET "
		    "version = %d", latest);
	else
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
	    db->engine == DB_POSTGRES ? PQerrorMessage(db->pg) :
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
		if (lite_rc(rc) != DB_BUSY || waited >= DB_BUSY_MS)
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

/* Open the SQLite file at path; 0, or -1 with err set. */
static int
lite_open(struct db *db, const char *path, char *err, size_t errlen)
{
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		if (owner_explain("the database", path, OWNER_WRITE, err,
		    errlen))
			return -1;
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "out of memory");
		return -1;
	}
	/* SQLite opens a file it may not write read-only, without a word:
	 * every write would then fail, so refuse it here. */
	if (sqlite3_db_readonly(db->h, "main") == 1) {
		if (!owner_explain("the database", path, OWNER_WRITE, err,
		    errlen))
			snprintf(err, errlen, "cannot write database %s", path);
		return -1;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_MS);
	sqlite3_extended_result_codes(db->h, 1);
	if (set_wal(db) != 0 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") != 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL") != 0 ||
	    sql_functions(db) != 0) {
		if (owner_explain("the database", path, OWNER_WRITE, err,
		    errlen))
			return -1;
		snprintf(err, errlen, "cannot set up database %s: %s", path,
		    sqlite3_errmsg(db->h));
		return -1;
	}
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
	if (db_is_uri(path)) {
		db->engine = DB_POSTGRES;
		if (pg_connect(db, path, err, errlen) != 0)
			goto fail;
	} else if (lite_open(db, path, err, errlen) != 0)
		goto fail;
	if (migrate && db_migrate(db, err, errlen) == -1)
		goto fail;
	if (user_version(db, &v) == -1) {
		snprintf(err, errlen, "cannot read the database's schema "
		    "version: %s", db->engine == DB_POSTGRES ?
		    PQerrorMessage(db->pg) : sqlite3_errmsg(db->h));
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

static void
stmt_free(struct db_stmt *st)
{
	if (st->lite != NULL)
		sqlite3_finalize(st->lite);
	if (st->pg != NULL)
		pg_free(st->pg);
	free(st);
}

void
db_close(struct db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		stmt_free(db->cache[i]);
	if (db->h != NULL)
		sqlite3_close(db->h);
	pg_close(db);
	free(db);
}

/* A new statement for sql; slot names it on PostgreSQL. */
static struct db_stmt *
stmt_new(struct db *db, const char *sql, size_t slot)
{
	struct db_stmt	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->db = db;
	st->sql = sql;
	if (db->engine == DB_POSTGRES)
		st->pg = pg_prepare(db, sql, slot);
	else if (sqlite3_prepare_v3(db->h, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &st->lite, NULL) != SQLITE_OK)
		fprintf(stderr, "db_stmt: %s: %s\n", sqlite3_errmsg(db->h),
		    sql);
	if (st->lite == NULL && st->pg == NULL) {
		stmt_free(st);
		return NULL;
	}
	return st;
}

struct db_stmt *
db_prepare(struct db *db, const char *sql)
{
	static size_t	 n;

	return stmt_new(db, sql, DB_MAXSTMTS + n++);
}

void
db_finalize(struct db_stmt *st)
{
	char	 sql[64];

	if (st == NULL)
		return;
	if (st->pg != NULL && pg_prepared(st->db, st->pg)) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", pg_name(st->pg));
		if (pg_exec(st->db, sql) != DB_OK)
			fprintf(stderr, "db_finalize: %s failed\n", sql);
	}
	stmt_free(st);
}

struct db_stmt *
db_stmt(struct db *db, const char *sql)
{
	struct db_stmt	*st;
	size_t		 i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i]->sql == sql) {
			st = db->cache[i];
			if (st->pg != NULL)
				pg_clear(st->pg);
			else {
				sqlite3_reset(st->lite);
				sqlite3_clear_bindings(st->lite);
			}
			return st;
		}
	if (db->ncache == DB_MAXSTMTS) {
		fprintf(stderr, "db_stmt: statement cache full\n");
		return NULL;
	}
	if ((st = stmt_new(db, sql, db->ncache)) == NULL)
		return NULL;
	db->cache[db->ncache++] = st;
	return st;
}

struct db_stmt *
db_stmt_ids(struct db *db, const char *sql, const char *team,
    const char *id)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sql)) == NULL)
		return NULL;
	db_bind_text(st, 1, team);
	db_bind_text(st, 2, id);
	return st;
}

/*
 * A write transaction.  SQLite's BEGIN IMMEDIATE takes the one write
 * lock; on PostgreSQL the same order comes from one advisory lock held
 * to the end of the transaction, across every node, so the rules the
 * modules keep under one writer (per-team limits, unique names, state
 * transitions) hold as they do on SQLite (docs/scale-out.md).
 */
int
db_begin(struct db *db)
{
	int	 rc;

	if ((rc = db_exec(db, db_sql(db, "BEGIN IMMEDIATE", "BEGIN"))) != 0)
		return rc == DB_BUSY ? DB_BUSY : DB_ERROR;
	if (db->engine == DB_POSTGRES && (rc = db_exec(db, PG_WRITE_LOCK))
	    != 0) {
		db_rollback(db);
		return rc == DB_BUSY ? DB_BUSY : DB_ERROR;
	}
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
	if (!db_autocommit(db) && db_exec(db, "ROLLBACK") != 0)
		fprintf(stderr, "db_rollback: failed\n");
}

int
db_in_tx(struct db *db)
{
	return db->in_tx;
}

int
db_autocommit(struct db *db)
{
	if (db->engine == DB_POSTGRES)
		return pg_autocommit(db);
	return sqlite3_get_autocommit(db->h);
}

/* A read transaction sees one snapshot, as SQLite's deferred BEGIN. */
int
db_read_begin(struct db *db, int *own)
{
	int	 rc;

	*own = 0;
	if (!db_autocommit(db))
		return DB_OK;
	if ((rc = db_exec(db, db_sql(db, "BEGIN",
	    "BEGIN ISOLATION LEVEL REPEATABLE READ"))) != 0)
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
db_step(struct db_stmt *st)
{
	int	 rc;

	if (st->pg != NULL)
		return pg_step(st->db, st->pg);
	rc = sqlite3_step(st->lite);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	if (lite_rc(rc) == DB_ERROR)
		fprintf(stderr, "db_step: %s: %s\n", sqlite3_errmsg(st->db->h),
		    sqlite3_sql(st->lite));
	return lite_rc(rc);
}

void
db_reset(struct db_stmt *st)
{
	if (st->pg != NULL)
		pg_reset(st->pg);
	else
		sqlite3_reset(st->lite);
}

long
db_changes(struct db *db)
{
	if (db->engine == DB_POSTGRES)
		return db->changes;
	return sqlite3_changes(db->h);
}

int
db_exec_stmt(struct db_stmt *st)
{
	int	 rc;

	if (st == NULL)
		return DB_ERROR;
	rc = db_rc(db_step(st));
	db_reset(st);
	return rc;
}

int
db_exec_one(struct db_stmt *st)
{
	int	 rc;

	if ((rc = db_exec_stmt(st)) == DB_OK && db_changes(st->db) == 0)
		rc = DB_NOTFOUND;
	return rc;
}

int
db_step_one(struct db_stmt *st, void (*row)(struct db_stmt *, void *),
    void *out)
{
	int	 rc;

	if ((rc = db_step(st)) == DB_ROW) {
		row(st, out);
		rc = DB_OK;
	} else
		rc = rc == DB_DONE ? DB_NOTFOUND : rc;
	db_reset(st);
	return rc;
}

struct db_stmt *
db_query(struct db *db, const char *sql, const char *fmt, ...)
{
	struct db_stmt	*st;
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
			db_bind_int(st, i, va_arg(ap, int));
			break;
		case 'I':
			db_bind_int64(st, i, va_arg(ap, int64_t));
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
db_bind_int(struct db_stmt *st, int i, int v)
{
	db_bind_int64(st, i, v);
}

void
db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	char	 s[24];

	if (st->pg == NULL) {
		sqlite3_bind_int64(st->lite, i, v);
		return;
	}
	snprintf(s, sizeof(s), "%lld", (long long)v);
	pg_bind(st->pg, i, s, -1, 0);
}

void
db_bind_null(struct db_stmt *st, int i)
{
	if (st->pg != NULL)
		pg_bind(st->pg, i, NULL, 0, 0);
	else
		sqlite3_bind_null(st->lite, i);
}

void
db_bind_text(struct db_stmt *st, int i, const char *s)
{
	if (s == NULL)
		db_bind_null(st, i);
	else if (st->pg != NULL)
		pg_bind(st->pg, i, s, -1, 0);
	else
		sqlite3_bind_text(st->lite, i, s, -1, SQLITE_TRANSIENT);
}

void
db_bind_blob(struct db_stmt *st, int i, const void *p, int len)
{
	if (st->pg != NULL)
		pg_bind(st->pg, i, p, len, 1);
	else
		sqlite3_bind_blob(st->lite, i, p, len, SQLITE_TRANSIENT);
}

void
db_bind_time(struct db_stmt *st, int i, int64_t t)
{
	if (t == 0)
		db_bind_null(st, i);
	else
		db_bind_int64(st, i, t);
}

void
db_bind_opt(struct db_stmt *st, int i, long v)
{
	if (v < 0)
		db_bind_null(st, i);
	else
		db_bind_int64(st, i, v);
}

int
db_bind_json(struct db_stmt *st, int i, const cJSON *j)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(j)) == NULL)
		return -1;
	db_bind_text(st, i, s);
	free(s);
	return 0;
}

int
db_param_count(struct db_stmt *st)
{
	if (st->pg != NULL)
		return pg_nparams(st->pg);
	return sqlite3_bind_parameter_count(st->lite);
}

int
db_col_null(struct db_stmt *st, int i)
{
	if (st->pg != NULL)
		return pg_col_null(st->pg, i);
	return sqlite3_column_type(st->lite, i) == SQLITE_NULL;
}

int
db_col_int(struct db_stmt *st, int i)
{
	if (st->pg == NULL)
		return sqlite3_column_int(st->lite, i);
	return (int)db_col_int64(st, i);
}

/* PostgreSQL answers text: an integer, a boolean ("t", "f"), or a
 * number with a fraction (an average), read as SQLite would. */
int64_t
db_col_int64(struct db_stmt *st, int i)
{
	const char	*s;

	if (st->pg == NULL)
		return sqlite3_column_int64(st->lite, i);
	if ((s = pg_col_str(st->pg, i)) == NULL)
		return 0;
	if (*s == 't')
		return 1;
	if (strchr(s, '.') != NULL || strchr(s, 'e') != NULL)
		return (int64_t)strtod(s, NULL);
	return strtoll(s, NULL, 10);
}

double
db_col_double(struct db_stmt *st, int i)
{
	const char	*s;

	if (st->pg == NULL)
		return sqlite3_column_double(st->lite, i);
	return (s = pg_col_str(st->pg, i)) == NULL ? 0 : strtod(s, NULL);
}

const char *
db_col_str(struct db_stmt *st, int i)
{
	if (st->pg != NULL)
		return pg_col_str(st->pg, i);
	return (const char *)sqlite3_column_text(st->lite, i);
}

const void *
db_col_blob(struct db_stmt *st, int i)
{
	if (st->pg != NULL)
		return pg_col_blob(st->pg, i, NULL);
	return sqlite3_column_blob(st->lite, i);
}

int
db_col_bytes(struct db_stmt *st, int i)
{
	int	 len = 0;

	if (st->pg == NULL)
		return sqlite3_column_bytes(st->lite, i);
	(void)pg_col_blob(st->pg, i, &len);
	return len;
}

int
db_col_count(struct db_stmt *st)
{
	if (st->pg != NULL)
		return pg_col_count(st->pg);
	return sqlite3_column_count(st->lite);
}

const char *
db_col_name(struct db_stmt *st, int i)
{
	if (st->pg != NULL)
		return pg_col_name(st->pg, i);
	return sqlite3_column_name(st->lite, i);
}

void
db_col_text(struct db_stmt *st, int i, char *out, size_t outlen)
{
	const char	*s = db_col_str(st, i);
	size_t		 n;

	if (outlen == 0)
		return;
	/* As snprintf "%s" would, without its cost in every row read. */
	n = s != NULL ? strnlen(s, outlen - 1) : 0;
	memcpy(out, s != NULL ? s : "", n);
	out[n] = '\0';
}

struct sqlfn {
	struct db	*db;
	int		 nargs;
	int		(*fn)(struct db *, const char *const *, int64_t *);
};

static void
lite_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct sqlfn	*f = sqlite3_user_data(ctx);
	const char	*args[8];
	int64_t		 out;
	int		 i;

	for (i = 0; i < argc && i < 8; i++)
		args[i] = (const char *)sqlite3_value_text(argv[i]);
	if (f->fn(f->db, args, &out) != 0) {
		sqlite3_result_error(ctx, "SQL function failed", -1);
		return;
	}
	sqlite3_result_int64(ctx, out);
}

int
db_function(struct db *db, const char *name, int nargs,
    int (*fn)(struct db *, const char *const *, int64_t *))
{
	struct sqlfn	*f;

	if (db->engine != DB_SQLITE)
		return 0;
	if (nargs > 8 || (f = malloc(sizeof(*f))) == NULL)
		return -1;
	f->db = db;
	f->nargs = nargs;
	f->fn = fn;
	return sqlite3_create_function_v2(db->h, name, nargs, SQLITE_UTF8 |
	    SQLITE_DIRECTONLY, f, lite_fn, NULL, NULL, free) == SQLITE_OK ?
	    0 : -1;
}

int
db_try_lock(struct db *db, const char *name)
{
	struct db_stmt	*st;
	int		 rc;

	if (db->engine == DB_SQLITE)
		return 1;
	if ((st = db_prepare(db, "SELECT pg_try_advisory_lock(hashtext("
	    "'uptime:' || ?1))")) == NULL)
		return -1;
	db_bind_text(st, 1, name);
	rc = db_step(st) == DB_ROW ? db_col_int(st, 0) : -1;
	db_finalize(st);
	return rc;
}

const char *
db_checkpoint(struct db *db)
{
	int	 rc;

	if (db->engine == DB_POSTGRES)
		return "none";
	rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
	if (rc == SQLITE_OK)
		return "truncate";
	if (lite_rc(rc) != DB_BUSY) {
		fprintf(stderr, "checkpoint: %s\n", sqlite3_errmsg(db->h));
		return NULL;
	}
	fprintf(stderr, "checkpoint: the database is busy: passive "
	    "checkpoint instead of truncate\n");
	rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "passive checkpoint: %s\n",
		    sqlite3_errmsg(db->h));
		return NULL;
	}
	return "passive";
}

int
db_backup(struct db *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, fd;

	if (db->engine == DB_POSTGRES) {
		snprintf(err, errlen, "a PostgreSQL database is backed up "
		    "with pg_dump (docs/scale-out.md)");
		return -1;
	}
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
