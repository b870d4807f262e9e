/*
 * Copying a whole SQLite database into an empty PostgreSQL database
 * (uptime-admin copy): every table but the engine's own, in an order
 * that keeps the foreign keys, from one read snapshot of the source, in
 * one transaction on the target, with the counts compared before it
 * commits.  The column names come from the target, so SQLite's implicit
 * rowid goes where PostgreSQL keeps it as a column; identity sequences
 * are set past the copied ids.  Identifiers in the SQL built here come
 * from the two schemas' catalogs, never from input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbdrv.h"

#define COPY_MAXTABLES	64
#define COPY_MAXCOLS	64
#define COPY_SQLMAX	8192

struct table {
	char	 name[64];
	char	 cols[COPY_MAXCOLS][64];
	int	 ncols;
	char	 deps[16][64];	/* tables its foreign keys name */
	int	 ndeps;
	int	 done;
	long	 rows;
};

/* Tables only PostgreSQL has (schema/pg/019_baseline.sql). */
static int
engine_own(const char *name)
{
	return strcmp(name, "uptime_schema") == 0 ||
	    strcmp(name, "rate_counters") == 0;
}

/* The source's tables and what each refers to; the count, or -1. */
static int
tables_read(struct db *from, struct table *t, char *err, size_t errlen)
{
	struct db_stmt	*st, *fk;
	int		 n = 0, rc;

	st = db_prepare(from, "SELECT name FROM sqlite_master WHERE type = "
	    "'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
	fk = db_prepare(from, "SELECT DISTINCT \"table\" FROM "
	    "pragma_foreign_key_list(?1)");
	if (st == NULL || fk == NULL) {
		snprintf(err, errlen, "cannot read the source's tables");
		n = -1;
		goto out;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == COPY_MAXTABLES) {
			snprintf(err, errlen, "more than %d tables",
			    COPY_MAXTABLES);
			n = -1;
			goto out;
		}
		memset(&t[n], 0, sizeof(t[n]));
		db_col_text(st, 0, t[n].name, sizeof(t[n].name));
		db_bind_text(fk, 1, t[n].name);
		while (db_step(fk) == DB_ROW && t[n].ndeps < 16)
			db_col_text(fk, 0, t[n].deps[t[n].ndeps++], 64);
		db_reset(fk);
		n++;
	}
	if (rc != DB_DONE) {
		snprintf(err, errlen, "cannot read the source's tables");
		n = -1;
	}
out:
	db_finalize(st);
	db_finalize(fk);
	return n;
}

/* The target's columns of t, in order; 0, or -1 (no such table). */
static int
columns_read(struct db *to, struct table *t)
{
	struct db_stmt	*st;

	if ((st = db_prepare(to, "SELECT column_name FROM "
	    "information_schema.columns WHERE table_schema = 'public' AND "
	    "table_name = ?1 ORDER BY ordinal_position")) == NULL)
		return -1;
	db_bind_text(st, 1, t->name);
	while (db_step(st) == DB_ROW && t->ncols < COPY_MAXCOLS)
		db_col_text(st, 0, t->cols[t->ncols++], 64);
	db_finalize(st);
	return t->ncols > 0 ? 0 : -1;
}

/* One number from sql, or -1. */
static long
one_number(struct db *db, const char *sql)
{
	struct db_stmt	*st;
	long		 v = -1;

	if ((st = db_prepare(db, sql)) != NULL && db_step(st) == DB_ROW)
		v = (long)db_col_int64(st, 0);
	db_finalize(st);
	return v;
}

/* Copy the rows of t; the number copied, or -1. */
static long
rows_copy(struct db *from, struct db *to, struct table *t)
{
	char		 sel[COPY_SQLMAX], ins[COPY_SQLMAX];
	struct db_stmt	*src = NULL, *dst = NULL;
	sqlite3_stmt	*lite;
	size_t		 a, b;
	long		 n = 0;
	int		 i, rc;

	a = (size_t)snprintf(sel, sizeof(sel), "SELECT ");
	b = (size_t)snprintf(ins, sizeof(ins), "INSERT INTO \"%s\" (",
	    t->name);
	for (i = 0; i < t->ncols && a < sizeof(sel) && b < sizeof(ins); i++) {
		a += (size_t)snprintf(sel + a, sizeof(sel) - a, "%s\"%s\"",
		    i ? ", " : "", t->cols[i]);
		b += (size_t)snprintf(ins + b, sizeof(ins) - b, "%s\"%s\"",
		    i ? ", " : "", t->cols[i]);
	}
	for (i = 0; i < t->ncols && b < sizeof(ins); i++)
		b += (size_t)snprintf(ins + b, sizeof(ins) - b, "%s?%d",
		    i ? ", " : ") VALUES (", i + 1);
	if (a < sizeof(sel))
		a += (size_t)snprintf(sel + a, sizeof(sel) - a, " FROM \"%s\"",
		    t->name);
	if (b < sizeof(ins))
		b += (size_t)snprintf(ins + b, sizeof(ins) - b, ")");
	if (a >= sizeof(sel) || b >= sizeof(ins))
		return -1;
	if ((src = db_prepare(from, sel)) == NULL ||
	    (dst = db_prepare(to, ins)) == NULL) {
		n = -1;
		goto out;
	}
	lite = src->lite;
	while ((rc = db_step(src)) == DB_ROW) {
		for (i = 0; i < t->ncols; i++)
			switch (sqlite3_column_type(lite, i)) {
			case SQLITE_NULL:
				db_bind_null(dst, i + 1);
				break;
			case SQLITE_INTEGER:
				db_bind_int64(dst, i + 1,
				    sqlite3_column_int64(lite, i));
				break;
			case SQLITE_BLOB:
				db_bind_blob(dst, i + 1,
				    sqlite3_column_blob(lite, i),
				    sqlite3_column_bytes(lite, i));
				break;
			default:	/* text, and a float as its text */
				db_bind_text(dst, i + 1, (const char *)
				    sqlite3_column_text(lite, i));
			}
		if (db_exec_stmt(dst) != DB_OK) {
			n = -1;
			goto out;
		}
		n++;
	}
	if (rc != DB_DONE)
		n = -1;
out:
	db_finalize(src);
	db_finalize(dst);
	return n;
}

/* Each identity sequence of the target past the ids now in its table. */
static int
sequences_set(struct db *to)
{
	struct db_stmt	*st;
	char		 sql[512], tab[64], col[64];
	int		 rc = 0;

	if ((st = db_prepare(to, "SELECT table_name, column_name FROM "
	    "information_schema.columns WHERE table_schema = 'public' AND "
	    "is_identity = 'YES'")) == NULL)
		return -1;
	while (rc == 0 && db_step(st) == DB_ROW) {
		db_col_text(st, 0, tab, sizeof(tab));
		db_col_text(st, 1, col, sizeof(col));
		snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_"
		    "sequence('\"%s\"', '%s'), (SELECT coalesce(max(\"%s\"), "
		    "0) + 1 FROM \"%s\"), false)", tab, col, col, tab);
		if (one_number(to, sql) < 1)
			rc = -1;
	}
	db_finalize(st);
	return rc;
}

/* Copy t after the tables it refers to; 0, or -1 with err set. */
static int
table_copy(struct db *from, struct db *to, struct table *all, int n,
    struct table *t, FILE *out, char *err, size_t errlen)
{
	char	 sql[256];
	long	 src, dst;
	int	 i, j;

	if (t->done)
		return 0;
	t->done = 1;	/* a cycle stops here; the schema has none */
	for (i = 0; i < t->ndeps; i++)
		for (j = 0; j < n; j++)
			if (strcmp(all[j].name, t->deps[i]) == 0 &&
			    table_copy(from, to, all, n, &all[j], out, err,
			    errlen) == -1)
				return -1;
	if (columns_read(to, t) == -1) {
		snprintf(err, errlen, "the target has no table %s: is it at "
		    "the same schema version?", t->name);
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", t->name);
	if (one_number(to, sql) != 0) {
		snprintf(err, errlen, "the target database is not empty (its "
		    "table %s has rows): copy into a new, empty database",
		    t->name);
		return -1;
	}
	if ((t->rows = rows_copy(from, to, t)) == -1) {
		snprintf(err, errlen, "copying the rows of %s failed",
		    t->name);
		return -1;
	}
	src = one_number(from, sql);
	dst = one_number(to, sql);
	if (src != t->rows || dst != t->rows) {
		snprintf(err, errlen, "%s: %ld rows in the source, %ld copied, "
		    "%ld in the target", t->name, src, t->rows, dst);
		return -1;
	}
	if (out != NULL)
		fprintf(out, "%-28s %ld rows\n", t->name, t->rows);
	return 0;
}

int
db_copy(struct db *from, struct db *to, FILE *out, char *err,
    size_t errlen)
{
	struct table	*t;
	int		 n, i, own = 0, rc = -1;

	if (db_engine(from) != DB_SQLITE || db_engine(to) != DB_POSTGRES) {
		snprintf(err, errlen, "copy goes from SQLite to PostgreSQL");
		return -1;
	}
	if ((t = calloc(COPY_MAXTABLES, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (db_read_begin(from, &own) != DB_OK) {
		snprintf(err, errlen, "cannot read the source");
		goto out;
	}
	if ((n = tables_read(from, t, err, errlen)) == -1)
		goto out;
	if (db_begin(to) != DB_OK) {
		snprintf(err, errlen, "cannot begin on the target");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!engine_own(t[i].name) &&
		    table_copy(from, to, t, n, &t[i], out, err, errlen) == -1)
			break;
	if (i < n || sequences_set(to) == -1) {
		if (i == n)
			snprintf(err, errlen, "cannot set the id sequences");
		db_rollback(to);
		goto out;
	}
	if (db_commit(to) != DB_OK) {
		snprintf(err, errlen, "the target did not commit the copy");
		goto out;
	}
	rc = 0;
out:
	if (own && db_read_end(from, own, DB_OK) != DB_OK && rc == 0) {
		snprintf(err, errlen, "the source's snapshot failed");
		rc = -1;
	}
	free(t);
	return rc;
}
