/*
 * member.c: the people of a team: the struct, its JSON and all of its
 * SQL.  Handlers in cgi-bin/team.c and uptime-admin call it with checked
 * values; invitations to join a team are invite.h.
 *
 * Every lookup takes the team id, so another team's member is
 * DB_NOTFOUND like one that does not exist.
 */
#ifndef MEMBER_H
#define MEMBER_H

#include "base.h"
#include "db.h"
#include "json.h"
#include "mail.h"
#include "page.h"

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
/*
 * The scopes a role grants (bits of enum scope, scope.h): viewer every
 * :read scope but api-keys:read; member adds the writes of monitors,
 * alerts, status pages and maintenance; admin adds team:* and
 * api-keys:*; owner everything.  The one rule for people and for the
 * keys they make.
 */
unsigned member_role_scopes(enum member_role);
/*
 * What a key may do: the scopes it holds that its holder's role grants
 * as well, so that a key never acts beyond the member it stands for.  A
 * key with no holder (made with uptime-admin, or by such a key) acts as
 * an owner: pass ROLE_OWNER.  holder_role -1 (the holder is no longer a
 * member): nothing.
 */
unsigned member_key_scopes(unsigned key_scopes, int holder_role);

/* What member_may_set decides. */
enum member_check {
	MEMBER_ALLOWED,
	MEMBER_OUTRANKED,	/* the member acted on is above the actor */
	MEMBER_ESCALATION,	/* the role given is above the actor's */
	MEMBER_CHECK__MAX
};
/*
 * May a member (or a key held by one) of role actor act on a member
 * whose role is target (-1: none yet, an invitation) and give it role
 * want (-1: the role does not change)?  Owners rank above admins, admins
 * above members, members above viewers; a role is not above itself.
 * So only an owner invites, promotes, demotes or removes an owner.  An
 * actor that is not a role (-1: no one) ranks below every role.
 */
enum member_check member_may_set(int actor, int target, int want);

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
 * *last 1 when m is its team's only owner (who can be neither removed
 * nor demoted: a team keeps an owner), else 0; a DB_* code.
 */
int	 member_last_owner(struct db *, const struct member *m, int *last);
/*
 * Call fn for each member of the team (with role, or every one when role
 * is -1), newest first, after the page's cursor, at most limit of them.
 */
int	 member_list(struct db *, const char *team, int role, struct lister *);
/* {id, email, name, role, joinedAt}; caller owns. */
cJSON	*member_json(const struct member *);
/*
 * The body member "role", one of the four names: 1 (set *out), 0 when
 * absent (an error when flags has JREQ), -1 when invalid (error added).
 */
int	 member_role_get(const cJSON *obj, int flags, struct verrs *,
	    enum member_role *out);

#endif /* MEMBER_H */
