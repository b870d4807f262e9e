/*
 * The PostgreSQL driver under db.c, through libpq.  One connection per
 * process; each cached statement is prepared on the server the first
 * time it runs in a session, and again after a reconnect.  Values go as
 * text (blobs as binary) with their types left to the server, and come
 * back as text, which db.c reads as SQLite would.  The modules' SQL uses
 * SQLite's ?N placeholders; pg_prepare turns them into $N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbdrv.h"

#define PG_MAXPARAMS	64

struct pg_blob {
	unsigned char	*p;
	int		 len;
};

struct pg_stmt {
	char		 name[32];
	size_t		 idx;		/* the cache's slot, in the name */
	unsigned	 gen;		/* plans made stale, in the name */
	char		*sql;		/* with $N placeholders */
	int		 nparams;
	unsigned	 session;	/* prepared in this one; 0 never */
	char		*vals[PG_MAXPARAMS];
	int		 lens[PG_MAXPARAMS];
	int		 fmts[PG_MAXPARAMS];
	PGresult	*res;
	int		 row, nrows;
	struct pg_blob	*blobs;		/* bytea columns of this row decoded */
	int		 nblobs;
};

int
pg_connect(struct db *db, const char *uri, char *err, size_t errlen)
{
	PGresult	*res;

	db->pg = PQconnectdb(uri);
	if (db->pg == NULL || PQstatus(db->pg) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to the PostgreSQL "
		    "database: %s", db->pg ? PQerrorMessage(db->pg) :
		    "out of memory");
		return -1;
	}
	/* Notices (an IF NOT EXISTS that found it) are not errors. */
	res = PQexec(db->pg, "SET client_min_messages = warning");
	PQclear(res);
	db->session = 1;
	return 0;
}

void
pg_close(struct db *db)
{
	if (db->pg != NULL)
		PQfinish(db->pg);
	db->pg = NULL;
}

/*
 * SQLite's placeholders as PostgreSQL's: ?N stays N, a bare ? takes one
 * more than the largest so far; quoted text is left alone.
 */
static char *
placeholders(const char *sql, int *nparams)
{
	char		*out, *o;
	const char	*p;
	char		 quote = 0;
	long		 n;
	int		 max = 0;

	if ((out = malloc(strlen(sql) * 2 + 1)) == NULL)
		return NULL;
	for (p = sql, o = out; *p != '\0'; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			*o++ = *p;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			*o++ = *p;
		} else if (*p == '?') {
			if (p[1] >= '0' && p[1] <= '9') {
				n = strtol(p + 1, (char **)&p, 10);
				p--;
			} else
				n = max + 1;
			if (n < 1 || n > PG_MAXPARAMS) {
				free(out);
				return NULL;
			}
			if (n > max)
				max = (int)n;
			o += sprintf(o, "$%ld", n);
		} else
			*o++ = *p;
	}
	*o = '\0';
	*nparams = max;
	return out;
}

struct pg_stmt *
pg_prepare(struct db *db, const char *sql, size_t idx)
{
	struct pg_stmt	*st;

	(void)db;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	if ((st->sql = placeholders(sql, &st->nparams)) == NULL) {
		fprintf(stderr, "db_stmt: bad placeholders: %s\n", sql);
		free(st);
		return NULL;
	}
	st->idx = idx;
	snprintf(st->name, sizeof(st->name), "u%zu", idx);
	st->row = -1;
	return st;
}

/* Forget the bytea values decoded from the current row. */
static void
blobs_clear(struct pg_stmt *st)
{
	int	 i;

	for (i = 0; i < st->nblobs; i++) {
		free(st->blobs[i].p);
		st->blobs[i].p = NULL;
	}
}

void
pg_reset(struct pg_stmt *st)
{
	blobs_clear(st);
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
}

void
pg_clear(struct pg_stmt *st)
{
	int	 i;

	pg_reset(st);
	for (i = 0; i < st->nparams; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
}

void
pg_free(struct pg_stmt *st)
{
	pg_clear(st);
	free(st->blobs);
	free(st->sql);
	free(st);
}

void
pg_bind(struct pg_stmt *st, int i, const void *v, int len, int binary)
{
	char	*copy = NULL;

	if (i < 1 || i > st->nparams)
		return;
	if (v != NULL) {
		if (len < 0)
			len = (int)strlen(v);
		if ((copy = malloc((size_t)len + 1)) == NULL)
			return;		/* binds NULL; the NOT NULLs refuse */
		memcpy(copy, v, (size_t)len);
		copy[len] = '\0';
	}
	free(st->vals[i - 1]);
	st->vals[i - 1] = copy;
	st->lens[i - 1] = len;
	st->fmts[i - 1] = binary;
}

int
pg_nparams(struct pg_stmt *st)
{
	return st->nparams;
}

const char *
pg_name(struct pg_stmt *st)
{
	return st->name;
}

int
pg_prepared(struct db *db, struct pg_stmt *st)
{
	return st->session == db->session;
}

/*
 * A failed command's DB_* code: a constraint is a conflict; a
 * serialization failure, a deadlock, a lock not available and a lost
 * server are "busy" (503, try again).
 */
static int
pg_error(struct db *db, PGresult *res, const char *sql)
{
	const char	*state = res ? PQresultErrorField(res,
			    PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(db->pg) != CONNECTION_OK) {
		/* Every statement is to be prepared again on the new
		 * session; the transaction, if any, is gone. */
		PQreset(db->pg);
		db->session++;
		db->in_tx = 0;
		return DB_BUSY;
	}
	if (state != NULL && strncmp(state, "23", 2) == 0)
		return DB_CONFLICT;
	if (state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
	    strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0))
		return DB_BUSY;
	fprintf(stderr, "db: %s%s\n", res ? PQresultErrorMessage(res) :
	    PQerrorMessage(db->pg), sql ? sql : "");
	return DB_ERROR;
}

/*
 * After a failed run: a prepared statement the server lost is prepared
 * again next time; one whose plan a DDL change made stale, under a new
 * name (the old one stays until the session ends: dropping it could
 * only fail in the caller's failed transaction).  One refused for its
 * values (a constraint) is still good: preparing it again would fail
 * on its name, ending the caller's next transaction.
 */
static void
stale(struct pg_stmt *st, const PGresult *res)
{
	const char	*state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (state == NULL)
		return;
	if (strcmp(state, "0A000") == 0)
		snprintf(st->name, sizeof(st->name), "u%zu_%u", st->idx,
		    ++st->gen);
	else if (strcmp(state, "26000") != 0)
		return;
	st->session = 0;
}

int
pg_step(struct db *db, struct pg_stmt *st)
{
	PGresult	*res;
	int		 rc;

	if (st->res == NULL) {
		if (PQstatus(db->pg) != CONNECTION_OK) {
			PQreset(db->pg);
			db->session++;
			if (PQstatus(db->pg) != CONNECTION_OK)
				return DB_BUSY;
		}
		if (st->session != db->session) {
			res = PQprepare(db->pg, st->name, st->sql,
			    st->nparams, NULL);
			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				rc = pg_error(db, res, st->sql);
				PQclear(res);
				return rc;
			}
			PQclear(res);
			st->session = db->session;
		}
		res = PQexecPrepared(db->pg, st->name, st->nparams,
		    (const char *const *)st->vals, st->lens, st->fmts, 0);
		switch (PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
			st->nrows = PQntuples(res);
			break;
		case PGRES_COMMAND_OK:
			st->nrows = 0;
			break;
		default:
			rc = pg_error(db, res, st->sql);
			stale(st, res);
			PQclear(res);
			return rc;
		}
		db->changes = strtol(PQcmdTuples(res), NULL, 10);
		st->res = res;
		st->row = -1;
	}
	blobs_clear(st);
	if (++st->row < st->nrows)
		return DB_ROW;
	st->row = st->nrows;
	return DB_DONE;
}

int
pg_exec(struct db *db, const char *sql)
{
	PGresult	*res;
	int		 rc = DB_OK;

	res = PQexec(db->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_error(db, res, sql);
	PQclear(res);
	return rc;
}

int
pg_autocommit(struct db *db)
{
	return PQtransactionStatus(db->pg) == PQTRANS_IDLE ||
	    PQtransactionStatus(db->pg) == PQTRANS_UNKNOWN;
}

static int
in_row(struct pg_stmt *st, int i)
{
	return st->res != NULL && st->row >= 0 && st->row < st->nrows &&
	    i >= 0 && i < PQnfields(st->res);
}

int
pg_col_null(struct pg_stmt *st, int i)
{
	return !in_row(st, i) || PQgetisnull(st->res, st->row, i);
}

const char *
pg_col_str(struct pg_stmt *st, int i)
{
	if (pg_col_null(st, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A bytea column ("\\x..." text) decoded, kept until the next step;
 * other columns as their text. */
const void *
pg_col_blob(struct pg_stmt *st, int i, int *len)
{
	struct pg_blob	*b;
	const char	*s;
	size_t		 n, k;

	if (len != NULL)
		*len = 0;
	if ((s = pg_col_str(st, i)) == NULL)
		return NULL;
	if (PQftype(st->res, i) != 17 /* bytea */ || s[0] != '\\' ||
	    s[1] != 'x') {
		if (len != NULL)
			*len = PQgetlength(st->res, st->row, i);
		return s;
	}
	if (st->blobs == NULL) {
		if ((st->blobs = calloc((size_t)PQnfields(st->res),
		    sizeof(*st->blobs))) == NULL)
			return NULL;
		st->nblobs = PQnfields(st->res);
	}
	b = &st->blobs[i];
	if (b->p == NULL) {
		n = (strlen(s) - 2) / 2;
		if ((b->p = malloc(n + 1)) == NULL)
			return NULL;
		for (k = 0; k < n; k++)
			b->p[k] = (unsigned char)(hexval(s[2 + 2 * k]) << 4 |
			    hexval(s[3 + 2 * k]));
		b->p[n] = '\0';
		b->len = (int)n;
	}
	if (len != NULL)
		*len = b->len;
	return b->p;
}

int
pg_col_count(struct pg_stmt *st)
{
	return st->res != NULL ? PQnfields(st->res) : 0;
}

const char *
pg_col_name(struct pg_stmt *st, int i)
{
	return st->res != NULL ? PQfname(st->res, i) : "";
}
