/*
 * Passwords, sessions and set-password links: the struct, the SQL and
 * the secrets of signing in.  Passwords are libsodium's Argon2id strings
 * at the interactive limits; tokens are 32 random bytes shown once and
 * kept as keyed BLAKE2b-256 hashes (token_hash, keyhash.c), "session"
 * and "plink" keeping the two kinds apart.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "account.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "keyhash.h"
#include "mail.h"
#include "member.h"
#include "team.h"

#define SESSION_TOUCH_MS	60000	/* seen_at written once a minute */

enum stmt {
	STMT_SET_PASSWORD,
	STMT_BY_EMAIL,
	STMT_SESSION_INSERT,
	STMT_SESSION_GET,
	STMT_SESSION_TOUCH,
	STMT_SESSION_END,
	STMT_SESSION_END_ALL,
	STMT_LINK_DROP,
	STMT_LINK_INSERT,
	STMT_LINK_USE,
	STMT_MEMBERSHIPS,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_SET_PASSWORD */
	"UPDATE members SET password_hash = ? WHERE team_id = ? AND id = ?",
	/* STMT_BY_EMAIL: the address's teams with a password, oldest
	 * first. */
	"SELECT team_id, id, password_hash FROM members WHERE email = ?"
	" AND password_hash IS NOT NULL ORDER BY joined_at, id LIMIT ?",
	/* STMT_SESSION_INSERT */
	"INSERT INTO sessions (id, token_hash, member_id, team_id, created_at,"
	" seen_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
	/* STMT_SESSION_GET */
	"SELECT id, team_id, member_id, created_at, seen_at FROM sessions"
	" WHERE token_hash = ?",
	/* STMT_SESSION_TOUCH */
	"UPDATE sessions SET seen_at = ? WHERE id = ?",
	/* STMT_SESSION_END */
	"DELETE FROM sessions WHERE id = ?",
	/* STMT_SESSION_END_ALL */
	"DELETE FROM sessions WHERE member_id = ?",
	/* STMT_LINK_DROP: a member's links that were not used. */
	"DELETE FROM password_links WHERE member_id = ? AND used_at IS NULL",
	/* STMT_LINK_INSERT */
	"INSERT INTO password_links (token_hash, member_id, created_at,"
	" expires_at) VALUES (?, ?, ?, ?)",
	/* STMT_LINK_USE: one statement, so that a token works once. */
	"UPDATE password_links SET used_at = ?1 WHERE token_hash = ?2"
	" AND used_at IS NULL AND expires_at > ?1"
	" RETURNING (SELECT team_id FROM members WHERE id = member_id),"
	" member_id",
	/* STMT_MEMBERSHIPS: the address's teams, oldest first. */
	"SELECT team_id, id FROM members WHERE email = ?"
	" ORDER BY joined_at, id LIMIT ?",
};

void
account_token_new(char *out)
{
	unsigned char	 b[32];

	randombytes_buf(b, sizeof(b));
	sodium_bin2base64(out, ACCOUNT_TOKEN_LEN + 1, b, sizeof(b),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(b, sizeof(b));
}

int
account_token_valid(const char *s)
{
	return s != NULL && strlen(s) == ACCOUNT_TOKEN_LEN &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == ACCOUNT_TOKEN_LEN;
}

const char *
account_password_problem(const char *pw)
{
	long	 n = utf8_chars(pw);

	if (strlen(pw) > PASSWORD_MAXBYTES)
		return "must be at most 256 bytes";
	if (n < 0)
		return "must be UTF-8 text";
	if (n < PASSWORD_MINCHARS)
		return "must be at least 10 characters";
	return NULL;
}

int
account_password_hash(const char *pw, char *out)
{
	return crypto_pwhash_str(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 ? 0 : -1;
}

int
account_set_password(struct db *db, const struct member *m, const char *hash)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sqls[STMT_SET_PASSWORD], "ttt", hash,
	    m->team_id, m->id)) == NULL)
		return DB_ERROR;
	return db_exec_one(st);
}

/*
 * A hash no password matches (of 32 random bytes), made once: an unknown
 * address costs the same check as a known one.
 */
static const char *
decoy_hash(void)
{
	static char	 h[PASSWORD_HASHMAX];
	char		 pw[ACCOUNT_TOKEN_LEN + 1];

	if (h[0] == '\0') {
		account_token_new(pw);
		if (account_password_hash(pw, h) == -1)
			h[0] = '\0';
		sodium_memzero(pw, sizeof(pw));
	}
	return h;
}

int
account_check_password(struct db *db, const char *email, const char *pw,
    struct member *m)
{
	struct db_stmt	*st;
	char		 team[ACCOUNT_MAXTEAMS][ID_MAX], id[ACCOUNT_MAXTEAMS][ID_MAX];
	char		 hash[PASSWORD_HASHMAX];
	int		 n = 0, rc, found = -1;

	if ((st = db_query(db, sqls[STMT_BY_EMAIL], "ti", email,
	    ACCOUNT_MAXTEAMS)) == NULL)
		return DB_ERROR;
	/* Read the rows first: a check takes a while, and the statement
	 * would hold its read meanwhile. */
	while ((rc = db_step(st)) == DB_ROW && n < ACCOUNT_MAXTEAMS) {
		db_col_text(st, 0, team[n], sizeof(team[n]));
		db_col_text(st, 1, id[n], sizeof(id[n]));
		db_col_text(st, 2, hash, sizeof(hash));
		if (found == -1 && crypto_pwhash_str_verify(hash, pw,
		    strlen(pw)) == 0)
			found = n;
		n++;
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_rc(rc);
	if (n == 0 && crypto_pwhash_str_verify(decoy_hash(), pw,
	    strlen(pw)) == 0)
		return DB_NOTFOUND;	/* no password matches the decoy */
	if (found == -1)
		return DB_NOTFOUND;
	return member_get(db, team[found], id[found], m);
}

int
account_session_new(struct db *db, const struct member *m, const char *ip,
    int64_t now, char *token, struct session *s)
{
	struct db_stmt	*st;
	unsigned char	 h[KEY_HASHLEN];

	memset(s, 0, sizeof(*s));
	id_new(s->id, "ses");
	s->created_at = s->seen_at = now;
	s->member = *m;
	account_token_new(token);
	token_hash("session", token, h);
	if ((st = db_stmt(db, sqls[STMT_SESSION_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, s->id);
	db_bind_blob(st, 2, h, sizeof(h));
	db_bind_text(st, 3, m->id);
	db_bind_text(st, 4, m->team_id);
	db_bind_int64(st, 5, now);
	db_bind_int64(st, 6, now);
	db_bind_text(st, 7, ip);
	return db_exec_stmt(st);
}

static void
session_row(struct db_stmt *st, void *arg)
{
	struct session	*s = arg;

	db_col_text(st, 0, s->id, sizeof(s->id));
	db_col_text(st, 1, s->member.team_id, sizeof(s->member.team_id));
	db_col_text(st, 2, s->member.id, sizeof(s->member.id));
	s->created_at = db_col_int64(st, 3);
	s->seen_at = db_col_int64(st, 4);
}

int
account_session_get(struct db *db, const char *token, int64_t now,
    int64_t idle_ms, int64_t abs_ms, struct session *s)
{
	struct db_stmt	*st;
	unsigned char	 h[KEY_HASHLEN];
	char		 team[ID_MAX], id[ID_MAX];
	int		 rc;

	memset(s, 0, sizeof(*s));
	if (!account_token_valid(token))
		return DB_NOTFOUND;
	token_hash("session", token, h);
	if ((st = db_stmt(db, sqls[STMT_SESSION_GET])) == NULL)
		return DB_ERROR;
	db_bind_blob(st, 1, h, sizeof(h));
	if ((rc = db_step_one(st, session_row, s)) != DB_OK)
		return rc;
	if (now - s->seen_at >= idle_ms || now - s->created_at >= abs_ms) {
		(void)account_session_end(db, s->id);
		return DB_NOTFOUND;
	}
	snprintf(team, sizeof(team), "%s", s->member.team_id);
	snprintf(id, sizeof(id), "%s", s->member.id);
	if ((rc = member_get(db, team, id, &s->member)) != DB_OK)
		return rc;
	if (now - s->seen_at >= SESSION_TOUCH_MS) {
		s->seen_at = now;
		if ((st = db_query(db, sqls[STMT_SESSION_TOUCH], "It", now,
		    s->id)) == NULL)
			return DB_ERROR;
		(void)db_exec_stmt(st);
	}
	return DB_OK;
}

int
account_session_end(struct db *db, const char *id)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sqls[STMT_SESSION_END], "t", id)) == NULL)
		return DB_ERROR;
	return db_exec_stmt(st);
}

int
account_session_end_all(struct db *db, const char *member_id)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sqls[STMT_SESSION_END_ALL], "t",
	    member_id)) == NULL)
		return DB_ERROR;
	return db_exec_stmt(st);
}

int
account_link_new(struct db *db, const struct member *m, int64_t now,
    int64_t ttl_ms, char *token)
{
	struct db_stmt	*st;
	unsigned char	 h[KEY_HASHLEN];
	int		 rc;

	if ((st = db_query(db, sqls[STMT_LINK_DROP], "t", m->id)) == NULL)
		return DB_ERROR;
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	account_token_new(token);
	token_hash("plink", token, h);
	if ((st = db_stmt(db, sqls[STMT_LINK_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_blob(st, 1, h, sizeof(h));
	db_bind_text(st, 2, m->id);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, now + ttl_ms);
	return db_exec_stmt(st);
}

static void
link_row(struct db_stmt *st, void *arg)
{
	struct member	*m = arg;

	db_col_text(st, 0, m->team_id, sizeof(m->team_id));
	db_col_text(st, 1, m->id, sizeof(m->id));
}

int
account_link_use(struct db *db, const char *token, int64_t now,
    struct member *m)
{
	struct db_stmt	*st;
	unsigned char	 h[KEY_HASHLEN];
	struct member	 found;
	int		 rc;

	if (!account_token_valid(token))
		return DB_NOTFOUND;
	memset(&found, 0, sizeof(found));
	token_hash("plink", token, h);
	if ((st = db_stmt(db, sqls[STMT_LINK_USE])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now);
	db_bind_blob(st, 2, h, sizeof(h));
	if ((rc = db_step_one(st, link_row, &found)) != DB_OK)
		return rc;
	return member_get(db, found.team_id, found.id, m);
}

int
account_memberships(struct db *db, const char *email, struct member *m,
    int max, int *n)
{
	struct db_stmt	*st;
	char		 team[ACCOUNT_MAXTEAMS][ID_MAX], id[ACCOUNT_MAXTEAMS][ID_MAX];
	int		 i, rc;

	*n = 0;
	if (max > ACCOUNT_MAXTEAMS)
		max = ACCOUNT_MAXTEAMS;
	if ((st = db_query(db, sqls[STMT_MEMBERSHIPS], "ti", email, max)) ==
	    NULL)
		return DB_ERROR;
	while ((rc = db_step(st)) == DB_ROW && *n < max) {
		db_col_text(st, 0, team[*n], sizeof(team[*n]));
		db_col_text(st, 1, id[*n], sizeof(id[*n]));
		(*n)++;
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_rc(rc);
	for (i = 0; i < *n; i++)
		if ((rc = member_get(db, team[i], id[i], &m[i])) != DB_OK)
			return rc;
	return DB_OK;
}

/* Make a new link for m in a transaction of its own, then mail it once
 * the answer is out (mail_later). */
static int
mail_link(struct db *db, const struct member *m, int64_t now)
{
	struct buf	 body = { NULL, 0, 0 };
	struct team	 t;
	char		 token[ACCOUNT_TOKEN_LEN + 1], name[NAME_MAXBYTES];
	char		 subject[NAME_MAXBYTES + 64];
	int		 rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = team_get(db, m->team_id, &t)) == DB_OK)
		rc = account_link_new(db, m, now, cfg.link_ttl * 1000LL, token);
	if (rc == DB_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc != DB_OK) {
		sodium_memzero(token, sizeof(token));
		return rc;
	}
	mail_text_clean(t.name, name, sizeof(name));
	snprintf(subject, sizeof(subject), "Set your password for %s on "
	    "uptime", name);
	if (buf_printf(&body, "A new password was asked for your account "
	    "in the team \"%s\" on uptime.\n\n"
	    "To set one, open this address in a web browser within %ld "
	    "%s:\n\n"
	    "  %s/app/password#token=%s\n\n"
	    "The link works once.  If you did not ask for it, ignore this "
	    "message: your password stays as it is.\n", name,
	    cfg.link_ttl >= 7200 ? cfg.link_ttl / 3600 : cfg.link_ttl / 60,
	    cfg.link_ttl >= 7200 ? "hours" : "minutes", cfg.public_url,
	    token) == -1)
		rc = DB_ERROR;
	else if (mail_later(m->team_id, "password_link", m->id, m->email,
	    subject, body.p) == -1)
		(void)mail_deliver(db, m->team_id, "password_link", m->id,
		    m->email, subject, body.p);
	sodium_memzero(token, sizeof(token));
	if (body.p != NULL)
		sodium_memzero(body.p, body.len);
	buf_free(&body);
	return rc;
}

int
account_forgot(struct db *db, const char *email, int64_t now,
    struct member *first)
{
	struct member	 m[ACCOUNT_MAXTEAMS];
	int		 i, n, rc;

	memset(first, 0, sizeof(*first));
	if ((rc = account_memberships(db, email, m, ACCOUNT_MAXTEAMS, &n)) !=
	    DB_OK)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = mail_link(db, &m[i], now)) != DB_OK)
			return rc;
	if (n == 0)
		return DB_NOTFOUND;
	*first = m[0];
	return DB_OK;
}
