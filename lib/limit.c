/*
 * Per-team limits and run-now leases (limit.h): the counts that bound
 * what a team holds, and the run_now_leases table's SQL.
 */
#include <stdio.h>
#include <string.h>

#include "apikey.h"
#include "config.h"
#include "db.h"
#include "ids.h"
#include "invite.h"
#include "limit.h"
#include "monitor.h"
#include "probe.h"
#include "ratelimit.h"
#include "req.h"
#include "response.h"
#include "timefmt.h"

/*
 * Each family's count (?1 the team, ?2 now where it matters), its limit
 * and how a refusal tells it.
 */
static const struct {
	const char	*count;
	const char	*setting;
	const long	*max;
	const char	*what;		/* "at most N <what>" */
	const char	*room;		/* how to make room */
} limits[LIMIT__MAX] = {
	/* LIMIT_KEYS */
	{ "SELECT count(*) FROM api_keys WHERE team_id = ?1 AND "
	  "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)",
	  "UPTIME_MAX_KEYS", &cfg.max_keys, "active keys",
	  "revoke one first" },
	/* LIMIT_MONITORS */
	{ "SELECT count(*) FROM monitors WHERE team_id = ?1",
	  "UPTIME_MAX_MONITORS", &cfg.max_monitors, "monitors",
	  "delete one first" },
	/* LIMIT_CHANNELS */
	{ "SELECT count(*) FROM channels WHERE team_id = ?1",
	  "UPTIME_MAX_ALERT_CHANNELS", &cfg.max_channels, "alert channels",
	  "delete one first" },
	/* LIMIT_PAGES */
	{ "SELECT count(*) FROM status_pages WHERE team_id = ?1",
	  "UPTIME_MAX_STATUS_PAGES", &cfg.max_pages, "status pages",
	  "delete one first" },
	/* LIMIT_WINDOWS: a cancelled window's horizon is its cancel time. */
	{ "SELECT count(*) FROM maintenance_windows WHERE team_id = ?1 AND "
	  "horizon > ?2 AND cancelled_at IS NULL",
	  "UPTIME_MAX_MAINTENANCE_WINDOWS", &cfg.max_windows,
	  "maintenance windows that are scheduled or active",
	  "cancel one first" },
};

enum stmt {
	STMT_LAPSE,
	STMT_LAPSE_CHECKS,
	STMT_MONITOR,
	STMT_TEAM,
	STMT_TAKE,
	STMT_TAKE_CHECK,
	STMT_GIVE,
	STMT_GIVE_CHECK,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_LAPSE */
	"DELETE FROM run_now_leases WHERE expires_at <= ?",
	/* STMT_LAPSE_CHECKS */
	"DELETE FROM check_leases WHERE expires_at <= ?",
	/* STMT_MONITOR */
	"SELECT expires_at FROM run_now_leases WHERE monitor_id = ?",
	/* STMT_TEAM: how many, and when the first lapses; a one-off
	 * check's lease counts like a monitor's. */
	"SELECT count(*), min(expires_at) FROM ("
	"SELECT expires_at FROM run_now_leases WHERE team_id = ?1 UNION ALL "
	"SELECT expires_at FROM check_leases WHERE team_id = ?1) AS l",
	/* STMT_TAKE (in parentheses: clang takes a lone concatenation in
	 * this table for a missing comma) */
	("INSERT INTO run_now_leases (monitor_id, team_id, token, expires_at) "
	"VALUES (?, ?, ?, ?)"),
	/* STMT_TAKE_CHECK */
	"INSERT INTO check_leases (token, team_id, expires_at) VALUES (?, ?, ?)",
	/* STMT_GIVE */
	"DELETE FROM run_now_leases WHERE monitor_id = ? AND token = ?",
	/* STMT_GIVE_CHECK */
	"DELETE FROM check_leases WHERE token = ?",
};

/* Read a row of integers: out[i] is column i. */
static void
ints(struct db_stmt *st, void *out)
{
	int64_t	*v = out;
	int	 i;

	for (i = 0; i < db_col_count(st); i++)
		v[i] = db_col_int64(st, i);
}

int
limit_room(struct db *db, enum limit which, const char *team, int64_t now)
{
	struct db_stmt	*st;
	int64_t		 n;
	int		 rc;

	if ((st = db_stmt(db, limits[which].count)) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	if (db_param_count(st) > 1)
		db_bind_int64(st, 2, now);
	if ((rc = db_step_one(st, ints, &n)) != DB_OK)
		return rc == DB_NOTFOUND ? DB_ERROR : rc;
	return n < *limits[which].max ? DB_OK : DB_CONFLICT;
}

int
limit_verify_domain(struct req *r)
{
	char	 name[ID_MAX + 8];
	long	 n;
	int	 reset;

	snprintf(name, sizeof(name), "d:%s", r->key->team_id);
	n = ratelimit_hit(name, r->now, &reset);
	if (n != -1 && n <= cfg.verify_limit)
		return 0;
	resp_problem_limit(r, 429, "verify_domain_limited", cfg.verify_limit,
	    "UPTIME_DOMAIN_VERIFY_LIMIT", "A team may verify custom domains "
	    "at most %ld times a minute (UPTIME_DOMAIN_VERIFY_LIMIT); retry "
	    "in %d seconds.", cfg.verify_limit, reset);
	resp_header(r, "Retry-After", "%d", reset < 1 ? 1 : reset);
	return -1;
}

int
limit_invite_accept(struct req *r)
{
	int	 rc, retry;

	if ((rc = invite_throttled(r->db, r->remote_addr, r->now,
	    &retry)) == 1) {
		resp_header(r, "Retry-After", "%d", retry);
		return resp_problem(r, 429, "rate_limited", "Too many failed "
		    "attempts from this address; retry in %d seconds.",
		    retry), -1;
	}
	if (rc == -1)
		return resp_db(r, DB_ERROR), -1;
	return 0;
}

int
limit_check(struct req *r, enum limit which)
{
	return limit_check_team(r, which, r->key->team_id);
}

int
limit_check_team(struct req *r, enum limit which, const char *team)
{
	int	 rc;

	if ((rc = limit_room(r->db, which, team, r->now)) == DB_OK)
		return 0;
	if (rc != DB_CONFLICT)
		return resp_db(r, rc), -1;
	resp_problem_limit(r, 409, "limit_exceeded", *limits[which].max,
	    limits[which].setting, "A team may have at most %ld %s (%s); %s.",
	    *limits[which].max, limits[which].what, limits[which].setting,
	    limits[which].room);
	return -1;
}

/* Why take() refused a lease. */
enum busy {
	BUSY_NONE,
	BUSY_MONITOR,		/* the monitor has one */
	BUSY_TEAM		/* the team has UPTIME_MAX_RUN_NOW */
};

/*
 * Inside the caller's transaction: forget lapsed leases, then take the
 * monitor's (a one-off check's when monitor is NULL) unless *why says
 * what is in the way and *lapses when it lapses.  DB_OK either way,
 * DB_NOTFOUND when the monitor is gone, or an error code.
 */
static int
take(struct db *db, const char *team, const char *monitor, int64_t now,
    int64_t lease_ms, const char *token, enum busy *why, int64_t *lapses)
{
	struct db_stmt	*st;
	int64_t		 v[2];
	int		 rc;

	*why = BUSY_NONE;
	if ((st = db_stmt(db, sqls[STMT_LAPSE])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	if ((st = db_stmt(db, sqls[STMT_LAPSE_CHECKS])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;

	if (monitor != NULL) {
		if ((st = db_stmt(db, sqls[STMT_MONITOR])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, monitor);
		if ((rc = db_step_one(st, ints, v)) == DB_OK) {
			*why = BUSY_MONITOR;
			*lapses = v[0];
			return DB_OK;
		}
		if (rc != DB_NOTFOUND)
			return rc;
	}

	if ((st = db_stmt(db, sqls[STMT_TEAM])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	if ((rc = db_step_one(st, ints, v)) != DB_OK)
		return rc == DB_NOTFOUND ? DB_ERROR : rc;
	if (v[0] >= cfg.max_run_now) {
		*why = BUSY_TEAM;
		*lapses = v[1];
		return DB_OK;
	}

	if (monitor == NULL) {
		if ((st = db_stmt(db, sqls[STMT_TAKE_CHECK])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, token);
		db_bind_text(st, 2, team);
		db_bind_int64(st, 3, now + lease_ms);
		return db_exec_stmt(st);
	}
	if ((st = db_stmt(db, sqls[STMT_TAKE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, monitor);
	db_bind_text(st, 2, team);
	db_bind_text(st, 3, token);
	db_bind_int64(st, 4, now + lease_ms);
	/* A conflict here is the monitor deleted since it was read. */
	rc = db_exec_stmt(st);
	return rc == DB_CONFLICT ? DB_NOTFOUND : rc;
}

int
runnow_take(struct req *r, const char *monitor, int64_t lease_ms,
    char *token)
{
	enum busy	 why;
	int64_t		 lapses = 0, s;
	int		 rc;

	id_new(token, "run");
	if ((rc = db_begin(r->db)) == DB_OK) {
		rc = take(r->db, r->key != NULL ? r->key->team_id :
		    r->team_id, monitor, r->now, lease_ms,
		    token, &why, &lapses);
		if (rc == DB_OK && why == BUSY_NONE)
			rc = db_commit(r->db);
		else
			db_rollback(r->db);
	}
	if (rc != DB_OK)
		return resp_db(r, rc), -1;
	if (why == BUSY_NONE)
		return 0;
	if (why == BUSY_MONITOR)
		resp_problem(r, 429, "run_now_busy", "A check of this monitor "
		    "is running already; retry when it is done.");
	else
		resp_problem_limit(r, 429, "run_now_busy", cfg.max_run_now,
		    "UPTIME_MAX_RUN_NOW", "A team may run at most %ld checks "
		    "on demand at once, one-off checks included "
		    "(UPTIME_MAX_RUN_NOW); retry when one is done.",
		    cfg.max_run_now);
	/* From now, not from the request's start: it may have waited for
	 * the lease's writer, whose lease then runs past r->now + lease. */
	s = (lapses - time_now_ms() + 999) / 1000;
	resp_header(r, "Retry-After", "%lld", (long long)(s < 1 ? 1 : s));
	return -1;
}

/*
 * Run p, prepared for m, now with the server's target policy, and judge
 * it into res: a check on demand, outside any transaction.
 */
static void
probe_now(struct req *r, const struct monitor *m, struct probe *p,
    struct check_result *res)
{
	struct probe_opts	 o;
	int64_t			 started;

	memset(&o, 0, sizeof(o));
	o.concurrency = 1;
	o.allow_private = cfg.allow_private;
	o.dns_servers = cfg.dns_servers[0] ? cfg.dns_servers : NULL;
	o.ca_file = cfg.ca_file[0] ? cfg.ca_file : NULL;
	started = time_now_ms();
	if (probe_run(p, 1, &o) == -1)
		req_log(r, __func__, "probe_run could not set up");
	check_judge(m, p, started, res);
}

int
runnow_run(struct req *r, const struct monitor *m, const char *lease,
    char *token, struct check_result *res)
{
	struct probe	 p;
	char		**scratch = NULL;
	int		 rc = 0;

	if (check_prepare(m, &p, &scratch) == -1)
		return 1;
	if (runnow_take(r, lease, m->timeout_s * 1000 + RUNNOW_GRACE_MS,
	    token) == -1)
		rc = -1;
	else
		probe_now(r, m, &p, res);
	probe_clear(&p);
	check_scratch_free(scratch);
	return rc;
}

int
runnow_monitor(struct req *r, struct monitor *m, struct check_result *res)
{
	char	 token[ID_MAX];
	int	 rc;

	if ((rc = runnow_run(r, m, m->id, token, res)) != 0)
		return rc;
	/* The lease goes with the result, or alone if that fails. */
	if ((rc = db_begin(r->db)) == DB_OK) {
		rc = check_record(r->db, m, res, 0, time_now_ms());
		if (rc == DB_OK)
			rc = runnow_give(r->db, m->id, token);
		if (rc == DB_OK)
			rc = db_commit(r->db);
		else
			db_rollback(r->db);
	}
	if (rc != DB_OK && runnow_give(r->db, m->id, token) != DB_OK)
		req_log(r, __func__, "cannot give the lease back; it lapses");
	if (rc == DB_OK)
		return 0;
	check_result_clear(res);
	return rc == DB_CONFLICT ? DB_NOTFOUND : rc;
}

int
runnow_give(struct db *db, const char *monitor, const char *token)
{
	struct db_stmt	*st;

	if (monitor == NULL) {
		if ((st = db_stmt(db, sqls[STMT_GIVE_CHECK])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, token);
		return db_exec_stmt(st);
	}
	if ((st = db_stmt(db, sqls[STMT_GIVE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, monitor);
	db_bind_text(st, 2, token);
	return db_exec_stmt(st);
}

/* PostgreSQL only (docs/scale-out.md): rate_counters is not in SQLite's
 * schema, whose programs count in the host's shared table. */
static const char sql_count_hit[] =
    "INSERT INTO rate_counters (name, minute, n) VALUES (?1, ?2, 1) "
    "ON CONFLICT (name) DO UPDATE SET n = CASE WHEN "
    "rate_counters.minute = excluded.minute THEN rate_counters.n + 1 "
    "ELSE 1 END, minute = excluded.minute RETURNING n";

long
limit_count_hit(void *arg, int64_t name, int64_t minute)
{
	struct db_stmt	*st;
	int64_t		 n;

	if ((st = db_query(arg, sql_count_hit, "II", name, minute)) == NULL ||
	    db_step_one(st, ints, &n) != DB_OK)
		return -1;
	return (long)n;
}

int
limit_counts_prune(struct db *db, int64_t now)
{
	struct db_stmt	*st;

	if (db_engine(db) != DB_POSTGRES)
		return DB_OK;
	if ((st = db_query(db, "DELETE FROM rate_counters WHERE minute < ?1",
	    "I", now / 60000)) == NULL)
		return DB_ERROR;
	return db_exec_stmt(st);
}
