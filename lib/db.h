/*
 * db.c: the database at the bottom of the core.
 */
#ifndef DB_H
#define DB_H

#include "base.h"

#include <sqlite3.h>

enum db_rc {
	DB_OK = 0,
	DB_NOTFOUND = 1,
	DB_CONFLICT = 2,	/* a constraint refused the change */
	DB_ERROR = -1,
	DB_BUSY = -2		/* still locked after the busy timeout */
};

struct db;

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
sqlite3		*db_handle(struct db *);
/* The newest schema version this program knows. */
int		 db_schema_version(void);
/* Apply pending migrations; several processes may call it at once. */
int		 db_migrate(struct db *, char *err, size_t errlen) WUR;
/*
 * A prepared statement for sql, cached by the address of sql (pass
 * string constants), reset and unbound.  NULL on error (logged).
 */
sqlite3_stmt	*db_stmt(struct db *, const char *sql);
/*
 * db_stmt with ?1, ?2, ... bound from the arguments, one a character of
 * fmt: 't' a string (NULL binds NULL), 'i' an int, 'I' an int64_t, 'T' a
 * time (int64_t, 0 binds NULL).  NULL on error (logged).
 */
sqlite3_stmt	*db_query(struct db *, const char *sql, const char *fmt, ...);
/* db_stmt with ?1 and ?2 bound to team and id (the by-id statements). */
sqlite3_stmt	*db_stmt_ids(struct db *, const char *sql, const char *team,
		    const char *id);
int		 db_begin(struct db *) WUR;	/* BEGIN IMMEDIATE */
int		 db_commit(struct db *) WUR;
void		 db_rollback(struct db *);
int		 db_in_tx(struct db *);
/*
 * A read transaction for a function that reads several statements: BEGIN
 * when the connection is in none (*own set), else nothing (the caller's
 * goes on).  db_read_end ends one it began, COMMIT when rc is DB_OK and
 * ROLLBACK otherwise, and returns rc (DB_ERROR when the COMMIT failed).
 * db_read_begin returns DB_OK, DB_BUSY or DB_ERROR.
 */
int		 db_read_begin(struct db *, int *own) WUR;
int		 db_read_end(struct db *, int own, int rc) WUR;
/* Step a statement that returns no rows; DB_* code. */
int		 db_exec_stmt(sqlite3_stmt *);
/* The same for a change of one row: DB_NOTFOUND when none changed. */
int		 db_exec_one(sqlite3_stmt *);
/*
 * Step a query of at most one row: row(st, out) reads it.  DB_OK,
 * DB_NOTFOUND or an error code; the statement is reset.
 */
int		 db_step_one(sqlite3_stmt *,
		    void (*row)(sqlite3_stmt *, void *), void *out);
/* Map an sqlite3 result code to a DB_* code. */
int		 db_rc(int sqlite_rc);
/* Bind helpers: a NULL string, a 0 time or a negative count binds SQL
 * NULL. */
void		 db_bind_text(sqlite3_stmt *, int, const char *);
void		 db_bind_time(sqlite3_stmt *, int, int64_t);
void		 db_bind_opt(sqlite3_stmt *, int, long);
/* Bind the unformatted JSON text of a tree; 0, or -1 out of memory. */
int		 db_bind_json(sqlite3_stmt *, int, const cJSON *) WUR;
/* Copy a text column into out (outlen bytes), "" for NULL. */
void		 db_col_text(sqlite3_stmt *, int, char *out, size_t outlen);
/* Run "PRAGMA wal_checkpoint(TRUNCATE)" etc.; 0 or -1. */
int		 db_exec(struct db *, const char *sql) WUR;
/* A consistent online copy of the database into path. */
int		 db_backup(struct db *, const char *path, char *err,
		    size_t errlen) WUR;

#endif /* DB_H */
