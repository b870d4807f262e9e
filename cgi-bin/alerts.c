/*
 * alerts.fcgi: alert channels and the notifications made for them.
 * Delivery is cron/uptime-notify's work; this program only records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "uptime.h"
#include "alert.h"
#include "limit.h"
#include "notify.h"

/* The channel named in the path, for this team; answers 404 itself. */
static int
load(struct req *r, struct channel *c)
{
	int	 rc;

	if ((rc = channel_get(r->db, r->key->team_id, r->args[0], c)) !=
	    DB_OK) {
		resp_db(r, rc);
		return -1;
	}
	return 0;
}

/*
 * GET /v1/alert-channels?perPage&cursor
 * Scope alerts:read.  200 with a page of channels, newest first; 400.
 */
static int
channels_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	return list_answer(r, &l, channel_list(r->db, r->key->team_id, &l));
}

/*
 * POST /v1/alert-channels
 * Scope alerts:write.  201 with the channel (secrets masked), Location;
 * 400; 409 limit_exceeded (UPTIME_MAX_ALERT_CHANNELS).
 */
static int
channels_create(struct req *r)
{
	struct channel	 c;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	channel_init(&c, r->now);
	snprintf(c.team_id, sizeof(c.team_id), "%s", r->key->team_id);
	rc = channel_apply(r->db, &c, body, 1, &v);
	cJSON_Delete(body);
	if (rc == DB_OK && v.n == 0 && limit_check(r, LIMIT_CHANNELS) == -1) {
		channel_free(&c);
		return 0;
	}
	if (rc == DB_OK && v.n == 0)
		rc = channel_insert(r->db, &c);
	if (rc != DB_OK || v.n > 0) {
		channel_free(&c);
		return rc != DB_OK ? resp_db(r, rc) : resp_verrs(r, &v);
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", c.id);
	resp_header(r, "Location", "%s/%s", r->uri_path, c.id);
	resp_data(r, 201, channel_json(&c));
	channel_free(&c);
	return 0;
}

/*
 * GET /v1/alert-channels/{id}
 * Scope alerts:read.  200 with the channel (secrets masked); 404.
 */
static int
channels_get(struct req *r)
{
	struct channel	 c;

	if (load(r, &c) == -1)
		return 0;
	resp_data(r, 200, channel_json(&c));
	channel_free(&c);
	return 0;
}

/*
 * PATCH /v1/alert-channels/{id}
 * Scope alerts:write.  200 with the channel; 400; 404.  config is merged
 * into the stored one; a secret sent back masked is kept, unless the
 * webhook's url changes: then its stored secret and headers are dropped.
 */
static int
channels_patch(struct req *r)
{
	struct channel	 c;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	if (load(r, &c) == -1) {
		cJSON_Delete(body);
		return 0;
	}
	rc = channel_apply(r->db, &c, body, 0, &v);
	cJSON_Delete(body);
	c.updated_at = r->now;
	if (rc == DB_OK && v.n == 0)
		rc = channel_update(r->db, &c);
	if (rc != DB_OK || v.n > 0) {
		channel_free(&c);
		return rc != DB_OK ? resp_db(r, rc) : resp_verrs(r, &v);
	}
	resp_data(r, 200, channel_json(&c));
	channel_free(&c);
	return 0;
}

/*
 * DELETE /v1/alert-channels/{id}
 * Scope alerts:write.  204, with its notifications; 404.
 */
static int
channels_delete(struct req *r)
{
	int	 rc;

	if ((rc = channel_delete(r->db, r->key->team_id, r->args[0])) !=
	    DB_OK)
		return resp_db(r, rc);
	return resp_empty(r, 204);
}

/*
 * POST /v1/alert-channels/{id}/test
 * Scope alerts:write.  202 with a "test" notification queued for
 * uptime-notify (also for a disabled channel), Location; 404.
 */
static int
channels_test(struct req *r)
{
	struct channel		 c;
	struct notification	 n;
	size_t			 mount;
	int			 rc;

	if (load(r, &c) == -1)
		return 0;
	memset(&n, 0, sizeof(n));
	id_new(n.id, "ntf");
	snprintf(n.team_id, sizeof(n.team_id), "%s", c.team_id);
	snprintf(n.channel_id, sizeof(n.channel_id), "%s", c.id);
	n.event = NEV_TEST;
	n.status = NST_PENDING;
	n.created_at = n.next_attempt_at = r->now;
	n.payload = notify_test_payload(&c, n.id, r->now);
	channel_free(&c);
	if (n.payload == NULL)
		return resp_db(r, DB_ERROR);
	rc = notification_insert(r->db, &n);
	notification_free(&n);
	if (rc != DB_OK)
		return resp_db(r, rc);
	/* The notification's own path, under the same mount prefix. */
	mount = strlen(r->uri_path) - strlen(r->path);
	resp_header(r, "Location", "%.*s/v1/notifications/%s", (int)mount,
	    r->uri_path, n.id);
	return resp_data(r, 202, notification_json(&n));
}

/* Query values first, then the channel (when one is named), then the list. */
static int
list_notifications(struct req *r, const char *channel)
{
	struct notification_filter	 f = { channel, req_query(r, "monitorId"),
					    req_enum(r, "status"),
					    req_enum(r, "event"),
					    req_time(r, "from"),
					    req_time(r, "to") };
	struct channel			 c;
	struct lister			 l;

	if (channel != NULL) {
		if (load(r, &c) == -1)
			return 0;
		channel_free(&c);
	}
	list_start(r, &l);
	return list_answer(r, &l, notification_list(r->db, r->key->team_id,
	    &f, &l));
}

/*
 * GET /v1/notifications?monitorId&status&event&from&to&perPage&cursor
 * Scope alerts:read.  200 with a page of the team's notifications,
 * newest first; 400.
 */
static int
notifications_list(struct req *r)
{
	return list_notifications(r, NULL);
}

/*
 * GET /v1/alert-channels/{id}/notifications?monitorId&status&event&from&
 * to&perPage&cursor
 * Scope alerts:read.  200 with a page of the channel's notifications,
 * newest first; 400; 404.
 */
static int
channel_notifications(struct req *r)
{
	return list_notifications(r, r->args[0]);
}

/*
 * GET /v1/notifications/{id}
 * Scope alerts:read.  200 with the notification and "deliveries", every
 * attempt oldest first; 404.
 */
static int
notifications_get(struct req *r)
{
	struct notification	 n;
	cJSON			*o, *a;
	int			 rc;

	if ((rc = notification_get(r->db, r->key->team_id, r->args[0], &n)) !=
	    DB_OK)
		return resp_db(r, rc);
	if ((rc = notification_attempts_json(r->db, n.id, &a)) != DB_OK)
		return resp_db(r, rc);
	o = notification_json(&n);
	cJSON_AddItemToObject(o, "deliveries", a);
	return resp_data(r, 200, o);
}

static const struct qspec q_notifications[] = {
	Q_ID("monitorId", "mon"),
	Q_ENUM("status", ntf_status_names, NST__MAX),
	Q_ENUM("event", ntf_event_names, NEV__MAX),
	Q_WINDOW,
	Q_PAGE,
	Q_END
};

static const struct route routes[] = {
	{ "GET", "/v1/alert-channels", SCOPE_ALERTS_READ, channels_list, NULL,
	    q_page, 0 },
	{ "POST", "/v1/alert-channels", SCOPE_ALERTS_WRITE, channels_create,
	    "alert_channel.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/alert-channels/{ach}", SCOPE_ALERTS_READ, channels_get,
	    NULL, NULL, 0 },
	{ "PATCH", "/v1/alert-channels/{ach}", SCOPE_ALERTS_WRITE,
	    channels_patch, "alert_channel.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/alert-channels/{ach}", SCOPE_ALERTS_WRITE,
	    channels_delete, "alert_channel.deleted", NULL, 0 },
	{ "POST", "/v1/alert-channels/{ach}/test", SCOPE_ALERTS_WRITE,
	    channels_test, "alert_channel.tested", NULL, 0 },
	{ "GET", "/v1/alert-channels/{ach}/notifications", SCOPE_ALERTS_READ,
	    channel_notifications, NULL,
	    q_notifications, 0 },
	{ "GET", "/v1/notifications", SCOPE_ALERTS_READ, notifications_list,
	    NULL, q_notifications, 0 },
	{ "GET", "/v1/notifications/{ntf}", SCOPE_ALERTS_READ,
	    notifications_get, NULL, NULL, 0 },
};

int
main(void)
{
	int	 rc;

	/* libcurl parses URLs when configs are checked and masked. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	rc = serve_main(routes, sizeof(routes) / sizeof(routes[0]));
	curl_global_cleanup();
	return rc;
}
