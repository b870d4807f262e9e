/*
 * Unit tests of lib/notify.c on a fresh database: events into
 * notifications (matching, maintenance, the collapse of a down and up
 * between passes, the flap rule and its catch-up), reminders, the
 * rendering of each channel type, judging answers, and the record of
 * attempts with backoff.  Monitor events and outages are written with
 * SQL, as the checker writes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "uptime.h"
#include "monitor.h"
#include "notify.h"
#include "tmpdb.h"
#include "unit.h"

#define MIN	(60 * 1000LL)

static struct db *db;
static struct team team;
static int	 outages;

static void
sql(const char *fmt, ...)
{
	char	 q[2048], *err = NULL;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db_handle(db), q, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", q, err);
		sqlite3_free(err);
		CHECK(0);
	}
}

static long long
sql_int(const char *fmt, ...)
{
	sqlite3_stmt	*st;
	char		 q[2048];
	long long	 v = -999;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db_handle(db), q, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", q, sqlite3_errmsg(db_handle(db)));
		return v;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
make_monitor(char *out)
{
	CHECK_INT(tmpdb_monitor(db, team.id, out), DB_OK);
}

/* A channel of the team from JSON text; its id into out. */
static void
make_channel(const char *body, char *out)
{
	struct channel	 c;
	struct verrs	 v = { 0 };
	cJSON		*b = cJSON_Parse(body);

	channel_init(&c, 1);
	snprintf(c.team_id, sizeof(c.team_id), "%s", team.id);
	CHECK_INT(channel_apply(db, &c, b, 1, &v), DB_OK);
	CHECK_INT(v.n, 0);
	CHECK_INT(channel_insert(db, &c), DB_OK);
	snprintf(out, ID_MAX, "%s", c.id);
	channel_free(&c);
	cJSON_Delete(b);
}

/* Open an outage of mon at t; its id into out. */
static void
outage(const char *mon, int64_t t, char *out)
{
	snprintf(out, ID_MAX, "out_%020d", ++outages);
	sql("INSERT INTO outages (id, monitor_id, started_at, cause_code, "
	    "cause_message) VALUES ('%s', '%s', %lld, 'unexpected_status', "
	    "'The response status was 500.')", out, mon, (long long)t);
}

static void
event(const char *mon, const char *kind, int64_t t, const char *outage_id,
    int suppressed)
{
	sql("INSERT INTO monitor_events (monitor_id, team_id, kind, at, "
	    "outage_id, suppressed) VALUES ('%s', '%s', '%s', %lld, %s%s%s, %d)",
	    mon, team.id, kind, (long long)t, outage_id ? "'" : "",
	    outage_id ? outage_id : "NULL", outage_id ? "'" : "", suppressed);
}

static struct notify_counts
run_events(int64_t now)
{
	struct notify_counts	 k;

	memset(&k, 0, sizeof(k));
	CHECK_INT(db_begin(db), DB_OK);
	CHECK_INT(notify_events(db, now, 100, &k), DB_OK);
	CHECK_INT(notify_reminders(db, now, &k), DB_OK);
	CHECK_INT(notify_settle(db, now, &k), DB_OK);
	CHECK_INT(db_commit(db), DB_OK);
	return k;
}

/* The status (and reason) of the newest notification of a channel. */
static void
newest(const char *ch, const char *event, char *status, char *reason)
{
	sqlite3_stmt	*st;

	status[0] = reason[0] = '\0';
	if (sqlite3_prepare_v2(db_handle(db), "SELECT status, "
	    "coalesce(reason, '') FROM notifications WHERE channel_id = ? AND "
	    "event = ? ORDER BY created_at DESC, rowid DESC LIMIT 1", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, ch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(status, 32, "%s", sqlite3_column_text(st, 0));
		snprintf(reason, 32, "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
}

static void
setup(void)
{
	db = tmpdb_open("notify");
	if (team_create(db, "Notify", &team) != DB_OK) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	snprintf(cfg.pagerduty_url, sizeof(cfg.pagerduty_url),
	    "https://pd.example.com/v2/enqueue");
	snprintf(cfg.telegram_url, sizeof(cfg.telegram_url),
	    "https://tg.example.com");
	snprintf(cfg.public_url, sizeof(cfg.public_url), "https://up.example");
}

static void
test_sign(void)
{
	char	 out[160];
	const char *body = "{\"a\":1}";

	/* Computed with: printf '%s' '1700000000.{"a":1}' |
	 * openssl dgst -sha256 -hmac whsec_test_secret_0123 */
	notify_sign("whsec_test_secret_0123", 1700000000LL, body,
	    strlen(body), out, sizeof(out));
	CHECK_STR(out, "t=1700000000, v1=b1e06771f9a20c020fc4b9be257996790d6"
	    "15bbe4d030159b6a5669fdada024c");
	notify_sign("whsec_test_secret_0124", 1700000000LL, body,
	    strlen(body), out, sizeof(out));
	CHECK(strstr(out, "b1e06771") == NULL);
}

static void
test_backoff_duration(void)
{
	char	 d[64];

	CHECK_INT(notify_backoff(1), 1 * MIN);
	CHECK_INT(notify_backoff(2), 2 * MIN);
	CHECK_INT(notify_backoff(3), 4 * MIN);
	CHECK_INT(notify_backoff(4), 8 * MIN);
	CHECK_INT(notify_backoff(5), 16 * MIN);
	notify_duration(45, d, sizeof(d));
	CHECK_STR(d, "45s");
	notify_duration(200, d, sizeof(d));
	CHECK_STR(d, "3m 20s");
	notify_duration(3900, d, sizeof(d));
	CHECK_STR(d, "1h 5m");
	notify_duration(2 * 86400 + 3 * 3600 + 59, d, sizeof(d));
	CHECK_STR(d, "2d 3h");
	notify_duration(-5, d, sizeof(d));
	CHECK_STR(d, "0s");
}

static void
test_matching(void)
{
	char	 m1[ID_MAX], m2[ID_MAX], all[ID_MAX], only2[ID_MAX];
	char	 off[ID_MAX], noup[ID_MAX], out[ID_MAX], body[512];
	struct notify_counts k;
	cJSON	*p;
	char	*text;
	sqlite3_stmt *st;

	make_monitor(m1);
	make_monitor(m2);
	make_channel("{\"name\":\"all\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"k\"}}", all);
	snprintf(body, sizeof(body), "{\"name\":\"two\",\"type\":\"pagerduty\","
	    "\"config\":{\"routingKey\":\"k\"},\"monitorIds\":[\"%s\"]}", m2);
	make_channel(body, only2);
	make_channel("{\"name\":\"off\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"k\"},\"enabled\":false}", off);
	make_channel("{\"name\":\"noup\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"k\"},\"events\":{\"up\":false}}", noup);
	outage(m1, 1000, out);
	event(m1, "down", 1000, out, 0);
	k = run_events(5000);
	CHECK_INT(k.events, 1);
	CHECK_INT(k.created, 2);		/* all and noup */
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id IN ('%s', '%s')", only2, off), 0);
	CHECK_INT(sql_int("SELECT count(*) FROM monitor_events WHERE "
	    "processed_at IS NULL"), 0);
	/* The payload. */
	if (sqlite3_prepare_v2(db_handle(db), "SELECT payload FROM "
	    "notifications WHERE channel_id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, all, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			text = (char *)sqlite3_column_text(st, 0);
			p = cJSON_Parse(text);
			CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p,
			    "event")), "down");
			CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetObjectItem(p, "outage"), "id")), out);
			CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetObjectItem(p, "monitor"), "target")),
			    "https://shop.example.com/health");
			CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p,
			    "message")), "DOWN: Shop (https://shop.example.com/"
			    "health): The response status was 500.");
			cJSON_Delete(p);
		} else
			CHECK(0);
		sqlite3_finalize(st);
	}
	/* An up goes to all, not to noup. */
	sql("UPDATE notifications SET status = 'sent' WHERE status = "
	    "'pending'");
	sql("UPDATE outages SET ended_at = 61000 WHERE id = '%s'", out);
	event(m1, "up", 61000, out, 0);
	k = run_events(62000);
	CHECK_INT(k.created, 1);
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id = '%s' AND event = 'up'", noup), 0);
	sql("DELETE FROM channels");
}

static void
test_suppression_and_collapse(void)
{
	char	 m[ID_MAX], ch[ID_MAX], o1[ID_MAX], o2[ID_MAX];
	char	 st[32], why[32];

	make_monitor(m);
	make_channel("{\"name\":\"c\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"k\"}}", ch);
	/* During maintenance: suppressed, and so is the up after it. */
	outage(m, 1000, o1);
	event(m, "down", 1000, o1, 1);
	run_events(2000);
	newest(ch, "down", st, why);
	CHECK_STR(st, "suppressed");
	CHECK_STR(why, "maintenance");
	sql("UPDATE outages SET ended_at = 3000 WHERE id = '%s'", o1);
	event(m, "up", 3000, o1, 0);
	run_events(4000);
	newest(ch, "up", st, why);
	CHECK_STR(st, "suppressed");
	CHECK_STR(why, "unnotified");
	/* A down and its up in one pass: neither goes out. */
	outage(m, 10000, o2);
	event(m, "down", 10000, o2, 0);
	event(m, "up", 11000, o2, 0);
	run_events(12000);
	newest(ch, "down", st, why);
	CHECK_STR(st, "suppressed");
	CHECK_STR(why, "recovered");
	newest(ch, "up", st, why);
	CHECK_STR(st, "suppressed");
	CHECK_STR(why, "unnotified");
	/* An ssl_expiring carries its date. */
	event(m, "ssl_expiring", 20000, NULL, 0);
	sql("UPDATE monitor_events SET detail = '1900000000000' WHERE kind = "
	    "'ssl_expiring'");
	run_events(21000);
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id = '%s' AND event = 'ssl_expiring' AND payload LIKE "
	    "'%%2030-03-17%%'", ch), 1);
	sql("DELETE FROM channels");
}

static void
test_flap(void)
{
	char		 m[ID_MAX], ch[ID_MAX], o[ID_MAX], st[32], why[32];
	const char	*seq[] = { "down", "up", "down", "up", "down", "up",
	    "down" };
	struct notify_counts k;
	int64_t		 t = 100000;
	size_t		 i;

	make_monitor(m);
	make_channel("{\"name\":\"f\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"k\"}}", ch);
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++, t += 1000) {
		if (strcmp(seq[i], "down") == 0)
			outage(m, t, o);
		else
			sql("UPDATE outages SET ended_at = %lld WHERE id = '%s'",
			    (long long)t, o);
		event(m, seq[i], t, o, 0);
		run_events(t + 500);
		/* Delivered before the next event, as a running notifier. */
		sql("UPDATE notifications SET status = 'sent' WHERE status = "
		    "'pending'");
	}
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id = '%s' AND status = 'sent'", ch), 4);
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id = '%s' AND reason = 'flapping'", ch), 2);
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id = '%s' AND reason = 'unnotified'", ch), 1);
	/* Not quiet yet. */
	k = run_events(t + NOTIFY_FLAP_WINDOW_MS - 10000);
	CHECK_INT(k.settled, 0);
	/* Quiet: the latest state (down) differs from the last sent (up). */
	k = run_events(t + NOTIFY_FLAP_WINDOW_MS + 1000);
	CHECK_INT(k.settled, 1);
	newest(ch, "down", st, why);
	CHECK_STR(st, "pending");
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id = '%s' AND status = 'pending' AND outage_id = '%s' AND "
	    "json_extract(payload, '$.afterFlapping') = 1", ch, o), 1);
	k = run_events(t + NOTIFY_FLAP_WINDOW_MS + 2000);
	CHECK_INT(k.settled, 0);
	sql("DELETE FROM channels");
}

static void
test_reminders(void)
{
	char	 m[ID_MAX], ch[ID_MAX], quiet[ID_MAX], o[ID_MAX], body[512];
	struct notify_counts k;
	int64_t	 t0 = 1000000;

	make_monitor(m);
	snprintf(body, sizeof(body), "{\"name\":\"r\",\"type\":\"pagerduty\","
	    "\"config\":{\"routingKey\":\"k\"},\"remindEveryMinutes\":5,"
	    "\"monitorIds\":[\"%s\"]}", m);
	make_channel(body, ch);
	snprintf(body, sizeof(body), "{\"name\":\"q\",\"type\":\"pagerduty\","
	    "\"config\":{\"routingKey\":\"k\"},\"monitorIds\":[\"%s\"]}", m);
	make_channel(body, quiet);
	outage(m, t0, o);
	sql("UPDATE monitors SET status = 'down' WHERE id = '%s'", m);
	event(m, "down", t0, o, 0);
	k = run_events(t0 + 1000);
	CHECK_INT(k.reminders, 0);
	k = run_events(t0 + 1000 + 4 * MIN);
	CHECK_INT(k.reminders, 0);
	k = run_events(t0 + 1000 + 5 * MIN);
	CHECK_INT(k.reminders, 1);
	k = run_events(t0 + 1000 + 6 * MIN);
	CHECK_INT(k.reminders, 0);
	k = run_events(t0 + 1000 + 10 * MIN);
	CHECK_INT(k.reminders, 1);
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id = '%s' AND event = 'reminder' AND outage_id = '%s'",
	    ch, o), 2);
	CHECK_INT(sql_int("SELECT count(*) FROM notifications WHERE "
	    "channel_id = '%s' AND event = 'reminder'", quiet), 0);
	/* Up again: no more. */
	sql("UPDATE outages SET ended_at = %lld WHERE id = '%s'",
	    (long long)(t0 + 11 * MIN), o);
	sql("UPDATE monitors SET status = 'up' WHERE id = '%s'", m);
	k = run_events(t0 + 30 * MIN);
	CHECK_INT(k.reminders, 0);
	sql("DELETE FROM channels");
}

/* A delivery of a channel made from body, for event, with an outage. */
static void
delivery(struct delivery *d, const char *body, enum ntf_event ev,
    const char *payload)
{
	char	 id[ID_MAX];

	memset(d, 0, sizeof(*d));
	make_channel(body, id);
	CHECK_INT(channel_get(db, team.id, id, &d->c), DB_OK);
	snprintf(d->n.id, sizeof(d->n.id), "ntf_%020d", 1);
	snprintf(d->n.team_id, sizeof(d->n.team_id), "%s", team.id);
	snprintf(d->n.channel_id, sizeof(d->n.channel_id), "%s", id);
	snprintf(d->n.monitor_id, sizeof(d->n.monitor_id), "mon_%020d", 7);
	d->n.event = ev;
	d->n.payload = strdup(payload);
}

/* Release a delivery (notify_free_all takes an array it frees). */
static void
done(struct delivery *d)
{
	struct delivery	*x;

	if ((x = malloc(sizeof(*x))) == NULL)
		return;
	*x = *d;
	notify_free_all(x, 1);
	memset(d, 0, sizeof(*d));
}

static const char *
hdr(const struct delivery *d, const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; d->headers && d->headers[i]; i++)
		if (strncasecmp(d->headers[i], name, n) == 0 &&
		    d->headers[i][n] == ':')
			return d->headers[i] + n + 2;
	return NULL;
}

static void
test_render(void)
{
	static const char *pl = "{\"id\":\"ntf_00000000000000000001\","
	    "\"event\":\"down\",\"occurredAt\":\"2026-01-01T00:00:00.000Z\","
	    "\"message\":\"DOWN: A <b> & c\",\"monitor\":{\"id\":\"mon_x\","
	    "\"name\":\"A <b>\",\"type\":\"http\",\"target\":\"https://a.ex/\"},"
	    "\"outage\":{\"id\":\"out_00000000000000000042\",\"startedAt\":"
	    "\"2026-01-01T00:00:00.000Z\",\"endedAt\":null,\"durationSeconds\":"
	    "5,\"cause\":{\"code\":\"timeout\",\"message\":\"slow\"}}}";
	struct delivery	 d;
	char		 want[160];
	cJSON		*b;

	delivery(&d, "{\"name\":\"w\",\"type\":\"webhook\",\"config\":{\"url\":"
	    "\"https://h.example.com/x\",\"secret\":\"0123456789abcdefWXYZ\","
	    "\"headers\":{\"X-Team\":\"blue\"}}}", NEV_DOWN, pl);
	CHECK_INT(notify_prepare(&d), 0);
	CHECK_STR(d.url, "https://h.example.com/x");
	CHECK_STR(d.body, pl);
	CHECK_STR(hdr(&d, "X-Team"), "blue");
	CHECK_STR(hdr(&d, "Uptime-Event"), "down");
	CHECK_STR(hdr(&d, "Uptime-Delivery"), "ntf_00000000000000000001");
	CHECK(hdr(&d, "Uptime-Signature") != NULL);
	if (hdr(&d, "Uptime-Signature") != NULL) {
		notify_sign("0123456789abcdefWXYZ", strtoll(hdr(&d,
		    "Uptime-Signature") + 2, NULL, 10), pl, strlen(pl), want,
		    sizeof(want));
		CHECK_STR(hdr(&d, "Uptime-Signature"), want);
	}
	done(&d);

	delivery(&d, "{\"name\":\"s\",\"type\":\"slack\",\"config\":"
	    "{\"webhookUrl\":\"https://hooks.slack.com/s\"}}", NEV_DOWN, pl);
	CHECK_INT(notify_prepare(&d), 0);
	CHECK_STR(d.body, "{\"text\":\"DOWN: A &lt;b&gt; &amp; c\"}");
	CHECK(hdr(&d, "Uptime-Signature") == NULL);
	done(&d);

	delivery(&d, "{\"name\":\"d\",\"type\":\"discord\",\"config\":"
	    "{\"webhookUrl\":\"https://discord.com/api/webhooks/1/x\"}}",
	    NEV_DOWN, pl);
	CHECK_INT(notify_prepare(&d), 0);
	CHECK_STR(d.body, "{\"content\":\"DOWN: A <b> & c\","
	    "\"allowed_mentions\":{\"parse\":[]}}");
	done(&d);

	delivery(&d, "{\"name\":\"p\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"RK1\"}}", NEV_DOWN, pl);
	CHECK_INT(notify_prepare(&d), 0);
	CHECK_STR(d.url, "https://pd.example.com/v2/enqueue");
	b = cJSON_Parse(d.body);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(b, "event_action")),
	    "trigger");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(b, "dedup_key")),
	    "out_00000000000000000042");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(b, "payload"), "severity")), "critical");
	cJSON_Delete(b);
	done(&d);
	delivery(&d, "{\"name\":\"p\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"RK1\"}}", NEV_UP, pl);
	CHECK_INT(notify_prepare(&d), 0);
	CHECK_STR(d.body, "{\"routing_key\":\"RK1\",\"event_action\":"
	    "\"resolve\",\"dedup_key\":\"out_00000000000000000042\"}");
	done(&d);

	delivery(&d, "{\"name\":\"t\",\"type\":\"telegram\",\"config\":"
	    "{\"botToken\":\"123456:ABCdefGHIjklMNOpqrSTUvwx\",\"chatId\":"
	    "\"-100\"}}", NEV_DOWN, pl);
	CHECK_INT(notify_prepare(&d), 0);
	CHECK_STR(d.url, "https://tg.example.com/bot123456:ABCdefGHIjklMNOpqr"
	    "STUvwx/sendMessage");
	CHECK_STR(d.body, "{\"chat_id\":\"-100\",\"text\":\"DOWN: A <b> & c\","
	    "\"disable_web_page_preview\":true}");
	done(&d);

	delivery(&d, "{\"name\":\"e\",\"type\":\"email\",\"config\":"
	    "{\"to\":[\"a@example.com\"]}}", NEV_DOWN, pl);
	CHECK_INT(notify_prepare(&d), 0);
	CHECK_INT(d.is_mail, 1);
	CHECK_STR(d.subject, "DOWN: A <b> & c");
	CHECK(strstr(d.text, "Outage:   out_00000000000000000042") != NULL);
	CHECK(strstr(d.text, "Cause:    timeout: slow") != NULL);
	done(&d);
	sql("DELETE FROM channels");
}

static void
test_judge(void)
{
	static const struct {
		int		 failed;
		const char	*code;
		long		 status;
		int		 ok, permanent;
	} cases[] = {
		{ 0, "", 200, 1, 0 }, { 0, "", 202, 1, 0 },
		{ 0, "", 500, 0, 0 }, { 0, "", 503, 0, 0 },
		{ 0, "", 429, 0, 0 }, { 0, "", 408, 0, 0 },
		{ 0, "", 404, 0, 1 }, { 0, "", 400, 0, 1 },
		{ 0, "", 301, 0, 1 },
		{ 1, "connect_failed", 0, 0, 0 }, { 1, "timeout", 0, 0, 0 },
		{ 1, "target_refused", 0, 0, 1 },
		{ 1, "invalid_request", 0, 0, 1 },
	};
	struct delivery	 d;
	struct probe	 p;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&d, 0, sizeof(d));
		memset(&p, 0, sizeof(p));
		p.failed = cases[i].failed;
		snprintf(p.error_code, sizeof(p.error_code), "%s",
		    cases[i].code);
		p.status_code = cases[i].status;
		p.body = (char *)"{\"error\":\"x\"}\n";
		p.bodylen = strlen(p.body);
		notify_judge_http(&d, &p);
		if (d.ok != cases[i].ok || d.permanent != cases[i].permanent) {
			fprintf(stderr, "case %zu: ok %d permanent %d\n", i,
			    d.ok, d.permanent);
			CHECK(0);
		}
	}
	memset(&p, 0, sizeof(p));
	p.status_code = 500;
	p.body = (char *)"line one\nline two";
	p.bodylen = strlen(p.body);
	notify_judge_http(&d, &p);
	CHECK_STR(d.error, "HTTP 500: line one line two");
}

static void
test_record(void)
{
	struct delivery	*ds;
	struct notification n;
	char		 ch[ID_MAX];
	size_t		 nd, i;
	int64_t		 t = 5000000;

	make_channel("{\"name\":\"rec\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"k\"}}", ch);
	memset(&n, 0, sizeof(n));
	snprintf(n.team_id, sizeof(n.team_id), "%s", team.id);
	snprintf(n.channel_id, sizeof(n.channel_id), "%s", ch);
	n.event = NEV_TEST;
	n.status = NST_PENDING;
	n.created_at = n.next_attempt_at = t;
	n.payload = strdup("{\"message\":\"TEST\"}");
	CHECK_INT(notification_insert(db, &n), DB_OK);
	for (i = 0; i < NOTIFY_MAX_ATTEMPTS; i++) {
		CHECK_INT(db_begin(db), DB_OK);
		CHECK_INT(notify_due(db, t, 10, &ds, &nd), DB_OK);
		CHECK_INT(nd, 1);
		if (nd == 1) {
			ds[0].ok = 0;
			ds[0].status = 503;
			snprintf(ds[0].error, sizeof(ds[0].error), "HTTP 503");
			CHECK_INT(notify_record(db, &ds[0], t), DB_OK);
		}
		notify_free_all(ds, nd);
		CHECK_INT(db_commit(db), DB_OK);
		/* Leased: not due again at the same time. */
		CHECK_INT(db_begin(db), DB_OK);
		CHECK_INT(notify_due(db, t, 10, &ds, &nd), DB_OK);
		CHECK_INT(nd, 0);
		notify_free_all(ds, nd);
		db_rollback(db);
		if (i + 1 < NOTIFY_MAX_ATTEMPTS) {
			CHECK_INT(sql_int("SELECT next_attempt_at FROM "
			    "notifications WHERE id = '%s'", n.id),
			    t + notify_backoff((long)i + 1));
			t += notify_backoff((long)i + 1);
		}
	}
	CHECK_INT(sql_int("SELECT status = 'failed' AND attempts = 6 AND "
	    "next_attempt_at IS NULL FROM notifications WHERE id = '%s'", n.id),
	    1);
	CHECK_INT(sql_int("SELECT count(*) FROM notification_attempts WHERE "
	    "notification_id = '%s' AND response_status = 503", n.id), 6);
	notification_free(&n);
	sql("DELETE FROM channels");
}

int
main(void)
{
	if (sodium_init() == -1 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	setup();
	UNIT_RUN(test_sign);
	UNIT_RUN(test_backoff_duration);
	UNIT_RUN(test_matching);
	UNIT_RUN(test_suppression_and_collapse);
	UNIT_RUN(test_flap);
	UNIT_RUN(test_reminders);
	UNIT_RUN(test_render);
	UNIT_RUN(test_judge);
	UNIT_RUN(test_record);
	tmpdb_close(db);
	curl_global_cleanup();
	return unit_finish();
}
