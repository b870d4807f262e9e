/*
 * Status pages and their components: the structs, their JSON both ways,
 * validation and all of their SQL.  See docs/lib/statuspage.md.
 *
 * A struct status_page owns its components array (sp_free releases it).
 * Strings are fixed buffers, so a page can be copied with its array
 * pointer only while the original is not freed.
 */
#ifndef STATUSPAGE_H
#define STATUSPAGE_H

#include "base.h"
#include "db.h"
#include "json.h"
#include "monitorrec.h"
#include "page.h"
#include "ref.h"

#define SP_SLUGMIN		2	/* ^[a-z0-9][a-z0-9-]{1,62}$ */
#define SP_SLUGMAX		63
#define SP_DESCMAX		2000	/* description, characters */
#define SP_DOMAINMAX		253	/* stored and compared */
/* Longest customDomain accepted: its challenge name must fit in 253. */
#define SP_DOMAINMAX_INPUT	(SP_DOMAINMAX - (sizeof(SP_CHALLENGE) - 1))
#define SP_CHALLENGE		"_uptime-challenge."	/* TXT name prefix */
#define SP_VERIFY_PREFIX	"uptime-verify="	/* TXT value prefix */
#define SP_VERIFY_TIMEOUT_MS	2000	/* the TXT lookup, whole: a worker
					   waits that long at most */
#define SP_DOMAIN_ERRMAX	640	/* why the last verification failed */
#define SP_MAXCOMPONENTS	100	/* components a page */
#define SP_HISTORY_MIN		7
#define SP_HISTORY_MAX		90
#define SP_HISTORY_DEFAULT	90
#define SP_LOGOMAX		2048	/* logoUrl, bytes (TARGET_MAXURL) */

struct sp_component {
	char		 id[ID_MAX];
	char		 monitor_id[ID_MAX];
	char		 display_name[NAME_MAXBYTES];
	char		 group[NAME_MAXBYTES];	/* "" = no group */
};

/* Where a page's customDomain stands (customDomainStatus). */
enum sp_domain_status {
	SP_DOMAIN_NONE,		/* no customDomain: null */
	SP_DOMAIN_PENDING,	/* set, not verified since */
	SP_DOMAIN_VERIFIED,	/* proved: "/" of that Host serves the page */
	SP_DOMAIN_FAILED,	/* the last verification failed */
	SP_DOMAIN__MAX
};

extern const char *const sp_domain_status_names[SP_DOMAIN__MAX];
/* The members of a page's API object; read-only ones marked. */
extern const struct jfield sp_fields[];

struct status_page {
	char			 id[ID_MAX];
	char			 team_id[ID_MAX];
	char			 name[NAME_MAXBYTES];
	char			 ref[REF_MAX];	/* "" until stored */
	char			 slug[SP_SLUGMAX + 1];
	char			 title[NAME_MAXBYTES];
	char			 description[SP_DESCMAX * 4 + 1];
	int			 is_public;
	int			 history_days;
	char			 custom_domain[SP_DOMAINMAX + 1]; /* "" = none */
	/* custom_domain once verified, else "": what a Host is served by. */
	char			 verified_domain[SP_DOMAINMAX + 1];
	int64_t			 domain_checked_at; /* 0 = not since set */
	char			 domain_error[SP_DOMAIN_ERRMAX]; /* "" = none */
	char			 logo_url[SP_LOGOMAX + 1];	/* "" = none */
	int			 show_overall_status;
	int64_t			 created_at;
	int64_t			 updated_at;
	/* Moved by every write that changes what the public answers show
	 * (schema/024_status_page_versions.sql); read only. */
	int64_t			 data_version;
	struct sp_component	*components;	/* owned, in page order */
	size_t			 ncomponents;
	int			 components_given; /* set by sp_apply */
};

/* A fresh page with the defaults (public, 90 days, the overall banner
 * shown, no logo, no components). */
void	 sp_init(struct status_page *, int64_t now);
void	 sp_free(struct status_page *);

/* 1 if s is a valid slug (^[a-z0-9][a-z0-9-]{1,62}$), else 0. */
int	 sp_slug_valid(const char *s);

/*
 * Apply the members of body to sp (all when creating, only those given
 * for PATCH) and validate them; errors go to v.  A "components" member
 * replaces the list (sp->components_given is set): each item names one of
 * the team's monitors (checked here, hence the database) and may carry
 * the id of one of the page's components to keep that id.  Returns 0, or
 * -1 on a database error (logged).
 */
int	 sp_apply(struct db *, struct status_page *, const cJSON *body,
	    int creating, struct verrs *v) WUR;
/*
 * Validate body as the list of PUT /components ({"components": [...]})
 * into sp.  Same return as sp_apply.
 */
int	 sp_apply_components(struct db *, struct status_page *,
	    const cJSON *body, struct verrs *v) WUR;

/*
 * Which unique field another page already holds: "slug", "customDomain"
 * (verified by another page: several may ask for one domain, one serves
 * it) or NULL when neither.  *rc gets the DB_* code of the lookups.
 */
const char *sp_taken(struct db *, const struct status_page *, int *rc);

/*
 * Custom domain verification.  A team proves it holds sp->custom_domain
 * with a TXT record: name SP_CHALLENGE + the domain, value
 * SP_VERIFY_PREFIX + a token that is a keyed BLAKE2b of the team and the
 * domain with the server secret (so nothing is stored, and no other team
 * can present it).
 *
 * sp_domain_challenge() writes the record's name and value (each buffer
 * at least SP_DOMAINMAX + 1 bytes).  sp_domain_check() looks the TXT
 * record up with c-ares (UPTIME_DNS_SERVERS, else the system's resolver;
 * at most SP_VERIFY_TIMEOUT_MS): 0 when one of its values is the
 * expected one, else -1 with a sentence for the user in why (no database
 * work; the caller holds no transaction).  sp_domain_result() records the
 * outcome in sp (verified or failed, checked at now) for sp_update().
 */
void	 sp_domain_challenge(const struct status_page *, char *name,
	    size_t namelen, char *value, size_t valuelen);
int	 sp_domain_check(const struct status_page *, char *why,
	    size_t whylen);
void	 sp_domain_result(struct status_page *, int verified,
	    const char *why, int64_t now);
enum sp_domain_status sp_domain_status(const struct status_page *);

/*
 * The API object, with components and the read-only url.  states has
 * the state of each component (states[i] for components[i], as
 * sv_component_states() gives them).  Caller owns.
 */
cJSON	*sp_json(const struct status_page *, const enum health *states);
/* The public address of the page: UPTIME_PUBLIC_URL/status/<slug>. */
void	 sp_url(const struct status_page *, char *out, size_t outlen);

/*
 * Insert sp (id filled here; ref ref_default's when "") with its
 * components; DB_OK, DB_CONFLICT.
 */
int	 sp_insert(struct db *, struct status_page *);
/* Store the fields, and the components when components_given. */
int	 sp_update(struct db *, struct status_page *);
int	 sp_delete(struct db *, const char *team, const char *id);
/* By id within a team, with components; DB_OK or DB_NOTFOUND. */
int	 sp_get(struct db *, const char *team, const char *id,
	    struct status_page *);
/*
 * Public lookups, any team, with components; DB_OK or DB_NOTFOUND.
 * sp_by_domain finds the page that has verified host, only.
 */
int	 sp_by_slug(struct db *, const char *slug, struct status_page *);
int	 sp_by_domain(struct db *, const char *host, struct status_page *);
/* A page's id, whether it is public, and its data version. */
struct sp_version {
	char		 id[ID_MAX];
	int		 is_public;
	int64_t		 data_version;
};
/*
 * The version of the page with slug (else of the page that has verified
 * host), one row read: DB_OK or DB_NOTFOUND.
 */
int	 sp_version(struct db *, const char *slug, const char *host,
	    struct sp_version *);
/* fn gets each page (with components, freed after the call), newest
 * first after the cursor, at most limit of them. */
/*
 * The team's pages, each with the state of its components as states()
 * gives them (sv_component_states, which sits above this module).
 */
typedef int	 sp_states_fn(struct db *, const struct status_page *,
		    int64_t now, enum health *states);
int	 sp_list(struct db *, const char *team, sp_states_fn *states,
	    struct lister *);
/* The component of the page with this id, or NULL. */
const struct sp_component *sp_component(const struct status_page *,
	    const char *id);

#endif /* STATUSPAGE_H */
