/*
 * uptime-notify: turn monitor events into notifications and deliver them.
 *
 *   uptime-notify                  one pass (from cron, every minute)
 *   uptime-notify --loop           keep going, a pass a second
 *   uptime-notify --now RFC3339    act as if it were that time (tests:
 *                                  reminders, backoff, the flap rule)
 *
 * One instance at a time: a second one finds the lock taken and exits 0
 * without a word.  A pass makes the notifications of new events, finds
 * the probe locations that went silent (lib/location.c: offline, and
 * location_offline for their teams), makes the notifications of
 * location health changes, the reminders and the flap rule's catch-ups
 * in short transactions
 * (lib/notify.c), then takes the due notifications in batches, leases
 * them, and delivers each batch concurrently: HTTP channels (webhook,
 * Slack, Discord, PagerDuty, Telegram) through the probe engine with the
 * checker's target safety, email through lib/mail.c in a few threads.
 * Every attempt is recorded as soon as it ends, so that a notifier
 * killed in the middle of a batch sends again only what it had in
 * flight; failures are retried with backoff.  See docs/alerts.md.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "uptime.h"
#include "location.h"
#include "notify.h"
#include "owner.h"

#define EVENT_BATCH	500	/* events per transaction */
#define SEND_BATCH	200	/* deliveries taken at once */
#define HTTP_PARALLEL	32	/* HTTP deliveries in flight */
#define MAIL_THREADS	4	/* SMTP sessions at once */

static volatile sig_atomic_t	 stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Run fn in one transaction; DB_* code. */
static int
in_tx(struct db *db, int (*fn)(struct db *, int64_t, void *), int64_t now,
    void *arg)
{
	int	 rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = fn(db, now, arg)) == DB_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	return rc;
}

static int
make_events(struct db *db, int64_t now, void *arg)
{
	return notify_events(db, now, EVENT_BATCH, arg);
}

/*
 * Location health first (the locations found silent go offline), then
 * the notifications of its changes, the reminders and the flap rule's
 * catch-ups.
 */
static int
make_others(struct db *db, int64_t now, void *arg)
{
	long	 gone;
	int	 rc;

	if ((rc = location_sweep(db, now, &gone)) != DB_OK ||
	    (rc = notify_locations(db, now, EVENT_BATCH, arg)) != DB_OK)
		return rc;
	if ((rc = notify_reminders(db, now, arg)) != DB_OK)
		return rc;
	return notify_settle(db, now, arg);
}

/*
 * A batch of deliveries taken at now.  recorded[i] says ds[i] is in the
 * database already (NULL: none is): each delivery is recorded as soon as
 * it is over, so that a notifier killed later in the batch does not send
 * it again once the lease ends; the rest are recorded with the batch.
 */
struct due {
	struct delivery	*ds;
	char		*recorded;
	size_t		 n;
	int64_t		 now;
};

/* Record b->ds[i] in a transaction of its own on db, a connection of the
 * calling thread.  When that fails it is left to the batch. */
static void
record_one(struct db *db, struct due *b, size_t i)
{
	if (b->recorded == NULL || db_begin(db) != DB_OK)
		return;
	if (notify_record(db, &b->ds[i], b->now) == DB_OK &&
	    db_commit(db) == DB_OK)
		b->recorded[i] = 1;
	else
		db_rollback(db);
}

/* The email deliveries of a batch, shared by the mail threads. */
struct mailq {
	struct due	*b;
	pthread_mutex_t	 lock;
	struct delivery	**items;
	size_t		 n;
	size_t		 next;
};

static void *
mail_worker(void *arg)
{
	struct mailq	*q = arg;
	struct delivery	*d;
	struct db	*db;
	char		 err[1024];

	/* Each thread records into mail_outbox on its own connection. */
	db = db_open(cfg.db, 0, err, sizeof(err));
	if (db == NULL)
		fprintf(stderr, "uptime-notify: mail thread: %s\n", err);
	for (;;) {
		pthread_mutex_lock(&q->lock);
		d = q->next < q->n ? q->items[q->next++] : NULL;
		pthread_mutex_unlock(&q->lock);
		if (d == NULL)
			break;
		if (db != NULL) {
			notify_mail(db, d);
			record_one(db, q->b, (size_t)(d - q->b->ds));
		} else
			snprintf(d->error, sizeof(d->error), "internal: the "
			    "database could not be opened");
	}
	if (db != NULL)
		db_close(db);
	return NULL;
}

/* The HTTP deliveries of a batch, judged and recorded as each ends. */
struct httpq {
	struct db	*db;
	struct due	*b;
	struct probe	*ps;
	size_t		*which;		/* ps[i] is b->ds[which[i]] */
	char		*seen;
	size_t		 nh;
};

static void
http_done(struct probe *p, void *arg)
{
	struct httpq	*h = arg;
	size_t		 i = (size_t)(p - h->ps);

	if (i >= h->nh || h->seen[i])
		return;
	h->seen[i] = 1;
	notify_judge_http(&h->b->ds[h->which[i]], p);
	probe_clear(p);
	record_one(h->db, h->b, h->which[i]);
}

/* Deliver a batch: mail in threads while HTTP runs here. */
static void
deliver(struct db *db, struct due *b)
{
	struct delivery		*ds = b->ds;
	struct probe		*ps = NULL;
	struct probe_opts	 o;
	struct mailq		 q;
	struct httpq		 h;
	pthread_t		 th[MAIL_THREADS];
	size_t			*which = NULL, nh = 0, i, nt = 0, n = b->n;
	char			*seen = NULL;

	memset(&q, 0, sizeof(q));
	q.b = b;
	pthread_mutex_init(&q.lock, NULL);
	if ((ps = calloc(n, sizeof(*ps))) == NULL ||
	    (which = calloc(n, sizeof(*which))) == NULL ||
	    (seen = calloc(n, 1)) == NULL ||
	    (q.items = calloc(n, sizeof(*q.items))) == NULL) {
		for (i = 0; i < n; i++)
			snprintf(ds[i].error, sizeof(ds[i].error), "internal: "
			    "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (notify_prepare(&ds[i]) == -1 || ds[i].skip)
			continue;
		if (ds[i].is_mail)
			q.items[q.n++] = &ds[i];
		else {
			notify_probe(&ds[i], &ps[nh]);
			which[nh++] = i;
		}
	}
	for (nt = 0; nt < MAIL_THREADS && nt < q.n; nt++)
		if (pthread_create(&th[nt], NULL, mail_worker, &q) != 0)
			break;
	if (nt == 0 && q.n > 0)		/* no thread: do it here */
		mail_worker(&q);
	if (nh > 0) {
		memset(&o, 0, sizeof(o));
		o.concurrency = HTTP_PARALLEL;
		o.allow_private = cfg.allow_private;
		o.dns_servers = cfg.dns_servers[0] ? cfg.dns_servers : NULL;
		o.ca_file = cfg.ca_file[0] ? cfg.ca_file : NULL;
		h.db = db;
		h.b = b;
		h.ps = ps;
		h.which = which;
		h.seen = seen;
		h.nh = nh;
		o.done = http_done;
		o.done_arg = &h;
		if (probe_run(ps, nh, &o) == -1)
			fprintf(stderr, "uptime-notify: the delivery run "
			    "broke; what it could not send is retried\n");
		for (i = 0; i < nh; i++)	/* any the run did not end */
			http_done(&ps[i], &h);
	}
	for (i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
out:
	pthread_mutex_destroy(&q.lock);
	free(q.items);
	free(seen);
	free(which);
	free(ps);
}

/* Record what of a delivered batch is not recorded yet; DB_* code. */
static int
record(struct db *db, int64_t now, void *arg)
{
	struct due	*b = arg;
	size_t		 i;
	int		 rc = DB_OK;

	for (i = 0; i < b->n && rc == DB_OK; i++)
		if (b->recorded == NULL || !b->recorded[i])
			rc = notify_record(db, &b->ds[i], now);
	return rc;
}

static int
take_due(struct db *db, int64_t now, void *arg)
{
	struct due	*d = arg;

	return notify_due(db, now, SEND_BATCH, &d->ds, &d->n);
}

/* One pass at time now; 0, or -1 when something failed (logged). */
static int
pass(struct db *db, int64_t now)
{
	struct notify_counts	 k;
	struct due		 d;
	long			 before;
	int			 rc;

	memset(&k, 0, sizeof(k));
	do {
		before = k.events;
		if ((rc = in_tx(db, make_events, now, &k)) != DB_OK)
			goto fail;
	} while (k.events - before == EVENT_BATCH && !stopping);
	if ((rc = in_tx(db, make_others, now, &k)) != DB_OK)
		goto fail;
	while (!stopping) {
		memset(&d, 0, sizeof(d));
		/* d.ds is ours to free, also when nothing is due. */
		if ((rc = in_tx(db, take_due, now, &d)) != DB_OK) {
			notify_free_all(d.ds, d.n);
			goto fail;
		}
		if (d.n == 0) {
			notify_free_all(d.ds, 0);
			break;
		}
		d.now = now;
		d.recorded = calloc(d.n, 1);	/* NULL: all with the batch */
		deliver(db, &d);
		rc = in_tx(db, record, now, &d);
		notify_free_all(d.ds, d.n);
		free(d.recorded);
		if (rc != DB_OK)
			goto fail;
		if (d.n < SEND_BATCH)
			break;
	}
	return 0;
fail:
	fprintf(stderr, "uptime-notify: a pass failed (%s); it is tried "
	    "again\n", rc == DB_BUSY ? "database busy" : "database error");
	return -1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: uptime-notify [--loop] [--now RFC3339]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	struct timespec		 pause = { 1, 0 };
	struct db		*db;
	char			 err[1024];
	int64_t			 at = 0;
	int			 loop = 0, lock, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--loop") == 0 && !loop)
			loop = 1;
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc &&
		    at == 0) {
			if (time_parse(argv[++i], &at) == -1 || at <= 0) {
				fprintf(stderr, "uptime-notify: --now takes an "
				    "RFC 3339 time, not \"%.40s\"\n", argv[i]);
				return 2;
			}
		} else
			return usage();
	}
	if (config_load(err, sizeof(err)) == -1 ||
	    owner_adopt(argv, err, sizeof(err)) == -1) {
		fprintf(stderr, "uptime-notify: %s\n", err);
		return 1;
	}
	if ((lock = lock_take("notify", err, sizeof(err))) != 1) {
		if (lock == -1) {
			config_blame("UPTIME_DB", err, sizeof(err));
			fprintf(stderr, "uptime-notify: %s\n", err);
		}
		return lock == 0 ? 0 : 1;
	}
	if (sodium_init() == -1 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "uptime-notify: cannot start libsodium or "
		    "libcurl\n");
		return 1;
	}
	if ((db = db_open(cfg.db, 1, err, sizeof(err))) == NULL) {
		config_blame("UPTIME_DB", err, sizeof(err));
		fprintf(stderr, "uptime-notify: %s\n", err);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	do {
		(void)pass(db, at ? at : time_now_ms());
		if (loop && !stopping)
			nanosleep(&pause, NULL);
	} while (loop && !stopping);
	db_close(db);
	curl_global_cleanup();
	return 0;
}
