/*
 * Heartbeat monitors: tokens, expected pings, the ping path, the
 * checker's judgment and the pings table.  See heartbeat.h and
 * docs/lib/heartbeat.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "buf.h"
#include "cronexpr.h"
#include "db.h"
#include "hbsched.h"
#include "heartbeat.h"
#include "ids.h"
#include "json.h"
#include "monitor.h"
#include "page.h"
#include "pingkey.h"
#include "timefmt.h"

#define MINUTE_MS	60000LL
#define PRUNE_BATCH	5000

const char *const ping_kind_names[PING__MAX] = {
	"success", "start", "fail"
};

enum stmt {
	STMT_PING,
	STMT_STATE,
	STMT_ROTATE,
	STMT_LIST,
	STMT_PRUNE,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_PING */
	"INSERT INTO pings (monitor_id, kind, at, source_ip, body, "
	"duration_ms, exit_code) VALUES (?, ?, ?, ?, ?, ?, ?)",
	/* STMT_STATE: the heartbeat's own state, beside check_record's. */
	"UPDATE monitors SET last_ping_at = ?2, run_started_at = ?3, "
	"ping_expected_at = ?4, ping_window = ?5, ping_count = ?6, "
	"next_check_at = ?7 WHERE id = ?1",
	/* STMT_ROTATE */
	"UPDATE monitors SET ping_token = ?3, updated_at = ?4 "
	"WHERE team_id = ?1 AND id = ?2 AND type = 'heartbeat'",
	/* STMT_LIST */
	"SELECT id, kind, at, source_ip, body, duration_ms, exit_code "
	"FROM pings "
	"WHERE monitor_id = ?1"
	" AND (at >= ?2 OR ?2 IS NULL)"
	" AND (at < ?3 OR ?3 IS NULL)"
	" AND ((CASE kind WHEN 'fail' THEN 'down' ELSE 'up' END) = ?4"
	"      OR ?4 IS NULL)"
	" AND (?5 = 0 OR (at, id) < (?6, ?7))"
	" ORDER BY at DESC, id DESC LIMIT ?8",
	/* STMT_PRUNE: monitor by monitor through pings_monitor (CROSS JOIN
	 * keeps that order); no index on at alone: pings would pay for it. */
	"DELETE FROM pings WHERE id IN (SELECT p.id FROM monitors m "
	"CROSS JOIN pings p WHERE p.monitor_id = m.id AND p.at < ?1 "
	"LIMIT ?2)",
};

/*
 * The first expected time whose deadline is still ahead of now, from the
 * current one: a missed slot is one failure, then the job is expected at
 * its next regular time (an interval keeps its phase).
 */
static int
expected_ahead(struct monitor *m, int64_t now)
{
	int64_t	 grace = heartbeat_grace_ms(m);
	int64_t	 iv = (int64_t)m->interval_s * 1000;
	int64_t	 e = m->ping_expected_at;

	if (e + grace > now)
		return 0;
	if (heartbeat_cfg_str(m, "schedule") == NULL && iv > 0) {
		e += ((now - grace - e) / iv + 1) * iv;
		m->ping_expected_at = e;
		return 0;
	}
	return heartbeat_expected_after(m, now - grace, &m->ping_expected_at);
}

static int
save_state(struct db *db, const struct monitor *m)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_STATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	db_bind_time(st, 2, m->last_ping_at);
	db_bind_time(st, 3, m->run_started_at);
	db_bind_time(st, 4, m->ping_expected_at);
	db_bind_int64(st, 5, m->ping_window);
	db_bind_int64(st, 6, m->ping_count);
	db_bind_int64(st, 7, m->next_check_at);
	return db_exec_stmt(st);
}

/* A result with no probe behind it. */
static void
result(struct check_result *r, int64_t at, enum mon_status status)
{
	memset(r, 0, sizeof(*r));
	r->checked_at = at;
	r->status = status;
	r->response_ms = -1;
	r->dns_ms = r->connect_ms = r->tls_ms = r->first_byte_ms = -1;
}

static int
insert_ping(struct db *db, const struct monitor *m, const struct ping_in *p,
    int64_t duration)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_PING])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	db_bind_text(st, 2, ping_kind_names[p->kind]);
	db_bind_int64(st, 3, p->at);
	db_bind_text(st, 4, p->ip != NULL && p->ip[0] ? p->ip : NULL);
	if (p->body != NULL && p->bodylen > 0)
		db_bind_blob(st, 5, p->body, (int)(p->bodylen >
		    HB_MAXBODY ? HB_MAXBODY : p->bodylen));
	if (duration >= 0)
		db_bind_int64(st, 6, duration);
	if (p->exit_code >= 0)
		db_bind_int(st, 7, p->exit_code);
	return db_exec_stmt(st);
}

/* Why a fail ping failed: its exit code, when it gave one. */
static void
fail_message(int exit_code, char *out, size_t len)
{
	if (exit_code > 0)
		snprintf(out, len, "The job exited with code %d (a ping to "
		    "/%d).", exit_code, exit_code);
	else
		snprintf(out, len, "The job reported a failure (a ping to "
		    "/fail).");
}

/*
 * The heartbeat p is for: by its token, or by the team of the ping key
 * p->token and p->slug.  DB_OK or DB_NOTFOUND.
 */
static int
ping_target(struct db *db, const struct ping_in *p, struct monitor *m)
{
	struct pingkey	 k;
	int		 rc;

	if (p->slug == NULL)
		return monitor_by_token(db, p->token, m);
	if ((rc = pingkey_by_secret(db, p->token, &k)) != DB_OK)
		return rc;
	rc = monitor_by_slug(db, k.team_id, p->slug, m);
	pingkey_free(&k);
	if (rc == DB_OK && m->type != MON_HEARTBEAT) {
		monitor_free(m);
		rc = DB_NOTFOUND;
	}
	return rc;
}

/* Move the state of unpaused m for ping p.  DB_* code. */
static int
ping_state(struct db *db, struct monitor *m, const struct ping_in *p)
{
	struct check_result	 r;

	if (p->kind == PING_START) {
		m->run_started_at = p->at;
		m->next_check_at = p->at + heartbeat_grace_ms(m);
		return DB_OK;
	}
	m->run_started_at = 0;
	if (heartbeat_expected_after(m, p->at, &m->ping_expected_at) == -1)
		return DB_ERROR;
	m->next_check_at = m->ping_expected_at + heartbeat_grace_ms(m);
	if (p->kind == PING_SUCCESS)
		result(&r, p->at, MST_UP);
	else {
		result(&r, p->at, MST_DOWN);
		snprintf(r.error_code, sizeof(r.error_code), "job_failed");
		fail_message(p->exit_code, r.error_message,
		    sizeof(r.error_message));
	}
	return check_record(db, m, &r, CHECK_NOROW, p->at);
}

int
heartbeat_ping(struct db *db, const struct ping_in *p, int *retry_after)
{
	struct monitor	 m;
	int64_t		 window = p->at - p->at % MINUTE_MS, duration = -1;
	int		 rc;

	*retry_after = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = ping_target(db, p, &m)) != DB_OK) {
		db_rollback(db);
		return rc;
	}
	if (m.ping_window == window && m.ping_count >= HB_RATE_LIMIT) {
		*retry_after = (int)((window + MINUTE_MS - p->at + 999) / 1000);
		rc = DB_OK;
		goto rollback;
	}
	if (m.ping_window != window) {
		m.ping_window = window;
		m.ping_count = 0;
	}
	m.ping_count++;
	if (p->kind != PING_START && m.run_started_at != 0 &&
	    p->at >= m.run_started_at)
		duration = p->at - m.run_started_at;
	m.last_ping_at = p->at;
	if ((rc = insert_ping(db, &m, p, duration)) != DB_OK ||
	    (!m.paused && (rc = ping_state(db, &m, p)) != DB_OK) ||
	    (rc = save_state(db, &m)) != DB_OK)
		goto rollback;
	rc = db_commit(db);
	monitor_free(&m);
	return rc;
rollback:
	db_rollback(db);
	monitor_free(&m);
	return rc;
}

int
heartbeat_judge(struct db *db, struct monitor *m, int64_t now)
{
	struct check_result	 r;
	char			 t1[TIME_MAX], t2[TIME_MAX];
	int64_t			 grace = heartbeat_grace_ms(m), deadline;
	int			 rc;

	if (m->type != MON_HEARTBEAT || m->paused || m->next_check_at > now)
		return DB_OK;
	if (m->ping_expected_at == 0) {
		/* No clock yet (should not happen): start it. */
		if (heartbeat_restart(m, now) == -1)
			return DB_ERROR;
		return save_state(db, m);
	}
	deadline = (m->run_started_at != 0 ? m->run_started_at :
	    m->ping_expected_at) + grace;
	if (now < deadline) {
		m->next_check_at = deadline;
		return save_state(db, m);
	}
	result(&r, now, MST_DOWN);
	if (m->run_started_at != 0) {
		snprintf(r.error_code, sizeof(r.error_code), "%s",
		    "run_not_finished");
		snprintf(r.error_message, sizeof(r.error_message), "The run "
		    "started at %s did not finish within the grace period of "
		    "%lld s.", time_format(m->run_started_at, t1),
		    (long long)(grace / 1000));
		m->run_started_at = 0;
	} else {
		snprintf(r.error_code, sizeof(r.error_code), "ping_late");
		snprintf(r.error_message, sizeof(r.error_message), "No ping "
		    "came by %s: one was expected at %s, with a grace period "
		    "of %lld s.", time_format(deadline, t1),
		    time_format(m->ping_expected_at, t2),
		    (long long)(grace / 1000));
	}
	if (expected_ahead(m, now) == -1)
		return DB_ERROR;
	m->next_check_at = m->ping_expected_at + grace;
	if ((rc = check_record(db, m, &r, CHECK_NOROW, now)) != DB_OK)
		return rc;
	return save_state(db, m);
}

int
heartbeat_rotate(struct db *db, struct monitor *m, int64_t now)
{
	struct db_stmt	*st;
	char		 token[HB_TOKEN_LEN + 1];
	int		 rc;

	heartbeat_token(token);
	if ((st = db_stmt(db, sqls[STMT_ROTATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->team_id);
	db_bind_text(st, 2, m->id);
	db_bind_text(st, 3, token);
	db_bind_int64(st, 4, now);
	rc = db_exec_stmt(st);
	if (rc == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	if (rc == DB_OK) {
		snprintf(m->ping_token, sizeof(m->ping_token), "%s", token);
		m->updated_at = now;
	}
	return rc;
}

/*
 * The length of the valid UTF-8 character at s (n bytes left), or 0 with
 * *bad set to the bytes that one U+FFFD replaces: a byte that cannot
 * start a character, or the valid start of one that is cut short (the
 * "maximal subpart" of the WHATWG decoder).  NUL counts as bad.
 */
static size_t
utf8_char(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned	 c = s[0], lo = 0x80, hi = 0xbf;
	size_t		 len, k;

	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;	/* no overlong forms */
		hi = c == 0xed ? 0x9f : 0xbf;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;	/* nothing past U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (k = 1; k < len; k++) {
		if (k >= n || s[k] < lo || s[k] > hi) {
			*bad = k;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/*
 * The body as a JSON string: what is not valid UTF-8 (a character cut at
 * the 10 KiB limit, binary data) and NULs become U+FFFD.
 */
static cJSON *
body_json(const unsigned char *s, size_t n)
{
	struct buf	 b = { NULL, 0, 0 };
	cJSON		*j;
	size_t		 i = 0, len, bad = 0;
	int		 ok = buf_add(&b, "", 0) == 0;

	while (ok && i < n) {
		if ((len = utf8_char(s + i, n - i, &bad)) > 0) {
			ok = buf_add(&b, s + i, len) == 0;
			i += len;
		} else {
			ok = buf_add(&b, "\xef\xbf\xbd", 3) == 0;
			i += bad;
		}
	}
	j = ok ? cJSON_CreateString(b.p) : NULL;
	buf_free(&b);
	return j;
}

static cJSON *
ping_json(struct db_stmt *st)
{
	cJSON		*o = cJSON_CreateObject(), *e, *body;
	const char	*kind = db_col_str(st, 1);
	int		 fail = kind != NULL && strcmp(kind, "fail") == 0;
	int		 code = db_col_null(st, 6) ? -1 :
			    db_col_int(st, 6);
	char		 msg[128];

	json_add_time(o, "checkedAt", db_col_int64(st, 2));
	cJSON_AddStringToObject(o, "status", fail ? "down" : "up");
	cJSON_AddStringToObject(o, "kind", kind != NULL ? kind : "success");
	if (code >= 0)
		cJSON_AddNumberToObject(o, "exitCode", code);
	else
		cJSON_AddNullToObject(o, "exitCode");
	json_add_str(o, "sourceIp", db_col_str(st, 3));
	if (db_col_null(st, 5))
		cJSON_AddNullToObject(o, "durationMs");
	else
		cJSON_AddNumberToObject(o, "durationMs",
		    (double)db_col_int64(st, 5));
	if (db_col_null(st, 4) ||
	    (body = body_json(db_col_blob(st, 4),
	    (size_t)db_col_bytes(st, 4))) == NULL)
		cJSON_AddNullToObject(o, "body");
	else
		cJSON_AddItemToObject(o, "body", body);
	cJSON_AddNullToObject(o, "responseTimeMs");
	cJSON_AddNullToObject(o, "statusCode");
	if (fail) {
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "code", "job_failed");
		fail_message(code, msg, sizeof(msg));
		cJSON_AddStringToObject(e, "message", msg);
	} else
		cJSON_AddNullToObject(o, "error");
	cJSON_AddNullToObject(o, "timings");
	return o;
}

static int
ping_row(struct db_stmt *st, struct lister *l)
{
	char	 id[ID_MAX];

	snprintf(id, sizeof(id), "p_%lld",
	    (long long)db_col_int64(st, 0));
	page_add(l, ping_json(st), db_col_int64(st, 2), id);
	return 0;
}

int
ping_list(struct db *db, const char *monitor, const struct result_filter *f,
    struct lister *l)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sqls[STMT_LIST], "tTTt", monitor, f->from,
	    f->to, f->status >= 0 ? mon_status_names[f->status] : NULL)) !=
	    NULL)
		page_bind_rowid(st, 5, l);
	return page_rows(db, st, 0, l, ping_row);
}

int
ping_prune(struct db *db, int64_t before, long long *n)
{
	struct db_stmt	*st;
	int		 rc, changed;

	*n = 0;
	do {
		if ((rc = db_begin(db)) != DB_OK)
			return rc;
		if ((st = db_stmt(db, sqls[STMT_PRUNE])) == NULL) {
			db_rollback(db);
			return DB_ERROR;
		}
		db_bind_int64(st, 1, before);
		db_bind_int(st, 2, PRUNE_BATCH);
		if ((rc = db_exec_stmt(st)) != DB_OK) {
			db_rollback(db);
			return rc;
		}
		changed = db_changes(db);
		if ((rc = db_commit(db)) != DB_OK)
			return rc;
		*n += changed;
	} while (changed == PRUNE_BATCH);
	return DB_OK;
}
