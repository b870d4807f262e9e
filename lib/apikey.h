/*
 * apikey.c: API keys.
 */
#ifndef APIKEY_H
#define APIKEY_H

#include "base.h"
#include "db.h"
#include "keyhash.h"
#include "page.h"

enum key_status {
	KEY_ACTIVE,
	KEY_EXPIRED,
	KEY_REVOKED,
	KEY_ALL,
	KEY_STATUS__MAX
};
extern const char *const key_status_names[KEY_STATUS__MAX];

struct apikey {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 name[NAME_MAXBYTES];
	unsigned	 scopes;
	char		 prefix[KEY_SHOWNLEN + 1];
	int64_t		 created_at;
	int64_t		 expires_at;
	int64_t		 last_used_at;
	char		 last_used_ip[IP_MAX];
	int64_t		 revoked_at;
	char		 created_by[ID_MAX];	/* the key that made it, or "" */
	char		 created_by_member[ID_MAX];	/* the member who made
						   it in the console, or "" */
	/*
	 * The member whose role bounds the key: who made it in the
	 * console, or the holder of the key that made it.  "": none, the
	 * key acts as an owner (made with uptime-admin).  holder_role is
	 * that member's current role (enum member_role), ROLE_OWNER
	 * without a holder, -1 when the holder is no longer a member.
	 */
	char		 holder[ID_MAX];
	int		 holder_role;
};

enum key_status	 apikey_status(const struct apikey *, int64_t now);
/* By keyed hash (authentication); DB_OK or DB_NOTFOUND. */
int	 apikey_by_hash(struct db *, const unsigned char *, struct apikey *);
/* By id within a team; DB_OK or DB_NOTFOUND. */
int	 apikey_get(struct db *, const char *team, const char *id,
	    struct apikey *);
/* By id in any team: for uptime-admin only. */
int	 apikey_find(struct db *, const char *id, struct apikey *);
/*
 * Insert k (id, prefix and created_at are filled here) with the hash of
 * secret; DB_OK, or DB_CONFLICT when the hash, the team or the creating
 * key is not right.  The active-key limit is the caller's: limit_room
 * (limit.h) in the same transaction.
 */
int	 apikey_insert(struct db *, struct apikey *, const char *secret,
	    int64_t now);
int	 apikey_revoke(struct db *, const struct apikey *, int64_t now);
/* Revoke every active key member holds in team (a member removed). */
int	 apikey_revoke_held(struct db *, const char *team, const char *member,
	    int64_t now);
int	 apikey_set_secret(struct db *, struct apikey *, const char *secret);
int	 apikey_touch(struct db *, struct apikey *, const char *ip,
	    int64_t now);
/*
 * Call fn for each key of the team in the given status, newest first,
 * after the page's cursor, at most limit of them.  Returns a DB_* code.
 */
int	 apikey_list(struct db *, const char *team, enum key_status,
	    struct lister *);
/* The public JSON object (never the secret or the hash). */
cJSON	*apikey_json(const struct apikey *, int64_t now);

#endif /* APIKEY_H */
