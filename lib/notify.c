/*
 * The notifier's engine.  See notify.h, docs/alerts.md (the rules and
 * payloads) and docs/lib/notify.md.
 *
 * Events: each unprocessed row of monitor_events becomes one
 * notification per enabled channel of the team that subscribes to its
 * kind and covers its monitor, in the caller's transaction together
 * with marking the event processed.  A notification is made
 * "suppressed" instead of "pending" when
 *   - the event happened inside a maintenance window that suppresses
 *     alerts (monitor_events.suppressed, read when the column exists);
 *   - it is an "up" that ends an outage whose "down" (and reminders)
 *     this channel was never sent; a "down" or reminder not attempted yet
 *     when the "up" comes is suppressed first ("recovered"), so a blip
 *     shorter than one notifier pass sends nothing;
 *   - the flap rule: the channel already had NOTIFY_FLAP_MAX status
 *     notifications (down, up, degraded) for the monitor that were not
 *     suppressed in the last NOTIFY_FLAP_WINDOW_MS.  notify_settle()
 *     later sends the latest held-back state if it differs from the last
 *     one sent.
 * Reminders and ssl_expiring are not counted by the flap rule; a
 * reminder due while a window that suppresses alerts covers the monitor
 * is recorded suppressed.
 *
 * Deliveries: notify_due() takes pending notifications that are due,
 * never one of a (channel, outage) while an older one of the same pair
 * is still pending, so a channel hears "down" before "up".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "mail.h"
#include "maintenance.h"
#include "notify.h"
#include "timefmt.h"

#define EVSEL(supp) "SELECT e.id, e.team_id, e.monitor_id, e.kind, e.at, " \
	"e.outage_id, e.detail, " supp ", m.name, m.type, m.config, " \
	"o.started_at, o.ended_at, o.cause_code, o.cause_message " \
	"FROM monitor_events e JOIN monitors m ON m.id = e.monitor_id " \
	"LEFT JOIN outages o ON o.id = e.outage_id " \
	"WHERE e.processed_at IS NULL ORDER BY e.id LIMIT ?"

#define STATUS_EVENTS "('down','up','degraded')"
#define TARGET_TEXT	2200	/* a monitor's target in words */

enum stmt {
	STMT_HAS_SUPPRESSED,
	STMT_EVENTS_SUPP,
	STMT_EVENTS,
	STMT_PROCESSED,
	STMT_MATCH,
	STMT_FLAP_COUNT,
	STMT_COLLAPSE,
	STMT_DOWN_STATE,
	STMT_REMIND,
	STMT_FLAPPED,
	STMT_LAST_STATUS,
	STMT_LAST_SENT,
	STMT_DUE,
	STMT_LEASE,
	STMT_ATTEMPT,
	STMT_MOVE,
	STMT_MAIL_ERROR,
	STMT_LOC_EVENTS,
	STMT_LOC_MATCH,
	STMT_LOC_PROCESSED,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_HAS_SUPPRESSED: schema/006 adds the column. */
	"SELECT count(*) FROM pragma_table_info('monitor_events') "
	"WHERE name = 'suppressed'",
	/* STMT_EVENTS_SUPP */
	EVSEL("e.suppressed"),
	/* STMT_EVENTS */
	EVSEL("0"),
	/* STMT_PROCESSED */
	"UPDATE monitor_events SET processed_at = ?2 WHERE id = ?1",
	/* STMT_MATCH: enabled channels for this monitor and kind. */
	"SELECT c.id, c.name FROM channels c WHERE c.team_id = ?1 "
	"AND c.enabled = 1 AND (c.all_monitors = 1 OR EXISTS (SELECT 1 FROM "
	"channel_monitors cm WHERE cm.channel_id = c.id AND "
	"cm.monitor_id = ?2)) AND (CASE ?3 WHEN 'down' THEN c.on_down "
	"WHEN 'up' THEN c.on_up WHEN 'degraded' THEN c.on_degraded "
	"WHEN 'dns_changed' THEN c.on_dns_changed "
	"ELSE c.on_ssl_expiring END) = 1 ORDER BY c.created_at, c.id",
	/* STMT_FLAP_COUNT */
	"SELECT count(*) FROM notifications WHERE channel_id = ?1 AND "
	"monitor_id = ?2 AND created_at > ?3 AND event IN " STATUS_EVENTS
	" AND status <> 'suppressed'",
	/* STMT_COLLAPSE: the monitor is up before its down went out.  Only
	 * notifications never taken for delivery (no lease moved their due
	 * time): a notifier killed while sending one may have delivered it,
	 * and then its "up" must follow. */
	"UPDATE notifications SET status = 'suppressed', reason = "
	"'recovered', next_attempt_at = NULL, error = ?3 WHERE "
	"outage_id = ?1 AND channel_id = ?2 AND status = 'pending' AND "
	"attempts = 0 AND next_attempt_at = created_at AND "
	"event IN ('down','reminder')",
	/* STMT_DOWN_STATE: downs of the outage, and those not suppressed. */
	"SELECT count(*) FILTER (WHERE event = 'down'), count(*) FILTER "
	"(WHERE status <> 'suppressed') FROM notifications WHERE "
	"outage_id = ?1 AND channel_id = ?2 AND event IN "
	"('down','reminder')",
	/* STMT_REMIND: open outages of down monitors, channels that remind. */
	"SELECT c.id, c.name, c.remind_every_minutes, m.team_id, m.id, "
	"m.name, m.type, m.config, o.id, o.started_at, o.cause_code, "
	"o.cause_message, (SELECT max(n.created_at) FROM notifications n "
	"WHERE n.channel_id = c.id AND n.outage_id = o.id AND n.event IN "
	"('down','reminder')) FROM outages o "
	"JOIN monitors m ON m.id = o.monitor_id "
	"JOIN channels c ON c.team_id = m.team_id "
	"WHERE o.ended_at IS NULL AND m.status = 'down' AND m.paused = 0 "
	"AND c.enabled = 1 AND c.on_down = 1 AND "
	"c.remind_every_minutes > 0 AND (c.all_monitors = 1 OR EXISTS "
	"(SELECT 1 FROM channel_monitors cm WHERE cm.channel_id = c.id AND "
	"cm.monitor_id = m.id)) ORDER BY o.started_at, c.id",
	/* STMT_FLAPPED */
	"SELECT DISTINCT channel_id, monitor_id FROM notifications "
	"INDEXED BY notifications_flapping "
	"WHERE reason = 'flapping' AND created_at > ?1",
	/* STMT_LAST_STATUS */
	"SELECT " NTF_COLS ", payload FROM notifications WHERE "
	"channel_id = ?1 AND monitor_id = ?2 AND event IN " STATUS_EVENTS
	" ORDER BY created_at DESC, id DESC LIMIT 1",
	/* STMT_LAST_SENT */
	"SELECT event FROM notifications WHERE channel_id = ?1 AND "
	"monitor_id = ?2 AND event IN " STATUS_EVENTS " AND status <> "
	"'suppressed' ORDER BY created_at DESC, id DESC LIMIT 1",
	/* STMT_DUE */
	"SELECT " NTF_COLS ", payload FROM notifications n WHERE "
	"status = 'pending' AND next_attempt_at <= ?1 AND NOT EXISTS "
	"(SELECT 1 FROM notifications p WHERE p.outage_id = n.outage_id "
	"AND p.channel_id = n.channel_id AND p.status = 'pending' AND "
	"(p.created_at, p.id) < (n.created_at, n.id)) "
	"ORDER BY next_attempt_at, created_at, id LIMIT ?2",
	/* STMT_LEASE */
	"UPDATE notifications SET next_attempt_at = ?2 WHERE id = ?1",
	/* STMT_ATTEMPT */
	"INSERT INTO notification_attempts (notification_id, at, "
	"response_status, error, duration_ms) VALUES (?, ?, ?, ?, ?)",
	/* STMT_MOVE */
	"UPDATE notifications SET status = ?2, attempts = ?3, "
	"next_attempt_at = ?4, last_attempt_at = ?5, sent_at = ?6, "
	"response_status = ?7, error = ?8, delivered_mask = ?9, "
	"reason = ?10 WHERE id = ?1",
	/* STMT_MAIL_ERROR: why lib/mail.c's last try for this one failed. */
	"SELECT error FROM mail_outbox WHERE kind = 'alert' AND ref_id = ?1 "
	"AND to_addr = ?2 ORDER BY created_at DESC LIMIT 1",
	/* STMT_LOC_EVENTS: location health changes not processed yet. */
	"SELECT e.id, e.team_id, e.location_id, e.kind, e.at, "
	"e.last_seen_at, l.name, l.region FROM location_events e "
	"JOIN locations l ON l.id = e.location_id "
	"WHERE e.processed_at IS NULL ORDER BY e.id LIMIT ?",
	/* STMT_LOC_MATCH: enabled channels hearing "down" that cover a
	 * monitor checked from the location (?2), or every monitor. */
	"SELECT c.id, c.name FROM channels c WHERE c.team_id = ?1 "
	"AND c.enabled = 1 AND c.on_down = 1 AND (c.all_monitors = 1 OR "
	"EXISTS (SELECT 1 FROM channel_monitors cm JOIN monitor_locations "
	"ml ON ml.monitor_id = cm.monitor_id WHERE cm.channel_id = c.id AND "
	"ml.location_id = ?2)) ORDER BY c.created_at, c.id",
	/* STMT_LOC_PROCESSED */
	"UPDATE location_events SET processed_at = ?2 WHERE id = ?1",
};

/* The PostgreSQL text where the dialects differ (NULL: sqls[i] serves). */
static const char *const pg_sqls[STMT__MAX] = {
	[STMT_HAS_SUPPRESSED] = "SELECT count(*) FROM "
	"information_schema.columns WHERE table_schema = current_schema() AND "
	"table_name = 'monitor_events' AND column_name = 'suppressed'",
	/* STMT_FLAPPED: PostgreSQL picks the partial index itself. */
	[STMT_FLAPPED] = "SELECT DISTINCT channel_id, monitor_id FROM "
	"notifications WHERE reason = 'flapping' AND created_at > ?1",
};

/* What a notification is about: an event, or an outage still open. */
struct evinfo {
	int64_t		 event_id;
	enum ntf_event	 kind;
	int64_t		 at;
	int		 suppressed;
	char		 team_id[ID_MAX];
	char		 monitor_id[ID_MAX];
	char		 monitor_name[NAME_MAXBYTES];
	char		 monitor_type[16];
	char		 target[TARGET_TEXT];
	char		 outage_id[ID_MAX];
	int64_t		 outage_start;
	int64_t		 outage_end;
	char		 cause_code[64];
	char		 cause_msg[320];
	int64_t		 ssl_expires_at;
	cJSON		*dns;		/* dns_changed: {previous, current},
					   owned (evinfo_clear) */
	/* location_offline, location_online: the location, and when it
	 * was last seen before the change ("" and 0 otherwise). */
	char		 loc_id[ID_MAX];
	char		 loc_name[NAME_MAXBYTES];
	char		 loc_region[260];
	int64_t		 loc_seen;
};

/* A channel a notification goes to. */
struct chanref {
	char		 id[ID_MAX];
	char		 name[NAME_MAXBYTES];
};

/* ---- small helpers ---- */

void
notify_duration(long long s, char *out, size_t outlen)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, outlen, "%llds", s);
	else if (s < 3600)
		snprintf(out, outlen, "%lldm %llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, outlen, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, outlen, "%lldd %lldh", s / 86400,
		    s % 86400 / 3600);
}

int64_t
notify_backoff(long attempts)
{
	if (attempts < 1)
		attempts = 1;
	if (attempts > NOTIFY_MAX_ATTEMPTS)
		attempts = NOTIFY_MAX_ATTEMPTS;
	return NOTIFY_BACKOFF_MS << (attempts - 1);
}

void
notify_sign(const char *secret, long long t, const char *body,
    size_t bodylen, char *out, size_t outlen)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];
	char				 ts[32], hex[2 * sizeof(mac) + 1];

	snprintf(ts, sizeof(ts), "%lld.", t);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
	    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
	    bodylen);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, outlen, "t=%lld, v1=%s", t, hex);
	sodium_memzero(&st, sizeof(st));
}

/* Cut s in place after at most max characters, on a UTF-8 boundary. */
static void
utf8_cut(char *s, size_t max)
{
	size_t	 i, n = 0;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max) {
			s[i] = '\0';
			return;
		}
}

/* Replace control characters (CR, LF, ...) with spaces, in place. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/*
 * Make room for one more element of size bytes in *a (n used, *cap
 * allocated); 0, or -1 out of memory (*a left as it was).
 */
static int
grow(void *a, size_t *cap, size_t n, size_t size)
{
	void	*na;
	size_t	 want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 16;
	if ((na = realloc(*(void **)a, want * size)) == NULL)
		return -1;
	*(void **)a = na;
	*cap = want;
	return 0;
}

/* The monitor's target in words: URL, host:port or name (type). */
static void
set_target(struct evinfo *e, const char *config)
{
	cJSON		*c = cJSON_Parse(config ? config : "{}");
	const char	*url, *host, *name, *rr;
	double		 port;

	url = cJSON_GetStringValue(cJSON_GetObjectItem(c, "url"));
	host = cJSON_GetStringValue(cJSON_GetObjectItem(c, "host"));
	name = cJSON_GetStringValue(cJSON_GetObjectItem(c, "hostname"));
	rr = cJSON_GetStringValue(cJSON_GetObjectItem(c, "recordType"));
	port = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "port"));
	if (url != NULL)
		snprintf(e->target, sizeof(e->target), "%s", url);
	else if (host != NULL)
		snprintf(e->target, sizeof(e->target), "%s:%.0f", host, port);
	else if (name != NULL)
		snprintf(e->target, sizeof(e->target), "%s %s", name,
		    rr ? rr : "A");
	else
		snprintf(e->target, sizeof(e->target), "%s", e->monitor_type);
	cJSON_Delete(c);
}

static void
evinfo_clear(struct evinfo *e)
{
	cJSON_Delete(e->dns);
	e->dns = NULL;
}

/*
 * The strings of the array a joined with ", " into out ("none" if none):
 * whole strings only, "..." for those that do not fit.
 */
static void
join(const cJSON *a, char *out, size_t outlen)
{
	const cJSON	*x;
	size_t		 n = 0, len;

	out[0] = '\0';
	cJSON_ArrayForEach(x, a) {
		if (!cJSON_IsString(x))
			continue;
		len = strlen(x->valuestring) + (n > 0 ? 2 : 0);
		if (n + len + 5 > outlen) {
			snprintf(out + n, outlen - n, "%s...", n > 0 ? ", " : "");
			break;
		}
		n += (size_t)snprintf(out + n, outlen - n, "%s%s",
		    n > 0 ? ", " : "", x->valuestring);
	}
	if (out[0] == '\0')
		snprintf(out, outlen, "none");
}

/* A location's region in words, " (region)", as three %s arguments. */
#define REGION(e) (e)->loc_region[0] ? " (" : "", (e)->loc_region, \
	(e)->loc_region[0] ? ")" : ""

/* The one-line message of an event. */
static void
describe(const struct evinfo *e, int64_t now, char *out, size_t outlen)
{
	char	 d[64], t[TIME_MAX], was[256], is[256];

	switch (e->kind) {
	case NEV_DOWN:
		snprintf(out, outlen, "DOWN: %s (%s)%s%s", e->monitor_name,
		    e->target, e->cause_msg[0] ? ": " : " is down.",
		    e->cause_msg);
		break;
	case NEV_UP:
		if (e->outage_id[0] != '\0') {
			notify_duration(((e->outage_end ? e->outage_end :
			    e->at) - e->outage_start) / 1000, d, sizeof(d));
			snprintf(out, outlen, "UP: %s (%s) is up again after "
			    "%s down.", e->monitor_name, e->target, d);
		} else
			snprintf(out, outlen, "UP: %s (%s) is no longer "
			    "degraded.", e->monitor_name, e->target);
		break;
	case NEV_DEGRADED:
		snprintf(out, outlen, "DEGRADED: %s (%s) answers slower than "
		    "expected.", e->monitor_name, e->target);
		break;
	case NEV_SSL_EXPIRING:
		time_format(e->ssl_expires_at, t);
		snprintf(out, outlen, "SSL: the certificate of %s (%s) %s "
		    "%.10s.", e->monitor_name, e->target, e->ssl_expires_at <=
		    e->at ? "expired on" : "expires on", t);
		break;
	case NEV_DNS_CHANGED:
		join(cJSON_GetObjectItem(e->dns, "current"), is, sizeof(is));
		join(cJSON_GetObjectItem(e->dns, "previous"), was,
		    sizeof(was));
		snprintf(out, outlen, "DNS CHANGED: %s (%s) now answers %s "
		    "(was %s).", e->monitor_name, e->target, is, was);
		break;
	case NEV_LOCATION_OFFLINE:
		time_format(e->loc_seen, t);
		snprintf(out, outlen, "LOCATION OFFLINE: %s%s%s%s has not "
		    "reported since %s; its checks are left out of the "
		    "quorum until it reports again.", e->loc_name,
		    REGION(e), e->loc_seen ? t : "it was made");
		break;
	case NEV_LOCATION_ONLINE:
		notify_duration((e->at - e->loc_seen) / 1000, d, sizeof(d));
		snprintf(out, outlen, "LOCATION ONLINE: %s%s%s%s reports "
		    "again after %s of silence.", e->loc_name, REGION(e), d);
		break;
	case NEV_REMINDER:
		notify_duration((now - e->outage_start) / 1000, d, sizeof(d));
		snprintf(out, outlen, "STILL DOWN: %s (%s) has been down for "
		    "%s%s%s", e->monitor_name, e->target, d,
		    e->cause_msg[0] ? ": " : ".", e->cause_msg);
		break;
	default:
		snprintf(out, outlen, "TEST: a test notification from uptime.");
		break;
	}
	utf8_cut(out, NOTIFY_MAXTEXT / 4);
}

/*
 * The payload of a notification (JSON text, caller frees), the webhook
 * body of docs/alerts.md.
 */
static char *
payload_make(const struct evinfo *e, const char *ntf_id,
    const struct chanref *ch, int64_t now, int after_flapping)
{
	cJSON	*o = cJSON_CreateObject(), *x, *c;
	char	 msg[NOTIFY_MAXTEXT];
	char	*s;

	describe(e, now, msg, sizeof(msg));
	cJSON_AddStringToObject(o, "id", ntf_id);
	cJSON_AddStringToObject(o, "event", ntf_event_names[e->kind]);
	json_add_time(o, "createdAt", now);
	json_add_time(o, "occurredAt", e->at);
	cJSON_AddStringToObject(o, "message", msg);
	x = cJSON_AddObjectToObject(o, "team");
	cJSON_AddStringToObject(x, "id", e->team_id);
	x = cJSON_AddObjectToObject(o, "channel");
	cJSON_AddStringToObject(x, "id", ch->id);
	cJSON_AddStringToObject(x, "name", ch->name);
	if (e->monitor_id[0] != '\0') {
		x = cJSON_AddObjectToObject(o, "monitor");
		cJSON_AddStringToObject(x, "id", e->monitor_id);
		cJSON_AddStringToObject(x, "name", e->monitor_name);
		cJSON_AddStringToObject(x, "type", e->monitor_type);
		cJSON_AddStringToObject(x, "target", e->target);
	} else
		cJSON_AddNullToObject(o, "monitor");
	if (e->outage_id[0] != '\0') {
		x = cJSON_AddObjectToObject(o, "outage");
		cJSON_AddStringToObject(x, "id", e->outage_id);
		json_add_time(x, "startedAt", e->outage_start);
		json_add_time(x, "endedAt", e->outage_end);
		cJSON_AddNumberToObject(x, "durationSeconds", (double)(((
		    e->outage_end ? e->outage_end : now) - e->outage_start) /
		    1000));
		c = cJSON_AddObjectToObject(x, "cause");
		json_add_str(c, "code", e->cause_code);
		json_add_str(c, "message", e->cause_msg);
	} else
		cJSON_AddNullToObject(o, "outage");
	json_add_time(o, "sslExpiresAt", e->ssl_expires_at);
	cJSON_AddItemToObject(o, "dns", e->dns != NULL ?
	    cJSON_Duplicate(e->dns, 1) : cJSON_CreateNull());
	if (e->loc_id[0] != '\0') {
		x = cJSON_AddObjectToObject(o, "location");
		cJSON_AddStringToObject(x, "id", e->loc_id);
		cJSON_AddStringToObject(x, "name", e->loc_name);
		json_add_str(x, "region", e->loc_region);
		json_add_time(x, "lastSeenAt", e->loc_seen);
	} else
		cJSON_AddNullToObject(o, "location");
	cJSON_AddBoolToObject(o, "afterFlapping", after_flapping);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

char *
notify_test_payload(const struct channel *ch, const char *ntf_id,
    int64_t now)
{
	cJSON	*o = cJSON_CreateObject(), *x;
	char	 msg[NAME_MAXBYTES + 128];
	char	*s;

	snprintf(msg, sizeof(msg), "TEST: a test notification from uptime "
	    "for the channel \"%s\".", ch->name);
	cJSON_AddStringToObject(o, "id", ntf_id);
	cJSON_AddStringToObject(o, "event", "test");
	json_add_time(o, "createdAt", now);
	json_add_time(o, "occurredAt", now);
	cJSON_AddStringToObject(o, "message", msg);
	x = cJSON_AddObjectToObject(o, "team");
	cJSON_AddStringToObject(x, "id", ch->team_id);
	x = cJSON_AddObjectToObject(o, "channel");
	cJSON_AddStringToObject(x, "id", ch->id);
	cJSON_AddStringToObject(x, "name", ch->name);
	cJSON_AddNullToObject(o, "monitor");
	cJSON_AddNullToObject(o, "outage");
	cJSON_AddNullToObject(o, "sslExpiresAt");
	cJSON_AddNullToObject(o, "dns");
	cJSON_AddNullToObject(o, "location");
	cJSON_AddBoolToObject(o, "afterFlapping", 0);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

int
notify_test(struct db *db, const struct channel *c, int64_t now,
    struct notification *n)
{
	memset(n, 0, sizeof(*n));
	id_new(n->id, "ntf");
	snprintf(n->team_id, sizeof(n->team_id), "%s", c->team_id);
	snprintf(n->channel_id, sizeof(n->channel_id), "%s", c->id);
	n->event = NEV_TEST;
	n->status = NST_PENDING;
	n->created_at = n->next_attempt_at = now;
	if ((n->payload = notify_test_payload(c, n->id, now)) == NULL)
		return DB_ERROR;
	return notification_insert(db, n);
}

/* ---- events into notifications ---- */

static int
count2(struct db *db, int stmt, const char *a, const char *b, int64_t t,
    long *x, long *y)
{
	struct db_stmt	*st;
	int		 rc;

	*x = *y = 0;
	if ((st = db_stmt(db, sqls[stmt])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, a);
	db_bind_text(st, 2, b);
	if (t != 0)
		db_bind_int64(st, 3, t);
	if ((rc = db_step(st)) == DB_ROW) {
		*x = db_col_int(st, 0);
		if (db_col_count(st) > 1)
			*y = db_col_int(st, 1);
		rc = DB_DONE;
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}

/*
 * The channels an event goes to: of its monitor, or (a location's
 * health) its location; *out is the caller's to free.
 */
static int
match(struct db *db, const struct evinfo *e, struct chanref **out, size_t *n)
{
	struct db_stmt	*st;
	struct chanref	*a = NULL;
	size_t		 cap = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (e->loc_id[0] != '\0')
		st = db_query(db, sqls[STMT_LOC_MATCH], "tt", e->team_id,
		    e->loc_id);
	else
		st = db_query(db, sqls[STMT_MATCH], "ttt", e->team_id,
		    e->monitor_id, ntf_event_names[e->kind]);
	if (st == NULL)
		return DB_ERROR;
	while ((rc = db_step(st)) == DB_ROW) {
		if (grow(&a, &cap, *n, sizeof(*a)) == -1) {
			rc = DB_ERROR;
			break;
		}
		db_col_text(st, 0, a[*n].id, sizeof(a[*n].id));
		db_col_text(st, 1, a[*n].name, sizeof(a[*n].name));
		(*n)++;
	}
	db_reset(st);
	if (rc != DB_DONE) {
		free(a);
		*n = 0;
		return rc == DB_ERROR ? DB_ERROR : db_rc(rc);
	}
	*out = a;
	return DB_OK;
}

static void
suppress(struct notification *n, const char *reason, const char *why)
{
	n->status = NST_SUPPRESSED;
	snprintf(n->reason, sizeof(n->reason), "%s", reason);
	snprintf(n->error, sizeof(n->error), "Not sent: %s", why);
}

/*
 * Decide whether the notification of e for channel ch goes out: fills
 * n->status (and reason) by the rules at the top of this file.
 */
static int
judge(struct db *db, const struct evinfo *e, const struct chanref *ch,
    int64_t now, struct notification *n)
{
	struct db_stmt	*st;
	long		 downs, open, sent, unused;
	char		 why[160];
	int		 rc;

	n->status = NST_PENDING;
	if (e->kind == NEV_UP && e->outage_id[0] != '\0') {
		if ((st = db_stmt(db, sqls[STMT_COLLAPSE])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, e->outage_id);
		db_bind_text(st, 2, ch->id);
		db_bind_text(st, 3, "Not sent: the monitor was up again "
		    "before this could be delivered.");
		if ((rc = db_exec_stmt(st)) != DB_OK)
			return rc;
	}
	if (e->suppressed) {
		suppress(n, "maintenance", "a maintenance window that "
		    "suppresses alerts was active.");
		return DB_OK;
	}
	if (e->kind == NEV_UP && e->outage_id[0] != '\0') {
		if ((rc = count2(db, STMT_DOWN_STATE, e->outage_id, ch->id, 0,
		    &downs, &open)) != DB_OK)
			return rc;
		if (downs > 0 && open == 0) {
			suppress(n, "unnotified", "the down notification of "
			    "this outage was not sent either.");
			return DB_OK;
		}
	}
	if (e->kind == NEV_DOWN || e->kind == NEV_UP ||
	    e->kind == NEV_DEGRADED) {
		if ((rc = count2(db, STMT_FLAP_COUNT, ch->id, e->monitor_id,
		    now - NOTIFY_FLAP_WINDOW_MS, &sent, &unused)) != DB_OK)
			return rc;
		snprintf(why, sizeof(why), "the monitor is flapping (%d "
		    "status notifications in %lld minutes already); its "
		    "latest state is sent once it is quiet.", NOTIFY_FLAP_MAX,
		    NOTIFY_FLAP_WINDOW_MS / 60000);
		if (sent >= NOTIFY_FLAP_MAX)
			suppress(n, "flapping", why);
	}
	return DB_OK;
}

/* Make and insert the notification of e for ch.  DB_* code. */
static int
make_one(struct db *db, const struct evinfo *e, const struct chanref *ch,
    int64_t now, struct notify_counts *k)
{
	struct notification	 n;
	int			 rc;

	memset(&n, 0, sizeof(n));
	id_new(n.id, "ntf");
	snprintf(n.team_id, sizeof(n.team_id), "%s", e->team_id);
	snprintf(n.channel_id, sizeof(n.channel_id), "%s", ch->id);
	snprintf(n.monitor_id, sizeof(n.monitor_id), "%s", e->monitor_id);
	snprintf(n.outage_id, sizeof(n.outage_id), "%s", e->outage_id);
	n.event = e->kind;
	n.created_at = n.next_attempt_at = now;
	if (e->kind == NEV_REMINDER) {
		n.status = NST_PENDING;
		if (e->suppressed)
			suppress(&n, "maintenance", "a maintenance window that "
			    "suppresses alerts is active.");
	} else if ((rc = judge(db, e, ch, now, &n)) != DB_OK)
		return rc;
	if ((n.payload = payload_make(e, n.id, ch, now, 0)) == NULL)
		return DB_ERROR;
	rc = notification_insert(db, &n);
	notification_free(&n);
	if (rc == DB_OK) {
		if (n.status == NST_SUPPRESSED)
			k->suppressed++;
		else if (e->kind == NEV_REMINDER)
			k->reminders++;
		else
			k->created++;
	}
	return rc;
}

static void
col_time_opt(struct db_stmt *st, int i, int64_t *out)
{
	*out = db_col_null(st, i) ? 0 :
	    db_col_int64(st, i);
}

/* Read one event row (EVSEL). */
static void
event_row(struct db_stmt *st, struct evinfo *e)
{
	char	 s[32];
	int	 i;

	memset(e, 0, sizeof(*e));
	e->event_id = db_col_int64(st, 0);
	db_col_text(st, 1, e->team_id, sizeof(e->team_id));
	db_col_text(st, 2, e->monitor_id, sizeof(e->monitor_id));
	db_col_text(st, 3, s, sizeof(s));
	i = str_index(ntf_event_names, NEV__MAX, s);
	e->kind = i == -1 ? NEV_DOWN : (enum ntf_event)i;
	e->at = db_col_int64(st, 4);
	db_col_text(st, 5, e->outage_id, sizeof(e->outage_id));
	db_col_text(st, 6, s, sizeof(s));
	if (e->kind == NEV_SSL_EXPIRING)
		e->ssl_expires_at = strtoll(s, NULL, 10);
	if (e->kind == NEV_DNS_CHANGED && !db_col_null(st, 6))
		e->dns = cJSON_Parse(db_col_str(st, 6));
	e->suppressed = db_col_int(st, 7) != 0;
	db_col_text(st, 8, e->monitor_name, sizeof(e->monitor_name));
	db_col_text(st, 9, e->monitor_type, sizeof(e->monitor_type));
	set_target(e, db_col_str(st, 10));
	col_time_opt(st, 11, &e->outage_start);
	col_time_opt(st, 12, &e->outage_end);
	db_col_text(st, 13, e->cause_code, sizeof(e->cause_code));
	db_col_text(st, 14, e->cause_msg, sizeof(e->cause_msg));
	/* A down's detail is its error code when no outage says more. */
	if (e->kind == NEV_DOWN && e->cause_code[0] == '\0')
		snprintf(e->cause_code, sizeof(e->cause_code), "%s", s);
}

int
notify_events(struct db *db, int64_t now, size_t max,
    struct notify_counts *k)
{
	struct db_stmt	*st;
	struct evinfo	*evs;
	struct chanref	*chs;
	size_t		 n = 0, i, j, nch;
	int		 rc = DB_DONE, supp;

	if ((st = db_stmt(db, db_sqlv(db, sqls, pg_sqls,
	    STMT_HAS_SUPPRESSED))) == NULL)
		return DB_ERROR;
	supp = db_step(st) == DB_ROW && db_col_int(st, 0);
	db_reset(st);
	if ((evs = calloc(max ? max : 1, sizeof(*evs))) == NULL)
		return DB_ERROR;
	if ((st = db_stmt(db, sqls[supp ? STMT_EVENTS_SUPP : STMT_EVENTS])) ==
	    NULL) {
		free(evs);
		return DB_ERROR;
	}
	db_bind_int64(st, 1, (int64_t)max);
	while (n < max && (rc = db_step(st)) == DB_ROW)
		event_row(st, &evs[n++]);
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		for (i = 0; i < n; i++)
			evinfo_clear(&evs[i]);
		free(evs);
		return db_rc(rc);
	}
	rc = DB_OK;
	for (i = 0; i < n && rc == DB_OK; i++) {
		if ((rc = match(db, &evs[i], &chs, &nch)) != DB_OK)
			break;
		for (j = 0; j < nch && rc == DB_OK; j++)
			rc = make_one(db, &evs[i], &chs[j], now, k);
		free(chs);
		if (rc != DB_OK)
			break;
		if ((st = db_stmt(db, sqls[STMT_PROCESSED])) == NULL) {
			rc = DB_ERROR;
			break;
		}
		db_bind_int64(st, 1, evs[i].event_id);
		db_bind_int64(st, 2, now);
		if ((rc = db_exec_stmt(st)) == DB_OK)
			k->events++;
	}
	for (i = 0; i < n; i++)
		evinfo_clear(&evs[i]);
	free(evs);
	return rc;
}

/* Read one location event row (STMT_LOC_EVENTS). */
static void
loc_event_row(struct db_stmt *st, struct evinfo *e)
{
	char	 s[32];
	int	 i;

	memset(e, 0, sizeof(*e));
	e->event_id = db_col_int64(st, 0);
	db_col_text(st, 1, e->team_id, sizeof(e->team_id));
	db_col_text(st, 2, e->loc_id, sizeof(e->loc_id));
	db_col_text(st, 3, s, sizeof(s));
	i = str_index(ntf_event_names, NEV__MAX, s);
	e->kind = i == NEV_LOCATION_ONLINE ? NEV_LOCATION_ONLINE :
	    NEV_LOCATION_OFFLINE;
	e->at = db_col_int64(st, 4);
	col_time_opt(st, 5, &e->loc_seen);
	db_col_text(st, 6, e->loc_name, sizeof(e->loc_name));
	db_col_text(st, 7, e->loc_region, sizeof(e->loc_region));
}

int
notify_locations(struct db *db, int64_t now, size_t max,
    struct notify_counts *k)
{
	struct db_stmt	*st;
	struct evinfo	*evs;
	struct chanref	*chs;
	size_t		 n = 0, i, j, nch;
	int		 rc = DB_DONE;

	if ((evs = calloc(max ? max : 1, sizeof(*evs))) == NULL)
		return DB_ERROR;
	if ((st = db_query(db, sqls[STMT_LOC_EVENTS], "I", (int64_t)max)) ==
	    NULL) {
		free(evs);
		return DB_ERROR;
	}
	while (n < max && (rc = db_step(st)) == DB_ROW)
		loc_event_row(st, &evs[n++]);
	db_reset(st);
	rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : db_rc(rc);
	for (i = 0; i < n && rc == DB_OK; i++) {
		if ((rc = match(db, &evs[i], &chs, &nch)) != DB_OK)
			break;
		for (j = 0; j < nch && rc == DB_OK; j++)
			rc = make_one(db, &evs[i], &chs[j], now, k);
		free(chs);
		if (rc != DB_OK)
			break;
		st = db_query(db, sqls[STMT_LOC_PROCESSED], "II",
		    (int64_t)evs[i].event_id, now);
		if ((rc = st == NULL ? DB_ERROR : db_exec_stmt(st)) == DB_OK)
			k->events++;
	}
	free(evs);
	return rc;
}

/* ---- reminders ---- */

struct remind {
	struct chanref	 ch;
	long		 every_min;
	int64_t		 last;
	struct evinfo	 e;
};

int
notify_reminders(struct db *db, int64_t now, struct notify_counts *k)
{
	struct db_stmt	*st;
	struct remind	*a = NULL, *r;
	struct maint_effect me;
	size_t		 n = 0, cap = 0, i;
	int64_t		 base;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_REMIND])) == NULL)
		return DB_ERROR;
	while ((rc = db_step(st)) == DB_ROW) {
		if (grow(&a, &cap, n, sizeof(*a)) == -1) {
			rc = DB_ERROR;
			break;
		}
		r = &a[n++];
		memset(r, 0, sizeof(*r));
		db_col_text(st, 0, r->ch.id, sizeof(r->ch.id));
		db_col_text(st, 1, r->ch.name, sizeof(r->ch.name));
		r->every_min = db_col_int(st, 2);
		r->e.kind = NEV_REMINDER;
		r->e.at = now;
		db_col_text(st, 3, r->e.team_id, sizeof(r->e.team_id));
		db_col_text(st, 4, r->e.monitor_id, sizeof(r->e.monitor_id));
		db_col_text(st, 5, r->e.monitor_name,
		    sizeof(r->e.monitor_name));
		db_col_text(st, 6, r->e.monitor_type,
		    sizeof(r->e.monitor_type));
		set_target(&r->e, db_col_str(st, 7));
		db_col_text(st, 8, r->e.outage_id, sizeof(r->e.outage_id));
		r->e.outage_start = db_col_int64(st, 9);
		db_col_text(st, 10, r->e.cause_code, sizeof(r->e.cause_code));
		db_col_text(st, 11, r->e.cause_msg, sizeof(r->e.cause_msg));
		col_time_opt(st, 12, &r->last);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		free(a);
		return rc == DB_ERROR ? DB_ERROR : db_rc(rc);
	}
	rc = DB_OK;
	for (i = 0; i < n && rc == DB_OK; i++) {
		base = a[i].last > a[i].e.outage_start ? a[i].last :
		    a[i].e.outage_start;
		if (now - base < a[i].every_min * 60 * 1000LL)
			continue;
		/* Inside a window that suppresses alerts: on record only. */
		if ((rc = maint_at(db, a[i].e.team_id, a[i].e.monitor_id, now,
		    &me)) != DB_OK)
			break;
		a[i].e.suppressed = me.active && me.suppress_alerts;
		rc = make_one(db, &a[i].e, &a[i].ch, now, k);
	}
	free(a);
	return rc;
}

/* ---- the flap rule's catch-up ---- */

struct pair {
	char	 channel_id[ID_MAX];
	char	 monitor_id[ID_MAX];
};

/* Read the newest status notification of a pair into n (with payload). */
static int
last_status(struct db *db, const struct pair *p, struct notification *n)
{
	struct db_stmt	*st;
	const char	*pl;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_LAST_STATUS])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, p->channel_id);
	db_bind_text(st, 2, p->monitor_id);
	if ((rc = db_step(st)) == DB_ROW) {
		notification_from_row(st, n);
		pl = db_col_str(st, 16);
		n->payload = strdup(pl ? pl : "{}");
		rc = n->payload ? DB_OK : DB_ERROR;
	} else
		rc = rc == DB_DONE ? DB_NOTFOUND : db_rc(rc);
	db_reset(st);
	return rc;
}

/* The event of the newest status notification sent (or tried), or -1. */
static int
last_sent(struct db *db, const struct pair *p, int *ev)
{
	struct db_stmt	*st;
	char		 s[32];
	int		 rc;

	*ev = -1;
	if ((st = db_stmt(db, sqls[STMT_LAST_SENT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, p->channel_id);
	db_bind_text(st, 2, p->monitor_id);
	if ((rc = db_step(st)) == DB_ROW) {
		db_col_text(st, 0, s, sizeof(s));
		*ev = str_index(ntf_event_names, NEV__MAX, s);
		rc = DB_DONE;
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}

/* Send the held-back state of one pair if the rule says so. */
static int
settle_one(struct db *db, const struct pair *p, int64_t now,
    struct notify_counts *k)
{
	struct notification	 n;
	cJSON			*pl;
	char			*text;
	long			 sent, unused;
	int			 rc, ev;

	memset(&n, 0, sizeof(n));
	if ((rc = last_status(db, p, &n)) != DB_OK)
		return rc == DB_NOTFOUND ? DB_OK : rc;
	if (strcmp(n.reason, "flapping") != 0)
		goto done;
	if ((rc = count2(db, STMT_FLAP_COUNT, p->channel_id, p->monitor_id,
	    now - NOTIFY_FLAP_WINDOW_MS, &sent, &unused)) != DB_OK ||
	    sent >= NOTIFY_FLAP_MAX)
		goto done;
	if ((rc = last_sent(db, p, &ev)) != DB_OK)
		goto done;
	/* Nothing new to say: the same state, or "up" never announced. */
	if (ev == (int)n.event || (ev == -1 && n.event == NEV_UP))
		goto done;
	pl = cJSON_Parse(n.payload);
	id_new(n.id, "ntf");
	if (pl != NULL) {
		cJSON_ReplaceItemInObject(pl, "id", cJSON_CreateString(n.id));
		cJSON_DeleteItemFromObject(pl, "afterFlapping");
		cJSON_AddBoolToObject(pl, "afterFlapping", 1);
	}
	text = pl ? cJSON_PrintUnformatted(pl) : NULL;
	cJSON_Delete(pl);
	if (text == NULL) {
		rc = DB_ERROR;
		goto done;
	}
	free(n.payload);
	n.payload = text;
	n.status = NST_PENDING;
	n.reason[0] = n.error[0] = '\0';
	n.attempts = 0;
	n.created_at = n.next_attempt_at = now;
	n.last_attempt_at = n.sent_at = 0;
	n.response_status = 0;
	n.delivered_mask = 0;
	if ((rc = notification_insert(db, &n)) == DB_OK)
		k->settled++;
done:
	notification_free(&n);
	return rc;
}

int
notify_settle(struct db *db, int64_t now, struct notify_counts *k)
{
	struct db_stmt	*st;
	struct pair	*a = NULL;
	size_t		 n = 0, cap = 0, i;
	int		 rc;

	if ((st = db_stmt(db, db_sqlv(db, sqls, pg_sqls,
	    STMT_FLAPPED))) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now - NOTIFY_SETTLE_MS);
	while ((rc = db_step(st)) == DB_ROW) {
		if (grow(&a, &cap, n, sizeof(*a)) == -1) {
			rc = DB_ERROR;
			break;
		}
		db_col_text(st, 0, a[n].channel_id, sizeof(a[n].channel_id));
		db_col_text(st, 1, a[n].monitor_id, sizeof(a[n].monitor_id));
		n++;
	}
	db_reset(st);
	if (rc != DB_DONE) {
		free(a);
		return rc == DB_ERROR ? DB_ERROR : db_rc(rc);
	}
	rc = DB_OK;
	for (i = 0; i < n && rc == DB_OK; i++)
		rc = settle_one(db, &a[i], now, k);
	free(a);
	return rc;
}

/* ---- deliveries ---- */

static void
delivery_clear(struct delivery *d)
{
	size_t	 i;

	notification_free(&d->n);
	channel_free(&d->c);
	free(d->url);
	for (i = 0; d->headers != NULL && d->headers[i] != NULL; i++)
		free(d->headers[i]);
	free(d->headers);
	free(d->body);
	free(d->text);
	d->url = d->body = d->text = NULL;
	d->headers = NULL;
}

void
notify_free_all(struct delivery *ds, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		delivery_clear(&ds[i]);
	free(ds);
}

int
notify_due(struct db *db, int64_t now, size_t max, struct delivery **out,
    size_t *n)
{
	struct db_stmt	*st;
	struct delivery	*ds;
	const char	*pl;
	size_t		 i, kept = 0;
	int		 rc = DB_DONE;

	*out = NULL;
	*n = 0;
	if ((ds = calloc(max ? max : 1, sizeof(*ds))) == NULL)
		return DB_ERROR;
	if ((st = db_stmt(db, sqls[STMT_DUE])) == NULL) {
		free(ds);
		return DB_ERROR;
	}
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, (int64_t)max);
	while (*n < max && (rc = db_step(st)) == DB_ROW) {
		notification_from_row(st, &ds[*n].n);
		pl = db_col_str(st, 16);
		if ((ds[*n].n.payload = strdup(pl ? pl : "{}")) == NULL) {
			rc = DB_ERROR;
			break;
		}
		(*n)++;
	}
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		notify_free_all(ds, *n);
		*n = 0;
		return rc == DB_ERROR ? DB_ERROR : db_rc(rc);
	}
	/* The channels, and the lease, once the query is done. */
	for (i = 0, rc = DB_OK; i < *n && rc == DB_OK; i++) {
		rc = channel_get(db, ds[i].n.team_id, ds[i].n.channel_id,
		    &ds[i].c);
		if (rc == DB_NOTFOUND) {	/* deleted: so is the row */
			notification_free(&ds[i].n);
			rc = DB_OK;
			continue;
		}
		if (rc != DB_OK)
			break;
		if ((st = db_stmt(db, sqls[STMT_LEASE])) == NULL) {
			channel_free(&ds[i].c);
			notification_free(&ds[i].n);
			rc = DB_ERROR;
			break;
		}
		db_bind_text(st, 1, ds[i].n.id);
		db_bind_int64(st, 2, now + NOTIFY_LEASE_MS);
		if ((rc = db_exec_stmt(st)) != DB_OK) {
			channel_free(&ds[i].c);
			notification_free(&ds[i].n);
			break;
		}
		if (kept != i)
			ds[kept] = ds[i];
		kept++;
	}
	for (; i < *n; i++)
		notification_free(&ds[i].n);
	if (rc != DB_OK) {
		notify_free_all(ds, kept);
		*n = 0;
		return rc;
	}
	*n = kept;
	*out = ds;
	return DB_OK;
}

static const char *
pstr(const cJSON *o, const char *name)
{
	const char	*s;

	s = cJSON_GetStringValue(cJSON_GetObjectItem(o, name));
	return s ? s : "";
}

static int
add_header(struct delivery *d, size_t *nh, const char *name,
    const char *value)
{
	size_t	 len = strlen(name) + strlen(value) + 3;

	if (*nh >= PROBE_MAXHEADERS - 1 ||
	    (d->headers[*nh] = malloc(len)) == NULL)
		return -1;
	snprintf(d->headers[*nh], len, "%s: %s", name, value);
	(*nh)++;
	return 0;
}

/* Slack mrkdwn: &, < and > escaped, so names cannot ping or link. */
static char *
slack_escape(const char *s)
{
	struct buf	 b = { NULL, 0, 0 };

	if (buf_puts(&b, "") == -1)
		return NULL;
	for (; *s != '\0'; s++) {
		if ((*s == '&' ? buf_puts(&b, "&amp;") : *s == '<' ?
		    buf_puts(&b, "&lt;") : *s == '>' ? buf_puts(&b, "&gt;") :
		    buf_add(&b, s, 1)) == -1) {
			buf_free(&b);
			return NULL;
		}
	}
	return b.p;
}

/* The plain-text mail body. */
static char *
mail_text(const cJSON *pl, const struct delivery *d)
{
	struct buf	 b = { NULL, 0, 0 };
	const cJSON	*m = cJSON_GetObjectItem(pl, "monitor");
	const cJSON	*o = cJSON_GetObjectItem(pl, "outage");
	const cJSON	*c = cJSON_GetObjectItem(o, "cause");
	const cJSON	*l = cJSON_GetObjectItem(pl, "location");
	char		 dur[64];
	int		 ok;

	ok = buf_printf(&b, "%s\n\n", pstr(pl, "message")) == 0;
	if (ok && cJSON_IsObject(m))
		ok = buf_printf(&b, "Monitor:  %s (%s, %s)\nTarget:   %s\n",
		    pstr(m, "name"), pstr(m, "type"), pstr(m, "id"),
		    pstr(m, "target")) == 0;
	if (ok)
		ok = buf_printf(&b, "Event:    %s\nAt:       %s\n",
		    pstr(pl, "event"), pstr(pl, "occurredAt")) == 0;
	if (ok && cJSON_IsObject(o)) {
		notify_duration((long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(o, "durationSeconds")), dur,
		    sizeof(dur));
		ok = buf_printf(&b, "Outage:   %s, since %s%s%s (%s)\n",
		    pstr(o, "id"), pstr(o, "startedAt"),
		    cJSON_IsString(cJSON_GetObjectItem(o, "endedAt")) ?
		    ", until " : "", pstr(o, "endedAt"), dur) == 0;
		if (ok && cJSON_IsString(cJSON_GetObjectItem(c, "code")))
			ok = buf_printf(&b, "Cause:    %s: %s\n",
			    pstr(c, "code"), pstr(c, "message")) == 0;
	}
	if (ok && cJSON_IsObject(l))
		ok = buf_printf(&b, "Location: %s (%s)\nLast seen: %s\n",
		    pstr(l, "name"), pstr(l, "id"), pstr(l, "lastSeenAt")) == 0;
	if (ok && cJSON_IsString(cJSON_GetObjectItem(pl, "sslExpiresAt")))
		ok = buf_printf(&b, "Expires:  %s\n",
		    pstr(pl, "sslExpiresAt")) == 0;
	if (ok)
		ok = buf_printf(&b, "\nNotification %s for the channel \"%s\" "
		    "(%s).\n-- \nuptime, %s\n", d->n.id, d->c.name, d->c.id,
		    cfg.public_url) == 0;
	if (!ok) {
		buf_free(&b);
		return NULL;
	}
	return b.p;
}

/* The PagerDuty Events API v2 body. */
static cJSON *
pagerduty_body(const cJSON *pl, const struct delivery *d)
{
	cJSON		*o = cJSON_CreateObject(), *p;
	const cJSON	*m = cJSON_GetObjectItem(pl, "monitor");
	const char	*outage = cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(pl, "outage"), "id"));
	const char	*action = "trigger", *severity = "critical";
	char		 key[128], summary[1100];

	switch (d->n.event) {
	case NEV_UP:
		action = "resolve";
		/* FALLTHROUGH */
	case NEV_DOWN:
	case NEV_REMINDER:
		if (outage != NULL)
			snprintf(key, sizeof(key), "%s", outage);
		else
			snprintf(key, sizeof(key), "%s:degraded",
			    d->n.monitor_id);
		break;
	case NEV_DEGRADED:
		severity = "warning";
		snprintf(key, sizeof(key), "%s:degraded", d->n.monitor_id);
		break;
	case NEV_SSL_EXPIRING:
		severity = "warning";
		snprintf(key, sizeof(key), "%s:ssl", d->n.monitor_id);
		break;
	case NEV_LOCATION_ONLINE:
		action = "resolve";
		/* FALLTHROUGH */
	case NEV_LOCATION_OFFLINE:
		severity = "warning";
		snprintf(key, sizeof(key), "%s:offline", pstr(
		    cJSON_GetObjectItem(pl, "location"), "id"));
		break;
	default:
		severity = "info";
		snprintf(key, sizeof(key), "%s", d->n.id);
		break;
	}
	cJSON_AddStringToObject(o, "routing_key", pstr(d->c.config,
	    "routingKey"));
	cJSON_AddStringToObject(o, "event_action", action);
	cJSON_AddStringToObject(o, "dedup_key", key);
	if (strcmp(action, "resolve") == 0)
		return o;
	snprintf(summary, sizeof(summary), "%s", pstr(pl, "message"));
	utf8_cut(summary, 1024);
	p = cJSON_AddObjectToObject(o, "payload");
	cJSON_AddStringToObject(p, "summary", summary);
	cJSON_AddStringToObject(p, "source", cJSON_IsObject(m) ?
	    pstr(m, "target") : "uptime");
	cJSON_AddStringToObject(p, "severity", severity);
	cJSON_AddStringToObject(p, "timestamp", pstr(pl, "occurredAt"));
	if (cJSON_IsObject(m))
		cJSON_AddStringToObject(p, "component", pstr(m, "name"));
	cJSON_AddStringToObject(p, "class", pstr(pl, "event"));
	cJSON_AddItemToObject(p, "custom_details", cJSON_Duplicate(pl, 1));
	cJSON_AddStringToObject(o, "client", "uptime");
	return o;
}

static int
cant(struct delivery *d, const char *why)
{
	d->ok = 0;
	d->permanent = 1;
	snprintf(d->error, sizeof(d->error), "%s", why);
	return -1;
}

int
notify_prepare(struct delivery *d)
{
	cJSON		*pl, *o = NULL;
	const cJSON	*h;
	char		 msg[NOTIFY_MAXTEXT], sig[160], *esc;
	const char	*url = NULL, *pfx;
	size_t		 nh = 0, len;
	int		 rc = -1;

	if (!d->c.enabled && d->n.event != NEV_TEST) {
		d->skip = 1;
		return 0;
	}
	if ((pl = cJSON_Parse(d->n.payload)) == NULL)
		return cant(d, "the stored payload cannot be read");
	snprintf(msg, sizeof(msg), "%s", pstr(pl, "message"));
	if (d->c.type == ACH_EMAIL) {
		d->is_mail = 1;
		/* 120 characters in all, the prefix (no control character:
		 * lib/alert.c) and a space first. */
		pfx = cJSON_GetStringValue(cJSON_GetObjectItem(d->c.config,
		    "subjectPrefix"));
		utf8_cut(msg, 120 - (pfx != NULL ? (size_t)utf8_chars(pfx) + 1 :
		    0));
		snprintf(d->subject, sizeof(d->subject), "%.256s%s%.480s",
		    pfx != NULL ? pfx : "", pfx != NULL ? " " : "", msg);
		one_line(d->subject);
		if ((d->text = mail_text(pl, d)) == NULL)
			goto nomem;
		cJSON_Delete(pl);
		return 0;
	}
	if ((d->headers = calloc(PROBE_MAXHEADERS, sizeof(char *))) == NULL)
		goto nomem;
	switch (d->c.type) {
	case ACH_WEBHOOK:
		url = pstr(d->c.config, "url");
		d->body = strdup(d->n.payload);
		break;
	case ACH_SLACK:
		url = pstr(d->c.config, "webhookUrl");
		o = cJSON_CreateObject();
		if ((esc = slack_escape(msg)) == NULL)
			goto nomem;
		cJSON_AddStringToObject(o, "text", esc);
		free(esc);
		if (cJSON_IsString(h = cJSON_GetObjectItem(d->c.config,
		    "channel")))
			cJSON_AddStringToObject(o, "channel", h->valuestring);
		break;
	case ACH_DISCORD:
		url = pstr(d->c.config, "webhookUrl");
		utf8_cut(msg, 2000);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "content", msg);
		cJSON_AddArrayToObject(cJSON_AddObjectToObject(o,
		    "allowed_mentions"), "parse");
		break;
	case ACH_PAGERDUTY:
		url = cfg.pagerduty_url;
		o = pagerduty_body(pl, d);
		break;
	case ACH_TELEGRAM:
		len = strlen(cfg.telegram_url) + strlen(pstr(d->c.config,
		    "botToken")) + 32;
		if ((d->url = malloc(len)) == NULL)
			goto nomem;
		snprintf(d->url, len, "%s/bot%s/sendMessage", cfg.telegram_url,
		    pstr(d->c.config, "botToken"));
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "chat_id", pstr(d->c.config,
		    "chatId"));
		utf8_cut(msg, 4096);
		cJSON_AddStringToObject(o, "text", msg);
		cJSON_AddBoolToObject(o, "disable_web_page_preview", 1);
		break;
	default:
		cJSON_Delete(pl);
		return cant(d, "unknown channel type");
	}
	if (o != NULL) {
		d->body = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		o = NULL;
	}
	if (d->url == NULL && (d->url = strdup(url ? url : "")) == NULL)
		goto nomem;
	if (d->body == NULL)
		goto nomem;
	if (add_header(d, &nh, "Content-Type", "application/json") == -1 ||
	    add_header(d, &nh, "User-Agent", "uptime-notify/1.0") == -1 ||
	    add_header(d, &nh, "Accept", "application/json, */*") == -1)
		goto nomem;
	if (d->c.type == ACH_WEBHOOK) {
		if (add_header(d, &nh, "Uptime-Event", pstr(pl, "event")) ==
		    -1 || add_header(d, &nh, "Uptime-Delivery", d->n.id) == -1)
			goto nomem;
		if (cJSON_IsString(cJSON_GetObjectItem(d->c.config,
		    "secret"))) {
			notify_sign(pstr(d->c.config, "secret"),
			    (long long)(time_now_ms() / 1000), d->body,
			    strlen(d->body), sig, sizeof(sig));
			if (add_header(d, &nh, "Uptime-Signature", sig) == -1)
				goto nomem;
		}
		cJSON_ArrayForEach(h, cJSON_GetObjectItem(d->c.config,
		    "headers"))
			if (cJSON_IsString(h) && add_header(d, &nh, h->string,
			    h->valuestring) == -1)
				goto nomem;
	}
	rc = 0;
	cJSON_Delete(pl);
	return rc;
nomem:
	cJSON_Delete(o);
	cJSON_Delete(pl);
	d->ok = 0;
	snprintf(d->error, sizeof(d->error), "out of memory");
	return -1;
}

void
notify_probe(const struct delivery *d, struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = PROBE_HTTP;
	p->url = d->url;
	p->method = "POST";
	p->headers = (const char *const *)d->headers;
	p->req_body = d->body;
	p->req_bodylen = d->body ? strlen(d->body) : 0;
	p->follow_redirects = 0;
	p->verify_tls = 1;
	p->timeout_ms = NOTIFY_TIMEOUT_MS;
}

void
notify_judge_http(struct delivery *d, const struct probe *p)
{
	char	 snip[201];
	size_t	 i, n = 0;

	d->duration_ms = p->total_ms;
	d->status = p->status_code;
	if (p->failed) {
		d->ok = 0;
		d->permanent = strcmp(p->error_code, "invalid_request") == 0 ||
		    strcmp(p->error_code, "target_refused") == 0;
		snprintf(d->error, sizeof(d->error), "%s: %s", p->error_code,
		    p->error_message);
		return;
	}
	if (p->status_code >= 200 && p->status_code <= 299) {
		d->ok = 1;
		d->error[0] = '\0';
		return;
	}
	/* The start of the answer, as printable ASCII on one line. */
	for (i = 0; p->body != NULL && i < p->bodylen && n < 200; i++)
		snip[n++] = (p->body[i] >= 0x20 && p->body[i] < 0x7f) ?
		    p->body[i] : ' ';
	snip[n] = '\0';
	d->ok = 0;
	d->permanent = p->status_code < 500 && p->status_code != 408 &&
	    p->status_code != 425 && p->status_code != 429;
	snprintf(d->error, sizeof(d->error), "HTTP %ld%s%s", p->status_code,
	    n ? ": " : "", snip);
}

void
notify_mail(struct db *db, struct delivery *d)
{
	struct db_stmt	*st;
	const cJSON	*to;
	struct buf	 errs = { NULL, 0, 0 };
	char		 why[NTF_MAXERROR];
	int64_t		 started = time_now_ms();
	enum mail_status ms;
	unsigned	 all = 0;
	int		 i = 0;

	d->status = 0;
	cJSON_ArrayForEach(to, cJSON_GetObjectItem(d->c.config, "to")) {
		if (i >= 31 || !cJSON_IsString(to))
			break;
		all |= 1u << i;
		if (d->n.delivered_mask & (1u << i)) {
			i++;
			continue;
		}
		ms = mail_deliver(db, d->n.team_id, "alert", d->n.id,
		    to->valuestring, d->subject, d->text);
		if (ms == MAIL_SENT)
			d->n.delivered_mask |= 1u << i;
		else if (ms == MAIL_NOT_CONFIGURED) {
			d->permanent = 1;
			break;
		} else {
			why[0] = '\0';
			if ((st = db_stmt(db, sqls[STMT_MAIL_ERROR])) != NULL) {
				db_bind_text(st, 1, d->n.id);
				db_bind_text(st, 2, to->valuestring);
				if (db_step(st) == DB_ROW)
					db_col_text(st, 0, why, sizeof(why));
				db_reset(st);
			}
			if (buf_printf(&errs, "%s%s: %s", errs.len ? "; " :
			    "", to->valuestring, why[0] ? why :
			    "not accepted") == -1)
				break;
		}
		i++;
	}
	d->ok = !d->permanent && all != 0 &&
	    (d->n.delivered_mask & all) == all;
	snprintf(d->error, sizeof(d->error), "%s", d->ok ? "" :
	    d->permanent ? "mail is not configured on this server "
	    "(UPTIME_SMTP_URL)" : errs.p ? errs.p : "no recipients");
	buf_free(&errs);
	d->duration_ms = (long)(time_now_ms() - started);
}

int
notify_record(struct db *db, struct delivery *d, int64_t now)
{
	struct db_stmt	*st;
	enum ntf_status	 status;
	int64_t		 next = 0;
	long		 attempts = d->n.attempts;
	int		 rc;

	if (d->skip) {
		status = NST_SUPPRESSED;
		snprintf(d->error, sizeof(d->error), "Not sent: the channel "
		    "was disabled before this could be delivered.");
	} else {
		if ((st = db_stmt(db, sqls[STMT_ATTEMPT])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, d->n.id);
		db_bind_int64(st, 2, now);
		if (d->status > 0)
			db_bind_int64(st, 3, d->status);
		db_bind_text(st, 4, d->ok ? NULL : d->error);
		db_bind_int64(st, 5, d->duration_ms > 0 ?
		    d->duration_ms : 0);
		if ((rc = db_exec_stmt(st)) != DB_OK)
			return rc;
		attempts++;
		if (d->ok)
			status = NST_SENT;
		else if (d->permanent || attempts >= NOTIFY_MAX_ATTEMPTS)
			status = NST_FAILED;
		else {
			status = NST_PENDING;
			next = now + notify_backoff(attempts);
		}
	}
	if ((st = db_stmt(db, sqls[STMT_MOVE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, d->n.id);
	db_bind_text(st, 2, ntf_status_names[status]);
	db_bind_int(st, 3, (int)attempts);
	db_bind_time(st, 4, next);
	db_bind_time(st, 5, d->skip ? d->n.last_attempt_at : now);
	db_bind_time(st, 6, status == NST_SENT ? now : 0);
	if (d->status > 0)
		db_bind_int64(st, 7, d->status);
	db_bind_text(st, 8, status == NST_SENT ? NULL : d->error);
	db_bind_int64(st, 9, d->n.delivered_mask);
	db_bind_text(st, 10, d->skip ? "disabled" : NULL);
	return db_exec_stmt(st);
}
