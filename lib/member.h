/*
 * member.c: the people of a team, invite.c: invitations to join it, and
 * invitepage.c: the page an invitation link opens.  Each module owns its
 * struct, its JSON and all of its SQL; handlers in cgi-bin/team.c and
 * uptime-admin call them with checked values.
 *
 * Every lookup takes the team id, so another team's member or invitation
 * is DB_NOTFOUND like one that does not exist.
 */
#ifndef MEMBER_H
#define MEMBER_H

#include "uptime.h"
#include "mail.h"

/* ---- member.c ---- */

enum member_role {
	ROLE_OWNER,
	ROLE_ADMIN,
	ROLE_MEMBER,
	ROLE_VIEWER,
	ROLE__MAX
};
extern const char *const member_role_names[ROLE__MAX];
/* The role's index, or -1 when name is not one of the four. */
int	 member_role_find(const char *name);

struct member {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 email[MAIL_ADDR_MAX + 1];	/* lower case */
	char		 name[NAME_MAXBYTES];
	enum member_role role;
	int64_t		 joined_at;
};

int	 member_get(struct db *, const char *team, const char *id,
	    struct member *);
/* By address (lower case) within a team; DB_OK or DB_NOTFOUND. */
int	 member_by_email(struct db *, const char *team, const char *email,
	    struct member *);
/*
 * Insert m (id filled here); DB_CONFLICT when the team has a member with
 * that address already, or the team does not exist.
 */
int	 member_insert(struct db *, struct member *);
/* Store m's name and role; DB_OK or DB_NOTFOUND. */
int	 member_update(struct db *, const struct member *);
int	 member_delete(struct db *, const char *team, const char *id);
/* How many owners the team has, into *n; a DB_* code. */
int	 member_owners(struct db *, const char *team, long *n);
/*
 * Call fn for each member of the team (with role, or every one when role
 * is -1), newest first, after the page's cursor, at most limit of them.
 */
int	 member_list(struct db *, const char *team, int role,
	    const struct page *, int limit,
	    int (*fn)(const struct member *, void *), void *arg);
/* {id, email, name, role, joinedAt}; caller owns. */
cJSON	*member_json(const struct member *);
/*
 * The body member "role", one of the four names: 1 (set *out), 0 when
 * absent (an error when flags has JREQ), -1 when invalid (error added).
 */
int	 member_role_get(const cJSON *obj, int flags, struct verrs *,
	    enum member_role *out);

/* ---- invite.c ---- */

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
	    const struct page *, int limit, int64_t now,
	    int (*fn)(const struct invite *, void *), void *arg);
/* {id, email, role, status, expiresAt, createdAt, acceptedAt, revokedAt,
 * createdByKeyId}; never the token or its hash.  Caller owns. */
cJSON	*invite_json(const struct invite *, int64_t now);

/*
 * The accept rate limit: at most INVITE_ACCEPT_FAILS failed attempts per
 * client address in a fixed INVITE_ACCEPT_WINDOW_MS window.
 * invite_throttled: 1 when ip is past the limit at now (*retry_s: seconds
 * until the window ends), 0 when not, -1 on a database error.
 * invite_failed: count one failed attempt (and forget old windows); a
 * DB_* code.
 */
int	 invite_throttled(struct db *, const char *ip, int64_t now,
	    int *retry_s);
int	 invite_failed(struct db *, const char *ip, int64_t now);

/* ---- invitepage.c ---- */

/*
 * The page behind an invitation link (acceptUrl, the token in its
 * fragment): a whole HTML document that posts the token and a name to
 * its own path.  A constant; never freed.
 */
const char	*invite_page_html(void);
/* Its Content-Security-Policy: its own script and style, by hash, and
 * requests to its origin only.  A constant. */
const char	*invite_page_csp(void);

#endif /* MEMBER_H */
