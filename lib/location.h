/*
 * Probe locations (docs/locations.md): places other than this host where a
 * team runs uptime-probe, the agent that leases the due checks of the
 * monitors naming its location, runs them and reports their results.
 * The struct, its JSON both ways, its token (a keyed hash at rest, as
 * an API key's), the monitors' links to it, the leases and the reports,
 * and all of their SQL.
 *
 * A result comes in judged by the agent (check_judge, the same code as
 * the checker's) and is recorded here through check_record, like one
 * of this host's, with the location's id.  It is taken only for a lease
 * this location holds, once, when the check started inside the lease.
 */
#ifndef LOCATION_H
#define LOCATION_H

#include "base.h"
#include "db.h"
#include "json.h"
#include "keyhash.h"
#include "monitor.h"
#include "page.h"

#define LOC_MAXREGION	64		/* characters of region */
#define LOC_LEASE_MAX	500		/* leases in one answer */
#define LOC_RESULTS_MAX	500		/* results in one report */
/* A lease lasts the check's timeout and this much more. */
#define LOC_LEASE_GRACE_MS	30000
/* A result may say it started this much before its lease (clocks). */
#define LOC_CLOCK_SLACK_MS	60000
/* Leases are kept this long, so results held by an agent while the
 * server was unreachable are still taken. */
#define LOC_LEASE_KEEP_MS	(24LL * 3600 * 1000)
/* A location is offline when not seen for this many of the shortest
 * interval of its monitors (60 s when it has none). */
#define LOC_OFFLINE_INTERVALS	3
/* The host's checker is offline when its figures are older than this. */
#define LOC_LOCAL_OFFLINE_MS	(3 * 60 * 1000)

enum loc_status {
	LOC_ONLINE,
	LOC_OFFLINE,
	LOC_STATUS__MAX
};
extern const char *const loc_status_names[LOC_STATUS__MAX];

struct location {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 name[NAME_MAXBYTES];
	char		 region[LOC_MAXREGION * 4 + 1];	/* "": none */
	char		 token_prefix[KEY_SHOWNLEN + 1];
	int64_t		 last_seen_at;
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 offline_ms;	/* silence that makes it offline */
};

/*
 * Apply the members of body (all of them when creating, only those
 * given for PATCH) to loc; errors go to v.
 */
void	 location_apply(struct location *, const cJSON *body, int creating,
	    struct verrs *v);
cJSON	*location_json(const struct location *, int64_t now);
/* The built-in location "local": this host's checker.  DB_* code. */
int	 location_local_json(struct db *, int64_t now, cJSON **out);

/* A new token (LOCTOKEN_PREFIX, KEY_LEN + 1 bytes) into out. */
void	 location_token_new(char *out);
/* Insert loc (id, prefix and times filled here) with token's hash. */
int	 location_insert(struct db *, struct location *, const char *token,
	    int64_t now);
int	 location_update(struct db *, struct location *);
/* A new token: the old one stops working at once. */
int	 location_set_token(struct db *, struct location *, const char *token);
/* Delete; DB_CONFLICT while monitors name it (*using: how many). */
int	 location_delete(struct db *, const char *team, const char *id,
	    long *using);
/* By id within a team; DB_OK or DB_NOTFOUND. */
int	 location_get(struct db *, const char *team, const char *id,
	    struct location *);
/* By token (any team); DB_OK or DB_NOTFOUND (also a malformed one). */
int	 location_by_token(struct db *, const char *token, struct location *);
int	 location_list(struct db *, const char *team, struct lister *);

/*
 * The monitors' side.  location_links_check adds an error to v for
 * each id of locations (a monitor's, "local" aside) that is no location
 * of the team.  location_links_sync makes the schedule rows of monitor
 * m match its locations: a location added is due at once; one taken
 * out ("local" too) forgets its state of m, and its open down period
 * ends at now.  DB_* codes.
 */
int	 location_links_check(struct db *, const char *team,
	    const cJSON *locations, struct verrs *v);
int	 location_links_sync(struct db *, const struct monitor *m,
	    int64_t now);
/*
 * After monitor m was stored, new (was_paused -1) or changed: its
 * locations must be its team's (errors to v; the caller's transaction
 * then rolls back), a pause or a resume starts its locations' states
 * over, and its schedule rows follow its locations.  A DB_* code.
 */
int	 location_monitor_saved(struct db *, const struct monitor *m,
	    int was_paused, int64_t now, struct verrs *v);

/*
 * Lease up to max of the location's due checks (the monitors of its own
 * team naming it, unpaused, due by now and not leased already) and mark
 * the location seen.  Each lease goes to leases as an object (leaseId,
 * monitorId, dueAt, expiresAt, check: the monitor's check definition);
 * *next_due is when its next check not leased is due (0: none).  Call
 * inside a transaction.  DB_* code.
 */
int	 location_lease(struct db *, struct location *, int64_t now, int max,
	    cJSON *leases, int64_t *next_due);
/*
 * *next_due: when the location's next check not leased now is due (0:
 * none), the checks whose results were just taken included, planned
 * anew.  DB_* code.
 */
int	 location_next_due(struct db *, const struct location *, int64_t now,
	    int64_t *next_due);

/* Why a result was not taken. */
enum loc_refusal {
	LOC_TAKEN,
	LOC_NO_LEASE,		/* no lease of this location by that id */
	LOC_LEASE_USED,		/* its result was taken already */
	LOC_OUTSIDE_LEASE,	/* the check did not start inside it */
	LOC_REFUSAL__MAX
};
extern const char *const loc_refusal_names[LOC_REFUSAL__MAX];

/*
 * A report's result item (as location_result_json makes it) into r and
 * lease (ID_MAX bytes); errors go to v with pointers under base
 * ("/results/3").
 */
void	 location_result_parse(const cJSON *item, const char *base,
	    struct check_result *r, char *lease, struct verrs *v);
/* A result and its lease as the agent reports it.  Caller frees. */
cJSON	*location_result_json(const struct check_result *r,
	    const char *lease);
/*
 * Record r, taken under lease, for the location: check_record with the
 * location's id, then the location's next check planned.  *why says
 * whether it was taken.  Call inside a transaction.  DB_* code.
 */
int	 location_report(struct db *, struct location *, const char *lease,
	    struct check_result *r, int64_t now, enum loc_refusal *why);
/*
 * Mark the location seen at now.  One that was offline is online again:
 * its location_online event is recorded, once (the change is a
 * conditional UPDATE).  Call inside a transaction.  DB_* code.
 */
int	 location_seen(struct db *, struct location *, int64_t now);

/* Most locations found silent in one sweep; the next sweep takes more. */
#define LOC_SWEEP_MAX	1000

/*
 * Location health: each location online until now that has not been
 * seen for LOC_OFFLINE_INTERVALS of its shortest interval goes offline
 * (out of its monitors' quorum) with a location_offline event for the
 * notifier.  Each change is a conditional UPDATE from the state read,
 * so of two sweeps that find the same silence one records it.  *n: how
 * many went offline.  Call inside a transaction.  DB_* code.
 */
int	 location_sweep(struct db *, int64_t now, long *n);

#endif /* LOCATION_H */
