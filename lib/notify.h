/*
 * The notifier's engine, used by cron/uptime-notify: monitor events
 * become notifications (one per matching, enabled channel), reminders
 * are made while a monitor stays down, the flap rule holds back storms,
 * and pending notifications are rendered for their channel type,
 * delivered by the caller and recorded with retries and backoff.
 * See docs/alerts.md for the rules and payloads, docs/lib/notify.md for
 * the module.
 *
 * Time: every function takes the caller's "now" (uptime-notify --now
 * moves it for tests); signatures use the real clock.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include "alert.h"
#include "db.h"
#include "probe.h"

/* Delivery: the first attempt and retries 1, 2, 4, 8, 16 minutes later. */
#define NOTIFY_MAX_ATTEMPTS	6
#define NOTIFY_BACKOFF_MS	(60 * 1000LL)
/* A delivery taken by a pass is not due again for this long (a crash). */
#define NOTIFY_LEASE_MS		(10 * 60 * 1000LL)
#define NOTIFY_TIMEOUT_MS	10000	/* one HTTP delivery */
/* Flap rule: status notifications per channel and monitor per window. */
#define NOTIFY_FLAP_MAX		4
#define NOTIFY_FLAP_WINDOW_MS	(30 * 60 * 1000LL)
/* Flap-held notifications looked at for a catch-up, at most this old. */
#define NOTIFY_SETTLE_MS	(24 * 3600 * 1000LL)
#define NOTIFY_MAXTEXT		4000	/* a message's text, bytes */

struct notify_counts {
	long		 events;	/* monitor events processed */
	long		 created;	/* notifications made, pending */
	long		 suppressed;	/* made suppressed */
	long		 reminders;
	long		 settled;	/* catch-ups after flapping */
};

/*
 * Turn up to max unprocessed monitor events into notifications and
 * mark them processed.  Call inside a write transaction; counts are
 * added to.  DB_* code.
 */
int	 notify_events(struct db *, int64_t now, size_t max,
	    struct notify_counts *);
/*
 * The same for up to max unprocessed location health changes
 * (location_offline, location_online): one notification per enabled
 * channel of the team that hears "down" and covers every monitor or
 * one checked from the location.  Inside a write transaction.
 */
int	 notify_locations(struct db *, int64_t now, size_t max,
	    struct notify_counts *);
/* Make the reminders that are due.  Inside a transaction.  DB_* code. */
int	 notify_reminders(struct db *, int64_t now, struct notify_counts *);
/*
 * The flap rule's catch-up: once a channel and monitor are quiet again,
 * send the latest state held back, when it differs from the last one
 * sent.  Inside a transaction.  DB_* code.
 */
int	 notify_settle(struct db *, int64_t now, struct notify_counts *);

/* The payload (JSON text, caller frees) of a test notification. */
char	*notify_test_payload(const struct channel *, const char *ntf_id,
	    int64_t now);
/*
 * Queue a "test" notification of channel c at now, pending for the next
 * pass (also for a disabled channel), as the API's and the console's
 * "send test" do.  n is filled (release it with notification_free).
 * DB_* code.
 */
int	 notify_test(struct db *, const struct channel *c, int64_t now,
	    struct notification *n) WUR;

/* One delivery in progress. */
struct delivery {
	struct notification	 n;		/* with its payload */
	struct channel		 c;		/* its channel, now */

	/* The request, made by notify_prepare(). */
	int			 skip;		/* channel disabled */
	int			 is_mail;
	char			*url;
	char			**headers;	/* NULL-terminated */
	char			*body;
	char			 subject[740];	/* 120 characters: fits MAIL_SUBJECT_MAX */
	char			*text;		/* mail body */

	/* The outcome, set by notify_judge_http() or notify_mail(). */
	int			 ok;
	int			 permanent;	/* do not retry */
	long			 status;	/* HTTP status, 0: none */
	char			 error[NTF_MAXERROR];
	long			 duration_ms;
};

/*
 * The pending notifications due at now (at most max), with their
 * channels, leased for NOTIFY_LEASE_MS.  *out is an array the caller
 * releases with notify_free_all().  Inside a transaction.  DB_* code.
 */
int	 notify_due(struct db *, int64_t now, size_t max,
	    struct delivery **out, size_t *n);
void	 notify_free_all(struct delivery *, size_t n);
/*
 * Render d's request for its channel type.  Returns 0, or -1 when it
 * cannot be made (d->error set, d->permanent).
 */
int	 notify_prepare(struct delivery *);
/* Set the probe for an HTTP delivery (inputs point into d). */
void	 notify_probe(const struct delivery *, struct probe *);
/* Judge a finished HTTP delivery. */
void	 notify_judge_http(struct delivery *, const struct probe *);
/*
 * Send an email delivery to the recipients not yet done, through
 * lib/mail.c (each one recorded in mail_outbox), with db a connection
 * of the calling thread.  Sets the outcome.
 */
void	 notify_mail(struct db *, struct delivery *);
/*
 * Record the attempt of d at now and move the notification: sent,
 * pending again after the backoff, failed after NOTIFY_MAX_ATTEMPTS or
 * a permanent error, or suppressed (skip).  Inside a transaction.
 */
int	 notify_record(struct db *, struct delivery *, int64_t now);

/* The delay before retry number attempts (1..): 1, 2, 4, 8, 16 minutes. */
int64_t	 notify_backoff(long attempts);
/*
 * The Uptime-Signature value for body signed at t (Unix seconds) with
 * secret: "t=<t>, v1=<hex HMAC-SHA256 of "<t>.<body>">", into out.
 */
void	 notify_sign(const char *secret, long long t, const char *body,
	    size_t bodylen, char *out, size_t outlen);
/* Format seconds as "45s", "3m 20s", "1h 5m", "2d 3h". */
void	 notify_duration(long long seconds, char *out, size_t outlen);

#endif /* NOTIFY_H */
