/*
 * A fresh database for a unit test: udb_open() makes one in a new
 * temporary folder (migrated, with the teams team_t and team_u),
 * udb_close() removes it; udb_sql() runs SQL that must succeed,
 * udb_int() reads one number (-1 when there is none) and udb_monitor()
 * adds a plain http monitor.  has_verr() tells whether a validation left
 * an error of a kind at a pointer.  Include after uptime.h.
 */
#ifndef UNIT_DB_H
#define UNIT_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char		 udb_dir[64];
static char		 udb_path[128];
static struct db	*udb;

static inline void
udb_sql(const char *s)
{
	char	*msg = NULL;

	if (sqlite3_exec(db_handle(udb), s, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sql: %s: %s\n", msg ? msg : "?", s);
		sqlite3_free(msg);
		exit(1);
	}
}

static inline long long
udb_int(const char *s)
{
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (sqlite3_prepare_v2(db_handle(udb), s, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static inline void
udb_open(const char *name)
{
	char	 err[256];

	snprintf(udb_dir, sizeof(udb_dir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(udb_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(udb_path, sizeof(udb_path), "%s/t.db", udb_dir);
	if ((udb = db_open(udb_path, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		exit(1);
	}
	udb_sql("INSERT INTO teams (id, name, created_at) VALUES "
	    "('team_t', 't', 0), ('team_u', 'u', 0)");
}

static inline void
udb_close(void)
{
	static const char *const suffix[] = { "-wal", "-shm", ".ratelimit" };
	char	 p[160];
	size_t	 i;

	db_close(udb);
	udb = NULL;
	unlink(udb_path);
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", udb_path, suffix[i]);
		unlink(p);
	}
	rmdir(udb_dir);
}

static inline void
udb_monitor(const char *id, const char *team, const char *name,
    long long created_at)
{
	char	 q[512];

	snprintf(q, sizeof(q), "INSERT INTO monitors (id, team_id, name, "
	    "type, interval_s, timeout_s, confirmations, next_check_at, "
	    "created_at, updated_at) VALUES ('%s', '%s', '%s', 'http', 60, 10, "
	    "1, 0, %lld, %lld)", id, team, name, created_at, created_at);
	udb_sql(q);
}

static inline int
has_verr(const struct verrs *v, enum verr_kind kind, const char *pointer)
{
	size_t	 i;

	for (i = 0; i < v->n; i++)
		if (v->e[i].kind == kind && strcmp(v->e[i].pointer, pointer) == 0)
			return 1;
	return 0;
}

#endif /* UNIT_DB_H */
