/*
 * Incidents of a status page, their updates and the components they
 * affect: the structs, their JSON both ways, validation and all of their
 * SQL.  See docs/lib/incident.md.
 *
 * A struct incident owns its updates (and their messages) and the first
 * message given at creation; release it with incident_free().
 */
#ifndef INCIDENT_H
#define INCIDENT_H

#include "base.h"
#include "db.h"
#include "json.h"
#include "page.h"
#include "statuspage.h"

#define INC_MSGMAX	5000	/* an update's message, characters */
#define INC_MAXUPDATES	100	/* updates an incident */

enum inc_status {
	INC_INVESTIGATING,
	INC_IDENTIFIED,
	INC_MONITORING,
	INC_RESOLVED,
	INC_STATUS__MAX
};
extern const char *const inc_status_names[INC_STATUS__MAX];
/* The list filter's names: the statuses, then "open" (any but resolved). */
#define INC_FILTER_OPEN	INC_STATUS__MAX
extern const char *const inc_filter_names[INC_STATUS__MAX + 1];

enum inc_impact {
	IMPACT_NONE,
	IMPACT_MINOR,
	IMPACT_MAJOR,
	IMPACT_CRITICAL,
	IMPACT__MAX
};
extern const char *const inc_impact_names[IMPACT__MAX];

struct incident_update {
	char		 id[ID_MAX];
	enum inc_status	 status;
	char		*message;	/* owned */
	int64_t		 created_at;
};

struct incident {
	char			 id[ID_MAX];
	char			 page_id[ID_MAX];
	char			 team_id[ID_MAX];
	char			 title[NAME_MAXBYTES];
	enum inc_status		 status;
	enum inc_impact		 impact;
	int64_t			 started_at;
	int64_t			 resolved_at;	/* 0 while open */
	int64_t			 created_at;
	int64_t			 updated_at;
	char			 component_ids[SP_MAXCOMPONENTS][ID_MAX];
	size_t			 ncomponents;
	int			 components_given; /* set by incident_apply */
	struct incident_update	*updates;	/* owned, newest first */
	size_t			 nupdates;
	char			*message;	/* creation only, owned */
};

/* Which incidents incident_list_page gives. */
enum inc_which {
	INC_OPEN,	/* not resolved, newest start first */
	INC_RESOLVED_SINCE, /* resolved, started at or after since */
	INC_ANY,	/* all, most recently updated first (the feed) */
	INC_WHICH__MAX
};

struct incident_filter {
	const char	*page_id;	/* NULL: any page of the team */
	int		 status;	/* enum inc_status, INC_FILTER_OPEN, -1 any */
};

void	 incident_init(struct incident *, int64_t now);
void	 incident_free(struct incident *);

/*
 * Apply body to inc (creating: POST /v1/status-pages/{id}/incidents, with
 * title, status, impact, message, componentIds, startedAt; otherwise
 * PATCH: title, impact, componentIds, startedAt).  componentIds must be
 * components of sp.  now bounds startedAt.  Errors go to v.
 */
void	 incident_apply(struct incident *, const struct status_page *sp,
	    const cJSON *body, int creating, int64_t now, struct verrs *v);
/*
 * Validate the body of POST /v1/incidents/{id}/updates into status (the
 * incident's own when absent) and message (points into body).
 */
void	 incident_update_apply(const struct incident *, const cJSON *body,
	    enum inc_status *status, const char **message, struct verrs *v);
/* Move inc to status at now: resolvedAt set on resolve, cleared on a
 * reopen. */
void	 incident_set_status(struct incident *, enum inc_status, int64_t now);

/* 1 when inc names the component among its componentIds, else 0. */
int	 incident_names(const struct incident *, const char *component_id);

/* The API object, updates newest first.  Caller owns. */
cJSON	*incident_json(const struct incident *);

/* Insert inc (id filled here), its first update (inc->message) and its
 * component links. */
int	 incident_insert(struct db *, struct incident *);
/* Store the fields, and the links when components_given. */
int	 incident_store(struct db *, struct incident *);
/* Add one update (after incident_set_status; the caller stores inc). */
int	 incident_add_update(struct db *, struct incident *,
	    enum inc_status, const char *message, int64_t now);
int	 incident_delete(struct db *, const char *team, const char *id);
/* By id within a team, with updates and links; DB_OK or DB_NOTFOUND. */
int	 incident_get(struct db *, const char *team, const char *id,
	    struct incident *);
/* The team's incidents, newest first after the cursor, at most limit. */
int	 incident_list(struct db *, const char *team,
	    const struct incident_filter *, struct lister *);
/* A page's incidents for the public pages, at most limit of them. */
int	 incident_list_page(struct db *, const char *page_id,
	    enum inc_which, int64_t since, int limit,
	    int (*fn)(const struct incident *, void *), void *arg);

#endif /* INCIDENT_H */
