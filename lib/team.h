/*
 * team.c: teams.
 */
#ifndef TEAM_H
#define TEAM_H

#include "base.h"
#include "db.h"

struct team {
	char	 id[ID_MAX];
	char	 name[NAME_MAXBYTES];
	int64_t	 created_at;
};
int	 team_create(struct db *, const char *name, struct team *);
int	 team_get(struct db *, const char *id, struct team *);
cJSON	*team_json(const struct team *);
/* Store t->name; DB_OK or DB_NOTFOUND. */
int	 team_set_name(struct db *, const struct team *);

#endif /* TEAM_H */
