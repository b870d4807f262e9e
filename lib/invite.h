/*
 * invite.c: invitations to join a team: the struct, its JSON and all of
 * its SQL, their one-time tokens, issuing one (with its mail) and
 * accepting one, and the per-address counter of failed accepts.
 * cgi-bin/team.c calls it with checked values.
 *
 * Every lookup but by token takes the team id, so another team's
 * invitation is DB_NOTFOUND like one that does not exist.
 */
#ifndef INVITE_H
#define INVITE_H

#include "base.h"
#include "config.h"
#include "db.h"
#include "mail.h"
#include "member.h"
#include "page.h"

#define INVITE_TOKEN_LEN	32	/* base62: 190 random bits */
#define INVITE_ACCEPT_FAILS	10	/* failed accepts an address a ... */
#define INVITE_ACCEPT_WINDOW_MS	60000	/* ... minute */

enum invite_status {
	INV_PENDING,
	INV_ACCEPTED,
	INV_REVOKED,
	INV_EXPIRED,
	INV_ALL,		/* list filter only */
	INV_STATUS__MAX
};
extern const char *const invite_status_names[INV_STATUS__MAX];

struct invite {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 email[MAIL_ADDR_MAX + 1];	/* lower case */
	enum member_role role;
	int64_t		 created_at;
	int64_t		 expires_at;
	int64_t		 accepted_at;
	int64_t		 revoked_at;
	char		 created_by[ID_MAX];		/* key id or "" */
};

/* Accepted, else revoked, else expired (expires_at <= now), else pending. */
enum invite_status invite_status(const struct invite *, int64_t now);
/* A new one-time token into out (INVITE_TOKEN_LEN + 1 bytes). */
void	 invite_token_new(char *out);
/* 1 if s has the shape of a token (INVITE_TOKEN_LEN base62), else 0. */
int	 invite_token_valid(const char *s);

int	 invite_get(struct db *, const char *team, const char *id,
	    struct invite *);
/* By token (its keyed hash), in any team; DB_OK or DB_NOTFOUND. */
int	 invite_by_token(struct db *, const char *token, struct invite *);
/* A pending invitation to email in the team: DB_OK (into inv) or
 * DB_NOTFOUND. */
int	 invite_pending_for(struct db *, const char *team, const char *email,
	    int64_t now, struct invite *);
/*
 * Insert inv (its expires_at set) with the hash of token; id and
 * created_at (now) are filled here.
 */
int	 invite_insert(struct db *, struct invite *, const char *token,
	    int64_t now);
/* Resend: store the hash of a new token and inv's new expires_at. */
int	 invite_renew(struct db *, const struct invite *, const char *token);
int	 invite_revoke(struct db *, struct invite *, int64_t now);
/*
 * Mark a pending invitation accepted.  DB_NOTFOUND when it stopped being
 * pending meanwhile (accepted, revoked or expired at now).
 */
int	 invite_accept(struct db *, struct invite *, int64_t now);
int	 invite_list(struct db *, const char *team, enum invite_status,
	    struct lister *);
/* {id, email, role, status, expiresAt, createdAt, acceptedAt, revokedAt,
 * createdByKeyId}; never the token or its hash.  Caller owns. */
cJSON	*invite_json(const struct invite *, int64_t now);

/*
 * The accept rate limit: at most INVITE_ACCEPT_FAILS failed attempts per
 * client in a fixed INVITE_ACCEPT_WINDOW_MS window; ip is the request's
 * address and counts as ratelimit_client() says (an IPv6 /64 is one
 * client).
 * invite_throttled: 1 when ip is past the limit at now (*retry_s: seconds
 * until the window ends), 0 when not, -1 on a database error.
 * invite_failed: count one failed attempt (and forget old windows); a
 * DB_* code.
 */
int	 invite_throttled(struct db *, const char *ip, int64_t now,
	    int *retry_s);
int	 invite_failed(struct db *, const char *ip, int64_t now);

/* acceptUrl: UPTIME_PUBLIC_URL, the accept path and the token. */
#define INVITE_URL_MAX	(sizeof(cfg.public_url) + 64)

/* Why an address cannot be invited (with DB_CONFLICT). */
enum invite_taken {
	INVITE_FREE,
	INVITE_MEMBER,		/* a member of the team already */
	INVITE_PENDING,		/* another pending invitation: other */
	INVITE_TAKEN__MAX
};

/* What invite_issue made: the one place the token is shown. */
struct invite_sent {
	char			 token[INVITE_TOKEN_LEN + 1];
	char			 url[INVITE_URL_MAX];	/* acceptUrl */
	enum mail_status	 mail;	/* emailStatus */
	enum invite_taken	 taken;
	char			 other[ID_MAX];	/* INVITE_PENDING's id */
};

/*
 * Give inv (checked by the caller, its expires_at set) a new token: a
 * new invitation when self is NULL, else a resend of the invitation
 * self, in one transaction of its own (begun and ended here), then mail
 * it (mail_deliver) outside it when UPTIME_SMTP_URL is set.  DB_OK with
 * s filled (the caller wipes it with invite_sent_wipe); DB_CONFLICT with
 * s->taken when the address is a member or has a pending invitation
 * other than self; else a database error (the token wiped).
 */
int	 invite_issue(struct db *, struct invite *inv, const char *self,
	    int64_t now, struct invite_sent *s) WUR;
/* Wipe the token and acceptUrl of s. */
void	 invite_sent_wipe(struct invite_sent *s);

/*
 * Accept the invitation whose token is token: m (its name set by the
 * caller) joins the invitation's team with its address and role, and
 * the invitation is accepted at now, in one transaction of its own.
 * DB_OK with m filled; DB_NOTFOUND for a token that is malformed,
 * unknown, or no longer pending (one answer for all); DB_CONFLICT when
 * the address is a member already (inv names it); else a database error.
 */
int	 invite_accept_token(struct db *, const char *token, int64_t now,
	    struct member *m, struct invite *inv) WUR;

#endif /* INVITE_H */
