/*
 * pingkey.c: a team's ping key, the secret of /v1/ping/{pingKey}/{slug}:
 * its struct, JSON both ways, its SQL, and the heartbeat a ping by slug
 * creates.  See docs/lib/pingkey.md.
 *
 * One key a team.  Only its keyed hash is stored (token_hash, domain
 * "ping-key"); the secret is shown once, when it is made or rotated.  A
 * struct pingkey owns its defaults (a cJSON object); release it with
 * pingkey_free().
 */
#ifndef PINGKEY_H
#define PINGKEY_H

#include "base.h"
#include "db.h"
#include "json.h"
#include "monitor.h"

#define PINGKEY_PREFIX		"pk_"
#define PINGKEY_RANDLEN		32	/* base62 characters: 190 bits */
#define PINGKEY_LEN		(3 + PINGKEY_RANDLEN)
#define PINGKEY_SHOWNLEN	(3 + 8)	/* keyPrefix */

struct pingkey {
	char		 team_id[ID_MAX];
	char		 prefix[PINGKEY_SHOWNLEN + 1];
	int		 create_on_ping;
	cJSON		*defaults;	/* the heartbeat fields, owned */
	int64_t		 created_at;
	int64_t		 rotated_at;	/* 0: never */
};

void	 pingkey_init(struct pingkey *, const char *team, int64_t now);
void	 pingkey_free(struct pingkey *);
/* Has s the shape of a ping key ("pk_" and 32 base62)?  1 or 0. */
int	 pingkey_format_ok(const char *s);
/* A new secret into out (PINGKEY_LEN + 1 bytes); sets k's prefix. */
void	 pingkey_generate(struct pingkey *, char *out);

/*
 * Apply {createOnPing, defaults} to k (made by pingkey_init when
 * creating; only the members given on PATCH).  defaults is checked as a
 * heartbeat's fields by monitor_apply (intervalSeconds or schedule and
 * timezone, gracePeriodSeconds, confirmations), its errors at
 * /defaults/...; given, it replaces the stored one whole.
 */
void	 pingkey_apply(struct pingkey *, const cJSON *body, struct verrs *);
/* The public object; secret, when not NULL, as "key" (shown once). */
cJSON	*pingkey_json(const struct pingkey *, const char *secret);

/* The team's key; DB_OK or DB_NOTFOUND. */
int	 pingkey_get(struct db *, const char *team, struct pingkey *);
/* The key whose secret is key (any team); DB_OK or DB_NOTFOUND. */
int	 pingkey_by_secret(struct db *, const char *key, struct pingkey *);
/* Insert k with the hash of secret; DB_CONFLICT when the team has one. */
int	 pingkey_insert(struct db *, const struct pingkey *, const char *secret);
/* createOnPing and defaults; DB_NOTFOUND when the team has none. */
int	 pingkey_update(struct db *, const struct pingkey *);
/* A new secret for the team's key (k's prefix set); DB_NOTFOUND. */
int	 pingkey_rotate(struct db *, struct pingkey *, const char *secret,
	    int64_t now);
int	 pingkey_delete(struct db *, const char *team);

/*
 * The heartbeat a first ping to slug creates (not inserted): named by
 * its slug, with k's defaults, its clock started at now, in k's team.
 * 0, or -1 (memory, or defaults that no longer validate).  Free m with
 * monitor_free.
 */
int	 pingkey_heartbeat(const struct pingkey *, const char *slug,
	    int64_t now, struct monitor *m);

#endif /* PINGKEY_H */
