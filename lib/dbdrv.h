/*
 * dbdrv.h: what db.c and its PostgreSQL driver, db_pg.c, share; no other
 * module includes it.
 */
#ifndef DBDRV_H
#define DBDRV_H

#include "base.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#define DB_MAXSTMTS	256	/* distinct cached statements */

struct db;
struct pg_stmt;

struct db_stmt {
	struct db	*db;
	const char	*sql;		/* the cache key */
	sqlite3_stmt	*lite;		/* on SQLite */
	struct pg_stmt	*pg;		/* on PostgreSQL */
};

struct db {
	int		 engine;	/* enum db_engine (db.h) */
	sqlite3		*h;
	PGconn		*pg;
	unsigned	 session;	/* PostgreSQL: bumped at each reconnect */
	long		 changes;	/* PostgreSQL: rows of the last command */
	struct db_stmt	*cache[DB_MAXSTMTS];
	size_t		 ncache;
	int		 in_tx;
};

/* db_pg.c: the PostgreSQL side of each db.c call. */
int		 pg_connect(struct db *, const char *uri, char *err,
		    size_t errlen) WUR;
void		 pg_close(struct db *);
struct pg_stmt	*pg_prepare(struct db *, const char *sql, size_t idx);
void		 pg_free(struct pg_stmt *);
void		 pg_clear(struct pg_stmt *);
void		 pg_reset(struct pg_stmt *);
void		 pg_bind(struct pg_stmt *, int i, const void *v, int len,
		    int binary);
int		 pg_nparams(struct pg_stmt *);
int		 pg_step(struct db *, struct pg_stmt *);
int		 pg_exec(struct db *, const char *sql);
int		 pg_autocommit(struct db *);
int		 pg_col_null(struct pg_stmt *, int);
const char	*pg_col_str(struct pg_stmt *, int);
const void	*pg_col_blob(struct pg_stmt *, int, int *len);
int		 pg_col_count(struct pg_stmt *);
const char	*pg_col_name(struct pg_stmt *, int);
const char	*pg_name(struct pg_stmt *);
int		 pg_prepared(struct db *, struct pg_stmt *);

#endif /* DBDRV_H */
