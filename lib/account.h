/*
 * account.c: what lets a person into the console: members' passwords
 * (Argon2id), their sign-in sessions and the one-time links that set a
 * password, with all of their SQL.  The tokens of sessions and links are
 * shown once (a cookie, a link) and stored as keyed hashes (keyhash.h).
 * The HTTP side (cookies, CSRF, Origin, throttles) is session.c; the
 * handlers are cgi-bin/console.c.  See docs/console.md.
 */
#ifndef ACCOUNT_H
#define ACCOUNT_H

#include "base.h"
#include "db.h"
#include "member.h"

#define PASSWORD_MINCHARS	10	/* characters */
#define PASSWORD_MAXBYTES	256
#define PASSWORD_HASHMAX	128	/* crypto_pwhash_STRBYTES */
#define ACCOUNT_TOKEN_LEN	43	/* base64url of 32 random bytes */
#define ACCOUNT_MAXTEAMS	8	/* teams one address signs in to */

/* A signed-in session: its row, with the member it belongs to. */
struct session {
	char		 id[ID_MAX];
	int64_t		 created_at;
	int64_t		 seen_at;
	struct member	 member;
};

/* A new random token (ACCOUNT_TOKEN_LEN + 1 bytes) into out. */
void	 account_token_new(char *out);
/* 1 when s has a token's shape, else 0. */
int	 account_token_valid(const char *s);

/*
 * NULL when pw is an acceptable password (PASSWORD_MINCHARS characters
 * to PASSWORD_MAXBYTES bytes of UTF-8), else what is wrong with it.
 */
const char *account_password_problem(const char *pw);
/* Argon2id of pw, interactive limits, into out (PASSWORD_HASHMAX
 * bytes).  0, or -1 when out of memory. */
int	 account_password_hash(const char *pw, char *out) WUR;
/* Store hash as the member's password; DB_OK or DB_NOTFOUND. */
int	 account_set_password(struct db *, const struct member *,
	    const char *hash);

/*
 * Sign-in: the member with address email (lower case) whose password is
 * pw, into m (the earliest joined of the address's teams whose password
 * it is).  DB_OK, or DB_NOTFOUND for an unknown address, a member
 * without a password and a wrong password alike, after the same work:
 * a password is checked even when there is nothing to check it against.
 */
int	 account_check_password(struct db *, const char *email,
	    const char *pw, struct member *m);

/*
 * A new session of m at now from ip, its token into token
 * (ACCOUNT_TOKEN_LEN + 1 bytes; the caller wipes it); DB_OK or an error.
 */
int	 account_session_new(struct db *, const struct member *,
	    const char *ip, int64_t now, char *token, struct session *);
/*
 * The session of token that was seen within idle_ms and began within
 * abs_ms of now, with its member; DB_NOTFOUND for any other (and an
 * expired one is deleted).  Its seen_at becomes now when it is a minute
 * old or more.
 */
int	 account_session_get(struct db *, const char *token, int64_t now,
	    int64_t idle_ms, int64_t abs_ms, struct session *);
/* End one session; ending every session of a member. */
int	 account_session_end(struct db *, const char *id);
int	 account_session_end_all(struct db *, const char *member_id);

/*
 * A new one-time link token for m, valid ttl_ms from now, into token
 * (ACCOUNT_TOKEN_LEN + 1 bytes); the member's older links stop working.
 */
int	 account_link_new(struct db *, const struct member *, int64_t now,
	    int64_t ttl_ms, char *token);
/*
 * Use the link of token at now: mark it used and fill m.  DB_NOTFOUND
 * for a malformed, unknown, used or expired token (one answer for all).
 */
int	 account_link_use(struct db *, const char *token, int64_t now,
	    struct member *m);

/*
 * The members with address email (lower case), one a team, oldest
 * first, at most max (and ACCOUNT_MAXTEAMS) of them, into m; *n how
 * many.  A DB_* code.
 */
int	 account_memberships(struct db *, const char *email,
	    struct member *m, int max, int *n);

/*
 * Forgot password: for each member with address email (lower case), a
 * new one-time link (its earlier ones stop working), made in a
 * transaction of its own, then mailed after the answer (mail_later) to
 * UPTIME_PUBLIC_URL/app/password#token=... when mail is configured.
 * DB_OK with the oldest of those members in *first; DB_NOTFOUND for an
 * address that is no member's; else a database error.
 */
int	 account_forgot(struct db *, const char *email, int64_t now,
	    struct member *first);

#endif /* ACCOUNT_H */
