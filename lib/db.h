/*
 * db.c: the database at the bottom of the core, on one of two engines:
 * SQLite (a file path, the embedded default) or PostgreSQL (a
 * postgresql:// or postgres:// URI, through libpq).  The modules prepare,
 * bind, step and read columns through this interface only; the SQL text
 * stays in the modules, with an engine's own variant beside the common
 * one where the dialects differ (db_sql).  db.c holds the interface and
 * the SQLite driver, db_pg.c the PostgreSQL driver.
 */
#ifndef DB_H
#define DB_H

#include "base.h"

#include <stdio.h>

#include <sqlite3.h>

/* db_step's answers besides the DB_* errors: a row, or the end. */
#define DB_ROW	100
#define DB_DONE	101

enum db_rc {
	DB_OK = 0,
	DB_NOTFOUND = 1,
	DB_CONFLICT = 2,	/* a constraint refused the change */
	DB_ERROR = -1,
	DB_BUSY = -2		/* still locked after the busy timeout */
};

struct db;
struct db_stmt;

enum db_engine {
	DB_SQLITE,
	DB_POSTGRES
};

/*
 * The SQL functions the modules' statements call, registered by db_open
 * on each connection: a NULL-terminated table of registration functions
 * (each 0, or -1 on failure).  The table is defined above the database,
 * in sqlfunc.c, so that db.c knows no module that registers one.
 */
extern int (*const db_sql_functions[])(struct db *);

/*
 * Open (creating if needed) the database with WAL, foreign keys and a busy
 * timeout, then bring the schema up to date unless migrate is 0.  Returns
 * NULL with a message in err.  A database newer than this program is
 * refused.
 */
struct db	*db_open(const char *path, int migrate, char *err, size_t errlen);
void		 db_close(struct db *);
/* 1 when path names a PostgreSQL database (a postgres[ql]:// URI). */
int		 db_is_uri(const char *path);
enum db_engine	 db_engine(struct db *);
/*
 * The statement text for this database's engine: lite on SQLite, pg on
 * PostgreSQL.  Both are string constants (the statement cache keys on
 * their address); SQLite's ?N placeholders serve both engines.
 */
#define db_sql(db, lite, pg)	(db_engine(db) == DB_POSTGRES ? (pg) : (lite))
/*
 * A module's statement i: sqls[i], or pg[i] on PostgreSQL where the
 * module's table of PostgreSQL variants has one (NULL where the common
 * text serves both engines).
 */
#define db_sqlv(db, sqls, pg, i) \
	(db_engine(db) == DB_POSTGRES && (pg)[i] != NULL ? (pg)[i] : (sqls)[i])
/* The SQLite connection, for the SQLite-only tools and tests; NULL on
 * PostgreSQL. */
sqlite3		*db_handle(struct db *);
/* The newest schema version this program knows. */
int		 db_schema_version(void);
/* Apply pending migrations; several processes may call it at once. */
int		 db_migrate(struct db *, char *err, size_t errlen) WUR;
/*
 * A prepared statement for sql, cached by the address of sql (pass
 * string constants), reset and unbound.  NULL on error (logged).
 */
struct db_stmt	*db_stmt(struct db *, const char *sql);
/*
 * db_stmt with ?1, ?2, ... bound from the arguments, one a character of
 * fmt: 't' a string (NULL binds NULL), 'i' an int, 'I' an int64_t, 'T' a
 * time (int64_t, 0 binds NULL).  NULL on error (logged).
 */
struct db_stmt	*db_query(struct db *, const char *sql, const char *fmt, ...);
/*
 * A statement outside the cache, for SQL built at run time (the admin
 * tool's copy, the tests); db_finalize frees it.  NULL on error
 * (logged).
 */
struct db_stmt	*db_prepare(struct db *, const char *sql);
void		 db_finalize(struct db_stmt *);
/* db_stmt with ?1 and ?2 bound to team and id (the by-id statements). */
struct db_stmt	*db_stmt_ids(struct db *, const char *sql, const char *team,
		    const char *id);
int		 db_begin(struct db *) WUR;	/* BEGIN IMMEDIATE */
int		 db_commit(struct db *) WUR;
void		 db_rollback(struct db *);
int		 db_in_tx(struct db *);
/* 1 when the connection is in no transaction at all (db_begin's or a
 * read's). */
int		 db_autocommit(struct db *);
/*
 * A read transaction for a function that reads several statements: BEGIN
 * when the connection is in none (*own set), else nothing (the caller's
 * goes on).  db_read_end ends one it began, COMMIT when rc is DB_OK and
 * ROLLBACK otherwise, and returns rc (DB_ERROR when the COMMIT failed).
 * db_read_begin returns DB_OK, DB_BUSY or DB_ERROR.
 */
int		 db_read_begin(struct db *, int *own) WUR;
int		 db_read_end(struct db *, int own, int rc) WUR;
/*
 * The next row: DB_ROW, DB_DONE, or DB_BUSY, DB_CONFLICT or DB_ERROR
 * (logged).  db_reset makes the statement ready to run again with its
 * bindings; db_rc maps any of db_step's answers to a DB_* code.
 */
int		 db_step(struct db_stmt *);
void		 db_reset(struct db_stmt *);
int		 db_rc(int step_rc);
/* Rows the last INSERT, UPDATE or DELETE changed. */
long		 db_changes(struct db *);
/*
 * Step a statement that returns no rows; DB_* code (DB_ERROR for a NULL
 * statement: one db_query could not make).
 */
int		 db_exec_stmt(struct db_stmt *);
/* The same for a change of one row: DB_NOTFOUND when none changed. */
int		 db_exec_one(struct db_stmt *);
/*
 * Step a query of at most one row: row(st, out) reads it.  DB_OK,
 * DB_NOTFOUND or an error code; the statement is reset.
 */
int		 db_step_one(struct db_stmt *,
		    void (*row)(struct db_stmt *, void *), void *out);
/*
 * Binding parameter i (from 1); a value is copied.  db_bind_text binds
 * NULL for a NULL string, db_bind_time for a 0 time, db_bind_opt for a
 * negative count.
 */
void		 db_bind_int(struct db_stmt *, int, int);
void		 db_bind_int64(struct db_stmt *, int, int64_t);
void		 db_bind_null(struct db_stmt *, int);
void		 db_bind_text(struct db_stmt *, int, const char *);
void		 db_bind_blob(struct db_stmt *, int, const void *, int len);
void		 db_bind_time(struct db_stmt *, int, int64_t);
void		 db_bind_opt(struct db_stmt *, int, long);
/* Bind the unformatted JSON text of a tree; 0, or -1 out of memory. */
int		 db_bind_json(struct db_stmt *, int, const cJSON *) WUR;
/* The number of parameters the statement takes. */
int		 db_param_count(struct db_stmt *);
/*
 * Column i (from 0) of the current row.  A NULL reads as 0, as NULL
 * from db_col_str and db_col_blob; the pointers stay valid until the
 * next step or reset.
 */
int		 db_col_null(struct db_stmt *, int);
int		 db_col_int(struct db_stmt *, int);
int64_t		 db_col_int64(struct db_stmt *, int);
double		 db_col_double(struct db_stmt *, int);
const char	*db_col_str(struct db_stmt *, int);
const void	*db_col_blob(struct db_stmt *, int);
int		 db_col_bytes(struct db_stmt *, int);
int		 db_col_count(struct db_stmt *);
const char	*db_col_name(struct db_stmt *, int);
/* Copy a text column into out (outlen bytes), "" for NULL. */
void		 db_col_text(struct db_stmt *, int, char *out, size_t outlen);
/*
 * An SQL function for the statements, on SQLite: fn(db, args, &out)
 * answers 0 with out set, or -1 (the statement fails).  PostgreSQL
 * statements use their own variant instead (db_sql).
 */
int		 db_function(struct db *, const char *name, int nargs,
		    int (*fn)(struct db *, const char *const *args,
		    int64_t *out)) WUR;
/*
 * One process at a time over every node, for the program name: on
 * PostgreSQL a session advisory lock, taken without waiting and held
 * until db_close (1 taken, 0 held elsewhere, -1 an error); on SQLite 1
 * (the host's lock file is the one lock).
 */
int		 db_try_lock(struct db *, const char *name) WUR;
/*
 * dbcopy.c: copy the SQLite database from into the empty PostgreSQL
 * database to (at the same schema version), from one snapshot and in
 * one transaction, each table's count compared; a line per table to out
 * (NULL: none).  0, or -1 with err set and nothing written to to.
 */
int		 db_copy(struct db *from, struct db *to, FILE *out, char *err,
		    size_t errlen) WUR;
/* Fold SQLite's write-ahead log back into the file: "truncate",
 * "passive" when a reader was in the way, or NULL (logged).  Nothing to
 * do on PostgreSQL ("none"). */
const char	*db_checkpoint(struct db *);
/* Run "PRAGMA wal_checkpoint(TRUNCATE)" etc.; 0 or -1. */
int		 db_exec(struct db *, const char *sql) WUR;
/* A consistent online copy of the database into path. */
int		 db_backup(struct db *, const char *path, char *err,
		    size_t errlen) WUR;

#endif /* DB_H */
