/*
 * Invitations to join a team: the struct, its JSON and all of its SQL,
 * and the per-address counter of failed accepts.
 *
 * The one-time token is never stored: only its keyed hash (token_hash()
 * in auth.c, domain "invite"), so a copy of the database cannot be used
 * to accept anything.  An invitation's status is computed from its
 * times: accepted, else revoked, else expired, else pending.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "ids.h"
#include "invite.h"
#include "json.h"
#include "keyhash.h"
#include "page.h"
#include "ratelimit.h"
#include "team.h"
#include "timefmt.h"

#define HASH_DOMAIN	"invite"

const char *const invite_status_names[INV_STATUS__MAX] = {
	"pending", "accepted", "revoked", "expired", "all"
};

static const char base62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#define COLS "id, team_id, email, role, created_at, expires_at, " \
	"accepted_at, revoked_at, created_by_key_id"
#define PENDING "accepted_at IS NULL AND revoked_at IS NULL AND " \
	"expires_at > "

enum stmt {
	STMT_GET,
	STMT_BY_HASH,
	STMT_PENDING_FOR,
	STMT_INSERT,
	STMT_RENEW,
	STMT_REVOKE,
	STMT_ACCEPT,
	STMT_LIST,
	STMT_THROTTLE_GET,
	STMT_THROTTLE_HIT,
	STMT_THROTTLE_PRUNE,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_GET */
	"SELECT " COLS " FROM invites WHERE team_id = ? AND id = ?",
	/* STMT_BY_HASH */
	"SELECT " COLS " FROM invites WHERE token_hash = ?",
	/* STMT_PENDING_FOR */
	"SELECT " COLS " FROM invites WHERE team_id = ?1 AND email = ?2 AND "
	PENDING "?3 ORDER BY created_at DESC LIMIT 1",
	/* STMT_INSERT */
	"INSERT INTO invites (id, team_id, email, role, token_hash, "
	"created_at, expires_at, created_by_key_id) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_RENEW */
	"UPDATE invites SET token_hash = ?, expires_at = ? "
	"WHERE team_id = ? AND id = ?",
	/* STMT_REVOKE */
	"UPDATE invites SET revoked_at = ? WHERE team_id = ? AND id = ? "
	"AND revoked_at IS NULL AND accepted_at IS NULL",
	/* STMT_ACCEPT: ?1 now */
	"UPDATE invites SET accepted_at = ?1 WHERE team_id = ?2 AND id = ?3 "
	"AND " PENDING "?1",
	/* STMT_LIST: ?2 the status, ?3 now, ?4..?6 the cursor. */
	"SELECT " COLS " FROM invites WHERE team_id = ?1 AND ("
	" ?2 = 4"
	" OR (?2 = 1 AND accepted_at IS NOT NULL)"
	" OR (?2 = 2 AND accepted_at IS NULL AND revoked_at IS NOT NULL)"
	" OR (?2 = 3 AND accepted_at IS NULL AND revoked_at IS NULL AND"
	"     expires_at <= ?3)"
	" OR (?2 = 0 AND " PENDING "?3))"
	" AND (?4 = 0 OR (created_at, id) < (?5, ?6))"
	" ORDER BY created_at DESC, id DESC LIMIT ?7",
	/* STMT_THROTTLE_GET */
	"SELECT window_start, failures FROM invite_accept_failures "
	"WHERE ip = ?",
	/* STMT_THROTTLE_HIT: ?2 now, ?3 the window; a stale window restarts. */
	"INSERT INTO invite_accept_failures (ip, window_start, failures) "
	"VALUES (?1, ?2, 1) ON CONFLICT (ip) DO UPDATE SET "
	"failures = CASE WHEN invite_accept_failures.window_start > ?2 - ?3 "
	"THEN invite_accept_failures.failures + 1 ELSE 1 END, "
	"window_start = CASE WHEN invite_accept_failures.window_start > "
	"?2 - ?3 THEN invite_accept_failures.window_start ELSE ?2 END",
	/* STMT_THROTTLE_PRUNE */
	"DELETE FROM invite_accept_failures WHERE window_start <= ?",
};

enum invite_status
invite_status(const struct invite *inv, int64_t now)
{
	if (inv->accepted_at != 0)
		return INV_ACCEPTED;
	if (inv->revoked_at != 0)
		return INV_REVOKED;
	if (inv->expires_at <= now)
		return INV_EXPIRED;
	return INV_PENDING;
}

void
invite_token_new(char *out)
{
	base62_random(out, INVITE_TOKEN_LEN);
	out[INVITE_TOKEN_LEN] = '\0';
}

int
invite_token_valid(const char *s)
{
	return strlen(s) == INVITE_TOKEN_LEN &&
	    strspn(s, base62) == INVITE_TOKEN_LEN;
}

/* Read a row of COLS into the struct invite at arg. */
static void
row(struct db_stmt *st, void *arg)
{
	struct invite	*inv = arg;
	char		 role[16];
	int		 i;

	memset(inv, 0, sizeof(*inv));
	db_col_text(st, 0, inv->id, sizeof(inv->id));
	db_col_text(st, 1, inv->team_id, sizeof(inv->team_id));
	db_col_text(st, 2, inv->email, sizeof(inv->email));
	db_col_text(st, 3, role, sizeof(role));
	/* The schema's CHECK keeps the role one of the four. */
	inv->role = (i = member_role_find(role)) == -1 ? ROLE_VIEWER :
	    (enum member_role)i;
	inv->created_at = db_col_int64(st, 4);
	inv->expires_at = db_col_int64(st, 5);
	inv->accepted_at = db_col_int64(st, 6);
	inv->revoked_at = db_col_int64(st, 7);
	db_col_text(st, 8, inv->created_by, sizeof(inv->created_by));
}

int
invite_get(struct db *db, const char *team, const char *id,
    struct invite *inv)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_GET], team, id)) == NULL)
		return DB_ERROR;
	return db_step_one(st, row, inv);
}

int
invite_by_token(struct db *db, const char *token, struct invite *inv)
{
	struct db_stmt	*st;
	unsigned char	 hash[KEY_HASHLEN];

	token_hash(HASH_DOMAIN, token, hash);
	if ((st = db_stmt(db, sqls[STMT_BY_HASH])) == NULL)
		return DB_ERROR;
	db_bind_blob(st, 1, hash, KEY_HASHLEN);
	sodium_memzero(hash, sizeof(hash));
	return db_step_one(st, row, inv);
}

int
invite_pending_for(struct db *db, const char *team, const char *email,
    int64_t now, struct invite *inv)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_PENDING_FOR])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	db_bind_text(st, 2, email);
	db_bind_int64(st, 3, now);
	return db_step_one(st, row, inv);
}

int
invite_insert(struct db *db, struct invite *inv, const char *token,
    int64_t now)
{
	struct db_stmt	*st;
	unsigned char	 hash[KEY_HASHLEN];

	id_new(inv->id, "inv");
	inv->created_at = now;
	inv->accepted_at = inv->revoked_at = 0;
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	token_hash(HASH_DOMAIN, token, hash);
	db_bind_text(st, 1, inv->id);
	db_bind_text(st, 2, inv->team_id);
	db_bind_text(st, 3, inv->email);
	db_bind_text(st, 4, member_role_names[inv->role]);
	db_bind_blob(st, 5, hash, KEY_HASHLEN);
	db_bind_int64(st, 6, inv->created_at);
	db_bind_int64(st, 7, inv->expires_at);
	db_bind_text(st, 8, inv->created_by[0] ? inv->created_by : NULL);
	sodium_memzero(hash, sizeof(hash));
	return db_exec_stmt(st);
}

int
invite_renew(struct db *db, const struct invite *inv, const char *token)
{
	struct db_stmt	*st;
	unsigned char	 hash[KEY_HASHLEN];

	if ((st = db_stmt(db, sqls[STMT_RENEW])) == NULL)
		return DB_ERROR;
	token_hash(HASH_DOMAIN, token, hash);
	db_bind_blob(st, 1, hash, KEY_HASHLEN);
	db_bind_int64(st, 2, inv->expires_at);
	db_bind_text(st, 3, inv->team_id);
	db_bind_text(st, 4, inv->id);
	sodium_memzero(hash, sizeof(hash));
	return db_exec_one(st);
}

int
invite_revoke(struct db *db, struct invite *inv, int64_t now)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_REVOKE])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now);
	db_bind_text(st, 2, inv->team_id);
	db_bind_text(st, 3, inv->id);
	if ((rc = db_exec_one(st)) == DB_OK)
		inv->revoked_at = now;
	return rc;
}

int
invite_accept(struct db *db, struct invite *inv, int64_t now)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_ACCEPT])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now);
	db_bind_text(st, 2, inv->team_id);
	db_bind_text(st, 3, inv->id);
	if ((rc = db_exec_one(st)) == DB_OK)
		inv->accepted_at = now;
	return rc;
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	struct invite	 inv;

	row(st, &inv);
	page_add(l, invite_json(&inv, l->now), inv.created_at, inv.id);
	return 0;
}

int
invite_list(struct db *db, const char *team, enum invite_status status,
    struct lister *l)
{
	return page_rows(db, db_query(db, sqls[STMT_LIST], "tiI", team,
	    (int)status, l->now), 4, l, list_row);
}

cJSON *
invite_json(const struct invite *inv, int64_t now)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", inv->id);
	cJSON_AddStringToObject(o, "email", inv->email);
	cJSON_AddStringToObject(o, "role", member_role_names[inv->role]);
	cJSON_AddStringToObject(o, "status",
	    invite_status_names[invite_status(inv, now)]);
	json_add_time(o, "expiresAt", inv->expires_at);
	json_add_time(o, "createdAt", inv->created_at);
	json_add_time(o, "acceptedAt", inv->accepted_at);
	json_add_time(o, "revokedAt", inv->revoked_at);
	json_add_str(o, "createdByKeyId", inv->created_by);
	return o;
}

int
invite_throttled(struct db *db, const char *ip, int64_t now, int *retry_s)
{
	struct db_stmt	*st;
	char		 client[IP_MAX + 8];
	int64_t		 start, left;
	long		 fails;
	int		 rc;

	*retry_s = 0;
	ratelimit_client(ip, client, sizeof(client));
	if ((st = db_stmt(db, sqls[STMT_THROTTLE_GET])) == NULL)
		return -1;
	db_bind_text(st, 1, client);
	if ((rc = db_step(st)) != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? 0 : -1;
	}
	start = db_col_int64(st, 0);
	fails = (long)db_col_int64(st, 1);
	db_reset(st);
	left = start + INVITE_ACCEPT_WINDOW_MS - now;
	if (left <= 0 || fails < INVITE_ACCEPT_FAILS)
		return 0;
	*retry_s = (int)((left + 999) / 1000);
	return 1;
}

int
invite_failed(struct db *db, const char *ip, int64_t now)
{
	struct db_stmt	*st;
	char		 client[IP_MAX + 8];
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_THROTTLE_PRUNE])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now - INVITE_ACCEPT_WINDOW_MS);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	if ((st = db_stmt(db, sqls[STMT_THROTTLE_HIT])) == NULL)
		return DB_ERROR;
	ratelimit_client(ip, client, sizeof(client));
	db_bind_text(st, 1, client);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, INVITE_ACCEPT_WINDOW_MS);
	return db_exec_stmt(st);
}

/*
 * Mail the invitation to the team named team when mail is configured;
 * the outbox records the attempt.  Runs outside any transaction.
 */
static enum mail_status
mail_invite(struct db *db, const struct invite *inv, const char *team,
    const char *url, const char *token)
{
	struct buf		 body = { NULL, 0, 0 };
	enum mail_status	 ms;
	char			 name[NAME_MAXBYTES], subject[NAME_MAXBYTES + 64];
	char			 t[TIME_MAX];

	if (cfg.smtp_url[0] == '\0')
		return MAIL_NOT_CONFIGURED;
	mail_text_clean(team, name, sizeof(name));
	snprintf(subject, sizeof(subject), "Invitation to join %s on uptime",
	    name);
	if (buf_printf(&body, "You are invited to join the team \"%s\" on "
	    "uptime, as %s.\n\n"
	    "To accept, open this address in a web browser before %s, "
	    "give your name and choose a password to sign in with:\n\n"
	    "  %s\n\n"
	    "Without a browser, send the token and your name:\n\n"
	    "  curl -X POST '%s/v1/invites/accept' \\\n"
	    "    -H 'Content-Type: application/json' \\\n"
	    "    -d '{\"token\": \"%s\", \"name\": \"Your Name\"}'\n\n"
	    "The invitation works once.  If you did not expect it, ignore "
	    "this message.\n", name,
	    member_role_names[inv->role], time_format(inv->expires_at, t),
	    url, cfg.public_url, token) == -1) {
		fprintf(stderr, "uptime: %s: %s: out of memory\n", __func__,
		    inv->id);
		ms = MAIL_FAILED;
	} else
		ms = mail_deliver(db, inv->team_id, "invite", inv->id,
		    inv->email, subject, body.p);
	if (body.p != NULL)
		sodium_memzero(body.p, body.len);
	buf_free(&body);
	return ms;
}

/*
 * DB_CONFLICT (s->taken, s->other) when email is a member of the team or
 * has a pending invitation other than self (NULL for none); DB_OK when
 * it is free; else a database error.
 */
static int
address_taken(struct db *db, const char *team, const char *email,
    const char *self, int64_t now, struct invite_sent *s)
{
	struct member	 m;
	struct invite	 other;
	int		 rc;

	if ((rc = member_by_email(db, team, email, &m)) == DB_OK) {
		s->taken = INVITE_MEMBER;
		return DB_CONFLICT;
	}
	if (rc == DB_NOTFOUND && (rc = invite_pending_for(db, team, email,
	    now, &other)) == DB_OK &&
	    (self == NULL || strcmp(other.id, self) != 0)) {
		s->taken = INVITE_PENDING;
		snprintf(s->other, sizeof(s->other), "%s", other.id);
		return DB_CONFLICT;
	}
	return rc == DB_NOTFOUND ? DB_OK : rc;
}

int
invite_issue(struct db *db, struct invite *inv, const char *self,
    int64_t now, struct invite_sent *s)
{
	struct team	 t;
	int		 rc;

	memset(s, 0, sizeof(*s));
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = address_taken(db, inv->team_id, inv->email, self, now,
	    s)) != DB_OK) {
		db_rollback(db);
		return rc;
	}
	invite_token_new(s->token);
	rc = self == NULL ? invite_insert(db, inv, s->token, now) :
	    invite_renew(db, inv, s->token);
	if (rc == DB_OK)
		rc = team_get(db, inv->team_id, &t);
	if (rc == DB_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc != DB_OK) {
		invite_sent_wipe(s);
		return rc == DB_NOTFOUND ? DB_ERROR : rc;
	}
	/* The console's page, where the person also sets a password; the
	 * token in a fragment: browsers never send it, so no log keeps it. */
	snprintf(s->url, sizeof(s->url), "%s/app/accept#token=%s",
	    cfg.public_url, s->token);
	s->mail = mail_invite(db, inv, t.name, s->url, s->token);
	return DB_OK;
}

void
invite_sent_wipe(struct invite_sent *s)
{
	sodium_memzero(s->token, sizeof(s->token));
	sodium_memzero(s->url, sizeof(s->url));
}

int
invite_accept_token(struct db *db, const char *token, int64_t now,
    struct member *m, struct invite *inv)
{
	int	 rc;

	if (!invite_token_valid(token))
		return DB_NOTFOUND;
	rc = db_begin(db);
	if (rc == DB_OK)
		rc = invite_by_token(db, token, inv);
	if (rc == DB_OK && invite_status(inv, now) != INV_PENDING)
		rc = DB_NOTFOUND;
	if (rc == DB_OK) {
		snprintf(m->team_id, sizeof(m->team_id), "%s", inv->team_id);
		snprintf(m->email, sizeof(m->email), "%s", inv->email);
		m->role = inv->role;
		m->joined_at = now;
		rc = member_insert(db, m);
	}
	if (rc == DB_OK)
		rc = invite_accept(db, inv, now);
	if (rc == DB_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	return rc;
}
