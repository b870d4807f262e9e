/*
 * Alert channels and notifications: definitions, validation, masking,
 * JSON and SQL.  See alert.h and docs/lib/alert.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "alert.h"
#include "base.h"
#include "config.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "mail.h"
#include "monitor.h"
#include "page.h"
#include "ref.h"
#include "target.h"

const char *const ach_type_names[ACH_TYPE__MAX] = {
	"email", "webhook", "slack", "discord", "pagerduty", "telegram"
};

const char *const ach_event_names[AEV__MAX] = {
	"down", "up", "degraded", "sslExpiring", "dnsChanged"
};

const char *const ntf_event_names[NEV__MAX] = {
	"down", "up", "degraded", "ssl_expiring", "reminder", "test",
	"dns_changed", "location_offline", "location_online"
};

const char *const ntf_status_names[NST__MAX] = {
	"pending", "sent", "failed", "suppressed"
};

/* The events' flags (on_...) in enum ach_event's order. */
#define CCOLS "id, team_id, name, type, config, on_down, on_up, " \
	"on_degraded, on_ssl_expiring, on_dns_changed, all_monitors, " \
	"remind_every_minutes, enabled, created_at, updated_at, ref"

enum stmt {
	STMT_INSERT,
	STMT_UPDATE,
	STMT_GET,
	STMT_DELETE,
	STMT_LIST,
	STMT_MON_CLEAR,
	STMT_MON_ADD,
	STMT_MON_LIST,
	STMT_NTF_INSERT,
	STMT_NTF_GET,
	STMT_NTF_LIST,
	STMT_ATTEMPTS,
	STMT_REF_TAKEN,
	STMT_NTF_PENDING,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO channels (" CCOLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?)",
	/* STMT_UPDATE */
	"UPDATE channels SET name = ?3, config = ?4, on_down = ?5, "
	"on_up = ?6, on_degraded = ?7, on_ssl_expiring = ?8, "
	"on_dns_changed = ?9, all_monitors = ?10, "
	"remind_every_minutes = ?11, enabled = ?12, updated_at = ?13 "
	"WHERE team_id = ?1 AND id = ?2",
	/* STMT_GET */
	"SELECT " CCOLS " FROM channels WHERE team_id = ? AND id = ?",
	/* STMT_DELETE */
	"DELETE FROM channels WHERE team_id = ? AND id = ?",
	/* STMT_LIST */
	"SELECT " CCOLS " FROM channels WHERE team_id = ?1"
	" AND (?2 = 0 OR (created_at, id) < (?3, ?4))"
	" ORDER BY created_at DESC, id DESC LIMIT ?5",
	/* STMT_MON_CLEAR */
	"DELETE FROM channel_monitors WHERE channel_id = ?",
	/* STMT_MON_ADD */
	"INSERT INTO channel_monitors (channel_id, monitor_id, position) "
	"VALUES (?, ?, ?)",
	/* STMT_MON_LIST */
	"SELECT monitor_id FROM channel_monitors WHERE channel_id = ? "
	"ORDER BY position",
	/* STMT_NTF_INSERT */
	"INSERT INTO notifications (" NTF_COLS ", payload) VALUES (?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_NTF_GET */
	"SELECT " NTF_COLS " FROM notifications WHERE team_id = ? AND id = ?",
	/* STMT_NTF_LIST */
	"SELECT " NTF_COLS " FROM notifications WHERE team_id = ?1"
	" AND (channel_id = ?2 OR ?2 IS NULL)"
	" AND (monitor_id = ?3 OR ?3 IS NULL)"
	" AND (status = ?4 OR ?4 IS NULL)"
	" AND (event = ?5 OR ?5 IS NULL)"
	" AND (created_at >= ?6 OR ?6 IS NULL)"
	" AND (created_at < ?7 OR ?7 IS NULL)"
	" AND (?8 = 0 OR (created_at, id) < (?9, ?10))"
	" ORDER BY created_at DESC, id DESC LIMIT ?11",
	/* STMT_ATTEMPTS */
	"SELECT at, response_status, error, duration_ms FROM "
	"notification_attempts WHERE notification_id = ? ORDER BY at, id",
	/* STMT_REF_TAKEN: for ref_default. */
	"SELECT 1 FROM channels WHERE team_id = ?1 AND ref = ?2",
	/* STMT_NTF_PENDING: through notifications_due, which holds the
	 * pending ones only (of every team; a handful at any time). */
	"SELECT count(*) FROM notifications INDEXED BY notifications_due "
	"WHERE status = 'pending' AND team_id = ?",
};

/* The PostgreSQL text where the dialects differ (NULL: sqls[i] serves). */
static const char *const pg_sqls[STMT__MAX] = {
	/* STMT_NTF_PENDING: PostgreSQL picks the partial index itself. */
	[STMT_NTF_PENDING] = "SELECT count(*) FROM notifications "
	"WHERE status = 'pending' AND team_id = ?",
};

void
channel_init(struct channel *c, int64_t now)
{
	memset(c, 0, sizeof(*c));
	c->type = ACH_WEBHOOK;
	c->config = cJSON_CreateObject();
	c->events[AEV_DOWN] = 1;
	c->events[AEV_UP] = 1;
	c->events[AEV_DEGRADED] = 0;
	c->events[AEV_SSL_EXPIRING] = 1;
	c->events[AEV_DNS_CHANGED] = 0;
	c->enabled = 1;
	c->created_at = c->updated_at = now;
}

void
channel_free(struct channel *c)
{
	cJSON_Delete(c->config);
	cJSON_Delete(c->monitor_ids);
	c->config = c->monitor_ids = NULL;
}

/* ---- masking ---- */

void
channel_mask(const char *secret, int is_url, char *out, size_t outlen)
{
	CURLU	*u = NULL;
	char	*scheme = NULL, *host = NULL, *port = NULL;
	size_t	 n = strlen(secret);
	char	 tail[5] = "";

	if (n >= 12)
		snprintf(tail, sizeof(tail), "%s", secret + n - 4);
	if (is_url && (u = curl_url()) != NULL &&
	    curl_url_set(u, CURLUPART_URL, secret, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
			port = NULL;
		snprintf(out, outlen, "%s://%.200s%s%s/" ACH_MASK "%s", scheme,
		    host, port ? ":" : "", port ? port : "", tail);
	} else
		snprintf(out, outlen, ACH_MASK "%s", tail);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/* ---- validation of the per-type config ---- */

enum secret_kind {
	SEC_NONE,
	SEC_PLAIN,	/* masked as ACH_MASK + last four */
	SEC_URL,	/* masked keeping scheme and host */
	SEC_HEADERS	/* an object whose values are masked */
};

/*
 * A member of one channel type's config.  dest marks the member that
 * says where deliveries go: the other secret members of its type travel
 * with every request to it.
 */
struct cfield {
	const char	*name;
	enum ach_type	 type;
	int		 required;
	int		 dest;
	enum secret_kind secret;
	cJSON		*(*check)(const cJSON *, const char *,
			    struct verrs *);
};

static cJSON *
fail(struct verrs *v, const char *ptr, const char *detail)
{
	verr_add(v, VERR_INVALID, ptr, "%s", detail);
	return NULL;
}

/* Is every byte of s visible ASCII (no space, no control)? */
static int
visible_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static cJSON *
check_to(const cJSON *val, const char *ptr, struct verrs *v)
{
	const cJSON	*a, *b;
	cJSON		*out;
	char		 addr[MAIL_ADDR_MAX + 1], p[128];
	int		 n, i = 0;

	n = cJSON_IsArray(val) ? cJSON_GetArraySize(val) : 0;
	if (n < 1 || n > ACH_MAXRECIPIENTS)
		return fail(v, ptr, "must be a list of 1 to 10 email "
		    "addresses");
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(a, val) {
		snprintf(p, sizeof(p), "%s/%d", ptr, i);
		if (!cJSON_IsString(a) || mail_addr_normalize(a->valuestring,
		    addr, sizeof(addr)) == -1) {
			cJSON_Delete(out);
			return fail(v, p, "must be an email address such as "
			    "ops@example.com");
		}
		cJSON_ArrayForEach(b, out)
			if (strcmp(b->valuestring, addr) == 0) {
				cJSON_Delete(out);
				return fail(v, p, "repeats an address");
			}
		cJSON_AddItemToArray(out, cJSON_CreateString(addr));
		i++;
	}
	return out;
}

static cJSON *
check_url(const cJSON *val, const char *ptr, struct verrs *v)
{
	char	 err[256];

	/* The same rule as a monitor's url (target_url_check's limit). */
	if (!cJSON_IsString(val) || target_url_acceptable(val->valuestring,
	    cfg.allow_private, err, sizeof(err)) == -1)
		return fail(v, ptr, cJSON_IsString(val) ? err :
		    "must be a string");
	return cJSON_CreateString(val->valuestring);
}

static cJSON *
check_secret(const cJSON *val, const char *ptr, struct verrs *v)
{
	size_t	 n;

	if (!cJSON_IsString(val) || (n = strlen(val->valuestring)) <
	    ACH_MINSECRET || n > ACH_MAXSECRET ||
	    !visible_ascii(val->valuestring))
		return fail(v, ptr, "must be 16 to 256 visible ASCII "
		    "characters, or null for unsigned deliveries");
	return cJSON_CreateString(val->valuestring);
}

/* Headers the notifier sets itself. */
static int
reserved_header(const char *name)
{
	static const char *const names[] = { "Content-Type", "Content-Length",
	    "Host", "Transfer-Encoding", "Connection", "Expect",
	    "Uptime-Signature", "Uptime-Event", "Uptime-Delivery", NULL };
	size_t	 i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(names[i], name) == 0)
			return 1;
	return 0;
}

static cJSON *
check_headers(const cJSON *val, const char *ptr, struct verrs *v)
{
	const cJSON		*h;
	const unsigned char	*s;
	size_t			 n = 0;

	if (!cJSON_IsObject(val))
		return fail(v, ptr, "must be an object of header names and "
		    "values, or null");
	cJSON_ArrayForEach(h, val) {
		if (++n > ACH_MAXHEADERS)
			return fail(v, ptr, "at most 16 headers");
		if (h->string[0] == '\0' || strlen(h->string) >
		    ACH_MAXHEADERNAME || strspn(h->string,
		    "!#$%&'*+-.^_`|~0123456789"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
		    strlen(h->string))
			return fail(v, ptr, "header names must be HTTP tokens "
			    "of at most 128 characters");
		if (reserved_header(h->string))
			return fail(v, ptr, "Content-Type, Content-Length, "
			    "Host, Transfer-Encoding, Connection, Expect and "
			    "Uptime-* headers are set by the notifier");
		if (!cJSON_IsString(h) || strlen(h->valuestring) >
		    ACH_MAXHEADERVALUE)
			return fail(v, ptr, "header values must be strings "
			    "of at most 1024 bytes");
		for (s = (const unsigned char *)h->valuestring; *s; s++)
			if ((*s < 0x20 && *s != '\t') || *s == 0x7f)
				return fail(v, ptr, "header values must not "
				    "contain CR, LF or control characters");
	}
	return cJSON_Duplicate(val, 1);
}

static cJSON *
check_routing(const cJSON *val, const char *ptr, struct verrs *v)
{
	size_t	 n;

	if (!cJSON_IsString(val) || (n = strlen(val->valuestring)) < 1 ||
	    n > ACH_MAXROUTINGKEY || strspn(val->valuestring,
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "-_") != n)
		return fail(v, ptr, "must be a PagerDuty routing key: 1 to 128 "
		    "letters, digits, - or _");
	return cJSON_CreateString(val->valuestring);
}

/* A Telegram bot token: "<bot id>:<secret>", e.g. "123456:ABC-DEF...". */
static cJSON *
check_bot(const cJSON *val, const char *ptr, struct verrs *v)
{
	const char	*s, *colon;
	size_t		 id, rest;

	if (!cJSON_IsString(val))
		return fail(v, ptr, "must be a string");
	s = val->valuestring;
	colon = strchr(s, ':');
	id = colon ? (size_t)(colon - s) : 0;
	rest = colon ? strlen(colon + 1) : 0;
	if (colon == NULL || id < 1 || id > 20 || strspn(s, "0123456789") !=
	    id || rest < 20 || rest > 100 || strspn(colon + 1,
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "-_") != rest)
		return fail(v, ptr, "must be a Telegram bot token such as "
		    "\"123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11\"");
	return cJSON_CreateString(s);
}

/* A chat id: a number (maybe negative) or "@channelusername". */
static cJSON *
check_chat(const cJSON *val, const char *ptr, struct verrs *v)
{
	char		 num[32];
	const char	*s;
	size_t		 n;

	/* The range first: casting a double out of long long's range is
	 * undefined. */
	if (cJSON_IsNumber(val) && val->valuedouble > -1e15 &&
	    val->valuedouble < 1e15 && val->valuedouble ==
	    (double)(long long)val->valuedouble) {
		snprintf(num, sizeof(num), "%lld", (long long)val->valuedouble);
		return cJSON_CreateString(num);
	}
	if (!cJSON_IsString(val))
		goto bad;
	s = val->valuestring;
	n = strlen(s);
	if (n >= 1 && n <= 21 && strspn(s + (*s == '-'), "0123456789") ==
	    n - (*s == '-') && n - (*s == '-') >= 1)
		return cJSON_CreateString(s);
	if (n >= 6 && n <= 33 && *s == '@' && strspn(s + 1,
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "_") == n - 1)
		return cJSON_CreateString(s);
bad:
	return fail(v, ptr, "must be a Telegram chat id (a number such as "
	    "-1001234567890) or a channel name such as \"@ops_alerts\"");
}

/*
 * An email subject's prefix, such as "[uptime]": 1 to
 * ACH_MAXSUBJECTPREFIX characters of UTF-8 with no control character
 * (so no CR or LF: it goes into a header line).
 */
static cJSON *
check_subject_prefix(const cJSON *val, const char *ptr, struct verrs *v)
{
	const unsigned char	*p;
	long			 n;

	if (!cJSON_IsString(val) || (n = utf8_chars(val->valuestring)) < 1 ||
	    n > ACH_MAXSUBJECTPREFIX)
		return fail(v, ptr, "must be 1 to 64 characters, such as "
		    "\"[uptime]\", or null for none");
	for (p = (const unsigned char *)val->valuestring; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return fail(v, ptr, "must not contain CR, LF, tabs or "
			    "other control characters");
	return cJSON_CreateString(val->valuestring);
}

/*
 * The Slack channel a delivery asks for, over the webhook's own: a name
 * "#ops-alerts" (lower-case letters, digits, -, _ and ., as Slack names
 * channels) or a conversation id ("C0123ABCD", "G…", "D…": an upper-case
 * letter and 8 to 20 upper-case letters and digits), at most
 * ACH_MAXSLACKCHANNEL bytes.
 */
static cJSON *
check_slack_channel(const cJSON *val, const char *ptr, struct verrs *v)
{
	const char	*s;
	size_t		 n;

	if (!cJSON_IsString(val))
		goto bad;
	s = val->valuestring;
	n = strlen(s);
	if (n >= 2 && n <= ACH_MAXSLACKCHANNEL && s[0] == '#' &&
	    strspn(s + 1, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n - 1)
		return cJSON_CreateString(s);
	if (n >= 9 && n <= 21 && strchr("CGD", s[0]) != NULL &&
	    strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n - 1)
		return cJSON_CreateString(s);
bad:
	return fail(v, ptr, "must be a channel name such as \"#ops-alerts\" "
	    "(lower-case letters, digits, -, _ and ., at most 80 "
	    "characters) or a channel id such as \"C0123ABCD\", or null for "
	    "the webhook's own channel");
}

/*
 * PagerDuty and Telegram deliveries go to the operator's
 * UPTIME_PAGERDUTY_URL and UPTIME_TELEGRAM_URL, never to an address of
 * the channel's: a chatId picks a chat, not where the token is sent.
 */
static const struct cfield cfields[] = {
	{ "to", ACH_EMAIL, 1, 0, SEC_NONE, check_to },
	{ "subjectPrefix", ACH_EMAIL, 0, 0, SEC_NONE, check_subject_prefix },
	{ "url", ACH_WEBHOOK, 1, 1, SEC_NONE, check_url },
	{ "secret", ACH_WEBHOOK, 0, 0, SEC_PLAIN, check_secret },
	{ "headers", ACH_WEBHOOK, 0, 0, SEC_HEADERS, check_headers },
	{ "webhookUrl", ACH_SLACK, 1, 1, SEC_URL, check_url },
	{ "channel", ACH_SLACK, 0, 0, SEC_NONE, check_slack_channel },
	{ "webhookUrl", ACH_DISCORD, 1, 1, SEC_URL, check_url },
	{ "routingKey", ACH_PAGERDUTY, 1, 0, SEC_PLAIN, check_routing },
	{ "botToken", ACH_TELEGRAM, 1, 0, SEC_PLAIN, check_bot },
	{ "chatId", ACH_TELEGRAM, 1, 0, SEC_NONE, check_chat },
	{ NULL, 0, 0, 0, SEC_NONE, NULL }
};

static const struct cfield *
cfield_find(enum ach_type t, const char *name)
{
	const struct cfield	*f;

	for (f = cfields; f->name != NULL; f++)
		if (f->type == t && strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Is val the masked form of the stored value (sent back unchanged)? */
static int
is_masked_echo(const cJSON *val, const cJSON *stored, int is_url)
{
	char	 m[600];

	if (!cJSON_IsString(val) || !cJSON_IsString(stored))
		return 0;
	channel_mask(stored->valuestring, is_url, m, sizeof(m));
	return strcmp(m, val->valuestring) == 0;
}

/*
 * Headers sent back masked keep their stored values: a header whose
 * value is the masked form of the stored value of the same name.
 */
static cJSON *
unmask_headers(const cJSON *val, const cJSON *stored)
{
	cJSON	*out = cJSON_Duplicate(val, 1), *h, *old;

	if (out == NULL || !cJSON_IsObject(out))
		return out;
	cJSON_ArrayForEach(h, out)
		if ((old = cJSON_GetObjectItem(stored, h->string)) != NULL &&
		    is_masked_echo(h, old, 0))
			cJSON_SetValuestring(h, old->valuestring);
	return out;
}

/*
 * Does the PATCH body given send deliveries somewhere else: a dest
 * member whose new value differs from the stored one (a URL sent back
 * masked is the same)?
 */
static int
dest_moves(enum ach_type t, const cJSON *given, const cJSON *config)
{
	const struct cfield	*f;
	const cJSON		*val, *stored;

	for (f = cfields; f->name != NULL; f++) {
		if (f->type != t || !f->dest)
			continue;
		val = cJSON_GetObjectItemCaseSensitive(given, f->name);
		stored = cJSON_GetObjectItemCaseSensitive(config, f->name);
		if (cJSON_IsString(val) && cJSON_IsString(stored) &&
		    strcmp(val->valuestring, stored->valuestring) != 0 &&
		    !(f->secret == SEC_URL && is_masked_echo(val, stored, 1)))
			return 1;
	}
	return 0;
}

/*
 * The member of val sent back in its masked form: f's name, or for
 * headers the name of the first header whose value is the masked stored
 * one; NULL when none is.
 */
static const char *
masked_member(const struct cfield *f, const cJSON *val, const cJSON *stored)
{
	const cJSON	*h, *old;

	if (f->secret != SEC_HEADERS)
		return is_masked_echo(val, stored, f->secret == SEC_URL) ?
		    f->name : NULL;
	cJSON_ArrayForEach(h, val)
		if ((old = cJSON_GetObjectItem(stored, h->string)) != NULL &&
		    is_masked_echo(h, old, 0))
			return h->string;
	return NULL;
}

static void
set_member(cJSON *o, const char *name, cJSON *val)
{
	if (cJSON_GetObjectItemCaseSensitive(o, name) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(o, name, val);
	else
		cJSON_AddItemToObject(o, name, val);
}

/*
 * Validate the config object given (all of it on create, a merge into
 * the stored one on PATCH) into c->config.  When a PATCH moves the
 * destination (dest_moves), the stored secrets of the type are not
 * carried over: they reach the new address only when the same body
 * gives them in full, and a masked one there is an error.
 */
static void
apply_config(struct channel *c, const cJSON *given, int creating,
    struct verrs *v)
{
	const struct cfield	*f;
	const cJSON		*m, *val, *stored;
	cJSON			*merged, *norm, *tmp;
	const char		*h;
	char			 ptr[160];
	int			 moved;

	if (!cJSON_IsObject(given)) {
		verr_add(v, VERR_INVALID, "/config", "must be an object with "
		    "the settings of a %s channel", ach_type_names[c->type]);
		return;
	}
	cJSON_ArrayForEach(m, given)
		if (cfield_find(c->type, m->string) == NULL) {
			snprintf(ptr, sizeof(ptr), "/config/%.100s", m->string);
			verr_add(v, VERR_UNKNOWN, ptr, "not a setting of %s "
			    "channels", ach_type_names[c->type]);
		}
	merged = creating ? cJSON_CreateObject() :
	    cJSON_Duplicate(c->config, 1);
	if (merged == NULL)
		return;
	moved = !creating && dest_moves(c->type, given, c->config);
	for (f = cfields; f->name != NULL; f++) {
		if (f->type != c->type)
			continue;
		snprintf(ptr, sizeof(ptr), "/config/%s", f->name);
		val = cJSON_GetObjectItemCaseSensitive(given, f->name);
		stored = cJSON_GetObjectItemCaseSensitive(c->config, f->name);
		if (moved && !f->dest && f->secret != SEC_NONE) {
			/* Not carried over to the new address. */
			cJSON_DeleteItemFromObjectCaseSensitive(merged,
			    f->name);
			if (val != NULL && (h = masked_member(f, val,
			    stored)) != NULL) {
				verr_add(v, VERR_INVALID, ptr, "the address "
				    "changes, so the stored %s%s is not sent "
				    "to it: give it again in full, or null",
				    f->secret == SEC_HEADERS ? "header " : "",
				    h);
				continue;
			}
			stored = NULL;
		}
		if (val == NULL) {
			if (f->required && cJSON_GetObjectItemCaseSensitive(
			    merged, f->name) == NULL)
				verr_add(v, VERR_INVALID, ptr, "required for "
				    "%s channels", ach_type_names[c->type]);
			continue;
		}
		if (cJSON_IsNull(val)) {
			if (f->required)
				verr_add(v, VERR_INVALID, ptr, "required for "
				    "%s channels", ach_type_names[c->type]);
			else
				cJSON_DeleteItemFromObjectCaseSensitive(merged,
				    f->name);
			continue;
		}
		if (!creating && (f->secret == SEC_PLAIN ||
		    f->secret == SEC_URL) && is_masked_echo(val, stored,
		    f->secret == SEC_URL))
			continue;	/* sent back masked: unchanged */
		if (!creating && f->secret == SEC_HEADERS && stored != NULL) {
			tmp = unmask_headers(val, stored);
			norm = f->check(tmp, ptr, v);
			cJSON_Delete(tmp);
		} else
			norm = f->check(val, ptr, v);
		if (norm != NULL)
			set_member(merged, f->name, norm);
	}
	cJSON_Delete(c->config);
	c->config = merged;
}

static void
apply_events(struct channel *c, const cJSON *val, struct verrs *v)
{
	const cJSON	*m;
	char		 ptr[160];
	int		 i;

	if (!cJSON_IsObject(val)) {
		verr_add(v, VERR_INVALID, "/events", "must be an object such "
		    "as {\"down\": true, \"up\": true, \"degraded\": false, "
		    "\"sslExpiring\": true, \"dnsChanged\": false}");
		return;
	}
	cJSON_ArrayForEach(m, val) {
		snprintf(ptr, sizeof(ptr), "/events/%.100s", m->string);
		if ((i = str_index(ach_event_names, AEV__MAX, m->string)) ==
		    -1)
			verr_add(v, VERR_UNKNOWN, ptr, "not an event; the "
			    "events are down, up, degraded, sslExpiring and "
			    "dnsChanged");
		else if (!cJSON_IsBool(m))
			verr_add(v, VERR_INVALID, ptr, "must be true or false");
		else
			c->events[i] = cJSON_IsTrue(m);
	}
}

/* monitorIds: null (all monitors) or 1..100 ids of the team's monitors. */
static int
apply_monitors(struct db *db, struct channel *c, const cJSON *val,
    struct verrs *v)
{
	const cJSON	*m, *prev;
	struct monitor	 mon;
	cJSON		*out;
	char		 ptr[64];
	int		 n, i = 0, rc;

	if (cJSON_IsNull(val)) {
		cJSON_Delete(c->monitor_ids);
		c->monitor_ids = NULL;
		return DB_OK;
	}
	n = cJSON_IsArray(val) ? cJSON_GetArraySize(val) : 0;
	if (n < 1 || n > ACH_MAXMONITORS) {
		verr_add(v, VERR_INVALID, "/monitorIds", "must be null (every "
		    "monitor) or a list of 1 to 100 monitor ids");
		return DB_OK;
	}
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(m, val) {
		snprintf(ptr, sizeof(ptr), "/monitorIds/%d", i++);
		if (!cJSON_IsString(m) || !id_valid(m->valuestring, "mon")) {
			verr_add(v, VERR_INVALID, ptr, "must be a monitor id "
			    "(mon_ and 20 letters or digits)");
			continue;
		}
		cJSON_ArrayForEach(prev, out)
			if (strcmp(prev->valuestring, m->valuestring) == 0)
				break;
		if (prev != NULL) {
			verr_add(v, VERR_INVALID, ptr, "repeats %s",
			    m->valuestring);
			continue;
		}
		rc = monitor_get(db, c->team_id, m->valuestring, &mon);
		if (rc == DB_NOTFOUND) {
			verr_add(v, VERR_INVALID, ptr, "no such monitor: %s",
			    m->valuestring);
			continue;
		}
		if (rc != DB_OK) {
			cJSON_Delete(out);
			return rc;
		}
		monitor_free(&mon);
		cJSON_AddItemToArray(out, cJSON_CreateString(m->valuestring));
	}
	cJSON_Delete(c->monitor_ids);
	c->monitor_ids = out;
	return DB_OK;
}

const struct jfield channel_fields[] = {
	{ "name", 0 }, { "type", 0 }, { "config", 0 }, { "events", 0 },
	{ "monitorIds", 0 }, { "remindEveryMinutes", 0 }, { "enabled", 0 },
	{ "id", 1 }, { "createdAt", 1 }, { "updatedAt", 1 },
	{ NULL, 0 }
};

int
channel_apply(struct db *db, struct channel *c, const cJSON *body,
    int creating, struct verrs *v)
{
	const cJSON	*val;
	const char	*s;
	long long	 n;
	int		 t, typeok = 1;

	json_check_fields(body, channel_fields, v);
	if (json_str(body, "name", 1, NAME_MAXCHARS, creating ? JREQ : 0, v,
	    &s, NULL) == 1)
		snprintf(c->name, sizeof(c->name), "%s", s);
	if (json_str(body, "type", 1, 16, creating ? JREQ : 0, v, &s,
	    NULL) == 1) {
		t = str_index(ach_type_names, ACH_TYPE__MAX, s);
		if (t == -1) {
			verr_add(v, VERR_INVALID, "/type", "must be one of "
			    "email, webhook, slack, discord, pagerduty, "
			    "telegram");
			typeok = 0;
		} else if (!creating && t != (int)c->type)
			verr_add(v, VERR_INVALID, "/type", "cannot change; "
			    "create a new channel instead");
		else
			c->type = (enum ach_type)t;
	} else if (creating)
		typeok = 0;
	val = cJSON_GetObjectItemCaseSensitive(body, "config");
	if (val != NULL && typeok)
		apply_config(c, val, creating, v);
	else if (val == NULL && creating && typeok)
		verr_add(v, VERR_INVALID, "/config", "required: the settings "
		    "of the %s channel", ach_type_names[c->type]);
	if ((val = cJSON_GetObjectItemCaseSensitive(body, "events")) != NULL)
		apply_events(c, val, v);
	if (json_int(body, "remindEveryMinutes", 0, ACH_MAXREMIND, 0, v, &n,
	    NULL) == 1) {
		if (n != 0 && n < ACH_MINREMIND)
			verr_add(v, VERR_INVALID, "/remindEveryMinutes",
			    "must be 0 (no reminders) or 5 to 1440");
		else
			c->remind_min = (long)n;
	}
	if (json_bool(body, "enabled", 0, v, &t) == 1)
		c->enabled = t;
	if ((val = cJSON_GetObjectItemCaseSensitive(body, "monitorIds")) !=
	    NULL)
		return apply_monitors(db, c, val, v);
	return DB_OK;
}

/* ---- JSON ---- */

static cJSON *
to_json(const struct channel *c, int mask)
{
	const struct cfield	*f;
	cJSON			*o = cJSON_CreateObject();
	cJSON			*cf, *e, *h, *mh;
	const cJSON		*val;
	char			 m[600];
	int			 i;

	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "type", ach_type_names[c->type]);
	cf = cJSON_AddObjectToObject(o, "config");
	for (f = cfields; f->name != NULL; f++) {
		if (f->type != c->type)
			continue;
		val = cJSON_GetObjectItemCaseSensitive(c->config, f->name);
		if (val == NULL) {
			if (f->secret == SEC_HEADERS)
				cJSON_AddObjectToObject(cf, f->name);
			else
				cJSON_AddNullToObject(cf, f->name);
		} else if (!mask)
			cJSON_AddItemToObject(cf, f->name,
			    cJSON_Duplicate(val, 1));
		else if ((f->secret == SEC_PLAIN || f->secret == SEC_URL) &&
		    cJSON_IsString(val)) {
			channel_mask(val->valuestring, f->secret == SEC_URL, m,
			    sizeof(m));
			cJSON_AddStringToObject(cf, f->name, m);
		} else if (f->secret == SEC_HEADERS) {
			mh = cJSON_AddObjectToObject(cf, f->name);
			cJSON_ArrayForEach(h, val)
				if (cJSON_IsString(h)) {
					channel_mask(h->valuestring, 0, m,
					    sizeof(m));
					cJSON_AddStringToObject(mh,
					    h->string, m);
				}
		} else
			cJSON_AddItemToObject(cf, f->name,
			    cJSON_Duplicate(val, 1));
	}
	e = cJSON_AddObjectToObject(o, "events");
	for (i = 0; i < AEV__MAX; i++)
		cJSON_AddBoolToObject(e, ach_event_names[i], c->events[i]);
	if (c->monitor_ids != NULL)
		cJSON_AddItemToObject(o, "monitorIds",
		    cJSON_Duplicate(c->monitor_ids, 1));
	else
		cJSON_AddNullToObject(o, "monitorIds");
	cJSON_AddNumberToObject(o, "remindEveryMinutes", c->remind_min);
	cJSON_AddBoolToObject(o, "enabled", c->enabled);
	json_add_time(o, "createdAt", c->created_at);
	json_add_time(o, "updatedAt", c->updated_at);
	return o;
}

cJSON *
channel_json(const struct channel *c)
{
	return to_json(c, 1);
}

cJSON *
channel_json_clear(const struct channel *c)
{
	return to_json(c, 0);
}

/* ---- SQL: channels ---- */

/* The channel's monitor ids, or NULL when it is for all of them. */
static int
load_monitors(struct db *db, struct channel *c, int all)
{
	struct db_stmt	*st;
	int		 rc;

	cJSON_Delete(c->monitor_ids);
	c->monitor_ids = NULL;
	if (all)
		return DB_OK;
	if ((st = db_stmt(db, sqls[STMT_MON_LIST])) == NULL)
		return DB_ERROR;
	c->monitor_ids = cJSON_CreateArray();
	db_bind_text(st, 1, c->id);
	while ((rc = db_step(st)) == DB_ROW)
		cJSON_AddItemToArray(c->monitor_ids, cJSON_CreateString(
		    db_col_str(st, 0)));
	db_reset(st);
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}

static int
save_monitors(struct db *db, const struct channel *c)
{
	struct db_stmt	*st;
	const cJSON	*m;
	int		 rc, i = 0;

	if ((st = db_stmt(db, sqls[STMT_MON_CLEAR])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, c->id);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	cJSON_ArrayForEach(m, c->monitor_ids) {
		if ((st = db_stmt(db, sqls[STMT_MON_ADD])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, c->id);
		db_bind_text(st, 2, m->valuestring);
		db_bind_int(st, 3, i++);
		if ((rc = db_exec_stmt(st)) != DB_OK)
			return rc;
	}
	return DB_OK;
}

static int
row(struct db_stmt *st, struct channel *c, int *all)
{
	char	 s[32];
	int	 i;

	memset(c, 0, sizeof(*c));
	db_col_text(st, 0, c->id, sizeof(c->id));
	db_col_text(st, 1, c->team_id, sizeof(c->team_id));
	db_col_text(st, 2, c->name, sizeof(c->name));
	db_col_text(st, 3, s, sizeof(s));
	i = str_index(ach_type_names, ACH_TYPE__MAX, s);
	c->type = i == -1 ? ACH_WEBHOOK : (enum ach_type)i;
	c->config = cJSON_Parse(db_col_str(st, 4));
	for (i = 0; i < AEV__MAX; i++)
		c->events[i] = db_col_int(st, 5 + i);
	*all = db_col_int(st, 5 + AEV__MAX);
	c->remind_min = db_col_int(st, 6 + AEV__MAX);
	c->enabled = db_col_int(st, 7 + AEV__MAX);
	c->created_at = db_col_int64(st, 8 + AEV__MAX);
	c->updated_at = db_col_int64(st, 9 + AEV__MAX);
	db_col_text(st, 10 + AEV__MAX, c->ref, sizeof(c->ref));
	if (c->config == NULL)
		return -1;
	return 0;
}

static void
bind_flags(struct db_stmt *st, const struct channel *c, int base)
{
	int	 i;

	for (i = 0; i < AEV__MAX; i++)
		db_bind_int(st, base + i, c->events[i] ? 1 : 0);
	db_bind_int(st, base + AEV__MAX, c->monitor_ids == NULL);
	db_bind_int(st, base + AEV__MAX + 1, (int)c->remind_min);
	db_bind_int(st, base + AEV__MAX + 2, c->enabled ? 1 : 0);
}

int
channel_insert(struct db *db, struct channel *c)
{
	struct db_stmt	*st;
	int		 rc;

	if (c->ref[0] == '\0' && (rc = ref_default(db, sqls[STMT_REF_TAKEN],
	    c->team_id, c->name, "channel", c->ref)) != DB_OK)
		return rc;
	id_new(c->id, "ach");
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, c->id);
	db_bind_text(st, 2, c->team_id);
	db_bind_text(st, 3, c->name);
	db_bind_text(st, 4, ach_type_names[c->type]);
	if (db_bind_json(st, 5, c->config) == -1)
		return DB_ERROR;
	bind_flags(st, c, 6);
	db_bind_int64(st, 9 + AEV__MAX, c->created_at);
	db_bind_int64(st, 10 + AEV__MAX, c->updated_at);
	db_bind_text(st, 11 + AEV__MAX, c->ref);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	return save_monitors(db, c);
}

int
channel_update(struct db *db, struct channel *c)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_UPDATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, c->team_id);
	db_bind_text(st, 2, c->id);
	db_bind_text(st, 3, c->name);
	if (db_bind_json(st, 4, c->config) == -1)
		return DB_ERROR;
	bind_flags(st, c, 5);
	db_bind_int64(st, 8 + AEV__MAX, c->updated_at);
	rc = db_exec_stmt(st);
	if (rc == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	if (rc != DB_OK)
		return rc;
	return save_monitors(db, c);
}

int
channel_delete(struct db *db, const char *team, const char *id)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_DELETE], team, id)) == NULL)
		return DB_ERROR;
	return db_exec_one(st);
}

int
channel_get(struct db *db, const char *team, const char *id,
    struct channel *c)
{
	struct db_stmt	*st;
	int		 rc, all = 1;

	if ((st = db_stmt_ids(db, sqls[STMT_GET], team, id)) == NULL)
		return DB_ERROR;
	if ((rc = db_step(st)) == DB_ROW)
		rc = row(st, c, &all) == 0 ? DB_OK : DB_ERROR;
	else
		rc = rc == DB_DONE ? DB_NOTFOUND : db_rc(rc);
	db_reset(st);
	if (rc == DB_OK && (rc = load_monitors(db, c, all)) != DB_OK)
		channel_free(c);
	return rc;
}

int
channel_list(struct db *db, const char *team, struct lister *l)
{
	struct db_stmt	*st;
	struct channel	*cs;
	int		*all;
	int		 rc = DB_DONE, n = 0, i, limit = l->page->perpage + 1;

	if ((cs = calloc((size_t)limit, sizeof(*cs))) == NULL ||
	    (all = calloc((size_t)limit, sizeof(*all))) == NULL) {
		free(cs);
		return DB_ERROR;
	}
	if ((st = db_stmt(db, sqls[STMT_LIST])) == NULL) {
		rc = DB_ERROR;
		goto out;
	}
	db_bind_text(st, 1, team);
	page_bind(st, 2, l);
	while (n < limit && (rc = db_step(st)) == DB_ROW)
		if (row(st, &cs[n], &all[n]) == 0)
			n++;
		else
			channel_free(&cs[n]);
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		rc = db_rc(rc);
		goto out;
	}
	/* Monitor lists are read once the channel query is done. */
	rc = DB_OK;
	for (i = 0; i < n && rc == DB_OK; i++)
		if ((rc = load_monitors(db, &cs[i], all[i])) != DB_OK)
			break;
		else if (l->visit != NULL)
			rc = page_visit(l, &cs[i], cs[i].created_at,
			    cs[i].id) == -1 ? DB_ERROR : DB_OK;
		else
			page_add(l, channel_json(&cs[i]), cs[i].created_at,
			    cs[i].id);
out:
	for (i = 0; i < n; i++)
		channel_free(&cs[i]);
	free(cs);
	free(all);
	return rc;
}

/* ---- notifications ---- */

void
notification_free(struct notification *n)
{
	free(n->payload);
	n->payload = NULL;
}

cJSON *
notification_json(const struct notification *n)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", n->id);
	cJSON_AddStringToObject(o, "channelId", n->channel_id);
	json_add_str(o, "monitorId", n->monitor_id);
	json_add_str(o, "outageId", n->outage_id);
	cJSON_AddStringToObject(o, "event", ntf_event_names[n->event]);
	cJSON_AddStringToObject(o, "status", ntf_status_names[n->status]);
	json_add_str(o, "suppressedReason", n->reason);
	cJSON_AddNumberToObject(o, "attempts", n->attempts);
	json_add_time(o, "nextAttemptAt", n->status == NST_PENDING ?
	    n->next_attempt_at : 0);
	json_add_time(o, "lastAttemptAt", n->last_attempt_at);
	json_add_time(o, "sentAt", n->sent_at);
	if (n->response_status > 0)
		cJSON_AddNumberToObject(o, "responseStatus",
		    n->response_status);
	else
		cJSON_AddNullToObject(o, "responseStatus");
	json_add_str(o, "error", n->error);
	json_add_time(o, "createdAt", n->created_at);
	return o;
}

int
notification_insert(struct db *db, struct notification *n)
{
	struct db_stmt	*st;

	if (n->id[0] == '\0')
		id_new(n->id, "ntf");
	if ((st = db_stmt(db, sqls[STMT_NTF_INSERT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, n->id);
	db_bind_text(st, 2, n->team_id);
	db_bind_text(st, 3, n->channel_id);
	db_bind_text(st, 4, n->monitor_id[0] ? n->monitor_id : NULL);
	db_bind_text(st, 5, n->outage_id[0] ? n->outage_id : NULL);
	db_bind_text(st, 6, ntf_event_names[n->event]);
	db_bind_text(st, 7, ntf_status_names[n->status]);
	db_bind_text(st, 8, n->reason[0] ? n->reason : NULL);
	db_bind_int(st, 9, (int)n->attempts);
	db_bind_time(st, 10, n->status == NST_PENDING ? n->next_attempt_at :
	    0);
	db_bind_time(st, 11, n->last_attempt_at);
	db_bind_time(st, 12, n->sent_at);
	if (n->response_status > 0)
		db_bind_int64(st, 13, n->response_status);
	db_bind_text(st, 14, n->error[0] ? n->error : NULL);
	db_bind_int64(st, 15, n->delivered_mask);
	db_bind_int64(st, 16, n->created_at);
	db_bind_text(st, 17, n->payload ? n->payload : "{}");
	return db_exec_stmt(st);
}

void
notification_from_row(struct db_stmt *st, struct notification *n)
{
	char	 s[32];
	int	 i;

	memset(n, 0, sizeof(*n));
	db_col_text(st, 0, n->id, sizeof(n->id));
	db_col_text(st, 1, n->team_id, sizeof(n->team_id));
	db_col_text(st, 2, n->channel_id, sizeof(n->channel_id));
	db_col_text(st, 3, n->monitor_id, sizeof(n->monitor_id));
	db_col_text(st, 4, n->outage_id, sizeof(n->outage_id));
	db_col_text(st, 5, s, sizeof(s));
	i = str_index(ntf_event_names, NEV__MAX, s);
	n->event = i == -1 ? NEV_TEST : (enum ntf_event)i;
	db_col_text(st, 6, s, sizeof(s));
	i = str_index(ntf_status_names, NST__MAX, s);
	n->status = i == -1 ? NST_FAILED : (enum ntf_status)i;
	db_col_text(st, 7, n->reason, sizeof(n->reason));
	n->attempts = db_col_int(st, 8);
	n->next_attempt_at = db_col_int64(st, 9);
	n->last_attempt_at = db_col_int64(st, 10);
	n->sent_at = db_col_int64(st, 11);
	n->response_status = db_col_int(st, 12);
	db_col_text(st, 13, n->error, sizeof(n->error));
	n->delivered_mask = (unsigned)db_col_int64(st, 14);
	n->created_at = db_col_int64(st, 15);
}

int
notification_get(struct db *db, const char *team, const char *id,
    struct notification *n)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt_ids(db, sqls[STMT_NTF_GET], team, id)) == NULL)
		return DB_ERROR;
	if ((rc = db_step(st)) == DB_ROW) {
		notification_from_row(st, n);
		rc = DB_OK;
	} else
		rc = rc == DB_DONE ? DB_NOTFOUND : db_rc(rc);
	db_reset(st);
	return rc;
}

static int
notification_row(struct db_stmt *st, struct lister *l)
{
	struct notification	 n;

	notification_from_row(st, &n);
	page_add(l, notification_json(&n), n.created_at, n.id);
	return 0;
}

int
notification_count_pending(struct db *db, const char *team, long long *n)
{
	struct db_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(db, db_sqlv(db, sqls, pg_sqls,
	    STMT_NTF_PENDING))) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, team);
	if ((rc = db_step(st)) == DB_ROW) {
		*n = db_col_int64(st, 0);
		rc = DB_OK;
	} else
		rc = db_rc(rc);
	db_reset(st);
	return rc;
}

int
notification_list(struct db *db, const char *team,
    const struct notification_filter *f, struct lister *l)
{
	return page_rows(db, db_query(db, sqls[STMT_NTF_LIST], "tttttTT", team,
	    f->channel_id, f->monitor_id, f->status >= 0 ?
	    ntf_status_names[f->status] : NULL, f->event >= 0 ?
	    ntf_event_names[f->event] : NULL, f->from, f->to), 8, l,
	    notification_row);
}

int
notification_attempts_json(struct db *db, const char *id, cJSON **out)
{
	struct db_stmt	*st;
	cJSON		*a, *o;
	char		 err[NTF_MAXERROR];
	int		 rc;

	*out = NULL;
	if ((st = db_stmt(db, sqls[STMT_ATTEMPTS])) == NULL)
		return DB_ERROR;
	a = cJSON_CreateArray();
	db_bind_text(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		o = cJSON_CreateObject();
		json_add_time(o, "at", db_col_int64(st, 0));
		if (!db_col_null(st, 1))
			cJSON_AddNumberToObject(o, "responseStatus",
			    db_col_int(st, 1));
		else
			cJSON_AddNullToObject(o, "responseStatus");
		db_col_text(st, 2, err, sizeof(err));
		json_add_str(o, "error", err);
		cJSON_AddNumberToObject(o, "durationMs",
		    db_col_int(st, 3));
		cJSON_AddItemToArray(a, o);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		cJSON_Delete(a);
		return db_rc(rc);
	}
	*out = a;
	return DB_OK;
}
