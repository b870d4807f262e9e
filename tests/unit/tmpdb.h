/*
 * A fresh, migrated database in a temporary folder, for the unit tests
 * of resource modules (alert, notify), and a monitor to point things at.
 * tmpdb_open() exits the test program when it cannot make one.
 */
#ifndef TMPDB_H
#define TMPDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uptime.h"
#include "monitor.h"

static char	 tmpdb_dir[64];
static char	 tmpdb_path[600];

static inline struct db *
tmpdb_open(const char *name)
{
	struct db	*db;
	char		 err[256];

	snprintf(tmpdb_dir, sizeof(tmpdb_dir), "/tmp/uptime-unit-%s-XXXXXX",
	    name);
	if (mkdtemp(tmpdb_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(tmpdb_path, sizeof(tmpdb_path), "%s/%s.db", tmpdb_dir, name);
	if ((db = db_open(tmpdb_path, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open %s: %s\n", tmpdb_path, err);
		exit(1);
	}
	return db;
}

static inline void
tmpdb_close(struct db *db)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char		 p[700];
	size_t		 i;

	db_close(db);
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", tmpdb_path, ext[i]);
		unlink(p);
	}
	rmdir(tmpdb_dir);
}

/* An http monitor "Shop" of the team; its id into out (ID_MAX). */
static inline int
tmpdb_monitor(struct db *db, const char *team_id, char *out)
{
	struct monitor	 m;
	struct verrs	 v = { 0 };
	cJSON		*b = cJSON_Parse("{\"name\":\"Shop\",\"url\":"
	    "\"https://shop.example.com/health\"}");
	int		 rc;

	monitor_init(&m, time_now_ms());
	monitor_apply(&m, b, 1, &v);
	cJSON_Delete(b);
	snprintf(m.team_id, sizeof(m.team_id), "%s", team_id);
	rc = v.n == 0 ? monitor_insert(db, &m) : DB_ERROR;
	snprintf(out, ID_MAX, "%s", m.id);
	monitor_free(&m);
	return rc;
}

#endif /* TMPDB_H */
