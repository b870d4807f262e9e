/*
 * Alert channels and their notifications, as API resources: the
 * structs, their JSON both ways (secrets masked on the way out), the
 * per-type validation of a channel's config, and the SQL of the
 * channels, channel_monitors, notifications and notification_attempts
 * tables that alerts.fcgi needs.  What turns monitor events into
 * notifications and delivers them is lib/notify.c.
 *
 * A struct channel owns its config and monitor_ids (cJSON trees);
 * release it with channel_free().  A struct notification owns its
 * payload text; release it with notification_free().
 */
#ifndef ALERT_H
#define ALERT_H

#include "base.h"
#include "db.h"
#include "json.h"
#include "page.h"
#include "ref.h"

#define ACH_MAXMONITORS		100	/* monitorIds */
#define ACH_MAXRECIPIENTS	10	/* email config.to */
#define ACH_MAXHEADERS		16	/* webhook config.headers */
#define ACH_MAXHEADERNAME	128
#define ACH_MAXHEADERVALUE	1024
#define ACH_MINSECRET		16	/* webhook secret, characters */
#define ACH_MAXSECRET		256
#define ACH_MAXROUTINGKEY	128
#define ACH_MAXSUBJECTPREFIX	64	/* email config.subjectPrefix, chars */
#define ACH_MAXSLACKCHANNEL	80	/* slack config.channel, bytes */
#define ACH_MINREMIND		5	/* remindEveryMinutes 0, 5.. */
#define ACH_MAXREMIND		1440
#define NTF_MAXERROR		512

/* The masked form of a secret: U+2022 four times, then its last four. */
#define ACH_MASK	"\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"

enum ach_type {
	ACH_EMAIL,
	ACH_WEBHOOK,
	ACH_SLACK,
	ACH_DISCORD,
	ACH_PAGERDUTY,
	ACH_TELEGRAM,
	ACH_TYPE__MAX
};
extern const char *const ach_type_names[ACH_TYPE__MAX];

/* The events a channel subscribes to ("events" flags). */
enum ach_event {
	AEV_DOWN,
	AEV_UP,
	AEV_DEGRADED,
	AEV_SSL_EXPIRING,
	AEV_DNS_CHANGED,	/* off unless asked for */
	AEV__MAX
};
extern const char *const ach_event_names[AEV__MAX];	/* API names */

enum ntf_event {
	NEV_DOWN,
	NEV_UP,
	NEV_DEGRADED,
	NEV_SSL_EXPIRING,
	NEV_REMINDER,
	NEV_TEST,
	NEV_DNS_CHANGED,	/* a DNS monitor's answer changed */
	NEV_LOCATION_OFFLINE,	/* a probe location stopped reporting */
	NEV_LOCATION_ONLINE,	/* and reports again */
	NEV__MAX
};
extern const char *const ntf_event_names[NEV__MAX];

enum ntf_status {
	NST_PENDING,
	NST_SENT,
	NST_FAILED,
	NST_SUPPRESSED,
	NST__MAX
};
extern const char *const ntf_status_names[NST__MAX];

/* The members of a channel's API object; read-only ones marked. */
extern const struct jfield channel_fields[];

struct channel {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 name[NAME_MAXBYTES];
	char		 ref[REF_MAX];	/* "" until stored (lib/ref.h) */
	enum ach_type	 type;
	cJSON		*config;	/* owned; secrets in clear */
	int		 events[AEV__MAX];
	cJSON		*monitor_ids;	/* owned array; NULL: all */
	long		 remind_min;	/* 0: no reminders */
	int		 enabled;
	int64_t		 created_at;
	int64_t		 updated_at;
};

struct notification {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 channel_id[ID_MAX];
	char		 monitor_id[ID_MAX];	/* "": none (a test) */
	char		 outage_id[ID_MAX];	/* "": none */
	enum ntf_event	 event;
	enum ntf_status	 status;
	char		 reason[32];		/* why suppressed, "" */
	long		 attempts;
	int64_t		 next_attempt_at;	/* 0 unless pending */
	int64_t		 last_attempt_at;
	int64_t		 sent_at;
	long		 response_status;	/* 0: none */
	char		 error[NTF_MAXERROR];
	unsigned	 delivered_mask;	/* email: recipients done */
	char		*payload;		/* owned; NULL in lists */
	int64_t		 created_at;
};

/* The columns notification_from_row() reads, in order, from index 0. */
#define NTF_COLS "id, team_id, channel_id, monitor_id, outage_id, event, " \
	"status, reason, attempts, next_attempt_at, last_attempt_at, " \
	"sent_at, response_status, error, delivered_mask, created_at"

struct notification_filter {
	const char	*channel_id;	/* NULL: every channel */
	const char	*monitor_id;	/* NULL: any */
	int		 status;	/* enum ntf_status, -1: any */
	int		 event;		/* enum ntf_event, -1: any */
	int64_t		 from, to;	/* createdAt in [from, to) */
};


void	 channel_init(struct channel *, int64_t now);
void	 channel_free(struct channel *);

/*
 * Apply the members of body to c (all of them when creating, only those
 * given for PATCH) and validate the result; errors go to v.  c->team_id
 * must be set: monitorIds must name monitors of that team.  On PATCH a
 * config object is merged into the stored one (members given replace,
 * null clears an optional one), and a secret sent back in its masked
 * form keeps the stored value; when the destination (a webhook's url)
 * changes, the stored secrets of the channel are dropped unless body
 * gives them again in full.  Returns a DB_* code (DB_OK also when v has
 * errors).
 */
int	 channel_apply(struct db *, struct channel *, const cJSON *body,
	    int creating, struct verrs *v);
/* The public object: secrets masked. */
cJSON	*channel_json(const struct channel *);
/*
 * The same object with the secrets in clear, to compare two states of a
 * channel (a secret replaced by one with the same last four characters
 * masks the same).  Never for an answer.
 */
cJSON	*channel_json_clear(const struct channel *);
/*
 * The masked form of a secret value into out (at least 64 bytes):
 * ACH_MASK and its last four characters, or ACH_MASK alone when it is
 * shorter than 12 bytes.  A URL keeps its scheme and host
 * ("https://hooks.example.com/" ACH_MASK "WXYZ").
 */
void	 channel_mask(const char *secret, int is_url, char *out,
	    size_t outlen);

/* Insert c (ref: ref_default's when ""); id filled here. */
int	 channel_insert(struct db *, struct channel *);
int	 channel_update(struct db *, struct channel *);
int	 channel_delete(struct db *, const char *team, const char *id);
/* By id within a team; DB_OK or DB_NOTFOUND.  Free with channel_free. */
int	 channel_get(struct db *, const char *team, const char *id,
	    struct channel *);
/* fn gets each channel (freed after the call), newest first. */
int	 channel_list(struct db *, const char *team, struct lister *);

void	 notification_free(struct notification *);
cJSON	*notification_json(const struct notification *);
/*
 * Insert n (id and created_at are filled here unless set).  payload is
 * its JSON text.  DB_* code.
 */
int	 notification_insert(struct db *, struct notification *);
/* Fill n from a row whose first columns are NTF_COLS (payload NULL). */
void	 notification_from_row(struct db_stmt *, struct notification *);
/* By id within a team; DB_OK or DB_NOTFOUND (payload left NULL). */
int	 notification_get(struct db *, const char *team, const char *id,
	    struct notification *);
/* The team's notifications waiting for delivery, in *n.  DB_* code. */
int	 notification_count_pending(struct db *, const char *team,
	    long long *n) WUR;
/* fn gets each notification of the team (payload NULL), newest first. */
int	 notification_list(struct db *, const char *team,
	    const struct notification_filter *, struct lister *);
/* The notification's attempts, oldest first, as a JSON array in *out. */
int	 notification_attempts_json(struct db *, const char *id,
	    cJSON **out);

#endif /* ALERT_H */
